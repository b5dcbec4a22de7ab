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
    bind(&[ch('a')], Action::Activity, "a", "notifications").footer(),
    bind(&[ch('i')], Action::Inbox, "i", "messages").footer(),
    bind(&[ch('m')], Action::Moderation, "m", "moderation")
        .footer()
        .staff(),
    bind(&[ch('s')], Action::Settings, "s", "settings").footer(),
    bind(&[ch('q')], Action::Quit, "q", "quit").footer(),
    bind(&[ch('/')], Action::Search, "/", "search").footer(),
    bind(&[ch('N')], Action::NextUnread, "N", "next unread thread").footer_as("next unread"),
    bind(&[ch('o')], Action::Online, "o", "who's online").footer(),
    bind(&[ch('M')], Action::MarkRead, "M", "mark everything read"),
    bind(&[ENTER, RIGHT, ch('l')], Action::Open, "Enter", "open"),
    bind(&[ch('r')], Action::Refresh, "r", "refresh"),
];

#[derive(Default)]
pub struct BoardsScreen {
    pub boards: Option<Vec<Board>>,
    pub selected: usize,
    /// The key this session logged in with, for the settings screen.
    pub current_key: Option<i64>,
    /// `M` was pressed once: the next `M` marks everything read.
    pub confirm_mark: bool,
    /// The member just arrived: the welcome banner shows above the list (where there is room)
    /// until they go anywhere from here.
    pub welcome: Option<Welcome>,
}

/// What the welcome banner says besides the sysop's text.
#[derive(Default)]
pub struct Welcome {
    /// The member's own handle (for `{handle}`, and left out of who else is here).
    handle: String,
    /// Who else is here now, of those who chose to be seen; None until loaded.
    online: Option<Vec<String>>,
}

/// Handles named in the banner before "and N more".
const WELCOME_NAMES: usize = 5;

impl BoardsScreen {
    /// The board list as a member arriving sees it: with the welcome banner.
    pub fn welcoming(handle: &str) -> BoardsScreen {
        BoardsScreen {
            welcome: Some(Welcome {
                handle: handle.to_string(),
                online: None,
            }),
            ..BoardsScreen::default()
        }
    }

    /// The banner's lines at `width`: the sysop's text filled in, then who else is here.
    fn banner(&self, texts: &Texts, width: usize) -> Vec<(String, widgets::Tone)> {
        let Some(welcome) = &self.welcome else {
            return vec![];
        };
        let text = texts
            .welcome
            .replace("{name}", &crate::sanitize::line(&texts.name))
            .replace("{handle}", &crate::sanitize::line(&welcome.handle));
        let mut lines: Vec<(String, widgets::Tone)> = text
            .lines()
            .map(|l| (l.to_string(), widgets::Tone::Title))
            .collect();
        if let Some(online) = &welcome.online {
            let others: Vec<String> = online
                .iter()
                .filter(|h| **h != welcome.handle)
                .map(|h| crate::sanitize::line(h))
                .collect();
            let here = match others.len() {
                0 => "Nobody else who chose to be seen is here just now.".to_string(),
                n if n <= WELCOME_NAMES => format!("Here now: {}.", others.join(", ")),
                n => format!(
                    "Here now: {} and {} more (o).",
                    others[..WELCOME_NAMES].join(", "),
                    n - WELCOME_NAMES
                ),
            };
            lines.push((here, widgets::Tone::Dim));
        }
        if lines.iter().all(|(l, _)| l.trim().is_empty()) {
            return vec![];
        }
        widgets::wrap_toned(&lines, width)
    }
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
        let outcome = self.act(action, body);
        if !matches!(outcome.nav, Nav::Stay) {
            // Welcomed once: back here, the list has the room to itself.
            self.welcome = None;
        }
        outcome
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        if let Loaded::Online(handles) = loaded {
            if let Some(welcome) = &mut self.welcome {
                welcome.online = Some(handles);
            }
            return vec![];
        }
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
        texts: &Texts,
    ) -> Option<Position> {
        let Some(boards) = &self.boards else {
            buf.set_string(area.x + 1, area.y + 1, strings::LOADING, theme.dim());
            return None;
        };
        if boards.is_empty() {
            buf.set_string(area.x + 1, area.y + 1, strings::NO_BOARDS, theme.dim());
            return None;
        }
        // The welcome banner, with a blank row below it, only where every board still fits.
        let banner = self.banner(texts, area.width.saturating_sub(2) as usize);
        let area =
            if !banner.is_empty() && banner.len() + 1 + boards.len() * 2 <= area.height as usize {
                for (i, (line, tone)) in banner.iter().enumerate() {
                    buf.set_stringn(
                        area.x + 1,
                        area.y + i as u16,
                        line,
                        area.width.saturating_sub(2) as usize,
                        tone.style(theme),
                    );
                }
                let down = banner.len() as u16 + 1;
                Rect {
                    y: area.y + down,
                    height: area.height - down,
                    ..area
                }
            } else {
                area
            };
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

impl BoardsScreen {
    /// What an action does here.
    fn act(&mut self, action: Action, body: u16) -> Outcome {
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
}
