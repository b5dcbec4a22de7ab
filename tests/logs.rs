//! What `bbs serve` writes when no one is at a terminal (systemd, a log shipper): plain or JSON
//! log lines with no escape codes, and the sysop claim code only in a private file.

use super::util::{self, Member, keys, new_key};

/// `bbs serve` with stdout and stderr piped (as under systemd), up to its claim-code line.
struct Served {
    child: std::process::Child,
    addr: std::net::SocketAddr,
    stdout: Vec<String>,
    claim_file: std::path::PathBuf,
    stderr: std::thread::JoinHandle<Vec<u8>>,
}

fn serve_piped(dir: &std::path::Path, args: &[&str]) -> Served {
    use std::io::{BufRead, Read};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.join("data"))
        .args(args)
        .env_remove("BBS_CONFIG")
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start bbs serve");
    let mut err = child.stderr.take().expect("stderr");
    let stderr = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = err.read_to_end(&mut bytes);
        bytes
    });
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut stdout = Vec::new();
    let mut addr = None;
    let claim_file = loop {
        let line = lines.next().expect("a line").expect("read");
        stdout.push(line.clone());
        if let Some(a) = line.strip_prefix("Haven is listening on ") {
            addr = Some(a.parse().expect("address"));
        }
        if let Some(p) = line.strip_prefix("No sysop yet. The sysop claim code is in ") {
            break std::path::PathBuf::from(p);
        }
    };
    // The rest of stdout, until it closes, for the checks at the end.
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    let stderr = std::thread::spawn(move || {
        let mut bytes = stderr.join().expect("stderr reader");
        for line in rest.join().expect("stdout reader") {
            bytes.extend_from_slice(format!("[stdout] {line}\n").as_bytes());
        }
        bytes
    });
    Served {
        child,
        addr: addr.expect("the address came first"),
        stdout,
        claim_file,
        stderr,
    }
}

impl Served {
    /// Stops the server with SIGTERM; returns everything it wrote to stderr (and stdout, after
    /// the claim-code line, marked `[stdout]`).
    fn stop(mut self) -> (Vec<String>, String) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        assert!(self.child.wait().expect("wait").success());
        let stderr = self.stderr.join().expect("output");
        assert!(
            !stderr.contains(&0x1b),
            "an escape code in piped output: {:?}",
            String::from_utf8_lossy(&stderr)
        );
        (
            self.stdout,
            String::from_utf8(stderr).expect("utf-8 output"),
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_terminal_the_claim_code_is_only_in_a_private_file_and_logs_are_plain() {
    use std::os::unix::fs::PermissionsExt;
    let dir = util::data_dir();
    let served = serve_piped(dir.path(), &[]);
    let file = served.claim_file.clone();
    assert_eq!(file, dir.path().join("data").join("sysop-claim-code"));
    let mode = std::fs::metadata(&file).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let code = std::fs::read_to_string(&file)
        .expect("read")
        .trim()
        .to_string();
    assert_eq!(code.len(), 14, "{code:?}");

    // The code in the file is the one that works.
    let mut m = Member::connect(served.addr, &new_key(), 80, 24).await;
    m.wait_for("Community guidelines").await;
    m.send(b"a").await;
    m.wait_for("Privacy policy").await;
    m.send(b"a").await;
    m.wait_for("Sysop claim code").await;
    m.send(b"founder").await;
    m.send(keys::TAB).await;
    m.send(code.as_bytes()).await;
    m.send(keys::ENTER).await;
    m.wait_for("Join as founder?").await;
    m.send(keys::ENTER).await;
    m.wait_for("Your recovery codes").await;
    m.disconnect().await;

    let (stdout, output) = served.stop();
    let everything = format!("{}\n{output}", stdout.join("\n"));
    assert!(
        !everything.to_lowercase().contains(&code.to_lowercase()),
        "the claim code leaked: {everything}"
    );
    // The log names the file, in plain lines.
    assert!(
        output.contains(&format!("file={}", file.display())),
        "{output}"
    );
    assert!(output.contains(" INFO member signed up"), "{output}");
    assert!(output.contains(" INFO stopped"), "{output}");

    // With a sysop, the next start makes no code and removes the old file.
    serve_piped_without_claim(dir.path());
    assert!(!file.exists(), "a used claim code file was left behind");
}

/// Starts `bbs serve` where a sysop exists, checks what it printed, and stops it.
fn serve_piped_without_claim(dir: &std::path::Path) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.join("data"))
        .env_remove("BBS_CONFIG")
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start bbs serve");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut printed = Vec::new();
    while printed.len() < 3 {
        printed.push(lines.next().expect("a line").expect("read"));
    }
    assert!(printed[2].starts_with("Data dir:"), "{printed:?}");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    assert!(child.wait().expect("wait").success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(!rest.iter().any(|l| l.contains("claim")), "{rest:?}");
}

#[test]
fn json_logs_are_one_object_per_line_and_the_flag_beats_the_file() {
    let dir = util::data_dir();
    let config = dir.path().join("bbs.toml");
    std::fs::write(&config, "[log]\nformat = \"json\"\n").expect("write");
    let config = config.to_str().expect("utf-8 path");
    let served = serve_piped(dir.path(), &["--config", config]);
    let file = served.claim_file.clone();
    let (_, output) = served.stop();
    let mut messages = Vec::new();
    for line in output.lines().filter(|l| !l.starts_with("[stdout] ")) {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(event["timestamp"].is_string(), "{line}");
        assert!(event["level"].is_string(), "{line}");
        messages.push(event["message"].as_str().expect("a message").to_string());
        if event["message"]
            .as_str()
            .is_some_and(|m| m.contains("claim code"))
        {
            assert_eq!(event["file"], file.display().to_string(), "{line}");
        }
    }
    assert!(
        messages
            .iter()
            .any(|m| m.contains("sysop claim code is in this file")),
        "{output}"
    );
    assert!(messages.iter().any(|m| m == "stopped"), "{output}");

    // --log-format plain overrides the file.
    let served = serve_piped(dir.path(), &["--config", config, "--log-format", "plain"]);
    let (_, output) = served.stop();
    assert!(output.contains(" INFO stopped"), "{output}");
    assert!(!output.lines().any(|l| l.starts_with('{')), "{output}");
}
