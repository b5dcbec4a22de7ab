//! Post and message text as it was meant: markdown, parsed by pulldown-cmark, laid out for a
//! terminal and wrapped by display width.
//!
//! Emphasis, strong, strikethrough and code spans become styles; code blocks keep their lines;
//! block quotes get a thin bar, lists a bullet or their number, headings are strong; a link is
//! its text followed by its address in brackets (never a terminal hyperlink escape: what a
//! member sees is where it goes). Raw HTML is shown as the text it is. A line break that a
//! member typed stays a line break, as on every forum.
//!
//! A quote by reference — the lines `store::quotes::expand` adds for the reader — is drawn as
//! its own block: a thick bar, who wrote it, and the quoted post's own markdown inside. Those
//! lines start with a control character no member can type, so a typed `> ash wrote:` stays a
//! typed quote with a thin bar.
//!
//! Whatever the parser makes of the text passes the one sanitiser again (an entity such as
//! `&#27;` decodes to a control character): no piece reaches a terminal uncleaned.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use ratatui::buffer::Buffer;
use ratatui::style::{Modifier, Style};
use unicode_segmentation::UnicodeSegmentation;

use crate::store::quotes;
use crate::tui::Theme;
use crate::tui::widgets::width;

/// How a piece of text is drawn: a set of marks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mark(u8);

impl Mark {
    pub const PLAIN: Mark = Mark(0);
    pub const EMPHASIS: Mark = Mark(1);
    pub const STRONG: Mark = Mark(2);
    pub const STRIKE: Mark = Mark(4);
    pub const CODE: Mark = Mark(8);
    pub const LINK: Mark = Mark(16);
    /// Bars, bullets and link addresses: what frames the text.
    pub const FRAME: Mark = Mark(32);
    /// Who wrote a quoted post, and a quote's thick bar.
    pub const QUOTED: Mark = Mark(64);

    pub fn has(self, m: Mark) -> bool {
        self.0 & m.0 == m.0 && m.0 != 0
    }

    fn with(self, m: Mark) -> Mark {
        Mark(self.0 | m.0)
    }

    /// The style of text with these marks in `theme`.
    pub fn style(self, theme: Theme) -> Style {
        let mut s = if self.has(Mark::QUOTED) {
            theme.author()
        } else if self.has(Mark::FRAME) {
            theme.dim()
        } else if self.has(Mark::CODE) {
            theme.code()
        } else {
            theme.text()
        };
        for (m, modifier) in [
            (Mark::EMPHASIS, Modifier::ITALIC),
            (Mark::STRONG, Modifier::BOLD),
            (Mark::STRIKE, Modifier::CROSSED_OUT),
            (Mark::LINK, Modifier::UNDERLINED),
        ] {
            if self.has(m) {
                s = s.add_modifier(modifier);
            }
        }
        s
    }
}

/// One laid-out line: pieces of text, each with its marks.
pub type Spans = Vec<(String, Mark)>;

/// A line of one unmarked piece.
pub fn plain(text: String) -> Spans {
    vec![(text, Mark::PLAIN)]
}

/// The text of a laid-out line, marks dropped.
pub fn text_of(line: &Spans) -> String {
    line.iter().map(|(t, _)| t.as_str()).collect()
}

/// Draws `line` from `(x, y)` in at most `room` columns, each piece in its marks' style, or
/// every piece in `over` when given (a selected row).
pub fn draw(
    buf: &mut Buffer,
    (x, y): (u16, u16),
    line: &Spans,
    room: usize,
    theme: Theme,
    over: Option<Style>,
) {
    let end = x.saturating_add(room.min(u16::MAX as usize) as u16);
    let mut at = x;
    for (piece, mark) in line {
        let style = over.unwrap_or_else(|| mark.style(theme));
        // In the plain theme (screen readers) a quote's bar is `>`, as in mail: the bar's
        // glyph would be blanked with the rest of the drawing.
        let piece = match (theme, piece.as_str(), *mark) {
            (Theme::Plain, BAR, Mark::FRAME) | (Theme::Plain, QUOTE_BAR, Mark::QUOTED) => "> ",
            (Theme::Plain, "│", Mark::FRAME) => ">",
            _ => piece.as_str(),
        };
        at = buf
            .set_stringn(at, y, piece, end.saturating_sub(at) as usize, style)
            .0;
    }
}

