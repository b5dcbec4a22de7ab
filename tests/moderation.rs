//! Moderation through real SSH sessions, beyond the basics in tests.rs: edits with revision
//! history, content warnings set by moderators.

use super::util::{self, Member, TestServer, keys, new_key};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_keep_their_history_and_moderators_set_content_warnings_with_a_reason() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "careful_mod", "moderator");
    let mut author = Member::sign_up(server.addr, &new_key(), "writer").await;
    let mut reader = Member::sign_up(server.addr, &new_key(), "reader").await;
    author.post_thread("Edit me", "first version").await;

    // The author edits their own post: the text is there to change.
    author.send(keys::TAB).await;
    author.send(b"e").await;
    let screen = author.wait_for("Editing a post in Edit me").await;
    assert!(screen.contains("first version"), "{screen}");
    author.send(b", then a second thought").await;
    author.send(keys::CTRL_S).await;
    author
        .wait_for("Edited; the earlier version is kept.")
        .await;
    author
        .wait_for("first version, then a second thought")
        .await;

    // Another member sees the new text, marked edited, and cannot read its history.
    reader.send(keys::ENTER).await;
    reader.wait_for("Edit me").await;
    reader.send(keys::ENTER).await;
    let screen = reader.wait_for("a second thought").await;
    assert!(screen.contains("· edited"), "{screen}");
    reader.send(keys::TAB).await;
    reader.send(b"E").await;
    // Told so on the thread itself: no empty "Edit history" screen opens.
    let screen = reader
        .wait_for("Only a post's author and the moderators see its edit history.")
        .await;
    assert!(!screen.contains("Edit history"), "{screen}");
    // Nor edit it.
    reader.wait_for("a second thought").await;
    reader.send(keys::TAB).await;
    reader.send(b"e").await;
    reader.wait_for("You can edit your own posts.").await;

    // A moderator sets a content warning, with a reason; everyone sees it at once.
    let mut moderator = Member::connect(server.addr, &mod_key, 100, 30).await;
    moderator.wait_for("Small wins").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("Edit me").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("a second thought").await;
    moderator.send(keys::TAB).await;
    moderator.send(b"C").await;
    moderator
        .wait_for("Content warning (empty removes it)")
        .await;
    moderator.send(b"grief\r").await;
    moderator
        .wait_for("Reason for the content warning change")
        .await;
    moderator.send(b"heavy topic\r").await;
    moderator.wait_for("Content warning set.").await;
    let screen = reader.wait_for("CW: grief").await;
    assert!(
        !screen.contains("a second thought"),
        "collapsed for readers:\n{screen}"
    );

    // The moderator edits the text too: a reason is asked first.
    moderator.send(b"e").await;
    moderator.wait_for("Reason").await;
    moderator.send(b"removed a phone number").await;
    moderator.send(keys::TAB).await;
    moderator.send(keys::TAB).await;
    moderator.send(b" [edited by a moderator]").await;
    moderator.send(keys::CTRL_S).await;
    moderator
        .wait_for("Edited; the earlier version is kept.")
        .await;

    // Moderators read the whole history, with who changed what and why.
    moderator.send(keys::TAB).await;
    moderator.send(b"E").await;
    let screen = moderator
        .wait_until(
            |s| s.contains("Edit history") && s.contains("first version"),
            "the history",
        )
        .await;
    assert!(
        screen.contains("by moderator careful_mod · why: removed a phone number")
            && screen.contains("why: heavy topic")
            && screen.contains("by the author"),
        "{screen}"
    );
    moderator.send(keys::ESC).await;

    // The author reads it too, without the moderator's name.
    author.send(keys::TAB).await;
    author.send(b"E").await;
    let screen = author.wait_for("why: removed a phone").await;
    assert!(
        screen.contains("by a moderator") && !screen.contains("careful_mod"),
        "{screen}"
    );
    // Members have no erase key.
    author.send(b"X").await;
    author.pump(std::time::Duration::from_millis(200)).await;
    assert!(!author.screen().contains("Erase this version"));

    // A moderator erases one earlier version for good, with a reason: the newest (the text
    // their own edit replaced) goes; the others stay.
    moderator.wait_for("a second thought").await;
    moderator.send(keys::TAB).await;
    moderator.send(b"E").await;
    moderator.wait_for("Earlier versions").await;
    moderator.send(b"X").await;
    moderator.wait_for("Erase this version for good").await;
    moderator.send(b"held a phone number\r").await;
    moderator.wait_for("erased for good").await;
    let screen = moderator
        .wait_until(
            |s| !s.contains("removed a phone number") && s.contains("why: heavy topic"),
            "the version to go",
        )
        .await;
    assert!(screen.contains("by the author"), "{screen}");

    for m in [author, reader, moderator] {
        m.disconnect().await;
    }
    server.stop().await;

    let out = util::audit(dir.path().as_os_str(), &["--actor", "careful_mod"]);
    assert!(
        out.contains("cw_changed")
            && out.contains("post_edited")
            && out.contains("revision_erased"),
        "{out}"
    );
    assert!(out.contains("removed a phone number"), "{out}");
}

