//! Settings: the member's keys (add by pasting, revoke), second factor, recovery codes, and
//! how to export their data.

use crate::domain::User;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome, Screen, move_selection, totp::TotpScreen};
use crate::domain::KeyRecord;
use crate::tui::keymap::{Action, Binding, ESC, LEFT, bind, ch};
use crate::tui::widgets::{LineInput, format_time, truncate};
use crate::tui::{Effect, Loaded, Status, Texts, Theme};

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(
        &[ch('l')],
        Action::ToggleBell,
        "l",
        "bell with urgent reports on/off",
    )
    .staff(),
    bind(&[ch('b')], Action::Block, "b", "block someone (by handle)"),
    bind(
        &[ch('o')],
        Action::TogglePresence,
        "o",
        "show me in who's online / invisible",
    ),
    bind(&[ch('r')], Action::MyRecord, "r", "my record"),
    bind(
        &[ch('n')],
        Action::ReadGuidelines,
        "n",
        "the community guidelines",
    ),
    bind(&[ch('p')], Action::ReadPrivacy, "p", "the privacy policy"),
    bind(&[ch('s')], Action::StayingSafe, "s", "staying safe here"),
    bind(
        &[ch('T')],
        Action::CycleTheme,
        "T",
        "colours (dark, light, high contrast, monochrome, plain)",
    ),
    bind(&[ch('z')], Action::TimeZone, "z", "time zone"),
    bind(&[ch('u')], Action::Unblock, "u", "unblock someone"),
    bind(&[ch('w')], Action::MutedWords, "w", "muted words"),
    bind(&[ch('x')], Action::DeleteAccount, "x", "delete account"),
    // The other keys are named on the lines they change; these act on the key list.
    bind(&[ch('a')], Action::AddKey, "a", "add a key (paste it)").footer_as("add a key"),
    bind(
        &[ch('d')],
        Action::RevokeKey,
        "d",
        "revoke the selected key",
    )
    .footer_as("revoke key"),
    bind(&[ESC, LEFT, ch('h')], Action::Back, "Esc", "back").footer(),
    bind(&[ch('t')], Action::TwoFactor, "t", "second factor on/off"),
    bind(
        &[ch('c')],
        Action::NewRecoveryCodes,
        "c",
        "new recovery codes",
    ),
    bind(&[ch('q')], Action::Back, "q", "back"),
];

/// What the settings screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsData {
    pub keys: Vec<KeyRecord>,
    pub muted: Vec<String>,
    /// Handles the member blocked.
    pub blocked: Vec<String>,
    pub totp: bool,
    pub recovery_codes_left: usize,
    /// Shown in "who's online".
    pub presence: bool,
    /// For staff: a terminal bell with urgent reports (None for members).
    pub report_bell: Option<bool>,
    /// The time zone the member chose (None: UTC).
    pub time_zone: Option<String>,
}

/// A one-line question at the bottom of the screen.
enum Mode {
    Normal,
    /// Pasting a public key.
    AddKey(LineInput),
    /// Revoking the key this session logged in with needs a second `d`.
    ConfirmRevoke(i64),
    /// Turning the second factor off needs a current code.
    DisableTotp(LineInput),
    /// New recovery codes replace the old ones: press `c` again.
    ConfirmCodes,
    /// Editing muted words: a comma-separated list.
    Muted(LineInput),
    /// Choosing a time zone by name.
    TimeZone(LineInput),
    /// Unblocking: type the handle.
    Unblock(LineInput),
    /// Blocking someone by handle (met in messages or elsewhere).
    Block(LineInput),
    /// Deleting the account: type the handle; Tab chooses what happens to the posts.
    Delete {
        input: LineInput,
        erase_posts: bool,
    },
}

pub struct SettingsScreen {
    pub data: Option<SettingsData>,
    pub selected: usize,
    /// The key this session logged in with (None on the console).
    pub current_key: Option<i64>,
    mode: Mode,
    /// The first row shown, where the page is taller than the screen (40×12).
    top: usize,
    /// The page's rows and the rows shown at a time, as last drawn (keys scroll by them).
    shown: std::cell::Cell<(usize, usize)>,
}

