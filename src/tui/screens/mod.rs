//! The screens. Each is a small state struct in its own file with its key table (`KEYS`) and
//! its [`View`] implementation; the App talks to the open one through [`Screen`], which only
//! hands it the [`View`], and applies the [`Outcome`] it returns.

pub mod activity;
pub mod audit;
pub mod boards;
pub mod compose;
pub mod conversation;
pub mod dashboard;
pub mod document;
pub mod history;
pub mod inbox;
pub mod manage_boards;
pub mod notice;
pub mod online;
pub mod plan;
pub mod profile;
pub mod reaccept;
pub mod record;
pub mod report_prompt;
pub mod reports;
pub mod search;
pub mod settings;
pub mod signup;
pub mod staff;
pub mod thread;
pub mod threads;
pub mod totp;

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::keymap::{Action, Context};
use super::{Effect, Loaded, Status, Texts, Theme};
use crate::domain::User;
use crate::tui::widgets;

/// Where to go after a key.
pub enum Nav {
    Stay,
    Push(Box<Screen>),
    Replace(Box<Screen>),
    Back,
    Quit,
}

/// What a screen asks of the App.
pub struct Outcome {
    pub nav: Nav,
    pub effects: Vec<Effect>,
    pub status: Option<Status>,
}

impl Outcome {
    pub fn none() -> Outcome {
        Outcome {
            nav: Nav::Stay,
            effects: vec![],
            status: None,
        }
    }
    pub fn effects(effects: Vec<Effect>) -> Outcome {
        Outcome {
            nav: Nav::Stay,
            effects,
            status: None,
        }
    }
    pub fn nav(nav: Nav, effects: Vec<Effect>) -> Outcome {
        Outcome {
            nav,
            effects,
            status: None,
        }
    }
    pub fn status(status: Status) -> Outcome {
        Outcome {
            nav: Nav::Stay,
            effects: vec![],
            status: Some(status),
        }
    }
}

/// The current screen.
pub enum Screen {
    SignUp(signup::SignUpScreen),
    Boards(boards::BoardsScreen),
    Threads(threads::ThreadsScreen),
    Thread(thread::ThreadScreen),
    Compose(compose::ComposeScreen),
    Notice(notice::NoticeScreen),
    Settings(settings::SettingsScreen),
    Totp(totp::TotpScreen),
    Staff(staff::StaffScreen),
    Audit(audit::AuditScreen),
    Reaccept(reaccept::ReacceptScreen),
    Plan(plan::PlanScreen),
    Reports(reports::ReportsScreen),
    Record(record::RecordScreen),
    Inbox(inbox::InboxScreen),
    Conversation(conversation::ConversationScreen),
    History(history::HistoryScreen),
    ManageBoards(manage_boards::ManageBoardsScreen),
    Activity(activity::ActivityScreen),
    Search(search::SearchScreen),
    Online(online::OnlineScreen),
    Profile(profile::ProfileScreen),
    Document(document::DocumentScreen),
    Dashboard(dashboard::DashboardScreen),
}

/// What every screen does, implemented in each screen's own file: its keys' context, its
/// title, what a key, a paste or a result does to it, what it reloads, and how it draws. The
/// App talks to the open screen through this trait only.
pub trait View {
    fn context(&self) -> Context;
    fn title(&self) -> String;
    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        body: u16,
        user: Option<&User>,
    ) -> Outcome;
    /// Pasted text; returns how many characters did not fit.
    fn paste(&mut self, _text: &str) -> usize {
        0
    }
    fn loaded(&mut self, loaded: Loaded, body: u16) -> Vec<Effect>;
    /// What to load again after a live change or on coming back.
    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        vec![]
    }
    /// The terminal's width (for screens that lay out lines by it).
    fn set_width(&mut self, _width: u16) {}
    fn resized(&mut self, _body: u16) -> Vec<Effect> {
        vec![]
    }
    /// An effect failed: stop showing "busy".
    fn failed(&mut self) {}
    /// Whether `action` would do anything here now: the footer offers only what would (help
    /// lists every key whatever this says).
    fn offers(&self, _action: Action) -> bool {
        true
    }
    fn render(&self, area: Rect, buf: &mut Buffer, theme: Theme, texts: &Texts)
    -> Option<Position>;
}

impl Screen {
    /// The open screen, as the App talks to it.
    fn view(&self) -> &dyn View {
        match self {
            Screen::SignUp(s) => s,
            Screen::Boards(s) => s,
            Screen::Threads(s) => s,
            Screen::Thread(s) => s,
            Screen::Compose(s) => s,
            Screen::Notice(s) => s,
            Screen::Settings(s) => s,
            Screen::Totp(s) => s,
            Screen::Staff(s) => s,
            Screen::Audit(s) => s,
            Screen::Reaccept(s) => s,
            Screen::Plan(s) => s,
            Screen::Reports(s) => s,
            Screen::Record(s) => s,
            Screen::Inbox(s) => s,
            Screen::Conversation(s) => s,
            Screen::History(s) => s,
            Screen::ManageBoards(s) => s,
            Screen::Activity(s) => s,
            Screen::Search(s) => s,
            Screen::Online(s) => s,
            Screen::Document(s) => s,
            Screen::Profile(s) => s,
            Screen::Dashboard(s) => s,
        }
    }

