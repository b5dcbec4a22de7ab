//! "My record": the warnings, silences and bans a member received, with reasons and ends, and
//! a way to appeal into the moderators' queue.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome};
use crate::store::sanctions::Entry;
use crate::tui::keymap::Action;
use crate::tui::widgets::{Answer, ask};
use crate::tui::widgets::{LineInput, format_time, truncate};
use crate::tui::{Effect, Loaded, Theme};

pub struct RecordScreen {
    entries: Option<Vec<Entry>>,
    appeal: Option<LineInput>,
}

impl RecordScreen {
    pub fn new() -> RecordScreen {
        RecordScreen {
            entries: None,
            appeal: None,
        }
    }

    pub fn typing(&self) -> bool {
        self.appeal.is_some()
    }

    pub fn key(&mut self, key: &KeyEvent, action: Option<Action>) -> Outcome {
        if self.appeal.is_some() {
            return match ask(&mut self.appeal, key) {
                Answer::Given(text) => Outcome::effects(vec![Effect::Appeal(text)]),
                _ => Outcome::none(),
            };
        }
        match action {
            Some(Action::Appeal) => {
                self.appeal = Some(LineInput::new(500));
                Outcome::none()
            }
            Some(Action::Back) => Outcome::nav(Nav::Back, vec![]),
            _ => Outcome::none(),
        }
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(input) = &mut self.appeal {
            input.paste(text);
        }
    }

    pub fn loaded(&mut self, loaded: Loaded) -> Vec<Effect> {
        match loaded {
            Loaded::Record(entries) => {
                self.entries = Some(entries);
                vec![]
            }
            Loaded::SettingsChanged(_) => vec![Effect::LoadRecord],
            _ => vec![],
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: Theme) -> Option<Position> {
        let w = area.width.saturating_sub(2) as usize;
        let Some(entries) = &self.entries else {
            buf.set_string(
                area.x + 1,
                area.y + 1,
                crate::tui::strings::LOADING,
                theme.dim(),
            );
            return None;
        };
        buf.set_stringn(
            area.x + 1,
            area.y,
            "What moderators recorded about you",
            w,
            theme.title(),
        );
        if entries.is_empty() {
            buf.set_string(
                area.x + 1,
                area.y + 2,
                "Nothing. Thank you for looking after this place.",
                theme.dim(),
            );
        }
        for (i, e) in entries
            .iter()
            .enumerate()
            .take(area.height.saturating_sub(4) as usize)
        {
            let until = match e.expires_at {
                Some(t) => format!(" until {} UTC", format_time(t)),
                None if e.kind == "ban" => " (until lifted)".to_string(),
                None => String::new(),
            };
            let line = format!("{} UTC  {}{until}: {}", format_time(e.at), e.kind, e.reason);
            buf.set_stringn(
                area.x + 1,
                area.y + 2 + i as u16,
                truncate(&line, w),
                w,
                theme.text(),
            );
        }
        if let Some(input) = &self.appeal {
            return crate::tui::widgets::prompt(
                area,
                area.bottom().saturating_sub(1),
                "Your appeal: ",
                input,
                buf,
                theme,
            );
        }
        None
    }
}

impl Default for RecordScreen {
    fn default() -> Self {
        RecordScreen::new()
    }
}
