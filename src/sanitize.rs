//! The one sanitiser that every piece of member-written text passes through, before it is stored
//! and again before it is drawn (DESIGN.md §8, "Terminal safety").
//!
//! Members must never be able to reach another member's terminal: no escape sequence (CSI, OSC —
//! including OSC 52 clipboard writes — DCS, …), no C0/C1 control (U+009B is a one-character CSI on
//! many terminals), no BEL, CR or backspace that could overwrite what is on screen, no bidi control
//! that could reorder a line ("Trojan Source"), no invisible zero-width or tag characters that
//! could hide text or make two handles look alike, and no tower of combining marks ("Zalgo") that
//! spills over neighbouring lines.
//!
//! Escape sequences are removed whole (the ESC and its parameters), so a stripped `ESC [ 2 J`
//! does not leave a visible `[2J` behind; every other forbidden character is dropped. Tabs become
//! spaces because their width depends on the terminal.
//!
//! What is kept is decided by Unicode properties, not hand lists of blocks: every run of
//! combining marks (general category M, any script) is capped, and so are variation selectors.
//! The zero-width joiner and non-joiner are invisible, so they go — except where text needs
//! them: the joiner inside an emoji sequence (🏳️‍🌈, ❤️‍🩹) or an Indic conjunct, where it
//! joins one grapheme, and either of them between letters of the scripts that use them to choose
//! a letter's shape (Arabic and Persian, Syriac, the Indic scripts, Mongolian…): `می‌خواهم`
//! keeps its non-joiner. Handles never keep them (`domain::validate`).

use unicode_segmentation::UnicodeSegmentation;

/// The most combining marks kept on one base character. Real scripts (Vietnamese, Devanagari
/// with vowel signs, …) need two or three; more is decoration that draws over other lines.
pub const MAX_COMBINING_MARKS: usize = 3;

/// How many spaces a tab becomes.
const TAB_WIDTH: usize = 4;

/// What kind of text is being cleaned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One line: titles, handles, reasons. Newlines become spaces.
    Line,
    /// Several lines: post bodies, messages. `\n` is kept; `\r\n` and lone `\r` become `\n`.
    Multiline,
}

/// Cleans member text. Idempotent: `clean(clean(s)) == clean(s)`.
pub fn clean(input: &str, kind: Kind) -> String {
    let stripped = strip_controls(input, kind);
    cap_combining(&keep_needed_joiners(&stripped))
}

/// Cleans one line of text (titles, handles, reasons).
pub fn line(input: &str) -> String {
    clean(input, Kind::Line)
}

/// Cleans multi-line text (post bodies, messages).
pub fn multiline(input: &str) -> String {
    clean(input, Kind::Multiline)
}

/// True when `c` may never reach a terminal.
fn is_forbidden(c: char) -> bool {
    matches!(c,
        // C0 controls (newline and tab are handled before this is asked), DEL and C1 controls.
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // Bidi embedding, override and isolate controls, and the implicit marks.
        | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}'
        // Zero-width and invisible formatting characters.
        | '\u{200b}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{00ad}'
        | '\u{180e}' | '\u{034f}' | '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}'
        // Interlinear annotation controls and object replacement anchors.
        | '\u{fff9}'..='\u{fffb}'
        // Line and paragraph separators (would be drawn as line breaks by some terminals).
        | '\u{2028}' | '\u{2029}'
        // Tag characters (invisible; used to smuggle text).
        | '\u{e0000}'..='\u{e007f}'
        // Private-use and noncharacters have no meaning between members.
        | '\u{fffe}' | '\u{ffff}'
    )
}

/// Removes escape sequences whole and drops every other forbidden character.
fn strip_controls(input: &str, kind: Kind) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // A one-character CSI (C1): skip its parameters like ESC [ would have.
            '\u{9b}' => skip_csi(&mut chars),
            // C1 string introducers (DCS, SOS, OSC, PM, APC): skip up to their terminator.
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\r' => {
                if kind == Kind::Multiline {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    out.push('\n');
                } else {
                    out.push(' ');
                }
            }
            '\n' => out.push(if kind == Kind::Multiline { '\n' } else { ' ' }),
            '\t' => out.extend(std::iter::repeat_n(' ', TAB_WIDTH)),
            c if is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Skips what follows an ESC: a CSI, a string (OSC/DCS/SOS/PM/APC), or a two-character sequence.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        // Intermediate bytes then one final byte (e.g. ESC ( B, ESC # 8).
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while let Some(&c) = chars.peek() {
                chars.next();
                if !('\u{20}'..='\u{2f}').contains(&c) {
                    break;
                }
            }
        }
        // Any other printable final byte (ESC c, ESC 7, ESC =, …).
        Some(c) if ('\u{30}'..='\u{7e}').contains(&c) => {
            chars.next();
        }
        _ => {}
    }
}

