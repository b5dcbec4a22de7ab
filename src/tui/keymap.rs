//! Keys: one table per screen mapping key presses to actions. The footer and the `?` help are
//! drawn from the same tables, so what is shown is what works.

use terminput::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A moderator's bell with urgent reports, on or off (settings).
    ToggleBell,
    /// Show the recent notices whole (the status line may cut a long one).
    Notices,
    /// Open a reported post or thread where it is (the review queue).
    ViewInThread,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    Quit,
    Help,
    HelpNow,
    NewThread,
    Reply,
    Refresh,
    NextPage,
    PrevPage,
    NextField,
    PrevField,
    Send,
    ToggleAnonymous,
    Accept,
    Decline,
    Recover,
    Settings,
    AddKey,
    RevokeKey,
    TwoFactor,
    NewRecoveryCodes,
    Submit,
    DeleteAccount,
    Moderation,
    Approve,
    Reject,
    Invite,
    AuditLog,
    QuickExit,
    EditPlan,
    Reveal,
    MutedWords,
    SelectNext,
    SelectPrev,
    Block,
    Unblock,
    ModHide,
    ModLock,
    ModPin,
    Report,
    Reports,
    Claim,
    Resolve,
    ModWarn,
    ModSilence,
    ModBan,
    MyRecord,
    Appeal,
    Filter,
    ModMove,
    Inbox,
    NewMessage,
    MessageAuthor,
    ReportThread,
    ReportMember,
    Edit,
    History,
    ModCw,
    ModUnmask,
    Support,
    Quote,
    Profile,
    ModErase,
    ManageBoards,
    Activity,
    Search,
    Online,
    TogglePresence,
    NewBoard,
    RenameBoard,
    DescribeBoard,
    MoveUp,
    MoveDown,
    ToggleReadOnly,
    ToggleWelcome,
    Archive,
    CycleTrust,
}

/// Which table applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Boards,
    Threads,
    Thread,
    Compose,
    SignUpDocument,
    SignUpHandle,
    Notice,
    Settings,
    /// A one-line field has the keyboard: only Enter, Esc and F1 are commands.
    Typing,
    Staff,
    Audit,
    Reports,
    Record,
    Reaccept,
    /// A full-screen text editor (the safety plan).
    Editor,
    Inbox,
    Conversation,
    /// Writing a private message: letters are text.
    Writing,
    /// A page of text to read: scroll and go back.
    Reader,
    /// A sysop's board management.
    ManageBoards,
    Activity,
    Search,
    Profile,
    /// A post's edit history.
    History,
}

/// One binding: the keys, the action, and how help and the footer describe it.
pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub action: Action,
    /// Keys as shown to the member, e.g. "↑/k".
    pub shown: &'static str,
    pub label: &'static str,
    /// Shown in the footer (all bindings show in help).
    pub footer: bool,
    /// Only for moderators and sysops: hidden from, and inert for, everyone else (the server
    /// checks every action anyway).
    pub staff: bool,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CTRL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const ALT: KeyModifiers = KeyModifiers::ALT;

macro_rules! b {
    ($keys:expr, $action:expr, $shown:expr, $label:expr, $footer:expr) => {
        Binding {
            keys: $keys,
            action: $action,
            shown: $shown,
            label: $label,
            footer: $footer,
            staff: false,
        }
    };
    ($keys:expr, $action:expr, $shown:expr, $label:expr, $footer:expr, staff) => {
        Binding {
            keys: $keys,
            action: $action,
            shown: $shown,
            label: $label,
            footer: $footer,
            staff: true,
        }
    };
}

const MOVE: [Binding; 6] = [
    b!(
        &[(KeyCode::Up, NONE), (KeyCode::Char('k'), NONE)],
        Action::Up,
        "↑/k",
        "up",
        false
    ),
    b!(
        &[(KeyCode::Down, NONE), (KeyCode::Char('j'), NONE)],
        Action::Down,
        "↓/j",
        "down",
        false
    ),
    b!(
        &[(KeyCode::PageUp, NONE), (KeyCode::Char('b'), CTRL)],
        Action::PageUp,
        "PgUp",
        "page up",
        false
    ),
    b!(
        &[
            (KeyCode::PageDown, NONE),
            (KeyCode::Char('f'), CTRL),
            (KeyCode::Char(' '), NONE)
        ],
        Action::PageDown,
        "PgDn/Space",
        "page down",
        false
    ),
    b!(
        &[(KeyCode::Home, NONE), (KeyCode::Char('g'), NONE)],
        Action::Top,
        "Home/g",
        "first",
        false
    ),
    b!(
        &[
            (KeyCode::End, NONE),
            (KeyCode::Char('G'), NONE),
            (KeyCode::Char('G'), SHIFT)
        ],
        Action::Bottom,
        "End/G",
        "last",
        false
    ),
];

