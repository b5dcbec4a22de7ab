//! The thread page laid out: each post wrapped by display width into header, warning, body
//! and blank lines, kept until the page, the width or what is revealed changes.

use super::*;
use crate::tui::rich::{self, Spans};

/// The widest a post's text is wrapped, in columns, however wide the terminal.
pub const READING_WIDTH: usize = 100;

/// A laid-out line: its text in marked pieces, its kind and, for headers, the post it
/// belongs to.
pub(super) type Laid = (Spans, Kind, Option<PostId>);

impl ThreadScreen {
    /// Draws laid-out lines from `scroll` into `area` (below its title row).
    pub(super) fn render_lines(
        &self,
        lines: &[Laid],
        scroll: usize,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
    ) {
        for (i, (text, kind, _)) in lines
            .iter()
            .skip(scroll)
            .take(area.height.saturating_sub(1) as usize)
            .enumerate()
        {
            let selected = matches!(kind, Kind::Header)
                && self.selected.is_some()
                && self.selected == lines_ids_at(lines, scroll + i);
            let style: Style = match kind {
                Kind::Header if selected => theme.selected(),
                Kind::Header => theme.author(),
                Kind::Divider => theme.unread(),
                Kind::Warning => theme.unread(),
                Kind::Body | Kind::Blank => theme.text(),
            };
            let x = if matches!(kind, Kind::Header | Kind::Divider) {
                area.x
            } else {
                area.x + 2
            };
            let over = (!matches!(kind, Kind::Body)).then_some(style);
            let y = area.y + 1 + i as u16;
            let x = if selected {
                theme.mark_selected(buf, (x, y), area.right(), style)
            } else {
                x
            };
            let room = area.right().saturating_sub(x) as usize;
            rich::draw(buf, (x, y), text, room, theme, over);
        }
    }
}

/// The post id of the line at `i`, if it is a header.
pub(super) fn lines_ids_at(lines: &[Laid], i: usize) -> Option<PostId> {
    lines
        .get(i)
        .and_then(|(_, k, id)| matches!(k, Kind::Header).then_some(*id).flatten())
}

/// What kind of line a laid-out line is, for styling.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Header,
    /// "New since your last visit", before the first post after the reader's read mark.
    Divider,
    Warning,
    Body,
    Blank,
}

impl ThreadScreen {
    /// The page laid out at `width`, from the cache when the page, the width and what is
    /// revealed are as they were.
    pub(super) fn lines(&self, width: u16) -> Arc<Vec<Laid>> {
        let mut cache = self.layout.borrow_mut();
        if let Some((w, lines)) = &*cache
            && *w == width
        {
            return lines.clone();
        }
        let lines = Arc::new(self.lay_out(width));
        *cache = Some((width, lines.clone()));
        lines
    }

    /// Lays out the page at `width`: each line with its kind and, for headers, the post id.
    pub(super) fn lay_out(&self, width: u16) -> Vec<Laid> {
        let mut out = Vec::new();
        let Some(page) = &self.page else { return out };
        // Text wraps at a comfortable measure on a wide terminal, not across all of it.
        let w = (width as usize).saturating_sub(2).clamp(10, READING_WIDTH);
        // Where the reader's unread posts begin, on the page the thread was opened at (not
        // above its very first post: there everything is new).
        let mut divider = self
            .since
            .filter(|&(_, at)| at == page.offset)
            .map(|(mark, _)| mark);
        for (i, post) in page.posts.iter().enumerate() {
            if let Some(mark) = divider
                && post.id > mark
            {
                divider = None;
                if i > 0 || page.offset > 0 {
                    out.push((
                        rich::plain(divider_line(width as usize)),
                        Kind::Divider,
                        None,
                    ));
                }
            }
            let mut header = format!(
                "{} · {}",
                crate::sanitize::line(&post.author),
                widgets::format_time(post.created_at)
            );
            if post.mine && post.anonymous {
                header.push_str(" · you, anonymously");
            } else if post.mine {
                header.push_str(" · you");
            }
            if post.edited {
                header.push_str(" · edited");
            }
            if post.supported {
                header.push_str(" · ♥ from you");
            } else if post.mine && post.support > 0 {
                header.push_str(&format!(" · ♥ {}", post.support));
            }
            if post.withdrawn {
                header.push_str(" · WITHDRAWN by its author");
            } else if post.hidden {
                header.push_str(" · HIDDEN from members");
            }
            if let Some(handle) = &post.unmasked {
                header.push_str(&format!(" · unmasked: {}", crate::sanitize::line(handle)));
            }
            out.push((rich::plain(header), Kind::Header, Some(post.id)));
            // One's own posts are never collapsed for oneself.
            let revealed = post.mine || self.revealed.contains(&post.id);
            if let Some(cw) = &post.content_warning {
                let hint = if revealed { "" } else { " · v to show" };
                out.push((
                    rich::plain(format!("⚠ CW: {}{hint}", crate::sanitize::line(cw))),
                    Kind::Warning,
                    Some(post.id),
                ));
            } else if post.muted && !revealed {
                out.push((
                    rich::plain("⚠ Hidden: it has a word you muted · v to show".to_string()),
                    Kind::Warning,
                    Some(post.id),
                ));
            }
            if post.collapsed() && !revealed {
                out.push((Vec::new(), Kind::Blank, None));
                continue;
            }
            // Markdown, quotes as blocks; every piece sanitised on the way (`rich`).
            for line in rich::lay_out(&post.body, w) {
                out.push((line, Kind::Body, None));
            }
            out.push((Vec::new(), Kind::Blank, None));
        }
        out
    }

    pub(super) fn max_scroll(&self, body: u16) -> usize {
        self.lines(self.width)
            .len()
            .saturating_sub(body.saturating_sub(1) as usize)
    }

    pub fn clamp_scroll(&mut self, body: u16) {
        self.scroll = self.scroll.min(self.max_scroll(body));
    }
}

/// The "new since your last visit" rule, as wide as the page.
fn divider_line(width: usize) -> String {
    let words = " New since your last visit ";
    let left = 2;
    let right = width.saturating_sub(left + widgets::width(words));
    format!("{}{words}{}", "─".repeat(left), "─".repeat(right))
}
