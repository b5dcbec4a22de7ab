//! Commands run with `ssh HOST COMMAND` instead of a shell, in the manner of soft-serve:
//! `export` (a member's own data as JSON), and for sysops `stats` (the server's numbers as
//! plain text) and `announce TEXT` (a status line in every open session). The policy decides
//! who may (the service asks it); anyone else is told why on stderr, with a non-zero exit
//! status, and an unknown command gets the usage line.
//!
//! A second factor is asked at authentication (keyboard-interactive), before any channel, so
//! a sysop with one has passed it by the time a command runs. A sysop who must have one and
//! has not set it up yet is refused here: they set it up in the TUI first.

use crate::domain::User;
use crate::service::{Service, Stats};

/// What `ssh HOST …` asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Export,
    Stats,
    Announce(String),
    Unknown,
}

/// The usage line, for an unknown command.
pub const USAGE: &str = "usage: ssh HOST export | ssh HOST stats | ssh HOST announce \"TEXT\"\n\
     (stats and announce are for sysops; with no command, ssh opens the board)\n";

/// Exit status for a command the server does not know (as a shell says 127 for "not found",
/// but that would read as a missing program here).
pub const STATUS_USAGE: u32 = 2;

impl Command {
    /// The command line a client sent. `announce` takes the rest of the line, without one
    /// pair of quotes around it (`ssh host 'announce "text"'` sends them).
    pub fn parse(line: &[u8]) -> Command {
        let line = String::from_utf8_lossy(line.trim_ascii());
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((&line, ""));
        match word {
            "export" if rest.trim().is_empty() => Command::Export,
            "stats" if rest.trim().is_empty() => Command::Stats,
            "announce" => {
                let rest = rest.trim();
                let text = ['"', '\'']
                    .iter()
                    .find_map(|q| rest.strip_prefix(*q)?.strip_suffix(*q))
                    .unwrap_or(rest);
                Command::Announce(text.to_string())
            }
            _ => Command::Unknown,
        }
    }
}

/// What a command gives back: its output, what it says on stderr, its exit status.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub status: u32,
}

impl Outcome {
    fn refused(why: impl std::fmt::Display) -> Outcome {
        Outcome {
            stderr: format!("{why}\n"),
            status: 1,
            ..Outcome::default()
        }
    }
}

/// Runs a sysop's command (not `export`, which streams) for `user`. Synchronous: call it on the
/// blocking pool.
pub fn run(service: &Service, user: &User, command: &Command) -> Outcome {
    if matches!(command, Command::Stats | Command::Announce(_)) {
        match service.must_enrol_totp(user) {
            Ok(false) => {}
            Ok(true) => {
                return Outcome::refused(
                    "Staff must set up a second factor first: log in with ssh (no command) and \
                     follow the steps, then try again.",
                );
            }
            Err(e) => return Outcome::refused(e),
        }
    }
    match command {
        Command::Stats => match service.stats_over_ssh(user) {
            Ok(stats) => Outcome {
                stdout: stats_text(&service.config().name, &stats).into_bytes(),
                ..Outcome::default()
            },
            Err(e) => Outcome::refused(e),
        },
        Command::Announce(text) => match service.announce(user, text) {
            Ok(said) => Outcome {
                stdout: format!("announced to every open session: {said}\n").into_bytes(),
                ..Outcome::default()
            },
            Err(e) => Outcome::refused(e),
        },
        Command::Export | Command::Unknown => Outcome {
            stderr: USAGE.into(),
            status: STATUS_USAGE,
            ..Outcome::default()
        },
    }
}

/// The numbers as plain text: one `name value` line each, no escape sequences, no colour.
pub fn stats_text(board: &str, s: &Stats) -> String {
    let mib = s.database_bytes as f64 / (1024.0 * 1024.0);
    let (h, m) = (s.uptime / 3600, s.uptime % 3600 / 60);
    format!(
        "board             {}\n\
         sessions          {} ({} member{} online)\n\
         posts per day     {} (the last 24 hours)\n\
         open reports      {} ({} urgent)\n\
         accounts waiting  {}\n\
         members           {}\n\
         database size     {mib:.1} MiB ({} bytes)\n\
         uptime            {h}h {m:02}m\n",
        crate::sanitize::line(board),
        s.sessions,
        s.members_online,
        if s.members_online == 1 { "" } else { "s" },
        s.posts_last_day(),
        s.open_reports,
        s.urgent_reports,
        s.pending_accounts,
        s.members,
        s.database_bytes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_line_is_read_as_ssh_sends_it() {
        for (line, command) in [
            (&b"export"[..], Command::Export),
            (b" stats \n", Command::Stats),
            (b"announce back at 9", Command::Announce("back at 9".into())),
            (
                b"announce \"back at 9\"",
                Command::Announce("back at 9".into()),
            ),
            (b"announce 'it''s'", Command::Announce("it''s".into())),
            (b"announce", Command::Announce(String::new())),
            (b"stats now", Command::Unknown),
            (b"cat /etc/passwd", Command::Unknown),
            (b"", Command::Unknown),
            (b"Stats", Command::Unknown),
        ] {
            assert_eq!(Command::parse(line), command, "{line:?}");
        }
    }

    #[test]
    fn the_stats_text_is_plain_lines() {
        let s = Stats {
            sessions: 3,
            members_online: 2,
            uptime: 7260,
            posts_per_hour: vec![1; 24],
            open_reports: 2,
            urgent_reports: 1,
            first_reports: vec![("post by \u{1b}[31mx".into(), 1, true)],
            pending_accounts: 0,
            members: 10,
            database_bytes: 3 << 20,
        };
        let text = stats_text("Haven\u{1b}]0;owned\u{7}", &s);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(
            text.contains("sessions          3 (2 members online)"),
            "{text}"
        );
        assert!(text.contains("posts per day     24"), "{text}");
        assert!(text.contains("open reports      2 (1 urgent)"), "{text}");
        assert!(text.contains("database size     3.0 MiB"), "{text}");
        assert!(text.contains("uptime            2h 01m"), "{text}");
    }
}