const COMMON: [Binding; 5] = [
    b!(
        &[(KeyCode::Char('?'), NONE), (KeyCode::Char('?'), SHIFT)],
        Action::Help,
        "?",
        "help",
        true
    ),
    b!(
        &[
            (KeyCode::F(1), NONE),
            (KeyCode::Char('!'), NONE),
            (KeyCode::Char('!'), SHIFT)
        ],
        Action::HelpNow,
        "F1/!",
        "help now",
        true
    ),
    b!(
        &[(KeyCode::Char('c'), CTRL)],
        Action::Quit,
        "Ctrl-C",
        "quit",
        false
    ),
    b!(
        &[(KeyCode::Char('q'), CTRL)],
        Action::QuickExit,
        "Ctrl-Q",
        "quick exit: clear the screen and leave at once",
        false
    ),
    b!(
        &[(KeyCode::F(3), NONE)],
        Action::Notices,
        "F3",
        "recent notices, whole",
        false
    ),
];

const EDITOR: [Binding; 3] = [
    b!(
        &[(KeyCode::Char('s'), CTRL)],
        Action::Send,
        "Ctrl-S",
        "save",
        true
    ),
    b!(
        &[(KeyCode::Esc, NONE)],
        Action::Back,
        "Esc",
        "save and go back",
        true
    ),
    b!(
        &[(KeyCode::F(1), NONE)],
        Action::HelpNow,
        "F1",
        "help now",
        true
    ),
];

const BOARDS: [Binding; 9] = [
    b!(
        &[(KeyCode::Char('o'), NONE)],
        Action::Online,
        "o",
        "who's online",
        false
    ),
    b!(
        &[(KeyCode::Char('/'), NONE)],
        Action::Search,
        "/",
        "search",
        false
    ),
    b!(
        &[(KeyCode::Char('a'), NONE)],
        Action::Activity,
        "a",
        "notifications",
        true
    ),
    b!(
        &[(KeyCode::Char('i'), NONE)],
        Action::Inbox,
        "i",
        "messages",
        true
    ),
    b!(
        &[(KeyCode::Char('m'), NONE)],
        Action::Moderation,
        "m",
        "moderation",
        true,
        staff
    ),
    b!(
        &[(KeyCode::Char('s'), NONE)],
        Action::Settings,
        "s",
        "settings",
        true
    ),
    b!(
        &[
            (KeyCode::Enter, NONE),
            (KeyCode::Right, NONE),
            (KeyCode::Char('l'), NONE)
        ],
        Action::Open,
        "Enter",
        "open",
        false
    ),
    b!(
        &[(KeyCode::Char('r'), NONE)],
        Action::Refresh,
        "r",
        "refresh",
        false
    ),
    b!(
        &[(KeyCode::Char('q'), NONE)],
        Action::Quit,
        "q",
        "quit",
        true
    ),
];

const THREADS: [Binding; 5] = [
    b!(
        &[
            (KeyCode::Enter, NONE),
            (KeyCode::Right, NONE),
            (KeyCode::Char('l'), NONE)
        ],
        Action::Open,
        "Enter",
        "open",
        true
    ),
    b!(
        &[(KeyCode::Char('c'), NONE)],
        Action::NewThread,
        "c",
        "new thread",
        true
    ),
    b!(
        &[(KeyCode::Char('r'), NONE)],
        Action::Refresh,
        "r",
        "refresh",
        false
    ),
    b!(
        &[
            (KeyCode::Esc, NONE),
            (KeyCode::Left, NONE),
            (KeyCode::Char('h'), NONE)
        ],
        Action::Back,
        "Esc",
        "back",
        true
    ),
    b!(
        &[(KeyCode::Char('q'), NONE)],
        Action::Back,
        "q",
        "back",
        false
    ),
];

