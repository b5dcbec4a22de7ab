//! A board's threads, one page at a time (the page is as tall as the screen): pinned first,
//! then by last activity, with unread counts.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome, Screen, compose::ComposeScreen, thread::ThreadScreen};
use crate::domain::{Board, BoardId, DraftPlace, ThreadSummary};
use crate::tui::keymap::{Action, Binding, ENTER, ESC, LEFT, RIGHT, bind, ch};
use crate::tui::{Effect, Loaded, Theme, strings, widgets};

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[ENTER, RIGHT, ch('l')], Action::Open, "Enter", "open").footer(),
    bind(&[ch('c')], Action::NewThread, "c", "new thread").footer(),
    bind(&[ch('N')], Action::NextUnread, "N", "next unread thread").footer(),
    bind(&[ch('M')], Action::MarkRead, "M", "mark this board read"),
    bind(&[ch('r')], Action::Refresh, "r", "refresh"),
    bind(&[ESC, LEFT, ch('h')], Action::Back, "Esc", "back").footer(),
    bind(&[ch('q')], Action::Back, "q", "back"),
];

pub struct ThreadsScreen {
    pub board_id: BoardId,
    pub board: Option<Board>,
    pub threads: Option<Vec<ThreadSummary>>,
    /// Index of the first thread on this page.
    pub offset: i64,
    /// Selection within the page.
    pub selected: usize,
    /// `M` was pressed once: the next `M` marks the board read.
    confirm_mark: bool,
}

impl ThreadsScreen {
    pub fn new(board_id: BoardId, board: Option<Board>) -> ThreadsScreen {
        ThreadsScreen {
            board_id,
            board,
            threads: None,
            offset: 0,
            selected: 0,
            confirm_mark: false,
        }
    }

    fn page_size(body: u16) -> i64 {
        // One row per thread, minus the column header.
        i64::from(body.saturating_sub(1)).max(1)
    }

    pub fn load(&self, body: u16) -> Effect {
        Effect::LoadThreads {
            board: self.board_id,
            offset: self.offset,
            limit: Self::page_size(body),
        }
    }

    fn total(&self) -> i64 {
        self.board.as_ref().map_or(0, |b| b.thread_count)
    }
}

impl View for ThreadsScreen {
    fn context(&self) -> Context {
        Context::Threads
    }

    fn offers(&self, action: Action) -> bool {
        match action {
            // Nothing to open on an empty board: the footer's room goes to starting a thread.
            Action::Open => self.threads.as_ref().is_some_and(|t| !t.is_empty()),
            _ => true,
        }
    }

