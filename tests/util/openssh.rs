//! Programs in a pseudo-terminal: the system OpenSSH client (and `bbs console`) driven as a
//! member would drive them, their output fed to a `vt100` screen.

use super::*;

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
        // A test may say which terminal it is; otherwise a common colour one.
        if cmd.get_env("TERM").is_none() {
            cmd.env("TERM", "xterm-256color");
        }
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

    /// Pages down (Space) until `text` shows, as a member reads on through a page taller than
    /// their terminal; at most ten pages.
    pub async fn page_to(&mut self, text: &str) -> String {
        for _ in 0..10 {
            self.drain(Duration::from_millis(150)).await;
            if self.screen().contains(text) {
                return self.screen();
            }
            self.send(b" ");
        }
        self.wait_for(text).await
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

/// [`openssh_args`] as a member's own ssh runs: keyboard-interactive on (`BatchMode=no`, so
/// the server's words before a refusal are printed) and informational messages shown.
pub fn openssh_interactive_args(
    server: &TestServer,
    key: &PrivateKey,
    dir: &Path,
) -> Vec<std::ffi::OsString> {
    openssh_args(server, key, dir)
        .into_iter()
        .map(|a| match a.to_str() {
            Some("LogLevel=ERROR") => "LogLevel=INFO".into(),
            Some("BatchMode=yes") => "BatchMode=no".into(),
            _ => a,
        })
        .collect()
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
