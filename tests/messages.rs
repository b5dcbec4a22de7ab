//! Private messages through real SSH sessions: live delivery, unread counts, blocks both ways,
//! reports, and who may write to whom.

use super::util::{self, Member, TestServer, keys, new_key};

/// Settings where members reach trust level 1 at once (private messages need it).
fn trusting(dir: &std::path::Path) -> haven::config::Config {
    let mut config = util::unlimited(dir);
    config.require_2fa_for_staff = false;
    config.posting.trusted_after_days = 0;
    config.posting.trusted_after_threads_read = 0;
    config
}

/// From the board list: opens messages and starts writing to `handle`.
async fn write_to(m: &mut Member, handle: &str) {
    m.send(b"i").await;
    m.wait_for("new message").await;
    m.send(b"n").await;
    m.wait_for("Write to (handle)").await;
    m.send(handle.as_bytes()).await;
    m.send(keys::ENTER).await;
}

/// Types a message in the open conversation's box and sends it.
async fn send_message(m: &mut Member, text: &str) {
    m.wait_for("Ctrl-S sends").await;
    m.send(text.as_bytes()).await;
    m.send(keys::CTRL_S).await;
    m.wait_for("Sent.").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_message_arrives_live_with_an_unread_count_and_a_reply_comes_back() {
    let dir = util::data_dir();
    let server = TestServer::start_with(trusting(dir.path())).await;
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;

    write_to(&mut ash, "birch").await;
    send_message(&mut ash, "hello birch, how was today?").await;
    let screen = ash.wait_for("hello birch").await;
    assert!(screen.contains("you ·"), "{screen}");

    // Birch, on the board list, sees the count and a notice at once.
    let screen = birch.wait_for("✉ 1").await;
    assert!(screen.contains("new private message"), "{screen}");
    birch.send(b"i").await;
    let screen = birch.wait_for("1 new").await;
    assert!(screen.contains("ash"), "{screen}");
    birch.send(keys::ENTER).await;
    birch.wait_for("hello birch, how was today?").await;
    // Reading it clears the count.
    birch
        .wait_until(|s| !s.contains("✉"), "the unread count to clear")
        .await;
    birch.send(b"w").await;
    send_message(&mut birch, "better now, thanks").await;

    // Ash, still in the conversation, sees the reply without doing anything.
    ash.send(keys::ESC).await;
    ash.wait_for("better now, thanks").await;
    // The inbox lists the conversation, newest first.
    ash.send(keys::ESC).await;
    let screen = ash.wait_for("new message").await;
    assert!(screen.contains("birch"), "{screen}");

    ash.disconnect().await;
    birch.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocks_stop_private_messages_both_ways_without_telling_the_blocked_member() {
    let dir = util::data_dir();
    let server = TestServer::start_with(trusting(dir.path())).await;
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    let birch_key = new_key();
    let mut birch = Member::sign_up(server.addr, &birch_key, "birch").await;

    write_to(&mut birch, "ash").await;
    send_message(&mut birch, "first words").await;
    ash.wait_for("✉ 1").await;
    ash.send(b"i").await;
    ash.wait_for("birch").await;
    ash.send(keys::ENTER).await;
    ash.wait_for("first words").await;

    // Ash blocks Birch from the conversation.
    ash.send(b"b").await;
    ash.wait_for("Block birch? They will not be told. Press b again.")
        .await;
    ash.send(b"b").await;
    ash.wait_for("You blocked birch").await;
    ash.wait_for("No private messages yet").await;

    // Birch writes on and sees the message as sent: nothing tells them.
    birch.send(b"w").await;
    send_message(&mut birch, "are you ignoring me").await;
    let screen = birch.wait_for("are you ignoring me").await;
    assert!(!screen.to_lowercase().contains("block"), "{screen}");

    // Ash sees nothing of it: no count, no conversation, no notice.
    ash.pump(std::time::Duration::from_millis(600)).await;
    let screen = ash.screen();
    assert!(
        !screen.contains("✉")
            && !screen.contains("ignoring")
            && !screen.contains("new private message")
            && screen.contains("No private messages yet"),
        "{screen}"
    );
    // Ash cannot write to Birch either, and is told why (Ash did it).
    ash.send(b"n").await;
    ash.send(b"birch\r").await;
    ash.wait_for("You blocked birch. Unblock them in settings")
        .await;

    // Unblocking restores the conversation as it was delivered, never what was withheld.
    ash.send(keys::ESC).await;
    ash.send(b"s").await;
    ash.wait_for("Blocked: birch").await;
    ash.send(b"u").await;
    ash.send(b"birch\r").await;
    ash.wait_for("You unblocked birch").await;
    ash.send(keys::ESC).await;
    ash.send(b"i").await;
    ash.wait_for("birch").await;
    ash.send(keys::ENTER).await;
    let screen = ash.wait_for("first words").await;
    assert!(!screen.contains("ignoring"), "{screen}");

    ash.disconnect().await;
    birch.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reported_private_message_reaches_the_queue_and_the_reporter_hears_back() {
    let dir = util::data_dir();
    let server = TestServer::start_with(trusting(dir.path())).await;
    let mod_key = util::add_user(dir.path(), "pm_mod", "moderator");
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;

    write_to(&mut birch, "ash").await;
    send_message(&mut birch, "something cruel and private").await;
    ash.wait_for("✉ 1").await;
    ash.send(b"i").await;
    ash.wait_for("birch").await;
    ash.send(keys::ENTER).await;
    ash.wait_for("something cruel").await;
    ash.send(keys::TAB).await;
    ash.send(b"f").await;
    ash.wait_for("Report this message as [someone may be at risk]")
        .await;
    ash.send(keys::TAB).await;
    ash.wait_for("Report this message as [harassment]").await;
    ash.send(b"this hurt\r").await;
    ash.wait_for("Thank you").await;
    // And the member, too.
    ash.send(b"F").await;
    ash.wait_for("Report this member as").await;
    ash.send(keys::TAB).await;
    ash.wait_for("Report this member as [harassment]").await;
    ash.send(keys::ENTER).await;
    ash.wait_for("Thank you").await;

    let mut moderator = Member::connect(server.addr, &mod_key, 100, 30).await;
    moderator.wait_for("Small wins").await;
    moderator.send(b"m").await;
    moderator.send(b"p").await;
    let screen = moderator.wait_for("private message from birch").await;
    assert!(screen.contains("member birch"), "{screen}");
    assert!(!screen.contains("something cruel"), "collapsed:\n{screen}");
    moderator.send(keys::ENTER).await;
    let screen = moderator.wait_for("something cruel and private").await;
    assert!(
        screen.contains("this hurt"),
        "the reporter's note:\n{screen}"
    );
    moderator.send(b"o").await;
    moderator.wait_for("Outcome").await;
    moderator.send(b"warned the sender\r").await;
    moderator.wait_for("Resolved").await;
    ash.wait_for("A moderator reviewed a message you reported: warned the sender")
        .await;

    moderator.disconnect().await;
    ash.disconnect().await;
    birch.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_members_write_only_to_moderators_and_a_refused_message_is_kept() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    util::add_user(dir.path(), "kind_mod", "moderator");
    let mut fern = Member::sign_up(server.addr, &new_key(), "fern").await;
    let mut gale = Member::sign_up(server.addr, &new_key(), "gale").await;
    gale.post_thread("Hello all", "new here").await;

    // Fern, at trust level 0, cannot write to another member: the text stays in the box.
    write_to(&mut fern, "gale").await;
    fern.wait_for("Ctrl-S sends").await;
    fern.send(b"hi gale").await;
    fern.send(keys::CTRL_S).await;
    fern.wait_for("Private messages open up once you have been here")
        .await;
    let screen = fern.wait_for("hi gale").await;
    assert!(screen.contains("Your message"), "{screen}");

    // A moderator can always be reached.
    fern.send(keys::ESC).await;
    fern.send(keys::ESC).await;
    fern.wait_for("Esc again leaves without it").await;
    fern.send(keys::ESC).await;
    fern.send(b"n").await;
    fern.send(b"kind_mod\r").await;
    send_message(&mut fern, "can I ask something?").await;

    // A post's author can be written to from the thread (w on a selected post).
    fern.send(keys::ESC).await;
    fern.wait_for("w to write").await;
    fern.send(keys::ESC).await;
    fern.wait_for("new message").await;
    fern.send(keys::ESC).await;
    fern.wait_for("Small wins").await;
    fern.send(keys::ENTER).await;
    fern.wait_for("Hello all").await;
    fern.send(keys::ENTER).await;
    fern.wait_for("new here").await;
    fern.send(keys::TAB).await;
    fern.send(b"w").await;
    fern.wait_for("Messages · gale").await;

    fern.disconnect().await;
    gale.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_can_be_blocked_by_handle_from_settings() {
    let dir = util::data_dir();
    let server = TestServer::start_with(trusting(dir.path())).await;
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;
    write_to(&mut birch, "ash").await;
    send_message(&mut birch, "unwanted attention").await;
    ash.wait_for("✉ 1").await;

    ash.send(b"s").await;
    ash.wait_for("Blocked: nobody").await;
    ash.send(b"b").await;
    ash.wait_for("Block (handle; they are not told)").await;
    ash.send(b"nobody_like_that\r").await;
    ash.wait_for("No member is called").await;
    ash.send(b"b").await;
    ash.send(b"@birch\r").await;
    ash.wait_for("You blocked birch").await;
    ash.wait_for("Blocked: birch").await;
    ash.wait_until(|s| !s.contains('✉'), "the unread count to go")
        .await;
    ash.send(keys::ESC).await;
    ash.send(b"i").await;
    ash.wait_for("No private messages yet").await;

    ash.disconnect().await;
    birch.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_from_a_post_writes_blocks_unblocks_and_reports() {
    let dir = util::data_dir();
    let mut config = trusting(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "prof_mod", "moderator");
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;
    birch.post_thread("Birch's thread", "birch's words").await;

    ash.send(keys::ENTER).await;
    ash.wait_for("Birch's thread").await;
    ash.send(keys::ENTER).await;
    ash.wait_for("birch's words").await;
    ash.send(keys::TAB).await;
    ash.send(b"u").await;
    let screen = ash.wait_for("Profile · birch").await;
    assert!(
        screen.contains("Role: member") && screen.contains("Joined"),
        "{screen}"
    );

    // Report, then block (twice), then unblock.
    ash.send(b"F").await;
    ash.wait_for("Report this member as [someone may be at risk]")
        .await;
    ash.send(keys::TAB).await;
    ash.wait_for("Report this member as [harassment]").await;
    ash.send(b"following me around\r").await;
    ash.wait_for("Thank you").await;
    ash.send(b"b").await;
    ash.wait_for("Block birch? They will not be told. Press b again.")
        .await;
    ash.send(b"b").await;
    ash.wait_for("You blocked birch").await;
    ash.wait_for("You blocked them (b unblocks).").await;
    ash.send(b"b").await;
    ash.wait_for("You unblocked birch").await;
    ash.wait_for("w writes to them privately").await;
    // Write from the profile.
    ash.send(b"w").await;
    ash.wait_for("Messages · birch").await;

    let mut moderator = Member::connect(server.addr, &mod_key, 100, 30).await;
    moderator.wait_for("Small wins").await;
    moderator.send(b"m").await;
    moderator.send(b"p").await;
    moderator.wait_for("member birch").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("following me around").await;

    for m in [ash, birch, moderator] {
        m.disconnect().await;
    }
    server.stop().await;
}