const THREAD: [Binding; 26] = [
    b!(
        &[(KeyCode::Char('u'), NONE)],
        Action::Profile,
        "u",
        "the selected post's author: profile, write, block, report",
        false
    ),
    b!(
        &[(KeyCode::Char('Q'), SHIFT), (KeyCode::Char('Q'), NONE)],
        Action::Quote,
        "Q",
        "reply quoting the selected post",
        false
    ),
    b!(
        &[(KeyCode::Char('+'), NONE), (KeyCode::Char('+'), SHIFT)],
        Action::Support,
        "+",
        "send support (♥) to the selected post",
        false
    ),
    b!(
        &[(KeyCode::Char('U'), SHIFT), (KeyCode::Char('U'), NONE)],
        Action::ModUnmask,
        "U",
        "unmask an anonymous author (a second moderator confirms)",
        false,
        staff
    ),
    b!(
        &[(KeyCode::Char('e'), NONE)],
        Action::Edit,
        "e",
        "edit the selected post (yours; any, for moderators)",
        false
    ),
    b!(
        &[(KeyCode::Char('E'), SHIFT), (KeyCode::Char('E'), NONE)],
        Action::History,
        "E",
        "edit history of the selected post",
        false
    ),
    b!(
        &[(KeyCode::Char('C'), SHIFT), (KeyCode::Char('C'), NONE)],
        Action::ModCw,
        "C",
        "set or remove a content warning",
        false,
        staff
    ),
    b!(
        &[(KeyCode::Char('w'), NONE)],
        Action::MessageAuthor,
        "w",
        "write privately to the selected post's author",
        false
    ),
    b!(
        &[(KeyCode::Char('F'), SHIFT), (KeyCode::Char('F'), NONE)],
        Action::ReportThread,
        "F",
        "report this thread",
        false
    ),
    b!(
        &[(KeyCode::Char('M'), SHIFT), (KeyCode::Char('M'), NONE)],
        Action::ModMove,
        "M",
        "move thread",
        false,
        staff
    ),
    b!(
        &[(KeyCode::Char('W'), SHIFT), (KeyCode::Char('W'), NONE)],
        Action::ModWarn,
        "W",
        "warn author",
        false,
        staff
    ),
    b!(
        &[(KeyCode::Char('S'), SHIFT), (KeyCode::Char('S'), NONE)],
        Action::ModSilence,
        "S",
        "silence author",
        false,
        staff
    ),
    b!(
        &[(KeyCode::Char('B'), SHIFT), (KeyCode::Char('B'), NONE)],
        Action::ModBan,
        "B",
        "ban author",
        false,
        staff
    ),
    b!(
        &[(KeyCode::Char('f'), NONE)],
        Action::Report,
        "f",
        "report the selected post",
        false
    ),
    b!(
        &[(KeyCode::Tab, NONE)],
        Action::SelectNext,
        "Tab",
        "select next post",
        false
    ),
    b!(
        &[(KeyCode::Tab, SHIFT)],
        Action::SelectPrev,
        "Shift-Tab",
        "select previous post",
        false
    ),
    b!(
        &[(KeyCode::Char('b'), NONE)],
        Action::Block,
        "b",
        "block the selected post's author",
        false
    ),
    b!(
        &[(KeyCode::Char('v'), NONE)],
        Action::Reveal,
        "v",
        "show a hidden post",
        true
    ),
    b!(
        &[(KeyCode::Char('r'), NONE)],
        Action::Reply,
        "r",
        "reply",
        true
    ),
    b!(
        &[(KeyCode::Char(']'), NONE), (KeyCode::Char('n'), NONE)],
        Action::NextPage,
        "]/n",
        "next page",
        true
    ),
    b!(
        &[(KeyCode::Char('['), NONE), (KeyCode::Char('p'), NONE)],
        Action::PrevPage,
        "[/p",
        "previous page",
        true
    ),
    b!(
        &[
            (KeyCode::Esc, NONE),
            (KeyCode::Left, NONE),
            (KeyCode::Char('h'), NONE)
        ],
        Action::Back,
        "Esc",
        "back",
        true
    ),
    b!(
        &[(KeyCode::Char('q'), NONE)],
        Action::Back,
        "q",
        "back",
        false
    ),
    b!(
        &[(KeyCode::Char('H'), SHIFT), (KeyCode::Char('H'), NONE)],
        Action::ModHide,
        "H",
        "hide/restore post",
        true,
        staff
    ),
    b!(
        &[(KeyCode::Char('L'), SHIFT), (KeyCode::Char('L'), NONE)],
        Action::ModLock,
        "L",
        "lock/unlock",
        true,
        staff
    ),
    b!(
        &[(KeyCode::Char('P'), SHIFT), (KeyCode::Char('P'), NONE)],
        Action::ModPin,
        "P",
        "pin/unpin",
        true,
        staff
    ),
];

const INBOX: [Binding; 5] = [
    b!(
        &[
            (KeyCode::Enter, NONE),
            (KeyCode::Right, NONE),
            (KeyCode::Char('l'), NONE)
        ],
        Action::Open,
        "Enter",
        "open",
        true
    ),
    b!(
        &[(KeyCode::Char('n'), NONE)],
        Action::NewMessage,
        "n",
        "new message",
        true
    ),
    b!(
        &[(KeyCode::Char('r'), NONE)],
        Action::Refresh,
        "r",
        "refresh",
        false
    ),
    b!(
        &[
            (KeyCode::Esc, NONE),
            (KeyCode::Left, NONE),
            (KeyCode::Char('h'), NONE)
        ],
        Action::Back,
        "Esc",
        "back",
        true
    ),
    b!(
        &[(KeyCode::Char('q'), NONE)],
        Action::Back,
        "q",
        "back",
        false
    ),
];

