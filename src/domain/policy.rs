//! The policy: one function decides whether an actor may take an action. The service asks it
//! for every action, whatever the UI showed; a key hidden in the UI is not a permission.

use super::{AccountStatus, Board, User};

/// Something a member may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Start a thread on a board.
    StartThread(&'a Board),
    /// Reply in a thread on a board.
    Reply(&'a Board),
    /// Post anonymously on a board.
    PostAnonymously(&'a Board),
    /// Read a board.
    ReadBoard(&'a Board),
    /// Approve or reject accounts waiting in the queue; make invite codes; read the audit log.
    ManageMembers,
    /// Hide or restore posts, lock or pin threads.
    Moderate,
    /// Send a private message to this member.
    SendMessage(&'a User),
    /// Create, rename, reorder and archive boards and set their flags.
    ManageBoards,
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
}

/// May `actor` take `action`?
pub fn can(actor: &User, action: Action<'_>) -> Result<(), Denied> {
    let pending = actor.status == AccountStatus::Pending;
    match action {
        Action::ReadBoard(board) => {
            if pending && !board.welcome {
                return Err(Denied::Pending);
            }
            Ok(())
        }
        Action::ManageMembers | Action::Moderate => {
            if !actor.role.is_staff() || pending {
                return Err(Denied::StaffOnly);
            }
            Ok(())
        }
        Action::StartThread(_) | Action::Reply(_) if pending => Err(Denied::Pending),
        Action::StartThread(board) | Action::Reply(board) => {
            if board.read_only && !actor.role.is_staff() {
                return Err(Denied::ReadOnlyBoard);
            }
            if actor.trust_level < board.min_trust && !actor.role.is_staff() {
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
        // New members (TL0) write to staff only: a way to ask for help, not to be found by
        // strangers (DESIGN.md §7 proposes no PMs until TL1; see the notes on the exception).
        Action::SendMessage(to) => {
            if actor.trust_level < 1 && !actor.role.is_staff() && !to.role.is_staff() {
                return Err(Denied::TooNewToMessage);
            }
            Ok(())
        }
        Action::ManageBoards => {
            if actor.role != crate::domain::Role::Sysop || pending {
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
            thread_count: 0,
            unread_threads: 0,
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
                can(&user(role), Action::StartThread(&b)).is_ok(),
                ok,
                "{role:?}"
            );
            assert_eq!(can(&user(role), Action::Reply(&b)).is_ok(), ok, "{role:?}");
        }
        assert!(can(&user(Role::Member), Action::Reply(&board(false, false))).is_ok());
    }

    #[test]
    fn pending_accounts_read_the_welcome_board_only_and_post_nowhere() {
        let mut u = user(Role::Member);
        u.status = AccountStatus::Pending;
        let welcome = Board {
            welcome: true,
            ..board(false, false)
        };
        assert!(can(&u, Action::ReadBoard(&welcome)).is_ok());
        assert_eq!(
            can(&u, Action::ReadBoard(&board(false, false))),
            Err(Denied::Pending)
        );
        assert_eq!(can(&u, Action::Reply(&welcome)), Err(Denied::Pending));
        assert_eq!(can(&u, Action::StartThread(&welcome)), Err(Denied::Pending));
    }

    #[test]
    fn only_active_staff_manage_members() {
        for action in [Action::ManageMembers, Action::Moderate] {
            assert!(can(&user(Role::Moderator), action).is_ok());
            assert!(can(&user(Role::Sysop), action).is_ok());
            assert_eq!(can(&user(Role::Member), action), Err(Denied::StaffOnly));
            assert_eq!(
                can(&user(Role::Professional), action),
                Err(Denied::StaffOnly)
            );
            let mut pending_mod = user(Role::Moderator);
            pending_mod.status = AccountStatus::Pending;
            assert_eq!(can(&pending_mod, action), Err(Denied::StaffOnly));
        }
        assert!(can(&user(Role::Moderator), Action::ManageMembers).is_ok());
        assert!(can(&user(Role::Sysop), Action::ManageMembers).is_ok());
        assert_eq!(
            can(&user(Role::Member), Action::ManageMembers),
            Err(Denied::StaffOnly)
        );
        assert_eq!(
            can(&user(Role::Professional), Action::ManageMembers),
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
            can(&user(Role::Member), Action::Reply(&b)),
            Err(Denied::TrustTooLow)
        );
        let mut trusted = user(Role::Member);
        trusted.trust_level = 1;
        assert!(can(&trusted, Action::Reply(&b)).is_ok());
        assert!(can(&user(Role::Moderator), Action::StartThread(&b)).is_ok());
    }

    #[test]
    fn anonymity_only_where_the_board_allows_it() {
        assert_eq!(
            can(
                &user(Role::Sysop),
                Action::PostAnonymously(&board(false, false))
            ),
            Err(Denied::NoAnonymity)
        );
        assert!(
            can(
                &user(Role::Member),
                Action::PostAnonymously(&board(false, true))
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
            thread_count: 0,
            unread_threads: 0,
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
        ];
        let open = board(false, false, false, 0);
        let welcome = board(false, false, true, 0);
        let announcements = board(true, false, false, 0);
        let anon = board(false, true, false, 0);
        let trusted = board(false, false, false, 1);
        let member = actor(Role::Member, 0, Active);
        let moderator = actor(Role::Moderator, 0, Active);
        // Expected outcome per actor, in the order above (true = allowed).
        let table: Vec<(&str, Action<'_>, [bool; 6])> = vec![
            (
                "read an open board",
                Action::ReadBoard(&open),
                [true, true, true, true, true, false],
            ),
            (
                "read the welcome board",
                Action::ReadBoard(&welcome),
                [true; 6],
            ),
            (
                "start a thread",
                Action::StartThread(&open),
                [true, true, true, true, true, false],
            ),
            (
                "reply",
                Action::Reply(&open),
                [true, true, true, true, true, false],
            ),
            (
                "reply on the welcome board",
                Action::Reply(&welcome),
                [true, true, true, true, true, false],
            ),
            (
                "post on a read-only board",
                Action::StartThread(&announcements),
                [false, false, false, true, true, false],
            ),
            (
                "post on a trust-1 board",
                Action::Reply(&trusted),
                [false, true, true, true, true, false],
            ),
            (
                "post anonymously where allowed",
                Action::PostAnonymously(&anon),
                [true, true, true, true, true, true],
            ),
            (
                "post anonymously elsewhere",
                Action::PostAnonymously(&open),
                [false; 6],
            ),
            (
                "manage members",
                Action::ManageMembers,
                [false, false, false, true, true, false],
            ),
            (
                "moderate",
                Action::Moderate,
                [false, false, false, true, true, false],
            ),
            (
                "message a member",
                Action::SendMessage(&member),
                [false, true, true, true, true, false],
            ),
            (
                "message a moderator",
                Action::SendMessage(&moderator),
                [true, true, true, true, true, false],
            ),
            (
                "manage boards",
                Action::ManageBoards,
                [false, false, false, false, true, false],
            ),
        ];
        for (what, action, expected) in table {
            for ((who, a), allowed) in actors.iter().zip(expected) {
                assert_eq!(can(a, action).is_ok(), allowed, "{who}: {what}");
            }
        }
    }
}
