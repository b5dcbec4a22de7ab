//! What screens ask the driver to do ([`Effect`]) and what comes back ([`Loaded`]): plain
//! values, so the App stays free of SQL, sockets and terminals.

use crate::domain::{
    Board, BoardId, Draft, DraftPlace, PostId, ThreadId, ThreadPage, ThreadSummary, User,
};
use crate::tui::screens;

/// Where in a thread to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAt {
    Offset(i64),
    /// The page holding this post.
    Post(PostId),
    /// The page of the reader's first unread post (the last page once all is read).
    FirstUnread,
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
    /// The next thread with unread posts, other than this one.
    NextUnread(Option<ThreadId>),
    /// The author withdraws their own post.
    Withdraw(PostId),
    /// Mark a board (or every board) read.
    MarkRead(Option<BoardId>),
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
    /// Use and remember this colour theme.
    SetTheme(crate::tui::Theme),
    /// Use and remember this time zone (a name; empty or "UTC" for UTC).
    SetTimeZone(String),
    /// The member's unread counts, for the header.
    LoadCounts,
    /// The text of a sysop's announcement (by its event's id), for the status line.
    LoadAnnouncement(i64),
    LoadNotifications,
    /// Delete these notifications of the member's.
    DismissNotifications(Vec<i64>),
    LoadOnline,
    /// How the server is doing (the sysop's dashboard).
    LoadStats,
    SetPresence(bool),
    /// Search titles and posts ("words by:handle").
    /// A page of a search: what was typed, and the first result's offset.
    Search(String, i64),
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
    /// The next thread with unread posts, if there is one.
    NextUnread(Option<ThreadId>),
    /// The member's colour theme changed (and is remembered).
    ThemeSet(crate::tui::Theme),
    /// The member's time zone is now this one (None: UTC).
    TimeZoneSet(Option<String>),
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
    /// A change the member asked for went through (a setting, a key, a block, a moderation
    /// step…); the text says what happened.
    Done(String),
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
    Stats(Box<crate::service::Stats>),
    /// A sysop's announcement, shown on the status line.
    Announcement(Option<String>),
    Profile(crate::service::Profile, PostId),
    /// A post was edited: what to tell the editor.
    Edited(String),
    Revisions(PostId, Vec<crate::store::revisions::Revision>),
    /// Every board with its settings, for a sysop.
    BoardAdmin(Vec<crate::store::boards::BoardRow>),
}