const CONVERSATION: [Binding; 10] = [
    b!(
        &[(KeyCode::Char('w'), NONE), (KeyCode::Char('r'), NONE)],
        Action::Reply,
        "w",
        "write",
        true
    ),
    b!(
        &[(KeyCode::Tab, NONE)],
        Action::SelectNext,
        "Tab",
        "select their next message",
        false
    ),
    b!(
        &[(KeyCode::Tab, SHIFT)],
        Action::SelectPrev,
        "Shift-Tab",
        "select their previous message",
        false
    ),
    b!(
        &[(KeyCode::Char('f'), NONE)],
        Action::Report,
        "f",
        "report the selected message",
        false
    ),
    b!(
        &[(KeyCode::Char('F'), SHIFT), (KeyCode::Char('F'), NONE)],
        Action::ReportMember,
        "F",
        "report this member",
        false
    ),
    b!(
        &[(KeyCode::Char('b'), NONE)],
        Action::Block,
        "b",
        "block this member",
        false
    ),
    b!(
        &[(KeyCode::Char('['), NONE)],
        Action::PrevPage,
        "[",
        "older messages",
        false
    ),
    b!(
        &[(KeyCode::Char(']'), NONE)],
        Action::NextPage,
        "]",
        "newer messages",
        false
    ),
    b!(
        &[(KeyCode::Esc, NONE), (KeyCode::Left, NONE)],
        Action::Back,
        "Esc",
        "back",
        true
    ),
    b!(
        &[(KeyCode::Char('q'), NONE)],
        Action::Back,
        "q",
        "back",
        false
    ),
];

const MANAGE_BOARDS: [Binding; 12] = [
    b!(
        &[(KeyCode::Char('n'), NONE)],
        Action::NewBoard,
        "n",
        "new board",
        true
    ),
    b!(
        &[(KeyCode::Char('e'), NONE)],
        Action::RenameBoard,
        "e",
        "rename",
        true
    ),
    b!(
        &[(KeyCode::Char('d'), NONE)],
        Action::DescribeBoard,
        "d",
        "description",
        false
    ),
    b!(
        &[(KeyCode::Char('K'), SHIFT), (KeyCode::Char('K'), NONE)],
        Action::MoveUp,
        "K",
        "move up",
        false
    ),
    b!(
        &[(KeyCode::Char('J'), SHIFT), (KeyCode::Char('J'), NONE)],
        Action::MoveDown,
        "J",
        "move down",
        false
    ),
    b!(
        &[(KeyCode::Char('o'), NONE)],
        Action::ToggleReadOnly,
        "o",
        "read-only (announcements) on/off",
        false
    ),
    b!(
        &[(KeyCode::Char('a'), NONE)],
        Action::ToggleAnonymous,
        "a",
        "anonymous posting on/off",
        false
    ),
    b!(
        &[(KeyCode::Char('w'), NONE)],
        Action::ToggleWelcome,
        "w",
        "open to new accounts on/off",
        false
    ),
    b!(
        &[(KeyCode::Char('t'), NONE)],
        Action::CycleTrust,
        "t",
        "minimum trust level to post: 0/1",
        false
    ),
    b!(
        &[(KeyCode::Char('x'), NONE)],
        Action::Archive,
        "x",
        "archive/unarchive",
        true
    ),
    b!(
        &[(KeyCode::Char('r'), NONE)],
        Action::Refresh,
        "r",
        "refresh",
        false
    ),
    b!(
        &[
            (KeyCode::Esc, NONE),
            (KeyCode::Left, NONE),
            (KeyCode::Char('q'), NONE)
        ],
        Action::Back,
        "Esc",
        "back",
        true
    ),
];

const ACTIVITY: [Binding; 4] = [
    b!(
        &[
            (KeyCode::Enter, NONE),
            (KeyCode::Right, NONE),
            (KeyCode::Char('l'), NONE)
        ],
        Action::Open,
        "Enter",
        "open",
        true
    ),
    b!(
        &[(KeyCode::Char('r'), NONE)],
        Action::Refresh,
        "r",
        "refresh",
        false
    ),
    b!(
        &[(KeyCode::Esc, NONE), (KeyCode::Left, NONE)],
        Action::Back,
        "Esc",
        "back",
        true
    ),
    b!(
        &[(KeyCode::Char('q'), NONE)],
        Action::Back,
        "q",
        "back",
        false
    ),
];

const SEARCH: [Binding; 3] = [
    b!(
        &[
            (KeyCode::Enter, NONE),
            (KeyCode::Right, NONE),
            (KeyCode::Char('l'), NONE)
        ],
        Action::Open,
        "Enter",
        "open",
        true
    ),
    b!(
        &[(KeyCode::Char('/'), NONE)],
        Action::Filter,
        "/",
        "search again",
        true
    ),
    b!(
        &[
            (KeyCode::Esc, NONE),
            (KeyCode::Left, NONE),
            (KeyCode::Char('q'), NONE)
        ],
        Action::Back,
        "Esc",
        "back",
        true
    ),
];

