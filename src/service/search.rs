//! Search: words and `by:handle`, over what the member may see.

use super::{Result, Service, ServiceError};
use crate::domain::User;
use crate::store::search::{self, Hit};
use crate::store::users;
use crate::store::visibility::Reader;

impl Service {
    /// Posts matching `text`: its words (all of them, anywhere in a title or post) and, with
    /// `by:handle`, only posts that member wrote under their name.
    pub fn search(&self, reader: &User, text: &str) -> Result<Vec<Hit>> {
        let reader = self.current(reader)?;
        let mut author = None;
        let mut words = Vec::new();
        for token in text.split_whitespace() {
            match token.strip_prefix("by:") {
                Some(handle) => {
                    let handle = handle.trim_start_matches('@');
                    // An unknown author and a known one with nothing visible look the same.
                    author = Some(
                        self.store
                            .read(|c| users::by_handle(c, handle))?
                            .map(|u| u.id)
                            .unwrap_or(crate::domain::UserId(-1)),
                    );
                }
                None => words.push(token),
            }
        }
        let query = search::fts_query(&words.join(" "));
        if query.is_none() && author.is_none() {
            return Err(ServiceError::Refused(
                "Type some words to look for, and/or by:handle.".into(),
            ));
        }
        let mut hits = self
            .store
            .read(|c| search::search(c, &Reader::of(&reader), query.as_deref(), author))?;
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
}
