//! Editing widgets (a one-line input and a multi-line text area) and small drawing helpers.
//! Cursor positions are in characters; drawing measures display width (`unicode-width`), so
//! CJK and emoji take the two columns they take on a real terminal.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use unicode_width::UnicodeWidthChar;

use terminput::{KeyCode, KeyEvent, KeyModifiers};

fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Display width of a string.
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Cleans `s` for one line of the screen (the sanitiser, again, at drawing time) and cuts it
/// to at most `max` columns, ending in "…" when cut. Every one-line piece of member text (titles,
/// handles, board names) is drawn through this.
pub fn truncate(s: &str, max: usize) -> String {
    let s = crate::sanitize::line(s);
    if width(&s) <= max {
        return s;
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// Applies an editing key to `text` at char index `cursor`. Returns true if the key was used.
fn edit_line(text: &mut String, cursor: &mut usize, key: &KeyEvent, max: usize) -> bool {
    let len = text.chars().count();
    let byte = |t: &str, i: usize| t.char_indices().nth(i).map_or(t.len(), |(b, _)| b);
    let ctrl = key.modifiers.contains(KeyModifiers::CTRL);
    match key.code {
        KeyCode::Char('a') if ctrl => *cursor = 0,
        KeyCode::Char('e') if ctrl => *cursor = len,
        KeyCode::Char('u') if ctrl => {
            let b = byte(text, *cursor);
            text.replace_range(..b, "");
            *cursor = 0;
        }
        KeyCode::Char('k') if ctrl => {
            let b = byte(text, *cursor);
            text.truncate(b);
        }
        KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
            if len < max && !c.is_control() {
                let b = byte(text, *cursor);
                text.insert(b, c);
                *cursor += 1;
            }
        }
        KeyCode::Backspace if *cursor > 0 => {
            let b = byte(text, *cursor - 1);
            text.remove(b);
            *cursor -= 1;
        }
        KeyCode::Delete if *cursor < len => {
            let b = byte(text, *cursor);
            text.remove(b);
        }
        KeyCode::Left => *cursor = cursor.saturating_sub(1),
        KeyCode::Right => *cursor = (*cursor + 1).min(len),
        KeyCode::Home => *cursor = 0,
        KeyCode::End => *cursor = len,
        KeyCode::Backspace | KeyCode::Delete => {}
        _ => return false,
    }
    true
}

/// A one-line text input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    pub text: String,
    /// Cursor, in characters.
    pub cursor: usize,
    /// Most characters accepted.
    pub max: usize,
}

impl LineInput {
    pub fn new(max: usize) -> LineInput {
        LineInput {
            text: String::new(),
            cursor: 0,
            max,
        }
    }

    pub fn with_text(max: usize, text: &str) -> LineInput {
        let text: String = crate::sanitize::line(text).chars().take(max).collect();
        LineInput {
            cursor: text.chars().count(),
            text,
            max,
        }
    }

    /// Handles an editing key; false if the key is not an editing key.
    pub fn key(&mut self, key: &KeyEvent) -> bool {
        edit_line(&mut self.text, &mut self.cursor, key, self.max)
    }

    /// Inserts pasted text (newlines become spaces); returns how many characters did not fit.
    #[must_use]
    pub fn paste(&mut self, text: &str) -> usize {
        let text = crate::sanitize::line(text);
        let room = self.max.saturating_sub(self.text.chars().count());
        let mut left_out = 0;
        for (i, c) in text.chars().enumerate() {
            if i >= room {
                left_out += 1;
                continue;
            }
            self.key(&KeyEvent::new(KeyCode::Char(c)));
        }
        left_out
    }

    /// Draws the input in one row, scrolled so the cursor is visible; returns the cursor cell.
    pub fn render(&self, area: Rect, buf: &mut Buffer, style: Style) -> Option<Position> {
        if area.width == 0 || area.height == 0 {
            return None;
        }
        let w = area.width as usize;
        let chars: Vec<char> = self.text.chars().collect();
        // Start far enough right that the cursor fits.
        let mut start = 0;
        let upto = |from: usize| -> usize {
            chars[from..self.cursor]
                .iter()
                .map(|&c| char_width(c))
                .sum()
        };
        while start < self.cursor && upto(start) >= w {
            start += 1;
        }
        let visible: String = chars[start..].iter().collect();
        buf.set_stringn(area.x, area.y, &visible, w, style);
        let x = area.x + upto(start) as u16;
        Some(Position::new(x.min(area.right().saturating_sub(1)), area.y))
    }
}

