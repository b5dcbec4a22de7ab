//! End-to-end tests: a real server on a loopback port, members connecting over SSH, typing keys
//! and reading the screen as a terminal shows it.

mod anonymity;
mod faults;
mod hardening;
mod messages;
mod moderation;
mod notifications;
mod util;

use std::time::Duration;

use util::{Member, TestServer, keys, new_key};

fn data_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Opens the first board (Welcome) and starts a thread with `title` and `body`.
async fn post_thread(m: &mut Member, title: &str, body: &str) {
    m.send(keys::ENTER).await;
    m.wait_for("new thread").await;
    m.send(b"c").await;
    m.wait_for("Title").await;
    m.send(title.as_bytes()).await;
    m.send(keys::TAB).await;
    m.send(keys::TAB).await;
    m.send(body.as_bytes()).await;
    m.send(keys::CTRL_S).await;
    m.wait_for("Posted.").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_key_signs_up_after_accepting_guidelines_and_privacy() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let mut m = Member::connect(server.addr, &key, 80, 24).await;
    let screen = m.wait_for("Community guidelines").await;
    assert!(screen.contains("I accept"), "{screen}");
    m.send(b"a").await;
    m.wait_for("Privacy policy").await;
    m.send(b"a").await;
    m.wait_for("Choose a handle").await;
    // A look-alike of a reserved handle is refused with a reason, and the form stays.
    m.send(b"m0derator\r").await;
    m.wait_for("reserved").await;
    m.send(&[0x15]).await; // Ctrl-U clears the field
    m.send(b"river_stone\r").await;
    // Recovery codes are shown once, before anything else.
    let screen = m
        .wait_until(
            |s| util::recovery_codes(s).len() == 10,
            "ten recovery codes",
        )
        .await;
    assert!(screen.contains("will not be shown again"), "{screen}");
    // Leaving asks once more: the codes will not be shown again.
    m.send(keys::ENTER).await;
    m.wait_for("Saved them?").await;
    m.send(b"y").await;
    let screen = m.wait_for("Boards").await;
    assert!(
        screen.contains("river_stone"),
        "the header shows the handle:\n{screen}"
    );
    assert!(
        screen.contains("Welcome") && screen.contains("Support"),
        "{screen}"
    );
    m.disconnect().await;

    // The same key is now a member: no sign-up on the next connection.
    let mut again = Member::connect(server.addr, &key, 80, 24).await;
    let screen = again.wait_for("Boards").await;
    assert!(!screen.contains("Community guidelines"), "{screen}");
    again.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_and_a_reply_appear_live_in_another_session() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let alice_key = new_key();
    let mut alice = Member::sign_up(server.addr, &alice_key, "alice").await;
    let mut bob = Member::sign_up(server.addr, &new_key(), "bob").await;
    // Alice is also connected from a second terminal, watching the board list.
    let mut alice2 = Member::connect(server.addr, &alice_key, 80, 24).await;
    alice2.wait_for("Small wins").await;

    // Bob watches the Welcome board's thread list.
    bob.send(keys::ENTER).await;
    bob.wait_for("No threads yet").await;

    post_thread(&mut alice, "Hello from alice", "First line\nSecond line").await;
    let screen = alice.wait_for("Second line").await;
    assert!(screen.contains("alice ·"), "{screen}");
    assert!(
        screen.lines().any(|l| l.trim() == "First line"),
        "two lines:\n{screen}"
    );

    // Without pressing anything, Bob's list shows the new thread, marked new.
    let screen = bob.wait_for("Hello from alice").await;
    assert!(screen.contains("1 new"), "{screen}");
    // Alice's other terminal counts it too (read: she wrote it).
    alice2.wait_for("1 thread ").await;
    // The live echo of her own post changes nothing on the poster's screen.
    alice.pump(Duration::from_millis(500)).await;
    assert!(alice.screen().contains("Posted."), "{}", alice.screen());

    // Bob opens it and replies; Alice, still in the thread, sees the reply arrive.
    bob.send(keys::ENTER).await;
    bob.wait_for("First line").await;
    bob.send(b"r").await;
    bob.wait_for("Reply to Hello from alice").await;
    bob.send("Welcome! 你好 🌱".as_bytes()).await;
    bob.send(keys::CTRL_S).await;
    bob.wait_for("Posted.").await;
    let screen = alice.wait_for("Welcome! 你好").await;
    assert!(screen.contains("bob ·"), "{screen}");
    assert!(screen.contains("posts 1-2 of 2"), "{screen}");

    alice.disconnect().await;
    alice2.disconnect().await;
    bob.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escape_sequences_in_a_post_never_reach_another_members_terminal() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut mallory = Member::sign_up(server.addr, &new_key(), "mallory").await;
    let mut reader = Member::sign_up(server.addr, &new_key(), "reader").await;
    reader.send(keys::ENTER).await;
    reader.wait_for("No threads yet").await;

    // Title and body carry: OSC 52 (clipboard write), OSC 0 (window title), a CSI colour,
    // a C1 CSI (U+009B), BEL, a carriage return that would overwrite, bidi override and a
    // zero-width space.
    let title = "Hi\x1b]0;pwned-title\x07 there";
    let body = "Look\x1b]52;c;ZXZpbA==\x07 here \x1b[38;5;1mred\x1b[0m \u{9b}2J \u{202e}desrever\u{202c} a\u{200b}b\rTAIL";
    // Typed as a paste, since a terminal would not send these as keys.
    mallory.send(keys::ENTER).await;
    mallory.wait_for("new thread").await;
    mallory.send(b"c").await;
    mallory.wait_for("Title").await;
    mallory
        .send(format!("\x1b[200~{title}\x1b[201~").as_bytes())
        .await;
    mallory.send(keys::TAB).await;
    mallory.send(keys::TAB).await;
    mallory
        .send(format!("\x1b[200~{body}\x1b[201~").as_bytes())
        .await;
    mallory.send(keys::CTRL_S).await;
    mallory.wait_for("Posted.").await;

    let screen = reader.wait_for("Hi there").await;
    assert!(screen.contains("mallory"), "{screen}");
    reader.send(keys::ENTER).await;
    let screen = reader.wait_for("TAIL").await;
    // The C1 CSI swallows its own parameters ("2J"); the CR became a line break.
    let lines: Vec<&str> = screen.lines().map(str::trim_end).collect();
    let at = lines
        .iter()
        .position(|l| l.ends_with("Look here red  desrever ab"));
    assert!(
        at.is_some_and(|i| lines[i + 1].trim() == "TAIL"),
        "{screen}"
    );
    reader.pump(Duration::from_millis(300)).await;

    let raw = &reader.raw;
    let find = |needle: &[u8]| raw.windows(needle.len()).any(|w| w == needle);
    assert!(
        !find(b"]52;"),
        "an OSC 52 clipboard write reached the reader"
    );
    assert!(!find(b"]0;"), "an OSC title change reached the reader");
    assert!(!find(b"pwned-title"), "OSC payload reached the reader");
    assert!(!find(b"\x07"), "a BEL reached the reader");
    assert!(!find("\u{9b}".as_bytes()), "a C1 CSI reached the reader");
    assert!(
        !find("\u{202e}".as_bytes()),
        "a bidi override reached the reader"
    );
    assert!(
        !find("\u{200b}".as_bytes()),
        "a zero-width space reached the reader"
    );
    assert!(
        !find(b"38;5;1mred"),
        "the poster's colour sequence reached the reader"
    );
    assert!(
        !raw.contains(&b'\r'),
        "a carriage return reached the reader"
    );

    mallory.disconnect().await;
    reader.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resizing_redraws_at_the_new_size_and_tiny_terminals_get_a_notice() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    Member::sign_up(server.addr, &key, "resizer")
        .await
        .disconnect()
        .await;

    for (cols, rows) in [(40u16, 12u16), (80, 24), (132, 43), (200, 60)] {
        let mut m = Member::connect(server.addr, &key, cols, rows).await;
        let screen = m.wait_for("Small wins").await;
        let lines: Vec<&str> = screen.lines().collect();
        assert!(
            lines[0].contains("Boards") && lines[0].contains("resizer"),
            "{cols}x{rows}:\n{screen}"
        );
        // The footer sits on the last row.
        let last = m
            .parser
            .screen()
            .contents_between(rows - 1, 0, rows - 1, cols);
        // Whole hints only, and help and help now always among them.
        assert!(
            last.contains("? help") && last.contains("F1/! help now"),
            "{cols}x{rows} footer: {last:?}"
        );
        if cols >= 80 {
            assert!(last.contains("q quit"), "{cols}x{rows} footer: {last:?}");
        }
        m.disconnect().await;
    }

    let mut m = Member::connect(server.addr, &key, 80, 24).await;
    m.wait_for("Small wins").await;
    m.resize(30, 10).await;
    m.wait_for("Terminal too small").await;
    m.resize(100, 30).await;
    let screen = m.wait_for("Small wins").await;
    assert!(!screen.contains("too small"), "{screen}");
    let header = m.parser.screen().contents_between(0, 0, 0, 100);
    assert!(
        header.trim_end().ends_with("resizer"),
        "header spans the new width: {header:?}"
    );
    // A storm of resizes ends at the last size.
    for i in 0..50u16 {
        m.resize(60 + i, 20).await;
    }
    m.pump(Duration::from_millis(500)).await;
    let header = m.parser.screen().contents_between(0, 0, 0, 109);
    assert!(header.trim_end().ends_with("resizer"), "{header:?}");
    m.disconnect().await;
    server.stop().await;
}

/// Esc from the composer closes it only once the draft is stored: while the database cannot
/// take it (here another process holds the write lock past the busy timeout; a full disk is
/// the same path), the text stays on screen and the member is told, never "draft saved".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_that_cannot_be_saved_stays_on_screen_until_it_is() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "careful").await;
    m.send(keys::ENTER).await;
    m.wait_for("new thread").await;
    m.send(b"c").await;
    m.wait_for("Title").await;
    m.send(b"Not yet\t\tthings I want to keep").await;
    m.wait_for("things I want to keep").await;
    let lock = server.service.store().connect().expect("connection");
    lock.execute_batch("BEGIN IMMEDIATE")
        .expect("hold the write lock");
    m.send(keys::ESC).await;
    let screen = m
        .wait_until(|s| flat(s).contains("busy"), "the failure is told")
        .await;
    assert!(screen.contains("things I want to keep"), "{screen}");
    assert!(!screen.contains("Draft saved"), "{screen}");
    lock.execute_batch("ROLLBACK").expect("release");
    m.send(keys::ESC).await;
    m.wait_for("Draft saved").await;
    m.send(b"c").await;
    m.wait_for("things I want to keep").await;
    m.disconnect().await;
    server.stop().await;
}

/// A visitor whose ssh offers no key is told how to make one, not just "Permission denied";
/// and that path lets nobody in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_without_a_key_is_told_how_to_make_one() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let tmp = data_dir();
    let args: Vec<std::ffi::OsString> = util::openssh_args(&server, &new_key(), tmp.path())
        .into_iter()
        .map(|a| match a.to_str() {
            Some("LogLevel=ERROR") => "LogLevel=INFO".into(),
            // BatchMode turns keyboard-interactive off; a member's ssh has it on.
            Some("BatchMode=yes") => "BatchMode=no".into(),
            _ => a,
        })
        .collect();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("ssh")
            .args(args)
            .args(["-o", "PubkeyAuthentication=no", "127.0.0.1", "export"])
            .stdin(std::process::Stdio::null())
            .output()
            .expect("ssh")
    })
    .await
    .expect("join");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("ssh-keygen -t ed25519"), "{err}");
    assert!(out.stdout.is_empty());
    server.stop().await;
}

