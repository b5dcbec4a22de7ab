//! The App, in The Elm Architecture: [`App::update`] is the only place state changes, and it
//! returns [`Effect`]s (store calls, quitting) as values; their results come back as [`Msg`]s.
//! [`App::render`] is pure: it draws the state into a buffer. The App knows nothing of SQL,
//! sockets or terminals, so SSH sessions and the local console drive the same App.
//! See docs/ARCHITECTURE.md, "The life of a key press", and "Where to start" for a new screen.

mod draw;
mod effects;
pub mod keymap;
mod results;
pub mod rich;
pub mod screens;
#[cfg(test)]
mod snapshots;
pub mod strings;
#[cfg(test)]
pub(crate) mod test_support;
pub mod theme;
pub mod widgets;
pub mod zone;

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
use terminput::KeyEvent;

use crate::domain::{DraftPlace, PostId, User};
use crate::store::events::{Event, EventKind};
pub use effects::{Effect, Loaded, PageAt};
use keymap::{Action, Context};
use screens::{Screen, boards::BoardsScreen, signup::SignUpScreen, thread::ThreadScreen};
pub use theme::Theme;

/// Smallest usable terminal (DESIGN.md §4).
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

/// Everything that can change the App.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Key(KeyEvent),
    /// Pasted text, and how many of its characters the input already left out.
    Paste {
        text: String,
        left_out: usize,
    },
    Resize(u16, u16),
    /// Something changed elsewhere (another session, the console, an admin command).
    Live(Event),
    /// The live feed fell behind: reload whatever is on screen.
    LiveLagged,
    Loaded(Loaded),
    /// An effect failed; the text is for the member. Nothing they typed is lost.
    Failed(String),
    /// The server is shutting down.
    ShuttingDown,
    /// The member's account changed (e.g. their role): what they may do follows at once.
    UserChanged(User),
    /// The moment to reload a list that changed elsewhere has come.
    ReloadDue,
}

/// Rows a long notice may take above the status line before it is cut (F3 shows it whole), or
/// half the screen if that is more.
const NOTICE_ROWS: usize = 3;

/// Status-line notices kept for F3.
const NOTICES_KEPT: usize = 20;

/// Lines of text, each with how it is drawn.
type Toned = Vec<(String, widgets::Tone)>;

/// Overlays drawn above the current screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overlay {
    Help,
    HelpNow,
    /// The recent notices, whole.
    Notices,
}

/// A status line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Info(String),
    Error(String),
}

/// Texts the App shows that come from the server's configuration.
#[derive(Debug, Clone, Default)]
pub struct Texts {
    pub name: String,
    /// The documents are the service's own, shared by every session (not copied into each).
    pub guidelines: std::sync::Arc<str>,
    pub privacy: std::sync::Arc<str>,
    pub resources: std::sync::Arc<str>,
    /// "Staying safe here": pseudonyms, what staff never ask, impersonation, reporting.
    pub safety: std::sync::Arc<str>,
    /// The welcome banner (`assets/welcome.md`), before `{name}` and `{handle}` are filled in.
    pub welcome: std::sync::Arc<str>,
    /// Whether sign-up offers the sysop claim field.
    pub claim_pending: bool,
    /// Whether joining needs an invite code.
    pub invite_required: bool,
    /// The command that exports a member's data, with this server's port and host.
    pub export_command: String,
    /// Words for which the composer suggests a content warning.
    pub cw_suggest: Vec<String>,
    /// Moderators and sysops must set up a second factor (`security.require_2fa_for_staff`).
    pub staff_need_2fa: bool,
}

