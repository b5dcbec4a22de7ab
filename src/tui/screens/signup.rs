//! Sign-up for an unknown key: the community guidelines, then the privacy policy, each
//! accepted explicitly, then a handle (and, while unclaimed, the sysop claim code).

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};
use terminput::KeyEvent;

use super::{Nav, Outcome};
use crate::domain::validate::HANDLE_MAX;
use crate::tui::keymap::{Action, Context};
use crate::tui::widgets::LineInput;
use crate::tui::{Effect, Status, Texts, Theme, strings};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Guidelines,
    Privacy,
    Handle,
    /// A member who lost their keys: handle and a recovery code bind this key.
    Recover,
}

pub struct SignUpScreen {
    pub step: Step,
    /// Lines scrolled in the document being read.
    scroll: u16,
    handle: LineInput,
    claim: LineInput,
    /// Focus on the claim field (only offered while a claim is pending).
    on_claim: bool,
    claim_pending: bool,
    /// The sign-up request is on its way.
    pub busy: bool,
}

impl SignUpScreen {
    pub fn new(claim_pending: bool) -> SignUpScreen {
        SignUpScreen {
            step: Step::Guidelines,
            scroll: 0,
            handle: LineInput::new(HANDLE_MAX),
            claim: LineInput::new(20),
            on_claim: false,
            claim_pending,
            busy: false,
        }
    }

    pub fn context(&self) -> Context {
        match self.step {
            Step::Guidelines | Step::Privacy => Context::SignUpDocument,
            Step::Handle | Step::Recover => Context::SignUpHandle,
        }
    }

    pub fn key(&mut self, key: &KeyEvent, action: Option<Action>) -> Outcome {
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
                    self.on_claim = false;
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
            Step::Recover => {
                if self.busy {
                    return Outcome::none();
                }
                match action {
                    Some(Action::Send) => {
                        if self.handle.text.trim().is_empty() || self.claim.text.trim().is_empty() {
                            return Outcome::status(Status::Error(
                                "Please give your handle and one of your recovery codes.".into(),
                            ));
                        }
                        self.busy = true;
                        Outcome::effects(vec![Effect::Recover {
                            handle: self.handle.text.clone(),
                            code: self.claim.text.clone(),
                        }])
                    }
                    Some(Action::NextField | Action::PrevField) => {
                        self.on_claim = !self.on_claim;
                        Outcome::none()
                    }
                    Some(Action::Decline) => Outcome::nav(Nav::Quit, vec![]),
                    _ => {
                        if self.on_claim {
                            self.claim.key(key);
                        } else {
                            self.handle.key(key);
                        }
                        Outcome::none()
                    }
                }
            }
            Step::Handle => {
                if self.busy {
                    return Outcome::none();
                }
                match action {
                    Some(Action::Send) => {
                        if self.handle.text.trim().is_empty() {
                            return Outcome::status(Status::Error(
                                "Please choose a handle.".into(),
                            ));
                        }
                        self.busy = true;
                        let claim = Some(self.claim.text.clone()).filter(|c| !c.trim().is_empty());
                        Outcome::effects(vec![Effect::SignUp {
                            handle: self.handle.text.clone(),
                            claim,
                        }])
                    }
                    Some(Action::NextField | Action::PrevField) => {
                        self.on_claim = self.claim_pending && !self.on_claim;
                        Outcome::none()
                    }
                    Some(Action::Decline) => Outcome::nav(Nav::Quit, vec![]),
                    _ => {
                        if self.on_claim {
                            self.claim.key(key);
                        } else {
                            self.handle.key(key);
                        }
                        Outcome::none()
                    }
                }
            }
        }
    }

    pub fn loaded(&mut self, _loaded: crate::tui::Loaded) -> Vec<Effect> {
        vec![]
    }

    pub fn paste(&mut self, text: &str) {
        if matches!(self.step, Step::Handle | Step::Recover) && !self.busy {
            if self.on_claim {
                self.claim.paste(text)
            } else {
                self.handle.paste(text)
            }
        }
    }

    pub fn render(
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
                let mut lines = vec![
                    Line::styled(strings::SIGNUP_WELCOME, theme.notice()),
                    Line::raw(""),
                ];
                lines.extend(text.lines().map(|l| Line::raw(l.to_string())));
                lines.push(Line::raw(""));
                lines.push(Line::styled("Press a to accept, q to leave.", theme.key()));
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .scroll((self.scroll, 0))
                    .render(
                        Rect {
                            x: area.x + 1,
                            width: area.width.saturating_sub(2),
                            ..area
                        },
                        buf,
                    );
                None
            }
            Step::Recover => {
                let w = area.width.saturating_sub(2);
                let mut y = area.y + 1;
                Paragraph::new(strings::RECOVER_PROMPT)
                    .wrap(Wrap { trim: true })
                    .render(
                        Rect {
                            x: area.x + 1,
                            y,
                            width: w,
                            height: 3,
                        },
                        buf,
                    );
                y += 4;
                buf.set_string(area.x + 1, y, "Handle ", theme.field(!self.on_claim));
                let mut cursor = self.handle.render(
                    Rect {
                        x: area.x + 8,
                        y,
                        width: w.saturating_sub(8),
                        height: 1,
                    },
                    buf,
                    theme.text(),
                );
                y += 2;
                buf.set_string(area.x + 1, y, "Code   ", theme.field(self.on_claim));
                let c = self.claim.render(
                    Rect {
                        x: area.x + 8,
                        y,
                        width: w.saturating_sub(8).min(24),
                        height: 1,
                    },
                    buf,
                    theme.text(),
                );
                if self.on_claim {
                    cursor = c;
                }
                if self.busy { None } else { cursor }
            }
            Step::Handle => {
                let w = area.width.saturating_sub(2);
                let mut y = area.y + 1;
                Paragraph::new(strings::HANDLE_PROMPT)
                    .wrap(Wrap { trim: true })
                    .render(
                        Rect {
                            x: area.x + 1,
                            y,
                            width: w,
                            height: 2,
                        },
                        buf,
                    );
                y += 2;
                buf.set_stringn(
                    area.x + 1,
                    y,
                    strings::HANDLE_RULES,
                    w as usize,
                    theme.dim(),
                );
                y += 2;
                buf.set_string(area.x + 1, y, "Handle ", theme.field(!self.on_claim));
                let mut cursor = self.handle.render(
                    Rect {
                        x: area.x + 8,
                        y,
                        width: w.saturating_sub(8),
                        height: 1,
                    },
                    buf,
                    theme.text(),
                );
                if self.claim_pending {
                    y += 2;
                    buf.set_stringn(
                        area.x + 1,
                        y,
                        strings::CLAIM_PROMPT,
                        w as usize,
                        theme.dim(),
                    );
                    y += 1;
                    buf.set_string(area.x + 1, y, "Code   ", theme.field(self.on_claim));
                    let c = self.claim.render(
                        Rect {
                            x: area.x + 8,
                            y,
                            width: w.saturating_sub(8).min(24),
                            height: 1,
                        },
                        buf,
                        theme.text(),
                    );
                    if self.on_claim {
                        cursor = c;
                    }
                }
                if self.busy { None } else { cursor }
            }
        }
    }
}
