//! Every theme at every size: one member cycles through the five colour themes and, in each,
//! resizes through 40×12, 80×24, 200×60 and 250×80 and walks the screens they use most. On
//! each screen the title and Help now are in reach, the selected row is told apart from the
//! others by the terminal's own attributes (not by colour alone), and the plain theme draws no
//! box or bar anywhere.

use std::time::Duration;

use crate::util::{self, Member, TestServer, keys, new_key};

/// Box drawing and block elements, and the selection marker the other themes draw.
fn decoration(c: char) -> bool {
    ('\u{2500}'..='\u{259f}').contains(&c) || c == '▸'
}

/// The selected row (marked `▸`, or `>` in the plain theme) stands out from an unselected
/// row below or above it: reversed, or on a background of its own.
fn selection_stands_out(m: &Member, plain: bool, at: &str) {
    let screen = m.screen();
    let marker = if plain { '>' } else { '▸' };
    let rows: Vec<&str> = screen.lines().collect();
    let selected = rows
        .iter()
        .position(|l| l.starts_with(marker))
        .unwrap_or_else(|| panic!("{at}: no selected row:\n{screen}"));
    let cells = m.parser.screen();
    let marked = |row: usize| {
        let cell = cells.cell(row as u16, 2).expect("a cell");
        cell.inverse() || cell.bgcolor() != vt100::Color::Default
    };
    assert!(
        marked(selected),
        "{at}: the selection is not marked:\n{screen}"
    );
    // Another item of the same list, unmarked (lists here hold more than one item).
    let other = rows
        .iter()
        .enumerate()
        .skip(1)
        .find(|(r, l)| *r != selected && l.starts_with("  ") && !l.trim().is_empty())
        .map(|(r, _)| r);
    if let Some(other) = other {
        assert!(!marked(other), "{at}: row {other} marked too:\n{screen}");
    }
}

fn check(m: &Member, title: &str, content: &str, plain: bool, at: &str) {
    let screen = m.screen();
    let f = util::flat(&screen);
    assert!(
        screen.lines().next().is_some_and(|h| h.contains(title)),
        "{at}: title {title:?}:\n{screen}"
    );
    assert!(f.contains(content), "{at}: {content:?}:\n{screen}");
    assert!(f.contains("help now"), "{at}: Help now in reach:\n{screen}");
    if plain {
        assert!(
            !screen.chars().any(decoration),
            "{at}: decoration in the plain theme:\n{screen}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_screens_read_in_every_theme_at_every_size() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut writer = Member::sign_up(server.addr, &new_key(), "writer").await;
    writer
        .post_thread("First thread", "words in the thread")
        .await;
    writer.send(keys::ESC).await;
    writer.wait_for("First thread").await;
    writer.type_new_thread("Second thread", "more words").await;
    writer.send(keys::CTRL_S).await;
    writer.wait_for("Posted.").await;
    writer.disconnect().await;

    let mut m = Member::sign_up(server.addr, &new_key(), "reader").await;
    for (t, theme) in ["dark", "light", "high contrast", "monochrome", "plain"]
        .into_iter()
        .enumerate()
    {
        if t > 0 {
            m.resize(80, 24).await;
            m.send(b"s").await;
            m.wait_for("Colours:").await;
            m.send(b"T").await;
            m.wait_for(&format!("Colours: {theme} ")).await;
            m.send(keys::ESC).await;
        }
        let plain = theme == "plain";
        for (cols, rows) in [(40, 12), (80, 24), (200, 60), (250, 80)] {
            let at = format!("{theme} at {cols}x{rows}");
            // What the server drew for the old size is read first, as a terminal would have.
            m.pump(Duration::from_millis(200)).await;
            m.resize(cols, rows).await;
            m.wait_until(
                |s| {
                    s.lines().next().is_some_and(|h| h.contains("Boards"))
                        && s.contains("General")
                        && s.contains("help now")
                },
                "boards",
            )
            .await;
            check(&m, "Boards", "Welcome", plain, &at);
            selection_stands_out(&m, plain, &format!("{at}, boards"));

            m.send(keys::ENTER).await;
            m.wait_for("Second thread").await;
            check(&m, "Welcome", "First thread", plain, &at);
            selection_stands_out(&m, plain, &format!("{at}, threads"));

            m.send(keys::ENTER).await;
            m.wait_for("more words").await;
            m.send(keys::TAB).await;
            m.pump(Duration::from_millis(300)).await;
            check(&m, "Second thread", "more words", plain, &at);
            // The selected post's header stands out.
            let screen = m.screen();
            // In plain, where reverse video says nothing to a screen reader, a `>` too.
            let header_starts = if plain { "> writer ·" } else { "writer ·" };
            let header = screen
                .lines()
                .position(|l| l.starts_with(header_starts))
                .unwrap_or_else(|| panic!("{at}: the post's header:\n{screen}"));
            let cell = m
                .parser
                .screen()
                .cell(header as u16, 2)
                .expect("a cell")
                .clone();
            assert!(
                cell.inverse() || cell.bgcolor() != vt100::Color::Default,
                "{at}: the selected post is not marked:\n{screen}"
            );

            m.send(b"?").await;
            m.wait_for("Keys on this screen").await;
            if plain {
                // With no visible border, the list takes the whole screen: nothing of the
                // thread beneath shows beside it to be read as part of it.
                let screen = m.screen();
                assert!(
                    !screen.contains("more words") && !screen.contains("Second thread"),
                    "{at}: the screen beneath shows through:\n{screen}"
                );
                assert!(!screen.chars().any(decoration), "{at}:\n{screen}");
            } else {
                check(&m, "Second thread", "Keys on this screen", plain, &at);
            }
            m.send(keys::ESC).await;
            m.wait_until(|s| !s.contains("Keys on this screen"), "help closed")
                .await;
            m.send(keys::ESC).await;
            m.wait_for("First thread").await;
            m.send(keys::ESC).await;
            m.wait_for("General").await;

            m.send(b"/").await;
            m.wait_for("Search:").await;
            m.send(b"words\r").await;
            m.wait_for("results 1-2").await;
            check(&m, "Search", "Second thread", plain, &at);
            selection_stands_out(&m, plain, &format!("{at}, search"));
            m.send(keys::ESC).await;
            m.wait_for("General").await;

            m.send(b"s").await;
            m.wait_for("Your keys").await;
            // Where settings is taller than the screen, the colours are further down.
            m.page_to("Colours:").await;
            check(&m, "Settings", &format!("Colours: {theme}"), plain, &at);
            m.send(keys::ESC).await;
            m.wait_for("General").await;
        }
    }
    m.disconnect().await;
    server.stop().await;
}
