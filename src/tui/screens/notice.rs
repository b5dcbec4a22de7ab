//! A page of text the member must read before going on: recovery codes, shown once. It
//! scrolls at every size (at 40×12 ten codes do not fit), and leaving asks once more, because
//! what it shows will not be shown again.

use crate::domain::User;
use crate::tui::Loaded;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::{KeyCode, KeyEvent};

use super::{Nav, Outcome, Screen};
use crate::tui::keymap::{Action, Binding, ENTER, bind};
use crate::tui::widgets::{self, Scroll, Tone};
use crate::tui::{Effect, Theme};

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[bind(&[ENTER], Action::Accept, "Enter", "continue").footer()];

pub struct NoticeScreen {
    pub title: String,
    pub lines: Vec<String>,
    /// Where leaving leads, and what to load there.
    next: Option<(Box<Screen>, Vec<Effect>)>,
    scroll: Scroll,
    /// Enter was pressed once: the next `y` goes on, any other key stays.
    confirming: bool,
    /// Rows of text and rows shown, as last drawn (so keys scroll as the screen shows).
    shown: std::cell::Cell<(usize, usize)>,
}

/// What leaving asks, and the keys at the foot.
const CONFIRM: &str = "They will not be shown again. Saved them? y goes on · any other key stays";
const CODES_KEYS: &str = "↑↓ PgDn read on · Enter when you have saved them";

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
            scroll: Scroll::default(),
            confirming: false,
            shown: std::cell::Cell::new((0, 0)),
        }
    }

    fn text(&self) -> Vec<(String, Tone)> {
        let mut text = vec![
            (self.title.clone(), Tone::Title),
            (String::new(), Tone::Plain),
        ];
        text.extend(self.lines.iter().map(|l| (l.clone(), Tone::Plain)));
        text
    }

    fn foot(&self) -> Vec<(String, Tone)> {
        let words = if self.confirming { CONFIRM } else { CODES_KEYS };
        vec![(String::new(), Tone::Plain), (words.to_string(), Tone::Key)]
    }
}

impl View for NoticeScreen {
    fn context(&self) -> Context {
        Context::Notice
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
        let (total, rows) = self.shown.get();
        if self.confirming {
            self.confirming = false;
            if key.code == KeyCode::Char('y') || key.code == KeyCode::Char('Y') {
                return match self.next.take() {
                    Some((screen, effects)) => Outcome::nav(Nav::Replace(screen), effects),
                    None => Outcome::none(),
                };
            }
            return Outcome::none();
        }
        if self.scroll.key(key, total, rows) {
            return Outcome::none();
        }
        if matches!(action, Some(Action::Accept | Action::Open)) {
            self.confirming = true;
        }
        Outcome::none()
    }

    fn loaded(&mut self, _loaded: Loaded, _body: u16) -> Vec<Effect> {
        vec![]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let inner = Rect {
            x: area.x + 1,
            width: area.width.saturating_sub(2),
            ..area
        };
        let (text, foot) = (self.text(), self.foot());
        self.shown.set(widgets::draw_scrolled_marked(
            inner,
            buf,
            &text,
            &foot,
            self.scroll,
            theme,
        ));
        None
    }
}
