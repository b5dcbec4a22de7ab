//! Sign-up for an unknown key: the community guidelines, then the privacy policy, each
//! accepted explicitly, then a handle (with an invite code where joining needs one, and the
//! sysop claim code while the board has no sysop). A member who lost their keys can instead
//! bind this key to their account with a recovery code.

use crate::domain::User;
use crate::tui::Loaded;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use terminput::KeyEvent;

use super::{Nav, Outcome};
use crate::domain::validate::HANDLE_MAX;
use crate::tui::keymap::{
    Action, Binding, Context, DOWN, ENTER, ESC, F1, PGDN, PGUP, TAB, UP, bind, ch, shift_key,
};
use crate::tui::widgets::LineInput;
use crate::tui::{Effect, Status, Texts, Theme, strings};

/// This screen's keys, in the order help lists them.
pub const DOCUMENT_KEYS: &[Binding] = &[
    bind(&[ch('a'), ch('A')], Action::Accept, "a", "I accept").footer(),
    bind(
        &[ch('q'), ESC],
        Action::Decline,
        "q",
        "I don't accept (leave)",
    )
    .footer_as("leave"),
    bind(
        &[ch('r')],
        Action::Recover,
        "r",
        "lost your key? recover your account",
    )
    .footer_as("lost your key?"),
    bind(
        &[DOWN, PGDN, ch(' ')],
        Action::Down,
        "↓ PgDn Space",
        "read on",
    ),
    bind(&[UP, PGUP], Action::Up, "↑ PgUp", "back up"),
];

/// This screen's keys, in the order help lists them.
pub const HANDLE_KEYS: &[Binding] = &[
    bind(&[ENTER], Action::Send, "Enter", "join").footer(),
    bind(&[TAB], Action::NextField, "Tab", "next field").footer(),
    bind(
        &[shift_key(TAB)],
        Action::PrevField,
        "Shift-Tab",
        "previous field",
    ),
    bind(&[ESC], Action::Decline, "Esc", "leave").footer(),
    bind(&[F1], Action::HelpNow, "F1", "help now").footer(),
];

/// Recovering an account: as joining, but Esc goes back to the guidelines.
pub const RECOVER_KEYS: &[Binding] = &[
    bind(&[ENTER], Action::Send, "Enter", "recover").footer(),
    bind(&[TAB], Action::NextField, "Tab", "next field").footer(),
    bind(
        &[shift_key(TAB)],
        Action::PrevField,
        "Shift-Tab",
        "previous field",
    ),
    bind(&[ESC], Action::Back, "Esc", "back").footer(),
    bind(&[F1], Action::HelpNow, "F1", "help now").footer(),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Guidelines,
    Privacy,
    Handle,
    /// A member who lost their keys: handle and a recovery code bind this key.
    Recover,
}

/// The one-line fields of the form steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Handle,
    Invite,
    Claim,
    RecoveryCode,
}

pub struct SignUpScreen {
    pub step: Step,
    /// The document being read.
    reading: super::Reading,
    handle: LineInput,
    invite: LineInput,
    claim: LineInput,
    code: LineInput,
    focus: usize,
    invite_required: bool,
    claim_pending: bool,
    /// The request is on its way.
    pub busy: bool,
    /// The handle shown back before the account is made: Enter joins with it, any other key
    /// goes back to the form.
    asking: Option<String>,
    /// The handle the member confirmed (not asked again after a wrong code).
    confirmed: Option<String>,
}

impl SignUpScreen {
    pub fn new(invite_required: bool, claim_pending: bool) -> SignUpScreen {
        SignUpScreen {
            step: Step::Guidelines,
            reading: super::Reading::default(),
            handle: LineInput::new(HANDLE_MAX),
            invite: LineInput::new(20),
            claim: LineInput::new(20),
            code: LineInput::new(20),
            focus: 0,
            invite_required,
            claim_pending,
            busy: false,
            asking: None,
            confirmed: None,
        }
    }

    fn fields(&self) -> Vec<Field> {
        match self.step {
            Step::Recover => vec![Field::Handle, Field::RecoveryCode],
            _ => {
                let mut f = vec![Field::Handle];
                if self.invite_required {
                    f.push(Field::Invite);
                }
                if self.claim_pending {
                    f.push(Field::Claim);
                }
                f
            }
        }
    }

