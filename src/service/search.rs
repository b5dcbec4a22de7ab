//! Search: words, `word*` prefixes, "phrases", and the filters `by:handle`, `board:slug`,
//! `since:YYYY-MM-DD` and `before:YYYY-MM-DD`, over what the member may see.

use super::{Result, Service, ServiceError};
use crate::domain::User;
use crate::store::search::{self, Filters, Hit};
use crate::store::visibility::Reader;
use crate::store::{boards, users};

/// Results on one page of a search.
pub const SEARCH_PAGE: i64 = search::RESULTS_MAX;

/// A search as the member typed it, understood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Words that must all match: whole words, or a prefix (`sleep*`).
    pub words: Vec<(String, bool)>,
    /// Phrases whose words must come in this order.
    pub phrases: Vec<Vec<String>>,
    pub by: Option<String>,
    pub board: Option<String>,
    pub since: Option<i64>,
    pub before: Option<i64>,
}

impl Query {
    /// The FTS5 query: every word and phrase quoted (nothing a member types is FTS syntax), a
    /// prefix with its `*` outside the quotes. None when there is nothing to match.
    pub fn fts(&self) -> Option<String> {
        let mut parts: Vec<String> = self
            .words
            .iter()
            .map(|(w, prefix)| format!("\"{w}\"{}", if *prefix { "*" } else { "" }))
            .collect();
        parts.extend(self.phrases.iter().map(|p| format!("\"{}\"", p.join(" "))));
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// The words to mark in results (a prefix marks the words it starts).
    pub fn marks(&self) -> Vec<String> {
        let mut out: Vec<String> = self.words.iter().map(|(w, _)| w.clone()).collect();
        out.extend(self.phrases.iter().flatten().cloned());
        out
    }
}

/// What a malformed query is told: how to write it.
const FILTERS: &str = "Filters are by:handle, board:slug, since:2026-11-30 and before:2026-12-01.";

/// Understands what a member typed into the search line; a malformed query is told why.
pub fn parse(text: &str) -> std::result::Result<Query, String> {
    let mut q = Query::default();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('"') {
            let Some(end) = after.find('"') else {
                return Err("A phrase needs its closing quote: \"like this\".".into());
            };
            let words = split_words(&after[..end]);
            match words.len() {
                0 => {}
                1 => q.words.push((words[0].clone(), false)),
                _ => q.phrases.push(words),
            }
            rest = after[end + 1..].trim_start();
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..end];
        rest = rest[end..].trim_start();
        // A filter is `name:value`; "Re:" or "anxiety:" (nothing after the colon) and an
        // address ("https://…") are words like any other.
        if let Some((name, value)) = token.split_once(':')
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphabetic())
            && (!value.is_empty()
                || ["by", "board", "since", "before"].contains(&name.to_ascii_lowercase().as_str()))
            && !value.starts_with("//")
        {
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "by" if !value.is_empty() => q.by = Some(value.trim_start_matches('@').into()),
                "board" if !value.is_empty() => q.board = Some(value.to_lowercase()),
                "since" => q.since = Some(date(value)?),
                "before" => q.before = Some(date(value)?),
                _ => return Err(format!("\u{201c}{token}\u{201d}? {FILTERS}")),
            }
            continue;
        }
        let prefix = token.ends_with('*');
        let words = split_words(token);
        if prefix && words.len() == 1 {
            if words[0].chars().count() < 2 {
                return Err("A prefix needs at least two letters before the *.".into());
            }
            q.words.push((words[0].clone(), true));
        } else {
            q.words.extend(words.into_iter().map(|w| (w, false)));
        }
    }
    if q.words.len() + q.phrases.iter().map(Vec::len).sum::<usize>() > 12 {
        return Err("That is a lot of words: twelve at most.".into());
    }
    // A filter alone is a question too ("what was written since Monday"): newest first.
    if q.fts().is_none()
        && q.by.is_none()
        && q.board.is_none()
        && q.since.is_none()
        && q.before.is_none()
    {
        return Err(
            "Type some words to look for, or a filter. \"Quotes\" keep a phrase \
                    together; word* finds what starts so. "
                .to_string()
                + FILTERS,
        );
    }
    Ok(q)
}

fn split_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn date(value: &str) -> std::result::Result<i64, String> {
    crate::domain::parse_date(value)
        .ok_or_else(|| format!("\u{201c}{value}\u{201d} is not a date: write it 2026-11-30."))
}

