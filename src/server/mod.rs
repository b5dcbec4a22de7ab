//! The SSH server: our own accept loop (so connections can be counted and capped before russh
//! sees them), one task per connection that walks it through its stages with a deadline each,
//! and an orderly shutdown in which open sessions are told, drained, and only then the store
//! is closed. See docs/ARCHITECTURE.md, "The life of a connection".

pub mod exec;
pub mod handler;
pub mod hostkey;
pub mod limits;
pub mod notify;
mod stream;

use std::sync::Arc;
use std::time::Duration;

use russh::keys::PrivateKey;
use russh::server::Config as SshConfig;
use russh::{MethodKind, MethodSet, SshId};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::service::Service;
use crate::session::frame::CellBudget;
use handler::{Admitted, Handler, Signals};
use limits::{Admission, Failure, Gauge, Held, Permit};
use stream::Killable;

/// How long open sessions get to say goodbye and save drafts at shutdown.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client gets to hang up by itself after its channel was closed, before the server
/// hangs up: OpenSSH writes out what it received first, which a DISCONNECT would cut short.
const LINGER: Duration = Duration::from_secs(2);
/// Keepalives find dead peers (a laptop closed mid-session) without any app-level polling.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
const KEEPALIVE_MAX: usize = 3;
/// A pause after a failed accept (e.g. out of file descriptors), so the loop does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// russh settings from Haven's config.
pub fn ssh_config(service: &Service, host_key: PrivateKey) -> SshConfig {
    let limits = &service.config().limits;
    let mut methods = MethodSet::empty();
    methods.push(MethodKind::PublicKey);
    // Only ever after a public key, as the second factor (the handler enforces the order).
    methods.push(MethodKind::KeyboardInteractive);
    SshConfig {
        server_id: SshId::Standard("SSH-2.0-Haven".into()),
        methods,
        // OpenSSH clients try "none" first: answering it at once keeps logins fast.
        auth_rejection_time: Duration::from_secs(1),
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![host_key],
        max_auth_attempts: limits.max_auth_attempts,
        // Idle logout belongs to the app (russh's timeout counts the server's own output).
        inactivity_timeout: None,
        keepalive_interval: Some(KEEPALIVE_INTERVAL),
        keepalive_max: KEEPALIVE_MAX,
        nodelay: true,
        ..Default::default()
    }
}

/// Serves SSH on `listener` until `shutdown` is cancelled, then drains sessions.
pub async fn run(
    listener: TcpListener,
    service: Service,
    host_key: PrivateKey,
    shutdown: CancellationToken,
) {
    let limits = service.config().limits.clone();
    let admission = Admission::new(&limits);
    // A hard bound on sockets: every session, plus every connection still logging in.
    let connections = Gauge::new(limits.max_sessions + limits.max_unauthenticated);
    let shared = Arc::new(Shared {
        ssh: Arc::new(ssh_config(&service, host_key)),
        service,
        shutdown: shutdown.clone(),
        tracker: TaskTracker::new(),
        sessions: Gauge::new(limits.max_sessions),
        frames: CellBudget::new(limits.frame_memory_bytes),
        limits,
    });
    let tracker = shared.tracker.clone();
    tracker.spawn(give_back_memory(
        connections.clone(),
        shared.frames.clone(),
        shutdown.clone(),
    ));
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                continue;
            }
        };
        let Some(held) = connections.take() else {
            drop(stream);
            continue;
        };
        // Refused connections are dropped without a word, like sshd past MaxStartups. No
        // address is logged.
        let Ok(permit) = admission.admit(peer.ip()) else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        tracker.spawn(connection(stream, permit, held, shared.clone()));
    }
    drop(listener);
    tracker.close();
    if tokio::time::timeout(DRAIN_TIMEOUT, tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!(remaining = tracker.len(), "sessions did not finish in time");
    }
}

/// How often to look whether a flood has ended.
const TRIM_EVERY: Duration = Duration::from_secs(5);
/// Connections that must have gone, or frame buffers idle sessions must have dropped, since the
/// last look for memory to be given back.
const TRIM_AFTER: usize = 32;

