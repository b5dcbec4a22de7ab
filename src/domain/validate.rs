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
    #[error("A handle may not mix alphabets, such as Latin with Cyrillic or Greek.")]
    HandleMixedScripts,
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

/// The version of `skeleton`: bump it whenever what `skeleton` returns changes, so the store
/// recomputes the skeletons it keeps (`store::users::refresh_skeletons`).
pub const SKELETON_VERSION: i64 = 3;

/// The confusable skeleton of a handle (Unicode UTS #39), case-folded, with accents, separators,
/// small capitals and a few look-alike digits folded as well, so `m0derator`, `MODERATOR`,
/// `rnoderator`, `аdmin` (Cyrillic а), `ᴀdmin` (small capital), `ádmin` and `mod_erator` all
/// collide with `moderator` or `admin`. Two handles with the same skeleton cannot both exist.
pub fn skeleton(handle: &str) -> String {
    let mut text = plain_letters(&normalize_handle(handle));
    // Twice, because the skeleton's prototypes fold further: Cyrillic н becomes ʜ, Greek η
    // becomes n with a mark, and an upper-case prototype (П → Π) must fold like its lower case.
    for _ in 0..2 {
        let skel: String = unicode_security::confusable_detection::skeleton(&text)
            .flat_map(char::to_lowercase)
            .collect();
        text = plain_letters(&skel);
    }
    text.chars()
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

/// The text without what only decorates a letter, and with letters that pass for a plain Latin
/// one folded to it. Accents (combining marks, after canonical decomposition) never tell
/// handles apart: `alíce` reads as `alice` at a glance.
///
/// Only accents on Latin, Greek and Cyrillic letters go: in scripts such as Devanagari or
/// Bengali a vowel sign is a combining mark that makes a different word (`राम` is not `रमा`).
fn plain_letters(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let mut base_is_european = false;
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if is_combining_mark(c) {
            if base_is_european {
                continue;
            }
        } else {
            base_is_european = is_european_letter(c);
            if is_accent_letter(c) {
                continue;
            }
        }
        out.push(fold_letter(c));
    }
    out
}

/// Latin, Greek and Cyrillic letters (their blocks, extended ones included), whose accents
/// never tell handles apart.
fn is_european_letter(c: char) -> bool {
    matches!(c,
        'A'..='Z' | 'a'..='z' | '\u{c0}'..='\u{52f}' | '\u{1c80}'..='\u{1c8f}'
        | '\u{1d00}'..='\u{1dbf}' | '\u{1e00}'..='\u{1fff}' | '\u{2c60}'..='\u{2c7f}'
        | '\u{a640}'..='\u{a69f}' | '\u{a720}'..='\u{a7ff}' | '\u{ab30}'..='\u{ab6f}')
}

/// Spacing modifier letters that NFKC leaves alone: primes, apostrophes, accents and tone
/// marks written as letters. They count as letters (so `handle` lets them through) but look
/// like punctuation or an accent, so the skeleton drops them as it drops marks.
fn is_accent_letter(c: char) -> bool {
    matches!(c, '\u{2b0}'..='\u{2ff}' | '\u{a700}'..='\u{a721}' | '\u{a788}')
}

/// Small capitals (which UTS #39 mostly leaves as themselves, so `ᴀdmin` would pass for new)
/// and the letters shaped like `n` (so nothing passes for the `anon-xxxx` pseudonyms).
fn fold_letter(c: char) -> char {
    match c {
        'ᴀ' => 'a',
        'ᴁ' => 'æ',
        'ʙ' | 'ᴃ' => 'b',
        'ᴄ' => 'c',
        'ᴅ' | 'ᴆ' => 'd',
        'ᴇ' => 'e',
        'ꜰ' => 'f',
        'ɢ' => 'g',
        'ʜ' => 'h',
        'ɪ' | 'ᵻ' => 'i',
        'ᴊ' => 'j',
        // Kra is a small capital K in all but name; the skeleton turns ᴋ and Cyrillic к into it.
        'ᴋ' | 'ĸ' => 'k',
        'ʟ' | 'ᴌ' => 'l',
        'ᴍ' => 'm',
        'ɴ' => 'n',
        'ᴏ' => 'o',
        'ᴘ' | 'ᴩ' => 'p',
        'ꞯ' => 'q',
        'ʀ' => 'r',
        'ꜱ' => 's',
        'ᴛ' => 't',
        'ᴜ' | 'ᵾ' => 'u',
        'ᴠ' => 'v',
        'ᴡ' => 'w',
        'ʏ' => 'y',
        'ᴢ' => 'z',
        // Letters shaped like n: Cyrillic п, Greek π and η, Armenian ո and ռ, eng, and n with a
        // hook, curl, tilde, stroke, descender or tail.
        'п' | 'π' | 'ᴨ' | 'η' | 'ո' | 'ռ' | 'ŋ' | 'ɲ' | 'ɳ' | 'ƞ' | 'ȵ' | 'ᵰ' | 'ᶇ' | 'ꞑ' | 'ꞥ'
        | 'ꬻ' | 'ꬼ' | '\u{1df14}' => 'n',
        c => c,
    }
}

