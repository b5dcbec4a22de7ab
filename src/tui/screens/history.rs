//! A post's edit history: each earlier version, newest first, with who changed it (the author,
//! or a moderator, named to moderators only) and why.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::{Nav, Outcome};
use crate::domain::PostId;
use crate::store::revisions::Revision;
use crate::tui::keymap::Action;
use crate::tui::widgets::format_time;
use crate::tui::{Effect, Loaded, Theme, strings};

pub struct HistoryScreen {
    post: PostId,
    revisions: Option<Vec<Revision>>,
    scroll: u16,
}

impl HistoryScreen {
    pub fn new(post: PostId) -> HistoryScreen {
        HistoryScreen {
            post,
            revisions: None,
            scroll: 0,
        }
    }

    pub fn load(&self) -> Effect {
        Effect::LoadRevisions(self.post)
    }

    pub fn key(&mut self, action: Option<Action>, body: u16) -> Outcome {
        match action {
            Some(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            Some(Action::Down) => self.scroll = self.scroll.saturating_add(1),
            Some(Action::PageUp) => self.scroll = self.scroll.saturating_sub(body),
            Some(Action::PageDown) => self.scroll = self.scroll.saturating_add(body),
            Some(Action::Top) => self.scroll = 0,
            Some(Action::Back) => return Outcome::nav(Nav::Back, vec![]),
            _ => {}
        }
        Outcome::none()
    }

    pub fn loaded(&mut self, loaded: Loaded) -> Vec<Effect> {
        if let Loaded::Revisions(post, list) = loaded
            && post == self.post
        {
            self.revisions = Some(list);
        }
        vec![]
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: Theme) -> Option<Position> {
        let Some(list) = &self.revisions else {
            buf.set_string(area.x + 1, area.y + 1, strings::LOADING, theme.dim());
            return None;
        };
        let mut lines = vec![
            Line::styled("Earlier versions, newest first", theme.title()),
            Line::raw(""),
        ];
        if list.is_empty() {
            lines.push(Line::styled("This post was never edited.", theme.dim()));
        }
        for r in list {
            let who = match (&r.moderator, r.by_author) {
                (_, true) => "the author".to_string(),
                (Some(handle), false) => {
                    format!("moderator {}", crate::sanitize::line(handle))
                }
                (None, false) => "a moderator".to_string(),
            };
            let mut head = format!("Replaced {} UTC by {who}", format_time(r.at));
            if let Some(reason) = &r.reason {
                head.push_str(&format!(" · why: {}", crate::sanitize::line(reason)));
            }
            lines.push(Line::styled(head, theme.author()));
            if let Some(cw) = &r.content_warning {
                lines.push(Line::styled(
                    format!("  CW: {}", crate::sanitize::line(cw)),
                    theme.unread(),
                ));
            }
            for l in crate::sanitize::multiline(&r.body).split('\n') {
                lines.push(Line::raw(format!("  {l}")));
            }
            lines.push(Line::raw(""));
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((self.scroll, 0))
            .render(
                Rect {
                    x: area.x + 1,
                    width: area.width.saturating_sub(2),
                    ..area
                },
                buf,
            );
        None
    }
}
