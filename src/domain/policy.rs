//! The policy: one function decides whether an actor may take an action, at a given time. The
//! service asks it for every action, whatever the UI showed, and the screens ask it before they
//! offer one (no composer that cannot post); a key hidden in the UI is not a permission.
//!
//! Every rule about who may act is here: waiting accounts, read-only, archived and trust-level
//! boards, locked threads, silences, new members' messages, and the one meaning of staff
//! ([`User::is_staff`]: a moderator or sysop whose account is active).

use super::{AccountStatus, Board, User};

/// Something a member may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Start a thread on a board.
    StartThread(&'a Board),
    /// Reply in a thread (locked or not) on a board.
    Reply(&'a Board, ThreadState),
    /// Edit one's own post in a thread on a board.
    EditOwnPost(&'a Board, ThreadState),
    /// Post anonymously on a board.
    PostAnonymously(&'a Board),
    /// Read a board.
    ReadBoard(&'a Board),
    /// Give a post support (♥).
    GiveSupport,
    /// Approve or reject accounts waiting in the queue; make invite codes; read the audit log.
    ManageMembers,
    /// Hide or restore posts, lock or pin threads.
    Moderate,
    /// Send a private message to this member.
    SendMessage(&'a User),
    /// Create, rename, reorder and archive boards and set their flags.
    ManageBoards,
    /// See how the server is doing (the dashboard, `ssh host stats`) and speak to every open
    /// session (`ssh host announce`).
    OperateServer,
}

/// What the policy needs to know of a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ThreadState {
    pub locked: bool,
}

/// Why an action was refused, in words for the member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("Only moderators post on this board.")]
    ReadOnlyBoard,
    #[error("This board does not allow anonymous posts.")]
    NoAnonymity,
    #[error(
        "Your account is waiting for a moderator's approval. Until then you can read the welcome board."
    )]
    Pending,
    #[error("Only moderators and sysops can do that.")]
    StaffOnly,
    #[error(
        "This board is for members who have been here a little while. Reading and replying elsewhere gets you there."
    )]
    TrustTooLow,
    #[error(
        "Private messages open up once you have been here a little while (a few days and some reading). Until then you can message a moderator."
    )]
    TooNewToMessage,
    #[error("Only sysops can do that.")]
    SysopOnly,
    #[error("This thread is locked: no new replies.")]
    Locked,
    #[error("This board is archived: it is kept, but closed.")]
    Archived,
    #[error("A moderator has made your account read-only until {} UTC. You can see why, and appeal, in settings under \"my record\" (r).", super::format_time(*.0))]
    Silenced(i64),
}

