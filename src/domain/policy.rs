//! The policy: one function decides whether an actor may take an action. The service asks it
//! for every action, whatever the UI showed; a key hidden in the UI is not a permission.

use super::{Board, User};

/// Something a member may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Start a thread on a board.
    StartThread(&'a Board),
    /// Reply in a thread on a board.
    Reply(&'a Board),
    /// Post anonymously on a board.
    PostAnonymously(&'a Board),
}

/// Why an action was refused, in words for the member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("Only moderators post on this board.")]
    ReadOnlyBoard,
    #[error("This board does not allow anonymous posts.")]
    NoAnonymity,
}

/// May `actor` take `action`?
pub fn can(actor: &User, action: Action<'_>) -> Result<(), Denied> {
    match action {
        Action::StartThread(board) | Action::Reply(board) => {
            if board.read_only && !actor.role.is_staff() {
                return Err(Denied::ReadOnlyBoard);
            }
            Ok(())
        }
        Action::PostAnonymously(board) => {
            if !board.allow_anonymous {
                return Err(Denied::NoAnonymity);
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
