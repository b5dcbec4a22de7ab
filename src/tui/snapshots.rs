//! Screen snapshots: the App drawn through ratatui's `TestBackend` at the smallest supported
//! size and the usual one, compared with the screen a member would see, cell for cell (as
//! text). A layout change shows here as a readable diff before any end-to-end test runs.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use terminput::{KeyCode, KeyEvent};

use crate::tui::test_support::{app_with_boards, board};
use crate::tui::{App, Msg, Theme};

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
│         a  notifications             │
│         i  messages                  │
│         s  settings                  │
│         q  quit                      │
│         /  search                    │
│         N  next unread thread        │
│         o  who's online              │
│↑↓ PgDn · s staying safe · Esc close  │
└ 1-7 of 22 ↑↓ ────────────────────────┘
 i messages · ? help · F1/! help now",
    );
    // Further down, a label too long for the width wraps beside its key, not under it.
    for _ in 0..3 {
        press(&mut app, ' ');
    }
    let screen = snapshot(&mut app, 40, 12);
    assert!(
        screen.contains(
            "│    Ctrl-Q  quick exit: clear the     │\n│            screen and leave at once  │"
        ),
        "{screen}"
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
│e edit my safety plan · s staying safe│
│· Esc close · Ctrl-Q quick exit       │
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

/// A member signing up at `width`×`height`, on a board where joining needs an invite.
fn joining(guidelines: &str, width: u16, height: u16) -> App {
    let (app, _) = App::new(
        None,
        crate::tui::Texts {
            name: "Haven".into(),
            guidelines: guidelines.into(),
            privacy: "We keep little.".into(),
            invite_required: true,
            ..crate::tui::Texts::default()
        },
        crate::tui::Theme::Default,
        width,
        height,
    );
    app
}

fn key(app: &mut App, code: KeyCode) -> Vec<crate::tui::Effect> {
    app.update(Msg::Key(KeyEvent::new(code)))
}

#[test]
fn the_guidelines_at_40x12_page_to_their_end_stop_there_and_always_say_how_to_accept() {
    let rules: Vec<String> = (1..=40).map(|i| format!("Rule {i}.")).collect();
    let mut app = joining(&rules.join("\n"), 40, 12);
    let first = snapshot(&mut app, 40, 12);
    assert!(
        first.contains("Rule 1.") && first.contains("a I accept"),
        "{first}"
    );
    key(&mut app, KeyCode::PageDown);
    let paged = snapshot(&mut app, 40, 12);
    assert!(
        !paged.contains("Rule 1.") && paged.contains("Rule 9."),
        "{paged}"
    );
    for _ in 0..30 {
        press(&mut app, ' ');
    }
    let end = snapshot(&mut app, 40, 12);
    assert!(
        end.contains("Rule 40.") && end.contains("Press a to accept") && end.contains("a I accept"),
        "{end}"
    );
    // At the end the text still fills the screen: it never scrolls into emptiness.
    let shown = end.lines().filter(|l| l.contains("Rule ")).count();
    assert!(shown >= 4, "{end}");
    key(&mut app, KeyCode::PageDown);
    assert_screen(&snapshot(&mut app, 40, 12), &end);
    press(&mut app, 'g');
    assert!(snapshot(&mut app, 40, 12).contains("Rule 1."));
    press(&mut app, 'G');
    assert_screen(&snapshot(&mut app, 40, 12), &end);
}

#[test]
fn joining_shows_the_handle_back_before_the_account_is_made_and_tab_never_wraps_into_it() {
    let mut app = joining("Be kind.", 40, 12);
    press(&mut app, 'a');
    press(&mut app, 'a');
    for c in "fern".chars() {
        press(&mut app, c);
    }
    // No code yet: the invite field is focused, and a Tab too many stays there.
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    key(&mut app, KeyCode::Tab);
    for c in "CODE-1".chars() {
        press(&mut app, c);
    }
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "asked first");
    let asked = snapshot(&mut app, 40, 12);
    assert!(
        asked.contains("Join as fern?") && asked.contains("cannot be changed"),
        "{asked}"
    );
    // Any other key goes back to the form, with both fields as typed.
    press(&mut app, 'x');
    let form = snapshot(&mut app, 40, 12);
    assert!(
        form.contains("fern") && form.contains("CODE-1") && !form.contains("fernCODE"),
        "{form}"
    );
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "asked again");
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(
        effects,
        vec![crate::tui::Effect::SignUp {
            handle: "fern".into(),
            claim: None,
            invite: Some("CODE-1".into()),
        }]
    );
}

#[test]
fn a_handle_that_cannot_be_used_is_refused_before_the_question() {
    let mut app = joining("Be kind.", 80, 24);
    press(&mut app, 'a');
    press(&mut app, 'a');
    for c in "anon-1234".chars() {
        press(&mut app, c);
    }
    key(&mut app, KeyCode::Tab);
    for c in "CODE-1".chars() {
        press(&mut app, c);
    }
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    let screen = snapshot(&mut app, 80, 24);
    assert!(
        screen.contains("reserved") && !screen.contains("Join as"),
        "{screen}"
    );
}

