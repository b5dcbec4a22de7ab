//! Input bytes → terminal events, through terminput's parser (the same escape-sequence parser
//! crossterm uses): arrows, function keys, Alt, UTF-8, bracketed paste.
//!
//! Bytes come in SSH packets of any size. A lone ESC at the end of a packet is the Esc key (as
//! in crossterm); inside a packet it starts a sequence. Bracketed paste is collected here
//! directly (not re-parsed byte by byte) and capped, so a huge paste costs linear time and
//! bounded memory.

use std::time::Duration;

use terminput::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind, ScrollDirection,
};
use tokio::time::Instant;

/// Longest escape sequence kept while incomplete; longer ones are garbage and dropped.
const MAX_SEQUENCE: usize = 64;
/// Largest paste accepted (a post is at most 32,000 characters; UTF-8 takes up to 4 bytes each).
pub const MAX_PASTE: usize = 128 * 1024;
/// A paste whose end marker has not come this long after its last byte is over: a client
/// that sent only the start (by accident or not) cannot swallow every later key.
pub const PASTE_TIMEOUT: Duration = Duration::from_secs(2);

const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";
/// Ctrl-Q, the quit key: it ends an unfinished paste, so it always works.
const CTRL_Q: u8 = 0x11;

/// What the bytes meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Key(KeyEvent),
    /// Pasted text, and how many characters past [`MAX_PASTE`] were left out.
    Paste {
        text: String,
        left_out: usize,
    },
}

/// Turns a byte stream into keys and pastes.
#[derive(Default)]
pub struct InputParser {
    buf: Vec<u8>,
    /// Inside a bracketed paste: what has been pasted so far.
    paste: Option<Vec<u8>>,
    /// Characters of this paste dropped past the cap.
    paste_dropped: usize,
    /// Once the paste passed the cap: the length kept (at a character boundary).
    paste_head: Option<usize>,
    /// When the current paste ends if no more of it comes.
    paste_deadline: Option<Instant>,
}

impl InputParser {
    pub fn new() -> InputParser {
        InputParser::default()
    }

    /// When an unfinished paste will be ended (see [`InputParser::expire`]).
    pub fn deadline(&self) -> Option<Instant> {
        self.paste_deadline
    }

    /// Ends an unfinished paste: what came so far is the paste.
    pub fn expire(&mut self) -> Vec<Parsed> {
        let mut out = Vec::new();
        if let Some(paste) = self.paste.take() {
            out.push(self.finish_paste(paste));
        }
        out
    }

    fn finish_paste(&mut self, mut paste: Vec<u8>) -> Parsed {
        let upto = paste.len();
        self.cap(&mut paste, upto);
        self.paste_deadline = None;
        let left_out = std::mem::take(&mut self.paste_dropped);
        self.paste_head = None;
        Parsed::Paste {
            text: String::from_utf8_lossy(&paste).into_owned(),
            left_out,
        }
    }

    /// Cuts `paste` to the cap at a character boundary, counting the characters in
    /// `paste[cap..upto]` as left out and keeping what lies past `upto`.
    fn cap(&mut self, paste: &mut Vec<u8>, upto: usize) {
        if upto <= self.paste_head.unwrap_or(MAX_PASTE) {
            return;
        }
        let cut = *self.paste_head.get_or_insert_with(|| {
            let mut cut = MAX_PASTE;
            while cut > 0 && is_continuation(paste[cut]) {
                cut -= 1;
            }
            cut
        });
        self.paste_dropped += paste[cut..upto]
            .iter()
            .filter(|b| !is_continuation(**b))
            .count();
        paste.drain(cut..upto);
    }

