//! Moderation through real SSH sessions, beyond the basics in tests.rs: edits with revision
//! history, content warnings set by moderators.

use super::util::{self, Member, TestServer, keys, new_key};
use super::{data_dir, os, post_thread};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_keep_their_history_and_moderators_set_content_warnings_with_a_reason() {
    let dir = data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "careful_mod", "moderator");
    let mut author = Member::sign_up(server.addr, &new_key(), "writer").await;
    let mut reader = Member::sign_up(server.addr, &new_key(), "reader").await;
    post_thread(&mut author, "Edit me", "first version").await;

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
    reader
        .wait_for("Only moderators and sysops can do that.")
        .await;
    reader.send(keys::ESC).await;
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

    for m in [author, reader, moderator] {
        m.disconnect().await;
    }
    server.stop().await;

    let (_, out, _) = util::bbs(&[
        os("admin"),
        os("audit"),
        os("--actor"),
        os("careful_mod"),
        os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert!(
        out.contains("cw_changed") && out.contains("post_edited"),
        "{out}"
    );
    assert!(out.contains("removed a phone number"), "{out}");
}
