//! Board management (DESIGN.md §7): create, rename, describe, reorder, archive, and the
//! per-board flags, by a sysop in the TUI or at the server's shell (`bbs admin boards`). The
//! same code serves both: each change is checked against the sysop's rights as stored now,
//! audited in the same transaction as the change, and reaches open sessions at once.

use super::{Result, Service, ServiceError};
use crate::config::BoardSeed;
use crate::domain::policy::Action;
use crate::domain::{User, UserId};
use crate::store::audit::{self, Action as AuditAction};
use crate::store::boards::{self, BoardColumn, BoardRow};
use crate::store::events::{self, EventKind};

/// One change to a board, by slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoardOp {
    Create {
        slug: String,
        name: String,
    },
    Rename {
        slug: String,
        name: String,
    },
    Describe {
        slug: String,
        text: String,
    },
    /// Up (-1) or down (+1) the list.
    Shift {
        slug: String,
        by: i64,
    },
    Toggle {
        slug: String,
        flag: BoardFlag,
    },
    /// Cycles the minimum trust level to post: 0, 1, 0, …
    CycleTrust {
        slug: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardFlag {
    ReadOnly,
    Anonymous,
    Welcome,
    Archived,
}

/// One board setting and its new value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoardSetting {
    Name(String),
    Description(String),
    ReadOnly(bool),
    Anonymous(bool),
    Welcome(bool),
    MinTrust(i64),
    Archived(bool),
}

impl BoardSetting {
    /// What the audit log says of the change.
    fn describe(&self) -> String {
        let on = |v: bool| if v { "on" } else { "off" };
        match self {
            BoardSetting::Name(n) => format!("name → {n}"),
            BoardSetting::Description(_) => "description changed".into(),
            BoardSetting::ReadOnly(v) => format!("read-only: {}", on(*v)),
            BoardSetting::Anonymous(v) => format!("anonymous posting: {}", on(*v)),
            BoardSetting::Welcome(v) => format!("open to new accounts: {}", on(*v)),
            BoardSetting::MinTrust(v) => format!("minimum trust level to post: {v}"),
            BoardSetting::Archived(v) => format!("archived: {}", on(*v)),
        }
    }
}

impl Service {
    /// Every board with its settings (sysops, `bbs admin boards list`).
    pub fn all_boards(&self) -> Result<Vec<BoardRow>> {
        Ok(self.store.read(boards::all)?)
    }

    /// Board changes are made by a sysop in the TUI (`actor`, checked against their rights as
    /// stored now) or by the sysop at the server's shell (`None`, `bbs admin boards`).
    fn board_actor(&self, actor: Option<&User>) -> Result<Option<UserId>> {
        match actor {
            Some(a) => {
                let a = self.current(a)?;
                self.can(&a, Action::ManageBoards)?;
                Ok(Some(a.id))
            }
            None => Ok(None),
        }
    }

    /// Creates a board. The slug must be new: 1-32 lowercase letters, digits or '-'. Audited in
    /// the same transaction.
    pub fn create_board(&self, actor: Option<&User>, seed: &BoardSeed) -> Result<()> {
        let actor = self.board_actor(actor)?;
        let seed = BoardSeed {
            name: crate::sanitize::line(&seed.name).trim().to_string(),
            description: crate::sanitize::line(&seed.description).trim().to_string(),
            ..seed.clone()
        };
        let valid = (1..=32).contains(&seed.slug.len())
            && seed
                .slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid || seed.name.is_empty() {
            return Err(ServiceError::BadBoard(
                "a board needs a slug (1-32 lowercase letters, digits, '-') and a name".into(),
            ));
        }
        self.write(|c| {
            if boards::by_slug(c, &seed.slug)?.is_some() {
                return Err(ServiceError::BadBoard(format!(
                    "a board called {:?} exists",
                    seed.slug
                )));
            }
            let id = boards::create(c, &seed)?;
            let what = format!("{}: created", seed.slug);
            audit::record(c, actor, AuditAction::BoardCreated, None, None, Some(&what))?;
            events::append(c, EventKind::ThreadChanged, Some(id), None, None, None)?;
            Ok(())
        })?;
        Ok(())
    }

