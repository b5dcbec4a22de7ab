//! Keys: one table per screen mapping key presses to actions. The footer and the `?` help are
//! drawn from the same tables, so what is shown is what works.

use terminput::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::screens;

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
    NextUnread,
    MarkRead,
    ReadGuidelines,
    ReadPrivacy,
    StayingSafe,
    Dismiss,
    Withdraw,
    CycleTheme,
    /// The sysop's dashboard (from the moderators' desk).
    Dashboard,
    /// Choose the time zone times are shown in (settings).
    TimeZone,
    /// The composer shows the text as it will read, or the editor again.
    Preview,
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
    /// Recovering an account while joining: handle and code; Esc goes back.
    SignUpRecover,
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
    /// The sysop's dashboard.
    Dashboard,
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
    /// What the footer calls it, where `label` is too long for a footer.
    pub short: Option<&'static str>,
    /// Only for moderators and sysops: hidden from, and inert for, everyone else (the server
    /// checks every action anyway).
    pub staff: bool,
}

type Key = (KeyCode, KeyModifiers);

/// A binding shown in help only; `.footer()` shows it in the footer too, `.staff()` keeps it
/// for moderators and sysops. Each screen's table is one line per binding, in its own file.
pub const fn bind(
    keys: &'static [Key],
    action: Action,
    shown: &'static str,
    label: &'static str,
) -> Binding {
    Binding {
        keys,
        action,
        shown,
        label,
        footer: false,
        short: None,
        staff: false,
    }
}

impl Binding {
    pub const fn footer(mut self) -> Binding {
        self.footer = true;
        self
    }

    /// In the footer, under a shorter name than help gives it.
    pub const fn footer_as(mut self, short: &'static str) -> Binding {
        self.footer = true;
        self.short = Some(short);
        self
    }

    pub const fn staff(mut self) -> Binding {
        self.staff = true;
        self
    }
}

/// A character key. Shift is implied by the character ('G', '?'), so lookups ignore it.
pub const fn ch(c: char) -> Key {
    (KeyCode::Char(c), KeyModifiers::NONE)
}
pub const fn ctrl(c: char) -> Key {
    (KeyCode::Char(c), KeyModifiers::CTRL)
}
pub const fn alt(c: char) -> Key {
    (KeyCode::Char(c), KeyModifiers::ALT)
}
pub const fn ctrl_key(key: Key) -> Key {
    (key.0, KeyModifiers::CTRL)
}
pub const fn alt_key(key: Key) -> Key {
    (key.0, KeyModifiers::ALT)
}
pub const fn shift_key(key: Key) -> Key {
    (key.0, KeyModifiers::SHIFT)
}
pub const UP: Key = (KeyCode::Up, KeyModifiers::NONE);
pub const DOWN: Key = (KeyCode::Down, KeyModifiers::NONE);
pub const LEFT: Key = (KeyCode::Left, KeyModifiers::NONE);
pub const RIGHT: Key = (KeyCode::Right, KeyModifiers::NONE);
pub const ENTER: Key = (KeyCode::Enter, KeyModifiers::NONE);
pub const ESC: Key = (KeyCode::Esc, KeyModifiers::NONE);
pub const TAB: Key = (KeyCode::Tab, KeyModifiers::NONE);
pub const HOME: Key = (KeyCode::Home, KeyModifiers::NONE);
pub const END: Key = (KeyCode::End, KeyModifiers::NONE);
pub const PGUP: Key = (KeyCode::PageUp, KeyModifiers::NONE);
pub const PGDN: Key = (KeyCode::PageDown, KeyModifiers::NONE);
pub const F1: Key = (KeyCode::F(1), KeyModifiers::NONE);
pub const F2: Key = (KeyCode::F(2), KeyModifiers::NONE);
pub const F3: Key = (KeyCode::F(3), KeyModifiers::NONE);
pub const F4: Key = (KeyCode::F(4), KeyModifiers::NONE);
pub const F5: Key = (KeyCode::F(5), KeyModifiers::NONE);

/// Moving through a list or a page: every screen that shows one has these.
const MOVE: &[Binding] = &[
    bind(&[UP, ch('k')], Action::Up, "↑/k", "up"),
    bind(&[DOWN, ch('j')], Action::Down, "↓/j", "down"),
    bind(&[PGUP, ctrl('b')], Action::PageUp, "PgUp", "page up"),
    bind(
        &[PGDN, ctrl('f'), ch(' ')],
        Action::PageDown,
        "PgDn/Space",
        "page down",
    ),
    bind(&[HOME, ch('g')], Action::Top, "Home/g", "first"),
    bind(&[END, ch('G')], Action::Bottom, "End/G", "last"),
];

/// Keys that work everywhere: help, quit, quick exit. Screens where letters are text get
/// only the last three.
#[rustfmt::skip]
const COMMON: &[Binding] = &[
    bind(&[ch('?')], Action::Help, "?", "help").footer(),
    bind(&[F1, ch('!')], Action::HelpNow, "F1/!", "help now").footer(),
    bind(&[ctrl('c')], Action::Quit, "Ctrl-C", "quit"),
    bind(&[ctrl('q')], Action::QuickExit, "Ctrl-Q", "quick exit: clear the screen and leave at once"),
    bind(&[F3], Action::Notices, "F3", "recent notices, whole"),
];

