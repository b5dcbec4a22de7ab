//! Frames: the App is drawn into a fresh buffer, compared with the last one sent, and only the
//! changed cells are encoded (with crossterm's encoder, through ratatui's backend), so moving
//! a selection costs a few dozen bytes, not a redraw.
//!
//! The size is the client's (from pty-req and window-change), never the server's terminal.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::tui::App;

/// Haven draws at most this much of a terminal, whatever size the client asks for (the rest
/// stays blank): a frame's buffer is sized to what is drawn, so a session costs at most about
/// 1 MiB of frame memory however large its terminal (a cell is [`CELL_BYTES`]).
pub const MIN_COLS: u16 = 10;
pub const MIN_ROWS: u16 = 5;
pub const MAX_COLS: u16 = 240;
pub const MAX_ROWS: u16 = 100;
/// Every session may draw this much, whatever the budget.
pub const BASE_COLS: u16 = 80;
pub const BASE_ROWS: u16 = 24;
/// Memory of one cell of a frame buffer.
pub const CELL_BYTES: usize = std::mem::size_of::<ratatui::buffer::Cell>();

/// The server-wide budget of frame cells beyond each session's base 80×24
/// (`limits.frame_memory_mb`): when it is spent, a session draws at 80×24 until it is not.
#[derive(Debug)]
pub struct CellBudget {
    used: AtomicUsize,
    max: usize,
    /// Frame buffers dropped by idle sessions since the server last gave memory back.
    idle_drops: AtomicUsize,
}

impl CellBudget {
    pub fn new(bytes: usize) -> Arc<CellBudget> {
        Arc::new(CellBudget {
            used: AtomicUsize::new(0),
            max: bytes / CELL_BYTES,
            idle_drops: AtomicUsize::new(0),
        })
    }

    /// Whether at least `min` frame buffers were dropped by idle sessions since it last said
    /// so (the count starts again then): the server gives freed memory back to the system when
    /// enough were, as glibc keeps it otherwise.
    pub fn take_idle_drops(&self, min: usize) -> bool {
        self.idle_drops
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n >= min).then_some(0)
            })
            .is_ok()
    }

    /// Cells held beyond the base sizes, server-wide.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }
}

/// One session's share of the [`CellBudget`], given back when dropped.
#[derive(Debug)]
pub struct Share {
    budget: Arc<CellBudget>,
    cells: usize,
}

impl Share {
    pub fn new(budget: Arc<CellBudget>) -> Share {
        Share { budget, cells: 0 }
    }

    /// The size to draw for a terminal of `cols`×`rows` (already clamped): the full size if
    /// the budget has room for what it needs beyond the base, else at most 80×24.
    pub fn fit(&mut self, cols: u16, rows: u16) -> (u16, u16) {
        let base = usize::from(cols.min(BASE_COLS)) * usize::from(rows.min(BASE_ROWS));
        let want = (usize::from(cols) * usize::from(rows)).saturating_sub(base);
        if want <= self.cells {
            self.give_back(self.cells - want);
            return (cols, rows);
        }
        let more = want - self.cells;
        let max = self.budget.max;
        let granted = self
            .budget
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                (used + more <= max).then_some(used + more)
            })
            .is_ok();
        if granted {
            self.cells = want;
            (cols, rows)
        } else {
            self.release();
            (cols.min(BASE_COLS), rows.min(BASE_ROWS))
        }
    }

    /// The session went idle and dropped its frame buffer: the whole share goes back, and the
    /// drop is counted for [`CellBudget::take_idle_drops`].
    pub fn idle(&mut self) {
        self.release();
        self.budget.idle_drops.fetch_add(1, Ordering::AcqRel);
    }

    /// Gives the whole share back (the session's frame buffer was dropped).
    pub fn release(&mut self) {
        self.give_back(self.cells);
    }

    fn give_back(&mut self, cells: usize) {
        if cells > 0 {
            self.budget.used.fetch_sub(cells, Ordering::AcqRel);
            self.cells -= cells;
        }
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        self.release();
    }
}

