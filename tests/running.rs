//! Running `bbs serve` as a service: SIGHUP reloads the config file without ending the server
//! (a bad file keeps the settings in force), and systemd's readiness notices.

use super::util::{self, Member, keys, new_key};
use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `bbs serve` as a child process, with what it logs on stderr kept line by line.
struct Served {
    child: std::process::Child,
    addr: std::net::SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl Served {
    fn start(
        config: &std::path::Path,
        data: &std::path::Path,
        env: &[(&str, &std::ffi::OsStr)],
    ) -> Served {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"));
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(config)
            .arg("--data-dir")
            .arg(data)
            .env_remove("BBS_CONFIG")
            .env_remove("NOTIFY_SOCKET")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start bbs serve");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr");
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { return };
                kept.lock().expect("lock").push(line);
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines.next().expect("a line").expect("read");
            if let Some(a) = line.strip_prefix("Haven is listening on ") {
                break a.parse().expect("address");
            }
        };
        // Keep reading stdout, so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Served { child, addr, log }
    }

    fn signal(&self, signal: i32) {
        let pid = i32::try_from(self.child.id()).expect("pid");
        // SAFETY: kill only sends a signal to the child this test started.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// Waits until the log has a line with every one of `words`; returns it.
    async fn logged(&self, words: &[&str]) -> String {
        let deadline = std::time::Instant::now() + util::WAIT;
        loop {
            if let Some(line) = self
                .log
                .lock()
                .expect("lock")
                .iter()
                .find(|l| words.iter().all(|w| l.contains(w)))
            {
                return line.clone();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no log line with {words:?}:\n{}",
                self.log.lock().expect("lock").join("\n")
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().expect("wait").is_none()
    }

    async fn stop(mut self) -> Option<i32> {
        self.signal(libc::SIGTERM);
        let deadline = std::time::Instant::now() + util::WAIT;
        loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                return s.code();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "bbs serve did not stop"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

const PACE_OFF: &str = "[posting]\npost_interval_seconds = 0\nnew_member_post_interval_seconds = 0\n\
                        new_member_thread_interval_seconds = 0\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_applies_new_watched_words_and_registration_and_a_bad_file_keeps_them() {
    let dir = util::data_dir();
    let file = dir.path().join("bbs.toml");
    std::fs::write(&file, PACE_OFF).expect("write");
    let mut served = Served::start(&file, &dir.path().join("data"), &[]);
    let key = new_key();
    let mut m = Member::sign_up(served.addr, &key, "early_bird").await;
    m.send(keys::ENTER).await;
    m.wait_for("c new thread").await;

    // A watched word and invite-only joining, then SIGHUP.
    std::fs::write(
        &file,
        format!(
            "{PACE_OFF}\n[watched_words]\nblock = [\"forbiddenword\"]\n\n\
             [registration]\nmode = \"invite\"\n\n[limits]\nmax_sessions = 5\n"
        ),
    )
    .expect("write");
    // And the crisis resources replaced in the data dir.
    std::fs::write(
        dir.path().join("data").join("resources.md"),
        "Call the Harbour line: 0800 000 000\n",
    )
    .expect("write");
    served.signal(libc::SIGHUP);
    served.logged(&["registration.mode", "applies now"]).await;
    served.logged(&["resources.md", "text reloaded"]).await;
    served.logged(&["watched_words.block", "applies now"]).await;
    // What cannot change while running is named, and kept.
    served.logged(&["setting=\"limits\"", "next start"]).await;
    assert!(served.running(), "SIGHUP ended the server");
    let log = served.log.lock().expect("lock").join("\n");
    assert!(
        !log.contains("forbiddenword"),
        "a value reached the log:\n{log}"
    );

    // The open session's next post meets the new word.
    m.send(b"c").await;
    m.wait_for("Title").await;
    m.send(b"A title\t\tsay forbiddenword here").await;
    m.send(keys::CTRL_S).await;
    m.wait_for("which is not allowed here").await;
    m.send(keys::ESC).await;
    // A new key now needs an invite.
    let mut newcomer = Member::connect(served.addr, &new_key(), 80, 24).await;
    newcomer.wait_for("Community guidelines").await;
    newcomer.send(b"a").await;
    newcomer.wait_for("Privacy policy").await;
    newcomer.send(b"a").await;
    newcomer.wait_for("Invite code").await;
    newcomer.disconnect().await;
    // Help now shows the new resources (a session reads its texts when it starts).
    let mut later = Member::connect(served.addr, &key, 80, 24).await;
    later.wait_for("Small wins").await;
    later.send(keys::F1).await;
    later.wait_for("Call the Harbour line").await;
    later.disconnect().await;

    // A bad file is refused with its line and key; the settings in force stay.
    std::fs::write(&file, "[posting]\npost_interval_seconds = -3\n").expect("write");
    served.signal(libc::SIGHUP);
    let line = served
        .logged(&[
            "not reloaded",
            "bbs.toml:2",
            "posting.post_interval_seconds",
        ])
        .await;
    assert!(line.contains("out of range"), "{line}");
    assert!(served.running(), "a bad file ended the server");
    m.send(b"c").await;
    m.wait_for("Title").await;
    m.send(b"Again\t\tforbiddenword once more").await;
    m.send(keys::CTRL_S).await;
    m.wait_for("which is not allowed here").await;
    m.disconnect().await;
    assert_eq!(served.stop().await, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_systemd_it_says_ready_once_the_port_answers_and_stopping_at_shutdown() {
    use tokio::io::AsyncReadExt;
    let dir = util::data_dir();
    let file = dir.path().join("bbs.toml");
    std::fs::write(&file, "").expect("write");
    let socket = dir.path().join("notify");
    let listener = std::os::unix::net::UnixDatagram::bind(&socket).expect("bind");
    listener
        .set_read_timeout(Some(util::WAIT))
        .expect("timeout");
    let served = Served::start(
        &file,
        &dir.path().join("data"),
        &[("NOTIFY_SOCKET", socket.as_os_str())],
    );
    let mut buf = [0u8; 256];
    let n = listener.recv(&mut buf).expect("READY=1 in time");
    assert_eq!(&buf[..n], b"READY=1");
    // Ready means ready: a connection made now is answered by the SSH server.
    let mut stream = tokio::net::TcpStream::connect(served.addr)
        .await
        .expect("connect");
    let mut banner = [0u8; 64];
    let got = tokio::time::timeout(util::WAIT, stream.read(&mut banner))
        .await
        .expect("a banner in time")
        .expect("read");
    assert!(banner[..got].starts_with(b"SSH-2.0-Haven"));
    drop(stream);

    served.signal(libc::SIGTERM);
    let n = listener.recv(&mut buf).expect("STOPPING=1 in time");
    assert_eq!(&buf[..n], b"STOPPING=1");
    assert_eq!(served.stop().await, Some(0));
}

#[test]
fn the_systemd_unit_runs_serve_with_its_config_and_hands_over_the_passphrase_credential() {
    let unit = include_str!("../assets/haven.service");
    let exec = unit
        .lines()
        .find(|l| l.starts_with("ExecStart="))
        .expect("ExecStart");
    assert!(
        exec.contains(" serve --config /etc/haven/bbs.toml"),
        "{exec}"
    );
    for line in [
        "Type=notify",
        "User=haven",
        "StateDirectory=haven",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "CapabilityBoundingSet=\n",
        "SystemCallFilter=@system-service",
        "ExecReload=/bin/kill -HUP $MAINPID",
    ] {
        assert!(unit.contains(line), "{line:?} missing");
    }
    // The credential the unit names is the one bbs reads.
    assert!(
        unit.contains(&format!(
            "#LoadCredential={}:",
            haven::boot::PASSPHRASE_CREDENTIAL
        )),
        "{unit}"
    );
    // Checked by systemd itself where it is installed (ExecStart must exist for that).
    let have = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        return;
    }
    let dir = util::data_dir();
    let copy = dir.path().join("haven.service");
    std::fs::write(
        &copy,
        unit.replace("/usr/local/bin/bbs", env!("CARGO_BIN_EXE_bbs")),
    )
    .expect("write");
    let out = std::process::Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&copy)
        .output()
        .expect("systemd-analyze");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