/// The state of one member's UI.
pub struct App {
    pub user: Option<User>,
    pub texts: Texts,
    pub theme: Theme,
    pub width: u16,
    pub height: u16,
    screen: Screen,
    /// Screens to go back to.
    stack: Vec<Screen>,
    overlay: Option<Overlay>,
    /// How far the open overlay is scrolled.
    overlay_scroll: widgets::Scroll,
    status: Option<Status>,
    /// The recent status-line notices, newest last: the status line cuts a long one to its
    /// width, so every notice can be read whole here (F3).
    notices: std::collections::VecDeque<String>,
    /// Set once the App has asked to end; it ignores input after that.
    pub finished: bool,
    /// The last post this session made: its live event is already on screen.
    last_posted: Option<PostId>,
    /// The key this session logged in with (None on the console and at sign-up).
    pub key_id: Option<i64>,
    /// Words left on the terminal after the session ends.
    pub farewell: Option<String>,
    /// The member's safety plan, shown under Help now once loaded.
    safety_plan: Option<String>,
    /// Unread private messages and notifications, shown in the header.
    unread_messages: i64,
    unread_notifications: i64,
    /// For staff: open items in the review queue, and how many are urgent.
    open_reports: Option<(i64, i64)>,
    /// A bell is due (a new urgent report, for a moderator who asked for one).
    bell: bool,
    /// A list on screen has changed elsewhere: reload it soon (see [`App::take_reload_soon`]).
    reload_soon: bool,
    /// The member is banned: the session shows their record and nothing else.
    banned: bool,
    /// The time zone times are shown in (settings, `z`), and its name (None: UTC).
    zone: jiff::tz::TimeZone,
    zone_name: Option<String>,
}

impl App {
    /// An App for a banned member: their record, which says why, until when, and takes one
    /// appeal; Help now works as everywhere.
    pub fn banned(
        user: User,
        until: Option<i64>,
        texts: Texts,
        theme: Theme,
        width: u16,
        height: u16,
    ) -> (App, Vec<Effect>) {
        let (mut app, _) = App::new(Some(user), texts, theme, width, height);
        let until = match until {
            Some(t) => format!("until {}", widgets::format_time_zoned(t)),
            None => "until a moderator lifts it".to_string(),
        };
        app.screen = Screen::Record(screens::record::RecordScreen::banned(format!(
            "This account is banned {until}."
        )));
        app.banned = true;
        (app, vec![Effect::LoadRecord])
    }

    /// An App for a known member (opens the board list) or for sign-up (`user` is None).
    pub fn new(
        user: Option<User>,
        texts: Texts,
        theme: Theme,
        width: u16,
        height: u16,
    ) -> (App, Vec<Effect>) {
        let (screen, effects) = match &user {
            Some(u) => (
                Screen::Boards(BoardsScreen::welcoming(&u.handle)),
                vec![Effect::LoadBoards, Effect::LoadCounts, Effect::LoadOnline],
            ),
            None => (
                Screen::SignUp(SignUpScreen::new(
                    texts.invite_required,
                    texts.claim_pending,
                )),
                vec![],
            ),
        };
        (
            App {
                user,
                texts,
                theme,
                width,
                height,
                screen,
                stack: Vec::new(),
                overlay: None,
                overlay_scroll: widgets::Scroll::default(),
                status: None,
                notices: std::collections::VecDeque::new(),
                finished: false,
                last_posted: None,
                key_id: None,
                farewell: None,
                safety_plan: None,
                unread_messages: 0,
                unread_notifications: 0,
                open_reports: None,
                bell: false,
                reload_soon: false,
                banned: false,
                zone: jiff::tz::TimeZone::UTC,
                zone_name: None,
            },
            effects,
        )
    }

    /// A banned member's App: it shows their record and nothing else.
    pub fn is_banned(&self) -> bool {
        self.banned
    }

    /// How often the screen wants reading again whatever changes (the sysop's dashboard:
    /// uptime, sessions, the database's size); the session sends [`Msg::ReloadDue`].
    pub fn refresh_every(&self) -> Option<std::time::Duration> {
        // Only while its reader is a sysop: one demoted meanwhile is not refused every 5 s.
        (self.is_sysop() && matches!(self.screen, Screen::Dashboard(_)))
            .then_some(screens::dashboard::REFRESH)
    }

