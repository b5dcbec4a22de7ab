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
    bind(&[ch(']'), ch('n')], Action::NextPage, "]/n", "more results").footer_as("more"),
    bind(
        &[ch('['), ch('p')],
        Action::PrevPage,
        "[/p",
        "earlier results",
    )
    .footer_as("earlier"),
    bind(&[ESC, LEFT, ch('q')], Action::Back, "Esc", "back").footer(),
];

pub struct SearchScreen {
    query: LineInput,
    /// The query line has the keyboard.
    typing: bool,
    hits: Option<Vec<Hit>>,
    /// What the results are for.
    searched: String,
    /// The offset of the page of results shown.
    offset: i64,
    selected: usize,
}

impl Default for SearchScreen {
    fn default() -> Self {
        SearchScreen {
            query: LineInput::new(200),
            typing: true,
            hits: None,
            searched: String::new(),
            offset: 0,
            selected: 0,
        }
    }
}

/// What the search line understands, shown before the first search.
const SEARCH_HELP: &str = "Search titles and posts you can see. All words must match; word* \
    finds words that start so; \"in quotes\" keeps a phrase together. Narrow it with \
    by:handle, board:slug, since:2026-11-30 and before:2026-12-01.";

/// `line` cut into pieces, each marked when it is (the start of) a searched word, so results
/// show why they matched.
fn highlight(line: &str, words: &[String]) -> Vec<(String, bool)> {
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut word = String::new();
    let push = |text: String, hit: bool, out: &mut Vec<(String, bool)>| match out.last_mut() {
        Some((t, h)) if *h == hit => t.push_str(&text),
        _ => out.push((text, hit)),
    };
    for c in line.chars().chain(std::iter::once(' ')) {
        if c.is_alphanumeric() {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            let w = word.to_lowercase();
            let hit = lower.iter().any(|s| w.starts_with(s.as_str()));
            push(std::mem::take(&mut word), hit, &mut out);
        }
        push(c.to_string(), false, &mut out);
    }
    // The space added to end the last word.
    if let Some((t, _)) = out.last_mut() {
        t.pop();
    }
    out.retain(|(t, _)| !t.is_empty());
    out
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

    /// Paging only where there is another page.
    fn offers(&self, action: Action) -> bool {
        let shown = self.hits.as_ref().map_or(0, Vec::len) as i64;
        match action {
            Action::Open => shown > 0,
            Action::NextPage => shown >= crate::service::SEARCH_PAGE,
            Action::PrevPage => self.offset > 0,
            _ => true,
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
                    self.offset = 0;
                    return Outcome::effects(vec![Effect::Search(text, 0)]);
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
            Action::NextPage if hits.len() as i64 >= crate::service::SEARCH_PAGE => {
                self.offset += crate::service::SEARCH_PAGE;
                Outcome::effects(vec![Effect::Search(self.searched.clone(), self.offset)])
            }
            Action::PrevPage if self.offset > 0 => {
                self.offset = (self.offset - crate::service::SEARCH_PAGE).max(0);
                Outcome::effects(vec![Effect::Search(self.searched.clone(), self.offset)])
            }
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
        if let Loaded::SearchResults(mut hits) = loaded {
            self.selected = 0;
            // Results show a post's words, not its markdown (once, not at every frame).
            for h in &mut hits {
                h.body = crate::tui::rich::flat(&h.body);
            }
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
        // The query line is the top row, where no notice on the status line can cover it;
        // below it the help, or the results.
        let list = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        };
        match &self.hits {
            None => {
                use ratatui::widgets::{Paragraph, Widget, Wrap};
                Paragraph::new(SEARCH_HELP)
                    .style(theme.dim())
                    .wrap(Wrap { trim: true })
                    .render(
                        Rect {
                            x: area.x + 1,
                            width: area.width.saturating_sub(2),
                            ..list
                        },
                        buf,
                    );
            }
            Some(hits) if hits.is_empty() => {
                let text = if self.offset > 0 {
                    format!(
                        "No more results for \u{201c}{}\u{201d}. [ goes back.",
                        self.searched
                    )
                } else {
                    format!("Nothing found for \u{201c}{}\u{201d}.", self.searched)
                };
                crate::tui::widgets::note(list, 0, &text, buf, theme);
            }
            Some(hits) => {
                let words: Vec<String> = crate::service::parse_search(&self.searched)
                    .map(|q| q.marks())
                    .unwrap_or_default();
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
                    let line = truncate(&format!("{who}{text}"), w.saturating_sub(4));
                    let marked = if (h.content_warning.is_some() && !h.mine) || h.muted {
                        vec![(line, false)]
                    } else {
                        highlight(&line, &words)
                    };
                    let spans: Vec<ratatui::text::Span> = marked
                        .into_iter()
                        .map(|(t, hit)| {
                            let style = if hit { theme.unread() } else { theme.dim() };
                            ratatui::text::Span::styled(t, style)
                        })
                        .collect();
                    buf.set_line(
                        list.x + 4,
                        y + 1,
                        &ratatui::text::Line::from(spans),
                        w.saturating_sub(4) as u16,
                    );
                }
            }
        }
        if self.typing {
            return prompt(area, area.y, "Search: ", &self.query, buf, theme);
        }
        // What the results are for, and which of them these are.
        let mut head = format!("Search: {}", crate::sanitize::line(&self.searched));
        if let Some(hits) = self.hits.as_ref().filter(|h| !h.is_empty()) {
            head.push_str(&format!(
                " · results {}-{}",
                self.offset + 1,
                self.offset + hits.len() as i64
            ));
        }
        buf.set_stringn(area.x + 1, area.y, truncate(&head, w), w, theme.dim());
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
            vec![Effect::Search("sleep".into(), 0)]
        );
        s.loaded(Loaded::SearchResults(vec![]), 20);
        press(&mut s, KeyCode::Char('/'));
        assert_eq!(search(&mut s, "tea"), vec![Effect::Search("tea".into(), 0)]);
    }

    #[test]
    fn matched_words_are_marked_prefixes_too() {
        let marked = highlight(
            "Sleeping badly, sleep tips",
            &["sleep".into(), "tips".into()],
        );
        assert_eq!(
            marked,
            vec![
                ("Sleeping".to_string(), true),
                (" badly, ".to_string(), false),
                ("sleep".to_string(), true),
                (" ".to_string(), false),
                ("tips".to_string(), true),
            ]
        );
    }

    fn footer(s: &SearchScreen) -> Vec<&'static str> {
        crate::tui::keymap::footer(s.context(), false, |a| s.offers(a))
            .into_iter()
            .map(|(_, label)| label)
            .collect()
    }

    fn hits(n: usize) -> Vec<crate::store::search::Hit> {
        (0..n)
            .map(|i| crate::store::search::Hit {
                post: crate::domain::PostId(i as i64 + 1),
                thread: crate::domain::ThreadId(1),
                thread_title: "Sleep".into(),
                board_name: "Support".into(),
                author: "ash".into(),
                mine: false,
                body: "sleep".into(),
                content_warning: None,
                at: 0,
                muted: false,
            })
            .collect()
    }

    #[test]
    fn the_footer_offers_more_and_earlier_only_where_there_is_another_page() {
        let mut s = SearchScreen::default();
        search(&mut s, "sleep");
        s.loaded(Loaded::SearchResults(hits(0)), 20);
        assert_eq!(footer(&s), ["search again", "back", "help", "help now"]);
        s.loaded(Loaded::SearchResults(hits(3)), 20);
        assert_eq!(
            footer(&s),
            ["open", "search again", "back", "help", "help now"]
        );
        let page = crate::service::SEARCH_PAGE as usize;
        s.loaded(Loaded::SearchResults(hits(page)), 20);
        assert!(footer(&s).contains(&"more"), "{:?}", footer(&s));
        assert!(!footer(&s).contains(&"earlier"));
        press(&mut s, KeyCode::Char(']'));
        s.loaded(Loaded::SearchResults(hits(2)), 20);
        assert!(footer(&s).contains(&"earlier"), "{:?}", footer(&s));
        assert!(!footer(&s).contains(&"more"));
    }
}
