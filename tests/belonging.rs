//! Reading and belonging through real SSH sessions: what a member meets on a narrow terminal
//! when a screen has nothing to show, and what a sysop meets at the console.

use super::util::{self, Member, TestServer, keys, new_key};

/// At 40×12: `E` on another member's post says who may see an edit history instead of opening
/// an empty "Loading…" screen; reporting from a conversation writes inside the message box,
/// leaving its border whole; and a thread whose only post a moderator hid says so instead of
/// "posts 1-0 of 0".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_40x12_a_thread_and_a_conversation_say_plainly_what_they_cannot_show() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    config.posting.trusted_after_days = 0;
    config.posting.trusted_after_threads_read = 0;
    let server = TestServer::start_with(config).await;
    let mod_key = util::add_user(dir.path(), "calm_mod", "moderator");
    let mut alder = Member::sign_up(server.addr, &new_key(), "alder").await;
    alder.post_thread("Only one post", "words to hide").await;

    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;
    birch.resize(40, 12).await;
    birch.send(keys::ENTER).await;
    birch.wait_for("Only one post").await;
    birch.send(keys::ENTER).await;
    birch.wait_for("words to hide").await;
    birch.send(keys::TAB).await;
    birch.send(b"E").await;
    let screen = birch
        .wait_until(
            |s| util::flat(s).contains("the moderators see its edit history"),
            "why there is no history",
        )
        .await;
    assert!(
        !screen.contains("Edit history") && !screen.contains("Loading"),
        "{screen}"
    );

    // A conversation with the post's author; reporting them is written in the box.
    birch.send(b"w").await;
    birch.wait_for("Ctrl-S sends").await;
    birch.send(keys::ESC).await;
    birch.wait_for("w to write").await;
    birch.send(b"F").await;
    let screen = birch.wait_for("Enter sends · Esc").await;
    let rows: Vec<&str> = screen.lines().collect();
    let bottom = rows
        .iter()
        .rposition(|r| r.trim_start().starts_with('└'))
        .unwrap_or_else(|| panic!("the box's bottom border:\n{screen}"));
    assert!(
        rows[bottom].trim_end().ends_with('┘') && !rows[bottom].contains("Report"),
        "the border is whole:\n{screen}"
    );
    assert!(
        util::flat(&rows[..bottom].join("\n")).contains("Report this member as"),
        "the question is inside the box:\n{screen}"
    );
    birch.send(b"just checking").await;
    birch.wait_for("just checking").await;
    birch.send(keys::ESC).await;
    birch
        .wait_until(|s| !s.contains("Report this"), "the report closed")
        .await;
    birch.send(keys::ESC).await;
    birch.wait_for("words to hide").await;

    // A moderator hides the only post; the member's open thread says there is nothing to show.
    let mut moderator = Member::connect(server.addr, &mod_key, 100, 30).await;
    moderator.wait_for("Small wins").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("Only one post").await;
    moderator.send(keys::ENTER).await;
    moderator.wait_for("words to hide").await;
    moderator.send(keys::TAB).await;
    moderator.send(b"H").await;
    moderator.wait_for("Reason for hiding").await;
    moderator.send(b"off topic\r").await;
    let screen = birch
        .wait_until(
            |s| util::flat(s).contains("There are no posts here to show"),
            "the empty thread",
        )
        .await;
    assert!(
        screen.contains("no posts to show") && !screen.contains("1-0"),
        "{screen}"
    );
    assert!(!screen.contains("words to hide"), "{screen}");

    // The moderator's audit filter that matches nothing says so.
    moderator.send(keys::ESC).await;
    moderator.send(keys::ESC).await;
    moderator.wait_for("Small wins").await;
    moderator.send(b"m").await;
    moderator.send(b"l").await;
    moderator.wait_for("Actor").await;
    moderator.send(b"/").await;
    moderator.wait_for("Filter (actor:H").await;
    moderator.send(b"action:nothing_like_this\r").await;
    moderator.wait_for("Nothing matches this filter").await;

    alder.disconnect().await;
    birch.disconnect().await;
    moderator.disconnect().await;
    server.stop().await;
}