/// After a flood (many connections gone since the busiest moment) or once many sessions went
/// idle (each dropped its frame buffer), gives freed memory back to the system: glibc keeps
/// freed memory in per-thread arenas, so without this the process would stay at its peak and an
/// idle session would cost what an active one does. Measured in
/// `faults::a_sign_up_flood_keeps_the_servers_memory_bounded` and by `bbs-bench` (BENCHMARKS.md).
async fn give_back_memory(
    connections: Gauge,
    frames: Arc<CellBudget>,
    shutdown: CancellationToken,
) {
    keep_freed_memory();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(TRIM_EVERY) => {}
        }
        let now = connections.current();
        let gone = connections.take_peak().saturating_sub(now);
        let idled = frames.take_idle_drops(TRIM_AFTER);
        if gone >= TRIM_AFTER || idled {
            let _ = tokio::task::spawn_blocking(trim).await;
        }
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only releases free memory at the top of and inside glibc's heaps; it
    // takes the allocator's own locks and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

/// glibc gives the top of a heap back to the system whenever a free leaves more than its trim
/// threshold there, and maps allocations over its mmap threshold on their own; the next
/// allocation faults the same pages in again, zeroed by the kernel. With hundreds of handshakes
/// and first frames a second that churn was a quarter of the server's CPU per connect (perf,
/// BENCHMARKS.md). So the heaps keep what is freed, and [`give_back_memory`] returns it when it
/// is really unused: after a flood, and once sessions went idle.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only sets the allocator's tunables, under its own lock.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}

/// What every connection task shares.
struct Shared {
    ssh: Arc<SshConfig>,
    service: Service,
    shutdown: CancellationToken,
    tracker: TaskTracker,
    /// Open sessions (members and banned members reading their record; sign-ups once their
    /// account exists). A connection holds its unit until it ends.
    sessions: Gauge,
    /// Frame memory all sessions share (`limits.frame_memory_mb`).
    frames: Arc<CellBudget>,
    limits: crate::config::Limits,
}

