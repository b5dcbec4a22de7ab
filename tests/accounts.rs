//! Accounts: sign-up, the sysop claim, recovery codes, the second factor, keys, export,
//! deletion, invite and approval modes, new versions of the documents.

use super::util::{self, Member, TestServer, keys, new_key};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_key_signs_up_after_accepting_guidelines_and_privacy() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let mut m = Member::connect(server.addr, &key, 80, 24).await;
    let screen = m.wait_for("Community guidelines").await;
    assert!(screen.contains("I accept"), "{screen}");
    m.send(b"a").await;
    m.wait_for("Privacy policy").await;
    m.send(b"a").await;
    m.wait_for("Choose a handle").await;
    // A look-alike of a reserved handle is refused with a reason, and the form stays.
    m.send(b"m0derator\r").await;
    m.wait_for("reserved").await;
    m.send(&[0x15]).await; // Ctrl-U clears the field
    m.send(b"river_stone\r").await;
    m.wait_for("Join as river_stone?").await;
    m.send(b"\r").await;
    // Recovery codes are shown once, before anything else.
    let screen = m
        .wait_until(
            |s| util::recovery_codes(s).len() == 10,
            "ten recovery codes",
        )
        .await;
    assert!(screen.contains("will not be shown again"), "{screen}");
    // Leaving asks once more: the codes will not be shown again.
    m.send(keys::ENTER).await;
    m.wait_for("Saved them?").await;
    m.send(b"y").await;
    let screen = m.wait_for("Boards").await;
    assert!(
        screen.contains("river_stone"),
        "the header shows the handle:\n{screen}"
    );
    assert!(
        screen.contains("Welcome") && screen.contains("Support"),
        "{screen}"
    );
    m.disconnect().await;

    // The same key is now a member: no sign-up on the next connection.
    let mut again = Member::connect(server.addr, &key, 80, 24).await;
    let screen = again.wait_for("Boards").await;
    assert!(!screen.contains("Community guidelines"), "{screen}");
    again.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_claim_code_makes_the_first_sysop_once() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let code = server.claim_code.clone().expect("claim code");
    let mut m = Member::connect(server.addr, &new_key(), 80, 24).await;
    m.wait_for("Community guidelines").await;
    m.send(b"a").await;
    m.wait_for("Privacy policy").await;
    m.send(b"a").await;
    m.wait_for("Sysop claim code").await;
    m.send(b"founder").await;
    m.send(keys::TAB).await;
    m.send(b"WRONG-CODE-0000\r").await;
    m.wait_for("Join as founder?").await;
    m.send(b"\r").await;
    m.wait_for("claim code is not right").await;
    m.send(&[0x15]).await;
    m.send(code.to_lowercase().as_bytes()).await;
    m.send(keys::ENTER).await;
    m.wait_for("Your recovery codes").await;
    m.send(keys::ENTER).await;
    m.send(b"y").await;
    // The new sysop sets up a second factor before anything else.
    let screen = m
        .wait_until(
            |s| util::find_secret(s).is_some() && s.contains("Code:"),
            "the enrolment screen",
        )
        .await;
    assert!(
        screen.contains("Moderators and sysops must use one"),
        "{screen}"
    );
    let secret = util::secret_on(&screen);
    m.send(util::totp_code(&secret, 0).as_bytes()).await;
    m.send(keys::ENTER).await;
    m.wait_for("Small wins").await;
    m.disconnect().await;
    server.stop().await;

    // The claim is used up: nobody else is offered it.
    let server = TestServer::start_in(dir.path()).await;
    assert!(server.claim_code.is_none());
    let mut m = Member::connect(server.addr, &new_key(), 80, 24).await;
    m.wait_for("Community guidelines").await;
    m.send(b"a").await;
    m.wait_for("Privacy policy").await;
    m.send(b"a").await;
    let screen = m.wait_for("Choose a handle").await;
    assert!(!screen.contains("claim code"), "{screen}");
    m.disconnect().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bbs"))
        .args(["admin", "users", "--data-dir"])
        .arg(dir.path())
        .env_remove("BBS_CONFIG")
        .current_dir(dir.path())
        .output()
        .expect("run bbs admin users");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.contains("sysop") && l.contains("founder")),
        "{text}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recovery_code_binds_a_new_key_once() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let (m, codes) = Member::sign_up_with_codes(server.addr, &new_key(), "lost_keys").await;
    m.disconnect().await;

    let recover = |key: russh::keys::PrivateKey, handle: &'static str, code: String| {
        let addr = server.addr;
        async move {
            let mut m = Member::connect(addr, &key, 80, 24).await;
            m.wait_for("Community guidelines").await;
            m.send(b"r").await;
            m.wait_for("Lost your key?").await;
            m.send(handle.as_bytes()).await;
            m.send(keys::TAB).await;
            m.send(code.as_bytes()).await;
            m.send(keys::ENTER).await;
            m
        }
    };
    // A wrong code, or a right code with the wrong handle, is refused the same way.
    let mut m = recover(new_key(), "lost_keys", "AAAA-BBBB-CCCC".into()).await;
    m.wait_for("do not match").await;
    // Esc goes back to the guidelines (where `r` was), not out of the board; `?` lists the
    // keys there.
    m.send(keys::ESC).await;
    m.wait_until(
        |s| s.contains("Community guidelines") && !s.contains("Lost your key?"),
        "the guidelines again",
    )
    .await;
    assert!(!m.connection_closed());
    m.send(b"?").await;
    let screen = m.wait_for("Keys on this screen").await;
    assert!(screen.contains("recover your account"), "{screen}");
    m.disconnect().await;
    let mut m = recover(new_key(), "someone_else", codes[0].clone()).await;
    m.wait_for("do not match").await;
    m.disconnect().await;

    let new = new_key();
    let mut m = recover(new.clone(), "lost_keys", codes[0].clone()).await;
    let screen = m.wait_for("9 recovery codes left").await;
    assert!(screen.contains("lost_keys"), "{screen}");
    m.disconnect().await;
    // The new key now logs in directly.
    let mut m = Member::connect(server.addr, &new, 80, 24).await;
    m.wait_for("Small wins").await;
    m.disconnect().await;
    // The used code does not work again.
    let mut m = recover(new_key(), "lost_keys", codes[0].clone()).await;
    m.wait_for("do not match").await;
    m.disconnect().await;
    server.stop().await;

    let out = util::audit(dir.path().as_os_str(), &["--target", "lost_keys"]);
    assert!(out.contains("recovery_code_used"), "{out}");
    assert!(out.contains("wrong recovery code"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_factor_is_asked_after_the_key_and_each_code_works_once() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let (mut m, codes) = Member::sign_up_with_codes(server.addr, &key, "two_step").await;
    let secret = m.enrol_totp().await;
    m.disconnect().await;

    // The code used to enrol cannot be replayed.
    let (outcome, _) = util::login_with_code(server.addr, &key, &util::totp_code(&secret, 0)).await;
    assert!(
        matches!(outcome, util::TwoStep::AskedAgain(ref i) if i.contains("not right")),
        "{outcome:?}"
    );
    // The next code logs in, once.
    let next = util::totp_code(&secret, 1);
    let (outcome, m) = util::login_with_code(server.addr, &key, &next).await;
    assert_eq!(outcome, util::TwoStep::Accepted);
    let mut m = m.expect("member");
    m.wait_for("Small wins").await;
    m.disconnect().await;
    let (outcome, _) = util::login_with_code(server.addr, &key, &next).await;
    assert!(
        matches!(outcome, util::TwoStep::AskedAgain(_)),
        "a replayed code is refused: {outcome:?}"
    );

    // Four more wrong codes make five: codes are refused for a while, even a right one...
    for _ in 0..4 {
        let (outcome, _) = util::login_with_code(server.addr, &key, "000000").await;
        assert!(
            matches!(outcome, util::TwoStep::AskedAgain(_)),
            "{outcome:?}"
        );
    }
    let (outcome, _) = util::login_with_code(server.addr, &key, &util::totp_code(&secret, 1)).await;
    assert!(
        matches!(outcome, util::TwoStep::AskedAgain(ref i) if i.contains("Too many wrong codes")),
        "{outcome:?}"
    );
    // ...but a recovery code still opens the account.
    let (outcome, m) = util::login_with_code(server.addr, &key, &codes[3]).await;
    assert_eq!(outcome, util::TwoStep::Accepted);
    m.expect("member").disconnect().await;
    // Three wrong answers on one connection, and it is refused.
    let (outcome, _) = util::login_with_codes(server.addr, &key, &["1", "2", "3"]).await;
    assert_eq!(outcome, util::TwoStep::Refused);
    server.stop().await;

    let out = util::audit(dir.path().as_os_str(), &["--target", "two_step"]);
    assert!(out.contains("2fa_enabled"), "{out}");
    assert!(out.contains("2fa_failed"), "{out}");
    assert!(out.contains("recovery_code_used"), "{out}");
    // A good key that never passed the second factor is a failed login, not a login: the
    // seven connections that ended at the prompt, and the one refused after three codes.
    let d = dir.path().as_os_str();
    let failed = util::audit(d, &["--action", "login_failed", "--target", "two_step"]);
    let count = |text: &str, what: &str| text.lines().filter(|l| l.contains(what)).count();
    assert_eq!(count(&failed, "the connection ended"), 7, "{failed}");
    assert_eq!(count(&failed, "3 codes refused"), 1, "{failed}");
    let logins = util::audit(d, &["--action", "login", "--actor", "two_step"]);
    assert_eq!(count(&logins, "with a second factor"), 2, "{logins}");
    assert_eq!(
        logins.lines().count(),
        2,
        "only the two that passed: {logins}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_must_set_up_a_second_factor_before_anything_else() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    Member::sign_up(server.addr, &key, "new_mod")
        .await
        .disconnect()
        .await;
    let (code, _, _) = util::bbs(&[
        util::os("admin"),
        util::os("role"),
        util::os("new_mod"),
        util::os("moderator"),
        util::os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0));
    let mut m = Member::connect(server.addr, &key, 80, 24).await;
    let screen = m
        .wait_until(
            |s| util::find_secret(s).is_some() && s.contains("Code:"),
            "the enrolment screen",
        )
        .await;
    assert!(
        screen.contains("Moderators and sysops must use one"),
        "{screen}"
    );
    assert!(!screen.contains("Small wins"), "{screen}");
    let secret = util::secret_on(&screen);
    m.send(util::totp_code(&secret, 0).as_bytes()).await;
    m.send(keys::ENTER).await;
    m.wait_for("Small wins").await;
    m.disconnect().await;
    // From now on the code is asked at login.
    let (outcome, m) = util::login_with_code(server.addr, &key, &util::totp_code(&secret, 1)).await;
    assert_eq!(outcome, util::TwoStep::Accepted);
    m.expect("member").disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_added_by_pasting_and_revoking_one_closes_its_sessions() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let first = new_key();
    let second = new_key();
    let mut m = Member::sign_up(server.addr, &first, "two_keys").await;
    m.send(b"s").await;
    m.wait_for("Your keys").await;
    m.wait_for(&format!(
        "Export your data: ssh -p {} HOST export > me.json",
        server.addr.port()
    ))
    .await;
    // The only key cannot be revoked.
    m.send(b"d").await;
    m.wait_for("only key").await;
    m.send(b"a").await;
    m.wait_for("Paste key").await;
    let line = format!(
        "{} laptop",
        second.public_key().to_openssh().expect("encode")
    );
    m.send(format!("\x1b[200~{line}\x1b[201~").as_bytes()).await;
    m.send(keys::ENTER).await;
    m.wait_for("Key added: SHA256:").await;
    let fp = second
        .public_key()
        .fingerprint(russh::keys::HashAlg::Sha256)
        .to_string();
    m.wait_for(&fp[..30]).await;
    // The same key cannot be added twice.
    m.send(b"a").await;
    m.send(format!("\x1b[200~{line}\x1b[201~\r").as_bytes())
        .await;
    m.wait_for("already registered").await;

    let mut other = Member::connect(server.addr, &second, 80, 24).await;
    other.wait_for("Small wins").await;

    // The key in use asks first; anything but a second `d` keeps it.
    m.send(b"d").await;
    m.wait_for("Press d again").await;
    m.send(b"j").await;
    m.wait_for("was not revoked").await;
    // Revoke the second key (not the one in use: no confirmation needed).
    m.send(keys::DOWN).await;
    m.send(b"d").await;
    m.wait_for("Key revoked.").await;
    other.wait_closed().await;
    assert!(String::from_utf8_lossy(&other.raw).contains("revoked"));
    let (outcome, _) = util::login_with_code(server.addr, &second, "").await;
    assert_eq!(
        outcome,
        util::TwoStep::KeyOnly,
        "an unknown key again: sign-up"
    );
    m.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssh_export_writes_the_members_own_data_as_json() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let key = new_key();
    let mut m = Member::sign_up(server.addr, &key, "exporter").await;
    m.post_thread("Named thread", "named body text").await;
    // An anonymous thread on Support (the second board).
    m.send(keys::ESC).await;
    m.wait_for("c new thread").await;
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
    m.send(keys::DOWN).await;
    m.send(keys::ENTER).await;
    m.wait_for("Support").await;
    m.send(b"c").await;
    m.wait_for("Anonymous: off").await;
    m.send(b"Anonymous thread\t\t\x1bahidden author body").await;
    m.wait_for("Anonymous: on").await;
    m.send(keys::CTRL_S).await;
    m.wait_for("Posted.").await;
    let screen = m.wait_for("you, anonymously").await;
    assert!(screen.contains("anon-"), "{screen}");
    m.disconnect().await;

    let tmp = util::data_dir();
    let out = tokio::task::spawn_blocking({
        let args = util::openssh_args(&server, &key, tmp.path());
        move || {
            std::process::Command::new("ssh")
                .args(args)
                .args(["127.0.0.1", "export"])
                .output()
        }
    })
    .await
    .expect("join")
    .expect("run ssh export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json["profile"]["handle"], "exporter");
    let posts = json["posts"].as_array().expect("posts");
    assert_eq!(posts.len(), 2, "{json:#}");
    assert!(
        posts
            .iter()
            .any(|p| p["body"] == "named body text" && p["anonymous"] == false)
    );
    assert!(
        posts
            .iter()
            .any(|p| p["body"] == "hidden author body" && p["anonymous"] == true)
    );
    let keys = json["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1);
    let public = key.public_key().to_openssh().expect("encode");
    assert!(
        public.starts_with(keys[0]["public_key"].as_str().expect("key")),
        "{keys:?}"
    );
    assert_eq!(
        json["drafts"].as_array().map(Vec::len),
        Some(0),
        "posted drafts are gone"
    );

    // Another member's export holds none of it, and no exec but `export` is accepted.
    let other = new_key();
    Member::sign_up(server.addr, &other, "someone")
        .await
        .disconnect()
        .await;
    let tmp2 = util::data_dir();
    let args = util::openssh_args(&server, &other, tmp2.path());
    let out = tokio::task::spawn_blocking(move || {
        let export = std::process::Command::new("ssh")
            .args(&args)
            .args(["127.0.0.1", "export"])
            .output();
        let other = std::process::Command::new("ssh")
            .args(&args)
            .args(["127.0.0.1", "ls", "/"])
            .output();
        (export, other)
    })
    .await
    .expect("join");
    let export = out.0.expect("export");
    let text = String::from_utf8_lossy(&export.stdout);
    assert!(
        !text.contains("hidden author body") && !text.contains("named body text"),
        "{text}"
    );
    assert!(
        !out.1.expect("ls").status.success(),
        "other commands are refused"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_an_account_erases_its_posts_from_every_file_of_the_data_dir() {
    let dir = util::data_dir();
    // Unencrypted, so that a byte search can see the text before and prove it gone after:
    // erasure must not rely on the encryption.
    let server = TestServer::start_with(haven::config::Config {
        data_dir: dir.path().to_path_buf(),
        encryption: haven::config::Encryption::None,
        ..haven::config::Config::default()
    })
    .await;
    let key = new_key();
    let mut m = Member::sign_up(server.addr, &key, "qwzxleaving").await;
    m.post_thread(
        "Pelicantitle Quokkathread",
        "pelicansapphire4471 is my unique text",
    )
    .await;
    // A witness replies, so the thread outlives the author.
    let mut w = Member::sign_up(server.addr, &new_key(), "witness").await;
    w.send(keys::ENTER).await;
    w.wait_for("Pelicantitle").await;
    w.send(keys::ENTER).await;
    w.wait_for("pelicansapphire4471").await;
    w.send(b"r").await;
    w.wait_for("Reply to").await;
    w.send(b"witness reply stays").await;
    w.send(keys::CTRL_S).await;
    w.wait_for("Posted.").await;

    // Before: the text is on disk (database or WAL), so the check below can fail.
    let on_disk = |needle: &str| {
        util::all_bytes(dir.path())
            .iter()
            .any(|(_, b)| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
    };
    assert!(
        on_disk("pelicansapphire4471"),
        "the post text was never written?"
    );
    // Leave the composer with a draft, then delete the account from settings.
    m.send(keys::ESC).await;
    m.wait_for("c new thread").await;
    m.send(b"c").await;
    m.wait_for("Title").await;
    m.send(b"draftymcdraftface9921").await;
    m.send(keys::ESC).await;
    m.wait_for("Draft saved").await;
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
    m.send(b"s").await;
    m.wait_for("Your keys").await;
    m.send(b"x").await;
    m.wait_for("Type your handle to confirm").await;
    m.send(b"someone else\r").await;
    m.wait_for("type your handle exactly").await;
    m.send(b"x").await;
    m.send(b"\t").await;
    m.wait_for("will be ERASED").await;
    m.send(b"qwzxleaving\r").await;
    m.wait_closed().await;
    assert!(String::from_utf8_lossy(&m.raw).contains("Your account was deleted"));

    // The witness's reply stays under a removed title; the author's post is gone.
    w.send(keys::ESC).await;
    w.wait_for("[removed]").await;
    w.send(keys::ENTER).await;
    let screen = w.wait_for("witness reply stays").await;
    assert!(!screen.contains("pelicansapphire4471"), "{screen}");
    w.disconnect().await;

    for needle in [
        "pelicansapphire4471",
        "Pelicantitle",
        "Quokkathread",
        "draftymcdraftface9921",
        "qwzxleaving",
    ] {
        for (file, bytes) in util::all_bytes(dir.path()) {
            let found = bytes
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()));
            assert!(!found, "{needle:?} is still in {file}");
        }
    }
    // The key is forgotten: it would sign up afresh.
    let mut again = Member::connect(server.addr, &key, 80, 24).await;
    again.wait_for("Community guidelines").await;
    again.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_member_may_keep_their_posts_without_a_name() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::sign_up(server.addr, &new_key(), "keeper").await;
    m.post_thread("Words worth keeping", "these words stay")
        .await;
    m.send(keys::ESC).await;
    m.wait_for("c new thread").await;
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
    m.send(b"s").await;
    m.wait_for("Your keys").await;
    m.send(b"x").await;
    m.wait_for("will be KEPT").await;
    m.send(b"keeper\r").await;
    m.wait_closed().await;
    let mut w = Member::sign_up(server.addr, &new_key(), "reader2").await;
    w.send(keys::ENTER).await;
    w.wait_for("Words worth keeping").await;
    w.send(keys::ENTER).await;
    let screen = w.wait_for("these words stay").await;
    assert!(
        screen.contains("[deleted] ·") && !screen.contains("keeper"),
        "{screen}"
    );
    w.disconnect().await;
    server.stop().await;
}

/// A server in `dir` with a registration mode, and staff without the second-factor rule.
async fn server_with_mode(
    dir: &std::path::Path,
    mode: haven::config::RegistrationMode,
) -> TestServer {
    let config = haven::config::Config {
        data_dir: dir.to_path_buf(),
        registration: mode,
        require_2fa_for_staff: false,
        ..haven::config::Config::default()
    };
    TestServer::start_with(config).await
}

/// Connects a new key and accepts both documents, stopping at the handle form.
async fn to_handle_form(addr: std::net::SocketAddr, key: &russh::keys::PrivateKey) -> Member {
    let mut m = Member::connect(addr, key, 80, 24).await;
    m.wait_for("Community guidelines").await;
    m.send(b"a").await;
    m.wait_for("Privacy policy").await;
    m.send(b"a").await;
    m.wait_for("Choose a handle").await;
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_mode_needs_a_valid_single_use_code() {
    let dir = util::data_dir();
    let server = server_with_mode(dir.path(), haven::config::RegistrationMode::Invite).await;
    let (code, out, err) = util::bbs(&[
        util::os("admin"),
        util::os("invite"),
        util::os("--data-dir"),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let invite = out.lines().next().expect("a code").trim().to_string();

    let mut m = to_handle_form(server.addr, &new_key()).await;
    m.wait_for("Invite code").await;
    m.send(b"invited_one\r").await;
    m.wait_for("needs an invite code").await;
    m.send(b"WRONG-WRONG-0000\r").await;
    m.wait_for("Join as invited_one?").await;
    m.send(b"\r").await;
    m.wait_for("not valid").await;
    m.send(&[0x15]).await;
    m.send(invite.to_lowercase().as_bytes()).await;
    m.send(keys::ENTER).await;
    m.wait_until(|s| util::recovery_codes(s).len() == 10, "recovery codes")
        .await;
    m.send(keys::ENTER).await;
    m.send(b"y").await;
    m.wait_for("Small wins").await;
    m.disconnect().await;

    // The code is used up.
    let mut m = to_handle_form(server.addr, &new_key()).await;
    m.send(b"invited_two\t").await;
    m.send(invite.as_bytes()).await;
    m.send(keys::ENTER).await;
    m.wait_for("Join as invited_two?").await;
    m.send(keys::ENTER).await;
    m.wait_for("not valid").await;
    m.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_mode_holds_new_accounts_until_a_moderator_approves_them_live() {
    let dir = util::data_dir();
    let server = server_with_mode(dir.path(), haven::config::RegistrationMode::Approval).await;
    let mod_key = util::add_user(dir.path(), "gentle_mod", "moderator");

    let mut m = to_handle_form(server.addr, &new_key()).await;
    m.send(b"waiting_one\r").await;
    m.wait_for("Join as").await;
    m.send(b"\r").await;
    let screen = m
        .wait_until(
            |s| s.contains("waiting for a moderator"),
            "the pending notice",
        )
        .await;
    assert_eq!(util::recovery_codes(&screen).len(), 10, "{screen}");
    m.send(keys::ENTER).await;
    m.send(b"y").await;
    let screen = m.wait_for("Welcome").await;
    assert!(
        !screen.contains("Small wins"),
        "only the welcome board while waiting:\n{screen}"
    );
    assert!(!screen.contains("moderation"), "{screen}");
    // Posting is refused with the reason before any composer opens (the policy is asked
    // first: no composer that cannot post).
    m.send(keys::ENTER).await;
    m.wait_for("new thread").await;
    m.send(b"c").await;
    let screen = m.wait_for("waiting for a moderator's approval").await;
    assert!(!screen.contains("Title"), "{screen}");
    m.send(keys::ESC).await;
    m.wait_for("Welcome").await;

    // A member's `m` does nothing; the moderator's opens the queue.
    m.send(b"m").await;
    let mut moderator = Member::connect(server.addr, &mod_key, 80, 24).await;
    let screen = moderator.wait_for("Small wins").await;
    assert!(screen.contains("m moderation"), "{screen}");
    moderator.send(b"m").await;
    moderator.wait_for("waiting_one").await;
    moderator.send(b"a").await;
    moderator.wait_for("Approved.").await;
    moderator.wait_for("Nobody is waiting").await;

    // The member's open session sees every board at once.
    m.wait_for("Small wins").await;
    assert!(m.screen().contains("Boards"), "{}", m.screen());

    // The moderator makes an invite code and reads the audit log.
    moderator.send(b"i").await;
    moderator.wait_for("New invite code:").await;
    moderator.send(b"l").await;
    let screen = moderator.wait_for("approved").await;
    assert!(
        screen.contains("gentle_mod") && screen.contains("waiting_one"),
        "{screen}"
    );
    assert!(screen.contains("invite_created"), "{screen}");
    // Filtered by action, then by a member who does not exist.
    moderator.send(b"/").await;
    moderator.wait_for("Filter (actor:H").await;
    moderator.send(b"action:approved\r").await;
    let screen = moderator
        .wait_until(
            |s| s.contains("[filter: action:approved]") && !s.contains("invite_created"),
            "the filter",
        )
        .await;
    assert!(screen.contains("waiting_one"), "{screen}");
    moderator.send(b"/").await;
    moderator.send(&[0x15]).await;
    moderator.send(b"actor:nobody_at_all\r").await;
    moderator.wait_for("No member is called").await;
    m.disconnect().await;
    moderator.disconnect().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_version_of_the_guidelines_must_be_accepted_at_next_login() {
    let dir = util::data_dir();
    let key = new_key();
    let server = TestServer::start_in(dir.path()).await;
    Member::sign_up(server.addr, &key, "long_timer")
        .await
        .disconnect()
        .await;
    server.stop().await;

    // The sysop publishes version 2 of the guidelines in the data dir.
    std::fs::write(
        dir.path().join("guidelines.md"),
        "<!-- version: 2 -->\nCommunity guidelines, revised\n\nA new rule: be gentle with yourself too.\n",
    )
    .expect("write guidelines");
    let server = TestServer::start_in(dir.path()).await;
    let mut m = Member::connect(server.addr, &key, 80, 24).await;
    let screen = m.wait_for("be gentle with yourself").await;
    assert!(screen.contains("guidelines have changed"), "{screen}");
    assert!(
        !screen.contains("Privacy policy"),
        "only what changed is shown:\n{screen}"
    );
    m.send(b"a").await;
    m.wait_for("Small wins").await;
    m.disconnect().await;
    let mut m = Member::connect(server.addr, &key, 80, 24).await;
    let screen = m.wait_for("Small wins").await;
    assert!(!screen.contains("revised"), "{screen}");
    m.disconnect().await;

    // Leaving instead of accepting ends the session; the question comes back next time.
    let other = new_key();
    Member::sign_up(server.addr, &other, "newcomer")
        .await
        .disconnect()
        .await;
    server.stop().await;
    let out = util::audit(dir.path().as_os_str(), &["--action", "documents_accepted"]);
    assert!(
        out.contains("long_timer") && out.contains("guidelines v2"),
        "{out}"
    );
}
