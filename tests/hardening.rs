//! Attacks from strangers, on loopback, each bounded in time: sign-up floods, idle sockets,
//! connections that log in and do nothing, clients that stop reading, repeated failures, and
//! a full server. Each asserts what a member elsewhere still gets.

use std::net::IpAddr;
use std::time::Duration;

use haven::config::Config;
use tokio::io::AsyncReadExt;

use crate::util::{self, Member, TestServer, new_key};

fn ip(last: u8) -> Option<IpAddr> {
    Some(IpAddr::from([127, 0, 0, last]))
}

fn config(dir: &std::path::Path) -> Config {
    util::unlimited(dir)
}

/// Reads from a raw socket until the server's version line or the end; true if the line came.
async fn greeted(stream: &mut tokio::net::TcpStream) -> bool {
    let mut buf = [0u8; 64];
    matches!(
        tokio::time::timeout(util::WAIT, stream.read(&mut buf)).await,
        Ok(Ok(n)) if n > 0 && buf[..n].starts_with(b"SSH-2.0-Haven")
    )
}

/// A new key is still a stranger: its sign-up holds one of the few sign-up slots and its
/// source's unauthenticated slots, so a flood of throw-away keys from one address gets three
/// sign-ups, is told why the rest wait, and a member from elsewhere logs in meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throw_away_keys_get_a_few_sign_ups_and_members_still_log_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start_with(config(dir.path())).await;
    let member_key = util::add_user(&server.data_dir, "marigold", "member");

    // Thirty new keys from one address, each asking for the largest terminal.
    let mut attempts = Vec::new();
    for _ in 0..30 {
        let addr = server.addr;
        attempts.push(tokio::spawn(async move {
            Member::try_connect_from(ip(2), addr, &new_key(), 500, 200).await
        }));
    }
    let mut signing_up = Vec::new();
    let mut told_to_wait = 0;
    for a in attempts {
        // A connection refused outright (the per-source cap) fails to connect at all.
        match tokio::time::timeout(util::WAIT * 2, a).await {
            Ok(Ok(Ok(m))) => signing_up.push(m),
            Ok(Ok(Err(said))) => {
                if said.contains("sign-ups are in progress") {
                    told_to_wait += 1;
                }
            }
            Ok(Err(_)) => {}
            Err(_) => panic!("a sign-up attempt hung"),
        }
    }
    assert_eq!(signing_up.len(), 3, "three sign-ups per source");
    assert!(told_to_wait > 0, "the others are told why");
    for m in &mut signing_up {
        m.wait_for("Community guidelines").await;
    }

    // A member from another address logs in at once, and so does a new member's sign-up.
    let started = std::time::Instant::now();
    let mut m = Member::connect_from(ip(1), server.addr, &member_key, 80, 24).await;
    m.wait_for("Boards").await;
    eprintln!(
        "member logged in during the sign-up flood in {:?}",
        started.elapsed()
    );
    let mut fresh = Member::connect_from(ip(3), server.addr, &new_key(), 80, 24).await;
    fresh.wait_for("Community guidelines").await;

    // Finishing a sign-up frees its slot for the next stranger from that address.
    let mut first = signing_up.remove(0);
    first.send(b"a").await;
    first.wait_for("Privacy policy").await;
    first.send(b"a").await;
    first.wait_for("Choose a handle").await;
    first.send(b"quietfern\r").await;
    first.wait_for("Join as").await;
    first.send(b"\r").await;
    first
        .wait_until(|s| util::recovery_codes(s).len() == 10, "codes")
        .await;
    let mut next = Member::try_connect_from(ip(2), server.addr, &new_key(), 80, 24)
        .await
        .expect("a sign-up slot is free again");
    next.wait_for("Community guidelines").await;
    server.stop().await;
}

/// Sign-up has a deadline: the stranger is told, and the connection is closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unfinished_sign_up_ends_at_its_deadline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.limits.signup_timeout = Duration::from_secs(2);
    let server = TestServer::start_with(c).await;
    let mut m = Member::connect(server.addr, &new_key(), 80, 24).await;
    m.wait_for("Community guidelines").await;
    m.wait_for("not finished in time").await;
    m.wait_closed().await;
    server.stop().await;
}