/// `bbs console` pointed at a directory with no board refuses and says why, creating nothing;
/// `--new` is how a new board is started there.
#[test]
fn the_console_refuses_a_data_dir_with_no_board() {
    let dir = util::data_dir();
    let (code, out, err) = util::bbs(&[
        util::os("console"),
        util::os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("there is no board in") && err.contains("--new"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert!(left.is_empty(), "nothing created: {left:?}");
}

/// The unread flow at 40×12: a thread opens at the first post the member has not read, under
/// "New since your last visit", on whichever page that is; `N` walks to the next unread
/// thread on another board; `M` twice on the board list marks everything read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_opens_where_the_member_left_off_and_n_walks_to_the_next_unread_one() {
    use haven::domain::{Draft, DraftPlace};
    let dir = util::data_dir();
    let server = TestServer::start_with(util::unlimited(dir.path())).await;
    util::add_user(dir.path(), "alder", "member");
    let service = &server.service;
    let alder = service
        .user(service.member_id("alder").expect("alder"))
        .expect("user")
        .expect("alder exists");
    let board = |slug: &str| {
        service
            .boards(&alder)
            .expect("boards")
            .into_iter()
            .find(|b| b.slug == slug)
            .expect("board")
            .id
    };
    let (welcome, wins) = (board("welcome"), board("wins"));
    let post = |place, title: &str, body: String| {
        service
            .post(
                &alder,
                place,
                &Draft {
                    title: title.into(),
                    body,
                    ..Draft::default()
                },
            )
            .expect("post")
    };
    let talk = post(
        DraftPlace::NewThread(welcome),
        "Long talk",
        "post number 0".into(),
    )
    .thread;
    for i in 1..22 {
        post(
            DraftPlace::Reply(welcome, talk),
            "",
            format!("post number {i}"),
        );
    }

    // Birch reads the first page (posts 0-19) and goes back to the list.
    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;
    birch.resize(40, 12).await;
    birch.send(keys::ENTER).await;
    birch.wait_for("Long talk").await;
    birch.send(keys::ENTER).await;
    let screen = birch.wait_for("post number 0").await;
    assert!(
        !screen.contains("New since"),
        "a first visit has no divider:\n{screen}"
    );
    birch.send(keys::ESC).await;
    birch.wait_for("Long talk").await;
    for i in 22..26 {
        post(
            DraftPlace::Reply(welcome, talk),
            "",
            format!("post number {i}"),
        );
    }
    birch.send(b"r").await;
    birch.wait_for("6 new").await;

    // Opening it again lands on page two, at post 20, the first birch has not seen.
    birch.send(keys::ENTER).await;
    let screen = birch
        .wait_until(|s| s.contains("New since your last visit"), "the divider")
        .await;
    let rows: Vec<&str> = screen.lines().collect();
    let divider = rows
        .iter()
        .position(|r| r.contains("New since your last visit"))
        .expect("divider row");
    assert_eq!(
        divider, 2,
        "the divider is at the top of the text:\n{screen}"
    );
    assert!(
        rows[1].contains("posts 21-26 of 26") && screen.contains("post number 20"),
        "{screen}"
    );
    assert!(!screen.contains("post number 19"), "{screen}");

    // N: the next unread thread, on another board; then nothing is left.
    post(
        DraftPlace::NewThread(wins),
        "Elsewhere",
        "a small win".into(),
    );
    birch.send(b"N").await;
    birch.wait_for("a small win").await;
    birch.send(b"N").await;
    birch
        .wait_until(
            |s| util::flat(s).contains("Nothing unread"),
            "nothing left unread",
        )
        .await;

    // M twice on the board list marks everything read.
    post(DraftPlace::Reply(welcome, talk), "", "one more".into());
    birch.send(keys::ESC).await;
    birch.send(keys::ESC).await;
    birch.wait_for("Small wins").await;
    birch.send(b"M").await;
    birch
        .wait_until(|s| util::flat(s).contains("M again"), "the question")
        .await;
    birch.send(b"M").await;
    birch
        .wait_until(
            |s| util::flat(s).contains("Marked 1 thread read"),
            "marked read",
        )
        .await;
    birch.send(b"N").await;
    birch
        .wait_until(
            |s| util::flat(s).contains("Nothing unread"),
            "nothing left unread",
        )
        .await;
    birch.disconnect().await;
    server.stop().await;
}

/// What a member was told can be read again at any time, at 40×12: the guidelines and the
/// privacy policy from settings, and "Staying safe here" from settings and from Help now.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documents_a_member_accepted_can_be_read_again_at_40x12() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "reader").await;
    m.resize(40, 12).await;
    m.wait_for("Small wins").await;
    m.send(b"s").await;
    m.wait_for("Settings").await;
    m.send(b"p").await;
    m.wait_for("Privacy policy").await;
    // Read to its end: what the policy says of a breach is its last part.
    m.send(b"G").await;
    m.wait_until(
        |s| util::flat(s).contains("if the server itself was breached"),
        "the end of the policy",
    )
    .await;
    m.send(keys::ESC).await;
    m.wait_for("Settings").await;
    m.send(b"n").await;
    m.wait_for("Be kind").await;
    m.send(keys::ESC).await;
    m.send(b"s").await;
    m.wait_for("Staying safe here").await;
    m.send(keys::ESC).await;
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
    m.send(keys::F1).await;
    m.wait_for("Help now").await;
    m.send(b"s").await;
    m.wait_for("Staying safe here").await;
    m.send(b"G").await;
    m.wait_until(
        |s| util::flat(s).contains("leaves at once"),
        "the end of the page",
    )
    .await;
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
    m.disconnect().await;
    server.stop().await;
}

/// On a very wide terminal a post's text wraps at a reading width (100 columns), not across
/// all 250.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_reads_at_a_comfortable_width_on_a_wide_terminal() {
    let dir = util::data_dir();
    let server = TestServer::start_with(util::unlimited(dir.path())).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "wide_reader").await;
    let long = "a sentence that goes on ".repeat(30);
    m.post_thread("Long words", &long).await;
    m.resize(250, 60).await;
    let screen = m
        .wait_until(|s| s.contains("posts 1-1"), "the thread")
        .await;
    let body: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("a sentence that goes on"))
        .collect();
    assert!(body.len() >= 7, "wrapped over several rows:\n{screen}");
    for row in body {
        assert!(row.trim_end().chars().count() <= 102, "{row:?}");
    }
    m.disconnect().await;
    server.stop().await;
}