/// A long notice is read whole even at 40×12: the rate-limit notice keeps its pointer to
/// Help now (it used to be cut off with "…").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_notice_is_readable_whole_at_40x12() {
    let dir = data_dir();
    let mut config = util::unlimited(dir.path());
    config.posting.new_member_post_interval = 600;
    let server = TestServer::start_with(config).await;
    let key = util::add_user(dir.path(), "quick", "member");
    let mut m = Member::connect(server.addr, &key, 40, 12).await;
    m.wait_for("Welcome").await;
    m.send(keys::ENTER).await;
    m.wait_for("No threads yet").await;
    m.send(b"c").await;
    m.wait_for("Title").await;
    m.send(b"One\t\tfirst").await;
    m.send(keys::CTRL_S).await;
    m.wait_for("Posted.").await;
    m.send(b"r").await;
    m.send(b"second, too soon").await;
    m.send(keys::CTRL_S).await;
    m.wait_until(
        |s| flat(s).contains("F1 opens Help now"),
        "the whole notice",
    )
    .await;
    m.disconnect().await;
    server.stop().await;
}

/// Every screen a member or moderator reaches, at 40×12, 80×24 and 200×60: its title shows,
/// its essential content shows, and Help now is in reach (its key in the footer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_is_usable_at_40x12_80x24_and_200x60() {
    let dir = data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let member_key = util::add_user(dir.path(), "sizer", "member");
    let mod_key = util::add_user(dir.path(), "mod_sizer", "moderator");
    let mut writer = Member::sign_up(server.addr, &new_key(), "writer").await;
    post_thread(&mut writer, "A thread to read", "words in the thread").await;
    writer.disconnect().await;
    for (cols, rows) in [(40, 12), (80, 24), (200, 60)] {
        let at = format!("{cols}x{rows}");
        let mut m = Member::connect(server.addr, &member_key, cols, rows).await;
        let check = |screen: &str, title: &str, content: &str| {
            let f = flat(screen);
            assert!(
                screen.lines().next().is_some_and(|h| h.contains(title)),
                "{at}: title {title:?}:\n{screen}"
            );
            assert!(
                f.contains(content),
                "{at}: {content:?} on {title}:\n{screen}"
            );
            assert!(
                f.contains("help now"),
                "{at}: Help now in reach on {title}:\n{screen}"
            );
        };
        let screen = m.wait_for("Welcome").await;
        check(&screen, "Boards", "Welcome");
        // Boards → threads → thread → reply composer, and back.
        m.send(keys::ENTER).await;
        let screen = m.wait_for("A thread to read").await;
        check(&screen, "Welcome", "A thread to read");
        m.send(keys::ENTER).await;
        let screen = m.wait_for("words in the thread").await;
        check(&screen, "A thread", "words in the thread");
        m.send(b"r").await;
        let screen = m.wait_for("Reply").await;
        assert!(
            flat(&screen).contains("help now"),
            "{at}: composer:\n{screen}"
        );
        m.send(keys::ESC).await;
        m.wait_for("words in the thread").await;
        m.send(b"?").await;
        m.wait_for("Keys on this screen").await;
        m.send(keys::ESC).await;
        m.wait_until(|s| !s.contains("Keys on this screen"), "help closed")
            .await;
        m.send(keys::ESC).await;
        m.wait_for("A thread to read").await;
        m.send(keys::ESC).await;
        m.wait_for("Welcome").await;
        // The member's other screens from the board list.
        for (key, title, content) in [
            (&b"s"[..], "Settings", "Your keys"),
            (&b"i"[..], "Messages", "n"),
            (&b"a"[..], "Notifications", "o"),
            (&b"o"[..], "Who's online", "o"),
        ] {
            m.send(key).await;
            let screen = m
                .wait_until(
                    |s| s.lines().next().is_some_and(|h| h.contains(title)),
                    title,
                )
                .await;
            check(&screen, title, content);
            m.send(keys::ESC).await;
            m.wait_for("Welcome").await;
        }
        m.send(keys::F1).await;
        let screen = m.wait_for("Help now").await;
        assert!(flat(&screen).contains("emergency"), "{at}:\n{screen}");
        m.send(keys::ESC).await;
        m.send(keys::F3).await;
        m.wait_for("Recent notices").await;
        m.send(keys::ESC).await;
        m.disconnect().await;

        // A moderator's desk, queue and audit log.
        let mut moderator = Member::connect(server.addr, &mod_key, cols, rows).await;
        moderator.wait_for("Welcome").await;
        moderator.send(b"m").await;
        let screen = moderator
            .wait_until(
                |s| s.lines().next().is_some_and(|h| h.contains("Moderation")),
                "desk",
            )
            .await;
        assert!(flat(&screen).contains("help now"), "{at}: desk:\n{screen}");
        moderator.send(b"p").await;
        let screen = moderator.wait_for("No open reports").await;
        check(&screen, "Reports", "No open reports");
        moderator.send(keys::ESC).await;
        moderator.send(b"l").await;
        let screen = moderator
            .wait_until(
                |s| s.lines().next().is_some_and(|h| h.contains("Audit log")),
                "audit",
            )
            .await;
        check(&screen, "Audit log", "login");
        moderator.disconnect().await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_post_keeps_the_draft_across_a_reconnect() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let mut m = Member::sign_up(server.addr, &key, "drafter").await;
    m.send(keys::ENTER).await;
    m.wait_for("new thread").await;
    m.send(b"c").await;
    m.wait_for("Title").await;
    m.send(b"My unfinished thought").await;
    // No text yet: posting fails with a reason, and nothing is lost.
    m.send(keys::CTRL_S).await;
    m.wait_for("The post is empty.").await;
    m.send(keys::TAB).await;
    m.send(keys::TAB).await;
    m.send(b"half a sentence").await;
    m.pump(Duration::from_millis(200)).await;
    // The connection drops mid-composition.
    m.disconnect().await;

    let mut m = Member::connect(server.addr, &key, 80, 24).await;
    m.wait_for("Boards").await;
    m.send(keys::ENTER).await;
    m.wait_for("new thread").await;
    m.send(b"c").await;
    let screen = m.wait_for("half a sentence").await;
    assert!(screen.contains("My unfinished thought"), "{screen}");
    m.send(keys::CTRL_S).await;
    m.wait_for("Posted.").await;
    m.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_members_posts_and_the_host_key() {
    let dir = data_dir();
    let key = new_key();
    let server = TestServer::start_in(dir.path()).await;
    let first_fp = server.host_fingerprint.clone();
    assert!(
        server.claim_code.is_some(),
        "a fresh board offers a sysop claim code"
    );
    let mut m = Member::sign_up(server.addr, &key, "keeper").await;
    assert_eq!(m.host_fingerprint.as_deref(), Some(first_fp.as_str()));
    post_thread(&mut m, "Still here tomorrow", "persisted text").await;
    m.disconnect().await;
    server.stop().await;

    let server = TestServer::start_in(dir.path()).await;
    assert_eq!(
        server.host_fingerprint, first_fp,
        "the host key survives a restart"
    );
    assert!(
        server.claim_code.is_some(),
        "no sysop yet, so a claim code is shown again"
    );
    let mut m = Member::connect(server.addr, &key, 80, 24).await;
    assert_eq!(m.host_fingerprint.as_deref(), Some(first_fp.as_str()));
    m.wait_for("Boards").await;
    m.send(keys::ENTER).await;
    m.wait_for("Still here tomorrow").await;
    m.send(keys::ENTER).await;
    m.wait_for("persisted text").await;
    m.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_claim_code_makes_the_first_sysop_once() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let code = server.claim_code.clone().expect("claim code");
    let mut m = Member::connect(server.addr, &new_key(), 80, 24).await;
    m.wait_for("Community guidelines").await;
    m.send(b"a").await;
    m.wait_for("Privacy policy").await;
    m.send(b"a").await;
    m.wait_for("Sysop claim code").await;
    m.send(b"founder").await;
    m.send(keys::TAB).await;
    m.send(b"WRONG-CODE-0000\r").await;
    m.wait_for("claim code is not right").await;
    m.send(&[0x15]).await;
    m.send(code.to_lowercase().as_bytes()).await;
    m.send(keys::ENTER).await;
    m.wait_for("Your recovery codes").await;
    m.send(keys::ENTER).await;
    m.send(b"y").await;
    // The new sysop sets up a second factor before anything else.
    let screen = m
        .wait_until(
            |s| util::find_secret(s).is_some() && s.contains("Code:"),
            "the enrolment screen",
        )
        .await;
    assert!(
        screen.contains("Moderators and sysops must use one"),
        "{screen}"
    );
    let secret = util::secret_on(&screen);
    m.send(util::totp_code(&secret, 0).as_bytes()).await;
    m.send(keys::ENTER).await;
    m.wait_for("Small wins").await;
    m.disconnect().await;
    server.stop().await;

    // The claim is used up: nobody else is offered it.
    let server = TestServer::start_in(dir.path()).await;
    assert!(server.claim_code.is_none());
    let mut m = Member::connect(server.addr, &new_key(), 80, 24).await;
    m.wait_for("Community guidelines").await;
    m.send(b"a").await;
    m.wait_for("Privacy policy").await;
    m.send(b"a").await;
    let screen = m.wait_for("Choose a handle").await;
    assert!(!screen.contains("claim code"), "{screen}");
    m.disconnect().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
        .args(["admin", "users", "--data-dir"])
        .arg(dir.path())
        .env_remove("BBS_CONFIG")
        .current_dir(dir.path())
        .output()
        .expect("run bbs admin users");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.contains("sysop") && l.contains("founder")),
        "{text}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_tells_open_sessions_and_keeps_their_drafts() {
    let dir = data_dir();
    let key = new_key();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::sign_up(server.addr, &key, "stayer").await;
    m.send(keys::ENTER).await;
    m.wait_for("new thread").await;
    m.send(b"c").await;
    m.wait_for("Title").await;
    m.send(b"Written as the server stops").await;
    m.pump(Duration::from_millis(200)).await;
    server.begin_shutdown();
    m.wait_for("restarting").await;
    m.wait_closed().await;
    server.stop().await;

    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::connect(server.addr, &key, 80, 24).await;
    m.wait_for("Boards").await;
    m.send(keys::ENTER).await;
    m.wait_for("new thread").await;
    m.send(b"c").await;
    m.wait_for("Written as the server stops").await;
    m.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_and_help_now_open_on_every_screen() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "helper").await;
    m.send(b"?").await;
    let screen = m.wait_for("Keys on this screen").await;
    assert!(
        screen.contains("open") && screen.contains("quit"),
        "{screen}"
    );
    // A stray key keeps it open; Esc closes it.
    m.send(b"x").await;
    m.pump(Duration::from_millis(100)).await;
    assert!(m.screen().contains("Keys on this screen"), "{}", m.screen());
    m.send(keys::ESC).await;
    m.wait_until(|s| !s.contains("Keys on this screen"), "help closes")
        .await;
    m.send(keys::F1).await;
    m.wait_for("Help now").await;
    m.wait_for("emergency").await;
    m.send(keys::ESC).await;
    m.send(keys::ENTER).await;
    m.wait_for("new thread").await;
    m.send(b"!").await;
    m.wait_for("emergency").await;
    m.send(keys::ESC).await;
    m.send(b"c").await;
    m.wait_for("Title").await;
    // In the composer `?` and `!` are text; F2 and F1 open help.
    m.send(b"?!").await;
    m.wait_for("Title  ?!").await;
    m.send(b"\x1bOQ").await; // F2
    m.wait_for("Keys on this screen").await;
    m.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_other_than_one_shell_are_refused() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    Member::sign_up(server.addr, &key, "prober")
        .await
        .disconnect()
        .await;

    // An exec request is answered with a failure, not left hanging.
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
    ch.exec(true, "cat /etc/passwd").await.expect("exec sent");
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
    .expect("an answer to exec");
    assert!(answer, "exec must be refused");
    server.stop().await;
}

