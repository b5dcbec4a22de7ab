//! Page objects: what a member does in a few keys (start a thread, reply, enrol a second
//! factor), so a test reads as the member's steps; and small readers of what a test sees.

use super::*;

/// A fresh temporary data directory.
pub fn data_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// The screen's text with its rows joined, so a sentence wrapped over rows is found whole.
pub fn flat(screen: &str) -> String {
    screen.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

/// An argument for [`bbs`].
pub fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

/// Every byte of every file under `dir`.
pub fn all_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).expect("read file"),
            )
        })
        .collect()
}

impl Member {
    /// Opens the first board (Welcome) and starts a thread with `title` and `body`.
    pub async fn post_thread(&mut self, title: &str, body: &str) {
        self.send(keys::ENTER).await;
        self.wait_for("new thread").await;
        self.type_new_thread(title, body).await;
        self.send(keys::CTRL_S).await;
        self.wait_for("Posted.").await;
    }

    /// Opens the composer for a new thread on the board on screen and types a title and body,
    /// without sending.
    pub async fn type_new_thread(&mut self, title: &str, body: &str) {
        self.send(b"c").await;
        self.wait_for("Title").await;
        self.send(title.as_bytes()).await;
        self.send(keys::TAB).await;
        self.send(keys::TAB).await;
        self.send(body.as_bytes()).await;
    }

    /// Waits until a post went through: "Posted." and the composer closed (so the post is
    /// acknowledged, not merely on screen in the composer).
    pub async fn wait_posted(&mut self) {
        self.wait_until(
            |s| s.contains("Posted.") && !s.contains("Ctrl-S post"),
            "posted",
        )
        .await;
    }

    /// Pages down (Space) until `text` shows, as a member reads on through a page taller than
    /// their terminal; at most ten pages.
    pub async fn page_to(&mut self, text: &str) -> String {
        for _ in 0..10 {
            self.pump(Duration::from_millis(150)).await;
            if self.screen().contains(text) {
                return self.screen();
            }
            self.send(b" ").await;
        }
        self.wait_for(text).await
    }

    /// Posts a reply in the thread on screen.
    pub async fn reply(&mut self, text: &str) {
        self.send(b"r").await;
        self.wait_for("Reply to").await;
        self.send(text.as_bytes()).await;
        self.send(keys::CTRL_S).await;
        self.wait_for("Posted.").await;
        self.wait_for(text).await;
    }

    /// Enrols the member on screen in a second factor; returns the secret shown.
    pub async fn enrol_totp(&mut self) -> String {
        self.send(b"s").await;
        self.wait_for("Second factor: off").await;
        self.send(b"t").await;
        let screen = self
            .wait_until(
                |s| find_secret(s).is_some() && s.contains("Code:"),
                "the enrolment screen",
            )
            .await;
        assert!(screen.contains("otpauth://totp/"), "{screen}");
        assert!(
            screen.contains("▄") || screen.contains("▀"),
            "a QR code is drawn:\n{screen}"
        );
        let secret = secret_on(&screen);
        self.send(b"000000\r").await;
        self.wait_for("not right").await;
        self.send(totp_code(&secret, 0).as_bytes()).await;
        self.send(keys::ENTER).await;
        self.wait_for("Your second factor is on").await;
        self.wait_for("Second factor: on").await;
        secret
    }
}
