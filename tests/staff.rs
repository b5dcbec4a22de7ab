//! Moderating live: hides, locks and pins with reasons; reports and auto-hide; warnings,
//! silences and appeals; watched words; the console and SSH moderating together; the sysop's
//! commands over SSH (`ssh HOST stats`, `ssh HOST announce`).

use super::util::{self, Member, TestServer, keys, new_key};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_hides_locks_and_pins_with_reasons_and_members_see_it_live() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "steady_mod", "moderator");

    let mut member = Member::sign_up(server.addr, &new_key(), "poster").await;
    member.post_thread("A thread to tend", "first words").await;
    member.reply("buy cheap pills here").await;
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

    let out = util::audit(dir.path().as_os_str(), &["--actor", "steady_mod"]);
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
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    // Trust comes at once, after reading one thread started by someone else.
    config.posting.trusted_after_days = 0;
    config.posting.trusted_after_threads_read = 1;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "queue_mod", "moderator");

    let mut poster = Member::sign_up(server.addr, &new_key(), "trouble").await;
    poster
        .post_thread("Ordinary thread", "ordinary words")
        .await;
    poster.reply("offending words here").await;

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
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "fair_mod", "moderator");
    let mut member = Member::sign_up(server.addr, &new_key(), "heated").await;
    member.post_thread("Hot topic", "something unkind").await;

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
        util::os("admin"),
        util::os("unsilence"),
        util::os("heated"),
        util::os("--data-dir"),
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
    let dir = util::data_dir();
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
    m.type_new_thread("Missing her", "the grief is heavy today")
        .await;
    m.send(keys::CTRL_S).await;
    m.wait_for("consider a content warning").await;
    m.send(keys::CTRL_S).await;
    m.wait_for("Posted.").await;
    m.send(keys::ESC).await;
    m.wait_for("c new thread").await;

    // Flagged: posted and queued. Held: invisible until approved.
    m.type_new_thread("Offer", "cheap p1lls for all").await;
    m.send(keys::CTRL_S).await;
    m.wait_for("Posted.").await;
    m.send(keys::ESC).await;
    m.wait_for("c new thread").await;
    m.type_new_thread("Local meetup", "a meetup tonight? @word_mod")
        .await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hide_in_the_console_reaches_ssh_sessions_and_an_ssh_moderators_lock_reaches_the_console()
{
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let tmp = util::data_dir();
    let sysop_key = new_key();
    let pubfile = util::write_public_key(&sysop_key, tmp.path(), "sysop");
    let (code, _, err) = util::bbs(&[
        util::os("admin"),
        util::os("add-sysop"),
        util::os("--key"),
        pubfile.as_os_str(),
        util::os("--handle"),
        util::os("console_op"),
        util::os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let mod_key = util::add_user(dir.path(), "ssh_mod", "moderator");

    let mut member = Member::sign_up(server.addr, &new_key(), "speaker").await;
    member.post_thread("Shared thread", "first post").await;
    member.reply("second post to hide").await;

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
async fn a_sysop_reads_stats_and_announces_over_ssh_and_everyone_else_is_refused() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let sysop = util::add_user(dir.path(), "opal", "sysop");
    let moderator = util::add_user(dir.path(), "mica", "moderator");
    let member_key = new_key();
    let mut reader = Member::sign_up(server.addr, &member_key, "reader").await;
    reader.post_thread("Hello", "first post").await;
    reader.send(keys::ESC).await;
    reader.send(keys::ESC).await;
    reader.wait_for("Small wins").await;

    let (status, out, err) = util::exec(server.addr, &sysop, "stats").await;
    assert_eq!(status, Some(0), "{err}");
    for line in [
        "sessions          1 (1 member online)",
        "posts per day     1",
        "open reports      0 (0 urgent)",
        "database size",
    ] {
        assert!(out.contains(line), "{line:?} missing:\n{out}");
    }
    assert!(!out.contains('\u{1b}'), "escape sequences in {out:?}");

    // What a sysop announces reaches the open session, cleaned of escape sequences.
    let (status, out, err) = util::exec(
        server.addr,
        &sysop,
        "announce \"Back at 9, \u{1b}[2Jpromise\"",
    )
    .await;
    assert_eq!(status, Some(0), "{err}");
    assert!(out.contains("announced"), "{out}");
    let screen = reader.wait_for("From the sysop: Back at 9").await;
    assert!(util::flat(&screen).contains("promise"), "{screen}");
    assert!(!String::from_utf8_lossy(&reader.raw).contains("\u{1b}[2Jpromise"));

    // The same with the system's OpenSSH client, as a sysop types it.
    let ssh = |key: &russh::keys::PrivateKey, command: &[&str]| {
        let tmp = util::data_dir();
        let args = util::openssh_args(&server, key, tmp.path());
        let command: Vec<String> = command.iter().map(|a| a.to_string()).collect();
        tokio::task::spawn_blocking(move || {
            let out = std::process::Command::new("ssh")
                .args(args)
                .arg("127.0.0.1")
                .args(command)
                .output()
                .expect("run ssh");
            drop(tmp);
            out
        })
    };
    let out = ssh(&sysop, &["announce", "Tea in the lounge at 5"])
        .await
        .expect("join");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    reader
        .wait_for("From the sysop: Tea in the lounge at 5")
        .await;
    let out = ssh(&member_key, &["stats"]).await.expect("join");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Only sysops can do that."));
    assert!(out.stdout.is_empty());

    // Anyone else is told why, with a non-zero exit status; nothing is announced.
    for (who, command) in [
        (&moderator, "announce hijacked"),
        (&moderator, "stats"),
        (&member_key, "stats"),
        (&member_key, "announce hijacked"),
    ] {
        let (status, out, err) = util::exec(server.addr, who, command).await;
        assert_eq!(status, Some(1), "{command}: {out}");
        assert!(err.contains("Only sysops can do that."), "{command}: {err}");
        assert!(out.is_empty(), "{out}");
    }
    reader.pump(Duration::from_millis(300)).await;
    assert!(!reader.screen().contains("hijacked"), "{}", reader.screen());
    // An unknown command gets the usage line.
    let (status, _, err) = util::exec(server.addr, &sysop, "frobnicate").await;
    assert_eq!(status, Some(2));
    assert!(err.starts_with("usage: ssh HOST export"), "{err}");
    let (status, _, err) = util::exec(server.addr, &sysop, "announce").await;
    assert_eq!(status, Some(1));
    assert!(err.contains("needs some text"), "{err}");

    let d = dir.path().as_os_str();
    let audit = util::audit(d, &["--actor", "opal"]);
    assert!(
        audit.contains("announced") && audit.contains("stats_viewed"),
        "{audit}"
    );
    assert!(!util::audit(d, &["--actor", "mica"]).contains("announced"));
    reader.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sysop_who_must_have_a_second_factor_and_has_none_is_sent_to_set_it_up_first() {
    let dir = util::data_dir();
    // Staff must have a second factor (the default): a command cannot ask to set one up.
    let server = TestServer::start_in(dir.path()).await;
    let sysop = util::add_user(dir.path(), "opal", "sysop");
    for command in ["stats", "announce hello"] {
        let (status, out, err) = util::exec(server.addr, &sysop, command).await;
        assert_eq!(status, Some(1), "{out}");
        assert!(err.contains("set up a second factor first"), "{err}");
    }
    assert!(!util::audit(dir.path().as_os_str(), &["--actor", "opal"]).contains("announced"));
    server.stop().await;
}