#[test]
fn bbs_check_names_the_bad_key_and_line() {
    let dir = data_dir();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openssh_client_signs_up_posts_resizes_and_quits() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let tmp = data_dir();
    let mut ssh = util::openssh(&server, &key, 80, 24, tmp.path());
    ssh.wait_for("Community guidelines").await;
    ssh.send(b"a");
    ssh.wait_for("Privacy policy").await;
    ssh.send(b"a");
    ssh.wait_for("Choose a handle").await;
    ssh.send(b"openssh_user\r");
    ssh.wait_for("Your recovery codes").await;
    ssh.send(keys::ENTER);
    ssh.wait_for("Saved them?").await;
    ssh.send(b"y");
    ssh.wait_for("Small wins").await;
    ssh.send(keys::ENTER);
    ssh.wait_for("new thread").await;
    ssh.send(b"c");
    ssh.wait_for("Title").await;
    ssh.send(b"Typed through OpenSSH\t\tIt works.");
    ssh.send(keys::CTRL_S);
    ssh.wait_for("Posted.").await;
    ssh.wait_for("It works.").await;

    // Another member sees it (over russh's client).
    let mut other = Member::sign_up(server.addr, &new_key(), "other").await;
    other.send(keys::ENTER).await;
    other.wait_for("Typed through OpenSSH").await;
    other.disconnect().await;

    ssh.resize(50, 14);
    let screen = ssh.wait_for("posts 1-1 of 1").await;
    assert!(
        screen
            .lines()
            .next()
            .is_some_and(|l| l.chars().count() <= 50),
        "{screen}"
    );
    ssh.resize(30, 10);
    ssh.wait_for("Terminal too small").await;
    ssh.resize(80, 24);
    ssh.wait_for("It works.").await;
    // Esc back to the list, back to the boards, q quits: ssh exits cleanly.
    ssh.send(keys::ESC);
    ssh.wait_for("c new thread").await;
    ssh.send(b"q");
    ssh.wait_for("Small wins").await;
    ssh.send(b"q");
    assert_eq!(ssh.wait_exit().await, 0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_and_ssh_sessions_see_each_others_posts() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let tmp = data_dir();
    let sysop_key = new_key();
    let pubfile = util::write_public_key(&sysop_key, tmp.path(), "sysop");
    let (code, out, err) = util::bbs(&[
        "admin".as_ref(),
        "add-sysop".as_ref(),
        "--key".as_ref(),
        pubfile.as_os_str(),
        "--handle".as_ref(),
        "keeper_of_keys".as_ref(),
        "--data-dir".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("keeper_of_keys"), "{out}");

    let mut cmd = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_bbs"));
    cmd.args(["console", "--data-dir"]);
    cmd.arg(dir.path());
    cmd.env_remove("BBS_CONFIG");
    cmd.cwd(tmp.path());
    let mut console = util::PtyProgram::spawn(cmd, 80, 24);
    let screen = console.wait_for("Small wins").await;
    assert!(
        screen.contains("keeper_of_keys"),
        "the console acts as the sysop:\n{screen}"
    );
    console.send(keys::ENTER);
    console.wait_for("No threads yet").await;

    // A member posts over SSH; the console shows it without a key press.
    let mut m = Member::sign_up(server.addr, &new_key(), "ssh_member").await;
    post_thread(&mut m, "From the SSH side", "hello console").await;
    console.wait_for("From the SSH side").await;

    // The console replies; the member, in the thread, sees it.
    console.send(keys::ENTER);
    console.wait_for("hello console").await;
    console.send(b"r");
    console.wait_for("Reply to").await;
    console.send(b"hello from the console");
    console.send(keys::CTRL_S);
    console.wait_for("Posted.").await;
    let screen = m.wait_for("hello from the console").await;
    assert!(screen.contains("keeper_of_keys"), "{screen}");

    // Ctrl-C leaves the console cleanly.
    console.send(keys::CTRL_C);
    assert_eq!(console.wait_exit().await, 0);
    m.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bbs_serve_stops_on_sigterm_after_telling_sessions() {
    use std::io::BufRead;
    let dir = data_dir();
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
    for _ in 0..4 {
        printed.push(lines.next().expect("a line").expect("read"));
    }
    let printed = printed.join("\n");
    assert!(
        printed.contains("Host key fingerprint: SHA256:"),
        "{printed}"
    );
    assert!(printed.contains("Sysop claim code"), "{printed}");
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
    let dir = data_dir();
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
    let closed = tokio::time::timeout(util::WAIT, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the silent connection was not closed");
    server.stop().await;
}

// ---- Identity and accounts (admin CLI, bans, roles) ----

fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_cli_adds_members_with_the_sign_up_rules_and_audits_changes() {
    let dir = data_dir();
    let d = dir.path().as_os_str();
    let tmp = data_dir();
    let key = new_key();
    let pubfile = util::write_public_key(&key, tmp.path(), "m");

    // A look-alike of a reserved handle is refused with the reason, exit status non-zero.
    let (code, _, err) = util::bbs(&[
        os("admin"),
        os("add-user"),
        os("аdmin"),
        os("--key"),
        pubfile.as_os_str(),
        os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("reserved"), "{err}");

    let (code, out, err) = util::bbs(&[
        os("admin"),
        os("add-user"),
        os("marigold"),
        os("--key"),
        pubfile.as_os_str(),
        os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("marigold"), "{out}");
    // A look-alike of that member is refused too.
    let other = util::write_public_key(&new_key(), tmp.path(), "o");
    let (code, _, err) = util::bbs(&[
        os("admin"),
        os("add-user"),
        os("MARIG0LD"),
        os("--key"),
        other.as_os_str(),
        os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("taken"), "{err}");

    // `show` lists the key with the fingerprint ssh-keygen prints.
    let (_, out, _) = util::bbs(&[os("admin"), os("show"), os("marigold"), os("--data-dir"), d]);
    let keygen = std::process::Command::new("ssh-keygen")
        .arg("-lf")
        .arg(&pubfile)
        .output()
        .expect("ssh-keygen");
    let keygen = String::from_utf8_lossy(&keygen.stdout);
    let fp = keygen.split_whitespace().nth(1).expect("fingerprint");
    assert!(out.contains(fp), "{out} lacks {fp}");

    let (code, _, err) = util::bbs(&[
        os("admin"),
        os("add-key"),
        os("marigold"),
        os("--key"),
        other.as_os_str(),
        os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (_, out, _) = util::bbs(&[os("admin"), os("show"), os("marigold"), os("--data-dir"), d]);
    assert!(out.contains("keys     2"), "{out}");

    let (code, _, _) = util::bbs(&[
        os("admin"),
        os("role"),
        os("marigold"),
        os("moderator"),
        os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0));
    let (code, _, err) = util::bbs(&[
        os("admin"),
        os("role"),
        os("marigold"),
        os("overlord"),
        os("--data-dir"),
        d,
    ]);
    assert_ne!(code, Some(0));
    assert!(err.contains("unknown role"), "{err}");
    let (code, _, err) = util::bbs(&[
        os("admin"),
        os("ban"),
        os("nobody_here"),
        os("--reason"),
        os("x"),
        os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("No member"), "{err}");

    let (_, out, _) = util::bbs(&[
        os("admin"),
        os("audit"),
        os("--target"),
        os("marigold"),
        os("--data-dir"),
        d,
    ]);
    assert!(
        out.contains("sign_up") && out.contains("key_added") && out.contains("role_changed"),
        "{out}"
    );
    assert!(out.contains("member → moderator"), "{out}");
    let (_, out, _) = util::bbs(&[
        os("admin"),
        os("audit"),
        os("--action"),
        os("key_added"),
        os("--data-dir"),
        d,
    ]);
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ban_from_another_process_closes_the_session_and_refuses_reconnects() {
    let dir = data_dir();
    let d = dir.path().as_os_str();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let mut m = Member::sign_up(server.addr, &key, "troubled").await;
    let (code, _, err) = util::bbs(&[
        os("admin"),
        os("ban"),
        os("troubled"),
        os("--for"),
        os("7d"),
        os("--reason"),
        os("harassment"),
        os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0), "{err}");
    m.wait_closed().await;
    let raw = String::from_utf8_lossy(&m.raw);
    assert!(raw.contains("banned"), "the member is told: {raw:?}");

    // Coming back, the member is not left at a dead end: why, until when, and one appeal.
    let mut again = Member::connect(server.addr, &key, 40, 12).await;
    let screen = again
        .wait_until(|s| flat(s).contains("banned until"), "the ban")
        .await;
    assert!(!screen.contains("Boards"), "{screen}");
    again
        .wait_until(|s| flat(s).contains("Why: harassment"), "the reason")
        .await;
    again.send(b"a").await;
    again.send(b"I am sorry, it will not happen again\r").await;
    again
        .wait_until(
            |s| flat(s).contains("Your appeal is with the moderators"),
            "sent",
        )
        .await;
    again.send(b"a").await;
    again.send(b"please\r").await;
    again
        .wait_until(
            |s| flat(s).contains("already with the moderators"),
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
        os("admin"),
        os("unban"),
        os("troubled"),
        os("--data-dir"),
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
    let dir = data_dir();
    let d = dir.path().as_os_str();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "helper_bee").await;
    let (code, _, _) = util::bbs(&[
        os("admin"),
        os("role"),
        os("helper_bee"),
        os("moderator"),
        os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0));
    m.wait_for("helper_bee · moderator").await;
    let (code, _, _) = util::bbs(&[
        os("admin"),
        os("role"),
        os("helper_bee"),
        os("member"),
        os("--data-dir"),
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
    let dir = data_dir();
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
        os("admin"),
        os("import-keys"),
        file.as_os_str(),
        os("--data-dir"),
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
        os("admin"),
        os("show"),
        os("member09999"),
        os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert!(out.contains("keys     1"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recovery_code_binds_a_new_key_once() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let (m, codes) = Member::sign_up_with_codes(server.addr, &new_key(), "lost_keys").await;
    m.disconnect().await;

    let recover = |key: russh::keys::PrivateKey, handle: &'static str, code: String| {
        let addr = server.addr;
        async move {
            let mut m = Member::connect(addr, &key, 80, 24).await;
            m.wait_for("Community guidelines").await;
            m.send(b"r").await;
            m.wait_for("Lost your key?").await;
            m.send(handle.as_bytes()).await;
            m.send(keys::TAB).await;
            m.send(code.as_bytes()).await;
            m.send(keys::ENTER).await;
            m
        }
    };
    // A wrong code, or a right code with the wrong handle, is refused the same way.
    let mut m = recover(new_key(), "lost_keys", "AAAA-BBBB-CCCC".into()).await;
    m.wait_for("do not match").await;
    m.disconnect().await;
    let mut m = recover(new_key(), "someone_else", codes[0].clone()).await;
    m.wait_for("do not match").await;
    m.disconnect().await;

    let new = new_key();
    let mut m = recover(new.clone(), "lost_keys", codes[0].clone()).await;
    let screen = m.wait_for("9 recovery codes left").await;
    assert!(screen.contains("lost_keys"), "{screen}");
    m.disconnect().await;
    // The new key now logs in directly.
    let mut m = Member::connect(server.addr, &new, 80, 24).await;
    m.wait_for("Small wins").await;
    m.disconnect().await;
    // The used code does not work again.
    let mut m = recover(new_key(), "lost_keys", codes[0].clone()).await;
    m.wait_for("do not match").await;
    m.disconnect().await;
    server.stop().await;

    let (_, out, _) = util::bbs(&[
        os("admin"),
        os("audit"),
        os("--target"),
        os("lost_keys"),
        os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert!(out.contains("recovery_code_used"), "{out}");
    assert!(out.contains("wrong recovery code"), "{out}");
}

/// Enrols the member on screen in a second factor; returns the secret shown.
async fn enrol_totp(m: &mut Member) -> String {
    m.send(b"s").await;
    m.wait_for("Second factor: off").await;
    m.send(b"t").await;
    let screen = m
        .wait_until(
            |s| util::find_secret(s).is_some() && s.contains("Code:"),
            "the enrolment screen",
        )
        .await;
    assert!(screen.contains("otpauth://totp/"), "{screen}");
    assert!(
        screen.contains("▄") || screen.contains("▀"),
        "a QR code is drawn:\n{screen}"
    );
    let secret = util::secret_on(&screen);
    m.send(b"000000\r").await;
    m.wait_for("not right").await;
    m.send(util::totp_code(&secret, 0).as_bytes()).await;
    m.send(keys::ENTER).await;
    m.wait_for("Your second factor is on").await;
    m.wait_for("Second factor: on").await;
    secret
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_factor_is_asked_after_the_key_and_each_code_works_once() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let (mut m, codes) = Member::sign_up_with_codes(server.addr, &key, "two_step").await;
    let secret = enrol_totp(&mut m).await;
    m.disconnect().await;

    // The code used to enrol cannot be replayed.
    let (outcome, _) = util::login_with_code(server.addr, &key, &util::totp_code(&secret, 0)).await;
    assert!(
        matches!(outcome, util::TwoStep::AskedAgain(ref i) if i.contains("not right")),
        "{outcome:?}"
    );
    // The next code logs in, once.
    let next = util::totp_code(&secret, 1);
    let (outcome, m) = util::login_with_code(server.addr, &key, &next).await;
    assert_eq!(outcome, util::TwoStep::Accepted);
    let mut m = m.expect("member");
    m.wait_for("Small wins").await;
    m.disconnect().await;
    let (outcome, _) = util::login_with_code(server.addr, &key, &next).await;
    assert!(
        matches!(outcome, util::TwoStep::AskedAgain(_)),
        "a replayed code is refused: {outcome:?}"
    );

    // Four more wrong codes make five: codes are refused for a while, even a right one...
    for _ in 0..4 {
        let (outcome, _) = util::login_with_code(server.addr, &key, "000000").await;
        assert!(
            matches!(outcome, util::TwoStep::AskedAgain(_)),
            "{outcome:?}"
        );
    }
    let (outcome, _) = util::login_with_code(server.addr, &key, &util::totp_code(&secret, 1)).await;
    assert!(
        matches!(outcome, util::TwoStep::AskedAgain(ref i) if i.contains("Too many wrong codes")),
        "{outcome:?}"
    );
    // ...but a recovery code still opens the account.
    let (outcome, m) = util::login_with_code(server.addr, &key, &codes[3]).await;
    assert_eq!(outcome, util::TwoStep::Accepted);
    m.expect("member").disconnect().await;
    server.stop().await;

    let (_, out, _) = util::bbs(&[
        os("admin"),
        os("audit"),
        os("--target"),
        os("two_step"),
        os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert!(out.contains("2fa_enabled"), "{out}");
    assert!(out.contains("2fa_failed"), "{out}");
    assert!(out.contains("recovery_code_used"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_must_set_up_a_second_factor_before_anything_else() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    Member::sign_up(server.addr, &key, "new_mod")
        .await
        .disconnect()
        .await;
    let (code, _, _) = util::bbs(&[
        os("admin"),
        os("role"),
        os("new_mod"),
        os("moderator"),
        os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0));
    let mut m = Member::connect(server.addr, &key, 80, 24).await;
    let screen = m
        .wait_until(
            |s| util::find_secret(s).is_some() && s.contains("Code:"),
            "the enrolment screen",
        )
        .await;
    assert!(
        screen.contains("Moderators and sysops must use one"),
        "{screen}"
    );
    assert!(!screen.contains("Small wins"), "{screen}");
    let secret = util::secret_on(&screen);
    m.send(util::totp_code(&secret, 0).as_bytes()).await;
    m.send(keys::ENTER).await;
    m.wait_for("Small wins").await;
    m.disconnect().await;
    // From now on the code is asked at login.
    let (outcome, m) = util::login_with_code(server.addr, &key, &util::totp_code(&secret, 1)).await;
    assert_eq!(outcome, util::TwoStep::Accepted);
    m.expect("member").disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_added_by_pasting_and_revoking_one_closes_its_sessions() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let first = new_key();
    let second = new_key();
    let mut m = Member::sign_up(server.addr, &first, "two_keys").await;
    m.send(b"s").await;
    m.wait_for("Your keys").await;
    m.wait_for(&format!(
        "Export your data: ssh -p {} HOST export > me.json",
        server.addr.port()
    ))
    .await;
    // The only key cannot be revoked.
    m.send(b"d").await;
    m.wait_for("only key").await;
    m.send(b"a").await;
    m.wait_for("Paste key").await;
    let line = format!(
        "{} laptop",
        second.public_key().to_openssh().expect("encode")
    );
    m.send(format!("\x1b[200~{line}\x1b[201~").as_bytes()).await;
    m.send(keys::ENTER).await;
    m.wait_for("Key added: SHA256:").await;
    let fp = second
        .public_key()
        .fingerprint(russh::keys::HashAlg::Sha256)
        .to_string();
    m.wait_for(&fp[..30]).await;
    // The same key cannot be added twice.
    m.send(b"a").await;
    m.send(format!("\x1b[200~{line}\x1b[201~\r").as_bytes())
        .await;
    m.wait_for("already registered").await;

    let mut other = Member::connect(server.addr, &second, 80, 24).await;
    other.wait_for("Small wins").await;

    // The key in use asks first; anything but a second `d` keeps it.
    m.send(b"d").await;
    m.wait_for("Press d again").await;
    m.send(b"j").await;
    m.wait_for("was not revoked").await;
    // Revoke the second key (not the one in use: no confirmation needed).
    m.send(keys::DOWN).await;
    m.send(b"d").await;
    m.wait_for("Key revoked.").await;
    other.wait_closed().await;
    assert!(String::from_utf8_lossy(&other.raw).contains("revoked"));
    let (outcome, _) = util::login_with_code(server.addr, &second, "").await;
    assert_eq!(
        outcome,
        util::TwoStep::KeyOnly,
        "an unknown key again: sign-up"
    );
    m.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssh_export_writes_the_members_own_data_as_json() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let mut m = Member::sign_up(server.addr, &key, "exporter").await;
    post_thread(&mut m, "Named thread", "named body text").await;
    // An anonymous thread on Support (the second board).
    m.send(keys::ESC).await;
    m.wait_for("c new thread").await;
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
    m.send(keys::DOWN).await;
    m.send(keys::ENTER).await;
    m.wait_for("Support").await;
    m.send(b"c").await;
    m.wait_for("Anonymous: off").await;
    m.send(b"Anonymous thread\t\t\x01hidden author body").await;
    m.wait_for("Anonymous: on").await;
    m.send(keys::CTRL_S).await;
    m.wait_for("Posted.").await;
    let screen = m.wait_for("you, anonymously").await;
    assert!(screen.contains("anon-"), "{screen}");
    m.disconnect().await;

    let tmp = data_dir();
    let out = tokio::task::spawn_blocking({
        let args = util::openssh_args(&server, &key, tmp.path());
        move || {
            std::process::Command::new("ssh")
                .args(args)
                .args(["127.0.0.1", "export"])
                .output()
        }
    })
    .await
    .expect("join")
    .expect("run ssh export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json["profile"]["handle"], "exporter");
    let posts = json["posts"].as_array().expect("posts");
    assert_eq!(posts.len(), 2, "{json:#}");
    assert!(
        posts
            .iter()
            .any(|p| p["body"] == "named body text" && p["anonymous"] == false)
    );
    assert!(
        posts
            .iter()
            .any(|p| p["body"] == "hidden author body" && p["anonymous"] == true)
    );
    let keys = json["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1);
    let public = key.public_key().to_openssh().expect("encode");
    assert!(
        public.starts_with(keys[0]["public_key"].as_str().expect("key")),
        "{keys:?}"
    );
    assert_eq!(
        json["drafts"].as_array().map(Vec::len),
        Some(0),
        "posted drafts are gone"
    );

    // Another member's export holds none of it, and no exec but `export` is accepted.
    let other = new_key();
    Member::sign_up(server.addr, &other, "someone")
        .await
        .disconnect()
        .await;
    let tmp2 = data_dir();
    let args = util::openssh_args(&server, &other, tmp2.path());
    let out = tokio::task::spawn_blocking(move || {
        let export = std::process::Command::new("ssh")
            .args(&args)
            .args(["127.0.0.1", "export"])
            .output();
        let other = std::process::Command::new("ssh")
            .args(&args)
            .args(["127.0.0.1", "ls", "/"])
            .output();
        (export, other)
    })
    .await
    .expect("join");
    let export = out.0.expect("export");
    let text = String::from_utf8_lossy(&export.stdout);
    assert!(
        !text.contains("hidden author body") && !text.contains("named body text"),
        "{text}"
    );
    assert!(
        !out.1.expect("ls").status.success(),
        "other commands are refused"
    );
    server.stop().await;
}

/// Every byte of every file under `dir`.
fn all_bytes(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).expect("read file"),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_an_account_erases_its_posts_from_every_file_of_the_data_dir() {
    let dir = data_dir();
    // Unencrypted, so that a byte search can see the text before and prove it gone after:
    // erasure must not rely on the encryption.
    let server = TestServer::start_with(haven::config::Config {
        data_dir: dir.path().to_path_buf(),
        encryption: haven::config::Encryption::None,
        ..haven::config::Config::default()
    })
    .await;
    let key = new_key();
    let mut m = Member::sign_up(server.addr, &key, "qwzxleaving").await;
    post_thread(
        &mut m,
        "Pelicantitle Quokkathread",
        "pelicansapphire4471 is my unique text",
    )
    .await;
    // A witness replies, so the thread outlives the author.
    let mut w = Member::sign_up(server.addr, &new_key(), "witness").await;
    w.send(keys::ENTER).await;
    w.wait_for("Pelicantitle").await;
    w.send(keys::ENTER).await;
    w.wait_for("pelicansapphire4471").await;
    w.send(b"r").await;
    w.wait_for("Reply to").await;
    w.send(b"witness reply stays").await;
    w.send(keys::CTRL_S).await;
    w.wait_for("Posted.").await;

    // Before: the text is on disk (database or WAL), so the check below can fail.
    let on_disk = |needle: &str| {
        all_bytes(dir.path())
            .iter()
            .any(|(_, b)| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
    };
    assert!(
        on_disk("pelicansapphire4471"),
        "the post text was never written?"
    );
    // Leave the composer with a draft, then delete the account from settings.
    m.send(keys::ESC).await;
    m.wait_for("c new thread").await;
    m.send(b"c").await;
    m.wait_for("Title").await;
    m.send(b"draftymcdraftface9921").await;
    m.send(keys::ESC).await;
    m.wait_for("Draft saved").await;
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
    m.send(b"s").await;
    m.wait_for("Your keys").await;
    m.send(b"x").await;
    m.wait_for("Type your handle to confirm").await;
    m.send(b"someone else\r").await;
    m.wait_for("type your handle exactly").await;
    m.send(b"x").await;
    m.send(b"\t").await;
    m.wait_for("will be ERASED").await;
    m.send(b"qwzxleaving\r").await;
    m.wait_closed().await;
    assert!(String::from_utf8_lossy(&m.raw).contains("Your account was deleted"));

    // The witness's reply stays under a removed title; the author's post is gone.
    w.send(keys::ESC).await;
    w.wait_for("[removed]").await;
    w.send(keys::ENTER).await;
    let screen = w.wait_for("witness reply stays").await;
    assert!(!screen.contains("pelicansapphire4471"), "{screen}");
    w.disconnect().await;

    for needle in [
        "pelicansapphire4471",
        "Pelicantitle",
        "Quokkathread",
        "draftymcdraftface9921",
        "qwzxleaving",
    ] {
        for (file, bytes) in all_bytes(dir.path()) {
            let found = bytes
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()));
            assert!(!found, "{needle:?} is still in {file}");
        }
    }
    // The key is forgotten: it would sign up afresh.
    let mut again = Member::connect(server.addr, &key, 80, 24).await;
    again.wait_for("Community guidelines").await;
    again.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_member_may_keep_their_posts_without_a_name() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "keeper").await;
    post_thread(&mut m, "Words worth keeping", "these words stay").await;
    m.send(keys::ESC).await;
    m.wait_for("c new thread").await;
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
    m.send(b"s").await;
    m.wait_for("Your keys").await;
    m.send(b"x").await;
    m.wait_for("will be KEPT").await;
    m.send(b"keeper\r").await;
    m.wait_closed().await;
    let mut w = Member::sign_up(server.addr, &new_key(), "reader2").await;
    w.send(keys::ENTER).await;
    w.wait_for("Words worth keeping").await;
    w.send(keys::ENTER).await;
    let screen = w.wait_for("these words stay").await;
    assert!(
        screen.contains("[deleted] ·") && !screen.contains("keeper"),
        "{screen}"
    );
    w.disconnect().await;
    server.stop().await;
}

/// A server in `dir` with a registration mode, and staff without the second-factor rule.
async fn server_with_mode(
    dir: &std::path::Path,
    mode: haven::config::RegistrationMode,
) -> TestServer {
    let config = haven::config::Config {
        data_dir: dir.to_path_buf(),
        registration: mode,
        require_2fa_for_staff: false,
        ..haven::config::Config::default()
    };
    TestServer::start_with(config).await
}

/// Connects a new key and accepts both documents, stopping at the handle form.
async fn to_handle_form(addr: std::net::SocketAddr, key: &russh::keys::PrivateKey) -> Member {
    let mut m = Member::connect(addr, key, 80, 24).await;
    m.wait_for("Community guidelines").await;
    m.send(b"a").await;
    m.wait_for("Privacy policy").await;
    m.send(b"a").await;
    m.wait_for("Choose a handle").await;
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_mode_needs_a_valid_single_use_code() {
    let dir = data_dir();
    let server = server_with_mode(dir.path(), haven::config::RegistrationMode::Invite).await;
    let (code, out, err) = util::bbs(&[
        os("admin"),
        os("invite"),
        os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let invite = out.lines().next().expect("a code").trim().to_string();

    let mut m = to_handle_form(server.addr, &new_key()).await;
    m.wait_for("Invite code").await;
    m.send(b"invited_one\r").await;
    m.wait_for("needs an invite code").await;
    m.send(b"WRONG-WRONG-0000\r").await;
    m.wait_for("not valid").await;
    m.send(&[0x15]).await;
    m.send(invite.to_lowercase().as_bytes()).await;
    m.send(keys::ENTER).await;
    m.wait_until(|s| util::recovery_codes(s).len() == 10, "recovery codes")
        .await;
    m.send(keys::ENTER).await;
    m.send(b"y").await;
    m.wait_for("Small wins").await;
    m.disconnect().await;

    // The code is used up.
    let mut m = to_handle_form(server.addr, &new_key()).await;
    m.send(b"invited_two\t").await;
    m.send(invite.as_bytes()).await;
    m.send(keys::ENTER).await;
    m.wait_for("not valid").await;
    m.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_mode_holds_new_accounts_until_a_moderator_approves_them_live() {
    let dir = data_dir();
    let server = server_with_mode(dir.path(), haven::config::RegistrationMode::Approval).await;
    let mod_key = util::add_user(dir.path(), "gentle_mod", "moderator");

    let mut m = to_handle_form(server.addr, &new_key()).await;
    m.send(b"waiting_one\r").await;
    let screen = m
        .wait_until(
            |s| s.contains("waiting for a moderator"),
            "the pending notice",
        )
        .await;
    assert_eq!(util::recovery_codes(&screen).len(), 10, "{screen}");
    m.send(keys::ENTER).await;
    m.send(b"y").await;
    let screen = m.wait_for("Welcome").await;
    assert!(
        !screen.contains("Small wins"),
        "only the welcome board while waiting:\n{screen}"
    );
    assert!(!screen.contains("moderation"), "{screen}");
    // Posting is refused with the reason before any composer opens (the policy is asked
    // first: no composer that cannot post).
    m.send(keys::ENTER).await;
    m.wait_for("new thread").await;
    m.send(b"c").await;
    let screen = m.wait_for("waiting for a moderator's approval").await;
    assert!(!screen.contains("Title"), "{screen}");
    m.send(keys::ESC).await;
    m.wait_for("Welcome").await;

    // A member's `m` does nothing; the moderator's opens the queue.
    m.send(b"m").await;
    let mut moderator = Member::connect(server.addr, &mod_key, 80, 24).await;
    let screen = moderator.wait_for("Small wins").await;
    assert!(screen.contains("m moderation"), "{screen}");
    moderator.send(b"m").await;
    moderator.wait_for("waiting_one").await;
    moderator.send(b"a").await;
    moderator.wait_for("Approved.").await;
    moderator.wait_for("Nobody is waiting").await;

    // The member's open session sees every board at once.
    m.wait_for("Small wins").await;
    assert!(m.screen().contains("Boards"), "{}", m.screen());

    // The moderator makes an invite code and reads the audit log.
    moderator.send(b"i").await;
    moderator.wait_for("New invite code:").await;
    moderator.send(b"l").await;
    let screen = moderator.wait_for("approved").await;
    assert!(
        screen.contains("gentle_mod") && screen.contains("waiting_one"),
        "{screen}"
    );
    assert!(screen.contains("invite_created"), "{screen}");
    // Filtered by action, then by a member who does not exist.
    moderator.send(b"/").await;
    moderator.wait_for("Filter (actor:H").await;
    moderator.send(b"action:approved\r").await;
    let screen = moderator
        .wait_until(
            |s| s.contains("[filter: action:approved]") && !s.contains("invite_created"),
            "the filter",
        )
        .await;
    assert!(screen.contains("waiting_one"), "{screen}");
    moderator.send(b"/").await;
    moderator.send(&[0x15]).await;
    moderator.send(b"actor:nobody_at_all\r").await;
    moderator.wait_for("No member is called").await;
    m.disconnect().await;
    moderator.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_version_of_the_guidelines_must_be_accepted_at_next_login() {
    let dir = data_dir();
    let key = new_key();
    let server = TestServer::start_in(dir.path()).await;
    Member::sign_up(server.addr, &key, "long_timer")
        .await
        .disconnect()
        .await;
    server.stop().await;

    // The sysop publishes version 2 of the guidelines in the data dir.
    std::fs::write(
        dir.path().join("guidelines.md"),
        "<!-- version: 2 -->\nCommunity guidelines, revised\n\nA new rule: be gentle with yourself too.\n",
    )
    .expect("write guidelines");
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::connect(server.addr, &key, 80, 24).await;
    let screen = m.wait_for("be gentle with yourself").await;
    assert!(screen.contains("guidelines have changed"), "{screen}");
    assert!(
        !screen.contains("Privacy policy"),
        "only what changed is shown:\n{screen}"
    );
    m.send(b"a").await;
    m.wait_for("Small wins").await;
    m.disconnect().await;
    let mut m = Member::connect(server.addr, &key, 80, 24).await;
    let screen = m.wait_for("Small wins").await;
    assert!(!screen.contains("revised"), "{screen}");
    m.disconnect().await;

    // Leaving instead of accepting ends the session; the question comes back next time.
    let other = new_key();
    Member::sign_up(server.addr, &other, "newcomer")
        .await
        .disconnect()
        .await;
    server.stop().await;
    let (_, out, _) = util::bbs(&[
        os("admin"),
        os("audit"),
        os("--action"),
        os("documents_accepted"),
        os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert!(
        out.contains("long_timer") && out.contains("guidelines v2"),
        "{out}"
    );
}

// ---- Member safety: help now, safety plan, quick exit ----

/// The screen's text with its rows joined, so a sentence wrapped over rows is found whole.
fn flat(screen: &str) -> String {
    screen.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

/// At the smallest size Haven supports, 40×12, a member can read every recovery code and
/// every line of Help now (resources, an eight-line safety plan, the keys), by scrolling; a
/// stray key closes neither, and the codes are not thrown away by one Enter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_codes_and_help_now_read_whole_at_40x12() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::connect(server.addr, &new_key(), 40, 12).await;
    m.wait_for("Community guidelines").await;
    m.send(b"a").await;
    m.wait_for("Privacy policy").await;
    m.send(b"a").await;
    m.wait_for("Choose a handle").await;
    m.send(b"small_screen\r").await;
    m.wait_for("Your recovery codes").await;
    let mut codes = std::collections::BTreeSet::new();
    for _ in 0..30 {
        m.pump(Duration::from_millis(50)).await;
        codes.extend(util::recovery_codes(&m.screen()));
        if codes.len() == 10 {
            break;
        }
        m.send(keys::DOWN).await;
    }
    assert_eq!(codes.len(), 10, "all ten codes can be read: {codes:?}");
    m.send(keys::ENTER).await;
    m.wait_until(|s| flat(s).contains("Saved them?"), "the question")
        .await;
    m.send(b"x").await;
    m.wait_until(|s| !flat(s).contains("Saved them?"), "still the codes")
        .await;
    assert!(m.screen().contains("recovery codes") || !util::recovery_codes(&m.screen()).is_empty());
    m.send(keys::ENTER).await;
    m.wait_until(|s| flat(s).contains("Saved them?"), "the question")
        .await;
    m.send(b"y").await;
    m.wait_for("Boards").await;

    // A safety plan of eight lines.
    m.send(keys::F1).await;
    m.wait_for("Help now").await;
    m.send(b"e").await;
    m.wait_for("safety plan").await;
    let plan: Vec<String> = (1..=8).map(|i| format!("step {i} of my plan")).collect();
    m.send(plan.join("\r").as_bytes()).await;
    m.send(keys::ESC).await;
    m.wait_until(|s| flat(s).contains("safety plan is saved"), "saved")
        .await;

    m.send(keys::F1).await;
    m.wait_for("Help now").await;
    // A stray key does not close it.
    m.send(b"x").await;
    m.pump(Duration::from_millis(100)).await;
    assert!(m.screen().contains("Help now"), "{}", m.screen());
    let mut seen = String::new();
    for _ in 0..40 {
        m.pump(Duration::from_millis(50)).await;
        seen.push_str(&flat(&m.screen()));
        seen.push(' ');
        m.send(keys::DOWN).await;
    }
    for line in plan.iter().map(String::as_str).chain([
        "emergency number",
        "findahelpline.com",
        "Australia: call Lifeline",
    ]) {
        assert!(seen.contains(line), "{line:?} never showed: {seen}");
    }
    assert!(
        flat(&m.screen()).contains("e edit my safety"),
        "{}",
        m.screen()
    );
    m.send(keys::ESC).await;
    m.wait_until(|s| !s.contains("Help now"), "Help now closed")
        .await;
    m.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_now_shows_resources_and_the_members_private_safety_plan() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let mut m = Member::sign_up(server.addr, &key, "planner").await;
    m.send(keys::F1).await;
    m.wait_for("emergency").await;
    m.wait_for("You have not written one yet").await;
    m.send(b"e").await;
    m.wait_for("My safety plan").await;
    m.send(b"Call Sam first.\rWalk to the park.").await;
    m.send(keys::ESC).await;
    m.wait_for("Your safety plan is saved").await;
    m.send(b"!").await;
    let screen = m.wait_for("Walk to the park.").await;
    assert!(screen.contains("Call Sam first."), "{screen}");
    m.disconnect().await;

    // It is in the member's own export, and in nobody else's.
    let other = new_key();
    Member::sign_up(server.addr, &other, "nosy")
        .await
        .disconnect()
        .await;
    let (a, b) = (data_dir(), data_dir());
    let mine = util::openssh_args(&server, &key, a.path());
    let theirs = util::openssh_args(&server, &other, b.path());
    let (mine, theirs) = tokio::task::spawn_blocking(move || {
        let run = |args: Vec<std::ffi::OsString>| {
            std::process::Command::new("ssh")
                .args(args)
                .args(["127.0.0.1", "export"])
                .output()
                .expect("ssh")
        };
        (run(mine), run(theirs))
    })
    .await
    .expect("join");
    assert!(String::from_utf8_lossy(&mine.stdout).contains("Walk to the park."));
    assert!(!String::from_utf8_lossy(&theirs.stdout).contains("Walk to the park."));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_exit_clears_screen_and_scrollback_and_leaves_at_once_keeping_the_draft() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let mut m = Member::sign_up(server.addr, &key, "runner").await;
    m.send(keys::ENTER).await;
    m.wait_for("new thread").await;
    m.send(b"c").await;
    m.wait_for("Title").await;
    m.send(b"something I am not ready to share").await;
    m.pump(Duration::from_millis(100)).await;
    let before = m.raw.len();
    m.send(&[0x11]).await; // Ctrl-Q
    m.wait_closed().await;
    let tail = &m.raw[before..];
    let find = |needle: &[u8]| tail.windows(needle.len()).any(|w| w == needle);
    assert!(find(b"\x1b[3J"), "the scrollback is cleared");
    assert!(find(b"\x1b[2J"), "the screen is cleared");
    assert!(
        m.screen().trim().is_empty(),
        "nothing left on screen:\n{}",
        m.screen()
    );
    assert!(
        !String::from_utf8_lossy(tail).contains("not ready"),
        "no redraw of the text on the way out"
    );

    // Nothing was lost.
    let mut m = Member::connect(server.addr, &key, 80, 24).await;
    m.wait_for("Small wins").await;
    m.send(keys::ENTER).await;
    m.wait_for("new thread").await;
    m.send(b"c").await;
    m.wait_for("something I am not ready to share").await;
    m.disconnect().await;
    server.stop().await;
}

/// Quick exit as a member meets it, through the system's OpenSSH client in a real pty at the
/// default log level: after Ctrl-Q the terminal shows nothing of the board, of what was being
/// written, or of ssh's "Received disconnect" line (only its usual "Connection … closed."). OpenSSH exits on a DISCONNECT before
/// writing out the channel data it holds, so the wipe must travel before a normal channel
/// close, with no DISCONNECT. Tried several times: the failure was a race.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_exit_through_openssh_leaves_nothing_readable() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = util::add_user(dir.path(), "runner", "member");
    // Something to open: a thread with a post.
    let mut writer = Member::connect(
        server.addr,
        &util::add_user(dir.path(), "writer", "member"),
        80,
        24,
    )
    .await;
    writer.wait_for("Small wins").await;
    post_thread(&mut writer, "A thread to read", "words in the thread").await;
    writer.disconnect().await;
    let tmp = data_dir();
    for attempt in 0..20 {
        let (cols, rows) = [(80, 24), (40, 12), (120, 40)][attempt % 3];
        let mut cmd = portable_pty::CommandBuilder::new("ssh");
        let args: Vec<std::ffi::OsString> = util::openssh_args(&server, &key, tmp.path())
            .into_iter()
            .map(|a| {
                if a == "LogLevel=ERROR" {
                    "LogLevel=INFO".into()
                } else {
                    a
                }
            })
            .collect();
        cmd.args(args);
        cmd.args(["-tt", "127.0.0.1"]);
        let mut ssh = util::PtyProgram::spawn(cmd, cols, rows);
        ssh.wait_for("Welcome").await;
        // From the board list, a thread, or the composer with words typed.
        let place = attempt % 3;
        let typed = format!("words not for anyone {attempt}");
        if place > 0 {
            ssh.send(keys::ENTER);
            ssh.wait_for("A thread to read").await;
        }
        if place == 1 {
            ssh.send(keys::ENTER);
            ssh.wait_for("words in the thread").await;
        }
        if place == 2 {
            ssh.send(b"c");
            ssh.wait_for("Title").await;
            ssh.send(&[0x15]); // Ctrl-U: the field starts empty whatever an earlier try left
            ssh.send(typed.as_bytes());
            ssh.wait_for(&typed).await;
        }
        ssh.send(&[0x11]); // Ctrl-Q
        ssh.wait_exit().await;
        ssh.drain(Duration::from_millis(300)).await;
        // OpenSSH's own closing line, printed after the channel closed, is all that may show:
        // it says nothing of the board.
        let screen = ssh.screen();
        let left: Vec<&str> = screen
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && *l != "Connection to 127.0.0.1 closed.")
            .collect();
        assert!(
            left.is_empty(),
            "attempt {attempt} at {cols}x{rows}: the screen still shows:\n{screen}"
        );
        // What was being written is kept, saved after the wipe.
        if place == 2 {
            let user = server.service.member_id("runner").expect("runner");
            let user = server.service.user(user).expect("user").expect("exists");
            let draft = server
                .service
                .load_draft(
                    &user,
                    haven::domain::DraftPlace::NewThread(haven::domain::BoardId(1)),
                )
                .expect("draft");
            assert_eq!(
                draft.map(|d| d.title),
                Some(typed),
                "attempt {attempt}: the draft"
            );
        }
    }
    server.stop().await;
}

/// Through the system's OpenSSH client at 40×12: the recovery codes can all be read and are
/// not thrown away by one Enter; Help now scrolls to the member's safety plan and its keys,
/// and only Esc closes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_codes_and_help_now_through_openssh_at_40x12() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let tmp = data_dir();
    let mut ssh = util::openssh(&server, &new_key(), 40, 12, tmp.path());
    ssh.wait_for("Community guidelines").await;
    ssh.send(b"a");
    ssh.wait_for("Privacy policy").await;
    ssh.send(b"a");
    ssh.wait_for("Choose a handle").await;
    ssh.send(b"small_ssh\r");
    ssh.wait_for("Your recovery codes").await;
    let mut codes = std::collections::BTreeSet::new();
    for _ in 0..30 {
        ssh.drain(Duration::from_millis(50)).await;
        codes.extend(util::recovery_codes(&ssh.screen()));
        if codes.len() == 10 {
            break;
        }
        ssh.send(keys::DOWN);
    }
    assert_eq!(codes.len(), 10, "{codes:?}");
    ssh.send(keys::ENTER);
    ssh.wait_for("y goes on").await;
    ssh.send(b"y");
    ssh.wait_for("Welcome").await;
    ssh.send(keys::F1);
    ssh.wait_for("Help now").await;
    // Enter, a letter: still open.
    ssh.send(keys::ENTER);
    ssh.send(b"x");
    ssh.drain(Duration::from_millis(200)).await;
    assert!(ssh.screen().contains("Help now"), "{}", ssh.screen());
    let mut seen = String::new();
    for _ in 0..40 {
        ssh.send(keys::DOWN);
        ssh.drain(Duration::from_millis(30)).await;
        seen.push_str(&flat(&ssh.screen()));
    }
    assert!(seen.contains("findahelpline.com"), "{seen}");
    assert!(seen.contains("My safety plan"), "{seen}");
    assert!(
        flat(&ssh.screen()).contains("Esc close"),
        "{}",
        ssh.screen()
    );
    ssh.send(keys::ESC);
    ssh.drain(Duration::from_millis(200)).await;
    assert!(!ssh.screen().contains("Help now"), "{}", ssh.screen());
    ssh.send(&[0x11]);
    ssh.wait_exit().await;
    server.stop().await;
}

/// The goodbye of a ban and of a restart stays on the member's terminal after the real ssh
/// client exits (a DISCONNECT used to cut them off).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goodbyes_stay_on_screen_after_openssh_exits() {
    use std::ffi::OsStr as os;
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = util::add_user(dir.path(), "leaving", "member");
    let tmp = data_dir();
    let mut ssh = util::openssh(&server, &key, 80, 24, tmp.path());
    ssh.wait_for("Small wins").await;
    let (code, _, err) = util::bbs(&[
        os::new("admin"),
        os::new("ban"),
        os::new("leaving"),
        os::new("--reason"),
        os::new("test"),
        os::new("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    ssh.wait_exit().await;
    ssh.drain(Duration::from_millis(300)).await;
    let screen = ssh.screen();
    assert!(screen.contains("banned this account"), "{screen}");

    let key = util::add_user(dir.path(), "staying", "member");
    let mut ssh = util::openssh(&server, &key, 80, 24, tmp.path());
    ssh.wait_for("Small wins").await;
    server.begin_shutdown();
    ssh.wait_exit().await;
    ssh.drain(Duration::from_millis(300)).await;
    let screen = ssh.screen();
    assert!(screen.contains("restarting"), "{screen}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_warnings_and_muted_words_collapse_posts_until_opened() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut writer = Member::sign_up(server.addr, &new_key(), "writer").await;
    writer.send(keys::ENTER).await;
    writer.wait_for("new thread").await;
    writer.send(b"c").await;
    writer.wait_for("Title").await;
    writer
        .send(b"A heavy day\tgrief\tthe body behind the warning")
        .await;
    writer.send(keys::CTRL_S).await;
    writer.wait_for("Posted.").await;
    // Its author sees it open, with the warning above it.
    let screen = writer.wait_for("the body behind the warning").await;
    assert!(screen.contains("⚠ CW: grief"), "{screen}");
    writer.send(b"r").await;
    writer.wait_for("Reply to").await;
    writer
        .send(b"a storm came through\r\rand brainstorming helped")
        .await;
    writer.send(keys::CTRL_S).await;
    writer.wait_for("Posted.").await;
    writer.disconnect().await;

    let mut reader = Member::sign_up(server.addr, &new_key(), "reader").await;
    // Mute "storm" in settings.
    reader.send(b"s").await;
    reader.wait_for("Muted words: none").await;
    reader.send(b"w").await;
    reader.wait_for("Muted:").await;
    reader.send(b"storm, Thunder ").await;
    reader.send(keys::ENTER).await;
    reader.wait_for("Muted words: storm, thunder").await;
    reader.send(keys::ESC).await;
    reader.wait_for("Small wins").await;
    reader.send(keys::ENTER).await;
    reader.wait_for("A heavy day").await;
    reader.send(keys::ENTER).await;
    let screen = reader.wait_for("⚠ CW: grief · v to show").await;
    assert!(!screen.contains("the body behind the warning"), "{screen}");
    let screen = reader.wait_for("word you muted").await;
    assert!(
        !screen.contains("brainstorming"),
        "the muted post is collapsed whole:\n{screen}"
    );
    // v opens the first collapsed post, then the next.
    reader.send(b"v").await;
    let screen = reader.wait_for("the body behind the warning").await;
    assert!(!screen.contains("brainstorming"), "{screen}");
    reader.send(b"v").await;
    reader.wait_for("brainstorming helped").await;
    reader.send(b"v").await;
    reader.wait_for("Nothing hidden on screen").await;
    reader.disconnect().await;
    server.stop().await;
}

/// Posts a reply in the thread on screen.
async fn reply(m: &mut Member, text: &str) {
    m.send(b"r").await;
    m.wait_for("Reply to").await;
    m.send(text.as_bytes()).await;
    m.send(keys::CTRL_S).await;
    m.wait_for("Posted.").await;
    m.wait_for(text).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_hides_a_members_named_content_everywhere_and_unblocking_restores_it() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut bob = Member::sign_up(server.addr, &new_key(), "bob").await;
    let mut carol = Member::sign_up(server.addr, &new_key(), "carol").await;
    let mut alice = Member::sign_up(server.addr, &new_key(), "alice").await;

    post_thread(&mut bob, "Bobs own thread", "bob named body").await;
    post_thread(&mut carol, "Carols thread", "carol body").await;
    bob.send(keys::ESC).await;
    bob.wait_for("c new thread").await;
    bob.wait_for("Carols thread").await;
    // The newest thread is on top, where the selection is.
    bob.send(keys::ENTER).await;
    bob.wait_for("carol body").await;
    reply(&mut bob, "bob reply in carols thread").await;

    // Alice opens Carol's thread, selects Bob's reply and blocks him.
    alice.send(keys::ENTER).await;
    alice.wait_for("Bobs own thread").await;
    let screen = alice.wait_for("Carols thread").await;
    let row = screen
        .lines()
        .find(|l| l.contains("Carols thread"))
        .unwrap_or_default();
    assert!(row.contains("last bob"), "the last poster shows:\n{screen}");
    alice.send(keys::UP).await;
    alice.send(keys::UP).await;
    alice.send(keys::ENTER).await;
    alice.wait_for("bob reply in carols thread").await;
    alice.send(keys::TAB).await;
    alice.send(keys::TAB).await;
    alice.send(b"b").await;
    alice
        .wait_for("Block bob? They will not be told. Press b again.")
        .await;
    alice.send(b"b").await;
    alice.wait_for("You blocked bob").await;
    let screen = alice
        .wait_until(|s| !s.contains("bob reply"), "bob's reply to go")
        .await;
    assert!(screen.contains("posts 1-1 of 1"), "{screen}");
    // His thread is gone from the list; Carol's counts only what Alice can see.
    alice.send(keys::ESC).await;
    let screen = alice.wait_for("carol · 1").await;
    assert!(!screen.contains("Bobs own thread"), "{screen}");
    assert!(
        !screen.contains("bob"),
        "not even as the last poster:\n{screen}"
    );

    // Carol starts a newer thread; Alice sees it on top.
    carol.send(keys::ESC).await;
    carol.wait_for("c new thread").await;
    post_thread_raw(&mut carol, "Carols second", "more from carol").await;
    carol.send(keys::CTRL_S).await;
    carol.wait_for("Posted.").await;
    let screen = alice.wait_for("Carols second").await;
    let order: Vec<&str> = screen.lines().filter(|l| l.contains("Carols")).collect();
    assert!(order[0].contains("Carols second"), "{screen}");

    // Bob posts again in the older thread: nothing of it reaches Alice, not even as a "new"
    // count or a thread moving up her list.
    reply(&mut bob, "another bob reply").await;
    alice.pump(Duration::from_millis(600)).await;
    let screen = alice.screen();
    let row = screen
        .lines()
        .find(|l| l.contains("Carols thread"))
        .unwrap_or_default();
    assert!(
        row.contains("carol · 1") && !row.contains("new"),
        "no count or unread mark from a blocked member:\n{screen}"
    );
    let order: Vec<&str> = screen.lines().filter(|l| l.contains("Carols")).collect();
    assert!(
        order[0].contains("Carols second"),
        "the older thread stays below:\n{screen}"
    );
    alice.send(keys::ESC).await;
    let screen = alice.wait_for("Small wins").await;
    let welcome = screen
        .lines()
        .find(|l| l.contains("Welcome"))
        .unwrap_or_default();
    // Carol's second thread is new to Alice; Bob's reply adds nothing.
    assert!(welcome.contains("2 threads · 1 new"), "{screen}");

    // Bob is not told and sees everything as before.
    let screen = bob.screen();
    assert!(!screen.contains("block"), "{screen}");

    // Unblocking restores everything.
    alice.send(b"s").await;
    alice.wait_for("Blocked: bob").await;
    alice.send(b"u").await;
    alice.send(b"bob\r").await;
    alice.wait_for("You unblocked bob").await;
    alice.wait_for("Blocked: nobody").await;
    alice.send(keys::ESC).await;
    alice.send(keys::ENTER).await;
    alice.wait_for("Bobs own thread").await;

    for m in [alice, bob, carol] {
        m.disconnect().await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_never_reveals_who_wrote_an_anonymous_post() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut bob = Member::sign_up(server.addr, &new_key(), "bob").await;
    let mut alice = Member::sign_up(server.addr, &new_key(), "alice").await;

    // Bob posts anonymously on Support, and one named thread on Welcome.
    post_thread(&mut bob, "named by bob", "named body").await;
    bob.send(keys::ESC).await;
    bob.wait_for("c new thread").await;
    bob.send(keys::ESC).await;
    bob.wait_for("Small wins").await;
    bob.send(keys::DOWN).await;
    bob.send(keys::ENTER).await;
    bob.wait_for("Support").await;
    bob.send(b"c").await;
    bob.wait_for("Anonymous: off").await;
    bob.send(b"nobody knows\t\t\x01anonymous words").await;
    bob.send(keys::CTRL_S).await;
    bob.wait_for("Posted.").await;

    // Alice blocks Bob by name...
    alice.send(keys::ENTER).await;
    alice.wait_for("named by bob").await;
    alice.send(keys::ENTER).await;
    alice.wait_for("named body").await;
    alice.send(keys::TAB).await;
    alice.send(b"bb").await;
    alice.wait_for("You blocked bob").await;
    // His thread is out of sight: Alice is back on the (now empty) list.
    alice.wait_for("No threads yet").await;
    // ...and still sees the anonymous thread: a block acts on named content only.
    alice.send(keys::ESC).await;
    alice.wait_for("Small wins").await;
    alice.send(keys::DOWN).await;
    alice.send(keys::ENTER).await;
    let screen = alice.wait_for("nobody knows").await;
    assert!(!screen.contains("bob"), "{screen}");
    alice.send(keys::ENTER).await;
    alice.wait_for("anonymous words").await;
    // Hiding the pseudonym hides it in this thread, and says nothing about who it is.
    alice.send(keys::TAB).await;
    alice.send(b"b").await;
    let screen = alice.wait_for("posts in this thread? Press b again").await;
    assert!(screen.contains("Hide anon-"), "{screen}");
    alice.send(b"b").await;
    let screen = alice.wait_for("You will no longer see anon-").await;
    assert!(!screen.contains("bob"), "{screen}");
    alice
        .wait_until(
            |s| !s.contains("anonymous words"),
            "the pseudonym's post to go",
        )
        .await;
    alice.disconnect().await;
    bob.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_is_encrypted_at_rest_with_a_private_key_file() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "secretive").await;
    post_thread(
        &mut m,
        "Plaintexttitle Wombat",
        "plaintextbody7731 never on disk",
    )
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
        for (file, bytes) in all_bytes(dir.path()) {
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
        os("admin"),
        os("users"),
        os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_ne!(code, Some(0));
    assert!(err.contains("key"), "{err}");
    std::fs::remove_file(&key).expect("remove");
    let (code, _, err) = util::bbs(&[
        os("admin"),
        os("users"),
        os("--data-dir"),
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
        os("admin"),
        os("users"),
        os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0));
    assert!(out.contains("secretive"), "{out}");
}

#[test]
fn a_passphrase_key_opens_only_with_the_same_passphrase() {
    let dir = data_dir();
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
    let dir = data_dir();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_verify_and_restore_round_trip_while_the_board_runs() {
    let dir = data_dir();
    let d = dir.path().as_os_str();
    let key = new_key();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::sign_up(server.addr, &key, "archivist").await;
    post_thread(&mut m, "Before the backup", "kept").await;

    let out_dir = data_dir();
    let dest = out_dir.path().join("haven-backup.db");
    let (code, out, err) = util::bbs(&[
        os("admin"),
        os("backup"),
        dest.as_os_str(),
        os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("100%"), "a progress bar: {err}");
    assert!(
        out.contains("checked") && out.contains("1 threads"),
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
        os("admin"),
        os("verify-backup"),
        dest.as_os_str(),
        os("--data-dir"),
        d,
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("integrity ok") && out.contains("1 posts"),
        "{out}"
    );
    // Refuses to overwrite.
    let (code, _, _) = util::bbs(&[
        os("admin"),
        os("backup"),
        dest.as_os_str(),
        os("--data-dir"),
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
    m.disconnect().await;
    server.stop().await;
    for f in ["haven.db", "haven.db-wal", "haven.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(f));
    }
    std::fs::copy(&dest, dir.path().join("haven.db")).expect("restore");
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
        os("admin"),
        os("verify-backup"),
        bad.as_os_str(),
        os("--data-dir"),
        d,
    ]);
    assert_ne!(code, Some(0), "{err}");

    let (code, out, _) = util::bbs(&[os("admin"), os("purge"), os("--data-dir"), d]);
    assert_eq!(code, Some(0));
    assert!(out.contains("older than 180 days"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_address_post_text_or_anonymous_author_reaches_the_logs_or_the_database() {
    use std::io::{BufRead, Read};
    let dir = data_dir();
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
    post_thread(&mut other, "Named topic", "namedsecret4412 text").await;
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
        .send(b"Quiet topic\t\t\x01anonsecret9931 words")
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
    for (file, bytes) in all_bytes(&dir.path().join("data")) {
        for needle in ["127.0.0.2", "127.0.0.1"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle:?} is in {file}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_hides_locks_and_pins_with_reasons_and_members_see_it_live() {
    let dir = data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "steady_mod", "moderator");

    let mut member = Member::sign_up(server.addr, &new_key(), "poster").await;
    post_thread(&mut member, "A thread to tend", "first words").await;
    reply(&mut member, "buy cheap pills here").await;
    // A member's H does nothing.
    member.send(b"H").await;
    member.pump(Duration::from_millis(200)).await;
    assert!(
        !member.screen().contains("Reason for"),
        "{}",
        member.screen()
    );

    let mut moderator = Member::connect(server.addr, &mod_key, 80, 24).await;
    moderator.wait_for("Small wins").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("A thread to tend").await;
    moderator.send(keys::ENTER).await;
    let screen = moderator.wait_for("buy cheap pills").await;
    assert!(
        screen.contains("H hide/restore post"),
        "the footer shows moderator keys:\n{screen}"
    );
    moderator.send(keys::TAB).await;
    moderator.send(keys::TAB).await;
    moderator.send(b"H").await;
    moderator.wait_for("Reason for hiding").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("Please give a reason").await;
    moderator.send(b"H").await;
    moderator.send(b"spam\r").await;
    moderator.wait_for("Post hidden.").await;
    moderator.wait_for("HIDDEN from members").await;
    // Gone from the member's open session without a key press.
    member
        .wait_until(|s| !s.contains("buy cheap pills"), "the hidden post to go")
        .await;

    moderator.send(b"L").await;
    moderator.send(b"cooling down\r").await;
    moderator.wait_for("Thread locked.").await;
    member.wait_for("🔒").await;
    member.send(b"r").await;
    member.wait_for("locked").await;

    moderator.send(b"P").await;
    moderator.send(b"important\r").await;
    moderator.wait_for("Thread pinned.").await;
    member.send(keys::ESC).await;
    member.wait_for("📌").await;
    // Moving it to another board: gone from this board's list, there on the other.
    moderator.send(b"M").await;
    moderator.wait_for("Move to (board slug)").await;
    moderator.send(b"general better fit\r").await;
    moderator.wait_for("Thread moved to general.").await;
    member.wait_for("No threads yet").await;
    member.send(keys::ESC).await;
    member.wait_for("Small wins").await;
    member.send(b"G").await;
    member.send(keys::ENTER).await;
    member.wait_for("A thread to tend").await;
    member.disconnect().await;
    moderator.disconnect().await;
    server.stop().await;

    let (_, out, _) = util::bbs(&[
        os("admin"),
        os("audit"),
        os("--actor"),
        os("steady_mod"),
        os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert!(
        out.contains("post_hidden") && out.contains("(spam)"),
        "{out}"
    );
    assert!(
        out.contains("thread_locked") && out.contains("thread_pinned"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_trusted_reports_hide_a_post_until_a_moderator_resolves_it_and_reporters_hear_back() {
    let dir = data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    // Trust comes at once, after reading one thread started by someone else.
    config.posting.trusted_after_days = 0;
    config.posting.trusted_after_threads_read = 1;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "queue_mod", "moderator");

    let mut poster = Member::sign_up(server.addr, &new_key(), "trouble").await;
    post_thread(&mut poster, "Ordinary thread", "ordinary words").await;
    reply(&mut poster, "offending words here").await;

    let mut reporter_keys = Vec::new();
    for (i, name) in ["rep_one", "rep_two", "rep_three"].iter().enumerate() {
        let key = new_key();
        let mut r = Member::sign_up(server.addr, &key, name).await;
        r.send(keys::ENTER).await;
        r.wait_for("Ordinary thread").await;
        r.send(keys::ENTER).await;
        r.wait_for("offending words").await;
        r.send(keys::TAB).await;
        r.send(keys::TAB).await;
        r.send(b"f").await;
        r.wait_for("Report this post as [someone may be at risk]")
            .await;
        for _ in 0..3 {
            r.send(keys::TAB).await;
        }
        r.wait_for("Report this post as [spam]").await;
        r.send(b"selling things\r").await;
        r.wait_for("Thank you").await;
        if i == 0 {
            // Reporting twice counts once.
            r.send(b"f").await;
            r.send(keys::ENTER).await;
            r.wait_for("already reported").await;
        }
        r.disconnect().await;
        reporter_keys.push(key);
    }
    // The third trusted report hides it, live, for its author too.
    poster
        .wait_until(|s| !s.contains("offending words"), "the post to be hidden")
        .await;

    let mut moderator = Member::connect(server.addr, &mod_key, 80, 24).await;
    moderator.wait_for("Small wins").await;
    moderator.send(b"m").await;
    moderator.wait_for("p reports").await;
    moderator.send(b"p").await;
    let screen = moderator.wait_for("3 reports").await;
    assert!(
        screen.contains("spam") && screen.contains("hidden"),
        "{screen}"
    );
    assert!(
        !screen.contains("offending"),
        "content is collapsed until opened:\n{screen}"
    );
    moderator.send(keys::ENTER).await;
    moderator.wait_for("offending words here").await;
    moderator.send(b"c").await;
    moderator.wait_for("claimed by qu").await;
    moderator.send(b"o").await;
    moderator.wait_for("Outcome").await;
    moderator.send(b"removed as spam\r").await;
    moderator.wait_for("Resolved").await;
    moderator.wait_for("No open reports").await;
    moderator.disconnect().await;

    // The reporters hear the outcome at their next visit, without the moderator's name.
    let mut r = Member::connect(server.addr, &reporter_keys[1], 80, 24).await;
    let screen = r
        .wait_for("A moderator reviewed a post you reported: removed as spam")
        .await;
    assert!(!screen.contains("queue_mod"), "{screen}");
    r.disconnect().await;
    poster.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_and_silences_reach_the_member_live_show_in_their_record_and_can_be_appealed() {
    let dir = data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "fair_mod", "moderator");
    let mut member = Member::sign_up(server.addr, &new_key(), "heated").await;
    post_thread(&mut member, "Hot topic", "something unkind").await;

    let mut moderator = Member::connect(server.addr, &mod_key, 80, 24).await;
    moderator.wait_for("Small wins").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("Hot topic").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("something unkind").await;
    moderator.send(keys::TAB).await;
    moderator.send(b"W").await;
    moderator.wait_for("Warning to the author").await;
    moderator.send(b"please be kind\r").await;
    moderator.wait_for("Warning sent.").await;
    // The member sees it at once.
    member
        .wait_for("A moderator sent you a warning: please be kind")
        .await;

    moderator.send(b"S").await;
    moderator.send(b"cooling off\r").await;
    moderator.wait_for("needs a duration").await;
    moderator.send(b"S").await;
    moderator.send(b"1d cooling off\r").await;
    moderator.wait_for("Member silenced.").await;
    member.wait_for("read-only until").await;
    // Posting is refused with the reason; the draft stays.
    member.send(b"r").await;
    member.wait_for("Reply to").await;
    member.send(b"but wait").await;
    member.send(keys::CTRL_S).await;
    member.wait_for("read-only until").await;
    member.send(keys::ESC).await;
    member.send(keys::ESC).await;
    member.send(keys::ESC).await;
    member.wait_for("Small wins").await;

    // My record shows both, and takes an appeal into the moderators' queue.
    member.send(b"s").await;
    member.wait_for("Your keys").await;
    member.send(b"r").await;
    let screen = member.wait_for("cooling off").await;
    assert!(
        screen.contains("warning") && screen.contains("please be kind"),
        "{screen}"
    );
    assert!(screen.contains("silence until"), "{screen}");
    assert!(!screen.contains("fair_mod"), "no moderator names: {screen}");
    member.send(b"a").await;
    member.send(b"I was upset, sorry\r").await;
    member.wait_for("Your appeal is with the moderators").await;

    moderator.send(keys::ESC).await;
    moderator.send(keys::ESC).await;
    moderator.wait_for("Small wins").await;
    moderator.send(b"m").await;
    moderator.send(b"p").await;
    moderator.wait_for("appeal from heated").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("I was upset, sorry").await;
    moderator.send(b"o").await;
    moderator.send(b"silence lifted early\r").await;
    moderator.wait_for("Resolved").await;
    member
        .wait_for("A moderator reviewed your appeal: silence lifted early")
        .await;
    // A sysop lifts the silence: the member is told at once and can post again.
    let (code, _, err) = util::bbs(&[
        os("admin"),
        os("unsilence"),
        os("heated"),
        os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    member.wait_for("Your account can post again.").await;
    member.disconnect().await;
    moderator.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watched_words_block_flag_hold_and_suggest_a_content_warning() {
    let dir = data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    config.posting.duplicate_window = 0;
    config.watched = haven::config::Watched {
        block: vec!["forbiddenword".into()],
        flag: vec!["pills".into()],
        approve: vec!["meetup".into()],
        cw_suggest: vec!["grief".into()],
    };
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "word_mod", "moderator");
    let mut m = Member::sign_up(server.addr, &new_key(), "wordsmith").await;
    m.send(keys::ENTER).await;
    m.wait_for("new thread").await;

    // A heavy word without a CW: suggested once, then posted as it is.
    post_thread_raw(&mut m, "Missing her", "the grief is heavy today").await;
    m.send(keys::CTRL_S).await;
    m.wait_for("consider a content warning").await;
    m.send(keys::CTRL_S).await;
    m.wait_for("Posted.").await;
    m.send(keys::ESC).await;
    m.wait_for("c new thread").await;

    // Flagged: posted and queued. Held: invisible until approved.
    post_thread_raw(&mut m, "Offer", "cheap p1lls for all").await;
    m.send(keys::CTRL_S).await;
    m.wait_for("Posted.").await;
    m.send(keys::ESC).await;
    m.wait_for("c new thread").await;
    post_thread_raw(&mut m, "Local meetup", "a meetup tonight? @word_mod").await;
    m.send(keys::CTRL_S).await;
    m.wait_for("once a moderator has read it").await;

    // Blocked: refused with the word; the draft stays.
    m.send(b"c").await;
    m.wait_for("Title").await;
    m.send(b"A title\t\tsay forbiddenword here").await;
    m.send(keys::CTRL_S).await;
    m.wait_for("which is not allowed here").await;
    m.wait_for("say forbiddenword here").await;

    let mut reader = Member::sign_up(server.addr, &new_key(), "onlooker").await;
    reader.send(keys::ENTER).await;
    let screen = reader.wait_for("Offer").await;
    assert!(
        !screen.contains("Local meetup"),
        "held posts are invisible:\n{screen}"
    );

    let mut moderator = Member::connect(server.addr, &mod_key, 80, 24).await;
    moderator.wait_for("Small wins").await;
    moderator.send(b"m").await;
    moderator.send(b"p").await;
    let screen = moderator.wait_for("held for approval").await;
    assert!(screen.contains("watched word: pills"), "{screen}");
    // A held post mentions no one until it is out.
    let header = screen.lines().next().unwrap_or_default().to_string();
    assert!(!header.contains("new ·"), "{screen}");
    // The held post is the second item (the flagged one came first).
    moderator.send(keys::DOWN).await;
    moderator.send(b"a").await;
    moderator.wait_for("Approved").await;
    reader.wait_for("Local meetup").await;
    moderator.wait_for("1 new · word_mod").await;
    for x in [m, reader, moderator] {
        x.disconnect().await;
    }
    server.stop().await;
}

/// Opens the composer for a new thread on the board on screen and types a title and body,
/// without sending.
async fn post_thread_raw(m: &mut Member, title: &str, body: &str) {
    m.send(b"c").await;
    m.wait_for("Title").await;
    m.send(title.as_bytes()).await;
    m.send(keys::TAB).await;
    m.send(keys::TAB).await;
    m.send(body.as_bytes()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hide_in_the_console_reaches_ssh_sessions_and_an_ssh_moderators_lock_reaches_the_console()
{
    let dir = data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let tmp = data_dir();
    let sysop_key = new_key();
    let pubfile = util::write_public_key(&sysop_key, tmp.path(), "sysop");
    let (code, _, err) = util::bbs(&[
        os("admin"),
        os("add-sysop"),
        os("--key"),
        pubfile.as_os_str(),
        os("--handle"),
        os("console_op"),
        os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let mod_key = util::add_user(dir.path(), "ssh_mod", "moderator");

    let mut member = Member::sign_up(server.addr, &new_key(), "speaker").await;
    post_thread(&mut member, "Shared thread", "first post").await;
    reply(&mut member, "second post to hide").await;

    let mut cmd = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_bbs"));
    cmd.args(["console", "--data-dir"]);
    cmd.arg(dir.path());
    cmd.env_remove("BBS_CONFIG");
    cmd.cwd(tmp.path());
    let mut console = util::PtyProgram::spawn(cmd, 80, 24);
    console.wait_for("Small wins").await;
    console.send(keys::ENTER);
    console.wait_for("Shared thread").await;
    console.send(keys::ENTER);
    console.wait_for("second post to hide").await;
    console.send(keys::TAB);
    console.send(keys::TAB);
    console.send(b"H");
    console.wait_for("Reason for hiding").await;
    console.send(b"off topic\r");
    console.wait_for("Post hidden.").await;
    member
        .wait_until(
            |s| !s.contains("second post to hide"),
            "the hide from the console",
        )
        .await;

    let mut moderator = Member::connect(server.addr, &mod_key, 80, 24).await;
    moderator.wait_for("Small wins").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("Shared thread").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("first post").await;
    moderator.send(b"L").await;
    moderator.send(b"resting\r").await;
    moderator.wait_for("Thread locked.").await;
    console.wait_for("🔒").await;

    console.send(keys::CTRL_C);
    assert_eq!(console.wait_exit().await, 0);
    member.disconnect().await;
    moderator.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sysops_manage_boards_from_the_cli_and_open_sessions_follow() {
    let dir = data_dir();
    let d = dir.path().as_os_str();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "browser").await;
    let run = |args: &[&str]| {
        let mut all: Vec<&std::ffi::OsStr> = vec![os("admin"), os("boards")];
        all.extend(args.iter().map(|a| os(a)));
        all.push(os("--data-dir"));
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
    let screen = m
        .wait_until(
            |s| s.lines().nth(1).is_some_and(|l| l.contains("News")),
            "News first",
        )
        .await;
    assert!(
        screen.lines().nth(1).is_some_and(|l| l.contains("News")),
        "{screen}"
    );
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