#[test]
fn a_long_header_is_cut_short_of_the_handle_never_into_it() {
    let (mut app, _) = App::new(
        Some(crate::tui::test_support::member("river")),
        crate::tui::Texts {
            name: "A community with a rather long name".into(),
            ..crate::tui::Texts::default()
        },
        crate::tui::Theme::Default,
        40,
        12,
    );
    let screen = snapshot(&mut app, 40, 12);
    let header = screen.lines().next().expect("a header");
    assert!(header.ends_with("… river"), "{header:?}");
}

/// Box drawing, block elements and the selection triangle: what a screen reader spells out.
fn decorated(screen: &str) -> bool {
    screen
        .chars()
        .any(|c| ('\u{2500}'..='\u{259f}').contains(&c) || c == '▸')
}

/// The welcome and the dashboard in every theme, at the smallest, the usual and a wide size:
/// what they say is on screen, and the plain theme draws no decoration.
#[test]
fn the_welcome_and_the_dashboard_read_in_every_theme_at_every_size() {
    use crate::service::{STATS_HOURS, Stats};
    let mut per_hour = vec![0; STATS_HOURS];
    per_hour[STATS_HOURS - 1] = 2;
    per_hour[STATS_HOURS - 5] = 1;
    let stats = Stats {
        sessions: 3,
        members_online: 2,
        uptime: 7_260,
        posts_per_hour: per_hour,
        open_reports: 2,
        urgent_reports: 1,
        first_reports: vec![("post 12".into(), 2, true), ("post 9".into(), 1, false)],
        pending_accounts: 1,
        members: 40,
        database_bytes: 4_200_000,
    };
    for theme in crate::tui::theme::THEMES {
        for (w, h) in [(40, 12), (80, 24), (200, 60)] {
            let mut app = boards();
            app.theme = theme;
            app.texts.welcome = "Welcome to {name}, {handle}.".into();
            app.update(Msg::Loaded(crate::tui::Loaded::Online(vec![
                "fern".into(),
                "river".into(),
            ])));
            let screen = snapshot(&mut app, w, h);
            let flat = screen.split_whitespace().collect::<Vec<_>>().join(" ");
            let at = format!("{theme:?} at {w}x{h}");
            assert!(flat.contains("Welcome to Haven, river."), "{at}:\n{screen}");
            assert!(
                flat.contains("Here now: fern."),
                "{at}: not oneself:\n{screen}"
            );
            assert!(flat.contains("Support"), "{at}:\n{screen}");
            assert_eq!(
                theme == Theme::Plain,
                !decorated(&screen),
                "{at}:\n{screen}"
            );

            let mut sysop = crate::tui::test_support::member("keeper");
            sysop.role = crate::domain::Role::Sysop;
            let (mut app, _) = App::new(
                Some(sysop),
                crate::tui::Texts {
                    name: "Haven".into(),
                    ..crate::tui::Texts::default()
                },
                theme,
                w,
                h,
            );
            press(&mut app, 'm');
            press(&mut app, 'd');
            app.update(Msg::Loaded(crate::tui::Loaded::Stats(Box::new(
                stats.clone(),
            ))));
            let screen = snapshot(&mut app, w, h);
            let flat = screen.split_whitespace().collect::<Vec<_>>().join(" ");
            for words in [
                "Up 2 h 1 min · 3 sessions (2 members)",
                "2 open reports, 1 urgent · 1 waiting for approval",
                "Posts in the last 24 h: 3 (most in an hour: 2)",
                "40 members · database 4.2 MB",
                "24 h ago",
            ] {
                assert!(flat.contains(words), "{at}: {words:?}\n{screen}");
            }
            if h >= 24 {
                assert!(flat.contains("post 12 · 2 · urgent"), "{at}:\n{screen}");
            }
            assert_eq!(
                theme == Theme::Plain,
                !decorated(&screen),
                "{at}:\n{screen}"
            );
        }
    }
}

