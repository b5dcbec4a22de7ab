//! The SSH server: our own accept loop (so connections can be counted and capped before russh
//! sees them), one task per connection, the login grace timer, and an orderly shutdown in which
//! open sessions are told, drained, and only then the store is closed.

pub mod handler;
pub mod hostkey;
pub mod limits;

use std::sync::Arc;
use std::time::Duration;

use russh::keys::PrivateKey;
use russh::server::Config as SshConfig;
use russh::{MethodKind, MethodSet, SshId};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::service::Service;
use handler::Handler;
use limits::{Limiter, Permit};

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
    let ssh = Arc::new(ssh_config(&service, host_key));
    let limits = service.config().limits.clone();
    let limiter = Limiter::new(
        limits.max_unauthenticated,
        limits.max_unauthenticated_per_source,
    );
    let tracker = TaskTracker::new();
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
        // Sessions count separately: the tracker holds every connection task.
        if tracker.len() >= limits.max_sessions + limits.max_unauthenticated {
            drop(stream);
            continue;
        }
        let Some(permit) = limiter.admit(peer.ip()) else {
            // Dropped without a word, like sshd past MaxStartups. No address is logged.
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        tracker.spawn(connection(
            stream,
            permit,
            ssh.clone(),
            service.clone(),
            shutdown.clone(),
            tracker.clone(),
            limits.login_grace,
        ));
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

/// One connection: the SSH handshake and login within the grace time, then the session.
async fn connection(
    stream: TcpStream,
    permit: Permit,
    ssh: Arc<SshConfig>,
    service: Service,
    shutdown: CancellationToken,
    tracker: TaskTracker,
    grace: Duration,
) {
    let (auth_tx, auth_rx) = oneshot::channel();
    let channel_closed = CancellationToken::new();
    let handler = Handler::new(
        service,
        shutdown.clone(),
        tracker,
        auth_tx,
        channel_closed.clone(),
    );
    let deadline = tokio::time::Instant::now() + grace;
    let running =
        match tokio::time::timeout_at(deadline, russh::server::run_stream(ssh, stream, handler))
            .await
        {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "handshake failed");
                return;
            }
            Err(_) => return,
        };
    let handle = running.handle();
    tokio::pin!(running);
    tokio::select! {
        r = &mut running => {
            if let Err(e) = r {
                tracing::debug!(error = %e, "connection ended before login");
            }
            return;
        }
        r = auth_rx => {
            if r.is_err() {
                return;
            }
        }
        _ = tokio::time::sleep_until(deadline) => {
            let _ = handle.disconnect(russh::Disconnect::ByApplication, "login grace time exceeded".into(), String::new()).await;
            return;
        }
        _ = shutdown.cancelled() => {
            let _ = handle.disconnect(russh::Disconnect::ByApplication, "server shutting down".into(), String::new()).await;
            return;
        }
    }
    // Authenticated: the slot among unauthenticated connections is free again.
    drop(permit);
    tokio::select! {
        r = &mut running => {
            if let Err(e) = r {
                tracing::debug!(error = %e, "connection ended");
            }
            return;
        }
        _ = channel_closed.cancelled() => {}
    }
    // This side closed the channel: a well-behaved client writes what it holds and hangs up.
    // One that does not is hung up on after a moment, so it holds no slot or drain.
    if tokio::time::timeout(LINGER, &mut running).await.is_err() {
        let _ = handle
            .disconnect(
                russh::Disconnect::ByApplication,
                String::new(),
                String::new(),
            )
            .await;
        let _ = tokio::time::timeout(LINGER, running).await;
    }
}
