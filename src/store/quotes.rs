//! Quotes: a reply quotes a post with a line `[quote #ID]`, expanded for each reader when the
//! thread is read, so a quote is never a copy that outlives its post.
//!
//! What a quote shows depends only on the quoted post and the reader (DESIGN.md §5, §6): the
//! quoted post as the reader would see it, or "not available" when they may not see it. It
//! never depends on who wrote the quoting post — which may be anonymous — nor on any block
//! between the quoter and the quoted, so neither a block nor an anonymous author can be read
//! off a quote.

use rusqlite::{Connection, OptionalExtension};

use super::Result;
use super::visibility::{self, Reader, shown_author};
use crate::domain::{PostId, UserId};

/// Quotes expanded per post at most; lines of a quoted post shown at most.
const QUOTES_MAX: usize = 3;
const QUOTED_LINES: usize = 6;

/// Starts every line an expanded quote adds. A C0 control: the sanitiser removes it from all
/// member text before it is stored, so no member can type a line that draws as a quote by
/// reference (`tui::rich` draws these lines; anything else that shows text sanitises it away).
pub const LINE: char = '\u{1}';

/// The kinds of line an expansion adds, each after [`LINE`] and before a space.
pub const WHO: char = '@';
pub const WARNED: char = '!';
pub const TEXT: char = '>';
pub const GONE: char = '?';

/// Shown in place of a quote the reader may not see.
pub const UNAVAILABLE: &str = "\u{1}? a quoted post that is not available";

/// The quote line for a post, as the composer inserts it.
pub fn marker(post: PostId) -> String {
    format!("[quote #{post}]")
}

/// The post id a line quotes, if the line is a quote marker.
pub fn parse(line: &str) -> Option<PostId> {
    let id = line.trim().strip_prefix("[quote #")?.strip_suffix(']')?;
    id.parse().ok().map(PostId)
}

/// Expands the quote lines of `body` for `reader`: each marker line becomes a line saying who
/// wrote the quoted post, then up to six of its lines, each starting with [`LINE`].
pub fn expand(c: &Connection, reader: &Reader, body: &str) -> Result<String> {
    if !body.contains("[quote #") {
        return Ok(body.to_string());
    }
    let mut stmt = c.prepare_cached(&format!(
        "SELECT p.anonymous, p.author_id, u.handle, t.anon_salt, p.body, p.content_warning
           FROM posts p JOIN threads t ON t.id = p.thread_id
           LEFT JOIN users u ON u.id = p.author_id
          WHERE p.id = :post AND {}",
        visibility::post_visible()
    ))?;
    let mut out = Vec::new();
    let mut expanded = 0;
    for line in body.split('\n') {
        let Some(post) = parse(line).filter(|_| expanded < QUOTES_MAX) else {
            out.push(line.to_string());
            continue;
        };
        expanded += 1;
        let params = reader.bind(&stmt, &[(":post", &post)])?;
        let found = stmt
            .query_row(&*params, |r| {
                let author: Option<UserId> = r.get(1)?;
                let name = shown_author(r.get(0)?, &r.get::<_, Vec<u8>>(3)?, author, r.get(2)?);
                Ok((name, r.get::<_, String>(4)?, r.get::<_, Option<String>>(5)?))
            })
            .optional()?;
        match found {
            // A quoted post behind a content warning stays behind it here too.
            Some((name, _, Some(cw))) => out.push(format!(
                "{LINE}{WARNED} {name} wrote (⚠ CW: {}): open the quoted post to read it",
                crate::sanitize::line(&cw)
            )),
            Some((name, text, None)) => {
                out.push(format!("{LINE}{WHO} {name} wrote:"));
                let lines: Vec<&str> = text.split('\n').filter(|l| parse(l).is_none()).collect();
                for l in lines.iter().take(QUOTED_LINES) {
                    out.push(format!("{LINE}{TEXT} {l}"));
                }
                if lines.len() > QUOTED_LINES {
                    out.push(format!("{LINE}{TEXT} …"));
                }
            }
            None => out.push(UNAVAILABLE.to_string()),
        }
    }
    Ok(out.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_whole_marker_line_is_a_quote() {
        assert_eq!(parse("[quote #12]"), Some(PostId(12)));
        assert_eq!(parse("  [quote #7]  "), Some(PostId(7)));
        assert_eq!(parse("see [quote #7]"), None);
        assert_eq!(parse("[quote #x]"), None);
        assert_eq!(marker(PostId(3)), "[quote #3]");
    }
}
