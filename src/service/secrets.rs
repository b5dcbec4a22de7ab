//! Codes people type (sysop claim, invites, recovery codes): made from an alphabet without
//! look-alikes and kept only as argon2id hashes.

use super::*;

/// A sysop claim code: 3 groups of 4 from an alphabet without look-alikes.
pub(super) fn claim_code() -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let mut code = String::new();
    for group in 0..3 {
        if group > 0 {
            code.push('-');
        }
        for _ in 0..4 {
            code.push(ALPHABET[rng.random_range(0..ALPHABET.len())] as char);
        }
    }
    code
}

/// Hashes a secret (claim codes, invites, recovery codes) with argon2id. A failure is an
/// error, never an empty hash that nothing could match.
pub fn hash_secret(secret: &str) -> Result<String> {
    use argon2::password_hash::PasswordHasher;
    let hash: Result<argon2::password_hash::phc::PasswordHash, _> =
        argon2::Argon2::default().hash_password(normalize_code(secret).as_bytes());
    hash.map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("hashing a code: {e}")))
}

/// Checks a secret against its argon2id hash.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    use argon2::password_hash::phc::PasswordHash;
    PasswordHash::new(hash)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(normalize_code(secret).as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Codes are typed by people: ignore case, spaces and dashes.
pub(super) fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