/// What a key did to a one-line question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Still being typed.
    Typing,
    /// Esc: no answer.
    Cancelled,
    /// Enter: the text typed.
    Given(String),
}

impl LineInput {
    /// Esc cancels, Enter answers, any other key edits.
    pub fn answer(&mut self, key: &KeyEvent) -> Answer {
        match key.code {
            KeyCode::Esc => Answer::Cancelled,
            KeyCode::Enter => Answer::Given(self.text.clone()),
            _ => {
                self.key(key);
                Answer::Typing
            }
        }
    }
}

/// Hands a key to the question in `slot`, closing it once answered or cancelled.
pub fn ask(slot: &mut Option<LineInput>, key: &KeyEvent) -> Answer {
    let answer = slot
        .as_mut()
        .map_or(Answer::Cancelled, |input| input.answer(key));
    if answer != Answer::Typing {
        *slot = None;
    }
    answer
}

/// A one-line question at row `y` of `area`: its label, then what is typed. A label that
/// would leave the answer fewer than [`PROMPT_MIN_INPUT`] columns (a narrow terminal) is
/// wrapped onto the rows above `y`, and the answer gets row `y` whole. Every row it uses is
/// cleared first, so nothing drawn beneath shows through. Returns the cursor position.
pub fn prompt(
    area: Rect,
    y: u16,
    label: &str,
    input: &LineInput,
    buf: &mut Buffer,
    theme: crate::tui::Theme,
) -> Option<Position> {
    if area.height == 0 || y < area.y || y >= area.bottom() {
        return None;
    }
    let inner = area.width.saturating_sub(2);
    let label_width = width(label) as u16;
    let inline = label_width + PROMPT_MIN_INPUT <= inner;
    let (label_rows, x): (Vec<String>, u16) = if inline {
        (vec![label.to_string()], area.x + 1 + label_width)
    } else {
        let rows = textwrap::wrap(label.trim_end(), inner.max(1) as usize)
            .into_iter()
            .map(|l| l.into_owned())
            .collect::<Vec<_>>();
        (rows, area.x + 1)
    };
    let above = if inline { 0 } else { label_rows.len() as u16 };
    let top = y.saturating_sub(above).max(area.y);
    for row in top..=y.min(area.bottom().saturating_sub(1)) {
        buf.set_stringn(
            area.x,
            row,
            " ".repeat(area.width as usize),
            area.width as usize,
            theme.text(),
        );
    }
    // On a terminal too short for the whole label, its last rows are the ones kept.
    let skip = label_rows
        .len()
        .saturating_sub((y.saturating_sub(top) + u16::from(inline)) as usize);
    for (i, line) in label_rows.iter().skip(skip).enumerate() {
        buf.set_stringn(
            area.x + 1,
            top + i as u16,
            line,
            inner as usize,
            theme.key(),
        );
    }
    input.render(
        Rect {
            x,
            y,
            width: area.right().saturating_sub(x + 1),
            height: 1,
        },
        buf,
        theme.text(),
    )
}

/// A dim line of explanation (nothing to show, why not), wrapped inside `area` from row `down`,
/// a column in from each side.
pub fn note(area: Rect, down: u16, text: &str, buf: &mut Buffer, theme: crate::tui::Theme) {
    use ratatui::widgets::{Paragraph, Widget, Wrap};
    Paragraph::new(text)
        .style(theme.dim())
        .wrap(Wrap { trim: true })
        .render(
            Rect {
                x: area.x + 1,
                y: area.y + down.min(area.height),
                width: area.width.saturating_sub(2),
                height: area.height.saturating_sub(down),
            },
            buf,
        );
}

/// The fewest columns a prompt leaves for its answer beside its label.
pub const PROMPT_MIN_INPUT: u16 = 12;

/// A multi-line editor. Lines are soft-wrapped at the drawing width, by character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextArea {
    pub lines: Vec<String>,
    /// Cursor row (line) and column (characters).
    pub row: usize,
    pub col: usize,
    /// Most characters in all (newlines count one).
    pub max: usize,
}

impl TextArea {
    pub fn new(max: usize) -> TextArea {
        TextArea {
            lines: vec![String::new()],
            row: 0,
            col: 0,
            max,
        }
    }