const PROFILE: [Binding; 4] = [
    b!(
        &[(KeyCode::Char('w'), NONE)],
        Action::Reply,
        "w",
        "write privately",
        true
    ),
    b!(
        &[(KeyCode::Char('b'), NONE)],
        Action::Block,
        "b",
        "block / unblock",
        true
    ),
    b!(
        &[(KeyCode::Char('F'), SHIFT), (KeyCode::Char('F'), NONE)],
        Action::ReportMember,
        "F",
        "report",
        true
    ),
    b!(
        &[
            (KeyCode::Esc, NONE),
            (KeyCode::Left, NONE),
            (KeyCode::Char('q'), NONE)
        ],
        Action::Back,
        "Esc",
        "back",
        true
    ),
];

const HISTORY: [Binding; 4] = [
    b!(
        &[(KeyCode::Tab, NONE)],
        Action::SelectNext,
        "Tab",
        "select the next version",
        false
    ),
    b!(
        &[(KeyCode::Tab, SHIFT)],
        Action::SelectPrev,
        "Shift-Tab",
        "select the previous version",
        false
    ),
    b!(
        &[(KeyCode::Char('X'), SHIFT), (KeyCode::Char('X'), NONE)],
        Action::ModErase,
        "X",
        "erase the selected version for good",
        true,
        staff
    ),
    b!(
        &[
            (KeyCode::Esc, NONE),
            (KeyCode::Left, NONE),
            (KeyCode::Char('q'), NONE)
        ],
        Action::Back,
        "Esc",
        "back",
        true
    ),
];

const READER: [Binding; 1] = [b!(
    &[
        (KeyCode::Esc, NONE),
        (KeyCode::Left, NONE),
        (KeyCode::Char('q'), NONE)
    ],
    Action::Back,
    "Esc",
    "back",
    true
)];

const WRITING: [Binding; 3] = [
    b!(
        &[(KeyCode::Char('s'), CTRL), (KeyCode::Enter, ALT)],
        Action::Send,
        "Ctrl-S",
        "send",
        true
    ),
    b!(
        &[(KeyCode::Esc, NONE)],
        Action::Back,
        "Esc",
        "stop writing (text kept)",
        true
    ),
    b!(
        &[(KeyCode::F(1), NONE)],
        Action::HelpNow,
        "F1",
        "help now",
        true
    ),
];

const COMPOSE: [Binding; 7] = [
    b!(
        &[(KeyCode::Char('s'), CTRL), (KeyCode::Enter, ALT)],
        Action::Send,
        "Ctrl-S",
        "post",
        true
    ),
    b!(
        &[(KeyCode::Tab, NONE)],
        Action::NextField,
        "Tab",
        "next field",
        true
    ),
    b!(
        &[(KeyCode::Tab, SHIFT)],
        Action::PrevField,
        "Shift-Tab",
        "previous field",
        false
    ),
    b!(
        &[(KeyCode::Char('a'), CTRL)],
        Action::ToggleAnonymous,
        "Ctrl-A",
        "anonymous on/off",
        false
    ),
    b!(
        &[(KeyCode::Esc, NONE)],
        Action::Back,
        "Esc",
        "leave (draft kept)",
        true
    ),
    b!(&[(KeyCode::F(2), NONE)], Action::Help, "F2", "help", true),
    b!(
        &[(KeyCode::F(1), NONE)],
        Action::HelpNow,
        "F1",
        "help now",
        true
    ),
];

const SETTINGS: [Binding; 13] = [
    b!(
        &[(KeyCode::Char('l'), NONE)],
        Action::ToggleBell,
        "l",
        "bell with urgent reports on/off",
        false,
        staff
    ),
    b!(
        &[(KeyCode::Char('b'), NONE)],
        Action::Block,
        "b",
        "block someone (by handle)",
        false
    ),
    b!(
        &[(KeyCode::Char('o'), NONE)],
        Action::TogglePresence,
        "o",
        "show me in who's online / invisible",
        false
    ),
    b!(
        &[(KeyCode::Char('r'), NONE)],
        Action::MyRecord,
        "r",
        "my record",
        false
    ),
    b!(
        &[(KeyCode::Char('u'), NONE)],
        Action::Unblock,
        "u",
        "unblock someone",
        false
    ),
    b!(
        &[(KeyCode::Char('w'), NONE)],
        Action::MutedWords,
        "w",
        "muted words",
        true
    ),
    b!(
        &[(KeyCode::Char('x'), NONE)],
        Action::DeleteAccount,
        "x",
        "delete account",
        false
    ),
    b!(
        &[(KeyCode::Char('a'), NONE)],
        Action::AddKey,
        "a",
        "add a key (paste it)",
        true
    ),
    b!(
        &[(KeyCode::Char('d'), NONE)],
        Action::RevokeKey,
        "d",
        "revoke key",
        true
    ),
    b!(
        &[(KeyCode::Char('t'), NONE)],
        Action::TwoFactor,
        "t",
        "second factor on/off",
        true
    ),
    b!(
        &[(KeyCode::Char('c'), NONE)],
        Action::NewRecoveryCodes,
        "c",
        "new recovery codes",
        true
    ),
    b!(
        &[
            (KeyCode::Esc, NONE),
            (KeyCode::Left, NONE),
            (KeyCode::Char('h'), NONE)
        ],
        Action::Back,
        "Esc",
        "back",
        true
    ),
    b!(
        &[(KeyCode::Char('q'), NONE)],
        Action::Back,
        "q",
        "back",
        false
    ),
];