/// An author withdraws their own reply (d, twice): it goes from the screen of a member who has
/// the thread open, at once; another member's post cannot be withdrawn.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_author_withdraws_their_own_post_and_it_leaves_every_screen() {
    let dir = util::data_dir();
    let server = TestServer::start_with(util::unlimited(dir.path())).await;
    let mut alder = Member::sign_up(server.addr, &new_key(), "alder").await;
    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;
    alder
        .post_thread("Second thoughts", "the opening words")
        .await;
    alder.reply("words I take back").await;
    birch.send(keys::ENTER).await;
    birch.wait_for("Second thoughts").await;
    birch.send(keys::ENTER).await;
    birch.wait_for("words I take back").await;
    // Birch cannot withdraw alder's post.
    birch.send(keys::TAB).await;
    birch.send(b"d").await;
    birch
        .wait_until(
            |s| util::flat(s).contains("withdraw only your own posts"),
            "refused",
        )
        .await;
    // Alder selects the reply (the second post) and withdraws it.
    alder.send(keys::TAB).await;
    alder.send(keys::TAB).await;
    alder.send(b"d").await;
    alder
        .wait_until(|s| util::flat(s).contains("d again to withdraw"), "asked")
        .await;
    alder.send(b"d").await;
    alder
        .wait_until(|s| util::flat(s).contains("Withdrawn"), "withdrawn")
        .await;
    let screen = birch
        .wait_until(|s| !s.contains("words I take back"), "gone for birch")
        .await;
    assert!(screen.contains("the opening words"), "{screen}");
    alder.disconnect().await;
    birch.disconnect().await;
    server.stop().await;
}

