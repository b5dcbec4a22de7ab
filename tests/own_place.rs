//! Making Haven one's own, through real SSH sessions: the welcome on arrival, a member's time
//! zone, the plain theme for screen readers; and the sysop's dashboard.

use super::util::{self, Member, TestServer, keys, new_key};

/// The sysop's dashboard, at 40×12 and then 200×60: sessions, the day's posts as a chart (the
/// last hour's bar full height), open reports with the urgent one named, and the database's
/// size; it follows an urgent report at once and new posts within seconds, without a key.
/// A moderator is told the dashboard is for sysops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sysop_dashboard_shows_the_server_live_at_any_size() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let sysop_key = util::add_user(dir.path(), "keeper", "sysop");
    let mod_key = util::add_user(dir.path(), "warden", "moderator");
    let mut fern = Member::sign_up(server.addr, &new_key(), "fern").await;
    fern.post_thread("Rough night", "could not sleep again")
        .await;

    let mut sysop = Member::connect(server.addr, &sysop_key, 40, 12).await;
    sysop.wait_for("Small wins").await;
    sysop.send(b"m").await;
    sysop.wait_for("waiting for approval").await;
    sysop.send(b"d").await;
    let screen = sysop
        .wait_until(
            |s| util::flat(s).contains("last 24 h: 1"),
            "the day's posts",
        )
        .await;
    let flat = util::flat(&screen);
    assert!(flat.contains("2 sessions (2 members)"), "{screen}");
    assert!(flat.contains("No open reports"), "{screen}");
    assert!(flat.contains("database") && flat.contains("KB"), "{screen}");
    assert!(screen.contains("24 h ago"), "{screen}");
    // One bar per hour, 24 columns from the left margin; the last hour's is full height.
    let rows: Vec<&str> = screen.lines().collect();
    let bar_rows = rows
        .iter()
        .filter(|l| l.chars().nth(24) == Some('█'))
        .count();
    assert!(bar_rows >= 1, "the last hour's bar:\n{screen}");

    // An urgent report shows at once; a new post within the refresh.
    fern.send(keys::TAB).await;
    fern.send(b"f").await;
    fern.wait_for("as [someone may be at risk]").await;
    fern.send(b"please look\r").await;
    fern.wait_for("emergency").await;
    sysop
        .wait_until(
            |s| util::flat(s).contains("1 open report, 1 urgent"),
            "the urgent report",
        )
        .await;
    fern.send(keys::ESC).await;
    fern.reply("still here").await;
    sysop
        .wait_until(|s| util::flat(s).contains("last 24 h: 2"), "the new post")
        .await;

    // Wide: the bars spread across the width, and the urgent item is named.
    sysop.resize(200, 60).await;
    let screen = sysop.wait_for("! post").await;
    assert!(util::flat(&screen).contains("· urgent"), "{screen}");
    let bar_row = screen
        .lines()
        .find(|l| l.contains('█'))
        .unwrap_or_else(|| panic!("a bar:\n{screen}"));
    let bar_cols = bar_row.chars().filter(|&c| c == '█').count();
    assert!(
        bar_cols >= 8,
        "an hour's bar is 8 columns wide at 200:\n{screen}"
    );

    let mut warden = Member::connect(server.addr, &mod_key, 80, 24).await;
    warden.wait_for("Small wins").await;
    warden.send(b"m").await;
    warden.wait_for("waiting for approval").await;
    warden.send(b"d").await;
    warden.wait_for("Only sysops can do that.").await;
    sysop
        .wait_until(
            |s| util::flat(s).contains("3 sessions"),
            "the moderator's session",
        )
        .await;

    // Made a moderator from the shell: what the dashboard showed goes, and why is said.
    let (code, _, err) = util::bbs(&[
        std::ffi::OsStr::new("admin"),
        std::ffi::OsStr::new("role"),
        std::ffi::OsStr::new("keeper"),
        std::ffi::OsStr::new("moderator"),
        std::ffi::OsStr::new("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let screen = sysop
        .wait_until(
            |s| util::flat(s).contains("Only sysops can do that."),
            "the refusal",
        )
        .await;
    assert!(!screen.contains("Posts in the last"), "{screen}");
    server.stop().await;
}

/// A member arriving meets the sysop's welcome (`welcome.md` in the data dir, its escapes
/// made harmless) with who else is here of those who chose to be seen; it goes once they move
/// on, and a terminal too small for it and every board shows the boards alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_welcome_banner_greets_with_who_is_here_and_then_steps_aside() {
    let dir = util::data_dir();
    std::fs::write(
        dir.path().join("welcome.md"),
        "Hello {handle}, this is {name}.\x1b[31m Be kind.\n",
    )
    .expect("write welcome.md");
    let server = TestServer::start_in(dir.path()).await;
    let mut ash = Member::sign_up(server.addr, &new_key(), "ash").await;
    let screen = ash.wait_for("Hello ash, this is Haven.").await;
    assert!(
        screen.contains("Nobody else who chose to be seen is here just now."),
        "{screen}"
    );
    ash.send(b"s").await;
    ash.wait_for("Who's online").await;
    ash.send(b"o").await;
    ash.wait_for("You now show in who's online").await;

    let mut birch = Member::sign_up(server.addr, &new_key(), "birch").await;
    let screen = birch.wait_for("Here now: ash.").await;
    assert!(screen.contains("Hello birch, this is Haven."), "{screen}");
    assert!(!screen.contains("[31m"), "{screen}");
    assert!(util::flat(&screen).contains("Be kind."), "{screen}");
    // The escape did not colour anything: the words after it are drawn as the words before.
    let screen_cells = birch.parser.screen();
    let (row, col) = screen
        .lines()
        .enumerate()
        .find_map(|(r, l)| l.find("Be kind").map(|c| (r, l[..c].chars().count())))
        .expect("the line");
    let cell = screen_cells
        .cell(row as u16, col as u16)
        .expect("a cell")
        .clone();
    let before = screen_cells.cell(row as u16, 1).expect("a cell").clone();
    assert_eq!(cell.fgcolor(), before.fgcolor(), "{screen}");

    // "Here now" follows arrivals and departures without a key pressed.
    let mut dale = Member::sign_up(server.addr, &new_key(), "dale").await;
    dale.send(b"s").await;
    dale.wait_for("Who's online").await;
    dale.send(b"o").await;
    dale.wait_for("You now show in who's online").await;
    birch.wait_for("Here now: ash, dale.").await;
    ash.disconnect().await;
    birch.wait_for("Here now: dale.").await;

    // Into a board and back: the list has the room to itself.
    birch.send(keys::ENTER).await;
    birch.wait_for("new thread").await;
    birch.send(keys::ESC).await;
    let screen = birch
        .wait_until(
            |s| s.contains("Small wins") && !s.contains("Hello"),
            "the banner gone",
        )
        .await;
    assert!(!screen.contains("Here now"), "{screen}");

    // At 40×12 the banner would push boards off the screen: the boards show alone.
    let mut cedar = Member::sign_up(server.addr, &new_key(), "cedar").await;
    cedar.resize(40, 12).await;
    let screen = cedar
        .wait_until(
            |s| s.contains("General") && !s.contains("Hello"),
            "every board",
        )
        .await;
    assert!(
        screen.contains("Welcome") && screen.contains("Small wins"),
        "{screen}"
    );
    cedar.resize(100, 40).await;
    cedar.wait_for("Hello cedar, this is Haven.").await;
    server.stop().await;
}

/// A member who chooses a time zone (settings, `z`) reads every time in it, named: the same
/// post's time moves by the zone's offset, and the choice is remembered at the next login. A
/// name the server does not know is refused with examples, and nothing changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn times_show_in_the_zone_a_member_chose_and_it_is_remembered() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let mut fern = Member::sign_up(server.addr, &key, "fern").await;
    fern.post_thread("Morning", "up early").await;
    let time_of = |screen: &str| -> (i64, i64) {
        let line = screen
            .lines()
            .find(|l| l.contains("fern · "))
            .unwrap_or_else(|| panic!("the post's header:\n{screen}"));
        let at = line.split("fern · ").nth(1).expect("after the name");
        let hm = at.split_whitespace().nth(1).expect("the time");
        let (h, m) = hm.split_once(':').expect("hh:mm");
        (h.parse().expect("hour"), m[..2].parse().expect("minute"))
    };
    let utc = time_of(&fern.wait_for("up early").await);

    fern.send(keys::ESC).await;
    fern.send(keys::ESC).await;
    fern.send(b"s").await;
    fern.wait_for("Time zone: UTC (z changes it)").await;
    fern.send(b"z").await;
    fern.wait_for("A name like Europe/Berlin").await;
    fern.send(b"Mars/Olympus\r").await;
    fern.wait_for("is not a time zone this server knows").await;
    fern.wait_for("Time zone: UTC").await;
    fern.send(b"z").await;
    fern.send(b"asia/kolkata\r").await;
    fern.wait_for("Times now show in Asia/Kolkata (IST).").await;
    fern.wait_for("Time zone: Asia/Kolkata").await;

    // Kolkata is 5 h 30 ahead of UTC, all year.
    let shifted = |(h, m): (i64, i64)| {
        let minutes = (h * 60 + m + 330).rem_euclid(24 * 60);
        (minutes / 60, minutes % 60)
    };
    fern.send(keys::ESC).await;
    fern.wait_for("Small wins").await;
    fern.send(keys::ENTER).await;
    fern.wait_for("Morning").await;
    fern.send(keys::ENTER).await;
    let screen = fern.wait_for("up early").await;
    assert_eq!(time_of(&screen), shifted(utc), "{screen}");
    fern.disconnect().await;

    let mut again = Member::connect(server.addr, &key, 80, 24).await;
    again.wait_for("Small wins").await;
    again.send(keys::ENTER).await;
    again.wait_for("Morning").await;
    again.send(keys::ENTER).await;
    let screen = again.wait_for("up early").await;
    assert_eq!(time_of(&screen), shifted(utc), "{screen}");
    server.stop().await;
}

