//! Screen snapshots: the App drawn through ratatui's `TestBackend` at the smallest supported
//! size and the usual one, compared with the screen a member would see, cell for cell (as
//! text). A layout change shows here as a readable diff before any end-to-end test runs.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use terminput::{KeyCode, KeyEvent};

use crate::tui::test_support::{app_with_boards, board};
use crate::tui::{App, Msg};

/// The App drawn at `width`×`height`, one line per row (trailing spaces trimmed, so the
/// expected screens below read as text).
fn snapshot(app: &mut App, width: u16, height: u16) -> String {
    app.update(Msg::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|f| {
            app.render(f.area(), f.buffer_mut());
        })
        .expect("draw");
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn boards() -> App {
    app_with_boards(vec![
        board(1, "Welcome", "Start here: how Haven works"),
        board(2, "Support", "Share what is hard, in your words"),
    ])
}

fn press(app: &mut App, c: char) {
    app.update(Msg::Key(KeyEvent::new(KeyCode::Char(c))));
}

fn assert_screen(actual: &str, expected: &str) {
    let expected = expected.trim_start_matches('\n');
    if actual != expected {
        panic!("screen differs.\n--- expected\n{expected}\n--- actual\n{actual}\n---");
    }
}

#[test]
fn the_board_list_at_80x24() {
    let mut app = boards();
    let screen = snapshot(&mut app, 80, 24);
    let mut expected = String::from(
        "
 Haven · Boards                                                           river
▸ Welcome                                                     3 threads · 1 new
    Start here: how Haven works
  Support                                                     3 threads · 1 new
    Share what is hard, in your words
",
    );
    expected.push_str(&"\n".repeat(18));
    expected
        .push_str(" a notifications · i messages · s settings · q quit · ? help · F1/! help now");
    assert_screen(&screen, &expected);
}

#[test]
fn the_board_list_at_40x12_keeps_help_and_help_now_in_the_footer() {
    let mut app = boards();
    let screen = snapshot(&mut app, 40, 12);
    let mut expected = String::from(
        "
 Haven · Boards                   river
▸ Welcome             3 threads · 1 new
    Start here: how Haven works
  Support             3 threads · 1 new
    Share what is hard, in your words
",
    );
    expected.push_str(&"\n".repeat(6));
    expected.push_str(" i messages · ? help · F1/! help now");
    assert_screen(&screen, &expected);
}

#[test]
fn help_at_40x12_scrolls_and_says_how() {
    let mut app = boards();
    press(&mut app, '?');
    let screen = snapshot(&mut app, 40, 12);
    assert_screen(
        &screen,
        "
 Haven · Boards                   river
┌ Keys on this screen ─────────────────┐
│           o  who's online            │
│           /  search                  │
│           a  notifications           │
│           i  messages                │
│           s  settings                │
│       Enter  open                    │
│           r  refresh                 │
│↑↓ PgDn read on · Esc close           │
└ 1-7 of 20 ↑↓ ────────────────────────┘
 i messages · ? help · F1/! help now",
    );
}

#[test]
fn help_now_at_40x12_shows_the_safety_plan_and_quick_exit() {
    let mut app = boards();
    press(&mut app, '!');
    let screen = snapshot(&mut app, 40, 12);
    assert_screen(
        &screen,
        "
 Haven · Boards                   river
▸ Welcome             3 threads · 1 new
┌ Help now ────────────────────────────┐
│                                      │
│My safety plan (only you can see it)  │
│  You have not written one yet: e     │
│writes it.                            │
│↑↓ PgDn read on · e edit my safety    │
│plan · Esc close · Ctrl-Q quick exit  │
└──────────────────────────────────────┘

 i messages · ? help · F1/! help now",
    );
}

#[test]
fn who_is_online_at_40x12_reads_its_intro_whole() {
    let mut app = boards();
    press(&mut app, 'o');
    app.update(Msg::Loaded(crate::tui::Loaded::Online(vec!["fern".into()])));
    let screen = snapshot(&mut app, 40, 12);
    let mut expected = String::from(
        "
 Haven · Who's online             river
 Members here now who chose to be seen.
 You can choose in settings (o).

 • fern
",
    );
    expected.push_str(&"\n".repeat(6));
    expected.push_str(" Esc back · ? help · F1/! help now");
    assert_screen(&screen, &expected);
}

#[test]
fn a_banned_members_record_keeps_the_answer_to_their_appeal_when_the_feed_falls_behind() {
    let (mut app, _) = App::banned(
        crate::tui::test_support::member("troubled"),
        None,
        crate::tui::Texts::default(),
        crate::tui::Theme::Default,
        40,
        12,
    );
    app.notice("A moderator reviewed your appeal: ban upheld.".into());
    let effects = app.update(Msg::LiveLagged);
    // Reloading the record is all: a banned member has no header counts to load, and loading
    // them (refused for a ban) would put an error where the answer is.
    assert_eq!(effects, vec![crate::tui::Effect::LoadRecord]);
    let screen = snapshot(&mut app, 40, 12);
    assert!(
        screen
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("your appeal: ban upheld"),
        "the answer is still on screen:\n{screen}"
    );
}
