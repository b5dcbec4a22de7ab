//! The App, in The Elm Architecture: [`App::update`] is the only place state changes, and it
//! returns [`Effect`]s (store calls, quitting) as values; their results come back as [`Msg`]s.
//! [`App::render`] is pure: it draws the state into a buffer. The App knows nothing of SQL,
//! sockets or terminals, so SSH sessions and the local console drive the same App.

pub mod keymap;
pub mod screens;
pub mod strings;
pub mod theme;
pub mod widgets;

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
use terminput::KeyEvent;

use crate::domain::{
    Board, BoardId, Draft, DraftPlace, PostId, ThreadId, ThreadPage, ThreadSummary, User,
};
use crate::store::events::{Event, EventKind};
use keymap::{Action, Context};
use screens::{Screen, boards::BoardsScreen, signup::SignUpScreen, thread::ThreadScreen};
pub use theme::Theme;

/// Smallest usable terminal (DESIGN.md §4).
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

/// Where in a thread to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAt {
    Offset(i64),
    /// The page holding this post.
    Post(PostId),
}

/// Something for the driver to do; its result comes back as a [`Msg`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    LoadBoards,
    LoadThreads {
        board: BoardId,
        offset: i64,
        limit: i64,
    },
    LoadThread {
        thread: ThreadId,
        at: PageAt,
    },
    LoadDraft(DraftPlace),
    SaveDraft(DraftPlace, Draft),
    Post(DraftPlace, Draft),
    SignUp {
        handle: String,
        claim: Option<String>,
        invite: Option<String>,
    },
    /// Bind this (unknown) key to an account with a recovery code.
    Recover {
        handle: String,
        code: String,
    },
    LoadSettings,
    /// Add a pasted OpenSSH public key to the member's keys.
    AddKey(String),
    RevokeKey(i64),
    /// Begin a second-factor enrolment (a new secret, not stored yet).
    StartTotp,
    EnableTotp {
        secret: Vec<u8>,
        code: String,
    },
    DisableTotp(String),
    RegenerateCodes,
    DeleteAccount {
        confirm: String,
        erase_posts: bool,
    },
    /// The member accepted the current guidelines and privacy policy.
    AcceptDocuments,
    LoadPending,
    DecidePending {
        member: crate::domain::UserId,
        approve: bool,
    },
    CreateInvite,
    LoadAudit {
        offset: i64,
        /// e.g. "actor:river action:banned"; empty for everything.
        filter: String,
    },
    LoadSafetyPlan,
    SaveSafetyPlan(String),
    /// Replace the member's muted words (a comma-separated list).
    SetMutedWords(String),
    /// Block the author of a post (or hide their pseudonym in that thread).
    BlockAuthor(PostId),
    Report {
        target: crate::store::reports::Target,
        category: String,
        note: String,
    },
    LoadInbox,
    /// Open (or start) the conversation with the member of this handle.
    OpenConversation(String),
    /// Open the conversation with a post's author.
    MessageAuthor(PostId),
    /// The profile of a post's author.
    LoadProfile(PostId),
    LoadConversation {
        with: crate::domain::UserId,
        /// Messages before this one; None for the newest.
        before: Option<i64>,
    },
    SendMessage {
        to: crate::domain::UserId,
        body: String,
    },
    /// Block a member (from a conversation).
    BlockMember(crate::domain::UserId),
    /// Block a member by handle (settings).
    BlockHandle(String),
    /// A moderator's bell with urgent reports, on or off (settings).
    SetReportBell(bool),
    /// The member's unread counts, for the header.
    LoadCounts,
    LoadNotifications,
    LoadOnline,
    SetPresence(bool),
    /// Search titles and posts ("words by:handle").
    Search(String),
    /// Change a post's text and content warning (a moderator gives a reason).
    EditPost {
        post: PostId,
        body: String,
        content_warning: String,
        reason: String,
    },
    /// A moderator sets (or with an empty label removes) a post's content warning.
    SetContentWarning {
        post: PostId,
        label: String,
        reason: String,
    },
    LoadRevisions(PostId),
    /// A moderator erases an earlier version of a post, with a reason.
    EraseRevision {
        revision: i64,
        reason: String,
    },
    /// Give or take back support (♥) for a post.
    Support(PostId),
    /// A moderator asks to unmask an anonymous post's author.
    RequestUnmask {
        post: PostId,
        reason: String,
    },
    LoadBoardAdmin,
    /// A sysop changes a board.
    ManageBoard(crate::service::BoardOp),
    /// A second moderator confirms or declines an unmask request.
    DecideUnmask {
        request: i64,
        confirm: bool,
    },
    LoadReports,
    ClaimReport {
        target: crate::store::reports::Target,
        claim: bool,
    },
    ResolveReport {
        target: crate::store::reports::Target,
        outcome: String,
    },
    /// A moderator's warning, silence or ban for the author of a post, with its reason.
    Sanction {
        post: PostId,
        sanction: crate::service::Sanction,
        reason: String,
    },
    LoadRecord,
    Appeal(String),
    /// Show (approve) or keep hidden a post held for approval.
    DecideHeld {
        post: PostId,
        approve: bool,
    },
    MoveThread {
        thread: ThreadId,
        slug: String,
        reason: String,
    },
    /// A moderator's action, with its reason.
    Moderate {
        action: crate::service::ModAction,
        reason: String,
    },
    Unblock(String),
    /// Clear the screen and the scrollback and leave at once.
    QuickExit,
    /// End the session (the driver saves nothing more: drafts were saved by their own effect).
    Quit,
}

