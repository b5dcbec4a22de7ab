//! Haven: a bulletin-board system for a peer-support community, reached with `ssh`.
//!
//! # Layout
//!
//! ```text
//! config       bbs.toml → RawConfig → Config; the only reader of settings files and env;
//!              bounds: every numeric key's range, refused (never clamped) outside it.
//! sanitize     the one sanitiser every piece of member text passes before storing and drawing.
//! assets       guidelines, privacy policy, crisis resources (embedded, overridable).
//! clock        the one clock: rows are stamped with it, decisions use it plus a test offset.
//! domain/      ids, roles, entities, validation, policy. Pure: no IO.
//! store/       SQLite (rusqlite), synchronous; migrations; one file per table group;
//!              visibility: the reader's view, the one home of every block and anonymity rule.
//! logging      log lines on stderr, plain and escaped (nothing a client sends can forge one)
//!              or JSON; colour only on a terminal.
//! live         broadcast hub of live events, fed across processes by the events table;
//!              who is online (in memory only).
//! service/     use cases: policy + store + live events. Shared by SSH, console and admin.
//!              One file per topic, each one `impl Service`: accounts, keys,
//!              second_factor, members, moderation, sanctions, reports, pace, safety,
//!              reading, posting, messages, edits, unmask, board_admin, search,
//!              notifications, read_marks, backups (the server's schedule: backups and the
//!              daily purge). mod.rs: errors, the Service, its one write helper.
//! server/      accept loop and limits, the thin russh handler, the host key; exec: the
//!              commands of `ssh HOST COMMAND` (export, and for sysops stats, announce);
//!              notify: systemd's READY=1 / STOPPING=1.
//! session/     one task per SSH shell: bytes → keys → App update → diffed frame out.
//! tui/         the App (The Elm Architecture): state, update → effects (effects.rs), results
//!              handled in results.rs, pure render (draw.rs); each screen owns its keys.
//! console      the same App on the local terminal.
//! reload       SIGHUP: bbs.toml and the texts read again, what may change applied live.
//! admin/       `bbs admin …` subcommands; they call the service only.
//! ```
//!
//! The App never touches SQL or sockets; the store never knows about sessions; the handler
//! never renders. What may import what, and how a request moves through the layers, is in
//! `docs/ARCHITECTURE.md` ("Layers", "The life of a key press"); the product rules are in
//! `docs/DESIGN.md`.

#![deny(clippy::unwrap_used)]

pub mod admin;
pub mod assets;
pub mod boot;
pub mod clock;
pub mod config;
pub mod console;
pub mod domain;
pub mod live;
pub mod logging;
pub mod reload;
pub mod sanitize;
pub mod server;
pub mod service;
pub mod session;
pub mod store;
pub mod tui;

#[cfg(test)]
mod fuzz_tests;