/// The thin bar of a typed block quote, and the thick one of a quote by reference.
const BAR: &str = "│ ";
const QUOTE_BAR: &str = "▌ ";

/// Lays out `body` (a post as the reader sees it, quotes expanded) in lines of at most `w`
/// columns.
pub fn lay_out(body: &str, w: usize) -> Vec<Spans> {
    let w = w.max(4);
    let mut chunks: Vec<Vec<Spans>> = Vec::new();
    let mut text = String::new();
    // The quote being gathered: who wrote it, and its text.
    let mut quote: Option<(String, String)> = None;
    let end_quote = |quote: &mut Option<(String, String)>, chunks: &mut Vec<Vec<Spans>>| {
        if let Some((who, inner)) = quote.take() {
            let who = wrap(&[(who, Mark::QUOTED)], w - 2);
            let lines = who.into_iter().chain(markdown(&inner, w - 2));
            chunks.push(
                lines
                    .map(|l| prefixed(QUOTE_BAR, Mark::QUOTED, l))
                    .collect(),
            );
        }
    };
    for line in body.split('\n') {
        let Some(rest) = line.strip_prefix(quotes::LINE) else {
            end_quote(&mut quote, &mut chunks);
            text.push_str(line);
            text.push('\n');
            continue;
        };
        if !text.trim().is_empty() {
            chunks.push(markdown(&text, w));
        }
        text.clear();
        let mut kind = rest.chars();
        let k = kind.next();
        let rest = kind.as_str().strip_prefix(' ').unwrap_or(kind.as_str());
        match (k, &mut quote) {
            (Some(quotes::TEXT), Some((_, inner))) => {
                inner.push_str(rest);
                inner.push('\n');
            }
            _ => {
                end_quote(&mut quote, &mut chunks);
                quote = Some((clean_line(rest), String::new()));
            }
        }
    }
    end_quote(&mut quote, &mut chunks);
    if !text.trim().is_empty() {
        chunks.push(markdown(&text, w));
    }
    let mut out: Vec<Spans> = Vec::new();
    for chunk in chunks.into_iter().filter(|c| !c.is_empty()) {
        if !out.is_empty() {
            out.push(Vec::new());
        }
        for line in chunk {
            // Only containers nested deeper than the line is wide get here.
            if width(&text_of(&line)) <= w {
                out.push(line);
            } else {
                out.extend(wrap(&line, w));
            }
        }
    }
    out
}

/// `line` after a `bar` drawn with `mark`.
fn prefixed(bar: &str, mark: Mark, mut line: Spans) -> Spans {
    line.insert(0, (bar.to_string(), mark));
    line
}

/// A one-line rendering of a post's text for search results and previews: its words without
/// markdown, a quote by reference as “quote”.
pub fn flat(source: &str) -> String {
    let mut text = String::new();
    for line in source.split('\n') {
        if quotes::parse(line).is_some() {
            text.push_str("\n\u{275d}quote\u{275e}\n\n");
        } else {
            text.push_str(line);
            text.push('\n');
        }
    }
    let words: Vec<String> = markdown(&text, usize::MAX / 4)
        .iter()
        .map(text_of)
        .filter(|l| !l.trim().is_empty())
        .collect();
    words.join(" ")
}

/// The one sanitiser, for a piece the parser produced.
fn clean_line(s: &str) -> String {
    crate::sanitize::line(s)
}

