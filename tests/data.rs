//! Data at rest: the database encrypted with a key file or a passphrase, backups verified and
//! restored (`bbs admin restore`, refused while the board runs), scheduled backups, and no address, post text or anonymous author in the logs or
//! the database.

use super::util::{self, Member, TestServer, keys, new_key};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_is_encrypted_at_rest_with_a_private_key_file() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "secretive").await;
    m.post_thread("Plaintexttitle Wombat", "plaintextbody7731 never on disk")
        .await;
    m.disconnect().await;
    server.stop().await;

    use std::os::unix::fs::PermissionsExt;
    let key = dir.path().join("db.key");
    let mode = std::fs::metadata(&key)
        .expect("key file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "the key file is private: {mode:o}");
    for needle in [
        "plaintextbody7731",
        "Plaintexttitle",
        "secretive",
        "SQLite format 3",
    ] {
        for (file, bytes) in util::all_bytes(dir.path()) {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle:?} is readable in {file}"
            );
        }
    }
    // Without the right key the database does not open, and says so.
    let good = std::fs::read_to_string(&key).expect("read key");
    std::fs::remove_file(&key).expect("remove");
    std::fs::write(&key, format!("{}\n", "ab".repeat(32))).expect("write wrong key");
    let (code, _, err) = util::bbs(&[
        util::os("admin"),
        util::os("users"),
        util::os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_ne!(code, Some(0));
    assert!(err.contains("key"), "{err}");
    std::fs::remove_file(&key).expect("remove");
    let (code, _, err) = util::bbs(&[
        util::os("admin"),
        util::os("users"),
        util::os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_ne!(
        code,
        Some(0),
        "a missing key file is not replaced by a new one"
    );
    assert!(err.contains("db.key is missing"), "{err}");
    std::fs::write(&key, good).expect("restore key");
    let (code, out, _) = util::bbs(&[
        util::os("admin"),
        util::os("users"),
        util::os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0));
    assert!(out.contains("secretive"), "{out}");
}

#[test]
fn a_passphrase_key_opens_only_with_the_same_passphrase() {
    let dir = util::data_dir();
    let config = dir.path().join("bbs.toml");
    std::fs::write(&config, "[storage]\nencryption = \"passphrase\"\n").expect("write config");
    let data = dir.path().join("data");
    let run = |pass: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"));
        cmd.args(["admin", "users", "--config"])
            .arg(&config)
            .arg("--data-dir")
            .arg(&data);
        cmd.env_remove("BBS_DB_PASSPHRASE")
            .env_remove("CREDENTIALS_DIRECTORY");
        if let Some(p) = pass {
            cmd.env("BBS_DB_PASSPHRASE", p);
        }
        let out = cmd.output().expect("run bbs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, err) = run(None);
    assert!(!ok && err.contains("BBS_DB_PASSPHRASE"), "{err}");
    let (ok, err) = run(Some("correct horse battery staple"));
    assert!(ok, "{err}");
    assert!(data.join("db.salt").exists() && !data.join("db.key").exists());
    let (ok, err) = run(Some("wrong horse"));
    assert!(!ok && err.contains("does not open"), "{err}");
    let (ok, err) = run(Some("correct horse battery staple"));
    assert!(ok, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_passphrase_can_be_typed_at_the_terminal_without_echo() {
    let dir = util::data_dir();
    let config = dir.path().join("bbs.toml");
    std::fs::write(&config, "[storage]\nencryption = \"passphrase\"\n").expect("write config");
    let data = dir.path().join("data");
    let spawn = || {
        let mut cmd = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_bbs"));
        cmd.args(["admin", "users", "--config"]);
        cmd.arg(&config);
        cmd.arg("--data-dir");
        cmd.arg(&data);
        cmd.env_remove("BBS_DB_PASSPHRASE");
        cmd.env_remove("CREDENTIALS_DIRECTORY");
        util::PtyProgram::spawn(cmd, 80, 24)
    };
    // First start: asked twice, never shown.
    let mut p = spawn();
    p.wait_for("New database passphrase:").await;
    p.send(b"quiet river 42\r");
    p.wait_for("The same passphrase again:").await;
    p.send(b"quiet river 42\r");
    let screen = p.wait_for("handle").await;
    assert!(!screen.contains("quiet river"), "echoed:\n{screen}");
    assert_eq!(p.wait_exit().await, 0);
    // A wrong one is refused; the right one opens it.
    let mut p = spawn();
    p.wait_for("Database passphrase:").await;
    p.send(b"loud river\r");
    p.wait_for("does not open").await;
    assert_ne!(p.wait_exit().await, 0);
    let mut p = spawn();
    p.wait_for("Database passphrase:").await;
    p.send(b"quiet river 42\r");
    p.wait_for("handle").await;
    assert_eq!(p.wait_exit().await, 0);
}

#[test]
fn a_backup_of_an_unencrypted_board_says_it_is_plain_sqlite_not_encrypted() {
    let dir = util::data_dir();
    let config = dir.path().join("bbs.toml");
    std::fs::write(&config, "[storage]\nencryption = \"none\"\n").expect("config");
    let dest = dir.path().join("plain-backup.db");
    let (code, out, err) = util::bbs(&[
        util::os("admin"),
        util::os("backup"),
        dest.as_os_str(),
        util::os("--config"),
        config.as_os_str(),
        util::os("--data-dir"),
        dir.path().join("data").as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("checked"), "{out}");
    assert!(!out.contains("encrypted with"), "{out}");
    assert!(
        out.contains("NOT encrypted") && out.contains("plain SQLite file"),
        "{out}"
    );
    assert!(out.contains("only you"), "advice to protect it: {out}");
    // And it is true: the file is SQLite in the clear, the seeded boards readable in it.
    let bytes = std::fs::read(&dest).expect("read backup");
    assert!(bytes.starts_with(b"SQLite format 3\0"));
    assert!(bytes.windows(10).any(|w| w == b"Small wins"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_on_a_short_backup_interval_writes_checked_backups_and_keeps_only_keep() {
    let dir = util::data_dir();
    let d = dir.path().as_os_str();
    let mut config = util::unlimited(dir.path());
    config.backup.interval = std::time::Duration::from_secs(1);
    config.backup.keep = 2;
    config.backup.check_every = std::time::Duration::from_millis(300);
    let server = TestServer::start_with(config).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "scheduled").await;
    m.post_thread("Kept safe", "in every backup").await;
    let backups = dir.path().join("backups");
    let list = || -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(&backups)
            .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    // Several intervals pass: backups are made, and only the newest two are kept. (Each one is
    // written, then read whole to be checked: on a loaded machine that takes a while.)
    let deadline = std::time::Instant::now() + 3 * util::WAIT;
    while util::audit(d, &["--action", "backup"]).lines().count() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "no backups: {:?}",
            list()
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    // The board ran on meanwhile. Stopping waits for a backup under way to finish.
    m.send(keys::ESC).await;
    m.wait_for("Kept safe").await;
    m.disconnect().await;
    server.stop().await;
    let files = list();
    assert_eq!(files.len(), 2, "only the newest two are kept: {files:?}");
    let newest = files.last().expect("a backup");
    let name = newest
        .file_name()
        .expect("name")
        .to_string_lossy()
        .to_string();
    assert!(
        name.starts_with("haven-") && name.ends_with("Z.db") && name.len() == 25,
        "{name}"
    );
    let (code, out, err) = util::bbs(&[
        util::os("admin"),
        util::os("verify-backup"),
        newest.as_os_str(),
        util::os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("integrity ok") && out.contains("1 threads"),
        "{out}"
    );
    let audit = util::audit(d, &["--action", "backup"]);
    assert!(audit.contains("scheduled: haven-"), "{audit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_verify_and_restore_round_trip_while_the_board_runs() {
    let dir = util::data_dir();
    let d = dir.path().as_os_str();
    let key = new_key();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::sign_up(server.addr, &key, "archivist").await;
    m.post_thread("Before the backup", "kept").await;

    let out_dir = util::data_dir();
    let dest = out_dir.path().join("haven-backup.db");
    let (code, out, err) = util::bbs(&[
        util::os("admin"),
        util::os("backup"),
        dest.as_os_str(),
        util::os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("100%"), "a progress bar: {err}");
    assert!(
        out.contains("checked") && out.contains("1 threads"),
        "{out}"
    );
    assert!(
        out.contains("It is encrypted with this server's key"),
        "{out}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&dest).expect("stat").permissions().mode();
    assert_eq!(mode & 0o077, 0, "{mode:o}");
    let bytes = std::fs::read(&dest).expect("read backup");
    assert!(
        !bytes.windows(4).any(|w| w == b"kept"),
        "the backup is encrypted"
    );
    let (code, out, err) = util::bbs(&[
        util::os("admin"),
        util::os("verify-backup"),
        dest.as_os_str(),
        util::os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("integrity ok") && out.contains("1 posts"),
        "{out}"
    );
    // Refuses to overwrite.
    let (code, _, _) = util::bbs(&[
        util::os("admin"),
        util::os("backup"),
        dest.as_os_str(),
        util::os("--data-dir"),
        d,
    ]);
    assert_ne!(code, Some(0));

    // After the backup, more is written; then the backup is restored.
    m.send(keys::ESC).await;
    m.wait_for("c new thread").await;
    m.send(b"c").await;
    m.wait_for("Title").await;
    m.send(b"After the backup\t\tlost").await;
    m.send(keys::CTRL_S).await;
    m.wait_for("Posted.").await;
    let restore = |file: &std::path::Path| {
        util::bbs(&[
            util::os("admin"),
            util::os("restore"),
            file.as_os_str(),
            util::os("--data-dir"),
            d,
        ])
    };
    // Not while the server runs on the data dir: refused, and the board is untouched.
    let (code, out, err) = restore(&dest);
    assert_eq!(code, Some(1), "{out}");
    assert!(err.contains("stop the server first"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    m.send(keys::ESC).await;
    m.wait_for("After the backup").await;
    m.disconnect().await;
    server.stop().await;

    // A backup of another board (another key) is refused, whatever its name.
    let other = util::data_dir();
    let (code, _, err) = util::bbs(&[
        util::os("admin"),
        util::os("users"),
        util::os("--data-dir"),
        other.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let foreign = out_dir.path().join("haven-20261207T031500Z.db");
    let (code, _, err) = util::bbs(&[
        util::os("admin"),
        util::os("backup"),
        foreign.as_os_str(),
        util::os("--data-dir"),
        other.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let before = std::fs::read(dir.path().join("haven.db")).expect("read db");
    let (code, _, err) = restore(&foreign);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("is not a backup this board can open") && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("haven.db")).expect("read db"),
        before,
        "a refused restore changed the database"
    );

    let (code, out, err) = restore(&dest);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("checked") && out.contains("1 threads"),
        "{out}"
    );
    assert!(out.contains("Restored it as"), "{out}");
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("haven.db.before-restore-")
        })
        .collect();
    assert_eq!(aside.len(), 1, "the replaced database is kept once");
    assert!(
        out.contains(&aside[0].file_name().to_string_lossy().to_string()),
        "{out}"
    );
    let mode = aside[0].metadata().expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    assert_eq!(
        std::fs::read(aside[0].path()).expect("read"),
        before,
        "the database set aside is the one that was there"
    );
    let audit = util::audit(d, &["--action", "restored"]);
    assert!(audit.contains("from haven-backup.db"), "{audit}");
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::connect(server.addr, &key, 80, 24).await;
    m.wait_for("Small wins").await;
    m.send(keys::ENTER).await;
    let screen = m.wait_for("Before the backup").await;
    assert!(!screen.contains("After the backup"), "{screen}");
    m.disconnect().await;
    server.stop().await;

    // A damaged backup is caught.
    let mut bytes = std::fs::read(&dest).expect("read");
    let n = bytes.len();
    for b in &mut bytes[n / 2..n / 2 + 64] {
        *b ^= 0xff;
    }
    let bad = out_dir.path().join("damaged.db");
    std::fs::write(&bad, bytes).expect("write");
    let (code, _, err) = util::bbs(&[
        util::os("admin"),
        util::os("verify-backup"),
        bad.as_os_str(),
        util::os("--data-dir"),
        d,
    ]);
    assert_ne!(code, Some(0), "{err}");

    let (code, out, _) = util::bbs(&[
        util::os("admin"),
        util::os("purge"),
        util::os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0));
    assert!(out.contains("older than 180 days"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_address_post_text_or_anonymous_author_reaches_the_logs_or_the_database() {
    use std::io::{BufRead, Read};
    let dir = util::data_dir();
    // Unencrypted so the database can be searched as bytes; debug logging, to catch the most.
    let config = dir.path().join("bbs.toml");
    std::fs::write(&config, "[storage]\nencryption = \"none\"\n").expect("config");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("RUST_LOG", "debug")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start bbs serve");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("read");
    let addr: std::net::SocketAddr = first
        .trim()
        .strip_prefix("Haven is listening on ")
        .expect("listening line")
        .parse()
        .expect("address");
    let mut stderr = child.stderr.take().expect("stderr");
    let logs = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });

    // Members connect from 127.0.0.2: that address must be written nowhere.
    let source: std::net::IpAddr = "127.0.0.2".parse().expect("ip");
    let (mut author, _) =
        Member::sign_up_from(Some(source), addr, &new_key(), "hiddenauthor").await;
    let (mut other, _) = Member::sign_up_from(Some(source), addr, &new_key(), "plainreader").await;
    other
        .post_thread("Named topic", "namedsecret4412 text")
        .await;
    author.send(keys::ENTER).await;
    author.wait_for("Named topic").await;
    author.send(keys::ESC).await;
    author.wait_for("Small wins").await;
    author.send(keys::DOWN).await;
    author.send(keys::ENTER).await;
    author.wait_for("Support").await;
    author.send(b"c").await;
    author.wait_for("Anonymous: off").await;
    author
        .send(b"Quiet topic\t\t\x1baanonsecret9931 words")
        .await;
    author.send(keys::CTRL_S).await;
    author.wait_for("Posted.").await;
    // A failed second factor attempt and a refused exec are logged paths too.
    let _ = util::login_with_code(addr, &new_key(), "000000").await;
    author.disconnect().await;
    other.disconnect().await;
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let mut rest = String::new();
    let _ = stdout.read_to_string(&mut rest);
    let logs = format!("{first}{rest}{}", logs.join().expect("logs"));
    assert!(
        logs.contains("member signed up"),
        "the logs were captured: {logs}"
    );

    for needle in [
        "127.0.0.2",
        "namedsecret4412",
        "anonsecret9931",
        "hiddenauthor",
        "plainreader",
    ] {
        assert!(!logs.contains(needle), "{needle:?} is in the logs:\n{logs}");
    }
    for (file, bytes) in util::all_bytes(&dir.path().join("data")) {
        for needle in ["127.0.0.2", "127.0.0.1"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle:?} is in {file}"
            );
        }
    }
}
