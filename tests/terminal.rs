//! The terminal: what reaches a member's screen at every size, through russh's client and the
//! system OpenSSH client: escapes stripped, resizes, 40×12, help, the sign-up notice.

use super::util::{self, Member, TestServer, keys, new_key};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escape_sequences_in_a_post_never_reach_another_members_terminal() {
    let dir = util::data_dir();
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
    let dir = util::data_dir();
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

/// A visitor whose ssh offers no key is told how to make one, not just "Permission denied";
/// and that path lets nobody in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_without_a_key_is_told_how_to_make_one() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let tmp = util::data_dir();
    let args = util::openssh_interactive_args(&server, &new_key(), tmp.path());
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
    let dir = util::data_dir();
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
        |s| util::flat(s).contains("F1 opens Help now"),
        "the whole notice",
    )
    .await;
    m.disconnect().await;
    server.stop().await;
}

/// Every screen a member or moderator reaches, at 40×12, 80×24, 200×60 and 250×80: its title shows,
/// its essential content shows, and Help now is in reach (its key in the footer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_is_usable_at_40x12_80x24_200x60_and_250x80() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let member_key = util::add_user(dir.path(), "sizer", "member");
    let mod_key = util::add_user(dir.path(), "mod_sizer", "moderator");
    let mut writer = Member::sign_up(server.addr, &new_key(), "writer").await;
    writer
        .post_thread("A thread to read", "words in the thread")
        .await;
    writer.disconnect().await;
    for (cols, rows) in [(40, 12), (80, 24), (200, 60), (250, 80)] {
        let at = format!("{cols}x{rows}");
        let mut m = Member::connect(server.addr, &member_key, cols, rows).await;
        let check = |screen: &str, title: &str, content: &str| {
            let f = util::flat(screen);
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
            util::flat(&screen).contains("help now"),
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
        assert!(util::flat(&screen).contains("emergency"), "{at}:\n{screen}");
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
        assert!(
            util::flat(&screen).contains("help now"),
            "{at}: desk:\n{screen}"
        );
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
async fn help_and_help_now_open_on_every_screen() {
    let dir = util::data_dir();
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
async fn the_openssh_client_signs_up_posts_resizes_and_quits() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let tmp = util::data_dir();
    let mut ssh = util::openssh(&server, &key, 80, 24, tmp.path());
    ssh.wait_for("Community guidelines").await;
    ssh.send(b"a");
    ssh.wait_for("Privacy policy").await;
    ssh.send(b"a");
    ssh.wait_for("Choose a handle").await;
    ssh.send(b"openssh_user\r");
    ssh.wait_for("Join as").await;
    ssh.send(b"\r");
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
    // The terminal reports the mouse (SGR), and the wheel moves the selection.
    assert_ne!(
        ssh.parser.screen().mouse_protocol_mode(),
        vt100::MouseProtocolMode::None
    );
    assert_eq!(
        ssh.parser.screen().mouse_protocol_encoding(),
        vt100::MouseProtocolEncoding::Sgr
    );
    ssh.send(b"\x1b[<65;20;6M");
    ssh.wait_for("\u{25b8} Support").await;
    ssh.send(b"\x1b[<64;20;6M\x1b[<0;20;6M\x1b[<0;20;6m");
    ssh.wait_for("\u{25b8} Welcome").await;
    ssh.send(b"q");
    assert_eq!(ssh.wait_exit().await, 0);
    ssh.drain(Duration::from_millis(200)).await;
    // Left as it was found: no mouse reports, no bracketed paste, the normal screen.
    let screen = ssh.parser.screen();
    assert_eq!(screen.mouse_protocol_mode(), vt100::MouseProtocolMode::None);
    assert!(!screen.bracketed_paste() && !screen.alternate_screen());
    server.stop().await;
}

/// The goodbye of a ban and of a restart stays on the member's terminal after the real ssh
/// client exits (a DISCONNECT used to cut them off).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goodbyes_stay_on_screen_after_openssh_exits() {
    use std::ffi::OsStr as os;
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = util::add_user(dir.path(), "leaving", "member");
    let tmp = util::data_dir();
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