/// True when a handle mixes scripts beyond UTS #39's "moderately restrictive" level: Latin
/// with Cyrillic or Greek (whose letters pass for Latin ones), or two scripts neither of which
/// is Latin (Han with Kana or Hangul excepted). Latin with Han, Kana, Hangul or one other
/// recommended script is fine. The crate's `detect_restriction_level` is not used as is: it
/// calls anything with a character outside the identifier profile (a small capital, a Cherokee
/// letter) unrestricted, and which characters a handle may use is `handle`'s own rule.
fn mixes_scripts(text: &str) -> bool {
    use unicode_security::mixed_script::AugmentedScriptSet;
    // The crate does not export its `Script` type: Latin is the script of `a`.
    let latin = AugmentedScriptSet::for_char('a').base;
    let mut all = AugmentedScriptSet::default();
    let mut beside_latin = AugmentedScriptSet::default();
    for c in text.chars() {
        let set = AugmentedScriptSet::for_char(c);
        all.intersect_with(set);
        if set.base.intersection(latin).is_empty() {
            beside_latin.intersect_with(set);
        }
    }
    if !all.is_empty() || beside_latin.hanb || beside_latin.jpan || beside_latin.kore {
        return false;
    }
    let mut others = beside_latin.base.iter();
    match (others.next(), others.next()) {
        (Some(script), None) => {
            !script.is_recommended() || matches!(script.short_name(), "Cyrl" | "Grek")
        }
        _ => true,
    }
}

/// Checks a handle's form; uniqueness is checked by the store against existing skeletons.
/// Returns the sanitised handle to store.
pub fn handle(input: &str) -> Result<String, Invalid> {
    // The sanitiser keeps joiners between letters of joining scripts (they shape the word in
    // a post); in a handle they only make two names look alike, so they always go.
    let handle = sanitize::line(input)
        .replace(['\u{200c}', '\u{200d}'], "")
        .trim()
        .to_string();
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
    // Anything shaped like an anonymous pseudonym (`anon-7f3a`) is the system's.
    if RESERVED_HANDLES.iter().any(|r| skeleton(r) == sk) || sk.starts_with("anon") {
        return Err(Invalid::HandleReserved);
    }
    if mixes_scripts(&normalize_handle(&handle)) {
        return Err(Invalid::HandleMixedScripts);
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
    fn joiners_never_stay_in_a_handle() {
        assert_eq!(handle("می‌خواهم"), Ok("میخواهم".into()));
        assert_eq!(handle("ad\u{200d}min_x"), Ok("admin_x".into()));
    }

    #[test]
    fn vowel_signs_of_indic_scripts_still_tell_handles_apart() {
        assert_ne!(skeleton("राम"), skeleton("रमा"));
        assert_ne!(skeleton("কমল"), skeleton("কমলা"));
        assert_eq!(skeleton("alíce"), skeleton("alice"));
        assert!(handle("राम").is_ok());
    }

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
    fn small_capitals_and_accents_do_not_make_a_reserved_handle_new() {
        for h in ["ᴀdmin", "ʜᴀᴠᴇɴ", "ádmin", "ꜱʏꜱᴏᴘ", "ʀᴏᴏᴛ", "ʜᴇʟᴘ", "ꜱᴛᴀꜰꜰ"]
        {
            assert_eq!(handle(h), Err(Invalid::HandleReserved), "{h:?}");
        }
    }

    #[test]
    fn nothing_passes_for_an_anonymous_pseudonym() {
        for h in [
            "anon-7f3a",
            "aпon-7f3a", // Cyrillic п
            "ạnon-7f3a", // a with dot below
            "aηon-7f3a", // Greek η
            "aոon-7f3a", // Armenian ո
            "aռon-7f3a", // Armenian ռ
            "aŋon-7f3a", // eng
            "aꞑon-7f3a", // n with descender
            "ᴀɴᴏɴ-7f3a",
            "аnоn-7f3a", // Cyrillic а and о
            "ANON_7F3A",
        ] {
            assert_eq!(handle(h), Err(Invalid::HandleReserved), "{h:?}");
        }
    }

    #[test]
    fn latin_mixed_with_cyrillic_or_greek_is_refused() {
        assert_eq!(handle("rivеr"), Err(Invalid::HandleMixedScripts)); // Cyrillic е
        assert_eq!(handle("stοne"), Err(Invalid::HandleMixedScripts)); // Greek ο
        assert_eq!(handle("Анна_ζ"), Err(Invalid::HandleMixedScripts)); // Cyrillic with Greek
    }

    #[test]
    fn single_script_and_latin_with_cjk_handles_pass() {
        for h in [
            "Ζωή",
            "Анна",
            "東京",
            "さくら",
            "Tokyo東京",
            "sakuraさくら",
            "한국abc",
        ] {
            assert_eq!(handle(h), Ok(h.to_string()), "{h:?}");
        }
    }

    #[test]
    fn accents_and_small_capitals_fold_away_in_the_skeleton() {
        assert_eq!(skeleton("alíce"), skeleton("alice"));
        assert_eq!(skeleton("alicë"), skeleton("alice"));
        assert_eq!(skeleton("Zoë"), skeleton("zoe"));
        assert_eq!(skeleton("ʀɪᴠᴇʀ"), skeleton("river"));
        assert_eq!(skeleton("adminʼ"), skeleton("admin"));
        for h in ["ʜᴀᴠᴇɴ", "aпon-7f3a", "Пётр", "Анна", "ŋᴍ", "Ζωή", "ĸᴋк"]
        {
            let once = skeleton(h);
            assert_eq!(skeleton(&once), once, "skeletons are stable: {h:?}");
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
