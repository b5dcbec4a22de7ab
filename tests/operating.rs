//! Operating Haven: the SSH surface, `bbs check`, signals, the admin CLI and its changes reaching
//! open sessions, the sessions' reach across processes.

use super::util::{self, Member, TestServer, keys, new_key};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_other_than_one_shell_are_refused() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    Member::sign_up(server.addr, &key, "prober")
        .await
        .disconnect()
        .await;

    // An exec request for anything but Haven's own commands is answered with the usage line
    // and a non-zero exit status, not left hanging and never run.
    let (status, out, err) = util::exec(server.addr, &key, "cat /etc/passwd").await;
    assert_eq!(status, Some(2), "{err}");
    assert!(err.starts_with("usage: ssh HOST export"), "{err}");
    assert!(!out.contains("root:"), "{out}");
    // A subsystem (sftp) is refused outright.
    let config = std::sync::Arc::new(russh::client::Config::default());
    struct H;
    impl russh::client::Handler for H {
        type Error = russh::Error;
        async fn check_server_key(
            &mut self,
            _: &russh::keys::PublicKeyOrCertificate,
        ) -> Result<bool, Self::Error> {
            Ok(true)
        }
    }
    let mut handle = russh::client::connect(config, server.addr, H)
        .await
        .expect("connect");
    let auth = handle
        .authenticate_publickey(
            "x",
            russh::keys::PrivateKeyWithHashAlg::new(std::sync::Arc::new(key.clone()), None),
        )
        .await
        .expect("auth");
    assert!(auth.success());
    let mut ch = handle.channel_open_session().await.expect("channel");
    ch.request_subsystem(true, "sftp")
        .await
        .expect("subsystem sent");
    let answer = tokio::time::timeout(util::WAIT, async {
        loop {
            match ch.wait().await {
                Some(russh::ChannelMsg::Failure) => return true,
                Some(russh::ChannelMsg::Success) => return false,
                Some(_) => continue,
                None => return true,
            }
        }
    })
    .await
    .expect("an answer to the subsystem request");
    assert!(answer, "a subsystem must be refused");
    server.stop().await;
}

#[test]
fn bbs_check_names_the_bad_key_and_line() {
    let dir = util::data_dir();
    let file = dir.path().join("bbs.toml");
    std::fs::write(&file, "[server]\nname = \"Haven\"\nlisten = \"nowhere\"\n").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
        .arg("check")
        .arg("--config")
        .arg(&file)
        .output()
        .expect("run bbs check");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bbs.toml:3") && err.contains("listen"),
        "{err}"
    );

    std::fs::write(&file, "[server]\nnmae = \"Haven\"\n").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
        .args(["check", "--config"])
        .arg(&file)
        .output()
        .expect("run bbs check");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bbs.toml:2") && err.contains("nmae"), "{err}");

    // BBS_CONFIG names the file when --config does not; --config is accepted before the command.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
        .arg("check")
        .env("BBS_CONFIG", &file)
        .current_dir(dir.path())
        .output()
        .expect("run bbs check");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nmae"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
        .arg("--config")
        .arg(&file)
        .arg("check")
        .output()
        .expect("run bbs check");
    assert_eq!(out.status.code(), Some(2));

    // The shipped file is valid.
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/bbs.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
        .args(["check", "--config", shipped])
        .output()
        .expect("run bbs check");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bbs_check_and_bbs_serve_refuse_a_value_out_of_range_with_its_key_line_and_range() {
    let dir = util::data_dir();
    let file = dir.path().join("bbs.toml");
    let bbs = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
            .args(args)
            .arg("--config")
            .arg(&file)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .output()
            .expect("run bbs")
    };
    for (text, said) in [
        (
            "[posting]\n# slow everyone down\npost_interval_seconds = -3\n",
            "bbs.toml:3: posting.post_interval_seconds = -3 is out of range (allowed 0..=3600)",
        ),
        (
            "[server]\nname = \"Haven\"\n\n[registration]\ninvite_days = 1000\n",
            "bbs.toml:5: registration.invite_days = 1000 is out of range (allowed 1..=365)",
        ),
    ] {
        std::fs::write(&file, text).expect("write");
        let out = bbs(&["check"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty(), "check printed ok");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said), "{err}");
        // The server loads the same file, and does not start on it.
        let out = bbs(&["serve", "--listen", "127.0.0.1:0"]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said), "{err}");
        assert!(
            !dir.path().join("data").exists(),
            "serve went on to make its data dir"
        );
    }
}

