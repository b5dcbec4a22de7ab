//! A document a member can read again at any time: the community guidelines, the privacy
//! policy they accepted, and "Staying safe here" (from settings, Help and Help now).

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome};
use crate::tui::keymap::Action;
use crate::tui::widgets::{self, Scroll, Tone};
use crate::tui::{Effect, Loaded, Theme};

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    Guidelines,
    Privacy,
    Safety,
}

pub struct DocumentScreen {
    doc: Doc,
    scroll: Scroll,
    /// Rows of text and rows shown, as last drawn (so keys scroll as the screen shows).
    shown: std::cell::Cell<(usize, usize)>,
}

impl DocumentScreen {
    pub fn new(doc: Doc) -> DocumentScreen {
        DocumentScreen {
            doc,
            scroll: Scroll::default(),
            shown: std::cell::Cell::new((0, 0)),
        }
    }
}

impl View for DocumentScreen {
    fn context(&self) -> Context {
        Context::Reader
    }

    fn title(&self) -> String {
        match self.doc {
            Doc::Guidelines => "Community guidelines",
            Doc::Privacy => "Privacy policy",
            Doc::Safety => "Staying safe here",
        }
        .into()
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        _body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        let (total, rows) = self.shown.get();
        if self.scroll.key(key, total, rows) {
            return Outcome::none();
        }
        match action {
            Some(Action::Back) => Outcome::nav(Nav::Back, vec![]),
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
        let text = match self.doc {
            Doc::Guidelines => &texts.guidelines,
            Doc::Privacy => &texts.privacy,
            Doc::Safety => &texts.safety,
        };
        let lines: Vec<(String, Tone)> = text
            .lines()
            .enumerate()
            .map(|(i, l)| {
                let tone = if i == 0 { Tone::Title } else { Tone::Plain };
                (l.to_string(), tone)
            })
            .collect();
        // The footer says Esc; the mark below the text, where the reader is.
        let foot: [(String, Tone); 0] = [];
        let inner = Rect {
            x: area.x + 1,
            width: area.width.saturating_sub(2),
            ..area
        };
        self.shown.set(widgets::draw_scrolled_marked(
            inner,
            buf,
            &lines,
            &foot,
            self.scroll,
            theme,
        ));
        None
    }
}