const STAFF: [Binding; 8] = [
    b!(
        &[(KeyCode::Char('b'), NONE)],
        Action::ManageBoards,
        "b",
        "boards (sysops)",
        false,
        staff
    ),
    b!(
        &[(KeyCode::Char('p'), NONE)],
        Action::Reports,
        "p",
        "reports",
        true,
        staff
    ),
    b!(
        &[(KeyCode::Char('a'), NONE)],
        Action::Approve,
        "a",
        "approve",
        true,
        staff
    ),
    b!(
        &[(KeyCode::Char('x'), NONE)],
        Action::Reject,
        "x",
        "reject",
        true,
        staff
    ),
    b!(
        &[(KeyCode::Char('i'), NONE)],
        Action::Invite,
        "i",
        "new invite code",
        true,
        staff
    ),
    b!(
        &[(KeyCode::Char('l'), NONE)],
        Action::AuditLog,
        "l",
        "audit log",
        true,
        staff
    ),
    b!(
        &[(KeyCode::Char('r'), NONE)],
        Action::Refresh,
        "r",
        "refresh",
        false
    ),
    b!(
        &[
            (KeyCode::Esc, NONE),
            (KeyCode::Left, NONE),
            (KeyCode::Char('q'), NONE)
        ],
        Action::Back,
        "Esc",
        "back",
        true
    ),
];

const REPORTS: [Binding; 8] = [
    b!(
        &[(KeyCode::Char('a'), NONE)],
        Action::Approve,
        "a",
        "approve a held post; confirm an unmask",
        true,
        staff
    ),
    b!(
        &[(KeyCode::Char('x'), NONE)],
        Action::Reject,
        "x",
        "keep a held post hidden; decline an unmask",
        false,
        staff
    ),
    b!(
        &[(KeyCode::Enter, NONE)],
        Action::Open,
        "Enter",
        "show/hide what was reported",
        true,
        staff
    ),
    b!(
        &[(KeyCode::Char('t'), NONE)],
        Action::ViewInThread,
        "t",
        "open it in its thread",
        true,
        staff
    ),
    b!(
        &[(KeyCode::Char('c'), NONE)],
        Action::Claim,
        "c",
        "claim/hand back",
        true,
        staff
    ),
    b!(
        &[(KeyCode::Char('o'), NONE)],
        Action::Resolve,
        "o",
        "resolve with an outcome",
        true,
        staff
    ),
    b!(
        &[(KeyCode::Char('r'), NONE)],
        Action::Refresh,
        "r",
        "refresh",
        false
    ),
    b!(
        &[
            (KeyCode::Esc, NONE),
            (KeyCode::Left, NONE),
            (KeyCode::Char('q'), NONE)
        ],
        Action::Back,
        "Esc",
        "back",
        true
    ),
];

const AUDIT: [Binding; 5] = [
    b!(
        &[(KeyCode::Char('/'), NONE)],
        Action::Filter,
        "/",
        "filter",
        true,
        staff
    ),
    b!(
        &[(KeyCode::Char(']'), NONE), (KeyCode::Char('n'), NONE)],
        Action::NextPage,
        "]/n",
        "older",
        true
    ),
    b!(
        &[(KeyCode::Char('['), NONE), (KeyCode::Char('p'), NONE)],
        Action::PrevPage,
        "[/p",
        "newer",
        true
    ),
    b!(
        &[(KeyCode::Char('r'), NONE)],
        Action::Refresh,
        "r",
        "refresh",
        false
    ),
    b!(
        &[
            (KeyCode::Esc, NONE),
            (KeyCode::Left, NONE),
            (KeyCode::Char('q'), NONE)
        ],
        Action::Back,
        "Esc",
        "back",
        true
    ),
];

const RECORD: [Binding; 2] = [
    b!(
        &[(KeyCode::Char('a'), NONE)],
        Action::Appeal,
        "a",
        "appeal",
        true
    ),
    b!(
        &[
            (KeyCode::Esc, NONE),
            (KeyCode::Left, NONE),
            (KeyCode::Char('q'), NONE)
        ],
        Action::Back,
        "Esc",
        "back",
        true
    ),
];

