//! Notifications: who is told about a new post (the thread's author, members it mentions),
//! and each member's list of them.

use super::{Result, Service};
use crate::domain::{PostId, User};
use crate::store::events;
use crate::store::notifications::{self, Notification};
use crate::store::visibility::Reader;

/// Notifications listed at most.
const LIST_MAX: i64 = 200;

impl Service {
    /// Tells the members a post concerns (its thread's starter, members it mentions) that it
    /// is out; see `notifications::deliver` for who is told and who is not.
    pub(super) fn notify_post(&self, post: PostId, body: &str) -> Result<()> {
        self.write(|c| Ok(notify_within(c, post, body)?))
    }

    /// The member's notifications, newest first; opening them marks them read.
    pub fn notifications(&self, user: &User) -> Result<Vec<Notification>> {
        let list = self
            .store
            .read(|c| notifications::list(c, &Reader::of(user), LIST_MAX))?;
        if list.iter().any(|n| n.unread) {
            self.write(|c| {
                notifications::mark_all_read(c, user.id)?;
                Ok(events::counts_changed(c, user.id)?)
            })?;
        }
        Ok(list)
    }

    /// Dismisses some of the member's notifications (theirs only: others' ids do nothing).
    pub fn dismiss_notifications(&self, user: &User, ids: &[i64]) -> Result<String> {
        let n = self.write(|c| {
            let n = notifications::dismiss(c, user.id, ids)?;
            events::counts_changed(c, user.id)?;
            Ok(n)
        })?;
        Ok(if n == 1 {
            "Dismissed.".to_string()
        } else {
            format!("Dismissed {n}.")
        })
    }

    /// Unread notifications (for the header).
    pub fn unread_notifications(&self, user: &User) -> Result<i64> {
        Ok(self
            .store
            .read(|c| notifications::unread(c, &Reader::of(user)))?)
    }
}

/// Delivers a post's notifications inside the caller's transaction (the post's own, so a post
/// costs one durable write), in a savepoint of their own: a failure rolls back the
/// notifications alone and is returned for the caller to log, never to fail the post.
pub(super) fn notify_within(
    c: &rusqlite::Connection,
    post: PostId,
    body: &str,
) -> crate::store::Result<()> {
    c.execute_batch("SAVEPOINT notify")?;
    match notifications::deliver(c, post, &notifications::mentions(body)) {
        Ok(_) => Ok(c.execute_batch("RELEASE notify")?),
        Err(e) => {
            c.execute_batch("ROLLBACK TO notify; RELEASE notify")?;
            Err(e)
        }
    }
}
