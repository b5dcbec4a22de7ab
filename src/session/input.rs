//! Input bytes → terminal events, through terminput's parser (the same escape-sequence parser
//! crossterm uses): arrows, function keys, Alt, UTF-8, bracketed paste.
//!
//! Bytes come in SSH packets of any size. A lone ESC at the end of a packet is the Esc key (as
//! in crossterm); inside a packet it starts a sequence. Bracketed paste is collected here
//! directly (not re-parsed byte by byte) and capped, so a huge paste costs linear time and
//! bounded memory.

use terminput::Event;

/// Longest escape sequence kept while incomplete; longer ones are garbage and dropped.
const MAX_SEQUENCE: usize = 64;
/// Largest paste accepted (a post is at most 32,000 characters; UTF-8 takes up to 4 bytes each).
pub const MAX_PASTE: usize = 128 * 1024;

const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";

/// Turns a byte stream into events.
#[derive(Default)]
pub struct InputParser {
    buf: Vec<u8>,
    /// Inside a bracketed paste: what has been pasted so far.
    paste: Option<Vec<u8>>,
}

impl InputParser {
    pub fn new() -> InputParser {
        InputParser::default()
    }

    /// Feeds bytes; returns the complete events they finish.
    pub fn feed(&mut self, data: &[u8]) -> Vec<Event> {
        let mut events = Vec::new();
        let mut i = 0;
        while i < data.len() {
            if let Some(paste) = &mut self.paste {
                // Look for the end marker, which may straddle packets.
                let from = paste.len().saturating_sub(PASTE_END.len() - 1);
                paste.extend_from_slice(&data[i..]);
                if let Some(end) = find(&paste[from..], PASTE_END).map(|e| e + from) {
                    let after = paste.split_off(end + PASTE_END.len());
                    paste.truncate(end.min(MAX_PASTE));
                    let text = String::from_utf8_lossy(paste).into_owned();
                    self.paste = None;
                    events.push(Event::Paste(text));
                    events.extend(self.feed(&after));
                    return events;
                }
                // Past the cap keep only the head, and a tail long enough to see the marker.
                if paste.len() > MAX_PASTE + PASTE_END.len() {
                    let tail = paste[paste.len() - (PASTE_END.len() - 1)..].to_vec();
                    paste.truncate(MAX_PASTE);
                    paste.extend_from_slice(&tail);
                }
                return events;
            }
            self.buf.push(data[i]);
            i += 1;
            if self.buf == PASTE_START {
                self.buf.clear();
                self.paste = Some(Vec::new());
                continue;
            }
            // A lone ESC with more bytes behind it begins a sequence.
            if self.buf == [0x1b] && i < data.len() {
                continue;
            }
            match Event::parse_from(&self.buf) {
                Ok(Some(event)) => {
                    self.buf.clear();
                    events.push(event);
                }
                Ok(None) if self.buf.len() < MAX_SEQUENCE => {}
                Ok(None) => self.buf.clear(),
                Err(_) => self.buf.clear(),
            }
        }
        events
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use terminput::{KeyCode, KeyEvent, KeyModifiers};

    fn keys(events: Vec<Event>) -> Vec<KeyEvent> {
        events.into_iter().filter_map(|e| e.as_key()).collect()
    }

    #[test]
    fn arrows_function_keys_and_text() {
        let mut p = InputParser::new();
        let k = keys(p.feed(b"\x1b[A\x1bOPa\x1b[15~"));
        let codes: Vec<_> = k.iter().map(|k| k.code).collect();
        assert_eq!(
            codes,
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
        let codes: Vec<_> = keys(out).iter().map(|k| k.code).collect();
        assert_eq!(codes, vec![KeyCode::Char('é'), KeyCode::Char('你')]);
    }

    #[test]
    fn bracketed_paste_across_packets() {
        let mut p = InputParser::new();
        let mut out = p.feed(b"\x1b[200~hello\nwor");
        assert!(out.is_empty());
        out.extend(p.feed(b"ld\x1b[20"));
        out.extend(p.feed(b"1~x"));
        assert_eq!(out[0], Event::Paste("hello\nworld".into()));
        assert_eq!(out[1].as_key().map(|k| k.code), Some(KeyCode::Char('x')));
    }

    #[test]
    fn a_huge_paste_is_capped() {
        let mut p = InputParser::new();
        let mut out = p.feed(b"\x1b[200~");
        let chunk = vec![b'a'; 32 * 1024];
        for _ in 0..10 {
            out.extend(p.feed(&chunk));
        }
        out.extend(p.feed(b"\x1b[201~"));
        match &out[0] {
            Event::Paste(s) => assert_eq!(s.len(), MAX_PASTE),
            e => panic!("expected paste, got {e:?}"),
        }
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
