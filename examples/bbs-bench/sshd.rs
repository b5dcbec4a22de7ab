//! The same measures against OpenSSH's sshd, for the ratios: a private sshd (its own config,
//! host key and authorized keys in a temporary directory, on a free loopback port) whose
//! `ForceCommand` runs `bbs console` on the same kind of data dir. Absent sshd, nothing runs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use russh::keys::PrivateKey;

pub const SSHD: &str = "/usr/sbin/sshd";

pub struct Sshd {
    child: Child,
    pub addr: SocketAddr,
    pub user: String,
    _dir: tempfile::TempDir,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        // The whole tree: the listener, each connection's sshd, each `bbs console`.
        for pid in tree(self.child.id()) {
            // SAFETY: kill has no memory-safety preconditions.
            unsafe { libc::kill(pid as i32, libc::SIGTERM) };
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sshd {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// The user sshd logs the bench in as: the one running it.
fn current_user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "root".into())
}

/// Starts sshd for `members`, or says why it cannot.
pub fn start(bbs: &Path, members: &[(String, PrivateKey)]) -> Result<Sshd, String> {
    if !Path::new(SSHD).exists() {
        return Err(format!(
            "{SSHD} is not installed (apt-get install openssh-server)"
        ));
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let d = dir.path();
    // Console data: one sysop (the console acts as the sysop), no second factor asked.
    let data_config = d.join("bbs.toml");
    std::fs::write(
        &data_config,
        format!(
            "[server]\ndata_dir = \"{}\"\n[storage]\nencryption = \"keyfile\"\n\
             [security]\nrequire_2fa_for_staff = false\n",
            d.join("data").display()
        ),
    )
    .map_err(|e| e.to_string())?;
    let sysop_pub = d.join("sysop.pub");
    let first = members.first().ok_or("no members")?;
    std::fs::write(
        &sysop_pub,
        first
            .1
            .public_key()
            .to_openssh()
            .map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let out = Command::new(bbs)
        .args(["admin", "add-sysop", "--config"])
        .arg(&data_config)
        .arg("--key")
        .arg(&sysop_pub)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "bbs admin add-sysop: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let host_key = d.join("host_ed25519");
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&host_key)
        .status()
        .map_err(|e| format!("ssh-keygen: {e}"))?;
    if !status.success() {
        return Err("ssh-keygen failed".into());
    }
    let authorized: PathBuf = d.join("authorized_keys");
    let mut lines = String::new();
    for (_, key) in members {
        lines.push_str(&key.public_key().to_openssh().map_err(|e| e.to_string())?);
        lines.push('\n');
    }
    std::fs::write(&authorized, lines).map_err(|e| e.to_string())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let config = d.join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nAuthorizedKeysFile {auth}\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
             StrictModes no\nPermitRootLogin prohibit-password\nPidFile {d}/sshd.pid\n\
             MaxStartups 200:30:400\nMaxSessions 10\nLogLevel ERROR\nUseDNS no\n\
             ForceCommand {bbs} console --config {cfg}\n",
            host = host_key.display(),
            auth = authorized.display(),
            d = d.display(),
            bbs = bbs.display(),
            cfg = data_config.display(),
        ),
    )
    .map_err(|e| e.to_string())?;
    // sshd wants its privilege-separation directory.
    let _ = std::fs::create_dir_all("/run/sshd");
    let child = Command::new(SSHD)
        .arg("-D")
        .arg("-f")
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{SSHD}: {e}"))?;
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let mut sshd = Sshd {
        child,
        addr,
        user: current_user(),
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(addr).is_err() {
        if Instant::now() > deadline {
            return Err("sshd did not open its port".into());
        }
        if let Ok(Some(status)) = sshd.child.try_wait() {
            return Err(format!("sshd exited: {status}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(sshd)
}

/// `root` and every process below it.
pub fn tree(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                && let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..])
                && let Some(ppid) = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok())
            {
                parents.push((pid, ppid));
            }
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

/// Proportional memory (PSS: shared pages split among the processes sharing them) of a
/// process tree, in KiB.
pub fn tree_pss_kib(root: u32) -> u64 {
    tree(root)
        .into_iter()
        .filter_map(|pid| {
            let s = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
            s.lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .sum()
}

/// CPU used by a process tree, the reaped children of each process included.
pub fn tree_cpu(root: u32) -> Duration {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    let ticks: u64 = tree(root)
        .into_iter()
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let rest = &stat[stat.rfind(')')? + 2..];
            let f: Vec<u64> = rest
                .split_whitespace()
                .skip(11)
                .take(4)
                .filter_map(|v| v.parse().ok())
                .collect();
            Some(f.iter().sum::<u64>())
        })
        .sum();
    Duration::from_micros(ticks * 1_000_000 / hz)
}
