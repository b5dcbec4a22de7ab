//! The domain: ids, roles, the entities the store returns and the screens show, validation of
//! what members type. Pure: no IO, no clock, no database.

pub mod policy;
pub mod totp;
pub mod validate;

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(v).map($name)
            }
        }
    };
}

id_type!(
    /// A member's account.
    UserId
);
id_type!(
    /// A board.
    BoardId
);
id_type!(
    /// A thread (its first post is its opening post).
    ThreadId
);
id_type!(
    /// A post.
    PostId
);

/// What a member may do, widest last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Member,
    /// A member with a verified badge granted by a sysop.
    Professional,
    Moderator,
    Sysop,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Professional => "professional",
            Role::Moderator => "moderator",
            Role::Sysop => "sysop",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "member" => Role::Member,
            "professional" => Role::Professional,
            "moderator" => Role::Moderator,
            "sysop" => Role::Sysop,
            _ => return None,
        })
    }

    /// Moderators and sysops.
    pub fn is_staff(self) -> bool {
        self >= Role::Moderator
    }
}

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    Active,
    /// Waiting for a moderator's approval (registration mode `approval`).
    Pending,
    Banned,
    Deleted,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Pending => "pending",
            AccountStatus::Banned => "banned",
            AccountStatus::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<AccountStatus> {
        Some(match s {
            "active" => AccountStatus::Active,
            "pending" => AccountStatus::Pending,
            "banned" => AccountStatus::Banned,
            "deleted" => AccountStatus::Deleted,
            _ => return None,
        })
    }
}

/// A public key registered to a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    pub id: i64,
    pub algorithm: String,
    /// `SHA256:…` as `ssh-keygen -lf` prints it.
    pub fingerprint: String,
    pub comment: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// Who is acting: a signed-in member (over SSH or the local console).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub handle: String,
    pub role: Role,
    pub trust_level: i64,
    pub created_at: i64,
    pub status: AccountStatus,
    /// Read-only until this time (a moderator's silence).
    pub silenced_until: Option<i64>,
}

impl User {
    /// Acting as staff: a moderator or sysop whose account is active. This is the one meaning
    /// of "staff" for every exemption and every moderation right.
    pub fn is_staff(&self) -> bool {
        self.role.is_staff() && self.status == AccountStatus::Active
    }

    /// Silenced at `now`: until when.
    pub fn silenced_at(&self, now: i64) -> Option<i64> {
        self.silenced_until.filter(|&t| t > now)
    }
}

/// A board as the board list shows it, for one reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    pub id: BoardId,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub read_only: bool,
    pub allow_anonymous: bool,
    /// Readable by accounts still waiting for approval.
    pub welcome: bool,
    /// Lowest trust level that may post here (staff always may).
    pub min_trust: i64,
    /// Put away by a sysop: nobody reads or posts here until it is brought back.
    pub archived: bool,
    pub thread_count: i64,
    /// Threads with posts this reader has not read.
    pub unread_threads: i64,
    /// Why this reader may not start a thread here, if they may not (the policy's answer,
    /// asked by the service, so a screen offers no composer that cannot post).
    pub start_refused: Option<policy::Denied>,
}

/// A thread as the thread list shows it, for one reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadSummary {
    pub id: ThreadId,
    pub board_id: BoardId,
    pub title: String,
    /// The author's handle, or the thread's pseudonym for an anonymous thread.
    pub author: String,
    pub post_count: i64,
    pub unread: i64,
    pub pinned: bool,
    pub locked: bool,
    /// When the newest post the reader can see was written.
    pub last_post_at: i64,
    /// Who wrote it (a handle or the thread's pseudonym), if the reader sees any post.
    pub last_poster: Option<String>,
}

/// A post as a thread shows it, for one reader. The author of an anonymous post is not here:
/// only its pseudonym, and `mine` for its own author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub id: PostId,
    pub thread_id: ThreadId,
    pub author: String,
    pub anonymous: bool,
    pub mine: bool,
    /// The text as the reader sees it (quotes expanded for them).
    pub body: String,
    /// The text as written (what an editor starts from).
    pub source: String,
    pub content_warning: Option<String>,
    pub created_at: i64,
    pub edited: bool,
    /// Contains a word the reader muted (set by the service for each reader).
    pub muted: bool,
    /// Hidden by a moderator, or withdrawn by its author (only moderators are ever given such
    /// posts).
    pub hidden: bool,
    /// Withdrawn by its author: gone for members, kept for moderators (and the audit).
    pub withdrawn: bool,
    /// An anonymous post's author, once unmasked (only moderators are ever given it).
    pub unmasked: Option<String>,
    /// The reader gave this post their support (♥).
    pub supported: bool,
    /// How many gave it support, not counting members the reader blocked; only ever set for
    /// the post's own author (support is no public score).
    pub support: i64,
}