    pub fn with_text(max: usize, text: &str) -> TextArea {
        let mut t = TextArea::new(max);
        let _ = t.insert_str(text);
        t
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    fn len(&self) -> usize {
        self.lines.iter().map(|l| l.chars().count()).sum::<usize>() + self.lines.len() - 1
    }

    fn line_len(&self, row: usize) -> usize {
        self.lines.get(row).map_or(0, |l| l.chars().count())
    }

    /// Inserts text at the cursor (pasted text keeps its line breaks), in time linear in its
    /// length; returns how many characters did not fit.
    #[must_use]
    pub fn insert_str(&mut self, text: &str) -> usize {
        let text = crate::sanitize::multiline(text);
        let room = self.max.saturating_sub(self.len());
        let total = text.chars().count();
        let kept: String = text.chars().take(room).collect();
        let line = &mut self.lines[self.row];
        let at = line
            .char_indices()
            .nth(self.col)
            .map_or(line.len(), |(b, _)| b);
        let rest = line.split_off(at);
        let mut parts = kept.split('\n');
        let first = parts.next().unwrap_or_default();
        self.lines[self.row].push_str(first);
        self.col += first.chars().count();
        for part in parts {
            self.row += 1;
            self.lines.insert(self.row, part.to_string());
            self.col = part.chars().count();
        }
        self.lines[self.row].push_str(&rest);
        total - kept.chars().count()
    }

    fn newline(&mut self) {
        let line = &mut self.lines[self.row];
        let b = line
            .char_indices()
            .nth(self.col)
            .map_or(line.len(), |(b, _)| b);
        let rest = line.split_off(b);
        self.lines.insert(self.row + 1, rest);
        self.row += 1;
        self.col = 0;
    }

    /// Handles an editing key; false if the key is not an editing key.
    pub fn key(&mut self, key: &KeyEvent) -> bool {
        let ctrl_j = key.code == KeyCode::Char('j') && key.modifiers.contains(KeyModifiers::CTRL);
        match key.code {
            // Some terminals send LF (Ctrl-J) for Enter.
            _ if ctrl_j => {
                if self.len() < self.max {
                    self.newline();
                }
            }
            KeyCode::Enter => {
                if self.len() < self.max {
                    self.newline();
                }
            }
            KeyCode::Backspace if self.col == 0 && self.row > 0 => {
                let line = self.lines.remove(self.row);
                self.row -= 1;
                self.col = self.line_len(self.row);
                self.lines[self.row].push_str(&line);
            }
            KeyCode::Delete
                if self.col == self.line_len(self.row) && self.row + 1 < self.lines.len() =>
            {
                let next = self.lines.remove(self.row + 1);
                self.lines[self.row].push_str(&next);
            }
            KeyCode::Up => {
                if self.row > 0 {
                    self.row -= 1;
                    self.col = self.col.min(self.line_len(self.row));
                }
            }
            KeyCode::Down => {
                if self.row + 1 < self.lines.len() {
                    self.row += 1;
                    self.col = self.col.min(self.line_len(self.row));
                }
            }
            KeyCode::Left if self.col == 0 && self.row > 0 => {
                self.row -= 1;
                self.col = self.line_len(self.row);
            }
            KeyCode::Right
                if self.col == self.line_len(self.row) && self.row + 1 < self.lines.len() =>
            {
                self.row += 1;
                self.col = 0;
            }
            KeyCode::Char(_)
                if self.len() >= self.max && !key.modifiers.contains(KeyModifiers::CTRL) => {}
            _ => {
                let mut cursor = self.col;
                let used = edit_line(&mut self.lines[self.row], &mut cursor, key, usize::MAX);
                self.col = cursor;
                return used;
            }
        }
        true
    }

    /// Splits each line into rows of at most `w` columns: (line index, start char, text).
    fn visual_rows(&self, w: usize) -> Vec<(usize, usize, String)> {
        let mut rows = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            let mut start = 0;
            let mut cur = String::new();
            let mut cw = 0;
            for (n, c) in line.chars().enumerate() {
                let x = char_width(c);
                if cw + x > w && !cur.is_empty() {
                    rows.push((i, start, std::mem::take(&mut cur)));
                    start = n;
                    cw = 0;
                }
                cur.push(c);
                cw += x;
            }
            rows.push((i, start, cur));
        }
        rows
    }