    /// Whether the screen shows who is online (the list, or the welcome banner's "Here
    /// now"), and so follows changes in it.
    pub fn shows_online(&self) -> bool {
        match &self.screen {
            Screen::Online(_) => true,
            Screen::Boards(b) => b.welcome.is_some(),
            _ => false,
        }
    }

    /// A moderator or sysop in good standing (their keys show; the server decides anyway).
    pub fn is_staff(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_staff())
    }

    /// Whether the footer offers `action` here: the screen would act on it, and it is this
    /// member's to take (the dashboard and board management are for sysops).
    fn offers(&self, action: keymap::Action) -> bool {
        use keymap::Action::{Dashboard, ManageBoards};
        self.screen.offers(action)
            && (self.is_sysop() || !matches!(action, Dashboard | ManageBoards))
    }

    /// A sysop in good standing: the dashboard and board management are offered.
    fn is_sysop(&self) -> bool {
        self.is_staff()
            && self
                .user
                .as_ref()
                .is_some_and(|u| u.role == crate::domain::Role::Sysop)
    }

    /// Shows a message on the status line (e.g. news waiting for the member at login).
    pub fn notice(&mut self, text: String) {
        self.log_notice(&text);
        self.status = Some(Status::Info(text));
    }

    /// True once when a list on screen (boards, a board's threads) changed elsewhere. The
    /// session reloads it a moment later ([`Msg::ReloadDue`]), once for however many changes
    /// came meanwhile, and each session at its own moment: a post must not make every member
    /// on the board list count at the same instant. An open thread reloads at once.
    pub fn take_reload_soon(&mut self) -> bool {
        std::mem::take(&mut self.reload_soon)
    }

    /// True once when a bell is due (the session sends it with the next frame).
    pub fn take_bell(&mut self) -> bool {
        std::mem::take(&mut self.bell)
    }

    /// Keeps a notice for F3 (the recent notices, whole).
    fn log_notice(&mut self, text: &str) {
        if self.notices.len() == NOTICES_KEPT {
            self.notices.pop_front();
        }
        self.notices.push_back(text.to_string());
    }

    /// Records the session's key (the settings screen marks it and asks before revoking it).
    pub fn set_key(&mut self, key_id: Option<i64>) {
        self.key_id = key_id;
        if let Screen::Boards(b) = &mut self.screen {
            b.current_key = key_id;
        }
    }

    /// Changed documents the member must accept before anything else.
    pub fn require_documents(&mut self, docs: Vec<screens::reaccept::Doc>) -> Vec<Effect> {
        if docs.is_empty() {
            return vec![];
        }
        let current = std::mem::replace(
            &mut self.screen,
            Screen::Reaccept(screens::reaccept::ReacceptScreen::new(docs)),
        );
        self.stack.push(current);
        vec![]
    }

    /// Staff who must have a second factor and have none see its setup before anything else.
    pub fn require_totp(&mut self) -> Vec<Effect> {
        self.stack.clear();
        self.stack.push(Screen::Boards(BoardsScreen {
            current_key: self.key_id,
            ..BoardsScreen::default()
        }));
        self.screen = Screen::Totp(screens::totp::TotpScreen::new(true));
        vec![Effect::StartTotp]
    }

    /// Rows available to a screen's list (screen minus header, footer and status line).
    pub fn body_height(&self) -> u16 {
        self.height.saturating_sub(3 + self.staff_row())
    }

    /// The moderator keys of the current screen, on a row of their own above the footer (shown
    /// to staff only), so they are never crowded out of it.
    fn staff_keys(&self) -> Vec<(&'static str, &'static str)> {
        if !self.is_staff() {
            return vec![];
        }
        keymap::staff_footer(self.context(), |a| self.offers(a))
    }

    fn staff_row(&self) -> u16 {
        u16::from(!self.staff_keys().is_empty())
    }

    fn context(&self) -> Context {
        self.screen.context()
    }

    /// The effect that keeps the current screen's unsaved work, if any (used on disconnect).
    pub fn pending_save(&self) -> Option<Effect> {
        std::iter::once(&self.screen)
            .chain(self.stack.iter())
            .find_map(|s| match s {
                Screen::Compose(c) => c.save_effect(),
                _ => None,
            })
    }

    /// Shows times in the zone the member chose (by its database name; None or an unknown
    /// name: UTC).
    pub fn set_zone(&mut self, name: Option<&str>) {
        match name.map(zone::parse) {
            Some(Ok(Some((name, tz)))) => {
                self.zone = tz;
                self.zone_name = Some(name);
            }
            _ => {
                self.zone = jiff::tz::TimeZone::UTC;
                self.zone_name = None;
            }
        }
    }

    /// The zone's name as the member chose it ("Europe/Berlin"), or "UTC".
    pub fn zone_name(&self) -> &str {
        self.zone_name.as_deref().unwrap_or("UTC")
    }

    /// Applies a message; returns what the driver should do. Times laid out meanwhile are in
    /// the member's zone.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let zone = self.zone.clone();
        zone::within(&zone, || self.update_here(msg))
    }

    fn update_here(&mut self, msg: Msg) -> Vec<Effect> {
        if self.finished {
            return vec![];
        }
        let before = self.status.clone();
        let effects = self.dispatch(msg);
        self.screen.set_width(self.width);
        if self.status != before
            && let Some(Status::Info(t) | Status::Error(t)) = self.status.clone()
        {
            self.log_notice(&t);
        }
        effects
    }

    fn dispatch(&mut self, msg: Msg) -> Vec<Effect> {
        self.screen.set_width(self.width);
        match msg {
            Msg::Resize(w, h) => {
                self.width = w;
                self.height = h;
                self.screen.resized(self.body_height())
            }
            Msg::Key(key) => self.key(key),
            Msg::Paste { text, left_out } => {
                self.overlay = None;
                let left_out = left_out + self.screen.paste(&text);
                if left_out > 0 {
                    self.status = Some(Status::Info(strings::paste_cut(left_out)));
                }
                vec![]
            }
            Msg::Live(event) => self.live(&event),
            Msg::LiveLagged => {
                // Whatever was missed may have moved the header's counts too (a banned member
                // has none: their record is all they see).
                let mut effects = self.screen.reload(self.body_height());
                if self.user.is_some() && !self.banned {
                    effects.push(Effect::LoadCounts);
                }
                effects
            }
            Msg::ReloadDue => match self.screen {
                Screen::Boards(_) | Screen::Threads(_) | Screen::Dashboard(_) => {
                    self.screen.reload(self.body_height())
                }
                _ => vec![],
            },
            Msg::Loaded(loaded) => self.loaded(loaded),
            Msg::Failed(text) => {
                // A composer that was closing could not save: it stays, and says so.
                let was_leaving = matches!(&self.screen, Screen::Compose(c) if c.leaving);
                self.screen.failed();
                self.status = Some(Status::Error(if was_leaving {
                    format!("{text} {}", strings::DRAFT_NOT_SAVED)
                } else {
                    text
                }));
                vec![]
            }
            Msg::UserChanged(user) => {
                // Approved, promoted or demoted: what is on screen may change with it.
                self.user = Some(user);
                self.screen.reload(self.body_height())
            }
            Msg::ShuttingDown => {
                self.status = Some(Status::Info(strings::RESTARTING.into()));
                // Also said on the member's own screen after the board's is gone.
                self.farewell = Some(strings::RESTARTING.into());
                let mut effects: Vec<Effect> = self.pending_save().into_iter().collect();
                effects.push(Effect::Quit);
                self.finished = true;
                effects
            }
        }
    }

    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctx = self.context();
        let action = keymap::lookup(ctx, &key, self.is_staff());
        // Quick exit works everywhere, over everything, at once; the session saves the draft
        // after the screen is wiped.
        if action == Some(Action::QuickExit) {
            self.finished = true;
            return vec![Effect::QuickExit];
        }
        if let Some(overlay) = self.overlay {
            return self.overlay_key(overlay, &key);
        }
        self.status = None;
        // Before a post with a heavy word goes out without a content warning, suggest one once.
        if action == Some(Action::Send)
            && let Screen::Compose(c) = &mut self.screen
            && let Some(word) = c.needs_cw_suggestion(&self.texts.cw_suggest)
        {
            self.status = Some(Status::Info(format!(
                "This post mentions \u{201c}{word}\u{201d}: consider a content warning (the CW field). \
                 Ctrl-S again posts it as it is."
            )));
            return vec![];
        }
        match action {
            Some(Action::Notices) => {
                self.overlay = Some(Overlay::Notices);
                // Newest first, at the top.
                self.overlay_scroll = widgets::Scroll::default();
                return vec![];
            }
            Some(Action::Help) => {
                self.overlay = Some(Overlay::Help);
                self.overlay_scroll = widgets::Scroll::default();
                return vec![];
            }
            // The theme is the App's: settings offers it, the App changes and remembers it.
            Some(Action::CycleTheme) if self.user.is_some() => {
                return vec![Effect::SetTheme(self.theme.next())];
            }
            Some(Action::HelpNow) => {
                self.overlay = Some(Overlay::HelpNow);
                self.overlay_scroll = widgets::Scroll::default();
                return if self.user.is_some() {
                    vec![Effect::LoadSafetyPlan]
                } else {
                    vec![]
                };
            }
            Some(Action::Quit) if ctx != Context::Threads => {
                self.finished = true;
                let mut effects: Vec<Effect> = self.pending_save().into_iter().collect();
                effects.push(Effect::Quit);
                return effects;
            }
            _ => {}
        }
        let body = self.body_height();
        let outcome = self.screen.key(&key, action, body, self.user.as_ref());
        self.apply(outcome)
    }

    /// A key while an overlay is open. It scrolls, closes (Esc, q, Enter, or the key that
    /// opened it), or, from Help now, opens the safety plan (`e`); any other key does nothing,
    /// so a stray key never closes Help now on a member in a hard moment.
    fn overlay_key(&mut self, overlay: Overlay, key: &KeyEvent) -> Vec<Effect> {
        use terminput::{KeyCode, KeyModifiers};
        let (_, text, foot) = self.overlay_text(overlay);
        let (_, inner) = self.overlay_area(&text, &foot);
        let (total, rows) = widgets::scrolled_rows(inner.width, inner.height, &text, &foot);
        if self.overlay_scroll.key(key, total, rows) {
            return vec![];
        }
        let plain = key.modifiers.is_empty() || key.modifiers == KeyModifiers::SHIFT;
        // Help now closes only on Esc or q: a member in a hard moment may press anything.
        let close = match key.code {
            KeyCode::Esc => true,
            KeyCode::Char('q') if plain => true,
            KeyCode::Enter => overlay != Overlay::HelpNow,
            KeyCode::Char('?') if plain => overlay == Overlay::Help,
            KeyCode::F(3) => overlay == Overlay::Notices,
            _ => false,
        };
        if close {
            self.overlay = None;
            return vec![];
        }
        // From Help and Help now, `s` opens "Staying safe here".
        if matches!(overlay, Overlay::HelpNow | Overlay::Help)
            && key.code == KeyCode::Char('s')
            && key.modifiers.is_empty()
        {
            self.overlay = None;
            let page = screens::document::DocumentScreen::new(screens::document::Doc::Safety);
            let old = std::mem::replace(&mut self.screen, Screen::Document(page));
            self.stack.push(old);
            return vec![];
        }
        // From Help now, `e` opens the member's safety plan.
        if overlay == Overlay::HelpNow
            && key.code == KeyCode::Char('e')
            && key.modifiers.is_empty()
            && self.user.is_some()
        {
            self.overlay = None;
            let plan = screens::plan::PlanScreen::new(self.safety_plan.as_deref());
            let old = std::mem::replace(&mut self.screen, Screen::Plan(plan));
            self.stack.push(old);
            return vec![Effect::LoadSafetyPlan];
        }
        vec![]
    }

    /// Applies what a screen asked for: navigation, a status line, effects.
    fn apply(&mut self, outcome: screens::Outcome) -> Vec<Effect> {
        if let Some(status) = outcome.status {
            self.status = Some(status);
        }
        match outcome.nav {
            screens::Nav::Stay => {}
            screens::Nav::Push(screen) => {
                let old = std::mem::replace(&mut self.screen, *screen);
                self.stack.push(old);
            }
            screens::Nav::Replace(screen) => self.screen = *screen,
            screens::Nav::Back => match self.stack.pop() {
                Some(prev) => {
                    self.screen = prev;
                    let mut effects = outcome.effects;
                    effects.extend(self.screen.reload(self.body_height()));
                    return effects;
                }
                None => {
                    self.finished = true;
                    let mut effects = outcome.effects;
                    effects.push(Effect::Quit);
                    return effects;
                }
            },
            screens::Nav::Quit => {
                self.finished = true;
                let mut effects = outcome.effects;
                effects.push(Effect::Quit);
                return effects;
            }
        }
        outcome.effects
    }

    fn live(&mut self, event: &Event) -> Vec<Effect> {
        let Some(me) = self.user.as_ref().map(|u| u.id) else {
            return vec![];
        };
        if event.kind == EventKind::UserChanged {
            return vec![];
        }
        if event.kind == EventKind::Announcement {
            // A sysop spoke to everyone: the status line shows it, whatever the screen.
            return vec![Effect::LoadAnnouncement(event.id)];
        }
        if event.kind == EventKind::Presence {
            // Who is online changed: an open list follows (the service decides who shows).
            return match &self.screen {
                Screen::Online(_) => self.screen.reload(self.body_height()),
                Screen::Boards(b) if b.welcome.is_some() => vec![Effect::LoadOnline],
                _ => vec![],
            };
        }
        if event.kind == EventKind::Reports {
            // The review queue changed: moderators' headers (and an open queue) follow.
            if !self.is_staff() {
                return vec![];
            }
            let mut effects = vec![Effect::LoadCounts];
            if matches!(self.screen, Screen::Reports(_)) {
                effects.push(Effect::LoadReports);
            }
            if matches!(self.screen, Screen::Dashboard(_)) {
                effects.push(Effect::LoadStats);
            }
            return effects;
        }
        if event.kind == EventKind::Message {
            // Only this member's own messages concern them; the event names no one else.
            if event.user != Some(me) {
                return vec![];
            }
            let mut effects = vec![Effect::LoadCounts];
            // Lists show unread counts too: read marks written in a batch arrive this way.
            if matches!(
                self.screen,
                Screen::Inbox(_)
                    | Screen::Conversation(_)
                    | Screen::Activity(_)
                    | Screen::Boards(_)
                    | Screen::Threads(_)
            ) {
                effects.extend(self.screen.reload(self.body_height()));
            }
            return effects;
        }
        let relevant = match &self.screen {
            Screen::Boards(_) => true,
            Screen::Threads(s) => event.board == Some(s.board_id),
            Screen::Thread(s) => event.thread == Some(s.thread_id),
            _ => false,
        };
        // This session's own new post is on screen already; any other change to it is not.
        let own_new_post = matches!(event.kind, EventKind::NewPost | EventKind::NewThread)
            && event.post.is_some()
            && event.post == self.last_posted;
        if !relevant || own_new_post {
            return vec![];
        }
        // A quiet reload: the reader's view decides what shows. No "new posts" notice here,
        // since the change may be a blocked member's, which must not be seen even as a notice.
        if matches!(self.screen, Screen::Boards(_) | Screen::Threads(_)) {
            self.reload_soon = true;
            return vec![];
        }
        self.screen.reload(self.body_height())
    }
}
