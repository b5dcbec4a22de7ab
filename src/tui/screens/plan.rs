//! The member's own safety plan: what helps, who to call, reasons to stay. Private: only its
//! author ever sees it (and their own export); editing and reading it are never logged.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::widgets::{Block, Borders, Widget};
use terminput::KeyEvent;

use super::{Nav, Outcome};
use crate::tui::keymap::{Action, Binding, ESC, F1, bind, ctrl};
use crate::tui::widgets::TextArea;
use crate::tui::{Effect, Loaded, Theme};

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[ctrl('s')], Action::Send, "Ctrl-S", "save").footer(),
    bind(&[ESC], Action::Back, "Esc", "save and go back").footer(),
    bind(&[F1], Action::HelpNow, "F1", "help now").footer(),
];

pub use crate::service::PLAN_MAX;

pub struct PlanScreen {
    text: TextArea,
    loaded: bool,
}

impl PlanScreen {
    pub fn new(current: Option<&str>) -> PlanScreen {
        PlanScreen {
            text: TextArea::with_text(PLAN_MAX, current.unwrap_or_default()),
            loaded: current.is_some(),
        }
    }
}

impl View for PlanScreen {
    fn context(&self) -> Context {
        Context::Editor
    }

    fn title(&self) -> String {
        "My safety plan".into()
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        _body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        match action {
            // Leaving saves: what someone wrote in a hard moment is never thrown away.
            Some(Action::Send | Action::Back) => {
                Outcome::nav(Nav::Back, vec![Effect::SaveSafetyPlan(self.text.text())])
            }
            _ => {
                self.text.key(key);
                Outcome::none()
            }
        }
    }

    fn paste(&mut self, text: &str) -> usize {
        self.text.insert_str(text)
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        if let Loaded::SafetyPlan(Some(plan)) = loaded
            && !self.loaded
        {
            self.text = TextArea::with_text(PLAN_MAX, &plan);
            self.loaded = true;
        }
        vec![]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        buf.set_stringn(
            area.x + 1,
            area.y,
            "Only you can see this. What helps? Who can you call? What are your reasons to stay?",
            area.width.saturating_sub(2) as usize,
            theme.dim(),
        );
        let block_area = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.field(true))
            .title(" My safety plan ");
        let inner = block.inner(block_area);
        block.render(block_area, buf);
        self.text.render(inner, buf, theme.text())
    }
}