/// A page of text to read (who is online).
const READER: &[Binding] = &[bind(&[ESC, LEFT, ch('q')], Action::Back, "Esc", "back").footer()];

/// A one-line field has the keyboard: only these keys are commands.
const TYPING: &[Binding] = &[
    bind(&[ENTER], Action::Submit, "Enter", "done").footer(),
    bind(&[ESC], Action::Back, "Esc", "cancel").footer(),
    bind(&[F1], Action::HelpNow, "F1", "help now").footer(),
];

/// The bindings of a context for a member (`staff`: a moderator or sysop), in help order.
pub fn bindings(ctx: Context, staff: bool) -> Vec<&'static Binding> {
    let own: &'static [Binding] = match ctx {
        Context::Boards => screens::boards::KEYS,
        Context::Threads => screens::threads::KEYS,
        Context::Thread => screens::thread::KEYS,
        Context::Compose => screens::compose::KEYS,
        Context::SignUpDocument => screens::signup::DOCUMENT_KEYS,
        Context::SignUpHandle => screens::signup::HANDLE_KEYS,
        Context::SignUpRecover => screens::signup::RECOVER_KEYS,
        Context::Notice => screens::notice::KEYS,
        Context::Settings => screens::settings::KEYS,
        Context::Typing => TYPING,
        Context::Staff => screens::staff::KEYS,
        Context::Audit => screens::audit::KEYS,
        Context::Reports => screens::reports::KEYS,
        Context::Record => screens::record::KEYS,
        Context::Reaccept => screens::reaccept::KEYS,
        Context::Editor => screens::plan::KEYS,
        Context::Inbox => screens::inbox::KEYS,
        Context::Conversation => screens::conversation::KEYS,
        Context::Writing => screens::conversation::WRITING_KEYS,
        Context::Reader => READER,
        Context::ManageBoards => screens::manage_boards::KEYS,
        Context::Activity => screens::activity::KEYS,
        Context::Search => screens::search::KEYS,
        Context::Profile => screens::profile::KEYS,
        Context::History => screens::history::KEYS,
        Context::Dashboard => screens::dashboard::KEYS,
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
            | Context::Dashboard
            | Context::Record
    ) {
        all.extend(MOVE.iter());
        all.extend(COMMON.iter());
    } else if matches!(
        ctx,
        Context::SignUpDocument | Context::Notice | Context::Reaccept
    ) {
        // Pages to read, where letters are no text: help too, but their own scrolling keys.
        all.extend(COMMON.iter());
    } else {
        all.push(&COMMON[2]);
        all.push(&COMMON[3]);
        all.push(&COMMON[4]);
    }
    // Help now is one key away wherever a member is: joining, reading the recovery codes,
    // re-accepting a policy, a banned member's record.
    if !all.iter().any(|b| b.action == Action::HelpNow) {
        all.push(&COMMON[1]);
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

/// The staff-only hints of a context that `offers`, for the moderators' own footer row.
pub fn staff_footer(
    ctx: Context,
    offers: impl Fn(Action) -> bool,
) -> Vec<(&'static str, &'static str)> {
    bindings(ctx, true)
        .into_iter()
        .filter(|b| b.footer && b.staff && offers(b.action))
        .map(|b| (b.shown, b.short.unwrap_or(b.label)))
        .collect()
}

/// The footer's hints for a context: "Enter open · c new thread · …", those that `offers`.
pub fn footer(
    ctx: Context,
    staff: bool,
    offers: impl Fn(Action) -> bool,
) -> Vec<(&'static str, &'static str)> {
    bindings(ctx, staff)
        .into_iter()
        .filter(|b| b.footer && offers(b.action))
        .map(|b| (b.shown, b.short.unwrap_or(b.label)))
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
            !footer(Context::Boards, false, |_| true)
                .iter()
                .any(|(_, l)| *l == "moderation")
        );
        assert!(
            footer(Context::Boards, true, |_| true)
                .iter()
                .any(|(_, l)| *l == "moderation")
        );
    }

    const ALL: [Context; 26] = [
        Context::Dashboard,
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
        Context::SignUpRecover,
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
    fn help_now_is_f1_in_every_context_and_the_footer_says_so() {
        for ctx in ALL {
            for staff in [false, true] {
                assert_eq!(
                    lookup(ctx, &key(KeyCode::F(1)), staff),
                    Some(Action::HelpNow),
                    "{ctx:?}"
                );
                let shown = footer(ctx, staff, |_| true);
                assert!(
                    shown
                        .iter()
                        .any(|(k, l)| k.starts_with("F1") && *l == "help now"),
                    "{ctx:?}: {shown:?}"
                );
            }
        }
    }

    #[test]
    fn every_context_has_a_footer() {
        for ctx in ALL {
            assert!(!footer(ctx, false, |_| true).is_empty(), "{ctx:?}");
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
