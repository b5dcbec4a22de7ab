//! Reading and writing: live threads and replies, drafts that survive failures, restarts and
//! shutdowns, the console beside SSH, content warnings and muted words.

use super::util::{self, Member, TestServer, keys, new_key};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_and_a_reply_appear_live_in_another_session() {
    let dir = util::data_dir();
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

    alice
        .post_thread("Hello from alice", "First line\nSecond line")
        .await;
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

/// Esc from the composer closes it only once the draft is stored: while the database cannot
/// take it (here another process holds the write lock past the busy timeout; a full disk is
/// the same path), the text stays on screen and the member is told, never "draft saved".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_that_cannot_be_saved_stays_on_screen_until_it_is() {
    let dir = util::data_dir();
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
        .wait_until(|s| util::flat(s).contains("busy"), "the failure is told")
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_post_keeps_the_draft_across_a_reconnect() {
    let dir = util::data_dir();
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
    let dir = util::data_dir();
    let key = new_key();
    let server = TestServer::start_in(dir.path()).await;
    let first_fp = server.host_fingerprint.clone();
    assert!(
        server.claim_code.is_some(),
        "a fresh board offers a sysop claim code"
    );
    let mut m = Member::sign_up(server.addr, &key, "keeper").await;
    assert_eq!(m.host_fingerprint.as_deref(), Some(first_fp.as_str()));
    m.post_thread("Still here tomorrow", "persisted text").await;
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
async fn shutdown_tells_open_sessions_and_keeps_their_drafts() {
    let dir = util::data_dir();
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
async fn the_console_and_ssh_sessions_see_each_others_posts() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let tmp = util::data_dir();
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
    m.post_thread("From the SSH side", "hello console").await;
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
async fn content_warnings_and_muted_words_collapse_posts_until_opened() {
    let dir = util::data_dir();
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
    // The footer offers v while something is collapsed, and no page keys for a one-page
    // thread.
    let footer = screen.lines().last().unwrap_or_default().to_string();
    assert!(footer.contains("v show a hidden post"), "{footer}");
    assert!(
        !footer.contains("next page") && !footer.contains("previous page"),
        "{footer}"
    );
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
    let screen = reader.wait_for("Nothing hidden on screen").await;
    assert!(!screen.contains("show a hidden post"), "{screen}");
    reader.disconnect().await;
    server.stop().await;
}
