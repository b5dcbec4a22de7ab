//! Setting up the second factor: the secret, its `otpauth://` URI and a QR code to scan, and
//! one code from the app to confirm. Staff who must have one see this first at login.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};
use terminput::{KeyCode, KeyEvent};

use super::{Nav, Outcome};
use crate::service::TotpSetup;
use crate::tui::keymap::Action;
use crate::tui::widgets::LineInput;
use crate::tui::{Effect, Loaded, Status, Theme};

pub struct TotpScreen {
    setup: Option<TotpSetup>,
    code: LineInput,
    /// Staff who must enrol: there is no way around this screen but leaving.
    pub required: bool,
    pub busy: bool,
}

impl TotpScreen {
    pub fn new(required: bool) -> TotpScreen {
        TotpScreen {
            setup: None,
            code: LineInput::new(10),
            required,
            busy: false,
        }
    }

    /// True once a secret to show has arrived.
    pub fn is_loaded(&self) -> bool {
        self.setup.is_some()
    }
}

impl View for TotpScreen {
    fn context(&self) -> Context {
        Context::Typing
    }

    fn title(&self) -> String {
        "Second factor".into()
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        _body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        if self.busy {
            return Outcome::none();
        }
        match (key.code, action) {
            (KeyCode::Esc, _) | (_, Some(Action::Back)) if !self.required => {
                Outcome::nav(Nav::Back, vec![])
            }
            (KeyCode::Esc, _) => Outcome::nav(Nav::Quit, vec![]),
            (KeyCode::Enter, _) => {
                let Some(setup) = &self.setup else {
                    return Outcome::none();
                };
                if self.code.text.trim().is_empty() {
                    return Outcome::status(Status::Error(
                        "Type the 6-digit code your app shows.".into(),
                    ));
                }
                self.busy = true;
                Outcome::effects(vec![Effect::EnableTotp {
                    secret: setup.secret.clone(),
                    code: self.code.text.clone(),
                }])
            }
            _ => {
                self.code.key(key);
                Outcome::none()
            }
        }
    }

    fn paste(&mut self, text: &str) -> usize {
        self.code.paste(text)
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        if let Loaded::TotpSetup(setup) = loaded {
            self.setup = Some(setup);
        }
        vec![]
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        if !self.is_loaded() {
            vec![Effect::StartTotp]
        } else {
            vec![]
        }
    }

    fn failed(&mut self) {
        self.busy = false;
        self.code = LineInput::new(10);
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let Some(setup) = &self.setup else {
            buf.set_string(
                area.x + 1,
                area.y + 1,
                crate::tui::strings::LOADING,
                theme.dim(),
            );
            return None;
        };
        // The QR code on the left when it fits; the words on the right (or alone).
        let qr_w = setup.qr.first().map_or(0, |l| l.chars().count()) as u16;
        let qr_h = setup.qr.len() as u16;
        let show_qr = qr_w + 30 <= area.width && qr_h <= area.height;
        if show_qr {
            for (i, line) in setup.qr.iter().enumerate() {
                buf.set_string(area.x, area.y + i as u16, line, theme.text());
            }
        }
        let x = if show_qr {
            area.x + qr_w + 2
        } else {
            area.x + 1
        };
        let w = area.right().saturating_sub(x + 1);
        let mut lines = vec![
            Line::styled("Set up your second factor", theme.title()),
            Line::raw(""),
        ];
        if self.required {
            lines.push(Line::styled(
                "Moderators and sysops must use one.",
                theme.unread(),
            ));
            lines.push(Line::raw(""));
        }
        lines.push(Line::raw(if show_qr {
            "Scan the code with an authenticator app, or type this secret into it:"
        } else {
            "Type this secret into an authenticator app (a wider window shows a QR code):"
        }));
        // Two rows of four groups: never wrapped mid-group, whatever the width.
        let groups: Vec<&str> = setup.secret_text.split(' ').collect();
        for row in groups.chunks(4) {
            lines.push(Line::styled(row.join(" "), theme.key()));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(setup.uri.clone(), theme.dim()));
        lines.push(Line::raw(""));
        lines.push(Line::raw("Then type the code it shows and press Enter."));
        let text_h = area.height.saturating_sub(2);
        Paragraph::new(lines).wrap(Wrap { trim: false }).render(
            Rect {
                x,
                y: area.y,
                width: w,
                height: text_h,
            },
            buf,
        );
        let y = area.bottom().saturating_sub(1);
        buf.set_string(x, y, "Code: ", theme.key());
        let cursor = self.code.render(
            Rect {
                x: x + 6,
                y,
                width: 12,
                height: 1,
            },
            buf,
            theme.text(),
        );
        if self.busy { None } else { cursor }
    }
}
