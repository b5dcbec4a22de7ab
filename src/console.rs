//! `bbs console`: the same App on the local terminal (crossterm for raw mode and size), acting
//! as the sysop, against the same database, with or without the server running. Input goes
//! through the same byte parser as SSH sessions, so both behave alike.

use std::io::Write;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::domain::User;
use crate::service::Service;
use crate::session::{self, Identity, Input, Output, frame::clamp_size};

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(
        "there is no sysop yet: sign up over ssh with the claim code, or run `bbs admin add-sysop`"
    )]
    NoSysop,
    #[error("the console needs a terminal: {0}")]
    Terminal(std::io::Error),
    #[error("{0}")]
    Service(#[from] crate::service::ServiceError),
}

struct Stdout(std::io::Stdout);

impl Output for Stdout {
    async fn send(&mut self, bytes: Vec<u8>) -> bool {
        self.0
            .write_all(&bytes)
            .and_then(|_| self.0.flush())
            .is_ok()
    }
}

/// Restores the terminal however the console ends.
struct RawMode;

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// Runs the console until the sysop quits or `shutdown` is cancelled.
pub async fn run(service: Service, shutdown: CancellationToken) -> Result<(), ConsoleError> {
    let sysop: User = {
        let s = service.clone();
        tokio::task::spawn_blocking(move || s.first_sysop())
            .await
            .map_err(|e| ConsoleError::Terminal(std::io::Error::other(e)))??
            .ok_or(ConsoleError::NoSysop)?
    };
    let (cols, rows) = crossterm::terminal::size().map_err(ConsoleError::Terminal)?;
    crossterm::terminal::enable_raw_mode().map_err(ConsoleError::Terminal)?;
    let _raw = RawMode;
    let (theme, theme_forced) = crate::tui::theme::for_terminal(
        &std::env::var("TERM").unwrap_or_default(),
        std::env::var("COLORTERM").ok().as_deref(),
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
    );
    let (tx, rx) = mpsc::channel(64);
    // A plain thread, not tokio's stdin: a read blocked on the terminal must not keep the
    // runtime from shutting down when the console ends (the process exits with it).
    std::thread::spawn({
        let tx = tx.clone();
        move || {
            use std::io::Read;
            let mut stdin = std::io::stdin();
            let mut buf = vec![0u8; 4096];
            loop {
                match stdin.read(&mut buf) {
                    Ok(0) | Err(_) => {
                        let _ = tx.blocking_send(Input::Close);
                        return;
                    }
                    Ok(n) => {
                        if tx.blocking_send(Input::Data(buf[..n].to_vec())).is_err() {
                            return;
                        }
                    }
                }
            }
        }
    });
    #[cfg(unix)]
    let resizer = tokio::spawn({
        let tx = tx.clone();
        async move {
            let Ok(mut winch) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change())
            else {
                return;
            };
            while winch.recv().await.is_some() {
                if let Ok((c, r)) = crossterm::terminal::size() {
                    let (c, r) = clamp_size(c.into(), r.into());
                    if tx.send(Input::Resize(c, r)).await.is_err() {
                        return;
                    }
                }
            }
        }
    });
    drop(tx);
    let size = clamp_size(cols.into(), rows.into());
    // One session: the budget is this terminal's own.
    let share = crate::session::frame::Share::new(crate::session::frame::CellBudget::new(
        service.config().limits.frame_memory_bytes,
    ));
    session::run(
        service,
        Identity::Member(sysop, None),
        crate::session::Terminal {
            size,
            theme,
            theme_forced,
            frames: share,
        },
        rx,
        Stdout(std::io::stdout()),
        shutdown,
    )
    .await;
    #[cfg(unix)]
    resizer.abort();
    Ok(())
}
