//! `bbs admin boards …`: list, create, rename, move, archive and set boards, through the same
//! audited use cases the sysop's board screen uses.

use anyhow::Result;
use clap::Subcommand;

use crate::service::Service;

/// What `bbs admin boards` can do.
#[derive(Debug, Subcommand)]
pub enum BoardsCmd {
    /// List boards with their settings.
    List,
    /// Create a board at the end of the list.
    Add {
        slug: String,
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Only moderators post (announcements).
        #[arg(long)]
        read_only: bool,
        /// Members may post anonymously.
        #[arg(long)]
        anonymous: bool,
        /// Readable by accounts awaiting approval.
        #[arg(long)]
        welcome: bool,
    },
    /// Rename a board.
    Rename { slug: String, name: String },
    /// Move a board to a position in the list (0 is first).
    Move { slug: String, position: i64 },
    /// Archive a board (hidden from the list; its threads are kept).
    Archive { slug: String },
    /// Bring an archived board back.
    Unarchive { slug: String },
    /// Change a board's settings.
    Set {
        slug: String,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        read_only: Option<bool>,
        #[arg(long)]
        anonymous: Option<bool>,
        #[arg(long)]
        welcome: Option<bool>,
        /// Lowest trust level that may post (0 or 1).
        #[arg(long)]
        min_trust: Option<i64>,
    },
}

/// Runs one `bbs admin boards …` command; returns what to print.
pub fn run(service: &Service, command: &BoardsCmd) -> Result<String> {
    use crate::service::BoardSetting as S;
    let done = |what: &str, slug: &str| Ok(format!("{slug}: {what}\n"));
    match command {
        BoardsCmd::List => {
            let mut out = format!("{:<16} {:>4}  {:<28} flags\n", "slug", "pos", "name");
            for crate::store::boards::BoardRow {
                slug,
                name,
                position,
                read_only,
                anonymous,
                welcome,
                min_trust,
                archived,
            } in service.all_boards()?
            {
                let mut flags = Vec::new();
                if read_only {
                    flags.push("read-only".to_string());
                }
                if anonymous {
                    flags.push("anonymous".to_string());
                }
                if welcome {
                    flags.push("welcome".to_string());
                }
                if min_trust > 0 {
                    flags.push(format!("min-trust {min_trust}"));
                }
                if archived {
                    flags.push("ARCHIVED".to_string());
                }
                out.push_str(&format!(
                    "{:<16} {:>4}  {:<28} {}\n",
                    slug,
                    position,
                    crate::sanitize::line(&name),
                    flags.join(", ")
                ));
            }
            Ok(out)
        }
        BoardsCmd::Add {
            slug,
            name,
            description,
            read_only,
            anonymous,
            welcome,
        } => {
            service.create_board(
                None,
                &crate::config::BoardSeed {
                    slug: slug.clone(),
                    name: name.clone(),
                    description: description.clone(),
                    read_only: *read_only,
                    anonymous: *anonymous,
                    welcome: *welcome,
                },
            )?;
            done("created", slug)
        }
        BoardsCmd::Rename { slug, name } => {
            service.set_board(None, slug, S::Name(name.clone()))?;
            done("renamed", slug)
        }
        BoardsCmd::Move { slug, position } => {
            service.move_board(None, slug, *position)?;
            done("moved", slug)
        }
        BoardsCmd::Archive { slug } => {
            service.set_board(None, slug, S::Archived(true))?;
            done("archived", slug)
        }
        BoardsCmd::Unarchive { slug } => {
            service.set_board(None, slug, S::Archived(false))?;
            done("back in the list", slug)
        }
        BoardsCmd::Set {
            slug,
            description,
            read_only,
            anonymous,
            welcome,
            min_trust,
        } => {
            let settings = [
                description.clone().map(S::Description),
                read_only.map(S::ReadOnly),
                anonymous.map(S::Anonymous),
                welcome.map(S::Welcome),
                min_trust.map(S::MinTrust),
            ];
            for setting in settings.into_iter().flatten() {
                service.set_board(None, slug, setting)?;
            }
            done("updated", slug)
        }
    }
}