/// Box drawing, block elements and the selection triangle: what a screen reader spells out.
fn decoration(screen: &str) -> Vec<char> {
    screen
        .chars()
        .filter(|c| ('\u{2500}'..='\u{259f}').contains(c) || *c == '▸')
        .collect()
}

/// The plain theme, for screen readers: chosen in settings and remembered, kept on a terminal
/// that forces no colour (TERM=dumb, through the system ssh), and no screen draws a border, a
/// bar or a triangle in it: the selection and a quote are marked `>`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plain_theme_draws_no_box_or_bar_on_any_screen_even_on_a_dumb_terminal() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut alder = Member::sign_up(server.addr, &new_key(), "alder").await;
    alder.post_thread("Plain words", "a post to quote").await;
    alder.send(keys::TAB).await;
    alder.send(b"Q").await;
    alder.wait_for("[quote #").await;
    alder.send(b"and a reply").await;
    alder.send(keys::CTRL_S).await;
    alder.wait_for("Posted.").await;
    alder.disconnect().await;

    let key = new_key();
    let mut reader = Member::sign_up(server.addr, &key, "reader").await;
    reader.send(b"s").await;
    reader.wait_for("Colours: dark").await;
    for _ in 0..4 {
        reader.send(b"T").await;
    }
    reader.wait_for("Theme: plain").await;
    reader.disconnect().await;

    let tmp = util::data_dir();
    let mut cmd = portable_pty::CommandBuilder::new("ssh");
    cmd.args(util::openssh_args(&server, &key, tmp.path()));
    cmd.args(["-tt", "127.0.0.1"]);
    cmd.env("TERM", "dumb");
    let mut ssh = util::PtyProgram::spawn(cmd, 40, 12);
    let screen = ssh.wait_for("Small wins").await;
    assert!(
        screen.contains("> Welcome"),
        "the selection is >:\n{screen}"
    );
    assert_eq!(decoration(&screen), Vec::<char>::new(), "{screen}");
    ssh.send(b"s");
    ssh.wait_for("Your keys").await;
    // At 40×12 settings is taller than the screen: the colours are further down.
    let screen = ssh.page_to("Colours: plain").await;
    assert_eq!(decoration(&screen), Vec::<char>::new(), "{screen}");
    ssh.send(keys::ESC);
    ssh.wait_for("Small wins").await;
    ssh.send(keys::ENTER);
    ssh.wait_for("Plain words").await;
    ssh.send(keys::ENTER);
    ssh.wait_for("and a reply").await;
    // The reply's quote, scrolled into view: its bar is `>`.
    let screen = ssh.wait_for("> alder wrote:").await;
    assert_eq!(decoration(&screen), Vec::<char>::new(), "{screen}");
    ssh.send(b"r");
    let screen = ssh.wait_for("Text").await;
    assert_eq!(
        decoration(&screen),
        Vec::<char>::new(),
        "the composer:\n{screen}"
    );
    ssh.send(keys::ESC);
    ssh.wait_for("and a reply").await;
    ssh.send(b"?");
    let screen = ssh.wait_for("Keys").await;
    assert_eq!(decoration(&screen), Vec::<char>::new(), "help:\n{screen}");
    ssh.send(keys::ESC);
    // Help closed first: an Esc and a key in one packet read as Alt and the key.
    ssh.drain(std::time::Duration::from_millis(300)).await;
    assert!(!ssh.screen().contains("Keys on this screen"), "help closed");
    ssh.send(b"!");
    let screen = ssh.wait_for("Help now").await;
    assert_eq!(
        decoration(&screen),
        Vec::<char>::new(),
        "help now:\n{screen}"
    );
    server.stop().await;
}