/// Results of effects, as the App receives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    Boards(Vec<Board>),
    Threads {
        board: Board,
        offset: i64,
        threads: Vec<ThreadSummary>,
    },
    Thread(ThreadPage),
    Draft(DraftPlace, Option<Draft>),
    DraftSaved,
    Posted {
        place: DraftPlace,
        thread: ThreadId,
        post: PostId,
        /// Held for a moderator's approval: nobody, the author included, sees it yet.
        held: bool,
    },
    /// Signed up: the member, their recovery codes (to show once) and their key's id.
    SignedUp(User, Vec<String>, Option<i64>),
    /// A recovery code bound this key (with its id); how many codes are left.
    Recovered(User, usize, Option<i64>),
    Settings(screens::settings::SettingsData),
    /// A settings change went through; the text says what happened.
    SettingsChanged(String),
    /// A report that someone may be at risk was filed (what to tell the reporter): Help now
    /// opens for them too.
    ReportedAtRisk(String),
    TotpSetup(crate::service::TotpSetup),
    TotpEnabled,
    /// New recovery codes, to show once.
    Codes(Vec<String>),
    AccountDeleted,
    Pending(Vec<User>),
    /// A new invite code and when it expires.
    Invite(String, i64),
    Audit(i64, Vec<crate::store::audit::Entry>),
    DocumentsAccepted,
    SafetyPlan(Option<String>),
    Reports(Vec<crate::store::reports::QueueItem>),
    Record(Vec<crate::store::sanctions::Entry>),
    /// A block or unblock went through: what to tell the member, and whether the open thread
    /// or conversation is now out of their sight.
    BlocksChanged(String, bool),
    Inbox(Vec<crate::store::messages::ConversationSummary>),
    Conversation(crate::service::Conversation),
    /// A conversation to open (found by handle or from a post), to write in at once.
    Correspondent(crate::domain::UserId, String),
    MessageSent(crate::domain::UserId),
    /// Unread private messages and notifications.
    /// Unread messages, unread notifications, for staff the open reports (all, urgent), and
    /// whether they asked for a bell with urgent ones.
    Counts(i64, i64, Option<(i64, i64)>, bool),
    Notifications(Vec<crate::store::notifications::Notification>),
    SearchResults(Vec<crate::store::search::Hit>),
    Online(Vec<String>),
    Profile(crate::service::Profile, PostId),
    /// A post was edited: what to tell the editor.
    Edited(String),
    Revisions(PostId, Vec<crate::store::revisions::Revision>),
    /// Every board with its settings, for a sysop.
    BoardAdmin(Vec<crate::store::boards::BoardRow>),
}

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
    pub guidelines: String,
    pub privacy: String,
    pub resources: String,
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
            Some(t) => format!("until {} UTC", widgets::format_time(t)),
            None => "until a moderator lifts it".to_string(),
        };
        app.screen = Screen::Record(screens::record::RecordScreen::banned(format!(
            "This account is banned {until}."
        )));
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
            Some(_) => (
                Screen::Boards(BoardsScreen::default()),
                vec![Effect::LoadBoards, Effect::LoadCounts],
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
            },
            effects,
        )
    }

    /// A moderator or sysop in good standing (their keys show; the server decides anyway).
    pub fn is_staff(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_staff())
    }

    /// Shows a message on the status line (e.g. news waiting for the member at login).
    pub fn notice(&mut self, text: String) {
        self.log_notice(&text);
        self.status = Some(Status::Info(text));
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
        keymap::staff_footer(self.context())
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

    /// Applies a message; returns what the driver should do.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
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
            Msg::LiveLagged => self.screen.reload(self.body_height()),
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

    /// An overlay's title, text and the keys shown at its foot.
    fn overlay_text(&self, overlay: Overlay) -> (&'static str, Toned, Toned) {
        use widgets::Tone;
        match overlay {
            Overlay::Notices => {
                let mut text: Toned = Vec::new();
                for n in self.notices.iter().rev() {
                    text.push((n.clone(), Tone::Plain));
                    text.push((String::new(), Tone::Plain));
                }
                if text.is_empty() {
                    text.push((strings::NO_NOTICES.to_string(), Tone::Dim));
                }
                (
                    strings::NOTICES_TITLE,
                    text,
                    vec![(strings::HELP_CLOSE.to_string(), Tone::Dim)],
                )
            }
            Overlay::Help => {
                let text = keymap::bindings(self.context(), self.is_staff())
                    .into_iter()
                    .map(|b| (format!("{:>12}  {}", b.shown, b.label), Tone::Plain))
                    .collect();
                (
                    strings::HELP_TITLE,
                    text,
                    vec![(strings::HELP_CLOSE.to_string(), Tone::Dim)],
                )
            }
            Overlay::HelpNow => {
                let mut text: Vec<(String, Tone)> = self
                    .texts
                    .resources
                    .lines()
                    .map(|l| (l.to_string(), Tone::Plain))
                    .collect();
                let foot = if self.user.is_some() {
                    text.push((String::new(), Tone::Plain));
                    text.push((strings::PLAN_HEADING.to_string(), Tone::Title));
                    match self
                        .safety_plan
                        .as_deref()
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                    {
                        Some(plan) => text.extend(
                            plan.lines()
                                .map(|l| (format!("  {}", crate::sanitize::line(l)), Tone::Plain)),
                        ),
                        None => text.push((strings::PLAN_NONE.to_string(), Tone::Dim)),
                    }
                    strings::HELP_NOW_KEYS
                } else {
                    strings::HELP_NOW_KEYS_VISITOR
                };
                (
                    strings::HELP_NOW_TITLE,
                    text,
                    vec![(foot.to_string(), Tone::Key)],
                )
            }
        }
    }

    /// Where an overlay's box goes, and its inside: centred, as tall as its text needs, never
    /// taller than the screen (the text scrolls inside).
    fn overlay_area(
        &self,
        text: &[(String, widgets::Tone)],
        foot: &[(String, widgets::Tone)],
    ) -> (Rect, Rect) {
        let area = Rect::new(0, 0, self.width, self.height);
        // On a narrow terminal the box takes the whole width: every column is text.
        let w = if area.width < 60 {
            area.width
        } else {
            area.width.saturating_sub(4).min(76)
        };
        let inner_w = w.saturating_sub(2);
        let (total, _) = widgets::scrolled_rows(inner_w, u16::MAX, text, foot);
        let foot_rows = widgets::wrap_toned(foot, inner_w as usize).len();
        let want = (total + foot_rows + 2) as u16;
        let h = want.min(area.height.saturating_sub(2));
        let r = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + (area.height - h) / 2,
            width: w,
            height: h,
        };
        let inner = Rect {
            x: r.x + 1,
            y: r.y + 1,
            width: r.width.saturating_sub(2),
            height: r.height.saturating_sub(2),
        };
        (r, inner)
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
        if event.kind == EventKind::Reports {
            // The review queue changed: moderators' headers (and an open queue) follow.
            if !self.is_staff() {
                return vec![];
            }
            let mut effects = vec![Effect::LoadCounts];
            if matches!(self.screen, Screen::Reports(_)) {
                effects.push(Effect::LoadReports);
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
        self.screen.reload(self.body_height())
    }

    fn loaded(&mut self, loaded: Loaded) -> Vec<Effect> {
        let body = self.body_height();
        match loaded {
            Loaded::SignedUp(user, codes, key_id) => {
                self.key_id = key_id;
                let pending = user.status == crate::domain::AccountStatus::Pending;
                // Whoever claimed the sysop role sets up a second factor right after the codes.
                let needs_totp = self.texts.staff_need_2fa && user.role.is_staff();
                self.user = Some(user);
                self.stack.clear();
                let mut lines = vec![strings::CODES_INTRO.to_string(), String::new()];
                lines.extend(codes.iter().map(|c| format!("    {c}")));
                if pending {
                    lines.extend([String::new(), strings::PENDING_NOTICE.to_string()]);
                }
                let boards = Screen::Boards(BoardsScreen {
                    current_key: key_id,
                    ..BoardsScreen::default()
                });
                let (next, effects) = if needs_totp {
                    self.stack.push(boards);
                    (
                        Screen::Totp(screens::totp::TotpScreen::new(true)),
                        vec![Effect::StartTotp],
                    )
                } else {
                    (boards, vec![Effect::LoadBoards])
                };
                self.screen = Screen::Notice(screens::notice::NoticeScreen::new(
                    strings::CODES_TITLE.into(),
                    lines,
                    next,
                    effects,
                ));
                vec![]
            }
            Loaded::Recovered(user, left, key_id) => {
                self.key_id = key_id;
                self.user = Some(user);
                self.stack.clear();
                self.screen = Screen::Boards(BoardsScreen {
                    current_key: key_id,
                    ..BoardsScreen::default()
                });
                self.status = Some(Status::Info(format!(
                    "Welcome back. This key now opens your account; {left} recovery codes left."
                )));
                vec![Effect::LoadBoards]
            }
            Loaded::Posted {
                place,
                thread,
                post,
                held,
            } => {
                self.last_posted = Some(post);
                if held {
                    self.status = Some(Status::Info(
                        "Thank you. Your post will appear once a moderator has read it.".into(),
                    ));
                    if let Some(prev) = self.stack.pop() {
                        self.screen = prev;
                    }
                    return self.screen.reload(body);
                }
                self.status = Some(Status::Info(strings::POSTED.into()));
                // Leave the composer for the thread, showing the new post.
                match place {
                    DraftPlace::Reply(..) => {
                        // Back to the thread under the composer.
                        if let Some(prev) = self.stack.pop() {
                            self.screen = prev;
                        }
                    }
                    DraftPlace::NewThread(_) => {
                        // The thread list stays below; the new thread opens above it.
                        self.screen = Screen::Thread(ThreadScreen::new(thread));
                    }
                }
                self.screen.set_width(self.width);
                if let Screen::Thread(s) = &mut self.screen {
                    s.focus(post);
                }
                vec![Effect::LoadThread {
                    thread,
                    at: PageAt::Post(post),
                }]
            }
            Loaded::DraftSaved => {
                if matches!(&self.screen, Screen::Compose(c) if c.leaving) {
                    return self.apply(screens::Outcome {
                        nav: screens::Nav::Back,
                        effects: vec![],
                        status: Some(Status::Info(strings::DRAFT_SAVED.into())),
                    });
                }
                vec![]
            }
            Loaded::ReportedAtRisk(text) => {
                // Whoever it is about, the person who saw it may need support too.
                self.status = Some(Status::Info(text.clone()));
                self.overlay = Some(Overlay::HelpNow);
                self.overlay_scroll = widgets::Scroll::default();
                let mut effects = self.screen.loaded(Loaded::SettingsChanged(text), body);
                if self.user.is_some() {
                    effects.push(Effect::LoadSafetyPlan);
                }
                effects
            }
            Loaded::SettingsChanged(text) => {
                self.status = Some(Status::Info(text.clone()));
                self.screen.loaded(Loaded::SettingsChanged(text), body)
            }
            Loaded::TotpEnabled => {
                self.status = Some(Status::Info(
                    "Your second factor is on: it will be asked at every login.".into(),
                ));
                // Back to where the member came from (settings, or the boards for staff).
                match self.stack.pop() {
                    Some(prev) => {
                        self.screen = prev;
                        self.screen.reload(body)
                    }
                    None => {
                        self.screen = Screen::Boards(BoardsScreen {
                            current_key: self.key_id,
                            ..BoardsScreen::default()
                        });
                        vec![Effect::LoadBoards]
                    }
                }
            }
            Loaded::BlocksChanged(text, leave) => {
                self.status = Some(Status::Info(text));
                if leave
                    && matches!(self.screen, Screen::Thread(_) | Screen::Conversation(_))
                    && let Some(prev) = self.stack.pop()
                {
                    self.screen = prev;
                }
                let mut effects = self.screen.reload(body);
                effects.push(Effect::LoadCounts);
                effects
            }
            Loaded::Counts(messages, notifications, reports, wants_bell) => {
                let arrived = messages > self.unread_messages;
                let urgent_before = self.open_reports.map_or(0, |r| r.1);
                self.unread_messages = messages;
                self.unread_notifications = notifications;
                self.open_reports = reports;
                // A new urgent report is said at once, whatever the moderator is doing.
                if let Some((_, urgent)) = reports
                    && urgent > urgent_before
                {
                    self.bell = wants_bell;
                    self.status = Some(Status::Error(strings::URGENT_REPORT.into()));
                    return vec![];
                }
                if arrived && !matches!(self.screen, Screen::Conversation(_)) {
                    self.status = Some(Status::Info(
                        "A new private message is waiting (i on the board list opens messages)."
                            .into(),
                    ));
                }
                vec![]
            }
            Loaded::Profile(profile, post) if !matches!(self.screen, Screen::Profile(_)) => {
                let old = std::mem::replace(
                    &mut self.screen,
                    Screen::Profile(screens::profile::ProfileScreen::new(profile, post)),
                );
                self.stack.push(old);
                vec![]
            }
            Loaded::Correspondent(with, handle) => {
                let screen = screens::conversation::ConversationScreen::writing(with, handle);
                let load = screen.load();
                let old = std::mem::replace(&mut self.screen, Screen::Conversation(screen));
                self.stack.push(old);
                self.screen.set_width(self.width);
                vec![load]
            }
            Loaded::Edited(text) => {
                self.status = Some(Status::Info(text));
                // Back from the editor to the thread, which shows the new text.
                if matches!(self.screen, Screen::Compose(_))
                    && let Some(prev) = self.stack.pop()
                {
                    self.screen = prev;
                }
                self.screen.reload(body)
            }
            Loaded::MessageSent(to) => {
                self.status = Some(Status::Info("Sent.".into()));
                self.screen.loaded(Loaded::MessageSent(to), body)
            }
            Loaded::SafetyPlan(plan) => {
                self.safety_plan = plan.clone();
                self.screen.loaded(Loaded::SafetyPlan(plan), body)
            }
            Loaded::DocumentsAccepted => {
                match self.stack.pop() {
                    Some(prev) => self.screen = prev,
                    None => {
                        self.screen = Screen::Boards(BoardsScreen {
                            current_key: self.key_id,
                            ..BoardsScreen::default()
                        })
                    }
                }
                let mut effects = self.screen.reload(body);
                if matches!(self.screen, Screen::Boards(_))
                    && !effects.contains(&Effect::LoadBoards)
                {
                    effects.push(Effect::LoadBoards);
                }
                effects
            }
            Loaded::AccountDeleted => {
                self.farewell = Some("Your account was deleted. Take care of yourself.".into());
                self.finished = true;
                vec![Effect::Quit]
            }
            Loaded::Codes(codes) => {
                let mut lines = vec![strings::CODES_INTRO.to_string(), String::new()];
                lines.extend(codes.iter().map(|c| format!("    {c}")));
                self.screen = Screen::Notice(screens::notice::NoticeScreen::new(
                    strings::CODES_TITLE.into(),
                    lines,
                    Screen::Settings(screens::settings::SettingsScreen::new(self.key_id)),
                    vec![Effect::LoadSettings],
                ));
                vec![]
            }
            other => self.screen.loaded(other, body),
        }
    }

    /// Draws the App; returns where the terminal cursor should be (None hides it).
    pub fn render(&self, area: Rect, buf: &mut Buffer) -> Option<Position> {
        let theme = self.theme;
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            Paragraph::new(strings::TOO_SMALL)
                .wrap(Wrap { trim: true })
                .style(theme.error())
                .render(area, buf);
            return None;
        }
        let header = Rect { height: 1, ..area };
        let footer = Rect {
            y: area.bottom() - 1,
            height: 1,
            ..area
        };
        let extra = self.staff_row();
        let staff_row = Rect {
            y: area.bottom() - 2,
            height: extra,
            ..area
        };
        let status = Rect {
            y: area.bottom() - 2 - extra,
            height: 1,
            ..area
        };
        let body = Rect {
            y: area.y + 1,
            height: area.height - 3 - extra,
            ..area
        };

        // Header: community name · where you are · who you are.
        buf.set_style(header, theme.header());
        let left = format!(" {} · {}", self.texts.name, self.screen.title());
        let mut mail = String::new();
        match self.open_reports {
            Some((open, urgent)) if urgent > 0 => {
                mail.push_str(&format!("⚑ {open} ({urgent} urgent) · "))
            }
            Some((open, _)) if open > 0 => mail.push_str(&format!("⚑ {open} · ")),
            _ => {}
        }
        if self.unread_notifications > 0 {
            mail.push_str(&format!("{} new · ", self.unread_notifications));
        }
        if self.unread_messages > 0 {
            mail.push_str(&format!("✉ {} · ", self.unread_messages));
        }
        // Who you are, with the staff role when there is room for it and for where you are.
        let right = self
            .user
            .as_ref()
            .map(|u| {
                let handle = crate::sanitize::line(&u.handle);
                let with_role = format!("{mail}{handle} · {} ", u.role.as_str());
                let fits =
                    widgets::width(&left) + 1 + widgets::width(&with_role) <= header.width as usize;
                if u.role.is_staff() && fits {
                    with_role
                } else {
                    format!("{mail}{handle} ")
                }
            })
            .unwrap_or_default();
        let rw = widgets::width(&right) as u16;
        buf.set_stringn(
            header.x,
            header.y,
            widgets::truncate(&left, (header.width - rw.min(header.width)) as usize),
            header.width as usize,
            theme.header(),
        );
        if rw < header.width {
            buf.set_stringn(
                header.right() - rw,
                header.y,
                &right,
                rw as usize,
                theme.header(),
            );
        }

        let cursor = self.screen.render(body, buf, theme, &self.texts);

        if let Some(s) = &self.status {
            let (text, style) = match s {
                Status::Info(t) => (t, theme.notice()),
                Status::Error(t) => (t, theme.error()),
            };
            // A notice too long for the status line takes the rows above it (over the bottom of
            // the screen, until the next key), up to NOTICE_ROWS; one longer still says where
            // to read it whole (F3).
            let room = (status.width as usize).saturating_sub(2).max(1);
            let text = crate::sanitize::line(text);
            let mut rows: Vec<String> = textwrap::wrap(&text, room)
                .into_iter()
                .map(|l| l.into_owned())
                .collect();
            let most = NOTICE_ROWS.max(self.height as usize / 2);
            if rows.len() > most {
                rows.truncate(most);
                let hint = strings::NOTICE_CUT;
                let last = rows.last().cloned().unwrap_or_default();
                rows[most - 1] = format!(
                    "{}{hint}",
                    widgets::truncate(
                        &format!("{last} …"),
                        room.saturating_sub(widgets::width(hint))
                    )
                );
            }
            let top = status.y.saturating_sub(rows.len() as u16 - 1).max(body.y);
            for (i, row) in rows.iter().enumerate() {
                let y = top + i as u16;
                if y > status.y {
                    break;
                }
                let line = Rect {
                    y,
                    height: 1,
                    ..status
                };
                Clear.render(line, buf);
                buf.set_stringn(status.x + 1, y, row, room, style);
            }
        }

        // Footer: the keys that apply here.
        if extra > 0 {
            let mut spans = vec![Span::styled(" mod: ", theme.dim())];
            for (i, (keys, label)) in footer_items(self.staff_keys(), staff_row.width as usize - 6)
                .into_iter()
                .enumerate()
            {
                if i > 0 {
                    spans.push(Span::styled(" · ", theme.footer()));
                }
                spans.push(Span::styled(keys, theme.key()));
                spans.push(Span::styled(format!(" {label}"), theme.footer()));
            }
            Line::from(spans).render(staff_row, buf);
        }
        let mut spans = vec![Span::raw(" ")];
        for (i, (keys, label)) in
            footer_items(keymap::footer(self.context(), false), footer.width as usize)
                .into_iter()
                .enumerate()
        {
            if i > 0 {
                spans.push(Span::styled(" · ", theme.footer()));
            }
            spans.push(Span::styled(keys, theme.key()));
            spans.push(Span::styled(format!(" {label}"), theme.footer()));
        }
        Line::from(spans).render(footer, buf);

        match self.overlay {
            Some(overlay) => {
                let (title, text, foot) = self.overlay_text(overlay);
                let (r, inner) = self.overlay_area(&text, &foot);
                Clear.render(r, buf);
                let mut block = Block::default()
                    .borders(Borders::ALL)
                    .title(Span::styled(format!(" {title} "), theme.title()));
                // Draw the text first to learn whether it all fits; the frame carries where
                // the reader is when it does not.
                let mark =
                    widgets::draw_scrolled(inner, buf, &text, &foot, self.overlay_scroll, theme);
                if let Some(mark) = mark {
                    block = block.title_bottom(Span::styled(format!(" {mark} ↑↓ "), theme.key()));
                }
                block.render(r, buf);
                None
            }
            None => cursor,
        }
    }
}

/// The footer's hints that fit in `width` columns, whole: "help" and "help now" always (help
/// lists every key; help now is for a hard moment), then the screen's own in order, skipping
/// any that would not fit.
fn footer_items(
    items: Vec<(&'static str, &'static str)>,
    width: usize,
) -> Vec<(&'static str, &'static str)> {
    const SEPARATOR: usize = 3;
    let cost = |(k, l): &(&str, &str)| widgets::width(k) + 1 + widgets::width(l) + SEPARATOR;
    let kept = |(_, l): &(&str, &str)| *l == "help" || *l == "help now";
    let reserved: usize = items.iter().filter(|i| kept(i)).map(cost).sum();
    let mut left = (width + SEPARATOR).saturating_sub(1 + reserved);
    items
        .into_iter()
        .filter(|item| {
            if kept(item) {
                return true;
            }
            let c = cost(item);
            let fits = c <= left;
            if fits {
                left -= c;
            }
            fits
        })
        .collect()
}
