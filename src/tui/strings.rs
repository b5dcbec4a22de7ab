//! Text shown to members, in one place.

pub const TOO_SMALL: &str = "Terminal too small: Haven needs at least 40×12.";
pub const LOADING: &str = "Loading…";
pub const NO_BOARDS: &str = "No boards yet.";
pub const NO_THREADS: &str = "No threads yet. Press c to start one.";
pub const ALL_READ: &str = "Nothing unread: you have read everything here.";
pub const THREAD_EMPTY: &str = "There are no posts here to show. Esc goes back.";
pub const DRAFT_SAVED: &str = "Draft saved. It will be here when you come back.";
pub const URGENT_REPORT: &str =
    "⚑ A member reported that someone may be at risk: m then p opens the review queue.";
pub const NOTICES_TITLE: &str = "Recent notices";
pub const NO_NOTICES: &str = "No notices yet.";
/// Ends a status-line notice that did not fit.
pub const NOTICE_CUT: &str = " (F3: all)";
pub const BANNED_KEYS: &str =
    "a sends one appeal to the moderators; you will hear back. F1 opens Help now; Esc leaves.";
pub const DRAFT_SAVING: &str = "Saving your draft…";
pub const DRAFT_NOT_SAVED: &str = "Your draft stays here, on screen: Esc tries to save it again.";
pub const POSTING: &str = "Posting…";
pub const POSTED: &str = "Posted.";
pub const SIGNUP_WELCOME: &str = "Welcome. Before you join, please read these.";
pub const HANDLE_PROMPT: &str =
    "Choose a handle: the name others will see. Don't use your real name.";
pub const HANDLE_RULES: &str = "2-24 letters, digits, '_', '-' or '.'";
pub const HANDLE_CONFIRM: &str =
    "This is the name everyone here will see, and it cannot be changed later.";
pub const HANDLE_CONFIRM_KEYS: &str = "Enter joins · any other key goes back to change it";
pub const CLAIM_PROMPT: &str =
    "Sysop claim code (only if you were given one; otherwise leave empty)";
pub const HELP_TITLE: &str = "Keys on this screen";
pub const HELP_CLOSE: &str = "↑↓ PgDn · s staying safe · Esc close";
pub const HELP_NOW_TITLE: &str = "Help now";
pub const RESTARTING: &str =
    "The board is restarting. Your draft is saved. Please reconnect in a minute.";
pub const ANON_ON: &str = "Anonymous: on (others see a pseudonym for this thread)";
pub const ANON_OFF: &str = "Anonymous: off (Alt-A or F4 to post anonymously)";
pub const RECOVER_PROMPT: &str = "Lost your key? Give your handle and one of the recovery codes you were shown when you joined. This key will then log in to your account.";
pub const CODES_TITLE: &str = "Your recovery codes";
pub const CODES_INTRO: &str = "If you ever lose your SSH key, one of these codes lets a new key into your account. Each works once. Write them down or keep them in a password manager now: they will not be shown again.";
/// Before a sysop's announcement on the status line.
pub const ANNOUNCEMENT: &str = "From the sysop: ";
pub const INVITE_PROMPT: &str = "Invite code (joining here needs one from a moderator)";
pub const PENDING_NOTICE: &str = "Your account is waiting for a moderator's approval. Until then you can read the welcome board.";
/// Help now's keys; ↑↓ scrolling is said on its border when the text does not fit.
pub const HELP_NOW_KEYS: &str =
    "e edit my safety plan · s staying safe · Esc close · Ctrl-Q quick exit";
pub const HELP_NOW_KEYS_VISITOR: &str = "s staying safe · Esc close · Ctrl-Q quick exit";
pub const PLAN_HEADING: &str = "My safety plan (only you can see it)";
pub const PLAN_NONE: &str = "  You have not written one yet: e writes it.";

/// A paste longer than the field takes.
pub fn paste_cut(left_out: usize) -> String {
    let n = if left_out == 1 {
        "1 character was".to_string()
    } else {
        format!("{} characters were", thousands(left_out))
    };
    format!("That paste was too long for this field: its last {n} left out.")
}

/// 10453760 → "10,453,760".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