    fn focused(&self) -> Field {
        let fields = self.fields();
        fields[self.focus.min(fields.len() - 1)]
    }

    fn input(&mut self, field: Field) -> &mut LineInput {
        match field {
            Field::Handle => &mut self.handle,
            Field::Invite => &mut self.invite,
            Field::Claim => &mut self.claim,
            Field::RecoveryCode => &mut self.code,
        }
    }

    fn submit(&mut self) -> Outcome {
        let text = |i: &LineInput| Some(i.text.trim().to_string()).filter(|t| !t.is_empty());
        if self.step == Step::Recover {
            let (Some(handle), Some(code)) = (text(&self.handle), text(&self.code)) else {
                return Outcome::status(Status::Error(
                    "Please give your handle and one of your recovery codes.".into(),
                ));
            };
            self.busy = true;
            return Outcome::effects(vec![Effect::Recover { handle, code }]);
        }
        let Some(handle) = text(&self.handle) else {
            self.focus = 0;
            return Outcome::status(Status::Error("Please choose a handle.".into()));
        };
        let handle = match crate::domain::validate::handle(&handle) {
            Ok(h) => h,
            Err(e) => {
                self.focus = 0;
                return Outcome::status(Status::Error(e.to_string()));
            }
        };
        let (invite, claim) = (text(&self.invite), text(&self.claim));
        if self.invite_required && invite.is_none() && claim.is_none() {
            self.focus = 1;
            return Outcome::status(Status::Error(
                "Joining needs an invite code from a moderator.".into(),
            ));
        }
        // The handle is shown back once before the account is made: it cannot be changed.
        if self.confirmed.as_deref() != Some(handle.as_str()) {
            self.asking = Some(handle);
            return Outcome::none();
        }
        self.busy = true;
        Outcome::effects(vec![Effect::SignUp {
            handle,
            claim,
            invite,
        }])
    }
}

impl View for SignUpScreen {
    fn context(&self) -> Context {
        match self.step {
            Step::Guidelines | Step::Privacy => Context::SignUpDocument,
            Step::Handle => Context::SignUpHandle,
            Step::Recover => Context::SignUpRecover,
        }
    }

    fn title(&self) -> String {
        "Join".into()
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        _body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        match self.step {
            Step::Guidelines | Step::Privacy if self.reading.key(key) => Outcome::none(),
            Step::Guidelines | Step::Privacy => match action {
                Some(Action::Accept) => {
                    self.step = if self.step == Step::Guidelines {
                        Step::Privacy
                    } else {
                        Step::Handle
                    };
                    self.reading.restart();
                    Outcome::none()
                }
                Some(Action::Decline) => Outcome::nav(Nav::Quit, vec![]),
                Some(Action::Recover) => {
                    self.step = Step::Recover;
                    self.focus = 0;
                    Outcome::none()
                }
                _ => Outcome::none(),
            },
            Step::Handle | Step::Recover => {
                if self.busy {
                    return Outcome::none();
                }
                if let Some(handle) = self.asking.take() {
                    if action == Some(Action::Send) {
                        self.confirmed = Some(handle);
                        return self.submit();
                    }
                    return Outcome::status(Status::Info(
                        "Not joined yet: change what you like, then Enter.".into(),
                    ));
                }
                let n = self.fields().len();
                match action {
                    Some(Action::Send) => self.submit(),
                    // Tab stops at the last field and Shift-Tab at the first: a code is never
                    // typed into the handle by a Tab too many.
                    Some(Action::NextField) => {
                        self.focus = (self.focus + 1).min(n - 1);
                        Outcome::none()
                    }
                    Some(Action::PrevField) => {
                        self.focus = self.focus.saturating_sub(1);
                        Outcome::none()
                    }
                    Some(Action::Decline) => Outcome::nav(Nav::Quit, vec![]),
                    // From recovering, back to the guidelines (where `r` came from).
                    Some(Action::Back) => {
                        self.step = Step::Guidelines;
                        self.focus = 0;
                        self.reading.restart();
                        Outcome::none()
                    }
                    _ => {
                        let field = self.focused();
                        self.input(field).key(key);
                        Outcome::none()
                    }
                }
            }
        }
    }

    fn paste(&mut self, text: &str) -> usize {
        if matches!(self.step, Step::Handle | Step::Recover) && !self.busy {
            let field = self.focused();
            return self.input(field).paste(text);
        }
        0
    }

