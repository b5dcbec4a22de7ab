//! Test harness: a real Haven server on a free loopback port with a temporary data dir, and
//! SSH clients (russh's, in-process) whose output is fed to a `vt100` screen, so tests assert
//! on what a member would see.

#![allow(dead_code)]

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use haven::config::Config;
use russh::client;
use russh::keys::{Algorithm, PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{ChannelMsg, Disconnect};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

mod accounts;
mod openssh;
mod pages;

pub use accounts::*;
pub use openssh::*;
pub use pages::*;

/// How long a test waits for something to appear before failing with the screen it saw.
pub const WAIT: Duration = Duration::from_secs(10);

/// A running server.
pub struct TestServer {
    /// The server's service, for tests that move its clock.
    pub service: haven::service::Service,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub claim_code: Option<String>,
    pub host_fingerprint: String,
    shutdown: CancellationToken,
    task: JoinHandle<()>,
    watcher: JoinHandle<()>,
    maintenance: JoinHandle<()>,
    /// The data dir's shared lock, held as `bbs serve` holds it.
    _lock: haven::boot::DataDirLock,
}

impl TestServer {
    /// Starts a server with default settings in `data_dir`.
    /// Starts a server with default settings in `data_dir`, but without posting rate limits
    /// (tests post faster than any member); `start_with(Config::default())` keeps them.
    pub async fn start_in(data_dir: &Path) -> TestServer {
        TestServer::start_with(unlimited(data_dir)).await
    }

    pub async fn start_with(mut config: Config) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        config.listen = addr;
        let data_dir = config.data_dir.clone();
        let opened = tokio::task::spawn_blocking(move || haven::boot::open(config, true))
            .await
            .expect("join")
            .expect("open data dir");
        let host_key = haven::server::hostkey::load_or_create(&data_dir).expect("host key");
        let host_fingerprint = haven::server::hostkey::fingerprint(&host_key);
        let shutdown = CancellationToken::new();
        let service = opened.service;
        let watcher = tokio::spawn(service.clone().run_background(shutdown.clone()));
        let maintenance = tokio::spawn(service.clone().run_maintenance(shutdown.clone()));
        let task = tokio::spawn(haven::server::run(
            listener,
            service.clone(),
            host_key,
            shutdown.clone(),
        ));
        TestServer {
            service,
            addr,
            data_dir,
            claim_code: opened.claim_code,
            host_fingerprint,
            shutdown,
            task,
            watcher,
            maintenance,
            _lock: opened.lock,
        }
    }

    /// Asks the server to shut down (sessions are told and drained) and waits for it.
    pub async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(20), self.task)
            .await
            .expect("server stops in time")
            .expect("join");
        // Bounded too: a hang here is a failure that names itself, not a stuck suite.
        tokio::time::timeout(Duration::from_secs(20), self.watcher)
            .await
            .expect("background work stops in time")
            .expect("join");
        tokio::time::timeout(Duration::from_secs(20), self.maintenance)
            .await
            .expect("maintenance stops in time")
            .expect("join");
        let service = self.service.clone();
        tokio::time::timeout(
            Duration::from_secs(20),
            tokio::task::spawn_blocking(move || service.finish_background()),
        )
        .await
        .expect("the last read marks are written in time")
        .expect("join");
    }

    /// Starts the shutdown without waiting.
    pub fn begin_shutdown(&self) {
        self.shutdown.cancel();
    }
}

/// Default settings in `data_dir`, with posting rate limits and login penalties off.
pub fn unlimited(data_dir: &Path) -> Config {
    let mut config = Config {
        data_dir: data_dir.to_path_buf(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        ..Config::default()
    };
    config.posting.post_interval = 0;
    config.posting.new_member_post_interval = 0;
    config.posting.new_member_thread_interval = 0;
    config.posting.first_day_threads = 1000;
    config.posting.first_day_replies = 1000;
    // Tests fail logins on purpose from 127.0.0.1, then log in again: a penalty would refuse
    // that. The tests of penalties turn them back on.
    config.limits.penalties = false;
    // No scheduled backups: the tests of backups turn them on.
    config.backup.interval = Duration::ZERO;
    config
}

/// A TCP connection to `addr`, from `source` if given (any 127.x address works on Linux).
pub async fn tcp_from(source: Option<std::net::IpAddr>, addr: SocketAddr) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    if let Some(ip) = source {
        socket.bind(SocketAddr::new(ip, 0)).expect("bind source");
    }
    socket.connect(addr).await.expect("tcp connect")
}

