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

/// A new ed25519 key.
pub fn new_key() -> PrivateKey {
    PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519).expect("key")
}

struct ClientHandler {
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
        let config = Arc::new(client::Config::default());
        let seen = Arc::new(Mutex::new(None));
        let mut handle = client::connect_stream(
            config,
            stream,
            ClientHandler {
                seen_host_key: seen.clone(),
            },
        )
        .await
        .expect("connect");
        let auth = handle
            .authenticate_publickey(
                "member",
                PrivateKeyWithHashAlg::new(Arc::new(key.clone()), None),
            )
            .await
            .expect("auth");
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
        let seen = Arc::new(Mutex::new(None));
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

    pub async fn send(&mut self, bytes: &[u8]) {
        self.channel.data(bytes).await.expect("send");
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

/// A program running in a pseudo-terminal, its output fed to a `vt100` screen.
pub struct PtyProgram {
    pub parser: vt100::Parser,
    master: Box<dyn portable_pty::MasterPty + Send>,
    writer: Box<dyn std::io::Write + Send>,
    output: tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl PtyProgram {
    pub fn spawn(mut cmd: portable_pty::CommandBuilder, cols: u16, rows: u16) -> PtyProgram {
        cmd.env("TERM", "xterm-256color");
        let pty = portable_pty::native_pty_system()
            .openpty(portable_pty::PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let child = pty.slave.spawn_command(cmd).expect("spawn in pty");
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let (tx, output) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match std::io::Read::read(&mut reader, &mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        PtyProgram {
            parser: vt100::Parser::new(rows, cols, 0),
            master: pty.master,
            writer,
            output,
            child,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer
            .write_all(bytes)
            .and_then(|_| self.writer.flush())
            .expect("write to pty");
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.master
            .resize(portable_pty::PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize");
        self.parser.screen_mut().set_size(rows, cols);
    }

    pub async fn wait_for(&mut self, text: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            match tokio::time::timeout_at(deadline, self.output.recv()).await {
                Ok(Some(bytes)) => self.parser.process(&bytes),
                Ok(None) => panic!("program exited while waiting for {text:?}; screen:\n{screen}"),
                Err(_) => panic!("timed out waiting for {text:?}; screen:\n{screen}"),
            }
        }
    }

    /// Takes in whatever output arrives within `quiet` of the last piece (after an exit, what
    /// the terminal would still show).
    pub async fn drain(&mut self, quiet: Duration) {
        while let Ok(Some(bytes)) = tokio::time::timeout(quiet, self.output.recv()).await {
            self.parser.process(&bytes);
        }
    }

    /// Waits for the program to exit; returns its exit status.
    pub async fn wait_exit(&mut self) -> u32 {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status.exit_code();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "program did not exit; screen:\n{}",
                self.screen()
            );
            if let Ok(Some(bytes)) =
                tokio::time::timeout(Duration::from_millis(50), self.output.recv()).await
            {
                self.parser.process(&bytes);
            }
        }
    }
}

impl Drop for PtyProgram {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Arguments for the system's `ssh` to reach `server` with `key`, checking the host key
/// against the server's own (StrictHostKeyChecking=yes). Files go in `dir`.
pub fn openssh_args(server: &TestServer, key: &PrivateKey, dir: &Path) -> Vec<std::ffi::OsString> {
    use std::os::unix::fs::PermissionsExt;
    let key_file = dir.join("id_ed25519");
    std::fs::write(
        &key_file,
        key.to_openssh(russh::keys::ssh_key::LineEnding::LF)
            .expect("encode")
            .as_bytes(),
    )
    .expect("write key");
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let host = std::fs::read_to_string(server.data_dir.join(haven::server::hostkey::FILE_NAME))
        .expect("host key");
    let host = PrivateKey::from_openssh(host.as_bytes()).expect("parse host key");
    let known = dir.join("known_hosts");
    std::fs::write(
        &known,
        format!(
            "[127.0.0.1]:{} {}\n",
            server.addr.port(),
            host.public_key().to_openssh().expect("encode")
        ),
    )
    .expect("write known_hosts");
    let mut args: Vec<std::ffi::OsString> = [
        "-F",
        "/dev/null",
        "-p",
        &server.addr.port().to_string(),
        "-i",
    ]
    .iter()
    .map(Into::into)
    .collect();
    args.push(key_file.into());
    for a in [
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "BatchMode=yes",
        "-o",
    ] {
        args.push(a.into());
    }
    args.push(format!("UserKnownHostsFile={}", known.display()).into());
    args.push("-o".into());
    args.push("LogLevel=ERROR".into());
    args
}

/// The system's OpenSSH client connected to `server` with `key`, in a pty.
pub fn openssh(
    server: &TestServer,
    key: &PrivateKey,
    cols: u16,
    rows: u16,
    dir: &Path,
) -> PtyProgram {
    let mut cmd = portable_pty::CommandBuilder::new("ssh");
    cmd.args(openssh_args(server, key, dir));
    cmd.args(["-tt", "127.0.0.1"]);
    PtyProgram::spawn(cmd, cols, rows)
}

/// Writes `key`'s public half to `dir/name.pub` and returns the path.
pub fn write_public_key(key: &PrivateKey, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(format!("{name}.pub"));
    std::fs::write(&path, key.public_key().to_openssh().expect("encode")).expect("write pub");
    path
}

/// Creates a member with `role` in `data_dir` through `bbs admin add-user`; returns their key.
pub fn add_user(data_dir: &Path, handle: &str, role: &str) -> PrivateKey {
    add_user_by(&["--data-dir".as_ref(), data_dir.as_os_str()], handle, role)
}

/// The same, with the settings of the bbs.toml at `config`.
pub fn add_user_with(config: &Path, handle: &str, role: &str) -> PrivateKey {
    add_user_by(&["--config".as_ref(), config.as_os_str()], handle, role)
}

fn add_user_by(place: &[&std::ffi::OsStr], handle: &str, role: &str) -> PrivateKey {
    let key = new_key();
    let tmp = tempfile::tempdir().expect("tempdir");
    let pubfile = write_public_key(&key, tmp.path(), handle);
    let (code, _, err) = bbs(&[
        "admin".as_ref(),
        "add-user".as_ref(),
        handle.as_ref(),
        "--key".as_ref(),
        pubfile.as_os_str(),
        "--role".as_ref(),
        role.as_ref(),
        place[0],
        place[1],
    ]);
    assert_eq!(code, Some(0), "add-user {handle}: {err}");
    key
}

/// Runs the `bbs` binary with `args`; returns (exit code, stdout, stderr).
pub fn bbs(args: &[&std::ffi::OsStr]) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
        .args(args)
        .env_remove("BBS_CONFIG")
        .output()
        .expect("run bbs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// How a login with a second factor went.
#[derive(Debug, PartialEq, Eq)]
pub enum TwoStep {
    /// The key alone was enough (no second factor asked).
    KeyOnly,
    Accepted,
    /// The server asked again; the instructions it gave.
    AskedAgain(String),
    Refused,
}

/// Logs in with `key`, answering the second-factor prompt with `code`; on success opens a
/// shell and returns the member.
pub async fn login_with_code(
    addr: SocketAddr,
    key: &PrivateKey,
    code: &str,
) -> (TwoStep, Option<Member>) {
    use russh::client::KeyboardInteractiveAuthResponse as K;
    let config = Arc::new(client::Config::default());
    let seen = Arc::new(Mutex::new(None));
    let mut handle = client::connect(
        config,
        addr,
        ClientHandler {
            seen_host_key: seen.clone(),
        },
    )
    .await
    .expect("connect");
    let auth = handle
        .authenticate_publickey(
            "member",
            PrivateKeyWithHashAlg::new(Arc::new(key.clone()), None),
        )
        .await
        .expect("auth");
    let outcome = match auth {
        russh::client::AuthResult::Success => TwoStep::KeyOnly,
        russh::client::AuthResult::Failure {
            partial_success: true,
            remaining_methods,
        } => {
            assert!(
                remaining_methods.contains(&russh::MethodKind::KeyboardInteractive),
                "{remaining_methods:?}"
            );
            let start = handle
                .authenticate_keyboard_interactive_start("member", None)
                .await
                .expect("kbd-int");
            let K::InfoRequest { prompts, .. } = start else {
                panic!("expected a prompt, got {start:?}");
            };
            assert!(
                prompts[0].prompt.contains("Authenticator code"),
                "{:?}",
                prompts[0].prompt
            );
            match handle
                .authenticate_keyboard_interactive_respond(vec![code.to_string()])
                .await
                .expect("respond")
            {
                K::Success => TwoStep::Accepted,
                K::InfoRequest { instructions, .. } => TwoStep::AskedAgain(instructions),
                K::Failure { .. } => TwoStep::Refused,
            }
        }
        russh::client::AuthResult::Failure { .. } => TwoStep::Refused,
    };
    if !matches!(outcome, TwoStep::KeyOnly | TwoStep::Accepted) {
        return (outcome, None);
    }
    (
        outcome,
        Some(Member::open_shell(handle, &seen, 80, 24).await),
    )
}

/// The current code for a secret as the enrolment screen shows it.
pub fn totp_code(secret_text: &str, offset_steps: i64) -> String {
    let secret = haven::domain::totp::parse_secret_text(secret_text).expect("base32 secret");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64;
    haven::domain::totp::code_at(&secret, (now + offset_steps * 30) as u64)
}

/// The secret on the enrolment screen (the line of 4-character base32 groups).
pub fn secret_on(screen: &str) -> String {
    find_secret(screen).unwrap_or_else(|| panic!("no secret on screen:\n{screen}"))
}

pub fn find_secret(screen: &str) -> Option<String> {
    let is_group = |g: &str| {
        g.len() == 4
            && g.chars()
                .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
    };
    let rows: Vec<String> = screen
        .lines()
        .filter_map(|l| {
            l.split("  ")
                .map(str::trim)
                .find(|p| p.len() == 19 && p.split(' ').count() == 4 && p.split(' ').all(is_group))
                .map(str::to_string)
        })
        .collect();
    (rows.len() == 2).then(|| rows.join(" "))
}