impl Post {
    /// Shown collapsed until the reader opens it: a content warning, or a muted word.
    pub fn collapsed(&self) -> bool {
        self.content_warning.is_some() || self.muted
    }
}

/// "2026-11-25 17:04" (UTC) from Unix seconds.
pub fn format_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// "2026-11-30" → the first second of that day (UTC); None if it is not such a date.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > days_in[m as usize - 1]
    {
        return None;
    }
    // Days-from-civil (Howard Hinnant's algorithm), the inverse of `format_time`'s.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

/// "30m", "12h", "7d", "2w" → seconds; None if it is not such a duration.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().ok()?;
    let unit = match unit {
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return None,
    };
    n.checked_mul(unit)
}

/// The first of `words` that `text` contains as a whole word, ignoring case and look-alike
/// characters (`fr33` matches `free`, Cyrillic look-alikes match their Latin twins).
pub fn watched_word<'a>(text: &str, words: &'a [String]) -> Option<&'a str> {
    if words.is_empty() {
        return None;
    }
    let skeletons: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(validate::skeleton)
        .collect();
    words
        .iter()
        .find(|w| {
            let target = validate::skeleton(w);
            skeletons.contains(&target)
        })
        .map(String::as_str)
}

/// True when `text` contains `word` as a whole word or phrase, ignoring case.
///
/// ```text
/// contains_word("Today was hard", "hard") → true;  contains_word("hardly", "hard") → false
/// ```
pub fn contains_word(text: &str, word: &str) -> bool {
    let word = word.trim().to_lowercase();
    if word.is_empty() {
        return false;
    }
    let text = text.to_lowercase();
    text.match_indices(&word).any(|(i, m)| {
        let before = text[..i].chars().next_back();
        let after = text[i + m.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// A thread's header and one page of its posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadPage {
    pub id: ThreadId,
    pub board_id: BoardId,
    pub board_name: String,
    /// The board allows anonymous posts (replies too).
    pub anonymous_allowed: bool,
    pub title: String,
    pub locked: bool,
    pub pinned: bool,
    pub post_count: i64,
    /// Index (0-based) of the first post on this page.
    pub offset: i64,
    /// The newest post the reader had read here when the page was loaded.
    pub read_mark: Option<PostId>,
    /// Why this reader may not reply here, if they may not (the policy's answer).
    pub reply_refused: Option<policy::Denied>,
    /// Why this reader may not edit their own posts here, if they may not.
    pub edit_refused: Option<policy::Denied>,
    pub posts: Vec<Post>,
}

impl ThreadPage {
    /// The id of the thread's first post (its title belongs to it), if it is on this page.
    pub fn posts_first_id(&self) -> PostId {
        if self.offset == 0 {
            self.posts.first().map_or(PostId(0), |p| p.id)
        } else {
            PostId(0)
        }
    }
}

/// Where a draft belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DraftPlace {
    NewThread(BoardId),
    Reply(BoardId, ThreadId),
}

impl DraftPlace {
    pub fn board(self) -> BoardId {
        match self {
            DraftPlace::NewThread(b) | DraftPlace::Reply(b, _) => b,
        }
    }
    pub fn thread(self) -> Option<ThreadId> {
        match self {
            DraftPlace::NewThread(_) => None,
            DraftPlace::Reply(_, t) => Some(t),
        }
    }
}

/// What the composer holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    pub title: String,
    pub body: String,
    pub content_warning: String,
    pub anonymous: bool,
}

impl Draft {
    pub fn is_empty(&self) -> bool {
        self.title.trim().is_empty()
            && self.body.trim().is_empty()
            && self.content_warning.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::{contains_word, format_time, parse_date, watched_word};

    #[test]
    fn a_date_is_the_first_second_of_that_day_and_nonsense_is_none() {
        for day in ["1970-01-01", "2026-11-30", "2028-02-29", "2000-03-01"] {
            let at = parse_date(day).expect(day);
            assert_eq!(format_time(at), format!("{day} 00:00"));
        }
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1",
            "yesterday",
            "1969-12-31",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn watched_words_match_whole_words_through_case_and_look_alikes() {
        let words = vec!["pills".to_string(), "free".to_string()];
        assert_eq!(watched_word("cheap PILLS here", &words), Some("pills"));
        assert_eq!(watched_word("get it fr33 now", &words), Some("free"));
        assert_eq!(watched_word("frее money", &words), Some("free")); // Cyrillic е
        assert_eq!(watched_word("freedom and spillsover", &words), None);
        assert_eq!(watched_word("anything", &[]), None);
    }

    #[test]
    fn whole_words_and_phrases_match_ignoring_case() {
        assert!(contains_word("Today was HARD.", "hard"));
        assert!(!contains_word("I hardly slept", "hard"));
        assert!(contains_word("a panic attack again", "panic attack"));
        assert!(!contains_word("panicky", "panic"));
        assert!(contains_word("Ärger und Wut", "ärger"));
        assert!(!contains_word("anything", ""));
    }
}