/// Reads `stream` until the server closes it (end of stream or an error); false if it is still
/// open after `within`.
pub async fn closed_within<S: tokio::io::AsyncRead + Unpin>(
    stream: &mut S,
    within: Duration,
) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 4096];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    })
    .await
    .is_ok()
}

/// A transport whose reading can be stopped, as a client that stops reading its socket
/// (a frozen terminal, a hostile client) does. Writing goes on.
pub struct Pausable {
    inner: tokio::net::TcpStream,
    pub paused: Arc<std::sync::atomic::AtomicBool>,
}

impl Pausable {
    pub fn new(inner: tokio::net::TcpStream) -> Pausable {
        Pausable {
            inner,
            paused: Arc::default(),
        }
    }
}

impl tokio::io::AsyncRead for Pausable {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        if self.paused.load(std::sync::atomic::Ordering::Acquire) {
            // Never woken: this reader has stopped.
            return std::task::Poll::Pending;
        }
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for Pausable {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The host key the server showed, as its fingerprint, once the handshake is done.
pub type SeenHostKey = Arc<Mutex<Option<String>>>;

/// An SSH connection over `stream`, offering `key`'s public key as "member": the handle, the
/// host key seen, and what the server answered (a second factor may still be asked). Errors
/// say which step failed.
pub async fn key_login<S>(
    stream: S,
    key: &PrivateKey,
) -> Result<
    (
        client::Handle<ClientHandler>,
        SeenHostKey,
        client::AuthResult,
    ),
    String,
>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let seen: SeenHostKey = Arc::new(Mutex::new(None));
    let mut handle = client::connect_stream(
        Arc::new(client::Config::default()),
        stream,
        ClientHandler {
            seen_host_key: seen.clone(),
        },
    )
    .await
    .map_err(|e| format!("connect: {e}"))?;
    let auth = handle
        .authenticate_publickey(
            "member",
            PrivateKeyWithHashAlg::new(Arc::new(key.clone()), None),
        )
        .await
        .map_err(|e| format!("auth: {e}"))?;
    Ok((handle, seen, auth))
}

/// A new ed25519 key.
pub fn new_key() -> PrivateKey {
    PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519).expect("key")
}

pub struct ClientHandler {
    seen_host_key: Arc<Mutex<Option<String>>>,
}

impl client::Handler for ClientHandler {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        if let PublicKeyOrCertificate::PublicKey { key, .. } = key {
            *self.seen_host_key.lock().expect("lock") =
                Some(key.fingerprint(russh::keys::HashAlg::Sha256).to_string());
        }
        Ok(true)
    }
}

/// A member at a terminal: an SSH connection with a pty and a shell, and the screen it shows.
pub struct Member {
    handle: client::Handle<ClientHandler>,
    channel: russh::Channel<client::Msg>,
    pub parser: vt100::Parser,
    /// Every byte the server sent, for checks no screen can make (escape sequences).
    pub raw: Vec<u8>,
    pub host_fingerprint: Option<String>,
    pub closed: bool,
}

impl Member {
    /// Connects with `key`, asks for a `cols`×`rows` pty and a shell.
    pub async fn connect(addr: SocketAddr, key: &PrivateKey, cols: u16, rows: u16) -> Member {
        Member::connect_from(None, addr, key, cols, rows).await
    }

    /// Connects from a chosen loopback source address (e.g. 127.0.0.2), so a test can look
    /// for that address in everything the server wrote.
    pub async fn connect_from(
        source: Option<std::net::IpAddr>,
        addr: SocketAddr,
        key: &PrivateKey,
        cols: u16,
        rows: u16,
    ) -> Member {
        let stream = tcp_from(source, addr).await;
        Member::connect_over(stream, key, cols, rows).await
    }