/// Search at 40×12: a phrase finds only posts with its words in order, and a malformed query
/// says how to write it, keeping the line to edit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_takes_phrases_and_explains_a_malformed_query() {
    let dir = util::data_dir();
    let server = TestServer::start_with(util::unlimited(dir.path())).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "seeker").await;
    m.post_thread("Bad night", "a bad night again").await;
    m.send(keys::ESC).await;
    m.wait_for("new thread").await;
    m.type_new_thread("Night was bad", "the night was bad")
        .await;
    m.send(keys::CTRL_S).await;
    m.wait_posted().await;
    m.send(keys::ESC).await;
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
    m.resize(40, 12).await;
    m.send(b"/").await;
    m.wait_for("Search:").await;
    m.send(b"\"bad night\"\r").await;
    let screen = m.wait_for("Bad night").await;
    assert!(!screen.contains("Night was bad"), "{screen}");
    m.send(b"/").await;
    m.send(b"since:yesterday\r").await;
    let screen = m
        .wait_until(|s| util::flat(s).contains("is not a date"), "the message")
        .await;
    assert!(screen.contains("Search: since:yesterday"), "{screen}");
    m.disconnect().await;
    server.stop().await;
}

/// The header's background, as the terminal shows it.
fn header_bg(m: &Member) -> vt100::Color {
    m.parser.screen().cell(0, 0).expect("a cell").bgcolor()
}

/// A member chooses a colour theme in settings (T cycles dark, light, high contrast, monochrome, plain); it
/// applies at once and is remembered at the next login.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colour_theme_chosen_in_settings_applies_at_once_and_is_remembered() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let mut m = Member::sign_up(server.addr, &key, "painter").await;
    assert_eq!(header_bg(&m), vt100::Color::Idx(109), "dark by default");
    m.send(b"s").await;
    m.wait_for("Colours: dark").await;
    m.send(b"T").await;
    m.wait_for("Colours: light").await;
    assert_eq!(header_bg(&m), vt100::Color::Idx(24), "light at once");
    m.send(b"T").await;
    m.wait_for("Colours: high contrast").await;
    assert_eq!(
        header_bg(&m),
        vt100::Color::Default,
        "reverse video, no colour"
    );
    for next in ["monochrome", "plain", "dark", "light"] {
        m.send(b"T").await;
        m.wait_for(&format!("Colours: {next}")).await;
    }
    m.disconnect().await;
    let mut again = Member::connect(server.addr, &key, 80, 24).await;
    again.wait_for("Small wins").await;
    assert_eq!(header_bg(&again), vt100::Color::Idx(24), "remembered");
    again.disconnect().await;
    server.stop().await;
}

/// The screen cell where `word` starts on `m`'s screen.
fn cell_of(m: &Member, word: &str) -> vt100::Cell {
    let screen = m.parser.screen();
    let (rows, cols) = screen.size();
    for row in 0..rows {
        let line: Vec<(u16, String)> = (0..cols)
            .filter_map(|c| screen.cell(row, c).map(|cell| (c, cell)))
            .filter(|(_, cell)| !cell.is_wide_continuation())
            .map(|(c, cell)| match cell.contents() {
                "" => (c, " ".to_string()),
                s => (c, s.to_string()),
            })
            .collect();
        let text: String = line.iter().map(|(_, s)| s.as_str()).collect();
        if let Some(at) = text.find(word) {
            let chars = text[..at].chars().count();
            let mut seen = 0;
            for (c, s) in &line {
                if seen >= chars {
                    return screen.cell(row, *c).expect("cell").clone();
                }
                seen += s.chars().count();
            }
        }
    }
    panic!("{word} not on screen:\n{}", m.screen());
}

