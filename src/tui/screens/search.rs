//! Search: a query line, then the posts that match, best first, two rows each. A post with a
//! content warning or a muted word shows only its warning here, as in a thread.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome, Screen, move_selection, thread::ThreadScreen};
use crate::store::search::Hit;
use crate::tui::keymap::{Action, Binding, ENTER, ESC, LEFT, RIGHT, bind, ch};
use crate::tui::widgets::{LineInput, format_time, prompt, truncate};
use crate::tui::{Effect, Loaded, PageAt, Theme};

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[ENTER, RIGHT, ch('l')], Action::Open, "Enter", "open").footer(),
    bind(&[ch('/')], Action::Filter, "/", "search again").footer(),
    bind(&[ESC, LEFT, ch('q')], Action::Back, "Esc", "back").footer(),
];

pub struct SearchScreen {
    query: LineInput,
    /// The query line has the keyboard.
    typing: bool,
    hits: Option<Vec<Hit>>,
    /// What the results are for.
    searched: String,
    selected: usize,
}

impl Default for SearchScreen {
    fn default() -> Self {
        SearchScreen {
            query: LineInput::new(200),
            typing: true,
            hits: None,
            searched: String::new(),
            selected: 0,
        }
    }
}

/// A line of the post around the first searched word (or its start).
fn snippet(body: &str, words: &[String], width: usize) -> String {
    let flat = crate::sanitize::line(body);
    let lower = flat.to_lowercase();
    let at = words
        .iter()
        .filter_map(|w| lower.find(&w.to_lowercase()))
        .min()
        .unwrap_or(0);
    // Start a little before the word, on a character boundary.
    let start = lower[..at]
        .char_indices()
        .rev()
        .nth(20)
        .map_or(0, |(i, _)| i);
    let start = (0..=start)
        .rev()
        .find(|&i| flat.is_char_boundary(i))
        .unwrap_or(0);
    let text = if start > 0 {
        format!("…{}", &flat[start..])
    } else {
        flat
    };
    truncate(&text, width)
}

impl SearchScreen {
    pub fn typing(&self) -> bool {
        self.typing
    }
}

impl View for SearchScreen {
    fn context(&self) -> Context {
        if self.typing() {
            Context::Typing
        } else {
            Context::Search
        }
    }

    fn title(&self) -> String {
        "Search".into()
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        if self.typing {
            match key.code {
                terminput::KeyCode::Esc if self.hits.is_none() => {
                    return Outcome::nav(Nav::Back, vec![]);
                }
                terminput::KeyCode::Esc => self.typing = false,
                terminput::KeyCode::Enter => {
                    let text = self.query.text.trim().to_string();
                    if text.is_empty() {
                        return Outcome::none();
                    }
                    self.typing = false;
                    self.searched = text.clone();
                    return Outcome::effects(vec![Effect::Search(text)]);
                }
                _ => {
                    self.query.key(key);
                }
            }
            return Outcome::none();
        }
        let Some(action) = action else {
            return Outcome::none();
        };
        let hits = self.hits.as_deref().unwrap_or(&[]);
        if move_selection(&mut self.selected, hits.len(), action, (body / 2) as usize) {
            return Outcome::none();
        }
        match action {
            Action::Open => match hits.get(self.selected) {
                Some(hit) => {
                    let mut screen = ThreadScreen::new(hit.thread);
                    screen.focus(hit.post);
                    Outcome::nav(
                        Nav::Push(Box::new(Screen::Thread(screen))),
                        vec![Effect::LoadThread {
                            thread: hit.thread,
                            at: PageAt::Post(hit.post),
                        }],
                    )
                }
                None => Outcome::none(),
            },
            Action::Filter => {
                // A fresh query: the last one stays above the results until this one is sent.
                self.query = LineInput::new(200);
                self.typing = true;
                Outcome::none()
            }
            Action::Back => Outcome::nav(Nav::Back, vec![]),
            _ => Outcome::none(),
        }
    }

