//! Accounts made outside the UI (`bbs admin`), the built binary, and second-factor logins
//! and codes.

use super::*;

/// Creates a member with `role` in `data_dir` through `bbs admin add-user`; returns their key.
pub fn add_user(data_dir: &Path, handle: &str, role: &str) -> PrivateKey {
    add_user_by(&["--data-dir".as_ref(), data_dir.as_os_str()], handle, role)
}

/// The same, with the settings of the bbs.toml at `config`.
pub fn add_user_with(config: &Path, handle: &str, role: &str) -> PrivateKey {
    add_user_by(&["--config".as_ref(), config.as_os_str()], handle, role)
}

fn add_user_by(place: &[&std::ffi::OsStr], handle: &str, role: &str) -> PrivateKey {
    let key = new_key();
    let tmp = tempfile::tempdir().expect("tempdir");
    let pubfile = write_public_key(&key, tmp.path(), handle);
    let (code, _, err) = bbs(&[
        "admin".as_ref(),
        "add-user".as_ref(),
        handle.as_ref(),
        "--key".as_ref(),
        pubfile.as_os_str(),
        "--role".as_ref(),
        role.as_ref(),
        place[0],
        place[1],
    ]);
    assert_eq!(code, Some(0), "add-user {handle}: {err}");
    key
}

/// Runs the `bbs` binary with `args`; returns (exit code, stdout, stderr).
pub fn bbs(args: &[&std::ffi::OsStr]) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
        .args(args)
        .env_remove("BBS_CONFIG")
        .output()
        .expect("run bbs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `bbs admin audit FILTER… --data-dir DIR`: the audit log as the sysop reads it.
pub fn audit(data_dir: &std::ffi::OsStr, filter: &[&str]) -> String {
    let mut args: Vec<&std::ffi::OsStr> = vec!["admin".as_ref(), "audit".as_ref()];
    args.extend(filter.iter().map(|a| std::ffi::OsStr::new(*a)));
    args.extend(["--data-dir".as_ref(), data_dir]);
    bbs(&args).1
}

/// How a login with a second factor went.
#[derive(Debug, PartialEq, Eq)]
pub enum TwoStep {
    /// The key alone was enough (no second factor asked).
    KeyOnly,
    Accepted,
    /// The server asked again; the instructions it gave.
    AskedAgain(String),
    Refused,
}

/// Logs in with `key`, answering the second-factor prompt with `code`; on success opens a
/// shell and returns the member.
pub async fn login_with_code(
    addr: SocketAddr,
    key: &PrivateKey,
    code: &str,
) -> (TwoStep, Option<Member>) {
    login_with_codes(addr, key, &[code]).await
}

/// Like [`login_with_code`], answering each prompt on one connection with the next code
/// until the server accepts, refuses, or the codes run out (then the last outcome).
pub async fn login_with_codes(
    addr: SocketAddr,
    key: &PrivateKey,
    codes: &[&str],
) -> (TwoStep, Option<Member>) {
    use russh::client::KeyboardInteractiveAuthResponse as K;
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut handle, seen, auth) = key_login(stream, key)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let outcome = match auth {
        russh::client::AuthResult::Success => TwoStep::KeyOnly,
        russh::client::AuthResult::Failure {
            partial_success: true,
            remaining_methods,
        } => {
            assert!(
                remaining_methods.contains(&russh::MethodKind::KeyboardInteractive),
                "{remaining_methods:?}"
            );
            let start = handle
                .authenticate_keyboard_interactive_start("member", None)
                .await
                .expect("kbd-int");
            let K::InfoRequest { prompts, .. } = start else {
                panic!("expected a prompt, got {start:?}");
            };
            assert!(
                prompts[0].prompt.contains("Authenticator code"),
                "{:?}",
                prompts[0].prompt
            );
            let mut outcome = TwoStep::Refused;
            for code in codes {
                outcome = match handle
                    .authenticate_keyboard_interactive_respond(vec![code.to_string()])
                    .await
                    .expect("respond")
                {
                    K::Success => TwoStep::Accepted,
                    K::InfoRequest { instructions, .. } => TwoStep::AskedAgain(instructions),
                    K::Failure { .. } => TwoStep::Refused,
                };
                if !matches!(outcome, TwoStep::AskedAgain(_)) {
                    break;
                }
            }
            outcome
        }
        russh::client::AuthResult::Failure { .. } => TwoStep::Refused,
    };
    if !matches!(outcome, TwoStep::KeyOnly | TwoStep::Accepted) {
        return (outcome, None);
    }
    (
        outcome,
        Some(Member::open_shell(handle, &seen, 80, 24).await),
    )
}

/// The current code for a secret as the enrolment screen shows it.
pub fn totp_code(secret_text: &str, offset_steps: i64) -> String {
    let secret = haven::domain::totp::parse_secret_text(secret_text).expect("base32 secret");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64;
    haven::domain::totp::code_at(&secret, (now + offset_steps * 30) as u64)
}

/// The secret on the enrolment screen (the line of 4-character base32 groups).
pub fn secret_on(screen: &str) -> String {
    find_secret(screen).unwrap_or_else(|| panic!("no secret on screen:\n{screen}"))
}

pub fn find_secret(screen: &str) -> Option<String> {
    let is_group = |g: &str| {
        g.len() == 4
            && g.chars()
                .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
    };
    let rows: Vec<String> = screen
        .lines()
        .filter_map(|l| {
            l.split("  ")
                .map(str::trim)
                .find(|p| p.len() == 19 && p.split(' ').count() == 4 && p.split(' ').all(is_group))
                .map(str::to_string)
        })
        .collect();
    (rows.len() == 2).then(|| rows.join(" "))
}
