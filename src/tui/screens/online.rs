//! Who's online: members who chose to be seen (invisible is the default), minus anyone the
//! reader blocked or who blocked the reader.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome};
use crate::tui::keymap::Action;
use crate::tui::widgets::truncate;
use crate::tui::{Effect, Loaded, Theme, strings};

#[derive(Default)]
pub struct OnlineScreen {
    handles: Option<Vec<String>>,
}

impl View for OnlineScreen {
    fn context(&self) -> Context {
        Context::Reader
    }

    fn title(&self) -> String {
        "Who's online".into()
    }

    fn key(
        &mut self,
        _key: &KeyEvent,
        action: Option<Action>,
        _body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        match action {
            Some(Action::Back) => Outcome::nav(Nav::Back, vec![]),
            _ => Outcome::none(),
        }
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        if let Loaded::Online(handles) = loaded {
            self.handles = Some(handles);
        }
        vec![]
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        vec![Effect::LoadOnline]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let w = area.width.saturating_sub(2) as usize;
        let Some(handles) = &self.handles else {
            buf.set_string(area.x + 1, area.y + 1, strings::LOADING, theme.dim());
            return None;
        };
        // Wrapped, so a narrow terminal reads it whole.
        let intro = textwrap::wrap(
            "Members here now who chose to be seen. You can choose in settings (o).",
            w.max(10),
        );
        for (i, line) in intro.iter().enumerate() {
            buf.set_stringn(area.x + 1, area.y + i as u16, line, w, theme.dim());
        }
        let top = intro.len() as u16 + 1;
        if handles.is_empty() {
            buf.set_stringn(area.x + 1, area.y + top, "Nobody to show.", w, theme.dim());
        }
        for (i, h) in handles
            .iter()
            .enumerate()
            .take(area.height.saturating_sub(top) as usize)
        {
            buf.set_stringn(
                area.x + 1,
                area.y + top + i as u16,
                truncate(&format!("• {}", crate::sanitize::line(h)), w),
                w,
                theme.text(),
            );
        }
        None
    }
}
