//! Helpers for the UI's unit tests: a member's App showing a board list.

use crate::domain::{Board, BoardId, Role, User, UserId};
use crate::tui::{App, Loaded, Msg, Texts, Theme};

/// A board with these (unsanitised) words.
pub fn board(id: i64, name: &str, description: &str) -> Board {
    Board {
        id: BoardId(id),
        slug: format!("b{id}"),
        name: name.into(),
        description: description.into(),
        read_only: false,
        allow_anonymous: false,
        welcome: false,
        min_trust: 0,
        archived: false,
        thread_count: 3,
        unread_threads: 1,
        start_refused: None,
    }
}

/// A member with this handle.
pub fn member(handle: &str) -> User {
    User {
        id: UserId(1),
        handle: handle.into(),
        role: Role::Member,
        trust_level: 0,
        created_at: 0,
        status: crate::domain::AccountStatus::Active,
        silenced_until: None,
    }
}

/// A member's App at 80×24 showing `boards`.
pub fn app_with_boards(boards: Vec<Board>) -> App {
    let (mut app, _) = App::new(
        Some(member("river")),
        Texts {
            name: "Haven".into(),
            ..Texts::default()
        },
        Theme::Default,
        80,
        24,
    );
    app.update(Msg::Loaded(Loaded::Boards(boards)));
    app
}

/// A screen's text with its rows joined, so a sentence wrapped over rows is found whole.
pub fn flat(screen: &str) -> String {
    screen
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