/// Clamps a requested terminal size.
pub fn clamp_size(cols: u32, rows: u32) -> (u16, u16) {
    (
        cols.clamp(MIN_COLS.into(), MAX_COLS.into()) as u16,
        rows.clamp(MIN_ROWS.into(), MAX_ROWS.into()) as u16,
    )
}

/// Enter the alternate screen, hide the cursor, turn on bracketed paste and mouse reports
/// (buttons and the wheel, SGR-encoded: the wheel scrolls; Shift-drag still selects text in
/// most terminals).
pub const ENTER: &[u8] = b"\x1b[?1049h\x1b[?2004h\x1b[?1000h\x1b[?1006h\x1b[?25l\x1b[H\x1b[2J";
/// Undo [`ENTER`].
pub const LEAVE: &[u8] = b"\x1b[0m\x1b[?1006l\x1b[?1000l\x1b[?2004l\x1b[?25h\x1b[?1049l";
/// Quick exit: clear the screen and the scrollback, then leave the alternate screen.
pub const WIPE: &[u8] = b"\x1b[0m\x1b[H\x1b[2J\x1b[3J\x1b[?1006l\x1b[?1000l\x1b[?2004l\x1b[?25h\x1b[?1049l\x1b[H\x1b[2J\x1b[3J";

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
    use crate::tui::Msg;
    use crate::tui::test_support::{app_with_boards, board};
    use terminput::{KeyCode, KeyEvent};

    fn app() -> App {
        app_with_boards(
            (1..=4)
                .map(|i| {
                    board(
                        i,
                        &format!("Board number {i}"),
                        "A description of this board",
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn sizes_are_clamped() {
        assert_eq!(clamp_size(0, 0), (MIN_COLS, MIN_ROWS));
        assert_eq!(clamp_size(100_000, 100_000), (MAX_COLS, MAX_ROWS));
        assert_eq!(clamp_size(80, 24), (80, 24));
    }

    #[test]
    fn the_frame_budget_gives_large_sizes_while_it_lasts_and_the_base_always() {
        // Room for one 240×100 session beyond its base.
        let extra = 240 * 100 - 80 * 24;
        let budget = CellBudget::new(extra * CELL_BYTES);
        let mut a = Share::new(budget.clone());
        let mut b = Share::new(budget.clone());
        assert_eq!(a.fit(240, 100), (240, 100));
        assert_eq!(b.fit(240, 100), (80, 24), "the budget is spent");
        assert_eq!(b.fit(60, 20), (60, 20), "small sizes need nothing from it");
        // A smaller size gives part back; a dropped share gives all of it back.
        assert_eq!(a.fit(120, 40), (120, 40));
        assert_eq!(budget.used(), 120 * 40 - 80 * 24);
        drop(a);
        assert_eq!(budget.used(), 0);
        assert_eq!(b.fit(240, 100), (240, 100));
        b.release();
        assert_eq!(budget.used(), 0);
    }

    #[test]
    fn idle_drops_are_counted_until_enough_to_give_memory_back_then_counted_afresh() {
        let budget = CellBudget::new(240 * 100 * CELL_BYTES);
        let mut shares: Vec<Share> = (0..5).map(|_| Share::new(budget.clone())).collect();
        assert_eq!(shares[0].fit(200, 60), (200, 60));
        assert!(!budget.take_idle_drops(3), "nothing dropped yet");
        for s in &mut shares[..2] {
            s.idle();
        }
        assert_eq!(budget.used(), 0, "the idle share gave its cells back");
        assert!(!budget.take_idle_drops(3), "two of three");
        shares[2].idle();
        assert!(budget.take_idle_drops(3), "three: memory is given back");
        assert!(!budget.take_idle_drops(3), "and the count starts again");
        // A share released for another reason (a resize, the session ending) is not idle.
        shares[3].release();
        drop(shares.pop());
        shares[0].idle();
        assert!(!budget.take_idle_drops(2), "one idle drop since");
    }

    #[test]
    fn a_frame_at_the_largest_size_stays_near_a_mebibyte() {
        let cells = usize::from(MAX_COLS) * usize::from(MAX_ROWS);
        assert!(
            cells * CELL_BYTES <= 1_300_000,
            "{} bytes",
            cells * CELL_BYTES
        );
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
