//! Validation of what members type: handles, titles, bodies. Each limit is a named constant
//! with the reason it exists.

use crate::sanitize;

/// Handles are short enough to fit a narrow terminal's post header and long enough to be chosen.
pub const HANDLE_MIN: usize = 2;
pub const HANDLE_MAX: usize = 24;
/// Titles fit one line of a thread list (DESIGN.md §4).
pub const TITLE_MAX: usize = 120;
/// A post long enough for anyone's story, short enough to page through (DESIGN.md §4).
pub const BODY_MAX: usize = 32_000;

/// Handles that can never be taken: they would let a member pass as staff or as the system.
pub const RESERVED_HANDLES: &[&str] = &[
    "admin",
    "administrator",
    "sysop",
    "root",
    "moderator",
    "mod",
    "mods",
    "staff",
    "support",
    "haven",
    "system",
    "anonymous",
    "anon",
    "deleted",
    "help",
    "official",
];

/// Why text was refused, in words a member can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("A handle needs {HANDLE_MIN} to {HANDLE_MAX} characters.")]
    HandleLength,
    #[error("A handle may use letters, digits, '_', '-' and '.' only.")]
    HandleCharacters,
    #[error("That handle is reserved. Please choose another.")]
    HandleReserved,
    #[error("That handle is taken, or looks too much like one that is. Please choose another.")]
    HandleTaken,
    #[error("That key already belongs to a member.")]
    KeyTaken,
    #[error("Please give your thread a title.")]
    TitleEmpty,
    #[error("Titles can be at most {TITLE_MAX} characters.")]
    TitleTooLong,
    #[error("The post is empty.")]
    BodyEmpty,
    #[error("Posts can be at most {BODY_MAX} characters.")]
    BodyTooLong,
}

/// Normalises a handle for comparison: NFKC + lower case, without the look-alike folding that
/// `skeleton` adds. Stable when applied twice.
pub fn normalize_handle(handle: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let once: String = handle.nfkc().flat_map(char::to_lowercase).collect();
    once.nfkc().collect()
}

/// The confusable skeleton of a handle (Unicode UTS #39), case-folded, with separators and a
/// few look-alike digits folded as well, so `m0derator`, `MODERATOR`, `rnoderator`, `аdmin`
/// (Cyrillic а) and `mod_erator` all collide with `moderator`. Two handles with the same
/// skeleton cannot both exist.
pub fn skeleton(handle: &str) -> String {
    let norm = normalize_handle(handle);
    let skel: String = unicode_security::confusable_detection::skeleton(&norm).collect();
    let folded: String = skel.chars().flat_map(char::to_lowercase).collect();
    // Skeletons of the folded text, so an upper-case look-alike folds like its lower case.
    let again: String = unicode_security::confusable_detection::skeleton(&folded)
        .flat_map(char::to_lowercase)
        .collect();
    again
        .chars()
        .filter_map(|c| match c {
            '_' | '-' | '.' => None,
            '0' => Some('o'),
            '1' | '|' => Some('l'),
            '3' => Some('e'),
            '4' => Some('a'),
            '5' => Some('s'),
            '7' => Some('t'),
            '8' => Some('b'),
            'i' => Some('l'),
            c => Some(c),
        })
        .collect()
}

/// Checks a handle's form; uniqueness is checked by the store against existing skeletons.
/// Returns the sanitised handle to store.
pub fn handle(input: &str) -> Result<String, Invalid> {
    let handle = sanitize::line(input).trim().to_string();
    let len = handle.chars().count();
    if !(HANDLE_MIN..=HANDLE_MAX).contains(&len) {
        return Err(Invalid::HandleLength);
    }
    if !handle
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(Invalid::HandleCharacters);
    }
    let sk = skeleton(&handle);
    if RESERVED_HANDLES.iter().any(|r| skeleton(r) == sk) || sk.starts_with("anon") {
        return Err(Invalid::HandleReserved);
    }
    Ok(handle)
}

/// Checks and cleans a thread title.
pub fn title(input: &str) -> Result<String, Invalid> {
    let title = sanitize::line(input).trim().to_string();
    if title.is_empty() {
        return Err(Invalid::TitleEmpty);
    }
    if title.chars().count() > TITLE_MAX {
        return Err(Invalid::TitleTooLong);
    }
    Ok(title)
}

/// Checks and cleans a post body: trailing blank lines and spaces go, inner ones stay.
pub fn body(input: &str) -> Result<String, Invalid> {
    let body = sanitize::multiline(input).trim_end().to_string();
    let body = body.trim_start_matches('\n').to_string();
    if body.trim().is_empty() {
        return Err(Invalid::BodyEmpty);
    }
    if body.chars().count() > BODY_MAX {
        return Err(Invalid::BodyTooLong);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_handles_pass() {
        assert_eq!(handle("river_stone"), Ok("river_stone".into()));
        assert_eq!(handle("  Ana.M  "), Ok("Ana.M".into()));
        assert_eq!(handle("Zoë"), Ok("Zoë".into()));
    }

    #[test]
    fn bad_handles_are_refused_with_a_reason() {
        assert_eq!(handle("a"), Err(Invalid::HandleLength));
        assert_eq!(handle(&"x".repeat(25)), Err(Invalid::HandleLength));
        assert_eq!(handle("two words"), Err(Invalid::HandleCharacters));
        assert_eq!(handle("x\u{1b}[31m"), Err(Invalid::HandleLength));
    }

    #[test]
    fn reserved_handles_and_their_look_alikes_are_refused() {
        for h in [
            "admin",
            "Moderator",
            "m0derator",
            "MOD",
            "s y",
            "аdmin",
            "ᴬᴰᴹᴵᴺ",
            "admin\u{200b}",
        ] {
            let r = handle(h);
            assert!(r.is_err(), "{h:?} should be refused, got {r:?}");
        }
    }

    #[test]
    fn look_alikes_of_each_other_share_a_skeleton() {
        assert_eq!(skeleton("willow"), skeleton("WiII0w"));
        assert_eq!(skeleton("river"), skeleton("rivеr")); // Cyrillic е
        assert_ne!(skeleton("river"), skeleton("rover"));
        assert_eq!(
            skeleton(&skeleton("Zoë")),
            skeleton("Zoë"),
            "skeletons are stable"
        );
    }

    #[test]
    fn normalisation_is_stable() {
        for h in ["Ǆ", "ﬁsh", "ÅNGSTRÖM", "ᴬᴰᴹᴵᴺ"] {
            let once = normalize_handle(h);
            assert_eq!(normalize_handle(&once), once);
        }
    }

    #[test]
    fn titles_and_bodies_are_checked() {
        assert_eq!(title("   "), Err(Invalid::TitleEmpty));
        assert_eq!(title(&"t".repeat(121)), Err(Invalid::TitleTooLong));
        assert_eq!(body("\n\n  \n"), Err(Invalid::BodyEmpty));
        assert_eq!(body("hello\n\n"), Ok("hello".into()));
        assert_eq!(body(&"b".repeat(32_001)), Err(Invalid::BodyTooLong));
    }
}