/// From the board list: starts an anonymous thread on Support (the second board).
async fn post_anonymously(m: &mut Member, title: &str, body: &str) {
    m.send(keys::DOWN).await;
    m.send(keys::ENTER).await;
    m.wait_for("Support").await;
    m.send(b"c").await;
    m.wait_for("Anonymous: off").await;
    m.send(format!("{title}\t\t\x1ba{body}").as_bytes()).await;
    m.wait_for("Anonymous: on").await;
    m.send(keys::CTRL_S).await;
    m.wait_for("you, anonymously").await;
}

/// Opens the first thread of Support, from the board list, and selects its first post.
async fn open_support_thread(m: &mut Member, body: &str) {
    m.wait_for("Small wins").await;
    m.send(keys::DOWN).await;
    m.send(keys::ENTER).await;
    m.wait_for("new thread").await;
    m.send(keys::ENTER).await;
    m.wait_for(body).await;
    m.send(keys::TAB).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmasking_takes_a_reason_and_a_second_moderator_and_shows_in_the_authors_record() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let first_key = util::add_user(dir.path(), "first_mod", "moderator");
    let second_key = util::add_user(dir.path(), "second_mod", "moderator");
    let author_key = new_key();
    let mut author = Member::sign_up(server.addr, &author_key, "hidden_one").await;
    post_anonymously(&mut author, "Threats", "something alarming").await;
    // The author edits it: the history names no one.
    author.send(keys::TAB).await;
    author.send(b"e").await;
    author.wait_for("Editing a post").await;
    author.send(b", really").await;
    author.send(keys::CTRL_S).await;
    author.wait_for("Edited;").await;

    let mut first = Member::connect(server.addr, &first_key, 100, 30).await;
    open_support_thread(&mut first, "something alarming").await;
    first.send(b"E").await;
    let screen = first.wait_for("by the author").await;
    assert!(!screen.contains("hidden_one"), "{screen}");
    first.send(keys::ESC).await;
    first.wait_for("something alarming, really").await;
    // Silencing or banning an anonymous author waits for an unmask, whoever they are.
    first.send(b"S").await;
    first.send(b"1d calm down\r").await;
    first.wait_for("needs an unmask first").await;
    // A warning reaches them without naming them.
    first.send(b"W").await;
    first.send(b"please stop\r").await;
    first.wait_for("Warning sent.").await;
    author
        .wait_for("A moderator sent you a warning: please stop")
        .await;

    first.send(b"U").await;
    first.wait_for("Why unmask this author?").await;
    first.send(keys::ENTER).await;
    first.wait_for("Please give a reason").await;
    first.send(b"U").await;
    first.send(b"credible threat to others\r").await;
    first.wait_for("A second moderator confirms").await;
    let screen = first.screen();
    assert!(!screen.contains("hidden_one"), "{screen}");
    // The one who asked cannot confirm it.
    first.send(keys::ESC).await;
    first.send(keys::ESC).await;
    first.wait_for("Small wins").await;
    first.send(b"m").await;
    first.send(b"p").await;
    first.wait_for("unmask the author of post").await;
    first.send(b"a").await;
    first.wait_for("A second moderator must decide").await;

    // The second moderator reads the reason and the post, and confirms.
    let mut second = Member::connect(server.addr, &second_key, 100, 30).await;
    second.wait_for("Small wins").await;
    second.send(b"m").await;
    second.send(b"p").await;
    let screen = second.wait_for("asked by first_mod").await;
    assert!(!screen.contains("hidden_one"), "{screen}");
    second.send(keys::ENTER).await;
    second.wait_for("credible threat to others").await;
    second.send(b"a").await;
    second.wait_for("Unmasked").await;
    second.wait_for("No open reports").await;
    second.send(keys::ESC).await;
    second.send(keys::ESC).await;
    open_support_thread(&mut second, "something alarming").await;
    second.wait_for("unmasked: hidden_one").await;

    // The author learns it happened, and sees it in their record.
    author
        .wait_for("Moderators unmasked the author of one of your anonymous posts")
        .await;
    author.send(keys::ESC).await;
    author.send(keys::ESC).await;
    author.wait_for("Small wins").await;
    author.send(b"s").await;
    author.send(b"r").await;
    let screen = author.wait_for("unmask").await;
    assert!(screen.contains("credible threat to others"), "{screen}");

    for m in [author, first, second] {
        m.disconnect().await;
    }
    server.stop().await;

    // Audited against the post, with both moderators; the author is never the target.
    let out = util::audit(dir.path().as_os_str(), &[]);
    assert!(
        out.contains("unmask_requested") && out.contains("unmasked"),
        "{out}"
    );
    assert!(out.contains("asked by first_mod"), "{out}");
    let warned = out
        .lines()
        .find(|l| l.contains("warned"))
        .unwrap_or_default();
    assert!(
        warned.contains("post") && !warned.contains("hidden_one"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sysop_creates_renames_reorders_flags_and_archives_boards_from_the_tui() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let sysop_key = util::add_user(dir.path(), "root_sysop", "sysop");
    let mod_key = util::add_user(dir.path(), "plain_mod", "moderator");
    let mut member = Member::sign_up(server.addr, &new_key(), "browser").await;

    // A moderator who is not a sysop is refused, whatever the UI shows.
    let mut moderator = Member::connect(server.addr, &mod_key, 100, 30).await;
    moderator.wait_for("Small wins").await;
    moderator.send(b"m").await;
    moderator.wait_for("Moderation").await;
    moderator.send(b"b").await;
    moderator.wait_for("Only sysops can do that.").await;
    moderator.disconnect().await;

    let mut sysop = Member::connect(server.addr, &sysop_key, 100, 30).await;
    sysop.wait_for("Small wins").await;
    sysop.send(b"m").await;
    sysop.wait_for("Moderation").await;
    sysop.send(b"b").await;
    let screen = sysop
        .wait_until(
            |s| s.contains("Manage boards") && s.contains("(support)"),
            "the boards to manage",
        )
        .await;
    assert!(screen.contains("Support (support) · anonymous"), "{screen}");

    sysop.send(b"n").await;
    sysop.wait_for("New board: slug, then its name").await;
    sysop.send(b"art Art and making\r").await;
    sysop.wait_for("Board art created.").await;
    sysop.wait_for("Art and making (art)").await;
    // Members see it at once.
    member.wait_for("Art and making").await;

    // Rename it (the old name is there to edit).
    sysop.send(b"G").await;
    sysop.send(b"e").await;
    sysop.wait_for("New name: Art and making").await;
    sysop.send(&[0x15]).await;
    sysop.send(b"Creative corner\r").await;
    sysop.wait_for("Renamed.").await;
    member.wait_for("Creative corner").await;

    // Up one place: before General.
    sysop.send(b"K").await;
    sysop.wait_for("Moved.").await;
    let screen = member
        .wait_until(
            |s| {
                let c = s.find("Creative corner");
                let g = s.find("General");
                matches!((c, g), (Some(c), Some(g)) if c < g)
            },
            "Creative corner above General",
        )
        .await;
    assert!(screen.contains("Small wins"), "{screen}");

    // Read-only: members cannot start a thread there.
    sysop.send(b"o").await;
    sysop.wait_for("read-only: on.").await;
    sysop.wait_for("Creative corner (art) · read-only").await;
    member.send(b"G").await;
    member.send(keys::DOWN).await;
    member.send(keys::UP).await;
    member.send(keys::ENTER).await;
    member.wait_for("No threads yet").await;
    member.send(b"c").await;
    member.send(b"Hello\t\tcan I?").await;
    member.send(keys::CTRL_S).await;
    member.wait_for("Only moderators post on this board.").await;
    member.send(keys::ESC).await;
    member.send(keys::ESC).await;
    member.wait_for("Small wins").await;

    // Archived: gone from the members' list, kept (last, marked) for the sysop.
    sysop.send(b"x").await;
    sysop.wait_for("archived: on.").await;
    sysop.wait_for("ARCHIVED").await;
    member
        .wait_until(|s| !s.contains("Creative corner"), "the board to go")
        .await;

    member.disconnect().await;
    sysop.disconnect().await;
    server.stop().await;

    let out = util::audit(dir.path().as_os_str(), &["--actor", "root_sysop"]);
    assert!(
        out.contains("board_created") && out.contains("art: name → Creative corner"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silence_ends_on_its_own_and_a_timed_ban_lifts_at_the_next_login() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "timer_mod", "moderator");
    let member_key = new_key();
    let mut member = Member::sign_up(server.addr, &member_key, "hothead").await;
    member.post_thread("Loud thread", "shouting").await;

    let mut moderator = Member::connect(server.addr, &mod_key, 100, 30).await;
    moderator.wait_for("Small wins").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("Loud thread").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("shouting").await;
    moderator.send(keys::TAB).await;
    moderator.send(b"S").await;
    moderator.send(b"2h take a breath\r").await;
    moderator.wait_for("Member silenced.").await;
    member.wait_for("read-only until").await;

    // An hour later (on the server's clock) the silence still holds.
    server.service.clock().advance(3600);
    member.send(b"r").await;
    member.wait_for("Reply to").await;
    member.send(b"let me speak").await;
    member.send(keys::CTRL_S).await;
    member.wait_for("read-only until").await;

    // Past its end, the same draft goes out: nobody had to lift it.
    server.service.clock().advance(3601);
    member.send(keys::CTRL_S).await;
    member.wait_for("Posted.").await;
    member.wait_for("let me speak").await;

    // A one-day ban closes the session; the member is kept out until it ends.
    // The reply shows in the moderator's open thread by itself.
    moderator.wait_for("let me speak").await;
    moderator.send(keys::TAB).await;
    moderator.send(keys::TAB).await;
    moderator.send(b"B").await;
    moderator.send(b"1d repeated shouting\r").await;
    moderator.wait_for("Member banned.").await;
    member.wait_closed().await;
    // Kept out: reconnecting shows the ban, why, and the way to appeal, not the boards.
    let mut refused = Member::connect(server.addr, &member_key, 80, 24).await;
    let screen = refused.wait_for("Why: repeated shouting").await;
    assert!(!screen.contains("Small wins"), "{screen}");
    refused.send(keys::ESC).await;
    refused.wait_closed().await;

    server.service.clock().advance(86_400 + 1);
    let mut back = Member::connect(server.addr, &member_key, 80, 24).await;
    back.wait_for("Small wins").await;
    back.disconnect().await;
    moderator.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_demoted_mid_action_is_refused_by_the_server() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "soon_former", "moderator");
    let mut member = Member::sign_up(server.addr, &new_key(), "poster").await;
    member.post_thread("Still here", "this stays visible").await;

    let mut moderator = Member::connect(server.addr, &mod_key, 100, 30).await;
    moderator.wait_for("Small wins").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("Still here").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("this stays visible").await;
    moderator.send(keys::TAB).await;
    moderator.send(b"H").await;
    moderator.wait_for("Reason for hiding").await;

    // Demoted from the server's shell while the reason prompt is open.
    let (code, _, _) = util::bbs(&[
        util::os("admin"),
        util::os("role"),
        util::os("soon_former"),
        util::os("member"),
        util::os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0));
    moderator
        .wait_until(|s| !s.contains("· moderator"), "the demotion to show")
        .await;
    moderator.send(b"spam\r").await;
    moderator
        .wait_for("Only moderators and sysops can do that.")
        .await;
    // And the staff keys are gone: H is inert now.
    moderator.send(b"H").await;
    moderator.pump(std::time::Duration::from_millis(300)).await;
    assert!(!moderator.screen().contains("Reason for hiding"));

    member.pump(std::time::Duration::from_millis(300)).await;
    assert!(member.screen().contains("this stays visible"));
    member.disconnect().await;
    moderator.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reported_thread_shows_in_the_queue_with_its_opening_post_collapsed() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "thread_mod", "moderator");
    let mut poster = Member::sign_up(server.addr, &new_key(), "starter").await;
    poster.post_thread("Buy my pills", "cheap pills here").await;
    let mut reporter = Member::sign_up(server.addr, &new_key(), "watcher").await;
    reporter.send(keys::ENTER).await;
    reporter.wait_for("Buy my pills").await;
    reporter.send(keys::ENTER).await;
    reporter.wait_for("cheap pills").await;
    reporter.send(b"F").await;
    reporter
        .wait_for("Report this thread as [someone may be at risk]")
        .await;
    for _ in 0..3 {
        reporter.send(keys::TAB).await;
    }
    reporter.wait_for("Report this thread as [spam]").await;
    reporter.send(b"selling\r").await;
    reporter.wait_for("Thank you").await;

    let mut moderator = Member::connect(server.addr, &mod_key, 100, 30).await;
    moderator.wait_for("Small wins").await;
    moderator.send(b"m").await;
    moderator.send(b"p").await;
    let screen = moderator.wait_for("thread: Buy my pills").await;
    assert!(screen.contains("1 report · spam"), "{screen}");
    assert!(!screen.contains("cheap pills"), "{screen}");
    moderator.send(keys::ENTER).await;
    let screen = moderator.wait_for("cheap pills here").await;
    assert!(screen.contains("selling"), "the note:\n{screen}");
    for m in [poster, reporter, moderator] {
        m.disconnect().await;
    }
    server.stop().await;
}

/// "Someone may be at risk" is the first category and reaches moderators at once: a live alert
/// and a header badge; the queue puts it first with where the post is and who wrote it (a
/// pseudonym for an anonymous one); `t` opens it in its thread; a number picks an outcome,
/// which the reporter hears. The reporter is shown Help now right after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_urgent_report_reaches_online_moderators_first_and_in_context() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "on_call", "moderator");
    let mut moderator = Member::connect(server.addr, &mod_key, 100, 30).await;
    moderator.wait_for("Small wins").await;
    // The moderator asks for a bell with urgent reports (settings, l).
    moderator.send(b"s").await;
    moderator.wait_for("Bell with urgent reports: off").await;
    moderator.send(b"l").await;
    moderator.wait_for("Your terminal will ring").await;
    moderator.wait_for("Bell with urgent reports: on").await;
    moderator.send(keys::ESC).await;
    moderator.wait_for("Small wins").await;
    let mut poster = Member::sign_up(server.addr, &new_key(), "struggling").await;
    // An anonymous thread on Support, and a named spam thread on Welcome.
    poster.send(keys::DOWN).await;
    poster.send(keys::ENTER).await;
    poster.wait_for("new thread").await;
    poster.send(b"c").await;
    poster
        .send(b"Cannot go on\t\t\x1baI do not want to be here anymore")
        .await;
    poster.wait_for("Anonymous: on").await;
    poster.send(keys::CTRL_S).await;
    poster.wait_for("you, anonymously").await;
    let mut reporter = Member::sign_up(server.addr, &new_key(), "friend").await;
    reporter.post_thread("Buy now", "spam words").await;
    // First a spam report (older), then the urgent one.
    reporter.send(keys::TAB).await;
    reporter.send(b"F").await;
    reporter.wait_for("as [someone may be at risk]").await;
    for _ in 0..3 {
        reporter.send(keys::TAB).await;
    }
    reporter.wait_for("as [spam]").await;
    reporter.send(b"\r").await;
    reporter.wait_for("Thank you").await;
    reporter.send(keys::ESC).await;
    reporter.send(keys::ESC).await;
    reporter.wait_for("Small wins").await;
    reporter.send(keys::DOWN).await;
    reporter.send(keys::ENTER).await;
    reporter.wait_for("Cannot go on").await;
    reporter.send(keys::ENTER).await;
    reporter.wait_for("want to be here").await;
    reporter.send(keys::TAB).await;
    reporter.send(b"f").await;
    reporter.wait_for("as [someone may be at risk]").await;
    moderator.pump(std::time::Duration::from_millis(100)).await;
    let quiet = moderator.raw.len();
    reporter.send(b"worried about them\r").await;
    // The reporter is shown Help now.
    reporter.wait_for("emergency").await;

    // The moderator, on the board list, is told at once and sees the badge.
    let screen = moderator.wait_for("someone may be at risk").await;
    assert!(screen.contains("⚑ 2 (1 urgent)"), "{screen}");
    assert!(moderator.raw[quiet..].contains(&0x07), "the bell rang");
    moderator.send(b"m").await;
    moderator.send(b"p").await;
    let screen = moderator.wait_for("URGENT").await;
    let rows: Vec<&str> = screen.lines().collect();
    let urgent = rows
        .iter()
        .position(|l| l.contains("URGENT"))
        .expect("urgent row");
    let spam = rows
        .iter()
        .position(|l| l.contains("spam"))
        .expect("spam row");
    assert!(urgent < spam, "urgent first:\n{screen}");
    assert!(
        rows[urgent + 1].contains("Support › Cannot go on · by anon-"),
        "{screen}"
    );
    assert!(
        !screen.contains("struggling"),
        "the author stays anonymous:\n{screen}"
    );
    // Open it where it is.
    moderator.send(b"t").await;
    moderator.wait_for("I do not want to be here anymore").await;
    moderator.send(keys::ESC).await;
    moderator.wait_for("URGENT").await;
    // Resolve with the usual outcome number 4.
    moderator.send(b"o").await;
    moderator.wait_for("Outcome (1-4 or words)").await;
    moderator.send(b"4\r").await;
    reporter.send(keys::ESC).await;
    // The outcome is longer than the status line at 80 columns: it takes the rows above,
    // whole, and F3 shows it again.
    reporter
        .wait_until(
            |s| util::flat(s).contains("reached out with support and resources."),
            "the whole outcome",
        )
        .await;
    reporter.send(keys::F3).await;
    reporter.wait_for("Recent notices").await;
    reporter.wait_for("support and resources.").await;
    for m in [moderator, poster, reporter] {
        m.disconnect().await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_who_blocked_a_moderator_still_gets_moderation_messages() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "blocked_mod", "moderator");
    let mut member = Member::sign_up(server.addr, &new_key(), "grumpy").await;
    let mut moderator = Member::connect(server.addr, &mod_key, 100, 30).await;
    moderator.wait_for("Small wins").await;
    moderator.post_thread("House rules", "be kind").await;
    member.post_thread("Grumbles", "grr").await;
    // The member blocks the moderator (from the moderator's thread, now second).
    member.send(keys::ESC).await;
    member.wait_for("House rules").await;
    member.send(keys::DOWN).await;
    member.send(keys::ENTER).await;
    member.wait_for("be kind").await;
    member.send(keys::TAB).await;
    member.send(b"b").await;
    member.send(b"b").await;
    member.wait_for("You blocked blocked_mod").await;

    // A warning still reaches them, at once.
    moderator.send(keys::ESC).await;
    moderator.wait_for("Grumbles").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("grr").await;
    moderator.send(keys::TAB).await;
    moderator.send(b"W").await;
    moderator.send(b"please read the house rules\r").await;
    moderator.wait_for("Warning sent.").await;
    member
        .wait_for("A moderator sent you a warning: please read the house rules")
        .await;
    member.disconnect().await;
    moderator.disconnect().await;
    server.stop().await;
}