const REACCEPT: [Binding; 4] = [
    b!(
        &[(KeyCode::Char('a'), NONE)],
        Action::Accept,
        "a",
        "I accept",
        true
    ),
    b!(
        &[(KeyCode::Char('q'), NONE), (KeyCode::Esc, NONE)],
        Action::Decline,
        "q",
        "I don't accept (leave)",
        true
    ),
    b!(
        &[(KeyCode::Up, NONE), (KeyCode::Char('k'), NONE)],
        Action::Up,
        "↑",
        "scroll up",
        false
    ),
    b!(
        &[
            (KeyCode::Down, NONE),
            (KeyCode::Char('j'), NONE),
            (KeyCode::Char(' '), NONE)
        ],
        Action::Down,
        "↓",
        "scroll down",
        false
    ),
];

const TYPING: [Binding; 3] = [
    b!(
        &[(KeyCode::Enter, NONE)],
        Action::Submit,
        "Enter",
        "done",
        true
    ),
    b!(&[(KeyCode::Esc, NONE)], Action::Back, "Esc", "cancel", true),
    b!(
        &[(KeyCode::F(1), NONE)],
        Action::HelpNow,
        "F1",
        "help now",
        true
    ),
];

const NOTICE: [Binding; 1] = [b!(
    &[(KeyCode::Enter, NONE)],
    Action::Accept,
    "Enter",
    "continue",
    true
)];

const SIGNUP_DOCUMENT: [Binding; 5] = [
    b!(
        &[(KeyCode::Char('a'), NONE), (KeyCode::Char('A'), SHIFT)],
        Action::Accept,
        "a",
        "I accept",
        true
    ),
    b!(
        &[(KeyCode::Char('q'), NONE), (KeyCode::Esc, NONE)],
        Action::Decline,
        "q",
        "I don't accept (leave)",
        true
    ),
    b!(
        &[(KeyCode::Char('r'), NONE)],
        Action::Recover,
        "r",
        "lost your key? recover your account",
        true
    ),
    b!(
        &[(KeyCode::Up, NONE), (KeyCode::Char('k'), NONE)],
        Action::Up,
        "↑",
        "scroll up",
        false
    ),
    b!(
        &[
            (KeyCode::Down, NONE),
            (KeyCode::Char('j'), NONE),
            (KeyCode::Char(' '), NONE)
        ],
        Action::Down,
        "↓",
        "scroll down",
        false
    ),
];

const SIGNUP_HANDLE: [Binding; 5] = [
    b!(
        &[(KeyCode::Enter, NONE)],
        Action::Send,
        "Enter",
        "join",
        true
    ),
    b!(
        &[(KeyCode::Tab, NONE)],
        Action::NextField,
        "Tab",
        "next field",
        true
    ),
    b!(
        &[(KeyCode::Tab, SHIFT)],
        Action::PrevField,
        "Shift-Tab",
        "previous field",
        false
    ),
    b!(
        &[(KeyCode::Esc, NONE)],
        Action::Decline,
        "Esc",
        "leave",
        true
    ),
    b!(
        &[(KeyCode::F(1), NONE)],
        Action::HelpNow,
        "F1",
        "help now",
        true
    ),
];

/// The bindings of a context, in the order help lists them.
/// The bindings of a context for a member (`staff`: a moderator or sysop), in help order.
pub fn bindings(ctx: Context, staff: bool) -> Vec<&'static Binding> {
    let own: &'static [Binding] = match ctx {
        Context::Boards => &BOARDS,
        Context::Threads => &THREADS,
        Context::Thread => &THREAD,
        Context::Compose => &COMPOSE,
        Context::SignUpDocument => &SIGNUP_DOCUMENT,
        Context::SignUpHandle => &SIGNUP_HANDLE,
        Context::Notice => &NOTICE,
        Context::Settings => &SETTINGS,
        Context::Typing => &TYPING,
        Context::Staff => &STAFF,
        Context::Audit => &AUDIT,
        Context::Reports => &REPORTS,
        Context::Record => &RECORD,
        Context::Reaccept => &REACCEPT,
        Context::Editor => &EDITOR,
        Context::Inbox => &INBOX,
        Context::Conversation => &CONVERSATION,
        Context::Writing => &WRITING,
        Context::Reader => &READER,
        Context::ManageBoards => &MANAGE_BOARDS,
        Context::Activity => &ACTIVITY,
        Context::Search => &SEARCH,
        Context::Profile => &PROFILE,
        Context::History => &HISTORY,
    };
    let mut all: Vec<&'static Binding> = own.iter().filter(|b| staff || !b.staff).collect();
    if matches!(
        ctx,
        Context::Boards
            | Context::Threads
            | Context::Thread
            | Context::Settings
            | Context::Staff
            | Context::Reports
            | Context::Audit
            | Context::Inbox
            | Context::Conversation
            | Context::Reader
            | Context::ManageBoards
            | Context::Activity
            | Context::Search
            | Context::Profile
            | Context::History
    ) {
        all.extend(MOVE.iter());
        all.extend(COMMON.iter());
    } else {
        all.push(&COMMON[2]);
        all.push(&COMMON[3]);
        all.push(&COMMON[4]);
    }
    all
}

