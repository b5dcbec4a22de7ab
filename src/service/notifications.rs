//! Notifications: who is told about a new post (the thread's author, members it mentions),
//! and each member's list of them.

use super::{Result, Service};
use crate::domain::{AccountStatus, PostId, ThreadId, User, UserId};
use crate::store::events;
use crate::store::notifications::{self, Notification};
use crate::store::{blocks, users};

/// Notifications listed at most.
const LIST_MAX: i64 = 200;

impl Service {
    /// Tells the thread's author of a reply and each mentioned member of a mention. A named
    /// post by someone a recipient blocked tells that recipient nothing; an anonymous one names
    /// no one and is not held back by blocks (that would reveal its author).
    pub(super) fn notify_post(
        &self,
        author: &User,
        thread: ThreadId,
        post: PostId,
        body: &str,
        anonymous: bool,
    ) -> Result<()> {
        let names = notifications::mentions(body);
        self.store.write(|c| {
            let mut told: Vec<UserId> = Vec::new();
            let mut recipients: Vec<(UserId, &str)> = Vec::new();
            for name in &names {
                if let Some(u) = users::by_handle(c, name)?
                    && u.status == AccountStatus::Active
                {
                    recipients.push((u.id, "mention"));
                }
            }
            let starter: Option<UserId> = c
                .prepare_cached("SELECT author_id FROM threads WHERE id = ?1")?
                .query_row([thread], |r| r.get(0))?;
            if let Some(s) = starter {
                recipients.push((s, "reply"));
            }
            for (to, kind) in recipients {
                if to == author.id || told.contains(&to) {
                    continue;
                }
                if !anonymous && blocks::is_blocked(c, to, author.id)? {
                    continue;
                }
                let actor = (!anonymous).then_some(author.id);
                notifications::add(c, to, kind, actor, thread, post)?;
                events::counts_changed(c, to)?;
                told.push(to);
            }
            Ok(())
        })?;
        self.hub.poke();
        Ok(())
    }

    /// The member's notifications, newest first; opening them marks them read.
    pub fn notifications(&self, user: &User) -> Result<Vec<Notification>> {
        let list = self
            .store
            .read(|c| notifications::list(c, user.id, LIST_MAX))?;
        if list.iter().any(|n| n.unread) {
            self.store.write(|c| {
                notifications::mark_all_read(c, user.id)?;
                events::counts_changed(c, user.id)
            })?;
            self.hub.poke();
        }
        Ok(list)
    }

    /// Unread notifications (for the header).
    pub fn unread_notifications(&self, user: &User) -> Result<i64> {
        Ok(self.store.read(|c| notifications::unread(c, user.id))?)
    }
}