/// Skips CSI parameter and intermediate bytes and the final byte.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(&c) = chars.peek() {
        if ('\u{20}'..='\u{3f}').contains(&c) {
            chars.next();
        } else {
            if ('\u{40}'..='\u{7e}').contains(&c) {
                chars.next();
            }
            return;
        }
    }
}

/// Skips a control string up to BEL, ST (ESC \) or C1 ST (U+009C).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

const ZWNJ: char = '\u{200c}';
const ZWJ: char = '\u{200d}';

/// Drops the zero-width joiner and non-joiner except where text needs them: a joiner that joins
/// the next character into the same grapheme (an emoji ZWJ sequence, an Indic conjunct), or
/// either one between two letters of a script that shapes letters by joining.
fn keep_needed_joiners(input: &str) -> String {
    if !input.contains([ZWJ, ZWNJ]) {
        return input.to_string();
    }
    let graphemes: Vec<&str> = input.graphemes(true).collect();
    let mut out = String::with_capacity(input.len());
    for (g, grapheme) in graphemes.iter().enumerate() {
        let chars: Vec<char> = grapheme.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if c != ZWJ && c != ZWNJ {
                out.push(c);
                continue;
            }
            let joins_within = c == ZWJ && i + 1 < chars.len();
            let base = chars[..i].iter().rev().find(|&&b| !is_mark(b)).copied();
            let next = if i + 1 < chars.len() {
                Some(chars[i + 1])
            } else {
                graphemes.get(g + 1).and_then(|n| n.chars().next())
            };
            let between_joining_letters = base.is_some_and(is_joining_script)
                && next.is_some_and(|n| is_joining_script(n) || is_mark(n));
            if joins_within || between_joining_letters {
                out.push(c);
            }
        }
    }
    out
}

/// Letters of the scripts whose shaping a joiner or non-joiner changes: Arabic (and Persian,
/// Urdu), Syriac, Thaana, N'Ko, the Indic scripts of South and South-East Asia, Mongolian.
fn is_joining_script(c: char) -> bool {
    c.is_alphabetic()
        && matches!(c,
            '\u{0600}'..='\u{08ff}' | '\u{0900}'..='\u{0dff}' | '\u{1000}'..='\u{109f}'
            | '\u{1780}'..='\u{18af}' | '\u{a8e0}'..='\u{a8ff}' | '\u{fb50}'..='\u{fdff}'
            | '\u{fe70}'..='\u{fefe}' | '\u{11000}'..='\u{111ff}' | '\u{10ac0}'..='\u{10aff}')
}

/// A combining mark: general category M (Mn, Mc, Me), in any script.
fn is_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}

/// Variation selectors (text/emoji presentation, CJK and Mongolian variants). One on a
/// character means something; more mean nothing.
fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}' | '\u{180b}'..='\u{180f}')
}

