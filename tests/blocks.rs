//! Blocks: a member's block hides the blocked member's named content everywhere, and never
//! reveals who wrote an anonymous post.

use super::util::{self, Member, TestServer, keys, new_key};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_hides_a_members_named_content_everywhere_and_unblocking_restores_it() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut bob = Member::sign_up(server.addr, &new_key(), "bob").await;
    let mut carol = Member::sign_up(server.addr, &new_key(), "carol").await;
    let mut alice = Member::sign_up(server.addr, &new_key(), "alice").await;

    bob.post_thread("Bobs own thread", "bob named body").await;
    carol.post_thread("Carols thread", "carol body").await;
    bob.send(keys::ESC).await;
    bob.wait_for("c new thread").await;
    bob.wait_for("Carols thread").await;
    // The newest thread is on top, where the selection is.
    bob.send(keys::ENTER).await;
    bob.wait_for("carol body").await;
    bob.reply("bob reply in carols thread").await;

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
    carol
        .type_new_thread("Carols second", "more from carol")
        .await;
    carol.send(keys::CTRL_S).await;
    carol.wait_for("Posted.").await;
    let screen = alice.wait_for("Carols second").await;
    let order: Vec<&str> = screen.lines().filter(|l| l.contains("Carols")).collect();
    assert!(order[0].contains("Carols second"), "{screen}");

    // Bob posts again in the older thread: nothing of it reaches Alice, not even as a "new"
    // count or a thread moving up her list.
    bob.reply("another bob reply").await;
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
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut bob = Member::sign_up(server.addr, &new_key(), "bob").await;
    let mut alice = Member::sign_up(server.addr, &new_key(), "alice").await;

    // Bob posts anonymously on Support, and one named thread on Welcome.
    bob.post_thread("named by bob", "named body").await;
    bob.send(keys::ESC).await;
    bob.wait_for("c new thread").await;
    bob.send(keys::ESC).await;
    bob.wait_for("Small wins").await;
    bob.send(keys::DOWN).await;
    bob.send(keys::ENTER).await;
    bob.wait_for("Support").await;
    bob.send(b"c").await;
    bob.wait_for("Anonymous: off").await;
    bob.send(b"nobody knows\t\t\x1baanonymous words").await;
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