/// A connection that authenticates and never asks for a session is closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_without_a_session_is_closed() {
    use std::sync::Arc;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.limits.session_start_timeout = Duration::from_secs(1);
    let server = TestServer::start_with(c).await;
    let key = util::add_user(&server.data_dir, "marigold", "member");

    struct Quiet;
    impl russh::client::Handler for Quiet {
        type Error = russh::Error;
        async fn check_server_key(
            &mut self,
            _key: &russh::keys::PublicKeyOrCertificate,
        ) -> Result<bool, Self::Error> {
            Ok(true)
        }
    }
    let mut handle = russh::client::connect(
        Arc::new(russh::client::Config::default()),
        server.addr,
        Quiet,
    )
    .await
    .expect("connect");
    let auth = handle
        .authenticate_publickey(
            "member",
            russh::keys::PrivateKeyWithHashAlg::new(Arc::new(key), None),
        )
        .await
        .expect("auth");
    assert!(auth.success());
    let deadline = tokio::time::Instant::now() + util::WAIT;
    while !handle.is_closed() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "an idle authenticated connection was kept open"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.stop().await;
}

/// A client that stops reading loses its connection (not only its session) after the write
/// timeout, so it holds no socket or buffers; everyone else goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_disconnected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.limits.write_timeout = Duration::from_secs(2);
    let server = TestServer::start_with(c).await;
    let key = util::add_user(&server.data_dir, "marigold", "member");
    let other = util::add_user(&server.data_dir, "willow", "member");

    let stream = util::Pausable::new(util::tcp_from(None, server.addr).await);
    let paused = stream.paused.clone();
    let mut m = Member::connect_over(stream, &key, 200, 60).await;
    m.wait_for("Boards").await;
    paused.store(true, std::sync::atomic::Ordering::Release);
    // Every resize redraws the whole screen: output piles up that this client never reads.
    let closed = tokio::time::timeout(util::WAIT * 3, async {
        let mut wide = true;
        while !m.connection_closed() {
            wide = !wide;
            let cols = if wide { 240 } else { 239 };
            let _ = tokio::time::timeout(Duration::from_millis(200), m.try_resize(cols, 100)).await;
        }
    })
    .await;
    assert!(closed.is_ok(), "the stalled client was never disconnected");

    let mut w = Member::connect(server.addr, &other, 80, 24).await;
    w.wait_for("Boards").await;
    server.stop().await;
}

/// The session cap counts sessions: with room for six, six members hold sessions (the old
/// count of tasks stopped at half), the seventh is told the server is full, and gets in once
/// someone leaves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cap_counts_sessions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.limits.max_sessions = 6;
    c.limits.max_unauthenticated = 2;
    c.limits.max_unauthenticated_per_source = 2;
    let server = TestServer::start_with(c).await;
    let keys: Vec<_> = (0..7)
        .map(|i| util::add_user(&server.data_dir, &format!("member{i}"), "member"))
        .collect();
    let mut held = Vec::new();
    for k in &keys[..6] {
        let mut m = Member::connect(server.addr, k, 80, 24).await;
        m.wait_for("Boards").await;
        held.push(m);
    }
    let refused = Member::try_connect_from(None, server.addr, &keys[6], 80, 24).await;
    let Err(said) = refused else {
        panic!("a seventh session was let in");
    };
    assert!(said.contains("Haven is full"), "{said:?}");
    // A new key is not let into sign-up either.
    let Err(said) = Member::try_connect_from(None, server.addr, &new_key(), 80, 24).await else {
        panic!("a sign-up was let in past the cap");
    };
    assert!(said.contains("Haven is full"), "{said:?}");

    held.pop().expect("one").disconnect().await;
    let deadline = tokio::time::Instant::now() + util::WAIT;
    loop {
        match Member::try_connect_from(None, server.addr, &keys[6], 80, 24).await {
            Ok(mut m) => {
                m.wait_for("Boards").await;
                break;
            }
            Err(_) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(said) => panic!("still full after a member left: {said:?}"),
        }
    }
    server.stop().await;
}