/// Markdown reads as it was meant, through a real session at 80×24, 40×12 and 200×60:
/// emphasis and strong as styles, lists with bullets, a link as its text and its address, a
/// typed quote with a thin bar, and a quote by reference as its own block with who wrote it.
/// What an entity decodes to is sanitised like any text: no clipboard write, no bell.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markdown_reads_as_it_was_meant_and_a_quote_is_a_block() {
    let dir = util::data_dir();
    let server = TestServer::start_with(util::unlimited(dir.path())).await;
    let mut alder = Member::sign_up(server.addr, &new_key(), "alder").await;
    let body = "I *really* needed **this** today.\n\n- one thing\n- another\n\n\
                See [the guide](https://example.org/guide) and `code`.\n\n> typed quote\n\n\
                &#27;]52;c;aGk=&#7;end";
    alder.post_thread("Shown as meant", body).await;

    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;
    birch.send(keys::ENTER).await;
    birch.wait_for("Shown as meant").await;
    birch.send(keys::ENTER).await;
    let screen = birch.wait_for("I really needed this today.").await;
    for shown in [
        "• one thing",
        "• another",
        "See the guide (https://example.org/guide) and code.",
        "│ typed quote",
    ] {
        assert!(screen.contains(shown), "{shown:?} in\n{screen}");
    }
    assert!(
        !screen.contains("**") && !screen.contains("*really*"),
        "{screen}"
    );
    assert!(cell_of(&birch, "really").italic(), "{screen}");
    assert!(cell_of(&birch, "this").bold(), "{screen}");
    assert!(!cell_of(&birch, "needed").bold() && !cell_of(&birch, "needed").italic());
    assert!(cell_of(&birch, "the guide").underline(), "{screen}");
    assert!(
        !birch.raw.windows(4).any(|w| w == b"\x1b]52") && !birch.raw.contains(&0x07),
        "an entity reached the terminal"
    );

    // Birch quotes the post: the reply shows it as a block with who wrote it.
    birch.send(keys::TAB).await;
    birch.send(b"Q").await;
    birch.wait_for("[quote #").await;
    birch.send(b"so **true**").await;
    birch.send(keys::CTRL_S).await;
    birch.wait_for("Posted.").await;
    let screen = birch
        .wait_until(|s| s.contains("▌ alder wrote:"), "the quote block")
        .await;
    assert!(
        screen.contains("▌ I really needed this today.") && screen.contains("so true"),
        "{screen}"
    );

    // At 40×12 the link's address wraps to a line of its own; at 200×60 all of both posts
    // is on screen.
    birch.resize(40, 12).await;
    birch.send(b"g").await;
    let screen = birch
        .wait_until(
            |s| {
                s.contains("I really needed")
                    && s.lines()
                        .any(|l| l.trim().starts_with("(https://example.org/guide)"))
            },
            "the post rewrapped at 40×12",
        )
        .await;
    assert!(!screen.contains("**"), "{screen}");
    assert!(cell_of(&birch, "really").italic(), "{screen}");
    birch.resize(200, 60).await;
    let all = [
        "• another",
        "▌ alder wrote:",
        "│ typed quote",
        "so true",
        "See the guide (",
    ];
    let screen = birch
        .wait_until(
            |s| all.iter().all(|a| s.contains(a)),
            "both posts at 200×60",
        )
        .await;
    assert!(cell_of(&birch, "really").italic(), "{screen}");
    alder.disconnect().await;
    birch.disconnect().await;
    server.stop().await;
}