    fn title(&self) -> String {
        self.board
            .as_ref()
            .map_or_else(|| "Board".into(), |b| b.name.clone())
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
            return Outcome::effects(vec![Effect::MarkRead(Some(self.board_id))]);
        }
        let size = Self::page_size(body);
        let len = self.threads.as_ref().map_or(0, Vec::len);
        let absolute = self.offset + self.selected as i64;
        let target = match action {
            Action::Up => Some(absolute - 1),
            Action::Down => Some(absolute + 1),
            Action::PageUp => Some(absolute - size),
            Action::PageDown => Some(absolute + size),
            Action::Top => Some(0),
            Action::Bottom => Some(self.total() - 1),
            _ => None,
        };
        if let Some(target) = target {
            let target = target.clamp(0, (self.total() - 1).max(0));
            let page = target / size * size;
            self.selected = (target - page) as usize;
            if page != self.offset {
                self.offset = page;
                return Outcome::effects(vec![self.load(body)]);
            }
            self.selected = self.selected.min(len.saturating_sub(1));
            return Outcome::none();
        }
        match action {
            Action::Open => match self.threads.as_ref().and_then(|t| t.get(self.selected)) {
                Some(t) => {
                    let screen = ThreadScreen::unread(t.id);
                    let load = screen.load();
                    Outcome::nav(Nav::Push(Box::new(Screen::Thread(screen))), load)
                }
                None => Outcome::none(),
            },
            Action::NewThread => {
                let Some(board) = &self.board else {
                    return Outcome::none();
                };
                if let Some(denied) = &board.start_refused {
                    return Outcome::status(crate::tui::Status::Error(denied.to_string()));
                }
                let place = DraftPlace::NewThread(board.id);
                let screen =
                    ComposeScreen::new(place, board.name.clone(), None, board.allow_anonymous);
                Outcome::nav(
                    Nav::Push(Box::new(Screen::Compose(screen))),
                    vec![Effect::LoadDraft(place)],
                )
            }
            Action::Refresh => Outcome::effects(vec![self.load(body)]),
            Action::NextUnread => Outcome::effects(vec![Effect::NextUnread(None)]),
            Action::MarkRead => {
                self.confirm_mark = true;
                Outcome::status(crate::tui::Status::Info(
                    "Mark every thread on this board read? M again to do it.".into(),
                ))
            }
            Action::Back => Outcome::nav(Nav::Back, vec![]),
            _ => Outcome::none(),
        }
    }

    fn loaded(&mut self, loaded: Loaded, body: u16) -> Vec<Effect> {
        if let Loaded::Done(_) = loaded {
            return vec![self.load(body)];
        }
        if let Loaded::Threads {
            board,
            offset,
            threads,
        } = loaded
        {
            if board.id != self.board_id || offset != self.offset {
                return vec![];
            }
            self.selected = self.selected.min(threads.len().saturating_sub(1));
            self.board = Some(board);
            self.threads = Some(threads);
        }
        vec![]
    }

    fn reload(&mut self, body: u16) -> Vec<Effect> {
        vec![self.load(body)]
    }

    fn resized(&mut self, body: u16) -> Vec<Effect> {
        // Keep the selected thread on the new page.
        let size = Self::page_size(body);
        let absolute = self.offset + self.selected as i64;
        self.offset = absolute / size * size;
        self.selected = (absolute - self.offset) as usize;
        vec![self.load(body)]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let Some(threads) = &self.threads else {
            buf.set_string(area.x + 1, area.y + 1, strings::LOADING, theme.dim());
            return None;
        };
        let w = area.width as usize;
        // Column header with the page position.
        let total = self.total();
        let pos = if total > 0 {
            format!(
                "{}-{} of {} ",
                self.offset + 1,
                self.offset + threads.len() as i64,
                total
            )
        } else {
            String::new()
        };
        buf.set_stringn(area.x + 2, area.y, "Thread", w, theme.dim());
        buf.set_stringn(
            area.right().saturating_sub(widgets::width(&pos) as u16),
            area.y,
            &pos,
            w,
            theme.dim(),
        );
        if threads.is_empty() {
            buf.set_string(area.x + 1, area.y + 2, strings::NO_THREADS, theme.dim());
            return None;
        }
        for (i, t) in threads
            .iter()
            .enumerate()
            .take(area.height.saturating_sub(1) as usize)
        {
            let y = area.y + 1 + i as u16;
            let selected = i == self.selected;
            let base = if selected {
                theme.selected()
            } else {
                theme.text()
            };
            // Only the title is highlighted, so a selection move redraws little.
            // What is cut first at narrow widths is the end: the last poster.
            let mut right = format!(" {} · {}", t.author, t.post_count);
            if t.unread > 0 {
                right.push_str(&format!(" · {} new", t.unread));
            }
            if let Some(last) = t.last_poster.as_ref().filter(|l| **l != t.author) {
                right.push_str(&format!(" · last {last}"));
            }
            right.push(' ');
            let right = widgets::truncate(&right, w / 2);
            let rw = widgets::width(&right);
            let mut marks = String::from(if selected { "▸ " } else { "  " });
            if t.pinned {
                marks.push_str("📌 ");
            }
            if t.locked {
                marks.push_str("🔒 ");
            }
            let left = widgets::truncate(&format!("{marks}{}", t.title), w.saturating_sub(rw + 1));
            let title_style = if t.unread > 0 {
                base.patch(theme.title())
            } else {
                base
            };
            buf.set_stringn(area.x, y, &left, w, title_style);
            let rs = if t.unread > 0 {
                theme.unread()
            } else {
                theme.dim()
            };
            buf.set_stringn(area.right().saturating_sub(rw as u16), y, &right, rw, rs);
        }
        None
    }
}
