//! End-to-end tests: a real server on a loopback port, members connecting over SSH, typing keys
//! and reading the screen as a terminal shows it. One binary; a module per topic, and the harness
//! (server, members, page objects, the OpenSSH client in a pty) in `util/`.

mod accounts;
mod anonymity;
mod belonging;
mod bench;
mod blocks;
mod data;
mod faults;
mod hardening;
mod house;
mod logs;
mod messages;
mod moderation;
mod notifications;
mod operating;
mod own_place;
mod reading;
mod running;
mod safety;
mod staff;
mod terminal;
mod themes;
mod util;
