//! The board list: name, description, threads and unread threads per board.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome, Screen, move_selection, threads::ThreadsScreen};
use crate::domain::Board;
use crate::tui::keymap::{Action, Binding, ENTER, RIGHT, bind, ch};
use crate::tui::{Effect, Loaded, Theme, strings, widgets};

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[ch('N')], Action::NextUnread, "N", "next unread thread"),
    bind(&[ch('M')], Action::MarkRead, "M", "mark everything read"),
    bind(&[ch('o')], Action::Online, "o", "who's online"),
    bind(&[ch('/')], Action::Search, "/", "search"),
    bind(&[ch('a')], Action::Activity, "a", "notifications").footer(),
    bind(&[ch('i')], Action::Inbox, "i", "messages").footer(),
    bind(&[ch('m')], Action::Moderation, "m", "moderation")
        .footer()
        .staff(),
    bind(&[ch('s')], Action::Settings, "s", "settings").footer(),
    bind(&[ENTER, RIGHT, ch('l')], Action::Open, "Enter", "open"),
    bind(&[ch('r')], Action::Refresh, "r", "refresh"),
    bind(&[ch('q')], Action::Quit, "q", "quit").footer(),
];

#[derive(Default)]
pub struct BoardsScreen {
    pub boards: Option<Vec<Board>>,
    pub selected: usize,
    /// The key this session logged in with, for the settings screen.
    pub current_key: Option<i64>,
    /// `M` was pressed once: the next `M` marks everything read.
    pub confirm_mark: bool,
}

impl View for BoardsScreen {
    fn context(&self) -> Context {
        Context::Boards
    }

    fn title(&self) -> String {
        "Boards".into()
    }

    fn key(
        &mut self,
        _key: &KeyEvent,
        action: Option<Action>,
        body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        let Some(action) = action else {
            self.confirm_mark = false;
            return Outcome::none();
        };
        if std::mem::take(&mut self.confirm_mark) && action == Action::MarkRead {
            return Outcome::effects(vec![Effect::MarkRead(None)]);
        }
        let boards = self.boards.as_deref().unwrap_or(&[]);
        if move_selection(
            &mut self.selected,
            boards.len(),
            action,
            (body / 2) as usize,
        ) {
            return Outcome::none();
        }
        match action {
            Action::Open => match boards.get(self.selected) {
                Some(b) => {
                    let screen = ThreadsScreen::new(b.id, Some(b.clone()));
                    let load = screen.load(body);
                    Outcome::nav(Nav::Push(Box::new(Screen::Threads(screen))), vec![load])
                }
                None => Outcome::none(),
            },
            Action::Refresh => Outcome::effects(vec![Effect::LoadBoards]),
            Action::NextUnread => Outcome::effects(vec![Effect::NextUnread(None)]),
            Action::MarkRead => {
                self.confirm_mark = true;
                Outcome::status(crate::tui::Status::Info(
                    "Mark every thread on every board read? M again to do it.".into(),
                ))
            }
            Action::Moderation => Outcome::nav(
                Nav::Push(Box::new(Screen::Staff(super::staff::StaffScreen::new()))),
                vec![Effect::LoadPending],
            ),
            Action::Online => Outcome::nav(
                Nav::Push(Box::new(Screen::Online(
                    super::online::OnlineScreen::default(),
                ))),
                vec![Effect::LoadOnline],
            ),
            Action::Search => Outcome::nav(
                Nav::Push(Box::new(Screen::Search(
                    super::search::SearchScreen::default(),
                ))),
                vec![],
            ),
            Action::Activity => Outcome::nav(
                Nav::Push(Box::new(Screen::Activity(
                    super::activity::ActivityScreen::default(),
                ))),
                vec![Effect::LoadNotifications],
            ),
            Action::Inbox => Outcome::nav(
                Nav::Push(Box::new(
                    Screen::Inbox(super::inbox::InboxScreen::default()),
                )),
                vec![Effect::LoadInbox],
            ),
            Action::Settings => Outcome::nav(
                Nav::Push(Box::new(Screen::Settings(
                    super::settings::SettingsScreen::new(self.current_key),
                ))),
                vec![Effect::LoadSettings],
            ),
            Action::Quit => Outcome::nav(Nav::Quit, vec![]),
            _ => Outcome::none(),
        }
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        if let Loaded::Done(_) = loaded {
            return vec![Effect::LoadBoards];
        }
        if let Loaded::Boards(boards) = loaded {
            // Keep the selection on the same board across reloads.
            let current = self
                .boards
                .as_ref()
                .and_then(|b| b.get(self.selected))
                .map(|b| b.id);
            self.selected = current
                .and_then(|id| boards.iter().position(|b| b.id == id))
                .unwrap_or(self.selected)
                .min(boards.len().saturating_sub(1));
            self.boards = Some(boards);
        }
        vec![]
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        vec![Effect::LoadBoards]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let Some(boards) = &self.boards else {
            buf.set_string(area.x + 1, area.y + 1, strings::LOADING, theme.dim());
            return None;
        };
        if boards.is_empty() {
            buf.set_string(area.x + 1, area.y + 1, strings::NO_BOARDS, theme.dim());
            return None;
        }
        // Two rows per board: name and counts, then description.
        let per_page = (area.height as usize / 2).max(1);
        let first = self.selected / per_page * per_page;
        let w = area.width as usize;
        for (i, b) in boards.iter().enumerate().skip(first).take(per_page) {
            let y = area.y + ((i - first) * 2) as u16;
            let selected = i == self.selected;
            // Only the name is highlighted: moving the selection then redraws two names,
            // not two whole rows.
            let threads = match b.thread_count {
                1 => "1 thread".to_string(),
                n => format!("{n} threads"),
            };
            let counts = if b.unread_threads > 0 {
                format!("{threads} · {} new ", b.unread_threads)
            } else {
                format!("{threads} ")
            };
            let cw = widgets::width(&counts);
            let marker = if selected { "▸ " } else { "  " };
            let name = widgets::truncate(&format!("{marker}{}", b.name), w.saturating_sub(cw + 1));
            let base = if selected {
                theme.selected()
            } else {
                theme.text()
            };
            buf.set_stringn(area.x, y, &name, w, base.patch(theme.title()));
            let count_style = if b.unread_threads > 0 {
                theme.unread()
            } else {
                theme.dim()
            };
            buf.set_stringn(
                area.right().saturating_sub(cw as u16),
                y,
                &counts,
                cw,
                count_style,
            );
            if y + 1 < area.bottom() {
                let desc = widgets::truncate(&b.description, w.saturating_sub(4));
                buf.set_stringn(area.x + 4, y + 1, &desc, w.saturating_sub(4), theme.dim());
            }
        }
        None
    }
}
