//! A new version of the guidelines or privacy policy, shown at login until the member
//! accepts it (or leaves).

use crate::domain::User;
use crate::tui::Loaded;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome};
use crate::tui::keymap::{Action, Binding, DOWN, ESC, PGDN, PGUP, UP, bind, ch};
use crate::tui::{Effect, Texts, Theme};

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[ch('a')], Action::Accept, "a", "I accept").footer(),
    bind(
        &[ch('q'), ESC],
        Action::Decline,
        "q",
        "I don't accept (leave)",
    )
    .footer(),
    bind(
        &[DOWN, PGDN, ch(' ')],
        Action::Down,
        "↓ PgDn Space",
        "read on",
    ),
    bind(&[UP, PGUP], Action::Up, "↑ PgUp", "back up"),
];

/// Which documents changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    Guidelines,
    Privacy,
}

pub struct ReacceptScreen {
    docs: Vec<Doc>,
    index: usize,
    reading: super::Reading,
}

impl ReacceptScreen {
    pub fn new(docs: Vec<Doc>) -> ReacceptScreen {
        ReacceptScreen {
            docs,
            index: 0,
            reading: super::Reading::default(),
        }
    }
}

impl View for ReacceptScreen {
    fn context(&self) -> Context {
        Context::Reaccept
    }

    fn title(&self) -> String {
        "Please read".into()
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        _body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        if self.reading.key(key) {
            return Outcome::none();
        }
        match action {
            Some(Action::Accept) => {
                self.index += 1;
                self.reading.restart();
                if self.index >= self.docs.len() {
                    return Outcome::effects(vec![Effect::AcceptDocuments]);
                }
                Outcome::none()
            }
            Some(Action::Decline) => Outcome::nav(Nav::Quit, vec![]),
            _ => Outcome::none(),
        }
    }

    fn loaded(&mut self, _loaded: Loaded, _body: u16) -> Vec<Effect> {
        vec![]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        texts: &Texts,
    ) -> Option<Position> {
        let doc = self
            .docs
            .get(self.index.min(self.docs.len().saturating_sub(1)))?;
        let (intro, text) = match doc {
            Doc::Guidelines => (
                "The community guidelines have changed. Please read them again.",
                &texts.guidelines,
            ),
            Doc::Privacy => (
                "The privacy policy has changed. Please read it again.",
                &texts.privacy,
            ),
        };
        self.reading.render(area, buf, theme, intro, text);
        None
    }
}