    /// Draws the text, scrolled so the cursor row is visible; returns the cursor cell.
    pub fn render(&self, area: Rect, buf: &mut Buffer, style: Style) -> Option<Position> {
        if area.width < 2 || area.height == 0 {
            return None;
        }
        // One column is kept free so the cursor fits after a full row.
        let w = area.width as usize - 1;
        let rows = self.visual_rows(w);
        // The cursor's visual row: the last row of its line that starts at or before it.
        let (cursor_row, cursor_x) = rows
            .iter()
            .enumerate()
            .rfind(|(_, (line, start, _))| *line == self.row && *start <= self.col)
            .map(|(i, (_, start, text))| {
                let x: usize = text.chars().take(self.col - start).map(char_width).sum();
                (i, x)
            })
            .unwrap_or((0, 0));
        let h = area.height as usize;
        let scroll = (cursor_row + 1).saturating_sub(h);
        for (y, (_, _, text)) in rows.iter().skip(scroll).take(h).enumerate() {
            buf.set_stringn(area.x, area.y + y as u16, text, w, style);
        }
        Some(Position::new(
            area.x + cursor_x as u16,
            area.y + (cursor_row - scroll) as u16,
        ))
    }
}

/// The plain theme's screen: box drawing becomes blank (a screen reader spells every
/// "box drawings light horizontal" out), the selection marker and a quote's bar become `>`, a
/// chart's bars `#` and `.`, a bullet `*`. Anything else stays: a reader says ♥ as "heart".
pub fn plain_glyphs(buf: &mut Buffer, area: Rect) {
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            let mut chars = cell.symbol().chars();
            if let (Some(c), None) = (chars.next(), chars.next())
                && let Some(plain) = plain_glyph(c)
            {
                cell.set_symbol(plain);
            }
        }
    }
}

fn plain_glyph(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2500}'..='\u{257f}' => " ",
        '▸' | '▶' | '▌' | '▐' => ">",
        '█' | '▇' | '▆' | '▅' => "#",
        '▄' | '▃' | '▂' | '▁' => ".",
        '\u{2580}'..='\u{259f}' => "#",
        '•' => "*",
        _ => return None,
    })
}

/// A time as the member reads it, in their zone: "2026-11-25 18:04".
pub fn format_time(secs: i64) -> String {
    super::zone::format(secs, false)
}

/// A time with its zone named: "2026-11-25 18:04 CET".
pub fn format_time_zoned(secs: i64) -> String {
    super::zone::format(secs, true)
}

/// How a line of scrolling text is drawn (a tone, so text can be laid out without a theme).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Title,
    Dim,
    Key,
}

impl Tone {
    pub fn style(self, theme: crate::tui::Theme) -> Style {
        match self {
            Tone::Plain => theme.text(),
            Tone::Title => theme.title(),
            Tone::Dim => theme.dim(),
            Tone::Key => theme.key(),
        }
    }
}

/// `lines` wrapped to `width` columns by display width, each piece keeping its tone; blank
/// lines stay. What a scrolling text scrolls over.
pub fn wrap_toned(lines: &[(String, Tone)], width: usize) -> Vec<(String, Tone)> {
    let width = width.max(1);
    let mut out = Vec::new();
    for (line, tone) in lines {
        if line.trim().is_empty() {
            out.push((String::new(), *tone));
            continue;
        }
        // Leading spaces are kept (an indented plan line stays indented).
        let options = textwrap::Options::new(width).preserve_trailing_space(false);
        out.extend(
            textwrap::wrap(line, options)
                .into_iter()
                .map(|l| (l.into_owned(), *tone)),
        );
    }
    out
}

/// Where a scrolling text stands: its first shown row. Every long text a member must be able
/// to read whole at any size (Help now, the key list, recovery codes) scrolls with it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scroll {
    pub top: usize,
}