    fn paste(&mut self, text: &str) -> usize {
        if self.typing {
            return self.query.paste(text);
        }
        0
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        if let Loaded::SearchResults(hits) = loaded {
            self.selected = 0;
            self.hits = Some(hits);
        }
        vec![]
    }

    /// A failed search gives the query line back.
    fn failed(&mut self) {
        self.typing = true;
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let w = area.width.saturating_sub(2) as usize;
        let list = Rect {
            height: area.height.saturating_sub(1),
            ..area
        };
        match &self.hits {
            None => {
                buf.set_stringn(
                    area.x + 1,
                    area.y,
                    "Search titles and posts you can see. Words, and by:handle for one \
                     member's posts.",
                    w,
                    theme.dim(),
                );
            }
            Some(hits) if hits.is_empty() => {
                buf.set_stringn(
                    area.x + 1,
                    area.y,
                    format!("Nothing found for \u{201c}{}\u{201d}.", self.searched),
                    w,
                    theme.dim(),
                );
            }
            Some(hits) => {
                let words: Vec<String> = self
                    .searched
                    .split_whitespace()
                    .filter(|t| !t.starts_with("by:"))
                    .map(str::to_string)
                    .collect();
                let per_page = (list.height as usize / 2).max(1);
                let first = self.selected / per_page * per_page;
                for (i, h) in hits.iter().enumerate().skip(first).take(per_page) {
                    let y = list.y + ((i - first) * 2) as u16;
                    let selected = i == self.selected;
                    let marker = if selected { "▸ " } else { "  " };
                    let head = format!(
                        "{marker}{} · {}",
                        crate::sanitize::line(&h.board_name),
                        crate::sanitize::line(&h.thread_title)
                    );
                    let style = if selected {
                        theme.selected()
                    } else {
                        theme.title()
                    };
                    buf.set_stringn(list.x, y, truncate(&head, w), w, style);
                    if y + 1 >= list.bottom() {
                        continue;
                    }
                    let who = format!(
                        "{} · {} · ",
                        crate::sanitize::line(&h.author),
                        format_time(h.at)
                    );
                    let room = w.saturating_sub(crate::tui::widgets::width(&who) + 4);
                    let text = match (&h.content_warning, h.muted) {
                        (Some(cw), _) if !h.mine => {
                            format!("⚠ CW: {}", crate::sanitize::line(cw))
                        }
                        (_, true) => "⚠ Hidden: it has a word you muted".to_string(),
                        _ => snippet(&h.body, &words, room),
                    };
                    buf.set_stringn(
                        list.x + 4,
                        y + 1,
                        truncate(&format!("{who}{text}"), w.saturating_sub(4)),
                        w.saturating_sub(4),
                        theme.dim(),
                    );
                }
            }
        }
        if self.typing {
            return prompt(
                area,
                area.bottom().saturating_sub(1),
                "Search: ",
                &self.query,
                buf,
                theme,
            );
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use terminput::KeyCode;

    fn press(s: &mut SearchScreen, code: KeyCode) -> Outcome {
        let key = KeyEvent::new(code);
        let action = crate::tui::keymap::lookup(s.context(), &key, false);
        s.key(&key, action, 20, None)
    }

    fn search(s: &mut SearchScreen, words: &str) -> Vec<Effect> {
        for c in words.chars() {
            press(s, KeyCode::Char(c));
        }
        press(s, KeyCode::Enter).effects
    }

    #[test]
    fn slash_starts_a_fresh_query_each_time() {
        let mut s = SearchScreen::default();
        assert_eq!(
            search(&mut s, "sleep"),
            vec![Effect::Search("sleep".into())]
        );
        s.loaded(Loaded::SearchResults(vec![]), 20);
        press(&mut s, KeyCode::Char('/'));
        assert_eq!(search(&mut s, "tea"), vec![Effect::Search("tea".into())]);
    }
}
