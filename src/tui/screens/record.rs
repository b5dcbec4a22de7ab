//! "My record": the warnings, silences and bans a member received, with reasons and ends, and
//! a way to appeal into the moderators' queue. It is also all a banned member gets when they
//! connect: why, until when, and one appeal (no dead end).

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome};
use crate::store::sanctions::Entry;
use crate::tui::keymap::{Action, Binding, ESC, LEFT, bind, ch};
use crate::tui::widgets::{self, LineInput, Scroll, Tone, format_time_zoned};
use crate::tui::widgets::{Answer, ask};
use crate::tui::{Effect, Loaded, Theme};

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[ch('a')], Action::Appeal, "a", "appeal").footer(),
    bind(&[ESC, LEFT, ch('q')], Action::Back, "Esc", "back").footer(),
];

pub struct RecordScreen {
    entries: Option<Vec<Entry>>,
    appeal: Option<LineInput>,
    /// For a banned member: what is said above the record.
    banner: Option<String>,
    scroll: Scroll,
    /// Rows of text and rows shown, as last drawn (so keys scroll as the screen shows).
    shown: std::cell::Cell<(usize, usize)>,
}

impl RecordScreen {
    /// Whether there is anything on the record (a banned member's ban is, always).
    fn has_something(&self) -> bool {
        self.banner.is_some() || self.entries.as_ref().is_some_and(|e| !e.is_empty())
    }

    pub fn new() -> RecordScreen {
        RecordScreen {
            entries: None,
            appeal: None,
            banner: None,
            scroll: Scroll::default(),
            shown: std::cell::Cell::new((0, 0)),
        }
    }

    /// The screen a banned member sees, with `banner` (the ban and its end) above the record.
    pub fn banned(banner: String) -> RecordScreen {
        RecordScreen {
            banner: Some(banner),
            ..RecordScreen::new()
        }
    }

    pub fn typing(&self) -> bool {
        self.appeal.is_some()
    }
}

impl Default for RecordScreen {
    fn default() -> Self {
        RecordScreen::new()
    }
}

impl View for RecordScreen {
    fn context(&self) -> Context {
        if self.typing() {
            Context::Typing
        } else {
            Context::Record
        }
    }

    fn title(&self) -> String {
        "My record".into()
    }

    /// An appeal is of something on the record: offered only when there is something.
    fn offers(&self, action: Action) -> bool {
        action != Action::Appeal || self.has_something()
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        _body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        if self.appeal.is_some() {
            return match ask(&mut self.appeal, key) {
                Answer::Given(text) => Outcome::effects(vec![Effect::Appeal(text)]),
                _ => Outcome::none(),
            };
        }
        let (total, rows) = self.shown.get();
        if self.scroll.key(key, total, rows) {
            return Outcome::none();
        }
        match action {
            Some(Action::Appeal) if !self.has_something() => Outcome::status(
                crate::tui::Status::Info("There is nothing on your record to appeal.".into()),
            ),
            Some(Action::Appeal) => {
                self.appeal = Some(LineInput::new(500));
                Outcome::none()
            }
            Some(Action::Back) => Outcome::nav(Nav::Back, vec![]),
            _ => Outcome::none(),
        }
    }

    fn paste(&mut self, text: &str) -> usize {
        self.appeal.as_mut().map_or(0, |i| i.paste(text))
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        match loaded {
            Loaded::Record(entries) => {
                self.entries = Some(entries);
                vec![]
            }
            Loaded::Done(_) => vec![Effect::LoadRecord],
            _ => vec![],
        }
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        vec![Effect::LoadRecord]
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
        let mut text: Vec<(String, Tone)> = Vec::new();
        if let Some(banner) = &self.banner {
            // Why, first: the newest ban's reason, then what the member can do.
            text.push((banner.clone(), Tone::Key));
            if let Some(ban) = entries.iter().find(|e| e.kind == "ban") {
                text.push((
                    format!("Why: {}", crate::sanitize::line(&ban.reason)),
                    Tone::Plain,
                ));
            }
            text.push((crate::tui::strings::BANNED_KEYS.into(), Tone::Dim));
            text.push((String::new(), Tone::Plain));
        }
        text.push(("What moderators recorded about you".into(), Tone::Title));
        text.push((String::new(), Tone::Plain));
        if entries.is_empty() {
            text.push((
                "Nothing. Thank you for looking after this place.".into(),
                Tone::Dim,
            ));
        }
        for e in entries {
            let until = match e.expires_at {
                Some(t) => format!(" until {}", format_time_zoned(t)),
                None if e.kind == "ban" => " (until lifted)".to_string(),
                None => String::new(),
            };
            let reason = crate::sanitize::line(&e.reason);
            text.push((
                format!("{}  {}{until}: {reason}", format_time_zoned(e.at), e.kind),
                Tone::Plain,
            ));
        }
        // The whole record, wrapped, scrolling; the bottom row is kept for the appeal question.
        let inner = Rect {
            x: area.x + 1,
            width: area.width.saturating_sub(2),
            height: area.height.saturating_sub(1),
            ..area
        };
        self.shown.set(widgets::draw_scrolled_marked(
            inner,
            buf,
            &text,
            &[],
            self.scroll,
            theme,
        ));
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

#[cfg(test)]
mod tests {
    use super::*;
    use terminput::KeyCode;

    #[test]
    fn an_empty_record_offers_no_appeal_and_says_why() {
        let mut s = RecordScreen::new();
        s.loaded(Loaded::Record(vec![]), 10);
        assert!(!s.offers(Action::Appeal));
        let key = KeyEvent::new(KeyCode::Char('a'));
        let out = s.key(&key, Some(Action::Appeal), 10, None);
        assert!(
            matches!(&out.status, Some(crate::tui::Status::Info(t)) if t.contains("nothing on your record")),
            "{:?}",
            out.status
        );
        assert!(s.appeal.is_none(), "no appeal box opens");
    }
}