/// Through the system ssh at 40×12: a sysop's dashboard, a time zone chosen in settings, and
/// the composer's preview and back, as a member's own terminal shows them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_a_time_zone_and_the_preview_through_openssh_at_40x12() {
    let dir = util::data_dir();
    let mut config = util::unlimited(dir.path());
    config.require_2fa_for_staff = false;
    let server = TestServer::start_with(config).await;
    let key = util::add_user(dir.path(), "keeper", "sysop");
    let tmp = util::data_dir();
    let mut ssh = util::openssh(&server, &key, 40, 12, tmp.path());
    ssh.wait_for("Small wins").await;
    ssh.send(b"m");
    ssh.wait_for("waiting for approval").await;
    ssh.send(b"d");
    let screen = ssh.wait_for("24 h ago").await;
    assert!(screen.contains("No posts in the last day."), "{screen}");
    assert!(screen.contains("1 session (1 member)"), "{screen}");
    ssh.send(keys::ESC);
    ssh.wait_for("waiting for approval").await;
    ssh.send(keys::ESC);
    ssh.wait_for("Small wins").await;

    ssh.send(b"s");
    ssh.wait_for("Your keys").await;
    ssh.page_to("Time zone: UTC").await;
    ssh.send(b"z");
    ssh.wait_for("Time zone:").await;
    ssh.send(b"Asia/Tokyo\r");
    ssh.wait_for("Asia/Tokyo (JST)").await;
    ssh.send(keys::ESC);
    ssh.wait_for("Small wins").await;

    ssh.send(keys::ENTER);
    ssh.wait_for("new thread").await;
    ssh.send(b"c");
    ssh.wait_for("Title").await;
    ssh.send(b"Plans\t\tsome **strong** words");
    ssh.wait_for("**strong**").await;
    ssh.send(&[0x10]); // Ctrl-P
    let screen = ssh.wait_for("Preview").await;
    assert!(
        screen.contains("some strong words") && !screen.contains("**"),
        "{screen}"
    );
    ssh.drain(std::time::Duration::from_millis(200)).await;
    ssh.send(keys::ESC);
    let screen = ssh.wait_for("**strong**").await;
    assert!(!screen.contains("Preview"), "{screen}");
    ssh.send(keys::CTRL_S);
    ssh.wait_for("Posted.").await;
    // The post's time reads in Tokyo, nine hours ahead of UTC (within the minute or two the
    // test took).
    let screen = ssh.wait_for("keeper · 20").await;
    let line = screen
        .lines()
        .find(|l| l.contains("keeper · 20"))
        .expect("the post's header");
    let hm = line.split_whitespace().nth(3).expect("hh:mm");
    let (h, m) = hm.split_once(':').expect("hh:mm");
    let shown: i64 = h.parse::<i64>().expect("hour") * 60 + m.parse::<i64>().expect("minute");
    let utc = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
        / 60
        % 1440;
    let tokyo = (utc + 9 * 60) % 1440;
    let apart = (tokyo - shown).rem_euclid(1440);
    assert!(apart <= 2, "shown {hm}, Tokyo now {tokyo} min:\n{screen}");
    server.stop().await;
}

