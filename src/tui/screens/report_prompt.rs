//! The report question on the bottom line, for posts, threads, messages and members: `Tab`
//! picks a category, the member types a note, `Enter` sends, `Esc` cancels.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::{KeyCode, KeyEvent};

use super::Outcome;
use crate::store::reports::{CATEGORIES, Target};
use crate::tui::widgets::{LineInput, prompt};
use crate::tui::{Effect, Status, Theme};

pub struct ReportPrompt {
    target: Target,
    category: usize,
    note: LineInput,
}

impl ReportPrompt {
    pub fn new(target: Target) -> ReportPrompt {
        ReportPrompt {
            target,
            category: 0,
            note: LineInput::new(500),
        }
    }

    /// Handles a key; `Some` when the question is over (sent or cancelled).
    pub fn key(&mut self, key: &KeyEvent) -> Option<Outcome> {
        match key.code {
            KeyCode::Esc => Some(Outcome::status(Status::Info("No report was sent.".into()))),
            KeyCode::Tab => {
                self.category = (self.category + 1) % CATEGORIES.len();
                None
            }
            KeyCode::Enter => Some(Outcome::effects(vec![Effect::Report {
                target: self.target,
                category: CATEGORIES[self.category].to_string(),
                note: self.note.text.clone(),
            }])),
            _ => {
                self.note.key(key);
                None
            }
        }
    }

    pub fn paste(&mut self, text: &str) -> usize {
        self.note.paste(text)
    }

    /// Draws the question on the last row of `area`.
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: Theme) -> Option<Position> {
        let what = match self.target {
            Target::Thread(_) => "this thread",
            Target::Message(_) => "this message",
            Target::Member(_) => "this member",
            _ => "this post",
        };
        let label = format!(
            "Report {what} as [{}] (Tab: change) note: ",
            CATEGORIES[self.category]
        );
        prompt(
            area,
            area.bottom().saturating_sub(1),
            &label,
            &self.note,
            buf,
            theme,
        )
    }
}
