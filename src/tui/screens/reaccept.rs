//! A new version of the guidelines or privacy policy, shown at login until the member
//! accepts it (or leaves).

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

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

    pub fn key(&mut self, action: Option<Action>) -> Outcome {
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

    pub fn render(
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

impl super::View for ReacceptScreen {
    fn context(&self) -> crate::tui::keymap::Context {
        crate::tui::keymap::Context::Reaccept
    }

    fn title(&self) -> String {
        "Please read".into()
    }

    fn key(
        &mut self,
        _key: &terminput::KeyEvent,
        action: Option<crate::tui::keymap::Action>,
        _body: u16,
        _user: Option<&crate::domain::User>,
    ) -> super::Outcome {
        ReacceptScreen::key(self, action)
    }

    fn loaded(&mut self, _loaded: crate::tui::Loaded, _body: u16) -> Vec<crate::tui::Effect> {
        vec![]
    }

    fn render(
        &self,
        area: ratatui::layout::Rect,
        buf: &mut ratatui::buffer::Buffer,
        theme: crate::tui::Theme,
        texts: &crate::tui::Texts,
    ) -> Option<ratatui::layout::Position> {
        ReacceptScreen::render(self, area, buf, theme, texts)
    }
}
