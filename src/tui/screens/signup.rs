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
    Action, Binding, Context, DOWN, ENTER, ESC, F1, TAB, UP, bind, ch, shift_key,
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
    .footer(),
    bind(
        &[ch('r')],
        Action::Recover,
        "r",
        "lost your key? recover your account",
    )
    .footer(),
    bind(&[UP, ch('k')], Action::Up, "↑", "scroll up"),
    bind(&[DOWN, ch('j'), ch(' ')], Action::Down, "↓", "scroll down"),
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
    /// Lines scrolled in the document being read.
    scroll: u16,
    handle: LineInput,
    invite: LineInput,
    claim: LineInput,
    code: LineInput,
    focus: usize,
    invite_required: bool,
    claim_pending: bool,
    /// The request is on its way.
    pub busy: bool,
}

impl SignUpScreen {
    pub fn new(invite_required: bool, claim_pending: bool) -> SignUpScreen {
        SignUpScreen {
            step: Step::Guidelines,
            scroll: 0,
            handle: LineInput::new(HANDLE_MAX),
            invite: LineInput::new(20),
            claim: LineInput::new(20),
            code: LineInput::new(20),
            focus: 0,
            invite_required,
            claim_pending,
            busy: false,
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
            return Outcome::status(Status::Error("Please choose a handle.".into()));
        };
        let (invite, claim) = (text(&self.invite), text(&self.claim));
        if self.invite_required && invite.is_none() && claim.is_none() {
            self.focus = 1;
            return Outcome::status(Status::Error(
                "Joining needs an invite code from a moderator.".into(),
            ));
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
            Step::Handle | Step::Recover => Context::SignUpHandle,
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
            Step::Guidelines | Step::Privacy => match action {
                Some(Action::Accept) => {
                    self.step = if self.step == Step::Guidelines {
                        Step::Privacy
                    } else {
                        Step::Handle
                    };
                    self.scroll = 0;
                    Outcome::none()
                }
                Some(Action::Decline) => Outcome::nav(Nav::Quit, vec![]),
                Some(Action::Recover) => {
                    self.step = Step::Recover;
                    self.focus = 0;
                    Outcome::none()
                }
                Some(Action::Down) => {
                    self.scroll = self.scroll.saturating_add(1);
                    Outcome::none()
                }
                Some(Action::Up) => {
                    self.scroll = self.scroll.saturating_sub(1);
                    Outcome::none()
                }
                _ => Outcome::none(),
            },
            Step::Handle | Step::Recover => {
                if self.busy {
                    return Outcome::none();
                }
                let n = self.fields().len();
                match action {
                    Some(Action::Send) => self.submit(),
                    Some(Action::NextField) => {
                        self.focus = (self.focus + 1) % n;
                        Outcome::none()
                    }
                    Some(Action::PrevField) => {
                        self.focus = (self.focus + n - 1) % n;
                        Outcome::none()
                    }
                    Some(Action::Decline) => Outcome::nav(Nav::Quit, vec![]),
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
                super::render_document(
                    area,
                    buf,
                    theme,
                    strings::SIGNUP_WELCOME,
                    text,
                    self.scroll,
                );
                None
            }
            Step::Handle | Step::Recover => {
                let w = area.width.saturating_sub(2);
                let mut y = area.y + 1;
                let (intro, rules) = if self.step == Step::Recover {
                    (strings::RECOVER_PROMPT, "")
                } else {
                    (strings::HANDLE_PROMPT, strings::HANDLE_RULES)
                };
                Paragraph::new(intro).wrap(Wrap { trim: true }).render(
                    Rect {
                        x: area.x + 1,
                        y,
                        width: w,
                        height: 3,
                    },
                    buf,
                );
                y += 3;
                buf.set_stringn(area.x + 1, y, rules, w as usize, theme.dim());
                y += 2;
                let mut cursor = None;
                let focused = self.focused();
                for field in self.fields() {
                    let (label, input, hint) = match field {
                        Field::Handle => ("Handle ", &self.handle, None),
                        Field::Invite => ("Invite ", &self.invite, Some(strings::INVITE_PROMPT)),
                        Field::Claim => ("Code   ", &self.claim, Some(strings::CLAIM_PROMPT)),
                        Field::RecoveryCode => ("Code   ", &self.code, None),
                    };
                    if let Some(hint) = hint {
                        buf.set_stringn(area.x + 1, y, hint, w as usize, theme.dim());
                        y += 1;
                    }
                    buf.set_string(area.x + 1, y, label, theme.field(field == focused));
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
                    if field == focused {
                        cursor = c;
                    }
                    y += 2;
                }
                if self.busy { None } else { cursor }
            }
        }
    }
}
