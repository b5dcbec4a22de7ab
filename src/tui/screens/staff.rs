//! The moderators' desk: accounts waiting for approval (approve or reject), invite codes, and
//! the way to the audit log. Shown to moderators and sysops; the service checks every action.

use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome, Screen, audit::AuditScreen, move_selection};
use crate::domain::User;
use crate::tui::keymap::{Action, Binding, ESC, LEFT, bind, ch};
use crate::tui::widgets::{format_time_zoned, truncate};
use crate::tui::{Effect, Loaded, Status, Theme};

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[ch('p')], Action::Reports, "p", "reports")
        .footer()
        .staff(),
    bind(&[ch('a')], Action::Approve, "a", "approve")
        .footer()
        .staff(),
    bind(&[ch('x')], Action::Reject, "x", "reject")
        .footer()
        .staff(),
    bind(&[ch('i')], Action::Invite, "i", "new invite code")
        .footer_as("invite")
        .staff(),
    bind(&[ch('l')], Action::AuditLog, "l", "audit log")
        .footer()
        .staff(),
    // The desk is staff's alone; these two are offered to sysops only (App::offers_to).
    bind(&[ch('d')], Action::Dashboard, "d", "dashboard (sysops)").footer_as("dashboard"),
    bind(&[ch('b')], Action::ManageBoards, "b", "boards (sysops)").footer_as("boards"),
    bind(&[ch('r')], Action::Refresh, "r", "refresh"),
    bind(&[ESC, LEFT, ch('q')], Action::Back, "Esc", "back").footer(),
];

pub struct StaffScreen {
    pub pending: Option<Vec<User>>,
    pub selected: usize,
    /// Rejecting asks for a second `x`.
    confirm_reject: Option<crate::domain::UserId>,
    /// The invite code made last, shown until the screen is left.
    invite: Option<(String, i64)>,
}

impl StaffScreen {
    pub fn new() -> StaffScreen {
        StaffScreen {
            pending: None,
            selected: 0,
            confirm_reject: None,
            invite: None,
        }
    }
}

impl Default for StaffScreen {
    fn default() -> Self {
        StaffScreen::new()
    }
}

impl View for StaffScreen {
    fn context(&self) -> Context {
        Context::Staff
    }

    fn title(&self) -> String {
        "Moderation".into()
    }

    fn key(
        &mut self,
        _key: &KeyEvent,
        action: Option<Action>,
        _body: u16,
        user: Option<&User>,
    ) -> Outcome {
        let Some(action) = action else {
            return Outcome::none();
        };
        let confirm = self.confirm_reject.take();
        let len = self.pending.as_ref().map_or(0, Vec::len);
        if move_selection(&mut self.selected, len, action, 5) {
            return Outcome::none();
        }
        let selected = self
            .pending
            .as_ref()
            .and_then(|p| p.get(self.selected))
            .map(|u| u.id);
        match action {
            Action::Approve => match selected {
                Some(id) => Outcome::effects(vec![Effect::DecidePending {
                    member: id,
                    approve: true,
                }]),
                None => Outcome::none(),
            },
            Action::Reject => match selected {
                Some(id) if confirm == Some(id) => Outcome::effects(vec![Effect::DecidePending {
                    member: id,
                    approve: false,
                }]),
                Some(id) => {
                    self.confirm_reject = Some(id);
                    Outcome::status(Status::Error(
                        "Rejecting deletes this waiting account. Press x again to reject.".into(),
                    ))
                }
                None => Outcome::none(),
            },
            Action::Invite => Outcome::effects(vec![Effect::CreateInvite]),
            Action::ManageBoards => Outcome::nav(
                Nav::Push(Box::new(Screen::ManageBoards(
                    super::manage_boards::ManageBoardsScreen::default(),
                ))),
                vec![Effect::LoadBoardAdmin],
            ),
            Action::Reports => Outcome::nav(
                Nav::Push(Box::new(Screen::Reports(
                    super::reports::ReportsScreen::new(),
                ))),
                vec![Effect::LoadReports],
            ),
            Action::AuditLog => Outcome::nav(
                Nav::Push(Box::new(Screen::Audit(AuditScreen::new()))),
                vec![AuditScreen::new().load()],
            ),
            Action::Dashboard if user.is_some_and(|u| u.role == crate::domain::Role::Sysop) => {
                Outcome::nav(
                    Nav::Push(Box::new(Screen::Dashboard(
                        super::dashboard::DashboardScreen::default(),
                    ))),
                    vec![Effect::LoadStats],
                )
            }
            Action::Dashboard => Outcome::status(Status::Error(
                crate::domain::policy::Denied::SysopOnly.to_string(),
            )),
            Action::Refresh => Outcome::effects(vec![Effect::LoadPending]),
            Action::Back => Outcome::nav(Nav::Back, vec![]),
            _ => Outcome::none(),
        }
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        match loaded {
            Loaded::Pending(list) => {
                self.selected = self.selected.min(list.len().saturating_sub(1));
                self.pending = Some(list);
                vec![]
            }
            Loaded::Invite(code, expires) => {
                self.invite = Some((code, expires));
                vec![]
            }
            Loaded::Done(_) => vec![Effect::LoadPending],
            _ => vec![],
        }
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        vec![Effect::LoadPending]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let w = area.width.saturating_sub(2) as usize;
        let mut y = area.y;
        buf.set_string(
            area.x + 1,
            y,
            "Accounts waiting for approval",
            theme.title(),
        );
        y += 1;
        match &self.pending {
            None => buf.set_string(area.x + 3, y, crate::tui::strings::LOADING, theme.dim()),
            Some(list) if list.is_empty() => {
                buf.set_string(area.x + 3, y, "Nobody is waiting.", theme.dim())
            }
            Some(list) => {
                for (i, u) in list
                    .iter()
                    .enumerate()
                    .take(area.height.saturating_sub(6) as usize)
                {
                    let selected = i == self.selected;
                    let line = format!(
                        "{}{}  joined {}",
                        if selected { "▸ " } else { "  " },
                        u.handle,
                        format_time_zoned(u.created_at)
                    );
                    let style = if selected {
                        theme.selected()
                    } else {
                        theme.text()
                    };
                    buf.set_stringn(area.x + 1, y, truncate(&line, w), w, style);
                    y += 1;
                }
            }
        }
        if let Some((code, expires)) = &self.invite {
            let y = area.bottom().saturating_sub(2);
            buf.set_stringn(
                area.x + 1,
                y,
                format!(
                    "New invite code: {code}  (single use, until {})",
                    format_time_zoned(*expires)
                ),
                w,
                theme.key(),
            );
        }
        None
    }
}
