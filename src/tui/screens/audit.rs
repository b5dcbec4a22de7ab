//! The audit log for moderators and sysops: every moderator and sysop action and security
//! event, newest first, a page at a time. Rows carry no addresses and no post text.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome};
use crate::store::audit::Entry;
use crate::tui::keymap::{Action, Binding, ESC, LEFT, bind, ch};
use crate::tui::widgets::{LineInput, format_time, truncate};
use crate::tui::{Effect, Loaded, Theme};

// Rows per page: the service's page of the audit log.
use crate::service::AUDIT_PAGE as PAGE;

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[ch('/')], Action::Filter, "/", "filter")
        .footer()
        .staff(),
    bind(&[ch(']'), ch('n')], Action::NextPage, "]/n", "older").footer(),
    bind(&[ch('['), ch('p')], Action::PrevPage, "[/p", "newer").footer(),
    bind(&[ch('r')], Action::Refresh, "r", "refresh"),
    bind(&[ESC, LEFT, ch('q')], Action::Back, "Esc", "back").footer(),
];

pub struct AuditScreen {
    pub entries: Option<Vec<Entry>>,
    pub offset: i64,
    /// The filter in force ("actor:river action:banned").
    filter: String,
    /// The filter being typed.
    editing: Option<LineInput>,
    /// First row shown.
    scroll: usize,
}

impl AuditScreen {
    pub fn new() -> AuditScreen {
        AuditScreen {
            entries: None,
            offset: 0,
            filter: String::new(),
            editing: None,
            scroll: 0,
        }
    }

    pub fn load(&self) -> Effect {
        Effect::LoadAudit {
            offset: self.offset,
            filter: self.filter.clone(),
        }
    }

    pub fn typing(&self) -> bool {
        self.editing.is_some()
    }

    pub fn filter_key(&mut self, key: &terminput::KeyEvent) -> Outcome {
        match crate::tui::widgets::ask(&mut self.editing, key) {
            crate::tui::widgets::Answer::Given(filter) => {
                self.filter = filter.trim().to_string();
                self.offset = 0;
                self.scroll = 0;
                Outcome::effects(vec![self.load()])
            }
            _ => Outcome::none(),
        }
    }

    /// A key while the filter is not being typed.
    fn action(&mut self, action: Option<Action>, body: u16) -> Outcome {
        if action == Some(Action::Filter) {
            self.editing = Some(LineInput::with_text(200, &self.filter));
            return Outcome::none();
        }
        let len = self.entries.as_ref().map_or(0, Vec::len);
        let page = body.saturating_sub(1).max(1) as usize;
        match action {
            Some(Action::Down) => self.scroll = (self.scroll + 1).min(len.saturating_sub(1)),
            Some(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            Some(Action::PageDown) => self.scroll = (self.scroll + page).min(len.saturating_sub(1)),
            Some(Action::PageUp) => self.scroll = self.scroll.saturating_sub(page),
            Some(Action::Top) => self.scroll = 0,
            Some(Action::NextPage) if len as i64 == PAGE => {
                self.offset += PAGE;
                self.scroll = 0;
                return Outcome::effects(vec![self.load()]);
            }
            Some(Action::PrevPage) if self.offset > 0 => {
                self.offset = (self.offset - PAGE).max(0);
                self.scroll = 0;
                return Outcome::effects(vec![self.load()]);
            }
            Some(Action::Refresh) => {
                return Outcome::effects(vec![self.load()]);
            }
            Some(Action::Back) => return Outcome::nav(Nav::Back, vec![]),
            _ => {}
        }
        Outcome::none()
    }
}

impl Default for AuditScreen {
    fn default() -> Self {
        AuditScreen::new()
    }
}

impl View for AuditScreen {
    fn context(&self) -> Context {
        if self.typing() {
            Context::Typing
        } else {
            Context::Audit
        }
    }