impl Scroll {
    /// Applies a scrolling key (↑↓ j k, PgUp PgDn Space b, Home End g G) for a text of `total`
    /// rows shown `rows` at a time; false when the key is not one.
    pub fn key(&mut self, key: &KeyEvent, total: usize, rows: usize) -> bool {
        let max = total.saturating_sub(rows);
        let page = rows.saturating_sub(1).max(1);
        let plain = key.modifiers.is_empty() || key.modifiers == KeyModifiers::SHIFT;
        let top = match key.code {
            KeyCode::Up => self.top.saturating_sub(1),
            KeyCode::Down => self.top + 1,
            KeyCode::PageUp => self.top.saturating_sub(page),
            KeyCode::PageDown => self.top + page,
            KeyCode::Home => 0,
            KeyCode::End => max,
            KeyCode::Char('k') if plain => self.top.saturating_sub(1),
            KeyCode::Char('j') if plain => self.top + 1,
            KeyCode::Char('b') if plain => self.top.saturating_sub(page),
            KeyCode::Char(' ') if plain => self.top + page,
            KeyCode::Char('g') if plain => 0,
            KeyCode::Char('G') if plain => max,
            _ => return false,
        };
        self.top = top.min(max);
        true
    }

    /// The first row to show, for a text of `total` rows shown `rows` at a time.
    pub fn clamped(self, total: usize, rows: usize) -> usize {
        self.top.min(total.saturating_sub(rows))
    }
}

/// Draws a scrolling text into `area`: `rows` from the scroll position, and `foot` (wrapped,
/// always visible) at the bottom. Returns the "first-last of total" mark when not everything
/// fits, for the caller's frame, or None.
pub fn draw_scrolled(
    area: Rect,
    buf: &mut Buffer,
    text: &[(String, Tone)],
    foot: &[(String, Tone)],
    scroll: Scroll,
    theme: crate::tui::Theme,
) -> Option<String> {
    let width = area.width as usize;
    let body = wrap_toned(text, width);
    let foot = wrap_toned(foot, width);
    let rows = (area.height as usize).saturating_sub(foot.len());
    let top = scroll.clamped(body.len(), rows);
    for (i, (line, tone)) in body.iter().skip(top).take(rows).enumerate() {
        buf.set_stringn(area.x, area.y + i as u16, line, width, tone.style(theme));
    }
    let foot_y = area.y + rows as u16;
    for (i, (line, tone)) in foot.iter().enumerate() {
        let y = foot_y + i as u16;
        if y < area.y + area.height {
            buf.set_stringn(area.x, y, line, width, tone.style(theme));
        }
    }
    (body.len() > rows).then(|| {
        format!(
            "{}-{} of {}",
            top + 1,
            (top + rows).min(body.len()),
            body.len()
        )
    })
}

/// Draws a scrolling text with `foot` below it; when it does not all fit, one more row at the
/// foot says where the reader is ("↑↓ 3-10 of 14"), so the mark never covers the text.
/// Returns the rows of text and the rows shown at a time, for the caller's key handling (which
/// must agree with what was drawn).
pub fn draw_scrolled_marked(
    area: Rect,
    buf: &mut Buffer,
    text: &[(String, Tone)],
    foot: &[(String, Tone)],
    scroll: Scroll,
    theme: crate::tui::Theme,
) -> (usize, usize) {
    let (total, fitting) = scrolled_rows(area.width, area.height, text, foot);
    let mut foot = foot.to_vec();
    let mut rows = fitting;
    if total > fitting {
        rows = fitting.saturating_sub(1);
        let top = scroll.clamped(total, rows);
        foot.push((
            format!("↑↓ {}-{} of {total}", top + 1, (top + rows).min(total)),
            Tone::Key,
        ));
    }
    draw_scrolled(area, buf, text, &foot, scroll, theme);
    (total, rows)
}

