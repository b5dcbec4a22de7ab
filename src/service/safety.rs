//! A member's own protections: blocks, muted words and the private safety plan.

use super::*;

/// Longest safety plan: room for a real plan, not a place to store files.
pub const PLAN_MAX: usize = 8_000;

impl Service {
    /// Blocks the author of a post, as the reader sees it. A named author is blocked everywhere;
    /// an anonymous one is hidden in that thread only, under their pseudonym (a block must
    /// never tell anyone who wrote an anonymous post). Returns what to tell the member, and
    /// whether the thread itself is now out of their sight (they blocked who started it). The
    /// blocked member is never told.
    pub fn block_author(&self, user: &User, post: PostId) -> Result<(String, bool)> {
        // Only the author of a post the member can see (a stale screen must not name anyone).
        self.store
            .read(|c| visibility::can_see_post(c, &Reader::of(user), post))?
            .ok_or(ServiceError::NotFound("post"))?;
        let (author, thread) = self
            .store
            .read(|c| blocks::post_author(c, post))?
            .ok_or(ServiceError::NotFound("post"))?;
        if author.is(user.id) {
            return Ok(("That is your own post.".into(), false));
        }
        let author = match author {
            PostAuthor::Gone => return Err(ServiceError::NotFound("author")),
            PostAuthor::Masked(masked) => {
                let name = self.write(|c| {
                    blocks::hide_pseudonym(c, user.id, thread, &masked)?;
                    Ok(visibility::pseudonym_in(c, thread, &masked)?)
                })?;
                return Ok((
                    format!("You will no longer see {name}'s posts in this thread."),
                    false,
                ));
            }
            PostAuthor::Named(id) => id,
        };
        let handle = self
            .user(author)?
            .map(|u| u.handle)
            .unwrap_or_else(|| visibility::DELETED_AUTHOR.to_string());
        self.write(|c| Ok(blocks::block(c, user.id, author)?))?;
        let their_thread = self
            .store
            .read(|c| posts::thread_started_by(c, thread, author))?;
        Ok((
            format!(
                "You blocked {}. You will not see their posts, threads or messages; they are not told.",
                crate::sanitize::line(&handle)
            ),
            their_thread,
        ))
    }

    /// Unblocks the member called `handle`; everything of theirs shows again.
    pub fn unblock(&self, user: &User, handle: &str) -> Result<String> {
        let target = self.member(handle)?;
        let done = self
            .store
            .write(|c| blocks::unblock(c, user.id, target.id))?;
        let name = crate::sanitize::line(&target.handle);
        Ok(if done {
            format!("You unblocked {name}.")
        } else {
            format!("You had not blocked {name}.")
        })
    }

    /// The handles the member blocked.
    pub fn blocked(&self, user: &User) -> Result<Vec<String>> {
        Ok(self.store.read(|c| blocks::list(c, user.id))?)
    }

    /// Most muted words a member keeps, and the longest one.
    pub const MUTED_MAX: usize = 100;
    pub const MUTED_WORD_MAX: usize = 60;

    pub fn muted_words(&self, user: &User) -> Result<Vec<String>> {
        Ok(self.store.read(|c| users::muted_words(c, user.id))?)
    }

    /// Replaces the member's muted words from a comma-separated list.
    pub fn set_muted_words(&self, user: &User, list: &str) -> Result<Vec<String>> {
        let mut words: Vec<String> = crate::sanitize::line(list)
            .split(',')
            .map(|w| w.trim().to_lowercase())
            .filter(|w| !w.is_empty())
            .map(|w| w.chars().take(Self::MUTED_WORD_MAX).collect())
            .collect();
        words.sort();
        words.dedup();
        words.truncate(Self::MUTED_MAX);
        self.write(|c| Ok(users::set_muted_words(c, user.id, &words)?))?;
        Ok(words)
    }

    /// The member's own safety plan. Never logged, never shown to anyone else.
    pub fn safety_plan(&self, user: &User) -> Result<Option<String>> {
        Ok(self.store.read(|c| users::safety_plan(c, user.id))?)
    }

    /// Saves the member's safety plan (cleaned, capped; empty clears it). Never logged.
    pub fn set_safety_plan(&self, user: &User, text: &str) -> Result<()> {
        let text: String = crate::sanitize::multiline(text)
            .chars()
            .take(PLAN_MAX)
            .collect();
        let text = text.trim_end();
        let value = (!text.trim().is_empty()).then_some(text);
        Ok(self
            .store
            .write(|c| users::set_safety_plan(c, user.id, value))?)
    }
}
