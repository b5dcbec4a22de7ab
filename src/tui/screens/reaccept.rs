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
use crate::tui::keymap::{Action, Binding, DOWN, ESC, UP, bind, ch};
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
    bind(&[UP, ch('k')], Action::Up, "↑", "scroll up"),
    bind(&[DOWN, ch('j'), ch(' ')], Action::Down, "↓", "scroll down"),
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
    scroll: u16,
}

impl ReacceptScreen {
    pub fn new(docs: Vec<Doc>) -> ReacceptScreen {
        ReacceptScreen {
            docs,
            index: 0,
            scroll: 0,
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
        _key: &KeyEvent,
        action: Option<Action>,
        _body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        match action {
            Some(Action::Accept) => {
                self.index += 1;
                self.scroll = 0;
                if self.index >= self.docs.len() {
                    return Outcome::effects(vec![Effect::AcceptDocuments]);
                }
                Outcome::none()
            }
            Some(Action::Decline) => Outcome::nav(Nav::Quit, vec![]),
            Some(Action::Down) => {
                self.scroll = self.scroll.saturating_add(1);
                Outcome::none()
            }
            Some(Action::Up) => {
                self.scroll = self.scroll.saturating_sub(1);
                Outcome::none()
            }
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
        super::render_document(area, buf, theme, intro, text, self.scroll);
        None
    }
}