/// The rows of `text` shown at a time in `area` with `foot` below them (for key handling,
/// which must agree with drawing).
pub fn scrolled_rows(
    area_width: u16,
    area_height: u16,
    text: &[(String, Tone)],
    foot: &[(String, Tone)],
) -> (usize, usize) {
    let width = area_width as usize;
    let total = wrap_toned(text, width).len();
    let rows = (area_height as usize).saturating_sub(wrap_toned(foot, width).len());
    (total, rows)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_question_closes_when_answered_or_cancelled_and_keeps_the_text_while_typed() {
        let key = |c| KeyEvent::new(c);
        let mut slot = Some(LineInput::new(10));
        assert_eq!(ask(&mut slot, &key(KeyCode::Char('h'))), Answer::Typing);
        assert_eq!(ask(&mut slot, &key(KeyCode::Char('i'))), Answer::Typing);
        assert!(slot.is_some());
        assert_eq!(
            ask(&mut slot, &key(KeyCode::Enter)),
            Answer::Given("hi".into())
        );
        assert!(slot.is_none());
        let mut slot = Some(LineInput::with_text(10, "x"));
        assert_eq!(ask(&mut slot, &key(KeyCode::Esc)), Answer::Cancelled);
        assert!(slot.is_none());
    }

    use super::*;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c)
    }

    #[test]
    fn line_input_edits_at_the_cursor() {
        let mut i = LineInput::new(10);
        for c in "helo".chars() {
            i.key(&k(KeyCode::Char(c)));
        }
        i.key(&k(KeyCode::Left));
        i.key(&k(KeyCode::Char('l')));
        assert_eq!(i.text, "hello");
        i.key(&k(KeyCode::Home));
        i.key(&k(KeyCode::Delete));
        assert_eq!(i.text, "ello");
        for _ in 0..20 {
            i.key(&k(KeyCode::Char('x')));
        }
        assert_eq!(i.text.chars().count(), 10, "max is kept");
    }

    #[test]
    fn text_area_splits_and_joins_lines() {
        let mut t = TextArea::with_text(100, "ab");
        t.key(&k(KeyCode::Left));
        t.key(&k(KeyCode::Enter));
        assert_eq!(t.text(), "a\nb");
        t.key(&k(KeyCode::Backspace));
        assert_eq!(t.text(), "ab");
        assert_eq!(t.insert_str("\u{1b}[31mc\r\nd"), 0);
        assert_eq!(t.text(), "ac\ndb");
    }

    #[test]
    fn text_area_paste_keeps_what_fits_and_counts_the_rest() {
        let mut t = TextArea::with_text(6, "ab");
        t.key(&k(KeyCode::Left));
        // Room for four more (a line break counts as one): "c", break, "de".
        assert_eq!(t.insert_str("c\ndefg"), 2);
        assert_eq!(t.text(), "ac\ndeb");
        // The cursor is after what was pasted.
        t.key(&k(KeyCode::Backspace));
        assert_eq!(t.text(), "ac\ndb");
    }

    #[test]
    fn text_area_wraps_wide_characters_by_width() {
        let t = TextArea::with_text(100, "你好你好你好");
        let rows = t.visual_rows(5);
        assert_eq!(
            rows.iter().map(|r| r.2.as_str()).collect::<Vec<_>>(),
            vec!["你好", "你好", "你好"]
        );
    }

    #[test]
    fn truncate_cleans_what_it_draws() {
        assert_eq!(truncate("a\u{1b}[2Jb\u{7}", 10), "ab");
    }

    #[test]
    fn truncate_respects_display_width() {
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("你好你好", 5), "你好…");
        assert_eq!(truncate("ok", 5), "ok");
    }

    #[test]
    fn times_are_formatted_in_utc() {
        assert_eq!(format_time(0), "1970-01-01 00:00");
        assert_eq!(format_time(1_795_000_000), "2026-11-18 11:06");
    }

    #[test]
    fn a_prompt_too_long_for_a_narrow_terminal_wraps_above_its_answer() {
        let area = Rect::new(0, 0, 40, 6);
        let mut buf = Buffer::empty(area);
        for y in 0..6 {
            buf.set_string(0, y, "x".repeat(40), Style::default());
        }
        let input = LineInput::with_text(50, "because");
        let label = "Why unmask this author? (audited; a second moderator confirms) ";
        let cursor = prompt(area, 5, label, &input, &mut buf, crate::tui::Theme::Default);
        let row_of =
            |buf: &Buffer, y: u16| (0..40).map(|x| buf[(x, y)].symbol()).collect::<String>();
        assert_eq!(
            row_of(&buf, 5).trim_end(),
            " because",
            "the answer has its row"
        );
        let above = format!("{} {}", row_of(&buf, 3).trim(), row_of(&buf, 4).trim());
        assert_eq!(above, label.trim_end(), "the whole question, wrapped");
        assert!(
            row_of(&buf, 2).starts_with("xxxx"),
            "nothing above it is touched"
        );
        assert_eq!(cursor.map(|p| p.y), Some(5));
        // A short label keeps its answer beside it, on one row.
        let short = prompt(
            area,
            5,
            "Why? ",
            &input,
            &mut buf,
            crate::tui::Theme::Default,
        );
        assert_eq!(row_of(&buf, 5).trim_end(), " Why? because");
        assert_eq!(short.map(|p| p.y), Some(5));
    }
}