    fn loaded(&mut self, _loaded: Loaded, _body: u16) -> Vec<Effect> {
        vec![]
    }

    fn failed(&mut self) {
        self.busy = false
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        texts: &Texts,
    ) -> Option<Position> {
        match self.step {
            Step::Guidelines | Step::Privacy => {
                let text = if self.step == Step::Guidelines {
                    &texts.guidelines
                } else {
                    &texts.privacy
                };
                self.reading
                    .render(area, buf, theme, strings::SIGNUP_WELCOME, text);
                None
            }
            Step::Handle if self.asking.is_some() => {
                let handle = self.asking.as_deref().unwrap_or_default();
                let text = vec![
                    ratatui::text::Line::styled(format!("Join as {handle}?"), theme.title()),
                    ratatui::text::Line::raw(""),
                    ratatui::text::Line::raw(strings::HANDLE_CONFIRM),
                    ratatui::text::Line::raw(""),
                    ratatui::text::Line::styled(strings::HANDLE_CONFIRM_KEYS, theme.key()),
                ];
                Paragraph::new(text).wrap(Wrap { trim: true }).render(
                    Rect {
                        x: area.x + 1,
                        y: area.y + 1,
                        width: area.width.saturating_sub(2),
                        height: area.height.saturating_sub(1),
                    },
                    buf,
                );
                None
            }
            Step::Handle | Step::Recover => {
                let w = area.width.saturating_sub(2);
                let (intro, rules) = if self.step == Step::Recover {
                    (strings::RECOVER_PROMPT, "")
                } else {
                    (strings::HANDLE_PROMPT, strings::HANDLE_RULES)
                };
                // The form as rows; on a short terminal the blank rows go first, then the
                // introduction, so every field and its hint stay on screen.
                enum Row<'a> {
                    Blank,
                    Intro(String),
                    Dim(String),
                    Field(Field, &'a str, &'a LineInput),
                }
                let wrap = |t: &str| {
                    textwrap::wrap(t, (w as usize).max(10))
                        .into_iter()
                        .map(|l| l.into_owned())
                        .collect::<Vec<_>>()
                };
                let mut rows = vec![Row::Blank];
                rows.extend(wrap(intro).into_iter().map(Row::Intro));
                rows.push(Row::Blank);
                if !rules.is_empty() {
                    rows.extend(wrap(rules).into_iter().map(Row::Dim));
                    rows.push(Row::Blank);
                }
                for field in self.fields() {
                    let (label, input, hint) = match field {
                        Field::Handle => ("Handle ", &self.handle, None),
                        Field::Invite => ("Invite ", &self.invite, Some(strings::INVITE_PROMPT)),
                        Field::Claim => ("Code   ", &self.claim, Some(strings::CLAIM_PROMPT)),
                        Field::RecoveryCode => ("Code   ", &self.code, None),
                    };
                    if let Some(hint) = hint {
                        rows.extend(wrap(hint).into_iter().map(Row::Dim));
                    }
                    rows.push(Row::Field(field, label, input));
                    rows.push(Row::Blank);
                }
                let room = area.height as usize;
                if rows.len() > room {
                    rows.retain(|r| !matches!(r, Row::Blank));
                }
                if rows.len() > room {
                    rows.retain(|r| !matches!(r, Row::Intro(_)));
                }
                let mut cursor = None;
                let focused = self.focused();
                for (i, row) in rows.iter().enumerate().take(room) {
                    let y = area.y + i as u16;
                    match row {
                        Row::Blank => {}
                        Row::Intro(t) => {
                            buf.set_stringn(area.x + 1, y, t, w as usize, theme.text());
                        }
                        Row::Dim(t) => {
                            buf.set_stringn(area.x + 1, y, t, w as usize, theme.dim());
                        }
                        Row::Field(field, label, input) => {
                            buf.set_string(area.x + 1, y, label, theme.field(*field == focused));
                            let c = input.render(
                                Rect {
                                    x: area.x + 8,
                                    y,
                                    width: w.saturating_sub(8).min(30),
                                    height: 1,
                                },
                                buf,
                                theme.text(),
                            );
                            if *field == focused {
                                cursor = c;
                            }
                        }
                    }
                }
                if self.busy { None } else { cursor }
            }
        }
    }
}
