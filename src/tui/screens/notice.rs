//! A page of text the member must acknowledge before going on (recovery codes, shown once).

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::{Nav, Outcome, Screen};
use crate::tui::keymap::Action;
use crate::tui::{Effect, Theme};

pub struct NoticeScreen {
    pub title: String,
    pub lines: Vec<String>,
    /// Where Enter leads, and what to load there.
    next: Option<(Box<Screen>, Vec<Effect>)>,
}

impl NoticeScreen {
    pub fn new(
        title: String,
        lines: Vec<String>,
        next: Screen,
        effects: Vec<Effect>,
    ) -> NoticeScreen {
        NoticeScreen {
            title,
            lines,
            next: Some((Box::new(next), effects)),
        }
    }

    pub fn key(&mut self, action: Option<Action>) -> Outcome {
        match action {
            Some(Action::Accept | Action::Open) => match self.next.take() {
                Some((screen, effects)) => Outcome::nav(Nav::Replace(screen), effects),
                None => Outcome::none(),
            },
            _ => Outcome::none(),
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: Theme) -> Option<Position> {
        let mut lines = vec![
            Line::styled(self.title.clone(), theme.title()),
            Line::raw(""),
        ];
        lines.extend(self.lines.iter().map(|l| Line::raw(l.clone())));
        lines.push(Line::raw(""));
        lines.push(Line::styled("Press Enter to continue.", theme.key()));
        Paragraph::new(lines).wrap(Wrap { trim: false }).render(
            Rect {
                x: area.x + 1,
                width: area.width.saturating_sub(2),
                ..area
            },
            buf,
        );
        None
    }
}