    fn view_mut(&mut self) -> &mut dyn View {
        match self {
            Screen::SignUp(s) => s,
            Screen::Boards(s) => s,
            Screen::Threads(s) => s,
            Screen::Thread(s) => s,
            Screen::Compose(s) => s,
            Screen::Notice(s) => s,
            Screen::Settings(s) => s,
            Screen::Totp(s) => s,
            Screen::Staff(s) => s,
            Screen::Audit(s) => s,
            Screen::Reaccept(s) => s,
            Screen::Plan(s) => s,
            Screen::Reports(s) => s,
            Screen::Record(s) => s,
            Screen::Inbox(s) => s,
            Screen::Conversation(s) => s,
            Screen::History(s) => s,
            Screen::ManageBoards(s) => s,
            Screen::Activity(s) => s,
            Screen::Search(s) => s,
            Screen::Online(s) => s,
            Screen::Document(s) => s,
            Screen::Profile(s) => s,
            Screen::Dashboard(s) => s,
        }
    }

    pub fn context(&self) -> Context {
        self.view().context()
    }

    pub fn title(&self) -> String {
        self.view().title()
    }

    pub fn offers(&self, action: Action) -> bool {
        self.view().offers(action)
    }

    pub fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        body: u16,
        user: Option<&User>,
    ) -> Outcome {
        self.view_mut().key(key, action, body, user)
    }

    /// Gives pasted text to the screen; returns how many characters did not fit.
    pub fn paste(&mut self, text: &str) -> usize {
        self.view_mut().paste(text)
    }

    pub fn loaded(&mut self, loaded: Loaded, body: u16) -> Vec<Effect> {
        self.view_mut().loaded(loaded, body)
    }

    /// Reload what is shown (after a live change or coming back to it).
    pub fn reload(&mut self, body: u16) -> Vec<Effect> {
        self.view_mut().reload(body)
    }

    /// Tells the screen the terminal's width (the thread view lays out lines by it).
    pub fn set_width(&mut self, width: u16) {
        self.view_mut().set_width(width)
    }

    pub fn resized(&mut self, body: u16) -> Vec<Effect> {
        self.view_mut().resized(body)
    }

    /// An effect failed: stop showing "busy".
    pub fn failed(&mut self) {
        self.view_mut().failed()
    }

    pub fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        texts: &Texts,
    ) -> Option<Position> {
        self.view().render(area, buf, theme, texts)
    }
}

/// Moves a selection within `len` rows by an action; true if it was a movement.
pub fn move_selection(selected: &mut usize, len: usize, action: Action, page: usize) -> bool {
    let last = len.saturating_sub(1);
    match action {
        Action::Up => *selected = selected.saturating_sub(1),
        Action::Down => *selected = (*selected + 1).min(last),
        Action::PageUp => *selected = selected.saturating_sub(page.max(1)),
        Action::PageDown => *selected = (*selected + page.max(1)).min(last),
        Action::Top => *selected = 0,
        Action::Bottom => *selected = last,
        _ => return false,
    }
    true
}

/// A document to accept (guidelines, privacy policy) as it is read: where it is scrolled to,
/// and its size as last drawn, so keys scroll exactly as the screen shows and stop at its end.
#[derive(Default)]
pub struct Reading {
    scroll: widgets::Scroll,
    shown: std::cell::Cell<(usize, usize)>,
}

impl Reading {
    /// A scrolling key (↑↓ j k, PgUp PgDn Space b, Home End g G); false when it is not one.
    pub fn key(&mut self, key: &KeyEvent) -> bool {
        let (total, rows) = self.shown.get();
        self.scroll.key(key, total, rows)
    }

    /// Back to the top, for the next document.
    pub fn restart(&mut self) {
        self.scroll = widgets::Scroll::default();
    }

    /// Draws the introduction and the text, scrolled, with where the reader is below them.
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: Theme, intro: &str, text: &str) {
        use widgets::Tone;
        let mut lines = vec![
            (intro.to_string(), Tone::Title),
            (String::new(), Tone::Plain),
        ];
        lines.extend(text.lines().map(|l| (l.to_string(), Tone::Plain)));
        lines.push((String::new(), Tone::Plain));
        lines.push(("Press a to accept, q to leave.".to_string(), Tone::Key));
        // The footer says how to accept or leave; the mark below the text, where it is.
        let foot: [(String, Tone); 0] = [];
        let inner = Rect {
            x: area.x + 1,
            width: area.width.saturating_sub(2),
            ..area
        };
        self.shown.set(widgets::draw_scrolled_marked(
            inner,
            buf,
            &lines,
            &foot,
            self.scroll,
            theme,
        ));
    }
}