/// The system's ssh shows a member why a full server refused them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_system_ssh_shows_why_the_server_is_full() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.limits.max_sessions = 1;
    let server = TestServer::start_with(c).await;
    let first = util::add_user(&server.data_dir, "marigold", "member");
    let second = util::add_user(&server.data_dir, "willow", "member");
    let mut m = Member::connect(server.addr, &first, 80, 24).await;
    m.wait_for("Boards").await;
    let tmp = tempfile::tempdir().expect("tempdir");
    let args = util::openssh_interactive_args(&server, &second, tmp.path());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("ssh")
            .args(args)
            .args(["127.0.0.1", "export"])
            .stdin(std::process::Stdio::null())
            .output()
            .expect("ssh")
    })
    .await
    .expect("join");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("Haven is full"), "{err}");
    server.stop().await;
}

/// Ten addresses keep every unauthenticated slot they can busy with silent sockets, renewed
/// as fast as they are dropped; members from another address still log in, one after another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_log_in_while_ten_addresses_flood_with_idle_sockets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start_with(config(dir.path())).await;
    let key = util::add_user(&server.data_dir, "marigold", "member");
    let stop = tokio_util::sync::CancellationToken::new();
    let mut flooders = Vec::new();
    for source in 2..12u8 {
        let (addr, stop) = (server.addr, stop.clone());
        flooders.push(tokio::spawn(async move {
            // Silent sockets, renewed all the time: the newest twelve are kept open (past
            // the per-source cap of ten).
            let mut held = std::collections::VecDeque::new();
            let mut opened = 0usize;
            while !stop.is_cancelled() {
                held.push_back(util::tcp_from(ip(source), addr).await);
                opened += 1;
                if held.len() > 12 {
                    held.pop_front();
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            opened
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for round in 0..3 {
        let started = std::time::Instant::now();
        let mut m = tokio::time::timeout(
            util::WAIT,
            Member::connect_from(ip(1), server.addr, &key, 80, 24),
        )
        .await
        .unwrap_or_else(|_| panic!("round {round}: the member could not log in during the flood"));
        m.wait_for("Boards").await;
        eprintln!(
            "round {round}: logged in during the flood in {:?}",
            started.elapsed()
        );
        m.disconnect().await;
    }
    stop.cancel();
    let mut opened = 0;
    for f in flooders {
        opened += f.await.expect("flooder");
    }
    eprintln!("flooders opened {opened} connections");
    assert!(opened > 100, "the flood was real: {opened} connections");
    server.stop().await;
}

/// A source that keeps failing is refused for a while; others are not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_that_keeps_failing_is_refused_for_a_while() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.limits.penalties = true;
    c.limits.login_grace = Duration::from_millis(300);
    let server = TestServer::start_with(c).await;
    let key = util::add_user(&server.data_dir, "marigold", "member");
    // Each silent connection misses the login grace: 10 s of penalty each, blocking from 15 s.
    let mut refused_after = None;
    for attempt in 1..=6 {
        let mut s = util::tcp_from(ip(7), server.addr).await;
        if !greeted(&mut s).await {
            refused_after = Some(attempt);
            break;
        }
        // Wait for the server to hang up (the grace time), which records the penalty.
        let mut buf = [0u8; 256];
        let _ = tokio::time::timeout(util::WAIT, async {
            while let Ok(n) = s.read(&mut buf).await {
                if n == 0 {
                    break;
                }
            }
        })
        .await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(refused_after, Some(3), "refused from the third attempt");
    // The member elsewhere is unaffected, and so is the same source's neighbour.
    let mut m = Member::connect_from(ip(1), server.addr, &key, 80, 24).await;
    m.wait_for("Boards").await;
    let mut s = util::tcp_from(ip(8), server.addr).await;
    assert!(greeted(&mut s).await);
    server.stop().await;
}

/// What a terminal (or a hostile client) can send: a paste that never ends, a paste of 10 MB,
/// and quick exit in the middle of a paste. Keys keep working, the member is told what was cut,
/// and Ctrl-Q always leaves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfinished_and_huge_pastes_lose_no_keys_and_quick_exit_always_works() {
    use crate::util::keys;
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start_with(config(dir.path())).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "marigold").await;
    m.send(keys::ENTER).await;
    m.wait_for("new thread").await;
    m.send(b"c").await;
    m.wait_for("Title").await;

    // The start of a paste and no end: after a moment it is a paste, and typing goes on.
    m.send(b"\x1b[200~Half a title").await;
    m.wait_for("Half a title").await;
    m.send(b"Z").await;
    m.wait_for("Half a titleZ").await;

    // 10 MB into the body: what fits is kept and the member is told the rest was cut.
    m.send(keys::TAB).await;
    m.send(keys::TAB).await;
    m.send(b"\x1b[200~").await;
    let chunk = vec![b'w'; 32 * 1024];
    for _ in 0..320 {
        m.send(&chunk).await;
        // Read what the server says meanwhile (window adjustments), as a terminal would.
        m.pump(Duration::from_millis(1)).await;
    }
    m.send(b"\x1b[201~").await;
    let screen = m.wait_for("That paste was too long").await;
    // 10 MB of which a post keeps 32,000 characters.
    let words = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("its last 10,453,760 characters were left out"),
        "{screen}"
    );
    // Keys after it still arrive (Tab from the body goes back to the title).
    m.send(keys::TAB).await;
    m.send(b"Y").await;
    m.wait_for("Half a titleZY").await;

    // Quick exit inside an unfinished paste: the screen is wiped and the connection ends.
    m.send(b"\x1b[200~something private").await;
    m.send(b"\x11").await;
    m.wait_closed().await;
    assert!(
        m.raw.ends_with(haven::session::frame::WIPE)
            || m.raw
                .windows(haven::session::frame::WIPE.len())
                .any(|w| w == haven::session::frame::WIPE),
        "the wipe was sent"
    );
    assert!(!m.screen().contains("Half a title"), "{}", m.screen());
    server.stop().await;
}

/// Frame memory is bounded: whatever a client asks for, at most 240×100 is drawn, and when the
/// server-wide budget is spent a session draws at 80×24 until there is room again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frame_memory_has_a_cap_per_session_and_a_budget_for_all() {
    use haven::session::frame::CELL_BYTES;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    // Room beyond the base 80×24 for exactly one session at the largest size.
    c.limits.frame_memory_bytes = (240 * 100 - 80 * 24) * CELL_BYTES;
    let server = TestServer::start_with(c).await;
    let a_key = util::add_user(&server.data_dir, "marigold", "member");
    let b_key = util::add_user(&server.data_dir, "willow", "member");

    let used_cols = |m: &Member| {
        m.parser
            .screen()
            .contents()
            .lines()
            .map(|l| l.trim_end().chars().count())
            .max()
            .unwrap_or(0)
    };
    let used_rows = |m: &Member| {
        let (_, cols) = m.parser.screen().size();
        let rows: Vec<String> = m.parser.screen().rows(0, cols).collect();
        rows.iter()
            .rposition(|l| !l.trim().is_empty())
            .map_or(0, |r| r + 1)
    };

    // A client asking for 400×150 is drawn 240×100, the top-left of its terminal.
    let mut huge = Member::connect(server.addr, &a_key, 400, 150).await;
    huge.wait_for("Boards").await;
    huge.pump(Duration::from_millis(300)).await;
    assert!(
        used_cols(&huge) <= 240 && used_cols(&huge) > 200,
        "{}",
        used_cols(&huge)
    );
    assert_eq!(used_rows(&huge), 100);

    // The budget is spent: the second is drawn at 80×24 in its 200×60 terminal.
    let mut second = Member::connect(server.addr, &b_key, 200, 60).await;
    second.wait_for("Boards").await;
    second.pump(Duration::from_millis(300)).await;
    assert!(used_cols(&second) <= 80, "{}", second.screen());
    assert_eq!(used_rows(&second), 24, "{}", second.screen());

    // Once the first leaves, the second gets its full size at its next resize.
    huge.disconnect().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    second.resize(200, 60).await;
    second.pump(Duration::from_millis(300)).await;
    assert_eq!(used_rows(&second), 60, "{}", second.screen());
    server.stop().await;
}

/// A hundred addresses holding one silent socket each fill every unauthenticated slot and
/// reconnect the moment one is closed: a member still logs in (the oldest handshake gives way),
/// again and again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_log_in_while_a_hundred_addresses_hold_one_socket_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start_with(config(dir.path())).await;
    let key = util::add_user(&server.data_dir, "marigold", "member");
    let stop = tokio_util::sync::CancellationToken::new();
    let mut flooders = Vec::new();
    for i in 0..100u8 {
        let (addr, stop) = (server.addr, stop.clone());
        flooders.push(tokio::spawn(async move {
            let source = Some(IpAddr::from([127, 0, 1, 1 + i]));
            while !stop.is_cancelled() {
                let mut s = util::tcp_from(source, addr).await;
                let mut buf = [0u8; 256];
                // Hold it, silent, until the server closes it; then straight back.
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = async { while matches!(s.read(&mut buf).await, Ok(n) if n > 0) {} } => {}
                }
            }
        }));
    }
    // Let every slot fill and age past the point where it may give way.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for round in 0..3 {
        let started = std::time::Instant::now();
        let mut m = tokio::time::timeout(
            util::WAIT,
            Member::connect_from(ip(1), server.addr, &key, 80, 24),
        )
        .await
        .unwrap_or_else(|_| panic!("round {round}: the member could not log in"));
        m.wait_for("Boards").await;
        eprintln!(
            "round {round}: logged in past 100 silent sockets in {:?}",
            started.elapsed()
        );
        m.disconnect().await;
        tokio::time::sleep(Duration::from_millis(2500)).await;
    }
    stop.cancel();
    for f in flooders {
        let _ = f.await;
    }
    server.stop().await;
}