    /// Logs in with `key` over `stream` (any transport), asks for a pty and a shell.
    pub async fn connect_over<S>(stream: S, key: &PrivateKey, cols: u16, rows: u16) -> Member
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let (handle, seen, auth) = key_login(stream, key)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(auth.success(), "public key auth failed: {auth:?}");
        Member::open_shell(handle, &seen, cols, rows).await
    }

    /// Tries to log in with `key`: Ok(member at a shell) or Err(what the server said through
    /// keyboard-interactive when it refused the key, or "" for a bare refusal).
    pub async fn try_connect_from(
        source: Option<std::net::IpAddr>,
        addr: SocketAddr,
        key: &PrivateKey,
        cols: u16,
        rows: u16,
    ) -> Result<Member, String> {
        use russh::client::KeyboardInteractiveAuthResponse as K;
        let stream = tcp_from(source, addr).await;
        let (mut handle, seen, auth) = key_login(stream, key).await?;
        if auth.success() {
            return Ok(Member::open_shell(handle, &seen, cols, rows).await);
        }
        match handle
            .authenticate_keyboard_interactive_start("member", None)
            .await
        {
            Ok(K::InfoRequest { instructions, .. }) => Err(instructions),
            _ => Err(String::new()),
        }
    }

    /// The connection is gone (the server closed it).
    pub fn connection_closed(&self) -> bool {
        self.handle.is_closed()
    }

    /// On an authenticated connection: asks for a `cols`×`rows` pty and a shell.
    async fn open_shell(
        handle: client::Handle<ClientHandler>,
        seen: &Mutex<Option<String>>,
        cols: u16,
        rows: u16,
    ) -> Member {
        let channel = handle.channel_open_session().await.expect("session");
        channel
            .request_pty(true, "xterm-256color", cols.into(), rows.into(), 0, 0, &[])
            .await
            .expect("pty");
        channel.request_shell(true).await.expect("shell");
        let fp = seen.lock().expect("lock").clone();
        Member {
            handle,
            channel,
            parser: vt100::Parser::new(rows, cols, 0),
            raw: Vec::new(),
            host_fingerprint: fp,
            closed: false,
        }
    }

    /// Connects a new key and signs up with `handle`; returns at the board list.
    pub async fn sign_up(addr: SocketAddr, key: &PrivateKey, handle: &str) -> Member {
        Member::sign_up_with_codes(addr, key, handle).await.0
    }

    /// Signs up and also returns the recovery codes shown once.
    pub async fn sign_up_with_codes(
        addr: SocketAddr,
        key: &PrivateKey,
        handle: &str,
    ) -> (Member, Vec<String>) {
        Member::sign_up_from(None, addr, key, handle).await
    }

    /// Signs up from a chosen source address.
    pub async fn sign_up_from(
        source: Option<std::net::IpAddr>,
        addr: SocketAddr,
        key: &PrivateKey,
        handle: &str,
    ) -> (Member, Vec<String>) {
        let mut m = Member::connect_from(source, addr, key, 80, 24).await;
        m.wait_for("Community guidelines").await;
        m.send(b"a").await;
        m.wait_for("Privacy policy").await;
        m.send(b"a").await;
        m.wait_for("Choose a handle").await;
        m.send(handle.as_bytes()).await;
        m.send(b"\r").await;
        // The handle is shown back once before the account is made.
        m.wait_for("Join as").await;
        m.send(b"\r").await;
        // A frame may arrive in pieces: wait for all ten codes, not just the title.
        let screen = m
            .wait_until(|s| recovery_codes(s).len() == 10, "ten recovery codes")
            .await;
        let codes = recovery_codes(&screen);
        assert_eq!(codes.len(), 10, "{screen}");
        m.send(b"\r").await;
        m.wait_for("Saved them?").await;
        m.send(b"y").await;
        m.wait_for("Boards").await;
        m.wait_for("Welcome").await;
        (m, codes)
    }

    /// The screen as text, one line per row.
    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Sends `bytes`, reading what the server says meanwhile, as a terminal does: a client
    /// that stops reading while it waits for window space can stall the SSH connection (the
    /// server's output fills the channel's queue, so its window adjustments are never read).
    pub async fn send(&mut self, bytes: &[u8]) {
        use tokio::io::AsyncWriteExt;
        let mut writer = self.channel.make_writer();
        let write = async move {
            writer.write_all(bytes).await?;
            writer.flush().await
        };
        tokio::pin!(write);
        loop {
            tokio::select! {
                sent = &mut write => return sent.expect("send"),
                msg = self.channel.wait() => match msg {
                    Some(msg) => self.take(msg),
                    None => {
                        self.closed = true;
                        break;
                    }
                },
            }
        }
        tokio::time::timeout(WAIT, write)
            .await
            .expect("send after the channel closed")
            .expect("send");
    }

    pub async fn resize(&mut self, cols: u16, rows: u16) {
        self.channel
            .window_change(cols.into(), rows.into(), 0, 0)
            .await
            .expect("resize");
        self.parser.screen_mut().set_size(rows, cols);
    }

    /// Asks for a new size; false once the connection is gone.
    pub async fn try_resize(&mut self, cols: u16, rows: u16) -> bool {
        self.channel
            .window_change(cols.into(), rows.into(), 0, 0)
            .await
            .is_ok()
    }

    /// Reads output for up to `d`.
    pub async fn pump(&mut self, d: Duration) {
        let deadline = tokio::time::Instant::now() + d;
        while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, self.channel.wait()).await {
            self.take(msg);
        }
    }

    fn take(&mut self, msg: ChannelMsg) {
        match msg {
            ChannelMsg::Data { data } => {
                self.raw.extend_from_slice(&data);
                self.parser.process(&data);
            }
            ChannelMsg::Eof | ChannelMsg::Close => self.closed = true,
            _ => {}
        }
    }

    /// Waits until the screen shows `text`; panics with the screen if it does not in time.
    pub async fn wait_for(&mut self, text: &str) -> String {
        self.wait_until(|s| s.contains(text), text).await
    }

    /// Waits until `check` holds for the screen text.
    pub async fn wait_until(&mut self, check: impl Fn(&str) -> bool, what: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            match tokio::time::timeout_at(deadline, self.channel.wait()).await {
                Ok(Some(msg)) => self.take(msg),
                Ok(None) => {
                    panic!("connection closed while waiting for {what:?}; screen:\n{screen}")
                }
                Err(_) => panic!("timed out waiting for {what:?}; screen:\n{screen}"),
            }
        }
    }

    /// Waits until the server closes the session.
    pub async fn wait_closed(&mut self) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !self.closed {
            match tokio::time::timeout_at(deadline, self.channel.wait()).await {
                Ok(Some(msg)) => self.take(msg),
                Ok(None) => return,
                Err(_) => panic!("session was not closed; screen:\n{}", self.screen()),
            }
        }
    }

    pub async fn disconnect(self) {
        let _ = self
            .handle
            .disconnect(Disconnect::ByApplication, "bye", "")
            .await;
    }
}