    fn title(&self) -> String {
        "Audit log".into()
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        if self.typing() {
            self.filter_key(key)
        } else {
            self.action(action, body)
        }
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        if let Loaded::Audit(offset, entries) = loaded
            && offset == self.offset
        {
            self.entries = Some(entries);
        }
        vec![]
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        vec![self.load()]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let Some(entries) = &self.entries else {
            buf.set_string(
                area.x + 1,
                area.y + 1,
                crate::tui::strings::LOADING,
                theme.dim(),
            );
            return None;
        };
        let w = area.width.saturating_sub(2) as usize;
        // Narrow terminals drop the year and the actor's column padding, so the action (what
        // happened) still shows.
        let narrow = w < 60;
        // The zone's abbreviation is at most five letters ("UTC", "CEST", "+0530"): the
        // columns below stay where they are.
        let zone = crate::tui::zone::label();
        let mut head = if narrow {
            format!("{:<13}Actor  Action", format!("Time ({zone})"))
        } else {
            format!("{:<18}Actor            Action", format!("Time ({zone})"))
        };
        if !self.filter.is_empty() {
            head.push_str(&format!("   [filter: {}]", self.filter));
        }
        buf.set_stringn(area.x + 1, area.y, truncate(&head, w), w, theme.dim());
        if entries.is_empty() {
            let text = if self.filter.is_empty() {
                "Nothing recorded yet."
            } else {
                "Nothing matches this filter. / changes it; an empty filter shows everything."
            };
            crate::tui::widgets::note(area, 1, text, buf, theme);
        }
        // Each row whole: what does not fit wraps under its action, so the target and the
        // reason can always be read.
        let indent = if narrow { 4 } else { 18 };
        let indent = " ".repeat(indent);
        let options = textwrap::Options::new(w.max(12)).subsequent_indent(&indent);
        let mut y = area.y + 1;
        for e in entries.iter().skip(self.scroll) {
            if y >= area.bottom() {
                break;
            }
            let mut line = if narrow {
                let time = format_time(e.at);
                let short = time.get(5..).unwrap_or(&time);
                format!("{short}  {} {}", e.actor, e.action)
            } else {
                format!("{}  {:<16} {}", format_time(e.at), e.actor, e.action)
            };
            if let Some(t) = &e.target {
                line.push_str(&format!(" → {t}"));
            }
            if let Some(r) = &e.reason {
                line.push_str(&format!(" ({r})"));
            }
            let line = crate::sanitize::line(&line);
            for piece in textwrap::wrap(&line, &options) {
                if y >= area.bottom() {
                    break;
                }
                buf.set_stringn(area.x + 1, y, truncate(&piece, w), w, theme.text());
                y += 1;
            }
        }
        if let Some(input) = &self.editing {
            let y = area.bottom().saturating_sub(1);
            return crate::tui::widgets::prompt(
                area,
                y,
                "Filter (actor:H target:H action:A): ",
                input,
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
    use crate::store::audit::Entry;

    fn drawn(s: &AuditScreen, width: u16, height: u16) -> String {
        let area = Rect::new(0, 0, width, height);
        let mut buf = Buffer::empty(area);
        s.render(area, &mut buf, Theme::Default, &Texts::default());
        (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_long_row_wraps_so_its_target_and_reason_read_whole_at_40_columns() {
        let mut s = AuditScreen::new();
        let entry = |id, reason: &str| Entry {
            id,
            at: 0,
            actor: "warden".into(),
            action: "report_resolved".into(),
            target: Some("user moss".into()),
            reason: Some(reason.into()),
        };
        s.loaded(
            Loaded::Audit(
                0,
                vec![
                    entry(2, "Nothing on your record needed changing"),
                    entry(1, "second row\u{1b}[31m"),
                ],
            ),
            10,
        );
        let screen = drawn(&s, 40, 10);
        let flat: String = screen.lines().map(str::trim).collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("report_resolved → user moss (Nothing on your record needed changing)"),
            "{screen}"
        );
        assert!(flat.contains("(second row)"), "{screen}");
        assert!(!screen.contains('\u{1b}'), "{screen}");
        // Continuation rows are indented under the row they belong to.
        assert!(
            screen
                .lines()
                .nth(2)
                .is_some_and(|l| l.starts_with("     ")),
            "{screen}"
        );
    }
}