impl SettingsScreen {
    pub fn new(current_key: Option<i64>) -> SettingsScreen {
        SettingsScreen {
            data: None,
            selected: 0,
            current_key,
            mode: Mode::Normal,
            top: 0,
            shown: std::cell::Cell::new((0, 0)),
        }
    }

    /// True while a text field has the keyboard (letters are text, not commands).
    pub fn typing(&self) -> bool {
        // Every mode with a line to type in: its letters are text, never the screen's keys
        // (nor the App's: `?`, `!` or `T` typed into muted words stay in them).
        matches!(
            self.mode,
            Mode::AddKey(_)
                | Mode::DisableTotp(_)
                | Mode::Delete { .. }
                | Mode::Muted(_)
                | Mode::TimeZone(_)
                | Mode::Unblock(_)
                | Mode::Block(_)
        )
    }
}

impl View for SettingsScreen {
    fn context(&self) -> Context {
        if self.typing() {
            Context::Typing
        } else {
            Context::Settings
        }
    }

    fn title(&self) -> String {
        "Settings".into()
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        _body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        match &mut self.mode {
            Mode::Delete { input, erase_posts } => {
                match key.code {
                    terminput::KeyCode::Esc => {
                        self.mode = Mode::Normal;
                        return Outcome::status(Status::Info(
                            "Your account was not deleted.".into(),
                        ));
                    }
                    terminput::KeyCode::Tab => *erase_posts = !*erase_posts,
                    terminput::KeyCode::Enter => {
                        let effect = Effect::DeleteAccount {
                            confirm: input.text.clone(),
                            erase_posts: *erase_posts,
                        };
                        self.mode = Mode::Normal;
                        return Outcome::effects(vec![effect]);
                    }
                    _ => {
                        input.key(key);
                    }
                }
                return Outcome::none();
            }
            Mode::AddKey(input)
            | Mode::DisableTotp(input)
            | Mode::Muted(input)
            | Mode::TimeZone(input)
            | Mode::Unblock(input)
            | Mode::Block(input) => {
                match key.code {
                    terminput::KeyCode::Esc => self.mode = Mode::Normal,
                    terminput::KeyCode::Enter => {
                        let text = input.text.clone();
                        let effect = match self.mode {
                            Mode::AddKey(_) => Effect::AddKey(text),
                            Mode::Muted(_) => Effect::SetMutedWords(text),
                            Mode::TimeZone(_) => Effect::SetTimeZone(text),
                            Mode::Unblock(_) => Effect::Unblock(text),
                            Mode::Block(_) => Effect::BlockHandle(text),
                            _ => Effect::DisableTotp(text),
                        };
                        self.mode = Mode::Normal;
                        return Outcome::effects(vec![effect]);
                    }
                    _ => {
                        input.key(key);
                    }
                }
                return Outcome::none();
            }
            Mode::ConfirmRevoke(id) => {
                let id = *id;
                self.mode = Mode::Normal;
                if action == Some(Action::RevokeKey) {
                    return Outcome::effects(vec![Effect::RevokeKey(id)]);
                }
                return Outcome::status(Status::Info("The key was not revoked.".into()));
            }
            Mode::ConfirmCodes => {
                self.mode = Mode::Normal;
                if action == Some(Action::NewRecoveryCodes) {
                    return Outcome::effects(vec![Effect::RegenerateCodes]);
                }
                return Outcome::status(Status::Info("Your recovery codes were kept.".into()));
            }
            Mode::Normal => {}
        }
        let Some(action) = action else {
            return Outcome::none();
        };
        let keys = self.data.as_ref().map_or(0, |d| d.keys.len());
        let (total, rows) = self.shown.get();
        let last_top = total.saturating_sub(rows);
        let step = rows.saturating_sub(1).max(1);
        match action {
            // ↑↓ choose a key, and the page follows the choice (its row is 1 + its place).
            Action::Up | Action::Down => {
                move_selection(&mut self.selected, keys, action, 1);
                let row = 1 + self.selected;
                if row <= self.top {
                    self.top = row.saturating_sub(1);
                } else if rows > 0 && row >= self.top + rows {
                    self.top = (row + 1 - rows).min(last_top);
                }
                return Outcome::none();
            }
            // The page scrolls where it is taller than the screen.
            Action::PageDown => self.top = (self.top + step).min(last_top),
            Action::PageUp => self.top = self.top.saturating_sub(step),
            Action::Top => self.top = 0,
            Action::Bottom => self.top = last_top,
            _ => {}
        }
        if matches!(
            action,
            Action::PageDown | Action::PageUp | Action::Top | Action::Bottom
        ) {
            return Outcome::none();
        }
        match action {
            Action::AddKey => {
                self.mode = Mode::AddKey(LineInput::new(16 * 1024));
                Outcome::none()
            }
            Action::RevokeKey => {
                let Some(k) = self.data.as_ref().and_then(|d| d.keys.get(self.selected)) else {
                    return Outcome::none();
                };
                if keys <= 1 {
                    return Outcome::status(Status::Error(
                        "That is your only key: add another before revoking it.".into(),
                    ));
                }
                if Some(k.id) == self.current_key {
                    self.mode = Mode::ConfirmRevoke(k.id);
                    return Outcome::status(Status::Error(
                        "This is the key you are logged in with: you will be logged out. Press d again to revoke it.".into(),
                    ));
                }
                Outcome::effects(vec![Effect::RevokeKey(k.id)])
            }
            Action::TwoFactor => {
                if self.data.as_ref().is_some_and(|d| d.totp) {
                    self.mode = Mode::DisableTotp(LineInput::new(20));
                    Outcome::none()
                } else {
                    Outcome::nav(
                        Nav::Push(Box::new(Screen::Totp(TotpScreen::new(false)))),
                        vec![Effect::StartTotp],
                    )
                }
            }
            Action::NewRecoveryCodes => {
                self.mode = Mode::ConfirmCodes;
                Outcome::status(Status::Error(
                    "New codes replace all your old ones. Press c again to make them.".into(),
                ))
            }
            Action::ReadGuidelines | Action::ReadPrivacy | Action::StayingSafe => {
                use super::document::{Doc, DocumentScreen};
                let doc = match action {
                    Action::ReadGuidelines => Doc::Guidelines,
                    Action::ReadPrivacy => Doc::Privacy,
                    _ => Doc::Safety,
                };
                Outcome::nav(
                    Nav::Push(Box::new(Screen::Document(DocumentScreen::new(doc)))),
                    vec![],
                )
            }
            Action::MyRecord => Outcome::nav(
                Nav::Push(Box::new(Screen::Record(super::record::RecordScreen::new()))),
                vec![Effect::LoadRecord],
            ),
            Action::Unblock => {
                self.mode = Mode::Unblock(LineInput::new(64));
                Outcome::none()
            }
            Action::Block => {
                self.mode = Mode::Block(LineInput::new(64));
                Outcome::none()
            }
            Action::ToggleBell => match self.data.as_ref().and_then(|d| d.report_bell) {
                Some(on) => Outcome::effects(vec![Effect::SetReportBell(!on)]),
                None => Outcome::none(),
            },
            Action::TogglePresence => match &self.data {
                Some(d) => Outcome::effects(vec![Effect::SetPresence(!d.presence)]),
                None => Outcome::none(),
            },
            Action::MutedWords => {
                let current = self
                    .data
                    .as_ref()
                    .map(|d| d.muted.join(", "))
                    .unwrap_or_default();
                self.mode = Mode::Muted(LineInput::with_text(8_000, &current));
                Outcome::none()
            }
            Action::TimeZone => {
                let current = self
                    .data
                    .as_ref()
                    .and_then(|d| d.time_zone.clone())
                    .unwrap_or_default();
                self.mode = Mode::TimeZone(LineInput::with_text(64, &current));
                Outcome::none()
            }
            Action::DeleteAccount => {
                self.mode = Mode::Delete {
                    input: LineInput::new(64),
                    erase_posts: false,
                };
                Outcome::none()
            }
            Action::Back => Outcome::nav(Nav::Back, vec![]),
            _ => Outcome::none(),
        }
    }

