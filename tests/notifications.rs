//! Notifications through real SSH sessions: replies and mentions arrive live, open the post,
//! and blocks silence a blocked member's named posts without acting on anonymous ones.

use super::util::{self, Member, TestServer, keys, new_key};

/// From the board list: opens the first board's first thread.
async fn open_first_thread(m: &mut Member, title: &str) {
    m.send(keys::ENTER).await;
    m.wait_for(title).await;
    m.send(keys::ENTER).await;
    m.wait_for("posts 1-").await;
}

/// Leaves a thread for the board list.
async fn to_boards(m: &mut Member) {
    m.send(keys::ESC).await;
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_and_mentions_notify_live_and_open_the_post() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;
    ash.post_thread("Rough week", "it has been a rough week")
        .await;
    to_boards(&mut ash).await;

    open_first_thread(&mut birch, "Rough week").await;
    birch.reply("sending you strength, @ash").await;

    // One notification (a mention beats a reply: the same post tells once).
    ash.wait_for("1 new · ash").await;
    ash.send(b"a").await;
    let screen = ash
        .wait_for("birch mentioned you in \u{201c}Rough week\u{201d}")
        .await;
    assert!(!screen.contains("replied"), "{screen}");
    // Reading them clears the count.
    ash.wait_until(|s| !s.contains("1 new"), "the count to clear")
        .await;
    ash.send(keys::ENTER).await;
    ash.wait_for("sending you strength").await;
    ash.send(keys::ESC).await;
    ash.send(keys::ESC).await;
    ash.wait_for("Small wins").await;

    // A plain reply notifies the thread's author.
    birch.reply("and a second thought").await;
    ash.wait_for("1 new · ash").await;
    ash.send(b"a").await;
    ash.wait_for("birch replied in \u{201c}Rough week\u{201d}")
        .await;

    ash.disconnect().await;
    birch.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_members_replies_and_mentions_notify_no_one_but_anonymous_posts_still_do() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    let mut cedar = Member::sign_up(server.addr, &new_key(), "cedar").await;
    // Cedar writes something; Ash blocks Cedar from it.
    cedar.post_thread("Cedar's thread", "cedar was here").await;
    to_boards(&mut cedar).await;
    open_first_thread(&mut ash, "Cedar's thread").await;
    ash.send(keys::TAB).await;
    ash.send(b"b").await;
    ash.send(b"b").await;
    ash.wait_for("You blocked cedar").await;
    to_boards(&mut ash).await;

    // Ash starts a thread on Support (anonymous posting allowed), under their name.
    ash.send(keys::DOWN).await;
    ash.send(keys::ENTER).await;
    ash.wait_for("new thread").await;
    ash.send(b"c").await;
    ash.send(b"Ash asks\t\tany advice?").await;
    ash.send(keys::CTRL_S).await;
    ash.wait_for("Posted.").await;
    to_boards(&mut ash).await;

    // Cedar replies and mentions Ash by name: nothing reaches Ash.
    cedar.send(keys::DOWN).await;
    cedar.send(keys::ENTER).await;
    cedar.wait_for("Ash asks").await;
    cedar.send(keys::ENTER).await;
    cedar.wait_for("any advice?").await;
    cedar.reply("listen to me @ash").await;
    ash.pump(std::time::Duration::from_millis(600)).await;
    assert!(!ash.screen().contains(" new · ash"), "{}", ash.screen());
    ash.send(b"a").await;
    ash.wait_for("Nothing yet").await;
    ash.send(keys::ESC).await;

    // The same member writing anonymously is not held back by the block (that would tell Ash
    // who wrote it): Ash hears of it, by pseudonym only.
    cedar.send(b"r").await;
    cedar.wait_for("Anonymous: off").await;
    cedar.send(b"\x1ba").await;
    cedar.wait_for("Anonymous: on").await;
    cedar.send(b"an anonymous word").await;
    cedar.send(keys::CTRL_S).await;
    cedar.wait_for("Posted.").await;
    ash.wait_for("1 new · ash").await;
    ash.send(b"a").await;
    let screen = ash.wait_for("replied in \u{201c}Ash asks\u{201d}").await;
    assert!(
        screen.contains("anon-") && !screen.contains("cedar"),
        "{screen}"
    );

    ash.disconnect().await;
    cedar.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_what_the_reader_may_see_and_never_an_anonymous_author() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;
    let mut cedar = Member::sign_up(server.addr, &new_key(), "cedar").await;
    ash.post_thread("Sleep tips", "chamomile tea helps me sleep")
        .await;
    to_boards(&mut ash).await;
    cedar
        .post_thread("Nights", "sleep is hard for me too")
        .await;
    to_boards(&mut cedar).await;
    // Birch writes anonymously on Support.
    birch.send(keys::DOWN).await;
    birch.send(keys::ENTER).await;
    birch.wait_for("new thread").await;
    birch.send(b"c").await;
    birch
        .send(b"Awake again\t\t\x1baI cannot sleep at all")
        .await;
    birch.wait_for("Anonymous: on").await;
    birch.send(keys::CTRL_S).await;
    birch.wait_for("Posted.").await;

    // Ash blocks Cedar.
    open_first_thread(&mut ash, "Nights").await;
    ash.send(keys::TAB).await;
    ash.send(b"b").await;
    ash.send(b"b").await;
    ash.wait_for("You blocked cedar").await;
    ash.send(keys::ESC).await;
    ash.wait_for("Small wins").await;

    ash.send(b"/").await;
    ash.wait_for("Search:").await;
    ash.send(b"sleep\r").await;
    let screen = ash
        .wait_until(
            |s| s.contains("Sleep tips") && s.contains("Awake again"),
            "both results",
        )
        .await;
    assert!(screen.contains("anon-"), "{screen}");
    assert!(
        !screen.contains("Nights") && !screen.contains("cedar") && !screen.contains("birch"),
        "{screen}"
    );

    // A search by author never finds an anonymous post; a named one it does.
    ash.send(b"/").await;
    ash.send(&[0x15]).await;
    ash.send(b"by:birch\r").await;
    ash.wait_for("Nothing found for \u{201c}by:birch\u{201d}")
        .await;
    ash.send(b"/").await;
    ash.send(&[0x15]).await;
    ash.send(b"by:ash sleep\r").await;
    ash.wait_for("Sleep tips").await;

    // A result opens its thread at the post.
    ash.send(keys::ENTER).await;
    ash.wait_for("chamomile tea helps me sleep").await;
    ash.wait_for("posts 1-1 of 1").await;

    for m in [ash, birch, cedar] {
        m.disconnect().await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_is_counted_for_the_author_only_and_blocked_members_do_not_count() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;
    let mut dana = Member::sign_up(server.addr, &new_key(), "dana").await;
    let mut cedar = Member::sign_up(server.addr, &new_key(), "cedar").await;
    dana.post_thread("Dana here", "hello from dana").await;
    to_boards(&mut dana).await;
    ash.post_thread("A hard day", "today was hard").await;
    ash.send(keys::TAB).await;
    ash.send(b"+").await;
    ash.wait_for("That is your own post.").await;

    for m in [&mut birch, &mut dana] {
        open_first_thread(m, "A hard day").await;
        m.send(keys::TAB).await;
        m.send(b"+").await;
        m.wait_for("You sent your support ♥").await;
        m.wait_for("♥ from you").await;
    }
    // The author sees how many, live; nobody else sees a number.
    ash.wait_for("♥ 2").await;
    open_first_thread(&mut cedar, "A hard day").await;
    let screen = cedar.screen();
    assert!(!screen.contains('♥'), "{screen}");
    assert!(!birch.screen().contains("♥ 2"), "{}", birch.screen());

    // Blocking Dana takes Dana's support out of Ash's count.
    ash.send(keys::ESC).await;
    ash.send(keys::ESC).await;
    open_first_thread(&mut ash, "A hard day").await;
    ash.send(keys::ESC).await;
    ash.wait_for("Dana here").await;
    ash.send(keys::DOWN).await;
    ash.send(keys::ENTER).await;
    ash.wait_for("hello from dana").await;
    ash.send(keys::TAB).await;
    ash.send(b"b").await;
    ash.send(b"b").await;
    ash.wait_for("You blocked dana").await;
    ash.send(keys::ENTER).await;
    ash.wait_for("today was hard").await;
    ash.wait_for("♥ 1").await;

    // Taking support back.
    birch.send(b"+").await;
    birch.wait_for("Support taken back.").await;
    ash.wait_until(|s| !s.contains('♥'), "no support left")
        .await;

    for m in [ash, birch, cedar, dana] {
        m.disconnect().await;
    }
    server.stop().await;
}

/// From the board list: opens settings and switches "who's online" visibility.
async fn toggle_presence(m: &mut Member) {
    m.send(b"s").await;
    m.wait_for("Who's online").await;
    m.send(b"o").await;
    m.wait_for("You now show in who's online").await;
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_is_invisible_by_default_and_a_block_never_shows_in_it() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;
    let mut cedar = Member::sign_up(server.addr, &new_key(), "cedar").await;
    let mut dana = Member::sign_up(server.addr, &new_key(), "dana").await;

    // Everyone is connected, nobody chose to be seen.
    ash.send(b"o").await;
    ash.wait_for("Nobody to show.").await;
    ash.send(keys::ESC).await;
    ash.wait_for("Small wins").await;

    toggle_presence(&mut birch).await;
    toggle_presence(&mut ash).await;
    ash.send(b"o").await;
    let screen = ash.wait_for("• birch").await;
    assert!(screen.contains("• ash"), "{screen}");
    assert!(
        !screen.contains("cedar") && !screen.contains("dana"),
        "{screen}"
    );
    ash.send(keys::ESC).await;
    ash.wait_for("Small wins").await;

    // Cedar blocked Birch: Cedar does not see Birch. Birch blocks Dana: what Dana sees does
    // not change at that moment, or the list would tell Dana of the block (DESIGN.md §5).
    dana.post_thread("Dana writes", "words by dana").await;
    to_boards(&mut dana).await;
    birch.post_thread("Birch writes", "words by birch").await;
    to_boards(&mut birch).await;
    // The newest thread first: Birch's.
    open_first_thread(&mut cedar, "Birch writes").await;
    cedar.wait_for("words by birch").await;
    cedar.send(keys::TAB).await;
    cedar.send(b"b").await;
    cedar.send(b"b").await;
    cedar.wait_for("You blocked birch").await;
    cedar.send(keys::ESC).await;
    cedar.wait_for("Small wins").await;
    cedar.send(b"o").await;
    let screen = cedar.wait_for("• ash").await;
    assert!(!screen.contains("birch"), "{screen}");

    dana.send(b"o").await;
    let before = dana.wait_for("• birch").await;
    dana.send(keys::ESC).await;
    dana.wait_for("Small wins").await;
    birch.send(keys::ENTER).await;
    birch.wait_for("Dana writes").await;
    birch.send(keys::DOWN).await;
    birch.send(keys::ENTER).await;
    birch.wait_for("words by dana").await;
    birch.send(keys::TAB).await;
    birch.send(b"b").await;
    birch.send(b"b").await;
    birch.wait_for("You blocked dana").await;
    dana.send(b"o").await;
    let after = dana.wait_for("• ash").await;
    let list = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.contains("• "))
            .map(|l| l.trim().to_string())
            .collect()
    };
    assert_eq!(list(&after), list(&before), "{after}");
    assert!(after.contains("• birch"), "{after}");

    // Leaving takes a member off a list that is open, at once.
    ash.send(b"o").await;
    ash.wait_for("• birch").await;
    birch.disconnect().await;
    ash.wait_until(|s| !s.contains("• birch"), "birch gone")
        .await;
    assert!(ash.screen().contains("Who's online"), "{}", ash.screen());

    for m in [ash, cedar, dana] {
        m.disconnect().await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quote_shows_the_same_to_everyone_whatever_anyone_blocked() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;
    let mut cedar = Member::sign_up(server.addr, &new_key(), "cedar").await;
    let mut dana = Member::sign_up(server.addr, &new_key(), "dana").await;
    cedar
        .post_thread("Cedar speaks", "cedar's named words")
        .await;
    to_boards(&mut cedar).await;
    ash.post_thread("Quote me", "wise words from ash").await;
    // Ash blocks Cedar (from Cedar's thread, the second in the list).
    to_boards(&mut ash).await;
    ash.send(keys::ENTER).await;
    ash.wait_for("Cedar speaks").await;
    ash.send(keys::DOWN).await;
    ash.send(keys::ENTER).await;
    ash.wait_for("cedar's named words").await;
    ash.send(keys::TAB).await;
    ash.send(b"b").await;
    ash.send(b"b").await;
    ash.wait_for("You blocked cedar").await;

    // Birch quotes Ash: the reply shows the quoted words to everyone.
    open_first_thread(&mut birch, "Quote me").await;
    birch.send(keys::TAB).await;
    birch.send(b"Q").await;
    birch.wait_for("[quote #").await;
    birch.send(b"so true").await;
    birch.send(keys::CTRL_S).await;
    birch.wait_for("Posted.").await;
    let screen = birch.wait_for("▌ ash wrote:").await;
    assert!(
        screen.contains("▌ wise words from ash") && screen.contains("so true"),
        "{screen}"
    );

    // Cedar quotes Ash too. Ash blocked Cedar, but a quote's rendering depends only on the
    // quoted post and the reader (DESIGN.md §5): Cedar and Birch both see it as any quote,
    // so neither learns of the block; Ash never sees Cedar's reply at all.
    open_first_thread(&mut cedar, "Quote me").await;
    cedar.send(keys::TAB).await;
    cedar.send(b"Q").await;
    cedar.wait_for("[quote #").await;
    cedar.send(b"mocking you").await;
    cedar.send(keys::CTRL_S).await;
    cedar.wait_for("Posted.").await;
    for m in [&mut cedar, &mut birch] {
        let screen = m
            .wait_until(
                |s| s.contains("mocking you") && s.matches("▌ ash wrote:").count() == 2,
                "cedar's reply with its quote",
            )
            .await;
        assert!(!screen.contains("not available"), "{screen}");
    }
    ash.send(keys::ESC).await;
    ash.send(keys::ESC).await;
    open_first_thread(&mut ash, "Quote me").await;
    let screen = ash.wait_for("so true").await;
    assert!(!screen.contains("mocking you"), "{screen}");

    // An anonymous reply quoting Dana. When Dana blocks the anonymous author (Cedar), and
    // only Cedar, the reply reads exactly as before to a bystander: the quote never depends
    // on who wrote the quoting post, so blocking one by one cannot unmask it.
    dana.send(keys::DOWN).await;
    dana.post_thread("Support me", "dana's own words").await;
    to_boards(&mut cedar).await;
    cedar.send(keys::DOWN).await;
    open_first_thread(&mut cedar, "Support me").await;
    cedar.send(keys::TAB).await;
    cedar.send(b"Q").await;
    cedar.wait_for("[quote #").await;
    cedar.send(b"\x1bahidden reply").await;
    cedar.wait_for("Anonymous: on").await;
    cedar.send(keys::CTRL_S).await;
    cedar.wait_for("you, anonymously").await;
    to_boards(&mut birch).await;
    birch.send(keys::DOWN).await;
    open_first_thread(&mut birch, "Support me").await;
    let before = birch
        .wait_until(
            |s| s.contains("hidden reply") && s.contains("▌ dana wrote:"),
            "the anonymous reply with its quote",
        )
        .await;
    assert!(before.contains("anon-"), "{before}");
    // Dana blocks Cedar (from Cedar's named thread on Welcome).
    to_boards(&mut dana).await;
    dana.send(b"g").await;
    dana.send(keys::ENTER).await;
    dana.wait_for("Cedar speaks").await;
    dana.send(keys::DOWN).await;
    dana.send(keys::ENTER).await;
    dana.wait_for("cedar's named words").await;
    dana.send(keys::TAB).await;
    dana.send(b"b").await;
    dana.send(b"b").await;
    dana.wait_for("You blocked cedar").await;
    // Birch reads the thread again, from the list.
    birch.send(keys::ESC).await;
    birch.wait_for("Support me").await;
    birch.send(keys::ENTER).await;
    let after = birch.wait_for("hidden reply").await;
    let rows = |s: &str| -> Vec<String> {
        s.lines()
            .skip(1)
            .map(|l| l.replace('▸', " ").trim_end().to_string())
            .collect()
    };
    assert_eq!(rows(&after), rows(&before), "{after}");
    // Dana, the blocker, still sees the anonymous reply (a block never acts on one).
    to_boards(&mut dana).await;
    dana.send(keys::DOWN).await;
    open_first_thread(&mut dana, "Support me").await;
    dana.wait_for("hidden reply").await;

    for m in [ash, birch, cedar, dana] {
        m.disconnect().await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_is_online_follows_members_arriving_becoming_seen_and_leaving_while_it_is_open() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    ash.send(b"o").await;
    ash.wait_for("Who's online").await;
    let birch_key = new_key();
    let mut birch = Member::sign_up(server.addr, &birch_key, "birch").await;
    // Invisible is the default: arriving alone shows nothing.
    birch.send(b"s").await;
    birch.wait_for("you are invisible").await;
    assert!(!ash.screen().contains("birch"), "{}", ash.screen());
    // Chosen to be seen: ash's open list follows without a key pressed.
    birch.send(b"o").await;
    ash.wait_for("birch").await;
    // Gone: so is the name.
    birch.disconnect().await;
    ash.wait_until(|s| !s.contains("birch"), "birch to leave the list")
        .await;
    // Back, and still chosen to be seen.
    let birch = Member::connect(server.addr, &birch_key, 80, 24).await;
    ash.wait_for("birch").await;
    birch.disconnect().await;
    ash.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_board_list_catches_up_at_its_next_key_or_a_while_later() {
    use std::time::{Duration, Instant};
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    // A second without a key is idle here; a stale list waits six seconds for its reload.
    config.limits.idle_frame_drop = Duration::from_secs(1);
    config.limits.idle_list_reload = (Duration::from_secs(6), Duration::from_secs(6));
    let server = TestServer::start_with(config).await;
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // Idle, ash's list goes stale and sleeps; a while later it catches up by itself.
    birch.post_thread("First news", "something happened").await;
    ash.wait_for("1 new").await;

    // Idle again: a second change is heard (ash woke into the live events again) and waits
    // for ash's next key, which brings it at once, well before the slow reload would.
    to_boards(&mut birch).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    birch.post_thread("Second news", "and something else").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!ash.screen().contains("2 new"), "{}", ash.screen());
    let pressed = Instant::now();
    ash.send(b"j").await;
    ash.wait_for("2 new").await;
    assert!(
        pressed.elapsed() < Duration::from_secs(3),
        "the list waited for its slow reload, not the key"
    );

    ash.disconnect().await;
    birch.disconnect().await;
    server.stop().await;
}

/// Three replies in one thread are one row ("3 replies in …"), which opens the thread where
/// its author stopped reading; `d` dismisses the row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_in_one_thread_are_one_notification_that_can_be_dismissed() {
    let dir = util::data_dir();
    let server = TestServer::start_with(util::unlimited(dir.path())).await;
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;
    ash.post_thread("Busy thread", "what helps you sleep?")
        .await;
    to_boards(&mut ash).await;
    open_first_thread(&mut birch, "Busy thread").await;
    for text in ["warm milk", "no screens late", "a short walk"] {
        birch.reply(text).await;
    }
    ash.wait_for("3 new · ash").await;
    ash.send(b"a").await;
    let screen = ash
        .wait_for("3 replies in \u{201c}Busy thread\u{201d}: birch")
        .await;
    assert!(!screen.contains("birch replied"), "one row:\n{screen}");
    ash.send(keys::ENTER).await;
    let screen = ash.wait_for("New since your last visit").await;
    assert!(screen.contains("warm milk"), "{screen}");
    ash.send(keys::ESC).await;
    ash.wait_for("3 replies in").await;
    ash.send(b"d").await;
    ash.wait_for("Nothing yet").await;
    ash.disconnect().await;
    birch.disconnect().await;
    server.stop().await;
}
