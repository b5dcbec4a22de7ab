//! The inbox: a member's private conversations, newest first, with unread counts; `n` starts
//! a conversation with a member by handle.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::conversation::ConversationScreen;
use super::{Nav, Outcome, Screen, move_selection};
use crate::store::messages::ConversationSummary;
use crate::tui::keymap::{Action, Binding, ENTER, ESC, LEFT, RIGHT, bind, ch};
use crate::tui::widgets::{Answer, ask};
use crate::tui::widgets::{LineInput, format_time, prompt, truncate, width};
use crate::tui::{Effect, Loaded, Theme, strings};

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[ENTER, RIGHT, ch('l')], Action::Open, "Enter", "open").footer(),
    bind(&[ch('n')], Action::NewMessage, "n", "new message").footer(),
    bind(&[ch('r')], Action::Refresh, "r", "refresh"),
    bind(&[ESC, LEFT, ch('h')], Action::Back, "Esc", "back").footer(),
    bind(&[ch('q')], Action::Back, "q", "back"),
];

#[derive(Default)]
pub struct InboxScreen {
    conversations: Option<Vec<ConversationSummary>>,
    selected: usize,
    /// "Write to:" a handle, while typing it.
    to: Option<LineInput>,
}

impl InboxScreen {
    pub fn typing(&self) -> bool {
        self.to.is_some()
    }
}

impl View for InboxScreen {
    fn context(&self) -> Context {
        if self.typing() {
            Context::Typing
        } else {
            Context::Inbox
        }
    }

    fn title(&self) -> String {
        "Messages".into()
    }

    /// Opening only where there is a conversation to open.
    fn offers(&self, action: Action) -> bool {
        match action {
            Action::Open => self.conversations.as_ref().is_some_and(|c| !c.is_empty()),
            _ => true,
        }
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        if self.to.is_some() {
            if let Answer::Given(handle) = ask(&mut self.to, key)
                && !handle.trim().is_empty()
            {
                return Outcome::effects(vec![Effect::OpenConversation(handle.trim().to_string())]);
            }
            return Outcome::none();
        }
        let Some(action) = action else {
            return Outcome::none();
        };
        let list = self.conversations.as_deref().unwrap_or(&[]);
        if move_selection(&mut self.selected, list.len(), action, body as usize) {
            return Outcome::none();
        }
        match action {
            Action::Open => match list.get(self.selected) {
                Some(c) => {
                    let screen = ConversationScreen::new(c.other, c.other_handle.clone());
                    let load = screen.load();
                    Outcome::nav(
                        Nav::Push(Box::new(Screen::Conversation(screen))),
                        vec![load],
                    )
                }
                None => Outcome::none(),
            },
            Action::NewMessage => {
                self.to = Some(LineInput::new(40));
                Outcome::none()
            }
            Action::Refresh => Outcome::effects(vec![Effect::LoadInbox]),
            Action::Back => Outcome::nav(Nav::Back, vec![]),
            _ => Outcome::none(),
        }
    }

    fn paste(&mut self, text: &str) -> usize {
        self.to.as_mut().map_or(0, |i| i.paste(text))
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        if let Loaded::Inbox(list) = loaded {
            let current = self
                .conversations
                .as_ref()
                .and_then(|l| l.get(self.selected))
                .map(|c| c.id);
            self.selected = current
                .and_then(|id| list.iter().position(|c| c.id == id))
                .unwrap_or(self.selected)
                .min(list.len().saturating_sub(1));
            self.conversations = Some(list);
        }
        vec![]
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        vec![Effect::LoadInbox]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let w = area.width as usize;
        let Some(list) = &self.conversations else {
            buf.set_string(area.x + 1, area.y + 1, strings::LOADING, theme.dim());
            return None;
        };
        let rows = area.height.saturating_sub(1) as usize;
        if list.is_empty() {
            crate::tui::widgets::note(
                area,
                1,
                "No private messages yet. Press n to write to someone.",
                buf,
                theme,
            );
        }
        let first = self.selected / rows.max(1) * rows.max(1);
        for (i, c) in list.iter().enumerate().skip(first).take(rows) {
            let y = area.y + (i - first) as u16;
            let selected = i == self.selected;
            let right = if c.unread > 0 {
                format!("{} new · {} ", c.unread, format_time(c.last_at))
            } else {
                format!("{} ", format_time(c.last_at))
            };
            let rw = width(&right);
            let marker = if selected { "▸ " } else { "  " };
            let name = truncate(
                &format!("{marker}{}", crate::sanitize::line(&c.other_handle)),
                w.saturating_sub(rw + 1),
            );
            let style = if selected {
                theme.selected()
            } else {
                theme.text()
            };
            buf.set_stringn(area.x, y, &name, w, style);
            buf.set_stringn(
                area.right().saturating_sub(rw as u16),
                y,
                &right,
                rw,
                if c.unread > 0 {
                    theme.unread()
                } else {
                    theme.dim()
                },
            );
        }
        if let Some(input) = &self.to {
            return prompt(
                area,
                area.bottom().saturating_sub(1),
                "Write to (handle): ",
                input,
                buf,
                theme,
            );
        }
        None
    }
}