/// Sign-ups reserve the sessions they will become: with room for two sessions and two
/// sign-ups under way, a member is told the server is full, and finishing both sign-ups
/// does not take the server past two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ups_count_against_the_session_cap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.limits.max_sessions = 2;
    let server = TestServer::start_with(c).await;
    let key = util::add_user(&server.data_dir, "marigold", "member");
    let mut a = Member::connect(server.addr, &new_key(), 80, 24).await;
    a.wait_for("Community guidelines").await;
    let mut b = Member::connect(server.addr, &new_key(), 80, 24).await;
    b.wait_for("Community guidelines").await;
    let Err(said) = Member::try_connect_from(None, server.addr, &key, 80, 24).await else {
        panic!("a third session was let in");
    };
    assert!(said.contains("Haven is full"), "{said:?}");
    server.stop().await;
}

/// After the version line, the key exchange has its own deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stalls_in_the_key_exchange_is_cut_off() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.limits.key_exchange_timeout = Duration::from_secs(1);
    let server = TestServer::start_with(c).await;
    let mut s = util::tcp_from(None, server.addr).await;
    assert!(greeted(&mut s).await);
    s.write_all(b"SSH-2.0-Stalling\r\n").await.expect("version");
    // Then nothing: no key exchange. The server hangs up after the deadline.
    let started = std::time::Instant::now();
    assert!(
        util::closed_within(&mut s, util::WAIT).await,
        "the stalled key exchange was not cut off"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    server.stop().await;
}

