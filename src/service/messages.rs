//! Private messages (DESIGN.md §4, §5): one-to-one conversations that honour blocks both ways.
//!
//! A member who blocked someone cannot write to them (they are told: they did it) and never
//! sees what that member sends. A member who was blocked can still write, and sees their
//! message as sent: it is kept for them only, so nothing tells them of the block.

use super::{Result, Service, ServiceError};
use crate::domain::policy::Action;
use crate::domain::{AccountStatus, PostId, User, UserId, validate};
use crate::store::events;
use crate::store::messages::{self, ConversationSummary, Message};
use crate::store::{blocks, users};

/// Messages shown per page of a conversation.
pub const MESSAGES_PER_PAGE: i64 = 50;
/// Longest private message.
pub const MESSAGE_MAX: usize = 8_000;

/// A page of a conversation as its reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub with: UserId,
    pub handle: String,
    /// Oldest first.
    pub messages: Vec<Message>,
    /// Older messages exist before the first one shown.
    pub older: bool,
}

impl Service {
    /// The member's conversations, newest first.
    pub fn inbox(&self, user: &User) -> Result<Vec<ConversationSummary>> {
        Ok(self.store.read(|c| messages::inbox(c, user.id))?)
    }

    /// Unread private messages (for the header).
    pub fn unread_messages(&self, user: &User) -> Result<i64> {
        Ok(self.store.read(|c| messages::unread(c, user.id))?)
    }

    /// The member someone may write to, by handle: not themselves, not deleted, not someone
    /// they blocked.
    pub fn correspondent(&self, user: &User, handle: &str) -> Result<User> {
        let other = self
            .store
            .read(|c| users::by_handle(c, handle.trim().trim_start_matches('@')))?
            .filter(|u| u.status != AccountStatus::Deleted)
            .ok_or_else(|| ServiceError::NoSuchMember(crate::sanitize::line(handle.trim())))?;
        self.check_correspondent(user, &other)?;
        Ok(other)
    }

    fn check_correspondent(&self, user: &User, other: &User) -> Result<()> {
        if other.id == user.id {
            return Err(ServiceError::Refused(
                "That is you. Your safety plan (F1, then e) is a private place to write to yourself."
                    .into(),
            ));
        }
        if self
            .store
            .read(|c| blocks::is_blocked(c, user.id, other.id))?
        {
            return Err(ServiceError::Refused(format!(
                "You blocked {}. Unblock them in settings to write to them.",
                crate::sanitize::line(&other.handle)
            )));
        }
        Ok(())
    }

    /// The author of a post, to write to (never an anonymous one).
    pub fn post_correspondent(&self, user: &User, post: PostId) -> Result<User> {
        let other = self.named_author(
            user,
            post,
            "Anonymous posters cannot be written to privately.",
        )?;
        self.check_correspondent(user, &other)?;
        Ok(other)
    }

    /// A post's author, when it is not anonymous (else `refusal`) and their account exists.
    fn named_author(&self, reader: &User, post: PostId, refusal: &str) -> Result<User> {
        // Only for a post the reader can see (a stale screen must not name anyone), or a named
        // post hidden from them because they blocked its author: they know who that is.
        let visible = self
            .store
            .read(|c| {
                crate::store::visibility::can_see_post(
                    c,
                    &crate::store::visibility::Reader::of(reader),
                    post,
                )
            })?
            .is_some();
        let (author, _) = self
            .store
            .read(|c| blocks::post_author(c, post))?
            .ok_or(ServiceError::NotFound("post"))?;
        if !visible {
            let blocked = match author.named() {
                Some(a) => self.store.read(|c| blocks::is_blocked(c, reader.id, a))?,
                None => false,
            };
            if !blocked {
                return Err(ServiceError::NotFound("post"));
            }
        }
        if author.is_anonymous() {
            return Err(ServiceError::Refused(refusal.into()));
        }
        author
            .named()
            .and_then(|a| self.user(a).ok().flatten())
            .filter(|u| u.status != AccountStatus::Deleted)
            .ok_or(ServiceError::NotFound("member"))
    }

    /// A page of the conversation with `with`, newest last, before message `before` (None for
    /// the newest). Opening the newest page marks the conversation read.
    pub fn conversation(
        &self,
        user: &User,
        with: UserId,
        before: Option<i64>,
    ) -> Result<Conversation> {
        let other = self
            .user(with)?
            .filter(|u| u.status != AccountStatus::Deleted)
            .ok_or(ServiceError::NotFound("member"))?;
        self.check_correspondent(user, &other)?;
        let Some(id) = self.store.read(|c| messages::between(c, user.id, with))? else {
            return Ok(Conversation {
                with,
                handle: other.handle,
                messages: vec![],
                older: false,
            });
        };
        let mut page = self
            .store
            .read(|c| messages::page(c, user.id, id, before, MESSAGES_PER_PAGE + 1))?;
        let older = page.len() as i64 > MESSAGES_PER_PAGE;
        if older {
            page.remove(0);
        }
        if before.is_none() && self.write(|c| Ok(messages::mark_read(c, user.id, id)?))? > 0 {
            // The member's other sessions update their unread counts.
            self.write(|c| Ok(events::counts_changed(c, user.id)?))?;
        }
        Ok(Conversation {
            with,
            handle: other.handle,
            messages: page,
            older,
        })
    }