impl Service {
    /// One page (from `offset`) of the posts matching `text` (see [`parse`]): best matches
    /// first, or newest first once a filter narrows the search.
    pub fn search_page(&self, reader: &User, text: &str, offset: i64) -> Result<Vec<Hit>> {
        let reader = self.current(reader)?;
        let q = parse(text).map_err(ServiceError::Refused)?;
        // An unknown author and a known one with nothing visible look the same; so do a board
        // that does not exist and one the member may not read.
        let author = match &q.by {
            Some(handle) => Some(
                self.store
                    .read(|c| users::by_handle(c, handle))?
                    .map(|u| u.id)
                    .unwrap_or(crate::domain::UserId(-1)),
            ),
            None => None,
        };
        let board = match &q.board {
            Some(slug) => Some(
                self.store
                    .read(|c| boards::by_slug(c, slug))?
                    .unwrap_or(crate::domain::BoardId(-1)),
            ),
            None => None,
        };
        // A date is the member's day: from midnight where they are, not UTC's.
        let zone = self
            .time_zone(&reader)?
            .and_then(|name| crate::clock::time_zone(&name).ok().flatten())
            .map(|(_, zone)| zone);
        let day = |d: Option<i64>| match &zone {
            Some(zone) => d.map(|d| crate::clock::start_of_day(d, zone)),
            None => d,
        };
        let filters = Filters {
            author,
            board,
            since: day(q.since),
            before: day(q.before),
        };
        let query = q.fts();
        let mut hits = self.store.read(|c| {
            search::search(
                c,
                &Reader::of(&reader),
                query.as_deref(),
                &filters,
                offset.max(0),
            )
        })?;
        let muted = self.store.read(|c| users::muted_words(c, reader.id))?;
        for h in &mut hits {
            h.muted = !h.mine
                && muted.iter().any(|w| {
                    crate::domain::contains_word(&h.body, w)
                        || crate::domain::contains_word(&h.thread_title, w)
                        || crate::domain::contains_word(
                            h.content_warning.as_deref().unwrap_or_default(),
                            w,
                        )
                });
        }
        Ok(hits)
    }

    /// The first page of [`Service::search_page`].
    pub fn search(&self, reader: &User, text: &str) -> Result<Vec<Hit>> {
        self.search_page(reader, text, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_words_prefixes_phrases_and_filters_and_nothing_becomes_fts_syntax() {
        let q = parse("sleep* \"bad night\" by:@ash board:Support since:2026-11-01 OR x")
            .expect("parse");
        assert_eq!(
            q.words,
            vec![
                ("sleep".into(), true),
                ("OR".into(), false),
                ("x".into(), false)
            ]
        );
        assert_eq!(
            q.phrases,
            vec![vec!["bad".to_string(), "night".to_string()]]
        );
        assert_eq!(q.by.as_deref(), Some("ash"));
        assert_eq!(q.board.as_deref(), Some("support"));
        assert_eq!(q.since, crate::domain::parse_date("2026-11-01"));
        assert_eq!(
            q.fts().as_deref(),
            Some("\"sleep\"* \"OR\" \"x\" \"bad night\"")
        );
        // Quotes and stars inside words, NEAR(), a minus: all plain words.
        let q = parse("NEAR(a b) -c \"d\"e").expect("parse");
        assert_eq!(
            q.fts().as_deref(),
            Some("\"NEAR\" \"a\" \"b\" \"c\" \"d\" \"e\"")
        );
    }

    #[test]
    fn a_malformed_query_says_how_to_write_it() {
        for (text, says) in [
            ("\"never closed", "closing quote"),
            ("colour:blue", "Filters are"),
            ("since:yesterday", "write it 2026-11-30"),
            ("before:2026-02-30", "is not a date"),
            ("a*", "at least two letters"),
            ("", "Type some words"),
            ("board:", "Filters are"),
        ] {
            let err = parse(text).expect_err(text);
            assert!(err.contains(says), "{text:?}: {err}");
        }
    }

    #[test]
    fn a_colon_with_nothing_after_it_or_an_address_is_words_and_a_date_alone_is_a_query() {
        let q = parse("Re: anxiety: https://example.org/help").expect("words");
        let words: Vec<String> = q.words.iter().map(|(w, _)| w.to_lowercase()).collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        assert!(
            words.contains(&"re") && words.contains(&"anxiety") && words.contains(&"example"),
            "{words:?}"
        );
        assert!(q.by.is_none() && q.board.is_none());
        let q = parse("since:2026-12-01").expect("a date alone");
        assert!(q.since.is_some() && q.fts().is_none());
        assert!(parse("before:2026-12-01").is_ok());
    }
}