/// The session cap holds what it says above the 5,200 where the old count of tasks stopped:
/// 5,300 sessions are held at once and the next member is told the server is full.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cap_holds_above_five_thousand_two_hundred() {
    const SESSIONS: usize = 5_300;
    // Both ends of every connection live in this process: about 10,700 descriptors. Raise the
    // soft limit to the hard one (any user may).
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid struct.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
    }
    if limit.rlim_cur < 12_000 {
        eprintln!(
            "skipped: this machine allows only {} open files (11,000 needed)",
            limit.rlim_cur
        );
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.limits.max_sessions = SESSIONS;
    let server = TestServer::start_with(c).await;
    let key = util::add_user(&server.data_dir, "marigold", "member");
    let started = std::time::Instant::now();
    let mut held = Vec::with_capacity(SESSIONS);
    let mut pending = tokio::task::JoinSet::new();
    let mut opened = 0;
    while held.len() < SESSIONS {
        // Eight handshakes in flight: under the per-source cap of ten.
        while pending.len() < 8 && opened < SESSIONS {
            let (addr, key) = (server.addr, key.clone());
            pending.spawn(async move { Member::connect(addr, &key, 40, 12).await });
            opened += 1;
        }
        let m = pending
            .join_next()
            .await
            .expect("a connection")
            .expect("joined");
        held.push(m);
    }
    eprintln!("{SESSIONS} sessions open in {:?}", started.elapsed());
    let Err(said) = Member::try_connect_from(None, server.addr, &key, 40, 12).await else {
        panic!("a session past the cap was let in");
    };
    assert!(said.contains("Haven is full"), "{said:?}");
    // Everyone held is still served: the last one to connect gets its screen.
    let last = held.last_mut().expect("one");
    last.wait_for("Boards").await;
    drop(held);
    server.stop().await;
}