#[test]
fn bbs_prints_shell_completions_and_a_manual_page_made_from_its_commands() {
    let dir = util::data_dir();
    // They need no settings: a broken config file does not stop them.
    let broken = dir.path().join("bbs.toml");
    std::fs::write(&broken, "[server]\nnmae = 1\n").expect("write");
    let bbs = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
            .args(args)
            .env("BBS_CONFIG", &broken)
            .current_dir(dir.path())
            .output()
            .expect("run bbs");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };

    let bash = bbs(&["completions", "bash"]);
    assert!(bash.contains("complete -F _bbs"), "{bash}");
    for word in [
        "serve",
        "console",
        "check",
        "admin",
        "completions",
        "man",
        "verify-backup",
        "--log-format",
    ] {
        assert!(bash.contains(word), "{word} is not completed:\n{bash}");
    }
    assert!(bbs(&["completions", "zsh"]).starts_with("#compdef bbs"));
    assert!(bbs(&["completions", "fish"]).contains("complete -c bbs"));

    let page = bbs(&["man"]);
    assert!(page.contains(".TH bbs 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for line in ["bbs\\-serve(1)", "bbs\\-admin(1)", "bbs\\-completions(1)"] {
        assert!(page.contains(line), "{line} missing:\n{page}");
    }
    assert!(page.contains("BBS_CONFIG"), "{page}");

    // The pages it refers to, written out.
    let pages = dir.path().join("man1");
    std::fs::create_dir(&pages).expect("mkdir");
    bbs(&["man", "--out", pages.to_str().expect("utf-8 path")]);
    for name in ["bbs.1", "bbs-serve.1", "bbs-admin.1", "bbs-admin-backup.1"] {
        let text = std::fs::read_to_string(pages.join(name)).expect(name);
        assert!(text.contains(".TH "), "{name}: {text}");
    }
    let serve = std::fs::read_to_string(pages.join("bbs-serve.1")).expect("serve page");
    assert!(serve.contains("\\-\\-listen"), "{serve}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bbs_serve_stops_on_sigterm_after_telling_sessions() {
    use std::io::BufRead;
    let dir = util::data_dir();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .env_remove("BBS_CONFIG")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start bbs serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    let addr = loop {
        let line = lines.next().expect("a line").expect("read");
        printed.push(line.clone());
        if let Some(a) = line.strip_prefix("Haven is listening on ") {
            break a.parse::<std::net::SocketAddr>().expect("address");
        }
    };
    for _ in 0..3 {
        printed.push(lines.next().expect("a line").expect("read"));
    }
    let printed = printed.join("\n");
    assert!(
        printed.contains("Host key fingerprint: SHA256:"),
        "{printed}"
    );
    assert!(printed.contains("sysop claim code is in"), "{printed}");
    // Files in the data dir are private.
    use std::os::unix::fs::PermissionsExt;
    for f in ["haven.db", "host_ed25519_key"] {
        let mode = std::fs::metadata(dir.path().join("data").join(f))
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{f} is readable by others: {mode:o}");
    }

    let mut m = Member::sign_up(addr, &new_key(), "leaver").await;
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    m.wait_for("restarting").await;
    m.wait_closed().await;
    let deadline = std::time::Instant::now() + util::WAIT;
    let code = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s.code();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "bbs serve did not stop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(code, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_logs_in_is_cut_off_after_the_grace_time() {
    use tokio::io::AsyncReadExt;
    let dir = util::data_dir();
    let mut config = haven::config::Config {
        data_dir: dir.path().to_path_buf(),
        ..haven::config::Config::default()
    };
    config.limits.login_grace = Duration::from_secs(1);
    let server = TestServer::start_with(config).await;
    let mut stream = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connect");
    let mut buf = [0u8; 256];
    let n = stream.read(&mut buf).await.expect("banner");
    assert!(
        buf[..n].starts_with(b"SSH-2.0-Haven"),
        "{:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    // Say nothing: the server hangs up once the grace time is over.
    assert!(
        util::closed_within(&mut stream, util::WAIT).await,
        "the silent connection was not closed"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_cli_adds_members_with_the_sign_up_rules_and_audits_changes() {
    let dir = util::data_dir();
    let d = dir.path().as_os_str();
    let tmp = util::data_dir();
    let key = new_key();
    let pubfile = util::write_public_key(&key, tmp.path(), "m");

    // A look-alike of a reserved handle is refused with the reason, exit status non-zero.
    let (code, _, err) = util::bbs(&[
        util::os("admin"),
        util::os("add-user"),
        util::os("аdmin"),
        util::os("--key"),
        pubfile.as_os_str(),
        util::os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("reserved"), "{err}");

    let (code, out, err) = util::bbs(&[
        util::os("admin"),
        util::os("add-user"),
        util::os("marigold"),
        util::os("--key"),
        pubfile.as_os_str(),
        util::os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("marigold"), "{out}");
    // A look-alike of that member is refused too.
    let other = util::write_public_key(&new_key(), tmp.path(), "o");
    let (code, _, err) = util::bbs(&[
        util::os("admin"),
        util::os("add-user"),
        util::os("MARIG0LD"),
        util::os("--key"),
        other.as_os_str(),
        util::os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("taken"), "{err}");

    // `show` lists the key with the fingerprint ssh-keygen prints.
    let (_, out, _) = util::bbs(&[
        util::os("admin"),
        util::os("show"),
        util::os("marigold"),
        util::os("--data-dir"),
        d,
    ]);
    let keygen = std::process::Command::new("ssh-keygen")
        .arg("-lf")
        .arg(&pubfile)
        .output()
        .expect("ssh-keygen");
    let keygen = String::from_utf8_lossy(&keygen.stdout);
    let fp = keygen.split_whitespace().nth(1).expect("fingerprint");
    assert!(out.contains(fp), "{out} lacks {fp}");

    let (code, _, err) = util::bbs(&[
        util::os("admin"),
        util::os("add-key"),
        util::os("marigold"),
        util::os("--key"),
        other.as_os_str(),
        util::os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (_, out, _) = util::bbs(&[
        util::os("admin"),
        util::os("show"),
        util::os("marigold"),
        util::os("--data-dir"),
        d,
    ]);
    assert!(out.contains("keys     2"), "{out}");

    let (code, _, _) = util::bbs(&[
        util::os("admin"),
        util::os("role"),
        util::os("marigold"),
        util::os("moderator"),
        util::os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0));
    let (code, _, err) = util::bbs(&[
        util::os("admin"),
        util::os("role"),
        util::os("marigold"),
        util::os("overlord"),
        util::os("--data-dir"),
        d,
    ]);
    assert_ne!(code, Some(0));
    assert!(err.contains("unknown role"), "{err}");
    let (code, _, err) = util::bbs(&[
        util::os("admin"),
        util::os("ban"),
        util::os("nobody_here"),
        util::os("--reason"),
        util::os("x"),
        util::os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("No member"), "{err}");

    let out = util::audit(d, &["--target", "marigold"]);
    assert!(
        out.contains("sign_up") && out.contains("key_added") && out.contains("role_changed"),
        "{out}"
    );
    assert!(out.contains("member → moderator"), "{out}");
    let out = util::audit(d, &["--action", "key_added"]);
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ban_from_another_process_closes_the_session_and_refuses_reconnects() {
    let dir = util::data_dir();
    let d = dir.path().as_os_str();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let mut m = Member::sign_up(server.addr, &key, "troubled").await;
    let (code, _, err) = util::bbs(&[
        util::os("admin"),
        util::os("ban"),
        util::os("troubled"),
        util::os("--for"),
        util::os("7d"),
        util::os("--reason"),
        util::os("harassment"),
        util::os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0), "{err}");
    m.wait_closed().await;
    let raw = String::from_utf8_lossy(&m.raw);
    assert!(raw.contains("banned"), "the member is told: {raw:?}");

    // Coming back, the member is not left at a dead end: why, until when, and one appeal.
    let mut again = Member::connect(server.addr, &key, 40, 12).await;
    let screen = again
        .wait_until(|s| util::flat(s).contains("banned until"), "the ban")
        .await;
    assert!(!screen.contains("Boards"), "{screen}");
    again
        .wait_until(|s| util::flat(s).contains("Why: harassment"), "the reason")
        .await;
    again.send(b"a").await;
    again.send(b"I am sorry, it will not happen again\r").await;
    again
        .wait_until(
            |s| util::flat(s).contains("Your appeal is with the moderators"),
            "sent",
        )
        .await;
    again.send(b"a").await;
    again.send(b"please\r").await;
    again
        .wait_until(
            |s| util::flat(s).contains("already with the moderators"),
            "one at a time",
        )
        .await;
    // Nothing else is reachable: the boards are not there.
    again.send(b"i").await;
    again.send(b"/").await;
    again.pump(Duration::from_millis(200)).await;
    assert!(!again.screen().contains("Boards"), "{}", again.screen());
    let queue = server
        .service
        .store()
        .read(haven::store::reports::queue)
        .expect("queue");
    assert!(
        queue.iter().any(|q| q.label == "appeal from troubled"),
        "{queue:?}"
    );
    assert_eq!(
        queue
            .iter()
            .filter(|q| q.label.starts_with("appeal"))
            .count(),
        1
    );
    again.send(keys::ESC).await;
    again.wait_closed().await;

    let (code, _, _) = util::bbs(&[
        util::os("admin"),
        util::os("unban"),
        util::os("troubled"),
        util::os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0));
    let mut back = Member::connect(server.addr, &key, 80, 24).await;
    back.wait_for("Small wins").await;
    back.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_change_reaches_the_open_session() {
    let dir = util::data_dir();
    let d = dir.path().as_os_str();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "helper_bee").await;
    let (code, _, _) = util::bbs(&[
        util::os("admin"),
        util::os("role"),
        util::os("helper_bee"),
        util::os("moderator"),
        util::os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0));
    m.wait_for("helper_bee · moderator").await;
    let (code, _, _) = util::bbs(&[
        util::os("admin"),
        util::os("role"),
        util::os("helper_bee"),
        util::os("member"),
        util::os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0));
    m.wait_until(|s| !s.contains("· moderator"), "demotion shows")
        .await;
    m.disconnect().await;
    server.stop().await;
}

#[test]
fn import_keys_takes_ten_thousand_lines_and_reports_each_refused_line() {
    let dir = util::data_dir();
    let file = dir.path().join("authorized_keys");
    let mut text = String::new();
    for i in 0..10_000 {
        let key = new_key();
        let line = key.public_key().to_openssh().expect("encode");
        // Some lines carry options, as authorized_keys files do.
        if i % 1000 == 0 {
            text.push_str("no-pty ");
        }
        text.push_str(&format!("{line} member{i:05}\n"));
    }
    text.push_str("ssh-ed25519 not-base64!! broken\n");
    text.push_str(&format!(
        "{}\n",
        new_key().public_key().to_openssh().expect("encode")
    ));
    text.push_str(&format!(
        "{} аdmin\n",
        new_key().public_key().to_openssh().expect("encode")
    ));
    std::fs::write(&file, text).expect("write");
    let started = std::time::Instant::now();
    let (code, out, err) = util::bbs(&[
        util::os("admin"),
        util::os("import-keys"),
        file.as_os_str(),
        util::os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    let took = started.elapsed();
    eprintln!("import of 10,003 lines took {took:?}");
    assert_eq!(
        code,
        Some(1),
        "refused lines make the exit status non-zero: {err}"
    );
    assert!(out.contains("10000 members created"), "{out}");
    assert!(out.contains("3 lines refused"), "{out}");
    assert!(out.contains("authorized_keys:10001: refused"), "{out}");
    assert!(
        out.contains("authorized_keys:10002: refused: no comment"),
        "{out}"
    );
    assert!(
        out.contains("authorized_keys:10003: refused") && out.contains("reserved"),
        "{out}"
    );
    let (_, out, _) = util::bbs(&[
        util::os("admin"),
        util::os("show"),
        util::os("member09999"),
        util::os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert!(out.contains("keys     1"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sysops_manage_boards_from_the_cli_and_open_sessions_follow() {
    let dir = util::data_dir();
    let d = dir.path().as_os_str();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "browser").await;
    let run = |args: &[&str]| {
        let mut all: Vec<&std::ffi::OsStr> = vec![util::os("admin"), util::os("boards")];
        all.extend(args.iter().map(|a| util::os(a)));
        all.push(util::os("--data-dir"));
        all.push(d);
        util::bbs(&all)
    };
    let (code, _, err) = run(&[
        "add",
        "news",
        "News",
        "--description",
        "From the team",
        "--read-only",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run(&["add", "news", "Again"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("exists"), "{err}");
    m.wait_for("From the team").await;
    let (code, _, _) = run(&["rename", "general", "Anything goes"]);
    assert_eq!(code, Some(0));
    m.wait_for("Anything goes").await;
    let (code, _, _) = run(&["move", "news", "0"]);
    assert_eq!(code, Some(0));
    // The first board row (under the welcome, where it shows) is News.
    let first_board = |s: &str| {
        s.lines()
            .find(|l| l.contains("threads") || l.contains("thread "))
            .is_some_and(|l| l.contains("News"))
    };
    m.wait_until(first_board, "News first").await;
    m.send(b"g").await;
    m.send(keys::ENTER).await;
    m.wait_for("News").await;
    m.wait_for("No threads yet").await;
    // A member cannot post on a read-only board: no composer opens, and the reason shows.
    m.send(b"c").await;
    let screen = m.wait_for("Only moderators post on this board").await;
    assert!(!screen.contains("Title"), "{screen}");
    m.send(keys::ESC).await;
    let (code, _, _) = run(&["archive", "wins"]);
    assert_eq!(code, Some(0));
    m.wait_until(|s| !s.contains("Small wins"), "the archived board to go")
        .await;
    let (code, out, _) = run(&["list"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("read-only") && out.contains("ARCHIVED"),
        "{out}"
    );
    m.disconnect().await;
    server.stop().await;
}
