//! Board management by sysops in the TUI (DESIGN.md §7, issue "boards"): create, rename,
//! describe, reorder, archive, and the per-board flags. Each change is checked against the
//! sysop's rights as stored now, audited, and reaches open sessions at once. (`bbs admin
//! boards` makes the same changes from the server's shell.)

use super::{Result, Service, ServiceError};
use crate::config::BoardSeed;
use crate::domain::User;
use crate::domain::policy::{self, Action};
use crate::store::audit::{self, Action as AuditAction};
use crate::store::boards::{BoardColumn, BoardRow};

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

impl Service {
    /// Every board, archived ones too, for a sysop.
    pub fn boards_to_manage(&self, actor: &User) -> Result<Vec<BoardRow>> {
        policy::can(&self.current(actor)?, Action::ManageBoards)?;
        self.all_boards()
    }

    /// Applies one change for a sysop; returns what to tell them.
    pub fn manage_board(&self, actor: &User, op: BoardOp) -> Result<String> {
        let actor = self.current(actor)?;
        policy::can(&actor, Action::ManageBoards)?;
        let rows = self.all_boards()?;
        let row = |slug: &str| -> Result<BoardRow> {
            rows.iter()
                .find(|r| r.0 == slug)
                .cloned()
                .ok_or_else(|| ServiceError::BadBoard(format!("no board called {slug:?}")))
        };
        let (slug, action, done) = match &op {
            BoardOp::Create { slug, name } => {
                self.create_board(&BoardSeed {
                    slug: slug.clone(),
                    name: name.clone(),
                    description: String::new(),
                    read_only: false,
                    anonymous: false,
                    welcome: false,
                })?;
                (
                    slug,
                    AuditAction::BoardCreated,
                    format!("Board {slug} created."),
                )
            }
            BoardOp::Rename { slug, name } => {
                let name = crate::sanitize::line(name).trim().to_string();
                if name.is_empty() {
                    return Err(ServiceError::BadBoard("a board needs a name".into()));
                }
                row(slug)?;
                self.set_board(slug, BoardColumn::Name, &name)?;
                (slug, AuditAction::BoardChanged, "Renamed.".to_string())
            }
            BoardOp::Describe { slug, text } => {
                let text = crate::sanitize::line(text).trim().to_string();
                row(slug)?;
                self.set_board(slug, BoardColumn::Description, &text)?;
                (
                    slug,
                    AuditAction::BoardChanged,
                    "Description changed.".into(),
                )
            }
            BoardOp::Shift { slug, by } => {
                let r = row(slug)?;
                // Positions among the boards as listed (archived last).
                let index = rows.iter().position(|x| x.0 == r.0).unwrap_or(0) as i64;
                self.move_board(slug, (index + by).max(0))?;
                (slug, AuditAction::BoardChanged, "Moved.".into())
            }
            BoardOp::Toggle { slug, flag } => {
                let r = row(slug)?;
                let (column, now, label) = match flag {
                    BoardFlag::ReadOnly => (BoardColumn::ReadOnly, !r.3, "read-only"),
                    BoardFlag::Anonymous => (BoardColumn::Anonymous, !r.4, "anonymous posting"),
                    BoardFlag::Welcome => (BoardColumn::Welcome, !r.5, "open to new accounts"),
                    BoardFlag::Archived => (BoardColumn::Archived, !r.7, "archived"),
                };
                self.set_board(slug, column, &now)?;
                let state = if now { "on" } else { "off" };
                (
                    slug,
                    AuditAction::BoardChanged,
                    format!("{label}: {state}."),
                )
            }
            BoardOp::CycleTrust { slug } => {
                let r = row(slug)?;
                let level = (r.6 + 1) % 2;
                self.set_board(slug, BoardColumn::MinTrust, &level)?;
                (
                    slug,
                    AuditAction::BoardChanged,
                    format!("Minimum trust level to post: {level}."),
                )
            }
        };
        let what = format!("{slug}: {done}");
        self.store
            .write(|c| audit::record(c, Some(actor.id), action, None, None, Some(&what)))?;
        Ok(done)
    }
}
