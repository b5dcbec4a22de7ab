//! The server under test: a temporary data dir, members provisioned through the admin path
//! (`bbs admin import-keys`), and `bbs serve` on a free loopback port.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use russh::keys::{Algorithm, PrivateKey};

pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    /// The data dir and config, removed when the server is dropped.
    _dir: tempfile::TempDir,
    /// From spawning the process to its port accepting connections.
    pub started_in: Duration,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first, so the server drains as it would under systemd.
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free port on 127.0.0.1 (bound, then released for the server to take).
fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// `n` fresh member keys, with the handles they are imported under.
pub fn keys(n: usize) -> Vec<(String, PrivateKey)> {
    (0..n)
        .map(|i| {
            let key = PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519).expect("key");
            (format!("bench{i}"), key)
        })
        .collect()
}

fn config_text(dir: &Path, addr: SocketAddr, max_sessions: usize) -> String {
    format!(
        r#"[server]
listen = "{addr}"
data_dir = "{data}"
name = "Haven bench"

[storage]
encryption = "keyfile"

[limits]
max_sessions = {max_sessions}
max_unauthenticated = 200
random_drop_from = 200
# The bench connects from many loopback sources, 16 handshakes in flight: well under this.
max_unauthenticated_per_source = 10
penalties = false

[posting]
post_interval_seconds = 0
new_member_post_interval_seconds = 0
new_member_thread_interval_seconds = 0
first_day_threads = 100000
first_day_replies = 100000
duplicate_window_seconds = 0
"#,
        data = dir.join("data").display()
    )
}

/// Provisions `members` through `bbs admin import-keys` and starts `bbs serve`.
pub fn start(bbs: &Path, members: &[(String, PrivateKey)], max_sessions: usize) -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port().expect("port"))
        .parse()
        .expect("addr");
    let config = dir.path().join("bbs.toml");
    std::fs::write(&config, config_text(dir.path(), addr, max_sessions)).expect("config");
    let authorized: PathBuf = dir.path().join("members.pub");
    let mut lines = String::new();
    for (handle, key) in members {
        let mut public = key.public_key().clone();
        public.set_comment(handle.as_str());
        lines.push_str(&public.to_openssh().expect("openssh"));
        lines.push('\n');
    }
    std::fs::write(&authorized, lines).expect("keys file");
    let out = Command::new(bbs)
        .args(["admin", "import-keys", "--config"])
        .arg(&config)
        .arg(&authorized)
        .output()
        .expect("run bbs admin import-keys");
    assert!(
        out.status.success(),
        "import-keys failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let began = Instant::now();
    let child = Command::new(bbs)
        .args(["serve", "--config"])
        .arg(&config)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn bbs serve");
    let mut server = Server {
        child,
        addr,
        _dir: dir,
        started_in: Duration::ZERO,
    };
    let deadline = began + Duration::from_secs(60);
    loop {
        if std::net::TcpStream::connect(addr).is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "bbs serve did not open {addr}");
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("bbs serve exited: {status}");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    server.started_in = began.elapsed();
    server
}
