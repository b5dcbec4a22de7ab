//! A post's edit history: each earlier version, newest first, with who changed it (the author,
//! or a moderator, named to moderators only) and why.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::{Nav, Outcome};
use crate::domain::PostId;
use crate::store::revisions::Revision;
use crate::tui::keymap::{Action, Binding, ESC, LEFT, TAB, bind, ch, shift_key};
use crate::tui::widgets::format_time_zoned;
use crate::tui::widgets::{Answer, ask};
use crate::tui::widgets::{LineInput, prompt};
use crate::tui::{Effect, Loaded, Status, Theme, strings};
use terminput::KeyEvent;

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[TAB], Action::SelectNext, "Tab", "select the next version").footer_as("next version"),
    bind(
        &[shift_key(TAB)],
        Action::SelectPrev,
        "Shift-Tab",
        "select the previous version",
    ),
    bind(
        &[ch('X')],
        Action::ModErase,
        "X",
        "erase the selected version for good",
    )
    .footer()
    .staff(),
    bind(&[ESC, LEFT, ch('q')], Action::Back, "Esc", "back").footer(),
];

pub struct HistoryScreen {
    post: PostId,
    revisions: Option<Vec<Revision>>,
    scroll: u16,
    /// The version a moderator's erase applies to (Tab selects).
    selected: usize,
    /// A moderator typing why they erase the selected version.
    erasing: Option<LineInput>,
    /// The history could not be loaded (the status line says why).
    unavailable: bool,
}

impl HistoryScreen {
    pub fn new(post: PostId) -> HistoryScreen {
        HistoryScreen {
            post,
            revisions: None,
            scroll: 0,
            selected: 0,
            erasing: None,
            unavailable: false,
        }
    }

    pub fn load(&self) -> Effect {
        Effect::LoadRevisions(self.post)
    }

    pub fn typing(&self) -> bool {
        self.erasing.is_some()
    }
}

impl View for HistoryScreen {
    fn context(&self) -> Context {
        if self.typing() {
            Context::Typing
        } else {
            Context::History
        }
    }

    fn title(&self) -> String {
        "Edit history".into()
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        if self.erasing.is_some() {
            return match ask(&mut self.erasing, key) {
                Answer::Typing => Outcome::none(),
                Answer::Cancelled => Outcome::status(Status::Info("Nothing was erased.".into())),
                Answer::Given(reason) => {
                    match self.revisions.as_ref().and_then(|l| l.get(self.selected)) {
                        Some(r) => Outcome::effects(vec![Effect::EraseRevision {
                            revision: r.id,
                            reason,
                        }]),
                        None => Outcome::none(),
                    }
                }
            };
        }
        let len = self.revisions.as_ref().map_or(0, Vec::len);
        match action {
            Some(Action::SelectNext) => {
                self.selected = (self.selected + 1).min(len.saturating_sub(1))
            }
            Some(Action::SelectPrev) => self.selected = self.selected.saturating_sub(1),
            Some(Action::ModErase) if len > 0 => self.erasing = Some(LineInput::new(200)),
            Some(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            Some(Action::Down) => self.scroll = self.scroll.saturating_add(1),
            Some(Action::PageUp) => self.scroll = self.scroll.saturating_sub(body),
            Some(Action::PageDown) => self.scroll = self.scroll.saturating_add(body),
            Some(Action::Top) => self.scroll = 0,
            Some(Action::Back) => return Outcome::nav(Nav::Back, vec![]),
            _ => {}
        }
        Outcome::none()
    }

    fn paste(&mut self, text: &str) -> usize {
        self.erasing.as_mut().map_or(0, |i| i.paste(text))
    }

    fn failed(&mut self) {
        self.unavailable = self.revisions.is_none();
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        match loaded {
            Loaded::Revisions(post, list) if post == self.post => {
                self.selected = self.selected.min(list.len().saturating_sub(1));
                self.revisions = Some(list);
                vec![]
            }
            Loaded::Done(_) => vec![self.load()],
            _ => vec![],
        }
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let Some(list) = &self.revisions else {
            let text = if self.unavailable {
                "The edit history cannot be shown. Esc goes back."
            } else {
                strings::LOADING
            };
            crate::tui::widgets::note(area, 1, text, buf, theme);
            return None;
        };
        let mut lines = vec![
            Line::styled("Earlier versions, newest first", theme.title()),
            Line::raw(""),
        ];
        if list.is_empty() {
            lines.push(Line::styled("This post was never edited.", theme.dim()));
        }
        for (i, r) in list.iter().enumerate() {
            let who = match (&r.moderator, r.by_author) {
                (_, true) => "the author".to_string(),
                (Some(handle), false) => {
                    format!("moderator {}", crate::sanitize::line(handle))
                }
                (None, false) => "a moderator".to_string(),
            };
            let mut head = format!("Replaced {} by {who}", format_time_zoned(r.at));
            if let Some(reason) = &r.reason {
                head.push_str(&format!(" · why: {}", crate::sanitize::line(reason)));
            }
            let marker = if i == self.selected { "▸ " } else { "" };
            let style = if i == self.selected {
                theme.selected()
            } else {
                theme.author()
            };
            lines.push(Line::styled(format!("{marker}{head}"), style));
            if let Some(cw) = &r.content_warning {
                lines.push(Line::styled(
                    format!("  CW: {}", crate::sanitize::line(cw)),
                    theme.unread(),
                ));
            }
            for l in crate::sanitize::multiline(&r.body).split('\n') {
                lines.push(Line::raw(format!("  {l}")));
            }
            lines.push(Line::raw(""));
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((self.scroll, 0))
            .render(
                Rect {
                    x: area.x + 1,
                    width: area.width.saturating_sub(2),
                    ..area
                },
                buf,
            );
        if let Some(input) = &self.erasing {
            return prompt(
                area,
                area.bottom().saturating_sub(1),
                "Erase this version for good — why? ",
                input,
                buf,
                theme,
            );
        }
        None
    }
}