/// Help now is F1 away at every step of joining and on the record screen, through the system
/// `ssh` at 40×12: over the guidelines, over the recovery codes (which are still there after),
/// and over a member's record, where `?` lists the keys too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_now_opens_while_joining_and_on_the_record_through_openssh_at_40x12() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let tmp = util::data_dir();
    let mut ssh = util::openssh(&server, &new_key(), 40, 12, tmp.path());
    let help_now = |ssh: &mut util::PtyProgram| {
        ssh.send(keys::F1);
    };
    ssh.wait_for("Community guidelines").await;
    help_now(&mut ssh);
    let screen = ssh.wait_for("emergency").await;
    assert!(screen.contains("Help now"), "{screen}");
    ssh.send(keys::ESC);
    ssh.drain(std::time::Duration::from_millis(200)).await;
    ssh.wait_for("Community guidelines").await;
    ssh.send(b"a");
    ssh.wait_for("Privacy policy").await;
    ssh.send(b"a");
    ssh.wait_for("Choose a handle").await;
    ssh.send(b"joiner\r");
    ssh.wait_for("Join as").await;
    ssh.send(b"\r");
    ssh.wait_for("Your recovery codes").await;
    help_now(&mut ssh);
    ssh.wait_for("emergency").await;
    ssh.send(keys::ESC);
    ssh.drain(std::time::Duration::from_millis(200)).await;
    let screen = ssh.wait_for("Your recovery codes").await;
    assert!(!screen.contains("emergency"), "{screen}");
    ssh.send(keys::ENTER);
    ssh.wait_for("y goes on").await;
    ssh.send(b"y");
    ssh.wait_for("Small wins").await;
    ssh.send(b"s");
    ssh.wait_for("Your keys").await;
    ssh.send(b"r");
    ssh.wait_for("My record").await;
    help_now(&mut ssh);
    ssh.wait_for("emergency").await;
    ssh.send(keys::ESC);
    ssh.drain(std::time::Duration::from_millis(200)).await;
    ssh.send(b"?");
    let screen = ssh.wait_for("Keys on this screen").await;
    assert!(util::flat(&screen).contains("appeal"), "{screen}");
    server.stop().await;
}