/// May `actor` take `action` at time `now` (Unix seconds)?
pub fn can(actor: &User, action: Action<'_>, now: i64) -> Result<(), Denied> {
    let pending = actor.status == AccountStatus::Pending;
    let staff = actor.is_staff();
    let silenced = actor.silenced_at(now);
    match action {
        Action::ReadBoard(board) => {
            if board.archived {
                return Err(Denied::Archived);
            }
            if pending && !board.welcome {
                return Err(Denied::Pending);
            }
            Ok(())
        }
        Action::ManageMembers | Action::Moderate => {
            if !staff {
                return Err(Denied::StaffOnly);
            }
            Ok(())
        }
        Action::GiveSupport if pending => Err(Denied::Pending),
        Action::GiveSupport => Ok(()),
        Action::StartThread(_) | Action::Reply(..) | Action::EditOwnPost(..) if pending => {
            Err(Denied::Pending)
        }
        Action::StartThread(board) | Action::Reply(board, _) | Action::EditOwnPost(board, _) => {
            if board.archived {
                return Err(Denied::Archived);
            }
            if let Some(until) = silenced {
                return Err(Denied::Silenced(until));
            }
            if let Action::Reply(_, thread) | Action::EditOwnPost(_, thread) = action
                && thread.locked
                && !staff
            {
                return Err(Denied::Locked);
            }
            if matches!(action, Action::EditOwnPost(..)) {
                return Ok(());
            }
            if board.read_only && !staff {
                return Err(Denied::ReadOnlyBoard);
            }
            if actor.trust_level < board.min_trust && !staff {
                return Err(Denied::TrustTooLow);
            }
            Ok(())
        }
        Action::PostAnonymously(board) => {
            if !board.allow_anonymous {
                return Err(Denied::NoAnonymity);
            }
            Ok(())
        }
        Action::SendMessage(_) if pending => Err(Denied::Pending),
        // New members (TL0), and silenced members, write to staff only: a way to ask for help,
        // not to be found by strangers (DESIGN.md §7 proposes no PMs until TL1; see the notes
        // on the exception).
        Action::SendMessage(to) => {
            if to.is_staff() || staff {
                return Ok(());
            }
            if let Some(until) = silenced {
                return Err(Denied::Silenced(until));
            }
            if actor.trust_level < 1 {
                return Err(Denied::TooNewToMessage);
            }
            Ok(())
        }
        Action::ManageBoards | Action::OperateServer => {
            if actor.role != crate::domain::Role::Sysop || !staff {
                return Err(Denied::SysopOnly);
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BoardId, Role, UserId};

    fn user(role: Role) -> User {
        User {
            id: UserId(1),
            handle: "x".into(),
            role,
            trust_level: 0,
            created_at: 0,
            status: crate::domain::AccountStatus::Active,
            silenced_until: None,
        }
    }

    fn board(read_only: bool, anon: bool) -> Board {
        Board {
            id: BoardId(1),
            slug: "b".into(),
            name: "B".into(),
            description: String::new(),
            read_only,
            allow_anonymous: anon,
            welcome: false,
            min_trust: 0,
            archived: false,
            thread_count: 0,
            unread_threads: 0,
            start_refused: None,
        }
    }

    #[test]
    fn read_only_boards_take_posts_from_staff_only() {
        let b = board(true, false);
        for (role, ok) in [
            (Role::Member, false),
            (Role::Professional, false),
            (Role::Moderator, true),
            (Role::Sysop, true),
        ] {
            assert_eq!(
                can(&user(role), Action::StartThread(&b), 0).is_ok(),
                ok,
                "{role:?}"
            );
            assert_eq!(
                can(&user(role), Action::Reply(&b, ThreadState::default()), 0).is_ok(),
                ok,
                "{role:?}"
            );
        }
        assert!(
            can(
                &user(Role::Member),
                Action::Reply(&board(false, false), ThreadState::default()),
                0
            )
            .is_ok()
        );
    }

    #[test]
    fn pending_accounts_read_the_welcome_board_only_and_post_nowhere() {
        let mut u = user(Role::Member);
        u.status = AccountStatus::Pending;
        let welcome = Board {
            welcome: true,
            ..board(false, false)
        };
        assert!(can(&u, Action::ReadBoard(&welcome), 0).is_ok());
        assert_eq!(
            can(&u, Action::ReadBoard(&board(false, false)), 0),
            Err(Denied::Pending)
        );
        assert_eq!(
            can(&u, Action::Reply(&welcome, ThreadState::default()), 0),
            Err(Denied::Pending)
        );
        assert_eq!(
            can(&u, Action::StartThread(&welcome), 0),
            Err(Denied::Pending)
        );
    }

    #[test]
    fn only_active_staff_manage_members() {
        for action in [Action::ManageMembers, Action::Moderate] {
            assert!(can(&user(Role::Moderator), action, 0).is_ok());
            assert!(can(&user(Role::Sysop), action, 0).is_ok());
            assert_eq!(can(&user(Role::Member), action, 0), Err(Denied::StaffOnly));
            assert_eq!(
                can(&user(Role::Professional), action, 0),
                Err(Denied::StaffOnly)
            );
            let mut pending_mod = user(Role::Moderator);
            pending_mod.status = AccountStatus::Pending;
            assert_eq!(can(&pending_mod, action, 0), Err(Denied::StaffOnly));
        }
        assert!(can(&user(Role::Moderator), Action::ManageMembers, 0).is_ok());
        assert!(can(&user(Role::Sysop), Action::ManageMembers, 0).is_ok());
        assert_eq!(
            can(&user(Role::Member), Action::ManageMembers, 0),
            Err(Denied::StaffOnly)
        );
        assert_eq!(
            can(&user(Role::Professional), Action::ManageMembers, 0),
            Err(Denied::StaffOnly)
        );
    }

    #[test]
    fn a_boards_minimum_trust_level_applies_to_members_not_staff() {
        let b = Board {
            min_trust: 1,
            ..board(false, false)
        };
        assert_eq!(
            can(
                &user(Role::Member),
                Action::Reply(&b, ThreadState::default()),
                0
            ),
            Err(Denied::TrustTooLow)
        );
        let mut trusted = user(Role::Member);
        trusted.trust_level = 1;
        assert!(can(&trusted, Action::Reply(&b, ThreadState::default()), 0).is_ok());
        assert!(can(&user(Role::Moderator), Action::StartThread(&b), 0).is_ok());
    }

    #[test]
    fn anonymity_only_where_the_board_allows_it() {
        assert_eq!(
            can(
                &user(Role::Sysop),
                Action::PostAnonymously(&board(false, false)),
                0
            ),
            Err(Denied::NoAnonymity)
        );
        assert!(
            can(
                &user(Role::Member),
                Action::PostAnonymously(&board(false, true)),
                0
            )
            .is_ok()
        );
    }
}

#[cfg(test)]
mod table {
    //! Every action × every kind of actor, in one table: what the server allows, whatever the UI
    //! showed.
    use super::*;
    use crate::domain::{BoardId, Role, UserId};

    fn actor(role: Role, trust_level: i64, status: AccountStatus) -> User {
        User {
            id: UserId(1),
            handle: "x".into(),
            role,
            trust_level,
            created_at: 0,
            status,
            silenced_until: None,
        }
    }

    /// Silenced until well after the time the table asks at (`NOW`).
    fn silenced(mut u: User) -> User {
        u.silenced_until = Some(NOW + 3600);
        u
    }

    const NOW: i64 = 1_000_000;

    fn board(read_only: bool, anon: bool, welcome: bool, min_trust: i64) -> Board {
        Board {
            id: BoardId(1),
            slug: "b".into(),
            name: "B".into(),
            description: String::new(),
            read_only,
            allow_anonymous: anon,
            welcome,
            min_trust,
            archived: false,
            thread_count: 0,
            unread_threads: 0,
            start_refused: None,
        }
    }

    #[test]
    fn every_action_for_every_actor() {
        use AccountStatus::{Active, Pending};
        let actors = [
            ("member TL0", actor(Role::Member, 0, Active)),
            ("member TL1", actor(Role::Member, 1, Active)),
            ("professional", actor(Role::Professional, 1, Active)),
            ("moderator", actor(Role::Moderator, 0, Active)),
            ("sysop", actor(Role::Sysop, 0, Active)),
            ("pending member", actor(Role::Member, 0, Pending)),
            (
                "silenced member TL1",
                silenced(actor(Role::Member, 1, Active)),
            ),
            ("pending moderator", actor(Role::Moderator, 0, Pending)),
        ];
        let open = board(false, false, false, 0);
        let archived = Board {
            archived: true,
            ..board(false, false, false, 0)
        };
        let unlocked = ThreadState { locked: false };
        let locked = ThreadState { locked: true };
        let welcome = board(false, false, true, 0);
        let announcements = board(true, false, false, 0);
        let anon = board(false, true, false, 0);
        let trusted = board(false, false, false, 1);
        let member = actor(Role::Member, 0, Active);
        let moderator = actor(Role::Moderator, 0, Active);
        let pending_moderator = actor(Role::Moderator, 0, Pending);
        // Expected outcome per actor, in the order above (true = allowed):
        // TL0, TL1, professional, moderator, sysop, pending, silenced TL1, pending moderator.
        let table: Vec<(&str, Action<'_>, [u8; 8])> = vec![
            (
                "read an open board",
                Action::ReadBoard(&open),
                [1, 1, 1, 1, 1, 0, 1, 0],
            ),
            (
                "read the welcome board",
                Action::ReadBoard(&welcome),
                [1; 8],
            ),
            (
                "read an archived board",
                Action::ReadBoard(&archived),
                [0; 8],
            ),
            (
                "start a thread",
                Action::StartThread(&open),
                [1, 1, 1, 1, 1, 0, 0, 0],
            ),
            (
                "reply",
                Action::Reply(&open, unlocked),
                [1, 1, 1, 1, 1, 0, 0, 0],
            ),
            (
                "reply in a locked thread",
                Action::Reply(&open, locked),
                [0, 0, 0, 1, 1, 0, 0, 0],
            ),
            (
                "edit own post",
                Action::EditOwnPost(&open, unlocked),
                [1, 1, 1, 1, 1, 0, 0, 0],
            ),
            (
                "edit own post in a locked thread",
                Action::EditOwnPost(&open, locked),
                [0, 0, 0, 1, 1, 0, 0, 0],
            ),
            (
                "edit own post on a read-only board",
                Action::EditOwnPost(&announcements, unlocked),
                [1, 1, 1, 1, 1, 0, 0, 0],
            ),
            (
                "reply on an archived board",
                Action::Reply(&archived, unlocked),
                [0; 8],
            ),
            (
                "start a thread on an archived board",
                Action::StartThread(&archived),
                [0; 8],
            ),
            (
                "reply on the welcome board",
                Action::Reply(&welcome, unlocked),
                [1, 1, 1, 1, 1, 0, 0, 0],
            ),
            (
                "post on a read-only board",
                Action::StartThread(&announcements),
                [0, 0, 0, 1, 1, 0, 0, 0],
            ),
            (
                "post on a trust-1 board",
                Action::Reply(&trusted, unlocked),
                [0, 1, 1, 1, 1, 0, 0, 0],
            ),
            (
                "post anonymously where allowed",
                Action::PostAnonymously(&anon),
                [1; 8],
            ),
            (
                "post anonymously elsewhere",
                Action::PostAnonymously(&open),
                [0; 8],
            ),
            (
                "give support",
                Action::GiveSupport,
                [1, 1, 1, 1, 1, 0, 1, 0],
            ),
            (
                "manage members",
                Action::ManageMembers,
                [0, 0, 0, 1, 1, 0, 0, 0],
            ),
            ("moderate", Action::Moderate, [0, 0, 0, 1, 1, 0, 0, 0]),
            (
                "message a member",
                Action::SendMessage(&member),
                [0, 1, 1, 1, 1, 0, 0, 0],
            ),
            (
                "message a moderator",
                Action::SendMessage(&moderator),
                [1, 1, 1, 1, 1, 0, 1, 0],
            ),
            (
                "message a waiting moderator (not staff yet)",
                Action::SendMessage(&pending_moderator),
                [0, 1, 1, 1, 1, 0, 0, 0],
            ),
            (
                "manage boards",
                Action::ManageBoards,
                [0, 0, 0, 0, 1, 0, 0, 0],
            ),
            (
                "operate the server",
                Action::OperateServer,
                [0, 0, 0, 0, 1, 0, 0, 0],
            ),
        ];
        for (what, action, expected) in table {
            for ((who, a), allowed) in actors.iter().zip(expected) {
                assert_eq!(can(a, action, NOW).is_ok(), allowed == 1, "{who}: {what}");
            }
        }
        // A silence ends by itself: the same member may post once it is over.
        let (_, member) = &actors[6];
        assert_eq!(
            can(member, Action::StartThread(&open), NOW),
            Err(Denied::Silenced(NOW + 3600))
        );
        assert!(can(member, Action::StartThread(&open), NOW + 3600).is_ok());
    }
}