/// The recovery codes on a screen (lines like "    ABCD-EFGH-JKLM").
pub fn recovery_codes(screen: &str) -> Vec<String> {
    screen
        .lines()
        .map(str::trim)
        .filter(|l| {
            l.len() == 14 && l.split('-').count() == 3 && l.split('-').all(|p| p.len() == 4)
        })
        .map(str::to_string)
        .collect()
}

/// Key bytes as a terminal sends them.
pub mod keys {
    pub const ENTER: &[u8] = b"\r";
    pub const ESC: &[u8] = b"\x1b";
    pub const TAB: &[u8] = b"\t";
    pub const DOWN: &[u8] = b"\x1b[B";
    pub const UP: &[u8] = b"\x1b[A";
    pub const CTRL_S: &[u8] = b"\x13";
    pub const CTRL_C: &[u8] = b"\x03";
    pub const F1: &[u8] = b"\x1bOP";
    pub const F3: &[u8] = b"\x1bOR";
}

/// Runs `command` over SSH as `key` (`ssh HOST COMMAND`); returns (exit status, stdout,
/// stderr). No second factor: for keys that need none.
pub async fn exec(
    addr: SocketAddr,
    key: &PrivateKey,
    command: &str,
) -> (Option<u32>, String, String) {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (handle, _, auth) = key_login(stream, key)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(auth.success(), "public key auth failed: {auth:?}");
    let mut channel = handle.channel_open_session().await.expect("session");
    channel.exec(true, command).await.expect("exec");
    let (mut status, mut out, mut err) = (None, Vec::new(), Vec::new());
    tokio::time::timeout(WAIT, async {
        while let Some(msg) = channel.wait().await {
            match msg {
                ChannelMsg::Data { data } => out.extend_from_slice(&data),
                ChannelMsg::ExtendedData { data, ext: 1 } => err.extend_from_slice(&data),
                ChannelMsg::ExitStatus { exit_status } => status = Some(exit_status),
                ChannelMsg::Close => break,
                _ => {}
            }
        }
    })
    .await
    .expect("the command ends in time");
    let _ = handle.disconnect(Disconnect::ByApplication, "", "").await;
    (
        status,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}