    /// Feeds bytes; returns the complete keys and pastes they finish. Bytes of an incomplete
    /// sequence (an escape, a UTF-8 character split across packets) wait for the next call.
    pub fn feed(&mut self, data: &[u8]) -> Vec<Parsed> {
        let mut out = Vec::new();
        let mut input = std::borrow::Cow::Borrowed(data);
        let mut i = 0;
        // Bytes given back after a sequence turned out not to be one, read before `input[i..]`.
        let mut replay = std::collections::VecDeque::new();
        while i < input.len() || !replay.is_empty() {
            if self.paste.is_some() && !replay.is_empty() {
                let mut joined: Vec<u8> = replay.drain(..).collect();
                joined.extend_from_slice(&input[i..]);
                input = std::borrow::Cow::Owned(joined);
                i = 0;
            }
            if let Some(mut paste) = self.paste.take() {
                // The end marker may straddle packets: first look across the boundary between
                // what was pasted and what came now, then in what came now. Ctrl-Q ends a paste
                // too (it is never part of pasted text).
                let rest = &input[i..];
                let tail = paste.len().min(PASTE_END.len() - 1);
                let mut window = paste[paste.len() - tail..].to_vec();
                window.extend_from_slice(&rest[..rest.len().min(PASTE_END.len() - 1)]);
                let straddle = find(&window, PASTE_END).filter(|&k| k < tail);
                let (keep, resume) = if let Some(k) = straddle {
                    // The marker began in what was already pasted.
                    paste.truncate(paste.len() - tail + k);
                    (0, i + k + PASTE_END.len() - tail)
                } else {
                    let end = find(rest, PASTE_END).map(|e| (e, PASTE_END.len()));
                    // Only before the end marker (so a packet of many pastes stays linear).
                    let before = end.map_or(rest.len(), |e| e.0);
                    let quit = rest[..before]
                        .iter()
                        .position(|&b| b == CTRL_Q)
                        .map(|q| (q, 0));
                    match (end, quit) {
                        (Some(e), Some(q)) if q.0 < e.0 => (q.0, i + q.0),
                        (Some(e), _) => (e.0, i + e.0 + e.1),
                        (None, Some(q)) => (q.0, i + q.0),
                        (None, None) => {
                            paste.extend_from_slice(rest);
                            // Past the cap keep only the head, and a tail to see the marker.
                            if paste.len() > MAX_PASTE + PASTE_END.len() {
                                let upto = paste.len() - (PASTE_END.len() - 1);
                                self.cap(&mut paste, upto);
                            }
                            self.paste = Some(paste);
                            self.paste_deadline = Some(Instant::now() + PASTE_TIMEOUT);
                            return out;
                        }
                    }
                };
                if straddle.is_none() {
                    paste.extend_from_slice(&rest[..keep]);
                }
                out.push(self.finish_paste(paste));
                // What follows is parsed afresh (a Ctrl-Q included).
                i = resume;
                continue;
            }
            let byte = match replay.pop_front() {
                Some(b) => b,
                None => {
                    i += 1;
                    input[i - 1]
                }
            };
            self.buf.push(byte);
            if self.buf == PASTE_START {
                self.buf.clear();
                self.paste = Some(Vec::new());
                self.paste_deadline = Some(Instant::now() + PASTE_TIMEOUT);
                continue;
            }
            // A lone ESC with more bytes behind it begins a sequence.
            if self.buf == [0x1b] && (i < input.len() || !replay.is_empty()) {
                continue;
            }
            match Event::parse_from(&self.buf) {
                Ok(Some(event)) => {
                    self.buf.clear();
                    match event {
                        Event::Key(k) if k.kind == KeyEventKind::Press => out.push(Parsed::Key(k)),
                        Event::Paste(text) => out.push(Parsed::Paste { text, left_out: 0 }),
                        // The wheel moves as the arrow keys do, a step a notch; clicks do
                        // nothing.
                        Event::Mouse(m) => match m.kind {
                            MouseEventKind::Scroll(ScrollDirection::Up) => {
                                out.push(Parsed::Key(KeyEvent::new(KeyCode::Up)))
                            }
                            MouseEventKind::Scroll(ScrollDirection::Down) => {
                                out.push(Parsed::Key(KeyEvent::new(KeyCode::Down)))
                            }
                            _ => {}
                        },
                        _ => {}
                    }
                }
                Ok(None) if self.buf.len() < MAX_SEQUENCE => {}
                Ok(None) => self.buf.clear(),
                Err(_) if (0xC0..=0xF7).contains(&self.buf[0]) => {
                    // A UTF-8 character cut short (at most three bytes): drop its first byte
                    // and read the rest again, so the key typed next is not lost.
                    let rest = self.buf.split_off(1);
                    self.buf.clear();
                    for b in rest.into_iter().rev() {
                        replay.push_front(b);
                    }
                }
                Err(_) => self.buf.clear(),
            }
        }
        out
    }
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// Ctrl-Q as the parser reports it.
pub fn ctrl_q() -> KeyEvent {
    KeyEvent::new(KeyCode::Char('q')).modifiers(KeyModifiers::CTRL)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(parsed: Vec<Parsed>) -> Vec<KeyEvent> {
        parsed
            .into_iter()
            .filter_map(|p| match p {
                Parsed::Key(k) => Some(k),
                Parsed::Paste { .. } => None,
            })
            .collect()
    }

    fn codes(parsed: Vec<Parsed>) -> Vec<KeyCode> {
        keys(parsed).iter().map(|k| k.code).collect()
    }

    fn paste(text: &str, left_out: usize) -> Parsed {
        Parsed::Paste {
            text: text.into(),
            left_out,
        }
    }

    #[test]
    fn arrows_function_keys_and_text() {
        let mut p = InputParser::new();
        assert_eq!(
            codes(p.feed(b"\x1b[A\x1bOPa\x1b[15~")),
            vec![
                KeyCode::Up,
                KeyCode::F(1),
                KeyCode::Char('a'),
                KeyCode::F(5)
            ]
        );
    }

    #[test]
    fn a_lone_escape_is_the_escape_key_and_alt_combines() {
        let mut p = InputParser::new();
        assert_eq!(keys(p.feed(b"\x1b"))[0].code, KeyCode::Esc);
        let k = keys(p.feed(b"\x1bx"));
        assert_eq!(k[0].code, KeyCode::Char('x'));
        assert!(k[0].modifiers.contains(KeyModifiers::ALT));
    }

    #[test]
    fn utf8_split_across_packets() {
        let mut p = InputParser::new();
        let bytes = "é你".as_bytes();
        let mut out = p.feed(&bytes[..1]);
        out.extend(p.feed(&bytes[1..4]));
        out.extend(p.feed(&bytes[4..]));
        assert_eq!(codes(out), vec![KeyCode::Char('é'), KeyCode::Char('你')]);
    }

    #[test]
    fn a_truncated_utf8_character_does_not_eat_the_next_key() {
        let mut p = InputParser::new();
        // The first byte of "é", then a plain "a" (a client cut the character short).
        assert!(
            p.feed(&[0xC3]).is_empty(),
            "waits for the rest of the character"
        );
        assert_eq!(codes(p.feed(b"a")), vec![KeyCode::Char('a')]);
        // In one packet too, and with a 3-byte character cut after two bytes.
        assert_eq!(codes(p.feed(&[0xE4, 0xBD, b'b'])), vec![KeyCode::Char('b')]);
        assert_eq!(codes(p.feed(&[0xFF, b'c'])), vec![KeyCode::Char('c')]);
    }

    #[test]
    fn the_wheel_is_an_arrow_and_a_click_is_nothing() {
        let mut p = InputParser::new();
        // SGR reports: wheel up (64), wheel down (65), a left click pressed and released,
        // then a key; split across packets as a slow link would.
        let mut out = p.feed(b"\x1b[<64;10;5M\x1b[<65;10;5M\x1b[<0;3;4M\x1b[<0");
        out.extend(p.feed(b";3;4mx"));
        assert_eq!(
            codes(out),
            vec![KeyCode::Up, KeyCode::Down, KeyCode::Char('x')]
        );
    }

    /// A terminal without SGR reports (mode 1006) sends the older X10 form, ESC [ M and three
    /// bytes of 32 + button, column, row: the wheel still scrolls and nothing is typed.
    #[test]
    fn legacy_mouse_reports_scroll_and_type_nothing() {
        let mut p = InputParser::new();
        let mut out = p.feed(&[0x1b, b'[', b'M', 32 + 64, 32 + 10, 32 + 5]);
        out.extend(p.feed(&[0x1b, b'[', b'M', 32 + 65, 32 + 10, 32 + 5]));
        // A click pressed and released, then a key.
        out.extend(p.feed(&[
            0x1b,
            b'[',
            b'M',
            32,
            33,
            33,
            0x1b,
            b'[',
            b'M',
            32 + 3,
            33,
            33,
        ]));
        // Far right on a wide terminal the column byte is past ASCII (not UTF-8).
        out.extend(p.feed(&[0x1b, b'[', b'M', 32 + 65, 32 + 200, 32 + 5]));
        out.extend(p.feed(b"x"));
        assert_eq!(
            codes(out),
            vec![
                KeyCode::Up,
                KeyCode::Down,
                KeyCode::Down,
                KeyCode::Char('x')
            ]
        );
    }

    #[test]
    fn bracketed_paste_across_packets() {
        let mut p = InputParser::new();
        let mut out = p.feed(b"\x1b[200~hello\nwor");
        assert!(out.is_empty());
        out.extend(p.feed(b"ld\x1b[20"));
        out.extend(p.feed(b"1~x"));
        assert_eq!(out[0], paste("hello\nworld", 0));
        assert_eq!(out[1], Parsed::Key(KeyEvent::new(KeyCode::Char('x'))));
        assert!(p.deadline().is_none(), "no paste is waiting");
    }

    #[test]
    fn many_pastes_in_one_packet_need_no_recursion() {
        let mut p = InputParser::new();
        let packet = b"\x1b[200~ab\x1b[201~".repeat(20_000);
        let out = p.feed(&packet);
        assert_eq!(out.len(), 20_000);
        assert!(out.iter().all(|o| *o == paste("ab", 0)));
    }

    #[test]
    fn a_huge_paste_is_capped_and_says_how_much_was_left_out() {
        let mut p = InputParser::new();
        let mut out = p.feed(b"\x1b[200~");
        // 10 MB of text, with two-byte characters so the cut falls inside one.
        let chunk = "é".repeat(16 * 1024);
        for _ in 0..320 {
            out.extend(p.feed(chunk.as_bytes()));
        }
        out.extend(p.feed(b"\x1b[201~"));
        let Parsed::Paste { text, left_out } = &out[0] else {
            panic!("expected a paste, got {out:?}");
        };
        assert_eq!(text.len(), MAX_PASTE);
        assert!(
            text.chars().all(|c| c == 'é'),
            "cut at a character boundary"
        );
        assert_eq!(text.chars().count() + left_out, 320 * 16 * 1024);
    }

    #[test]
    fn a_paste_that_never_ends_expires_and_ctrl_q_always_quits() {
        let mut p = InputParser::new();
        assert!(p.feed(b"\x1b[200~half a paste").is_empty());
        assert!(p.deadline().is_some(), "an unfinished paste has a deadline");
        assert_eq!(p.expire(), vec![paste("half a paste", 0)]);
        assert_eq!(
            codes(p.feed(b"j")),
            vec![KeyCode::Char('j')],
            "keys work again"
        );

        // Ctrl-Q inside an unfinished paste ends it and quits.
        let out = p.feed(b"\x1b[200~typed into nothing\x11more");
        assert_eq!(out[0], paste("typed into nothing", 0));
        assert_eq!(out[1], Parsed::Key(ctrl_q()));
        assert_eq!(codes(out[2..].to_vec()).len(), 4, "what follows is keys");
    }

    #[test]
    fn garbage_sequences_are_dropped_and_parsing_recovers() {
        let mut p = InputParser::new();
        let mut junk = b"\x1b[".to_vec();
        junk.extend(std::iter::repeat_n(b'1', 200));
        let _ = p.feed(&junk);
        let k = keys(p.feed(b"q"));
        assert_eq!(k.last().map(|k| k.code), Some(KeyCode::Char('q')));
    }
}
