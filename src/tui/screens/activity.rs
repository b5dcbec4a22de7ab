//! Notifications: replies to your threads, mentions, and messages from moderators, newest
//! first. Enter opens the post.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome, Screen, move_selection, thread::ThreadScreen};
use crate::store::notifications::Notification;
use crate::tui::keymap::{Action, Binding, ENTER, ESC, LEFT, RIGHT, bind, ch};
use crate::tui::widgets::{format_time, truncate, width};
use crate::tui::{Effect, Loaded, PageAt, Theme, strings};

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[ENTER, RIGHT, ch('l')], Action::Open, "Enter", "open").footer(),
    bind(&[ch('r')], Action::Refresh, "r", "refresh"),
    bind(&[ESC, LEFT], Action::Back, "Esc", "back").footer(),
    bind(&[ch('q')], Action::Back, "q", "back"),
];

#[derive(Default)]
pub struct ActivityScreen {
    items: Option<Vec<Notification>>,
    selected: usize,
}

/// What a notification says, in one line.
pub fn describe(n: &Notification) -> String {
    let who = n
        .actor
        .as_deref()
        .map(crate::sanitize::line)
        .unwrap_or_else(|| "someone".into());
    let title = n
        .thread_title
        .as_deref()
        .map(crate::sanitize::line)
        .unwrap_or_default();
    match n.kind.as_str() {
        "reply" => format!("{who} replied in \u{201c}{title}\u{201d}"),
        "mention" => format!("{who} mentioned you in \u{201c}{title}\u{201d}"),
        _ => crate::sanitize::line(n.body.as_deref().unwrap_or_default()),
    }
}

impl View for ActivityScreen {
    fn context(&self) -> Context {
        Context::Activity
    }

    fn title(&self) -> String {
        "Notifications".into()
    }

    fn key(
        &mut self,
        _key: &KeyEvent,
        action: Option<Action>,
        body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        let Some(action) = action else {
            return Outcome::none();
        };
        let items = self.items.as_deref().unwrap_or(&[]);
        if move_selection(&mut self.selected, items.len(), action, body as usize) {
            return Outcome::none();
        }
        match action {
            Action::Open => match items.get(self.selected) {
                Some(Notification {
                    thread: Some(thread),
                    post,
                    ..
                }) => {
                    let mut screen = ThreadScreen::new(*thread);
                    let at = match post {
                        Some(p) => {
                            screen.focus(*p);
                            PageAt::Post(*p)
                        }
                        None => PageAt::Offset(0),
                    };
                    Outcome::nav(
                        Nav::Push(Box::new(Screen::Thread(screen))),
                        vec![Effect::LoadThread {
                            thread: *thread,
                            at,
                        }],
                    )
                }
                _ => Outcome::none(),
            },
            Action::Refresh => Outcome::effects(vec![Effect::LoadNotifications]),
            Action::Back => Outcome::nav(Nav::Back, vec![]),
            _ => Outcome::none(),
        }
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        if let Loaded::Notifications(items) = loaded {
            self.selected = self.selected.min(items.len().saturating_sub(1));
            self.items = Some(items);
        }
        vec![]
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        vec![Effect::LoadNotifications]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let w = area.width as usize;
        let Some(items) = &self.items else {
            buf.set_string(area.x + 1, area.y + 1, strings::LOADING, theme.dim());
            return None;
        };
        if items.is_empty() {
            buf.set_stringn(
                area.x + 1,
                area.y + 1,
                "Nothing yet. Replies to your threads and mentions of you show here.",
                w.saturating_sub(2),
                theme.dim(),
            );
            return None;
        }
        let rows = area.height as usize;
        let first = self.selected / rows.max(1) * rows.max(1);
        for (i, n) in items.iter().enumerate().skip(first).take(rows) {
            let y = area.y + (i - first) as u16;
            let when = format!(" {} ", format_time(n.at));
            let ww = width(&when);
            let marker = match (i == self.selected, n.unread) {
                (true, _) => "▸ ",
                (false, true) => "• ",
                (false, false) => "  ",
            };
            let text = truncate(&format!("{marker}{}", describe(n)), w.saturating_sub(ww));
            let style = if i == self.selected {
                theme.selected()
            } else if n.unread {
                theme.unread()
            } else {
                theme.text()
            };
            buf.set_stringn(area.x, y, &text, w, style);
            buf.set_stringn(
                area.right().saturating_sub(ww as u16),
                y,
                &when,
                ww,
                theme.dim(),
            );
        }
        None
    }
}