/// Keeps at most [`MAX_COMBINING_MARKS`] combining marks in a row, and one variation selector
/// in a row: real text (Vietnamese, Thai tone marks on vowels, Devanagari vowel signs) needs
/// two or three; more is a tower that draws over the neighbouring lines.
fn cap_combining(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let (mut marks, mut selectors) = (0, 0);
    for c in input.chars() {
        if is_variation_selector(c) {
            selectors += 1;
            if selectors > 1 {
                continue;
            }
        } else if is_mark(c) {
            marks += 1;
            if marks > MAX_COMBINING_MARKS {
                continue;
            }
        } else {
            marks = 0;
            selectors = 0;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_unchanged() {
        let s = "Hello, world — 你好 🌱 café";
        assert_eq!(multiline(s), s);
    }

    #[test]
    fn csi_sequences_are_removed_whole() {
        assert_eq!(line("a\u{1b}[2Jb"), "ab");
        assert_eq!(line("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(line("x\u{1b}[?1049hy"), "xy");
    }

    #[test]
    fn osc_sequences_including_clipboard_writes_are_removed() {
        // OSC 52 would write to the reader's clipboard.
        assert_eq!(line("a\u{1b}]52;c;ZXZpbA==\u{7}b"), "ab");
        assert_eq!(line("a\u{1b}]0;title\u{1b}\\b"), "ab");
        // OSC 8 hyperlink.
        assert_eq!(
            line("\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\"),
            "link"
        );
    }

    #[test]
    fn dcs_and_other_strings_are_removed() {
        assert_eq!(line("a\u{1b}Pq#0;2;0;0;0\u{1b}\\b"), "ab");
        assert_eq!(line("a\u{1b}_apc\u{1b}\\b"), "ab");
    }

    #[test]
    fn c1_controls_are_removed() {
        // U+009B is a one-character CSI.
        assert_eq!(line("a\u{9b}2Jb"), "ab");
        assert_eq!(line("a\u{9d}0;x\u{9c}b"), "ab");
        assert_eq!(line("a\u{85}b"), "ab");
    }

    #[test]
    fn bel_backspace_and_del_are_removed() {
        assert_eq!(line("a\u{7}b\u{8}c\u{7f}d"), "abcd");
    }

    #[test]
    fn carriage_returns_cannot_overwrite_a_line() {
        assert_eq!(multiline("safe\rEVIL"), "safe\nEVIL");
        assert_eq!(multiline("one\r\ntwo"), "one\ntwo");
        assert_eq!(line("title\rEVIL"), "title EVIL");
        assert_eq!(line("a\nb"), "a b");
    }

    #[test]
    fn bidi_controls_are_removed() {
        assert_eq!(line("abc\u{202e}fed\u{202c}"), "abcfed");
        assert_eq!(line("\u{2066}x\u{2069}\u{200f}"), "x");
    }

    #[test]
    fn zero_width_and_tag_characters_are_removed() {
        assert_eq!(line("ad\u{200b}min"), "admin");
        assert_eq!(line("a\u{feff}b\u{2060}c"), "abc");
        assert_eq!(line("hi\u{e0041}\u{e0042}\u{e007f}"), "hi");
    }

    #[test]
    fn stacked_combining_marks_are_capped() {
        let zalgo = format!("a{}", "\u{0301}".repeat(40));
        let cleaned = line(&zalgo);
        assert_eq!(cleaned.chars().count(), 1 + MAX_COMBINING_MARKS);
        // Ordinary accents survive.
        assert_eq!(line("e\u{0301}"), "e\u{0301}");
    }

    #[test]
    fn joiners_stay_where_text_needs_them_and_go_elsewhere() {
        // Emoji ZWJ sequences keep their joiners.
        for emoji in ["🏳️‍🌈", "🏳️‍⚧️", "❤️‍🩹", "👩‍👩‍👧", "🧑🏽‍🦱"]
        {
            assert_eq!(multiline(emoji), emoji, "{emoji:?}");
        }
        // Persian: the non-joiner between letters of "I want" is part of the word.
        assert_eq!(line("می‌خواهم"), "می‌خواهم");
        // Hindi: the joiner after a virama selects the half form.
        assert_eq!(line("क्‍ष"), "क्‍ष");
        // Between Latin letters, at the ends, or alone they only hide things.
        assert_eq!(line("ad\u{200d}min"), "admin");
        assert_eq!(line("a\u{200c}b"), "ab");
        assert_eq!(line("\u{200d}x\u{200c}"), "x");
        assert_eq!(line("🌱\u{200d}a"), "🌱a");
    }

    #[test]
    fn every_run_of_marks_and_selectors_is_capped_in_every_script() {
        // Thai tone mark ×200 (a mark outside the old hand-written blocks).
        let thai = format!("ก{}", "\u{0e49}".repeat(200));
        assert_eq!(line(&thai).chars().count(), 1 + MAX_COMBINING_MARKS);
        // Variation selectors ×200.
        let vs = format!("x{}", "\u{fe0f}".repeat(200));
        assert_eq!(line(&vs), "x\u{fe0f}");
        // Real text is untouched: Thai with vowel and tone, Vietnamese, Devanagari, a keycap.
        for text in ["ที่นี่", "Tiếng Việt", "नमस्ते दुनिया", "#️⃣", "ﷺ"]
        {
            assert_eq!(multiline(text), text, "{text:?}");
        }
    }

    #[test]
    fn tabs_become_spaces() {
        assert_eq!(line("a\tb"), "a    b");
    }

    #[test]
    fn cleaning_is_idempotent() {
        let nasty = "x\u{1b}[1;31m\u{9b}?25l\u{1b}]52;c;AA==\u{7}\r\n\u{202e}z\u{200b}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}";
        let once = multiline(nasty);
        assert_eq!(multiline(&once), once);
        assert!(once.chars().all(|c| c == '\n' || !c.is_control()));
    }

    #[test]
    fn an_unterminated_sequence_swallows_only_itself() {
        assert_eq!(line("ok\u{1b}]52;c;AAAA"), "ok");
        assert_eq!(line("ok\u{1b}"), "ok");
    }
}