#[test]
fn in_the_plain_theme_both_quotes_are_marked_as_in_mail() {
    let body = format!(
        "{l}@ ash wrote:\n{l}> their words\n\n> typed words\n\nmine │ ▌ kept",
        l = crate::store::quotes::LINE
    );
    let lines = crate::tui::rich::lay_out(&body, 30);
    let area = ratatui::layout::Rect::new(0, 0, 30, lines.len() as u16);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    for (y, line) in lines.iter().enumerate() {
        crate::tui::rich::draw(&mut buf, (0, y as u16), line, 30, Theme::Plain, None);
    }
    let rows: Vec<String> = (0..area.height)
        .map(|y| {
            (0..30)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect();
    assert!(rows.contains(&"> ash wrote:".to_string()), "{rows:?}");
    assert!(rows.contains(&"> their words".to_string()), "{rows:?}");
    assert!(rows.contains(&"> typed words".to_string()), "{rows:?}");
    // Here a member's own characters are left as typed; the plain pass over the whole
    // screen (`widgets::plain_glyphs`) then blanks box drawing wherever it is.
    assert!(rows.contains(&"mine │ ▌ kept".to_string()), "{rows:?}");
}

/// At the moderators' desk the footer offers the dashboard and board management to a sysop,
/// and not to a moderator (who would only be told no).
#[test]
fn the_desk_offers_the_dashboard_and_boards_to_sysops_only() {
    for (role, offered) in [
        (crate::domain::Role::Sysop, true),
        (crate::domain::Role::Moderator, false),
    ] {
        let mut app = boards();
        if let Some(u) = app.user.as_mut() {
            u.role = role;
        }
        press(&mut app, 'm');
        let screen = snapshot(&mut app, 80, 24);
        assert!(screen.contains("Moderation"), "{screen}");
        assert!(screen.contains("p reports"), "{screen}");
        for hint in ["d dashboard", "b boards"] {
            assert_eq!(screen.contains(hint), offered, "{role:?} {hint}:\n{screen}");
        }
    }
}

/// Settings at 40×12 is taller than the screen: it opens at the keys, says how to read on,
/// pages to its last line (how to delete the account), and ↑ brings the keys back. Long lines
/// wrap so the key that changes them stays in sight; nothing is drawn over the status line.
#[test]
fn settings_at_40x12_shows_the_keys_first_and_pages_to_the_end() {
    use crate::domain::KeyRecord;
    use crate::tui::Loaded;
    use crate::tui::screens::settings::SettingsData;
    let mut app = boards();
    press(&mut app, 's');
    let key = |id, fingerprint: &str| KeyRecord {
        id,
        algorithm: "ssh-ed25519".into(),
        fingerprint: fingerprint.into(),
        comment: None,
        created_at: 0,
        last_used_at: None,
    };
    app.update(Msg::Loaded(Loaded::Settings(SettingsData {
        keys: vec![key(1, "SHA256:first"), key(2, "SHA256:second")],
        muted: vec![],
        blocked: vec![],
        totp: false,
        recovery_codes_left: 10,
        presence: true,
        report_bell: None,
        time_zone: None,
    })));
    let screen = snapshot(&mut app, 40, 12);
    assert_screen(
        &screen,
        "
 Haven · Settings                 river
 Your keys
 ▸ ssh-ed25519 SHA256:first  added 197…
   ssh-ed25519 SHA256:second  added 19…

 Second factor: off (t sets it up)
 Recovery codes left: 10 (c makes new
   ones)
 Blocked: nobody (b blocks, u unblocks)
 PgDn/PgUp more · 1-8 of 18

 a add a key · ? help · F1/! help now",
    );
    for _ in 0..3 {
        press(&mut app, ' ');
    }
    let screen = snapshot(&mut app, 40, 12);
    assert!(
        screen.contains("x delete my account (it asks first)")
            && screen.contains("p privacy policy")
            && screen.contains("11-18 of 18"),
        "{screen}"
    );
    app.update(Msg::Key(KeyEvent::new(KeyCode::Down)));
    let screen = snapshot(&mut app, 40, 12);
    assert!(screen.contains("▸ ssh-ed25519 SHA256:second"), "{screen}");
    app.update(Msg::Key(KeyEvent::new(KeyCode::Up)));
    let screen = snapshot(&mut app, 40, 12);
    assert!(
        screen.contains("Your keys\n ▸ ssh-ed25519 SHA256:first"),
        "{screen}"
    );
    // A question's explanation wraps whole above it.
    press(&mut app, 'w');
    let screen = snapshot(&mut app, 40, 12);
    assert!(
        crate::tui::test_support::flat(&screen).contains(
            "Posts with these words or phrases arrive collapsed. Separate them with commas. Muted:"
        ),
        "{screen}"
    );
}

/// Empty notifications and messages at 40×12: the sentence that says what will show there
/// wraps whole, and the footer offers nothing to open.
#[test]
fn empty_notifications_and_messages_say_so_whole_at_40x12() {
    use crate::tui::Loaded;
    let mut app = boards();
    press(&mut app, 'a');
    app.update(Msg::Loaded(Loaded::Notifications(vec![])));
    let screen = snapshot(&mut app, 40, 12);
    assert!(
        crate::tui::test_support::flat(&screen)
            .contains("Nothing yet. Replies to your threads and mentions of you show here."),
        "{screen}"
    );
    assert!(!screen.contains("Enter open"), "{screen}");
    press(&mut app, 'q');
    press(&mut app, 'i');
    app.update(Msg::Loaded(Loaded::Inbox(vec![])));
    let screen = snapshot(&mut app, 40, 12);
    assert!(
        crate::tui::test_support::flat(&screen)
            .contains("No private messages yet. Press n to write to someone."),
        "{screen}"
    );
    assert!(!screen.contains("Enter open"), "{screen}");
}
