//! Quotes: a reply quotes a post with a line `[quote #ID]`, expanded for each reader when the
//! thread is read, so a quote is never a copy that outlives its post.
//!
//! Blocks (DESIGN.md §5): a member cannot quote someone who blocked them. Their quote of that
//! member's named post shows, to everyone but themselves, as unavailable; they see it as they
//! wrote it, so nothing tells them of the block. An anonymous post's quote shows whoever wrote
//! it (a block never acts on anonymous posts, §6). A quoted post the reader may not see (hidden,
//! deleted, by someone they blocked) is unavailable to them.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use super::posts::{DELETED_AUTHOR, POST_VISIBLE, THREAD_VISIBLE, pseudonym};
use crate::domain::{PostId, UserId};

/// Quotes expanded per post at most; lines of a quoted post shown at most.
const QUOTES_MAX: usize = 3;
const QUOTED_LINES: usize = 6;

/// Shown in place of a quote the reader may not see.
pub const UNAVAILABLE: &str = "> [a quoted post that is not available]";

/// The quote line for a post, as the composer inserts it.
pub fn marker(post: PostId) -> String {
    format!("[quote #{post}]")
}

/// The post id a line quotes, if the line is a quote marker.
fn parse(line: &str) -> Option<PostId> {
    let id = line.trim().strip_prefix("[quote #")?.strip_suffix(']')?;
    id.parse().ok().map(PostId)
}

/// Expands the quote lines of `body`, written by `writer`, for `reader`.
pub fn expand(
    c: &Connection,
    reader: UserId,
    writer: Option<UserId>,
    body: &str,
) -> Result<String> {
    if !body.contains("[quote #") {
        return Ok(body.to_string());
    }
    let mut stmt = c.prepare_cached(&format!(
        "SELECT p.anonymous, p.author_id, u.handle, t.anon_salt, p.body,
                p.anonymous = 0 AND EXISTS (SELECT 1 FROM blocks bq
                    WHERE bq.blocker_id = p.author_id AND bq.blocked_id = ?2)
           FROM posts p JOIN threads t ON t.id = p.thread_id
           LEFT JOIN users u ON u.id = p.author_id
          WHERE p.id = ?3 AND {POST_VISIBLE} AND {THREAD_VISIBLE}"
    ))?;
    let mut out = Vec::new();
    let mut expanded = 0;
    for line in body.split('\n') {
        let Some(post) = parse(line).filter(|_| expanded < QUOTES_MAX) else {
            out.push(line.to_string());
            continue;
        };
        expanded += 1;
        let found = stmt
            .query_row(params![reader, writer, post], |r| {
                let anonymous: bool = r.get(0)?;
                let author: Option<UserId> = r.get(1)?;
                let handle: Option<String> = r.get(2)?;
                let salt: Vec<u8> = r.get(3)?;
                let name = if anonymous {
                    pseudonym(&salt, author)
                } else {
                    handle.unwrap_or_else(|| DELETED_AUTHOR.to_string())
                };
                Ok((name, r.get::<_, String>(4)?, r.get::<_, bool>(5)?))
            })
            .optional()?;
        match found {
            // Blocked by the quoted author: only the quoting member sees their quote.
            Some((_, _, true)) if writer != Some(reader) => out.push(UNAVAILABLE.to_string()),
            Some((name, text, _)) => {
                out.push(format!("> {name} wrote:"));
                let lines: Vec<&str> = text.split('\n').filter(|l| parse(l).is_none()).collect();
                for l in lines.iter().take(QUOTED_LINES) {
                    out.push(format!("> {l}"));
                }
                if lines.len() > QUOTED_LINES {
                    out.push("> …".to_string());
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