/// A block being built: its containers from the outside in.
#[derive(Clone)]
enum Container {
    Quote,
    /// A list item: its bullet, until its first line is out; then spaces as wide.
    Item {
        bullet: String,
        used: bool,
    },
}

/// Lays out markdown text in lines of at most `w` columns.
fn markdown(text: &str, w: usize) -> Vec<Spans> {
    let text = crate::sanitize::multiline(text);
    let mut out: Vec<Spans> = Vec::new();
    let mut containers: Vec<Container> = Vec::new();
    // Numbers of the open lists (None for a bulleted one).
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut inline: Spans = Vec::new();
    let mut mark = Mark::PLAIN;
    let mut marks: Vec<Mark> = Vec::new();
    let mut links: Vec<(usize, String, LinkType)> = Vec::new();
    let mut code: Option<String> = None;
    let mut gap = false;

    // Emits the inline text gathered so far as wrapped lines inside the open containers.
    fn flush(
        inline: &mut Spans,
        containers: &mut [Container],
        out: &mut Vec<Spans>,
        gap: &mut bool,
        w: usize,
    ) {
        if inline.iter().all(|(t, _)| t.trim().is_empty()) {
            inline.clear();
            return;
        }
        gap_line(containers, out, gap);
        let room = w.saturating_sub(prefix_width(containers)).max(1);
        for line in wrap(inline, room) {
            let mut l = prefix(containers);
            l.extend(line);
            out.push(l);
        }
        inline.clear();
    }
    fn gap_line(containers: &mut [Container], out: &mut Vec<Spans>, gap: &mut bool) {
        if std::mem::take(gap) && !out.is_empty() {
            let bars: Spans = containers
                .iter()
                .filter(|c| matches!(c, Container::Quote))
                .map(|_| (BAR.trim_end().to_string(), Mark::FRAME))
                .collect();
            out.push(bars);
        }
    }
    fn prefix_width(containers: &[Container]) -> usize {
        containers
            .iter()
            .map(|c| match c {
                Container::Quote => width(BAR),
                Container::Item { bullet, .. } => width(bullet),
            })
            .sum()
    }
    // The prefix of the next line; a list item's bullet only on its first.
    fn prefix(containers: &mut [Container]) -> Spans {
        let mut p = Vec::new();
        for c in containers.iter_mut() {
            match c {
                Container::Quote => p.push((BAR.to_string(), Mark::FRAME)),
                Container::Item { bullet, used } => {
                    if *used {
                        p.push((" ".repeat(width(bullet)), Mark::PLAIN));
                    } else {
                        p.push((bullet.clone(), Mark::FRAME));
                        *used = true;
                    }
                }
            }
        }
        p
    }

    let parser = Parser::new_ext(&text, Options::ENABLE_STRIKETHROUGH);
    for event in parser {
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph => {}
                Tag::Heading { .. } => {
                    flush(&mut inline, &mut containers, &mut out, &mut gap, w);
                    marks.push(mark);
                    mark = mark.with(Mark::STRONG);
                }
                Tag::BlockQuote(_) => {
                    flush(&mut inline, &mut containers, &mut out, &mut gap, w);
                    gap_line(&mut containers, &mut out, &mut gap);
                    containers.push(Container::Quote);
                }
                Tag::CodeBlock(_) | Tag::HtmlBlock => {
                    flush(&mut inline, &mut containers, &mut out, &mut gap, w);
                    code = Some(String::new());
                }
                Tag::List(start) => {
                    flush(&mut inline, &mut containers, &mut out, &mut gap, w);
                    if lists.is_empty() {
                        gap_line(&mut containers, &mut out, &mut gap);
                    }
                    lists.push(start);
                }
                Tag::Item => {
                    flush(&mut inline, &mut containers, &mut out, &mut gap, w);
                    let bullet = match lists.last_mut() {
                        Some(Some(n)) => {
                            let b = format!("{n}. ");
                            *n += 1;
                            b
                        }
                        _ => "• ".to_string(),
                    };
                    containers.push(Container::Item {
                        bullet,
                        used: false,
                    });
                }
                Tag::Emphasis => {
                    marks.push(mark);
                    mark = mark.with(Mark::EMPHASIS);
                }
                Tag::Strong => {
                    marks.push(mark);
                    mark = mark.with(Mark::STRONG);
                }
                Tag::Strikethrough => {
                    marks.push(mark);
                    mark = mark.with(Mark::STRIKE);
                }
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                } => {
                    links.push((inline.len(), dest_url.to_string(), link_type));
                    marks.push(mark);
                    mark = mark.with(Mark::LINK);
                }
                Tag::Image { dest_url, .. } => {
                    inline.push(("[image: ".to_string(), Mark::FRAME));
                    links.push((inline.len(), dest_url.to_string(), LinkType::Inline));
                    marks.push(mark);
                }
                _ => marks.push(mark),
            },
            Event::End(end) => match end {
                TagEnd::Paragraph => {
                    flush(&mut inline, &mut containers, &mut out, &mut gap, w);
                    gap = true;
                }
                TagEnd::Heading(_) => {
                    mark = marks.pop().unwrap_or_default();
                    flush(&mut inline, &mut containers, &mut out, &mut gap, w);
                    gap = true;
                }
                TagEnd::BlockQuote(_) => {
                    flush(&mut inline, &mut containers, &mut out, &mut gap, w);
                    containers.pop();
                    gap = true;
                }
                TagEnd::CodeBlock | TagEnd::HtmlBlock => {
                    let is_code = matches!(end, TagEnd::CodeBlock);
                    let body = code.take().unwrap_or_default();
                    gap_line(&mut containers, &mut out, &mut gap);
                    let indent = if is_code { "  " } else { "" };
                    let m = if is_code { Mark::CODE } else { Mark::PLAIN };
                    let room = w
                        .saturating_sub(prefix_width(&containers) + width(indent))
                        .max(1);
                    for line in body.trim_end_matches('\n').split('\n') {
                        let line = clean_line(line);
                        for piece in break_word(&line, room) {
                            let mut l = prefix(&mut containers);
                            l.push((format!("{indent}{piece}"), m));
                            out.push(l);
                        }
                    }
                    gap = true;
                }
                TagEnd::List(_) => {
                    flush(&mut inline, &mut containers, &mut out, &mut gap, w);
                    lists.pop();
                    if lists.is_empty() {
                        gap = true;
                    }
                }
                TagEnd::Item => {
                    flush(&mut inline, &mut containers, &mut out, &mut gap, w);
                    // An item with nothing in it still shows its bullet.
                    if let Some(Container::Item { used: false, .. }) = containers.last() {
                        out.push(prefix(&mut containers));
                    }
                    containers.pop();
                    gap = false;
                }
                TagEnd::Link | TagEnd::Image => {
                    mark = marks.pop().unwrap_or_default();
                    if let Some((at, dest, kind)) = links.pop() {
                        let shown = text_of(&inline[at.min(inline.len())..].to_vec());
                        let dest = clean_line(&dest);
                        let image = matches!(end, TagEnd::Image);
                        if image {
                            inline.push(("]".to_string(), Mark::FRAME));
                        }
                        let same = shown == dest
                            || matches!(kind, LinkType::Autolink | LinkType::Email)
                            || dest.is_empty();
                        if !same || image && !dest.is_empty() {
                            inline.push((format!(" ({dest})"), Mark::FRAME));
                        }
                    }
                }
                _ => mark = marks.pop().unwrap_or_default(),
            },
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => {
                if let Some(code) = &mut code {
                    code.push_str(&t);
                } else {
                    inline.push((clean_line(&t), mark));
                }
            }
            Event::Code(t) => inline.push((clean_line(&t), mark.with(Mark::CODE))),
            Event::SoftBreak | Event::HardBreak => inline.push(("\n".to_string(), mark)),
            Event::Rule => {
                flush(&mut inline, &mut containers, &mut out, &mut gap, w);
                gap_line(&mut containers, &mut out, &mut gap);
                let room = w.saturating_sub(prefix_width(&containers)).clamp(3, 40);
                let mut l = prefix(&mut containers);
                l.push(("─".repeat(room), Mark::FRAME));
                out.push(l);
                gap = true;
            }
            Event::TaskListMarker(done) => {
                inline.push((if done { "[x] " } else { "[ ] " }.to_string(), mark))
            }
            Event::FootnoteReference(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                inline.push((clean_line(&t), mark))
            }
        }
    }
    flush(&mut inline, &mut containers, &mut out, &mut gap, w);
    out
}

