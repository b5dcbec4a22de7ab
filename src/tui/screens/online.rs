//! Who's online: members who chose to be seen (invisible is the default), minus anyone the
//! reader blocked or who blocked the reader.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

use super::{Nav, Outcome};
use crate::tui::keymap::Action;
use crate::tui::widgets::truncate;
use crate::tui::{Effect, Loaded, Theme, strings};

#[derive(Default)]
pub struct OnlineScreen {
    handles: Option<Vec<String>>,
}

impl OnlineScreen {
    pub fn key(&mut self, action: Option<Action>) -> Outcome {
        match action {
            Some(Action::Back) => Outcome::nav(Nav::Back, vec![]),
            _ => Outcome::none(),
        }
    }

    pub fn loaded(&mut self, loaded: Loaded) -> Vec<Effect> {
        if let Loaded::Online(handles) = loaded {
            self.handles = Some(handles);
        }
        vec![]
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: Theme) -> Option<Position> {
        let w = area.width.saturating_sub(2) as usize;
        let Some(handles) = &self.handles else {
            buf.set_string(area.x + 1, area.y + 1, strings::LOADING, theme.dim());
            return None;
        };
        buf.set_stringn(
            area.x + 1,
            area.y,
            "Members here now who chose to be seen. You can choose in settings (o).",
            w,
            theme.dim(),
        );
        if handles.is_empty() {
            buf.set_stringn(area.x + 1, area.y + 2, "Nobody to show.", w, theme.dim());
        }
        for (i, h) in handles
            .iter()
            .enumerate()
            .take(area.height.saturating_sub(2) as usize)
        {
            buf.set_stringn(
                area.x + 1,
                area.y + 2 + i as u16,
                truncate(&format!("• {}", crate::sanitize::line(h)), w),
                w,
                theme.text(),
            );
        }
        None
    }
}