/// The action a key asks for in a context.
pub fn lookup(ctx: Context, key: &KeyEvent, staff: bool) -> Option<Action> {
    // Shift is implied by an upper-case or symbol character; compare without it for chars.
    let mods = match key.code {
        KeyCode::Char(_) => key.modifiers - KeyModifiers::SHIFT,
        _ => key.modifiers,
    };
    bindings(ctx, staff).into_iter().find_map(|b| {
        b.keys
            .iter()
            .any(|(code, m)| {
                let m = match code {
                    KeyCode::Char(_) => *m - KeyModifiers::SHIFT,
                    _ => *m,
                };
                *code == key.code && m == mods
            })
            .then_some(b.action)
    })
}

/// The staff-only hints of a context, for the moderators' own footer row.
pub fn staff_footer(ctx: Context) -> Vec<(&'static str, &'static str)> {
    bindings(ctx, true)
        .into_iter()
        .filter(|b| b.footer && b.staff)
        .map(|b| (b.shown, b.label))
        .collect()
}

/// The footer's hints for a context: "Enter open · c new thread · …".
pub fn footer(ctx: Context, staff: bool) -> Vec<(&'static str, &'static str)> {
    bindings(ctx, staff)
        .into_iter()
        .filter(|b| b.footer)
        .map(|b| (b.shown, b.label))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code)
    }

    #[test]
    fn arrows_and_vi_keys_move() {
        for ctx in [Context::Boards, Context::Threads, Context::Thread] {
            assert_eq!(lookup(ctx, &key(KeyCode::Down), false), Some(Action::Down));
            assert_eq!(
                lookup(ctx, &key(KeyCode::Char('j')), false),
                Some(Action::Down)
            );
            assert_eq!(
                lookup(ctx, &key(KeyCode::Char('k')), false),
                Some(Action::Up)
            );
            assert_eq!(
                lookup(ctx, &key(KeyCode::Char('?')), false),
                Some(Action::Help)
            );
            assert_eq!(
                lookup(ctx, &key(KeyCode::F(1)), false),
                Some(Action::HelpNow)
            );
        }
    }

    #[test]
    fn the_composer_does_not_steal_letters() {
        for c in ['a', 'j', 'q', '?', '!', ' '] {
            assert_eq!(
                lookup(Context::Compose, &key(KeyCode::Char(c)), false),
                None,
                "{c}"
            );
        }
        let send = KeyEvent::new(KeyCode::Char('s')).modifiers(KeyModifiers::CTRL);
        assert_eq!(lookup(Context::Compose, &send, false), Some(Action::Send));
    }

    #[test]
    fn moderator_keys_are_hidden_from_members_and_inert_for_them() {
        let m = key(KeyCode::Char('m'));
        assert_eq!(lookup(Context::Boards, &m, false), None);
        assert_eq!(lookup(Context::Boards, &m, true), Some(Action::Moderation));
        assert!(
            !footer(Context::Boards, false)
                .iter()
                .any(|(_, l)| *l == "moderation")
        );
        assert!(
            footer(Context::Boards, true)
                .iter()
                .any(|(_, l)| *l == "moderation")
        );
    }

    const ALL: [Context; 24] = [
        Context::History,
        Context::Profile,
        Context::Search,
        Context::Activity,
        Context::ManageBoards,
        Context::Reader,
        Context::Boards,
        Context::Threads,
        Context::Thread,
        Context::Compose,
        Context::SignUpDocument,
        Context::SignUpHandle,
        Context::Notice,
        Context::Settings,
        Context::Typing,
        Context::Staff,
        Context::Audit,
        Context::Reports,
        Context::Record,
        Context::Reaccept,
        Context::Editor,
        Context::Inbox,
        Context::Conversation,
        Context::Writing,
    ];

    #[test]
    fn every_context_has_a_footer() {
        for ctx in ALL {
            assert!(!footer(ctx, false).is_empty(), "{ctx:?}");
        }
    }

    #[test]
    fn no_key_means_two_things_on_one_screen() {
        for ctx in ALL {
            let mut seen: Vec<(KeyCode, KeyModifiers, Action)> = Vec::new();
            for b in bindings(ctx, true) {
                for &(code, mods) in b.keys {
                    let mods = match code {
                        KeyCode::Char(_) => mods - KeyModifiers::SHIFT,
                        _ => mods,
                    };
                    if let Some((_, _, other)) =
                        seen.iter().find(|(c, m, _)| *c == code && *m == mods)
                    {
                        assert_eq!(
                            *other, b.action,
                            "{ctx:?}: {code:?} is bound to {other:?} and {:?}",
                            b.action
                        );
                    }
                    seen.push((code, mods, b.action));
                }
            }
        }
    }
}