    fn paste(&mut self, text: &str) -> usize {
        if let Mode::AddKey(input) | Mode::DisableTotp(input) | Mode::Delete { input, .. } =
            &mut self.mode
        {
            return input.paste(text);
        }
        0
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        match loaded {
            Loaded::Settings(data) => {
                self.selected = self.selected.min(data.keys.len().saturating_sub(1));
                self.data = Some(data);
                vec![]
            }
            Loaded::Done(_) => vec![Effect::LoadSettings],
            _ => vec![],
        }
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        vec![Effect::LoadSettings]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        texts: &Texts,
    ) -> Option<Position> {
        let Some(data) = &self.data else {
            buf.set_string(
                area.x + 1,
                area.y + 1,
                crate::tui::strings::LOADING,
                theme.dim(),
            );
            return None;
        };
        let w = area.width as usize;
        let totp = if data.totp {
            "on (an authenticator app code is asked at login; t turns it off)"
        } else {
            "off (t sets it up)"
        };
        let list = |items: &[String], none: &str| {
            if items.is_empty() {
                none.to_string()
            } else {
                items.join(", ")
            }
        };
        // The settings below the keys, one row each.
        let mut facts = vec![
            (format!("Second factor: {totp}"), theme.text()),
            (
                format!(
                    "Recovery codes left: {} (c makes new ones)",
                    data.recovery_codes_left
                ),
                theme.text(),
            ),
            (
                format!(
                    "Blocked: {} (b blocks, u unblocks)",
                    list(&data.blocked, "nobody")
                ),
                theme.text(),
            ),
            (
                if data.presence {
                    "Who's online: you show there (o to be invisible)"
                } else {
                    "Who's online: you are invisible (o to show yourself)"
                }
                .to_string(),
                theme.text(),
            ),
            (
                format!("Muted words: {} (w)", list(&data.muted, "none")),
                theme.text(),
            ),
            (
                format!("Colours: {} (T changes them)", theme.name()),
                theme.text(),
            ),
            (
                format!(
                    "Time zone: {} (z changes it)",
                    data.time_zone.as_deref().unwrap_or("UTC")
                ),
                theme.text(),
            ),
            (
                format!("Export your data: {}", texts.export_command),
                theme.dim(),
            ),
        ];
        if let Some(on) = data.report_bell {
            let state = if on { "on" } else { "off" };
            facts.insert(
                facts.len() - 1,
                (
                    format!("Bell with urgent reports: {state} (l switches)"),
                    theme.text(),
                ),
            );
        }
        facts.push((String::new(), theme.text()));
        for line in [
            "n guidelines · p privacy policy",
            "s staying safe here · r my record",
            "x delete my account (it asks first)",
        ] {
            facts.push((line.to_string(), theme.dim()));
        }
        // The page: the keys, a blank row, the facts. The bottom row is the question line,
        // or, where the page is taller than the screen, where the reader is in it.
        let mut page: Vec<(String, ratatui::style::Style)> =
            vec![("Your keys".to_string(), theme.title())];
        for (i, k) in data.keys.iter().enumerate() {
            let selected = i == self.selected;
            let mut line = format!(
                "{}{} {}  added {}",
                if selected { "▸ " } else { "  " },
                k.algorithm,
                k.fingerprint,
                format_time(k.created_at)
            );
            if Some(k.id) == self.current_key {
                line.push_str(" · this key");
            }
            page.push((
                line,
                if selected {
                    theme.selected()
                } else {
                    theme.text()
                },
            ));
        }
        page.push((String::new(), theme.text()));
        // A fact too long for the width wraps, so the key that changes it stays in sight.
        let room = w.saturating_sub(2).max(8);
        for (text, style) in facts {
            if text.is_empty() {
                page.push((text, style));
                continue;
            }
            let options = textwrap::Options::new(room).subsequent_indent("  ");
            page.extend(
                textwrap::wrap(&text, options)
                    .into_iter()
                    .map(|l| (l.into_owned(), style)),
            );
        }
        let rows = area.height.saturating_sub(1) as usize;
        self.shown.set((page.len(), rows));
        let top = self.top.min(page.len().saturating_sub(rows));
        for (i, (text, style)) in page.iter().skip(top).take(rows).enumerate() {
            buf.set_stringn(
                area.x + 1,
                area.y + i as u16,
                truncate(text, w.saturating_sub(2)),
                w.saturating_sub(2),
                *style,
            );
        }
        if page.len() > rows && matches!(self.mode, Mode::Normal) {
            let mark = format!(
                "PgDn/PgUp more · {}-{} of {}",
                top + 1,
                (top + rows).min(page.len()),
                page.len()
            );
            buf.set_stringn(
                area.x + 1,
                area.bottom().saturating_sub(1),
                truncate(&mark, w.saturating_sub(2)),
                w.saturating_sub(2),
                theme.key(),
            );
        }
        // The question line, at the bottom.
        let qy = area.bottom().saturating_sub(1);
        match &self.mode {
            Mode::AddKey(input) => {
                return crate::tui::widgets::prompt(area, qy, "Paste key: ", input, buf, theme);
            }
            Mode::Delete { input, erase_posts } => {
                let posts = if *erase_posts {
                    "Your posts will be ERASED. (Tab: keep them without your name)"
                } else {
                    "Your posts will be KEPT without your name. (Tab: erase them)"
                };
                clear_row(buf, area, qy.saturating_sub(2));
                clear_row(buf, area, qy.saturating_sub(1));
                buf.set_stringn(
                    area.x + 1,
                    qy.saturating_sub(2),
                    "Delete your account? This cannot be undone.",
                    w.saturating_sub(2),
                    theme.error(),
                );
                buf.set_stringn(
                    area.x + 1,
                    qy.saturating_sub(1),
                    posts,
                    w.saturating_sub(2),
                    theme.unread(),
                );
                return crate::tui::widgets::prompt(
                    area,
                    qy,
                    "Type your handle to confirm: ",
                    input,
                    buf,
                    theme,
                );
            }
            Mode::Block(input) => {
                return crate::tui::widgets::prompt(
                    area,
                    qy,
                    "Block (handle; they are not told): ",
                    input,
                    buf,
                    theme,
                );
            }
            Mode::Unblock(input) => {
                return crate::tui::widgets::prompt(
                    area,
                    qy,
                    "Unblock (handle): ",
                    input,
                    buf,
                    theme,
                );
            }
            Mode::Muted(input) => {
                hint(
                    buf,
                    area,
                    qy,
                    "Posts with these words or phrases arrive collapsed. Separate them with commas.",
                    theme,
                );
                return crate::tui::widgets::prompt(area, qy, "Muted: ", input, buf, theme);
            }
            Mode::DisableTotp(input) => {
                return crate::tui::widgets::prompt(area, qy, "Current code: ", input, buf, theme);
            }
            Mode::TimeZone(input) => {
                hint(
                    buf,
                    area,
                    qy,
                    "A name like Europe/Berlin or America/New_York; empty for UTC.",
                    theme,
                );
                return crate::tui::widgets::prompt(area, qy, "Time zone: ", input, buf, theme);
            }
            _ => {}
        }
        None
    }
}

/// A question's explanation, on the rows just above the question line `qy`, wrapped whole
/// (at 40 columns it takes two rows rather than losing its end).
fn hint(buf: &mut Buffer, area: Rect, qy: u16, text: &str, theme: Theme) {
    let room = area.width.saturating_sub(2).max(8) as usize;
    let lines = textwrap::wrap(text, room);
    for (i, line) in lines.iter().enumerate() {
        let y = qy.saturating_sub((lines.len() - i) as u16);
        if y >= area.y {
            clear_row(buf, area, y);
            buf.set_stringn(area.x + 1, y, line, room, theme.dim());
        }
    }
}

/// Blanks row `y` of `area`, so a question's lines never mix with the page beneath.
fn clear_row(buf: &mut Buffer, area: Rect, y: u16) {
    use ratatui::widgets::{Clear, Widget};
    Clear.render(
        Rect {
            y,
            height: 1,
            ..area
        },
        buf,
    );
}
