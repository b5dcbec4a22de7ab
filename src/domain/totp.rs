//! TOTP second factor (RFC 6238): secrets, codes, verification with one step of clock skew,
//! the `otpauth://` URI authenticator apps read, and a QR code drawn with Unicode half blocks.
//! Replay protection (a code is accepted once) needs the last accepted step, which the
//! service stores per member: `verify` returns the step a code matched.

use totp_rs::{Algorithm, Builder, Totp};

/// Seconds per code. Authenticator apps assume 30.
pub const STEP: u64 = 30;
/// Digits per code. Authenticator apps assume 6.
pub const DIGITS: u8 = 6;
/// Secret length: 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;

fn totp(secret: &[u8], digits: u8) -> Option<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(digits)
        .with_skew(1)
        .with_step_duration(STEP)
        .with_secret(secret.to_vec())
        .build()
        .ok()
}

/// A fresh random secret.
pub fn new_secret() -> Vec<u8> {
    let bytes: [u8; SECRET_BYTES] = rand::random();
    bytes.to_vec()
}

/// The secret as people type it into an app: base32, in groups of four.
pub fn secret_text(secret: &[u8]) -> String {
    let b32 = base32_encode(secret);
    b32.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// RFC 4648 base32 without padding (what otpauth URIs use).
fn base32_encode(data: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for &b in data {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Reads a secret as `secret_text` shows it (base32, spaces ignored).
pub fn parse_secret_text(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        let v = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// The `otpauth://totp/…` URI for authenticator apps. SHA-1, 6 digits and 30 s are the
/// format's defaults and left out, which keeps the QR code small enough for 24 rows.
pub fn uri(secret: &[u8], account: &str, issuer: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}",
        percent_encode(account),
        base32_encode(secret)
    )
}

/// Percent-encodes everything but unreserved URI characters (RFC 3986).
fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The code for a time (Unix seconds).
pub fn code_at(secret: &[u8], time: u64) -> String {
    totp(secret, DIGITS)
        .map(|t| t.generate(time).to_string())
        .unwrap_or_default()
}

/// Checks `code` at `time`, allowing one step of skew either way; returns the matching step.
pub fn verify(secret: &[u8], code: &str, time: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp(secret, DIGITS)?.check(&code, time)
}

/// The QR code of `text` as rows of half-block characters (two modules per character cell),
/// with a two-module light margin (a full four-module quiet zone would not fit a 24-row
/// terminal; phone cameras read it with two). Empty if the text cannot be encoded.
pub fn qr_lines(text: &str) -> Vec<String> {
    use qrcode::render::unicode::Dense1x2;
    let Ok(code) = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::L)
    else {
        return Vec::new();
    };
    // Light modules are drawn as spaces and dark as blocks; terminals with dark backgrounds
    // show it inverted, which phone cameras also read, but the margin keeps it scannable.
    let rows: Vec<String> = code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(false)
        .module_dimensions(1, 1)
        .build()
        .lines()
        .map(|l| format!("██{l}██"))
        .collect();
    let width = rows.first().map_or(0, |r| r.chars().count());
    let margin = "█".repeat(width);
    std::iter::once(margin.clone())
        .chain(rows)
        .chain(std::iter::once(margin))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, 8 digits.
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, code) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            let t = totp(secret, 8).expect("totp");
            assert_eq!(t.generate(time).to_string(), code, "at {time}");
            assert_eq!(t.check(code, time), Some(time / STEP), "check at {time}");
        }
    }

    #[test]
    fn codes_verify_with_one_step_of_skew_only() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now);
        assert_eq!(verify(&secret, &code, now), Some(now / STEP));
        assert_eq!(verify(&secret, &code, now + STEP), Some(now / STEP));
        assert_eq!(verify(&secret, &code, now + 3 * STEP), None);
        assert_eq!(verify(&secret, "12345", now), None);
        assert_eq!(verify(&secret, "abcdef", now), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(verify(&secret, &spaced, now), Some(now / STEP));
    }

    #[test]
    fn the_uri_and_secret_text_carry_the_secret() {
        let secret = b"12345678901234567890";
        assert_eq!(base32_encode(secret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            secret_text(secret),
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
        );
        let uri = uri(secret, "river", "Haven");
        assert!(uri.starts_with("otpauth://totp/Haven:river?"), "{uri}");
        assert!(
            uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{uri}"
        );
        assert!(uri.contains("issuer=Haven"), "{uri}");
        assert_eq!(percent_encode("My Haven é"), "My%20Haven%20%C3%A9");
    }

    #[test]
    fn the_qr_code_is_square_and_fits_an_80_by_24_terminal() {
        let lines = qr_lines(&uri(&new_secret(), "a_long_handle_here_xx", "Haven"));
        assert!(!lines.is_empty());
        let width = lines[0].chars().count();
        assert!(lines.iter().all(|l| l.chars().count() == width));
        assert!(width <= 45 && lines.len() <= 21, "{width}x{}", lines.len());
    }
}