    /// Changes one setting of the board `slug`; audited in the same transaction; open
    /// sessions see it at once.
    pub fn set_board(&self, actor: Option<&User>, slug: &str, setting: BoardSetting) -> Result<()> {
        let actor = self.board_actor(actor)?;
        let setting = match setting {
            BoardSetting::Name(n) => {
                let n = crate::sanitize::line(&n).trim().to_string();
                if n.is_empty() {
                    return Err(ServiceError::BadBoard("a board needs a name".into()));
                }
                BoardSetting::Name(n)
            }
            BoardSetting::Description(d) => {
                BoardSetting::Description(crate::sanitize::line(&d).trim().to_string())
            }
            BoardSetting::MinTrust(v) => BoardSetting::MinTrust(v.clamp(0, 1)),
            other => other,
        };
        let (column, value): (BoardColumn, &dyn rusqlite::ToSql) = match &setting {
            BoardSetting::Name(v) => (BoardColumn::Name, v),
            BoardSetting::Description(v) => (BoardColumn::Description, v),
            BoardSetting::ReadOnly(v) => (BoardColumn::ReadOnly, v),
            BoardSetting::Anonymous(v) => (BoardColumn::Anonymous, v),
            BoardSetting::Welcome(v) => (BoardColumn::Welcome, v),
            BoardSetting::MinTrust(v) => (BoardColumn::MinTrust, v),
            BoardSetting::Archived(v) => (BoardColumn::Archived, v),
        };
        let what = format!("{slug}: {}", setting.describe());
        self.change_board(actor, slug, &what, |c, id| {
            boards::set(c, id, column, value)
        })
    }

    /// Changes the existing board `slug` with `change`, audits it as `what` and tells open
    /// sessions, all in one transaction.
    fn change_board(
        &self,
        actor: Option<UserId>,
        slug: &str,
        what: &str,
        change: impl FnOnce(&rusqlite::Connection, crate::domain::BoardId) -> crate::store::Result<()>,
    ) -> Result<()> {
        self.write(|c| {
            let Some(id) = boards::by_slug(c, slug)? else {
                return Err(ServiceError::BadBoard(format!("no board called {slug:?}")));
            };
            change(c, id)?;
            audit::record(c, actor, AuditAction::BoardChanged, None, None, Some(what))?;
            events::append(c, EventKind::ThreadChanged, Some(id), None, None, None)?;
            Ok(())
        })?;
        Ok(())
    }

    /// Moves the board `slug` to a position in the list (0 is first); audited.
    pub fn move_board(&self, actor: Option<&User>, slug: &str, position: i64) -> Result<()> {
        let actor = self.board_actor(actor)?;
        let what = format!("{slug}: moved to position {position}");
        self.change_board(actor, slug, &what, |c, id| boards::move_to(c, id, position))
    }

    /// Every board, archived ones too, for a sysop.
    pub fn boards_to_manage(&self, actor: &User) -> Result<Vec<BoardRow>> {
        self.board_actor(Some(actor))?;
        self.all_boards()
    }

    /// Applies one change for a sysop in the TUI; returns what to tell them.
    pub fn manage_board(&self, actor: &User, op: BoardOp) -> Result<String> {
        let rows = self.boards_to_manage(actor)?;
        let row = |slug: &str| -> Result<BoardRow> {
            rows.iter()
                .find(|r| r.slug == slug)
                .cloned()
                .ok_or_else(|| ServiceError::BadBoard(format!("no board called {slug:?}")))
        };
        let on = |v: bool| if v { "on" } else { "off" };
        Ok(match op {
            BoardOp::Create { slug, name } => {
                self.create_board(
                    Some(actor),
                    &BoardSeed {
                        slug: slug.clone(),
                        name,
                        description: String::new(),
                        read_only: false,
                        anonymous: false,
                        welcome: false,
                    },
                )?;
                format!("Board {slug} created.")
            }
            BoardOp::Rename { slug, name } => {
                self.set_board(Some(actor), &slug, BoardSetting::Name(name))?;
                "Renamed.".into()
            }
            BoardOp::Describe { slug, text } => {
                self.set_board(Some(actor), &slug, BoardSetting::Description(text))?;
                "Description changed.".into()
            }
            BoardOp::Shift { slug, by } => {
                let r = row(&slug)?;
                // Positions among the boards as listed (archived last).
                let index = rows.iter().position(|x| x.slug == r.slug).unwrap_or(0) as i64;
                self.move_board(Some(actor), &slug, (index + by).max(0))?;
                "Moved.".into()
            }
            BoardOp::Toggle { slug, flag } => {
                let r = row(&slug)?;
                let (setting, now, label) = match flag {
                    BoardFlag::ReadOnly => (
                        BoardSetting::ReadOnly(!r.read_only),
                        !r.read_only,
                        "read-only",
                    ),
                    BoardFlag::Anonymous => (
                        BoardSetting::Anonymous(!r.anonymous),
                        !r.anonymous,
                        "anonymous posting",
                    ),
                    BoardFlag::Welcome => (
                        BoardSetting::Welcome(!r.welcome),
                        !r.welcome,
                        "open to new accounts",
                    ),
                    BoardFlag::Archived => {
                        (BoardSetting::Archived(!r.archived), !r.archived, "archived")
                    }
                };
                self.set_board(Some(actor), &slug, setting)?;
                format!("{label}: {}.", on(now))
            }
            BoardOp::CycleTrust { slug } => {
                let level = (row(&slug)?.min_trust + 1) % 2;
                self.set_board(Some(actor), &slug, BoardSetting::MinTrust(level))?;
                format!("Minimum trust level to post: {level}.")
            }
        })
    }
}