    /// Sends a private message. Refused (with the text kept by the caller) for new members
    /// writing to anyone but staff, silenced members writing to anyone but staff, and members
    /// writing to someone they blocked. A message to someone who blocked the sender is kept
    /// for the sender only.
    pub fn send_message(&self, user: &User, to: UserId, body: &str) -> Result<()> {
        let user = self.promote_if_due(self.current(user)?)?;
        let other = self
            .user(to)?
            .filter(|u| u.status != AccountStatus::Deleted)
            .ok_or(ServiceError::NotFound("member"))?;
        self.can(&user, Action::SendMessage(&other))?;
        self.check_correspondent(&user, &other)?;
        // A banned or waiting account still receives (and reads it when back): refusing would
        // tell the sender about a moderation decision that is not theirs to know.
        let body = validate::body(body)?;
        if body.chars().count() > MESSAGE_MAX {
            return Err(ServiceError::Refused(format!(
                "A private message can be up to {MESSAGE_MAX} characters. Your text is kept."
            )));
        }
        if let Some(word) = crate::domain::watched_word(&body, &self.config().watched.block) {
            return Err(ServiceError::Watched(word.to_string()));
        }
        self.write(|c| {
            let withheld = blocks::is_blocked(c, other.id, user.id)?;
            let conversation = messages::open(c, user.id, other.id)?;
            messages::send(c, conversation, user.id, &body, withheld)?;
            events::counts_changed(c, user.id)?;
            if !withheld {
                events::counts_changed(c, other.id)?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Blocks a member by id (from a conversation). They are not told.
    pub fn block_member(&self, user: &User, member: UserId) -> Result<String> {
        let other = self
            .user(member)?
            .filter(|u| u.id != user.id)
            .ok_or(ServiceError::NotFound("member"))?;
        self.write(|c| Ok(blocks::block(c, user.id, other.id)?))?;
        Ok(format!(
            "You blocked {}. You will not see their posts, threads or messages; they are not told.",
            crate::sanitize::line(&other.handle)
        ))
    }
}

impl Service {
    /// Who is online, as this member may see it: members who chose to be seen, minus anyone
    /// they blocked (never minus anyone who blocked them: that would show the block). Only this process's sessions count (the console is the sysop).
    pub fn who_is_online(&self, user: &User) -> Result<Vec<String>> {
        // An account still waiting for approval reads the welcome board, and meets nobody.
        if self.current(user)?.status == AccountStatus::Pending {
            return Ok(Vec::new());
        }
        let online = self.hub.online();
        Ok(self
            .store
            .read(|c| users::visible_online(c, user.id, &online))?)
    }

    pub fn presence_visible(&self, user: &User) -> Result<bool> {
        Ok(self.store.read(|c| users::presence_visible(c, user.id))?)
    }

    /// Shows or hides the member in "who's online".
    pub fn set_presence(&self, user: &User, visible: bool) -> Result<String> {
        self.write(|c| Ok(users::set_presence_visible(c, user.id, visible)?))?;
        self.hub.presence_changed();
        Ok(if visible {
            "You now show in who's online (to members who have not blocked you)."
        } else {
            "You are invisible: nobody sees when you are here."
        }
        .into())
    }

    /// Blocks a member by handle (settings). They are not told.
    pub fn block_handle(&self, user: &User, handle: &str) -> Result<String> {
        let handle = handle.trim().trim_start_matches('@');
        let other = self
            .store
            .read(|c| users::by_handle(c, handle))?
            .filter(|u| u.status != AccountStatus::Deleted && u.id != user.id)
            .ok_or_else(|| ServiceError::NoSuchMember(crate::sanitize::line(handle)))?;
        self.block_member(user, other.id)
    }
}

/// What a member's profile shows: their handle, role and when they joined, and whether the
/// viewer blocked them (never whether they blocked the viewer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub id: UserId,
    pub handle: String,
    pub role: crate::domain::Role,
    pub joined: i64,
    pub blocked_by_you: bool,
}

impl Service {
    /// The profile of a post's author (never of an anonymous one).
    pub fn profile_of_post(&self, user: &User, post: PostId) -> Result<Profile> {
        let other = self.named_author(user, post, "Anonymous posters have no profile.")?;
        let blocked_by_you = self
            .store
            .read(|c| blocks::is_blocked(c, user.id, other.id))?;
        Ok(Profile {
            id: other.id,
            handle: other.handle,
            role: other.role,
            joined: other.created_at,
            blocked_by_you,
        })
    }
}