/// One connection through its stages, each with its deadline: the version line, the key
/// exchange, authentication (the login grace), then the start of a session; a new key's
/// sign-up stays under the pre-authentication caps until its account exists. A connection
/// that fails or misses a deadline before logging in costs its source a penalty.
async fn connection(stream: TcpStream, permit: Permit, _held: Held, shared: Arc<Shared>) {
    let limits = &shared.limits;
    let accepted = Instant::now();
    let signals = Arc::new(Signals::default());
    let (auth_tx, mut auth_rx) = oneshot::channel();
    let handler = Handler::new(
        shared.service.clone(),
        shared.shutdown.clone(),
        shared.tracker.clone(),
        handler::Admit {
            tx: auth_tx,
            ticket: permit.ticket(),
            sessions: shared.sessions.clone(),
            signup_timeout: limits.signup_timeout,
            frames: shared.frames.clone(),
        },
        signals.clone(),
    );
    let stream = Killable::new(stream, signals.kill.clone());

    // The server's version line goes out and the client's must come back in time; a
    // connection pushed out for a newcomer goes at once, even before its version line.
    let version = tokio::time::timeout(
        limits.version_timeout.min(limits.login_grace),
        russh::server::run_stream(shared.ssh.clone(), stream, handler),
    );
    let running = tokio::select! {
        r = version => r,
        _ = permit.evicted() => {
            permit.failed(Failure::NoAuth);
            return;
        }
    };
    let running = match running {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "handshake failed");
            permit.failed(Failure::NoAuth);
            return;
        }
        Err(_) => {
            permit.failed(Failure::Deadline);
            return;
        }
    };
    let handle = running.handle();
    tokio::pin!(running);
    let key_exchange_by = Instant::now() + limits.key_exchange_timeout;
    let login_by = accepted + limits.login_grace;
    let mut exchanged = false;
    let admitted = loop {
        tokio::select! {
            r = &mut running => {
                if let Err(e) = r {
                    tracing::debug!(error = %e, "connection ended before login");
                }
                permit.failed(signals.failure());
                return;
            }
            r = &mut auth_rx => match r {
                Ok(admitted) => break admitted,
                Err(_) => {
                    permit.failed(signals.failure());
                    return;
                }
            },
            _ = signals.exchanged.cancelled(), if !exchanged => exchanged = true,
            _ = tokio::time::sleep_until(key_exchange_by), if !exchanged => {
                permit.failed(Failure::Deadline);
                signals.kill.cancel();
                return;
            }
            _ = tokio::time::sleep_until(login_by) => {
                permit.failed(Failure::Deadline);
                hang_up(&handle, running, &signals, "login grace time exceeded").await;
                return;
            }
            _ = permit.evicted() => {
                // Pushed out for a connection from a less busy source.
                permit.failed(Failure::NoAuth);
                signals.kill.cancel();
                return;
            }
            _ = shared.shutdown.cancelled() => {
                hang_up(&handle, running, &signals, "server shutting down").await;
                return;
            }
        }
    };
    // Logged in. A member's slot among unauthenticated connections is free again; a new key's
    // stays taken until its account exists.
    let (mut permit, mut signup, _session) = match admitted {
        Admitted::Session(held) => {
            drop(permit);
            (None, None, Some(held))
        }
        Admitted::Signup(done, held) => (Some(permit), Some(done), Some(held)),
    };
    let start_by = Instant::now() + limits.session_start_timeout;
    // The session tells the member when their sign-up time is up; this is the backstop.
    let signup_by = Instant::now() + limits.signup_timeout + LINGER;
    let mut started = false;
    loop {
        tokio::select! {
            r = &mut running => {
                if let Err(e) = r {
                    tracing::debug!(error = %e, "connection ended");
                }
                if let Some(p) = &permit {
                    p.failed(Failure::NoAuth);
                }
                return;
            }
            _ = signals.channel_closed.cancelled() => break,
            _ = signals.kill.cancelled() => {
                // The session found the client no longer reading: the socket closes now.
                return;
            }
            _ = signals.started.cancelled(), if !started => started = true,
            _ = tokio::time::sleep_until(start_by), if !started => {
                if let Some(p) = &permit {
                    p.failed(Failure::Deadline);
                }
                hang_up(&handle, running, &signals, "no session was opened").await;
                return;
            }
            _ = async { signup.as_ref().expect("guarded").cancelled().await }, if signup.is_some() => {
                // The account exists: from here on this is a member's session (its session
                // unit was reserved when sign-up began).
                signup = None;
                permit = None;
            }
            _ = tokio::time::sleep_until(signup_by), if signup.is_some() => {
                if let Some(p) = &permit {
                    p.failed(Failure::Deadline);
                }
                hang_up(&handle, running, &signals, "sign-up time exceeded").await;
                return;
            }
            _ = shared.shutdown.cancelled(), if !started => {
                hang_up(&handle, running, &signals, "server shutting down").await;
                return;
            }
        }
    }
    if let Some(p) = permit.take() {
        // Sign-up was left unfinished.
        p.failed(Failure::NoAuth);
    }
    // This side closed the channel: a well-behaved client writes what it holds and hangs up.
    // One that does not is hung up on after a moment, so it holds no slot or drain.
    if tokio::time::timeout(LINGER, &mut running).await.is_err() {
        hang_up(&handle, running, &signals, "").await;
    }
}

/// Says goodbye with `reason`, gives the client a moment to go, then closes the socket.
async fn hang_up<F: std::future::Future>(
    handle: &russh::server::Handle,
    running: std::pin::Pin<&mut F>,
    signals: &Signals,
    reason: &str,
) {
    let bye = handle.disconnect(
        russh::Disconnect::ByApplication,
        reason.into(),
        String::new(),
    );
    let _ = tokio::time::timeout(LINGER, bye).await;
    let _ = tokio::time::timeout(LINGER, running).await;
    signals.kill.cancel();
}