/// A word to place: its pieces (a word may change marks midway, as in `**this**,`), its
/// width, and the spaces before it.
struct Word {
    pieces: Spans,
    width: usize,
    space: Option<(String, Mark)>,
}

/// Wraps marked text in lines of at most `w` columns, breaking at spaces (a word wider than a
/// line is broken between characters); `"\n"` pieces break the line.
fn wrap(spans: &[(String, Mark)], w: usize) -> Vec<Spans> {
    let w = w.max(1);
    let mut lines: Vec<Spans> = Vec::new();
    let mut line: Spans = Vec::new();
    let mut used = 0;
    let mut word = Word {
        pieces: Vec::new(),
        width: 0,
        space: None,
    };
    let place = |word: &mut Word, line: &mut Spans, used: &mut usize, lines: &mut Vec<Spans>| {
        if word.pieces.is_empty() {
            return;
        }
        let space = word.space.take();
        let sw = space.as_ref().map_or(0, |(s, _)| width(s));
        if *used > 0 && *used + sw + word.width <= w {
            if let Some(s) = space {
                *used += sw;
                line.push(s);
            }
        } else if *used > 0 {
            lines.push(std::mem::take(line));
            *used = 0;
        }
        let pieces = std::mem::take(&mut word.pieces);
        if word.width <= w.saturating_sub(*used) {
            *used += word.width;
            line.extend(pieces);
        } else {
            // Longer than a line: break it between characters.
            for (text, m) in pieces {
                for g in text.graphemes(true) {
                    let gw = width(g);
                    if *used + gw > w && *used > 0 {
                        lines.push(std::mem::take(line));
                        *used = 0;
                    }
                    match line.last_mut() {
                        Some((t, lm)) if *lm == m => t.push_str(g),
                        _ => line.push((g.to_string(), m)),
                    }
                    *used += gw;
                }
            }
        }
        word.width = 0;
    };
    for (text, m) in spans {
        if text == "\n" {
            place(&mut word, &mut line, &mut used, &mut lines);
            word.space = None;
            lines.push(std::mem::take(&mut line));
            used = 0;
            continue;
        }
        for part in text.split_word_bounds() {
            if part.chars().all(char::is_whitespace) {
                place(&mut word, &mut line, &mut used, &mut lines);
                let part = part.replace(char::is_whitespace, " ");
                match &mut word.space {
                    Some((s, _)) => s.push_str(&part),
                    None => word.space = Some((part, *m)),
                }
            } else {
                match word.pieces.last_mut() {
                    Some((t, pm)) if pm == m => t.push_str(part),
                    _ => word.pieces.push((part.to_string(), *m)),
                }
                word.width += width(part);
            }
        }
    }
    place(&mut word, &mut line, &mut used, &mut lines);
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    // One piece for each run of the same marks.
    for line in &mut lines {
        let mut merged: Spans = Vec::with_capacity(line.len());
        for (t, m) in line.drain(..) {
            match merged.last_mut() {
                Some((lt, lm)) if *lm == m => lt.push_str(&t),
                _ => merged.push((t, m)),
            }
        }
        *line = merged;
    }
    lines
}

