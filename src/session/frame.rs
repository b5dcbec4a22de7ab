//! Frames: the App is drawn into a fresh buffer, compared with the last one sent, and only the
//! changed cells are encoded (with crossterm's encoder, through ratatui's backend), so moving
//! a selection costs a few dozen bytes, not a redraw.
//!
//! The size is the client's (from pty-req and window-change), never the server's terminal.

use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::tui::App;

/// Terminal sizes a client may ask for are clamped to this range: a hostile size would
/// otherwise make the server allocate huge buffers (a cell is ~48 bytes; two buffers are kept).
pub const MIN_COLS: u16 = 10;
pub const MIN_ROWS: u16 = 5;
pub const MAX_COLS: u16 = 500;
pub const MAX_ROWS: u16 = 200;

/// Clamps a requested terminal size.
pub fn clamp_size(cols: u32, rows: u32) -> (u16, u16) {
    (
        cols.clamp(MIN_COLS.into(), MAX_COLS.into()) as u16,
        rows.clamp(MIN_ROWS.into(), MAX_ROWS.into()) as u16,
    )
}

/// Enter the alternate screen, hide the cursor, turn on bracketed paste.
pub const ENTER: &[u8] = b"\x1b[?1049h\x1b[?2004h\x1b[?25l\x1b[H\x1b[2J";
/// Undo [`ENTER`].
pub const LEAVE: &[u8] = b"\x1b[0m\x1b[?2004l\x1b[?25h\x1b[?1049l";
/// Quick exit: clear the screen and the scrollback, then leave the alternate screen.
pub const WIPE: &[u8] =
    b"\x1b[0m\x1b[H\x1b[2J\x1b[3J\x1b[?2004l\x1b[?25h\x1b[?1049l\x1b[H\x1b[2J\x1b[3J";

/// What the client's screen shows, as far as the server knows.
#[derive(Default)]
pub struct Frame {
    /// The last buffer sent; None forces a full redraw (first frame, resize, after idling).
    last: Option<Buffer>,
    cursor_visible: bool,
}

impl Frame {
    pub fn new() -> Frame {
        Frame::default()
    }

    /// Forgets what was sent (frees the buffer); the next frame is drawn in full.
    pub fn invalidate(&mut self) {
        self.last = None;
    }

    /// Draws `app` at `width`×`height` and returns the bytes that bring the client up to date.
    pub fn draw(&mut self, app: &App, width: u16, height: u16) -> Vec<u8> {
        let area = Rect::new(0, 0, width, height);
        let mut next = Buffer::empty(area);
        let cursor = app.render(area, &mut next);
        let mut out = Vec::with_capacity(256);
        let full = self.last.as_ref().is_none_or(|b| b.area != area);
        if full {
            out.extend_from_slice(b"\x1b[0m\x1b[H\x1b[2J");
        }
        {
            let mut backend = CrosstermBackend::new(&mut out);
            let blank;
            let prev = match (&self.last, full) {
                (Some(prev), false) => prev,
                _ => {
                    blank = Buffer::empty(area);
                    &blank
                }
            };
            let diff = prev.diff(&next);
            // Writing to a Vec cannot fail.
            let _ = backend.draw(diff.into_iter());
            match cursor {
                Some(pos) => {
                    let _ = backend.set_cursor_position(pos);
                    if !self.cursor_visible || full {
                        let _ = backend.show_cursor();
                    }
                }
                None => {
                    if self.cursor_visible || full {
                        let _ = backend.hide_cursor();
                    }
                }
            }
            let _ = Backend::flush(&mut backend);
        }
        self.cursor_visible = cursor.is_some();
        self.last = Some(next);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Board, BoardId, Role, User, UserId};
    use crate::tui::{Loaded, Msg, Texts, Theme};
    use terminput::{KeyCode, KeyEvent};

    fn app() -> App {
        let user = User {
            id: UserId(1),
            handle: "river".into(),
            role: Role::Member,
            trust_level: 0,
            created_at: 0,
            status: crate::domain::AccountStatus::Active,
            silenced_until: None,
        };
        let (mut app, _) = App::new(
            Some(user),
            Texts {
                name: "Haven".into(),
                ..Texts::default()
            },
            Theme::Default,
            80,
            24,
        );
        let boards = (1..=4)
            .map(|i| Board {
                id: BoardId(i),
                slug: format!("b{i}"),
                name: format!("Board number {i}"),
                description: "A description of this board".into(),
                read_only: false,
                allow_anonymous: false,
                welcome: false,
                min_trust: 0,
                archived: false,
                thread_count: 3,
                unread_threads: 1,
                start_refused: None,
            })
            .collect();
        app.update(Msg::Loaded(Loaded::Boards(boards)));
        app
    }

    #[test]
    fn sizes_are_clamped() {
        assert_eq!(clamp_size(0, 0), (MIN_COLS, MIN_ROWS));
        assert_eq!(clamp_size(100_000, 100_000), (MAX_COLS, MAX_ROWS));
        assert_eq!(clamp_size(80, 24), (80, 24));
    }

    #[test]
    fn an_unchanged_screen_sends_nothing_and_a_selection_move_sends_little() {
        let mut app = app();
        let mut frame = Frame::new();
        let first = frame.draw(&app, 80, 24);
        assert!(first.len() > 500, "the first frame is a full draw");
        let again = frame.draw(&app, 80, 24);
        assert!(
            again.len() < 20,
            "nothing changed, nothing but cursor state: {} bytes",
            again.len()
        );
        app.update(Msg::Key(KeyEvent::new(KeyCode::Down)));
        let moved = frame.draw(&app, 80, 24);
        assert!(
            moved.len() < first.len() / 2,
            "a move is not a redraw: {} bytes",
            moved.len()
        );
        assert!(
            moved.len() <= 150,
            "selection move sent {} bytes: {:?}",
            moved.len(),
            String::from_utf8_lossy(&moved)
        );
    }

    #[test]
    fn a_resize_redraws_in_full() {
        let app = app();
        let mut frame = Frame::new();
        frame.draw(&app, 80, 24);
        let bigger = frame.draw(&app, 100, 30);
        assert!(
            bigger.starts_with(b"\x1b[0m\x1b[H\x1b[2J"),
            "cleared before a full draw"
        );
    }
}