/// `s` in pieces of at most `w` columns, broken between characters.
fn break_word(s: &str, w: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut used = 0;
    for g in s.graphemes(true) {
        let gw = width(g);
        if used + gw > w && used > 0 {
            out.push(String::new());
            used = 0;
        }
        if let Some(last) = out.last_mut() {
            last.push_str(g);
        }
        used += gw;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(body: &str, w: usize) -> Vec<String> {
        lay_out(body, w).iter().map(text_of).collect()
    }

    fn marked(body: &str, w: usize, word: &str) -> Mark {
        lay_out(body, w)
            .iter()
            .flatten()
            .find(|(t, _)| t.contains(word))
            .map(|(_, m)| *m)
            .unwrap_or_else(|| panic!("{word} not in {:?}", shown(body, w)))
    }

    #[test]
    fn emphasis_strong_and_code_become_styles_not_characters() {
        let body = "I *really* needed **this**, and `code` too. ~~gone~~";
        assert_eq!(
            shown(body, 80),
            ["I really needed this, and code too. gone"]
        );
        assert!(marked(body, 80, "really").has(Mark::EMPHASIS));
        assert!(marked(body, 80, "this").has(Mark::STRONG));
        assert!(!marked(body, 80, ",").has(Mark::STRONG));
        assert!(marked(body, 80, "code").has(Mark::CODE));
        assert!(marked(body, 80, "gone").has(Mark::STRIKE));
        assert_eq!(marked(body, 80, "needed"), Mark::PLAIN);
    }

    #[test]
    fn typed_line_breaks_stay_and_paragraphs_keep_one_blank_line() {
        assert_eq!(
            shown("roses\nviolets\n\n\n\nnext", 80),
            ["roses", "violets", "", "next"]
        );
    }

    #[test]
    fn lists_quotes_headings_and_rules() {
        assert_eq!(
            shown(
                "Things:\n\n- one\n- two\n  - inner\n\n3. three\n4. four",
                80
            ),
            [
                "Things:",
                "",
                "• one",
                "• two",
                "  • inner",
                "",
                "3. three",
                "4. four"
            ]
        );
        assert_eq!(
            shown("> quoted words\n> more\n\nmine", 80),
            ["│ quoted words", "│ more", "", "mine"]
        );
        assert_eq!(shown("# Hello\ntext", 80), ["Hello", "", "text"]);
        assert!(marked("# Hello\ntext", 80, "Hello").has(Mark::STRONG));
        assert_eq!(shown("a\n\n***\n\nb", 10), ["a", "", "──────────", "", "b"]);
    }

    #[test]
    fn a_list_item_wraps_under_its_text_and_a_quote_keeps_its_bar() {
        assert_eq!(
            shown("- one two three four five", 12),
            ["• one two", "  three four", "  five"]
        );
        assert_eq!(
            shown("> one two three four", 10),
            ["│ one two", "│ three", "│ four"]
        );
    }

    #[test]
    fn links_show_their_text_and_where_they_go() {
        assert_eq!(
            shown("see [the guide](https://example.org/g) now", 80),
            ["see the guide (https://example.org/g) now"]
        );
        assert!(marked("[the guide](https://x.org)", 80, "guide").has(Mark::LINK));
        assert!(marked("[the guide](https://x.org)", 80, "x.org").has(Mark::FRAME));
        assert_eq!(shown("<https://x.org>", 80), ["https://x.org"]);
        assert_eq!(
            shown("[https://x.org](https://x.org)", 80),
            ["https://x.org"]
        );
        assert_eq!(
            shown("![a cat](https://x.org/c.png)", 80),
            ["[image: a cat] (https://x.org/c.png)"]
        );
        // The address a link claims is the one shown, whatever its text says.
        assert_eq!(
            shown("[https://bank.example](https://evil.example)", 80),
            ["https://bank.example (https://evil.example)"]
        );
    }

    #[test]
    fn code_blocks_keep_their_lines_and_break_only_when_too_wide() {
        assert_eq!(
            shown("```\nfn  main() {\n    x\n}\n```", 80),
            ["  fn  main() {", "      x", "  }"]
        );
        assert_eq!(
            shown("```\nabcdefghij\n```", 6),
            ["  abcd", "  efgh", "  ij"]
        );
        assert!(marked("```\nfn main\n```", 80, "main").has(Mark::CODE));
    }

    #[test]
    fn raw_html_is_shown_as_the_text_it_is() {
        assert_eq!(shown("<b>hi</b> <3", 80), ["<b>hi</b> <3"]);
        assert_eq!(shown("<div>\nx\n</div>", 80), ["<div>", "x", "</div>"]);
    }

    #[test]
    fn wrapping_is_by_display_width_and_never_exceeds_the_line() {
        // Each of these is two columns wide.
        let body = "日本語のテキストはとても長い 😀😀😀😀😀😀";
        for w in [4, 5, 7, 10, 13] {
            for line in shown(body, w) {
                assert!(width(&line) <= w, "{line:?} at {w}");
            }
        }
        assert_eq!(shown("aaaaaaaaaa", 4), ["aaaa", "aaaa", "aa"]);
    }

    #[test]
    fn nothing_the_parser_makes_can_carry_a_control_character() {
        // Entities decode to any character, escapes included; links and code carry text too.
        let body = "&#27;[2J &#x9b;31m &#7; [x](&#27;]52;c;) `&#27;` \\\u{1b}\n\
                    ```\n\u{1b}[31mred\n```\n<a href=\"\u{1b}\">";
        for line in lay_out(body, 40) {
            for (t, _) in &line {
                assert!(
                    !t.chars()
                        .any(|c| c.is_control() || ('\u{80}'..='\u{9f}').contains(&c)),
                    "{t:?}"
                );
            }
        }
    }

    #[test]
    fn a_quote_by_reference_is_its_own_block_and_a_typed_one_is_not() {
        let expanded = format!(
            "{l}@ ash wrote:\n{l}> wise *words*\n{l}> more\nso true\n> ash wrote:\n> fake",
            l = quotes::LINE
        );
        assert_eq!(
            shown(&expanded, 80),
            [
                "▌ ash wrote:",
                "▌ wise words",
                "▌ more",
                "",
                "so true",
                "",
                "│ ash wrote:",
                "│ fake"
            ]
        );
        assert!(marked(&expanded, 80, "ash").has(Mark::QUOTED));
        assert!(marked(&expanded, 80, "words").has(Mark::EMPHASIS));
        let typed = lay_out(&expanded, 80);
        assert!(!typed[6][1].1.has(Mark::QUOTED), "{:?}", typed[6]);
        // Two quotes one after the other are two blocks; an unavailable one says so.
        let two = format!(
            "{l}@ ash wrote:\n{l}> one\n{}\n",
            quotes::UNAVAILABLE,
            l = quotes::LINE
        );
        assert_eq!(
            shown(&two, 80),
            [
                "▌ ash wrote:",
                "▌ one",
                "",
                "▌ a quoted post that is not available"
            ]
        );
    }

    #[test]
    fn a_member_cannot_type_a_quote_by_reference() {
        let typed = format!("{}@ ash wrote:", quotes::LINE);
        let stored = crate::sanitize::multiline(&typed);
        assert!(!stored.contains(quotes::LINE));
        assert_eq!(shown(&stored, 80), ["@ ash wrote:"]);
    }

    #[test]
    fn flat_text_for_results_has_no_markdown_and_names_a_quote() {
        assert_eq!(
            flat("[quote #12]\n**so** true, see [this](https://x.org)\n\n- a\n- b"),
            "\u{275d}quote\u{275e} so true, see this (https://x.org) • a • b"
        );
    }
}
