//! A member's profile, opened from one of their (named) posts: handle, role, when they joined;
//! write to them, block or unblock them, report them.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::report_prompt::ReportPrompt;
use super::{Nav, Outcome};
use crate::domain::Role;
use crate::service::Profile;
use crate::store::reports::Target;
use crate::tui::keymap::{Action, Binding, ESC, LEFT, bind, ch};
use crate::tui::widgets::format_time_zoned;
use crate::tui::{Effect, Loaded, Status, Theme};

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[ch('w')], Action::Reply, "w", "write privately").footer(),
    bind(&[ch('b')], Action::Block, "b", "block / unblock").footer(),
    bind(&[ch('F')], Action::ReportMember, "F", "report").footer(),
    bind(&[ESC, LEFT, ch('q')], Action::Back, "Esc", "back").footer(),
];

pub struct ProfileScreen {
    pub profile: Profile,
    /// The post it was opened from (to reload it).
    pub post: crate::domain::PostId,
    confirm_block: bool,
    reporting: Option<ReportPrompt>,
}

impl ProfileScreen {
    pub fn new(profile: Profile, post: crate::domain::PostId) -> ProfileScreen {
        ProfileScreen {
            profile,
            post,
            confirm_block: false,
            reporting: None,
        }
    }

    pub fn typing(&self) -> bool {
        self.reporting.is_some()
    }
}

impl View for ProfileScreen {
    fn context(&self) -> Context {
        if self.typing() {
            Context::Typing
        } else {
            Context::Profile
        }
    }

    fn title(&self) -> String {
        format!("Profile · {}", crate::sanitize::line(&self.profile.handle))
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        _body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        if let Some(report) = &mut self.reporting {
            if let Some(outcome) = report.key(key) {
                self.reporting = None;
                return outcome;
            }
            return Outcome::none();
        }
        let confirm = std::mem::take(&mut self.confirm_block);
        let name = crate::sanitize::line(&self.profile.handle);
        match action {
            Some(Action::Reply) => {
                Outcome::effects(vec![Effect::OpenConversation(self.profile.handle.clone())])
            }
            Some(Action::ReportMember) => {
                self.reporting = Some(ReportPrompt::new(Target::Member(self.profile.id)));
                Outcome::none()
            }
            Some(Action::Block) if self.profile.blocked_by_you => {
                Outcome::effects(vec![Effect::Unblock(self.profile.handle.clone())])
            }
            Some(Action::Block) if confirm => {
                Outcome::effects(vec![Effect::BlockMember(self.profile.id)])
            }
            Some(Action::Block) => {
                self.confirm_block = true;
                Outcome::status(Status::Error(format!(
                    "Block {name}? They will not be told. Press b again."
                )))
            }
            Some(Action::Back) => Outcome::nav(Nav::Back, vec![]),
            _ => Outcome::none(),
        }
    }

    fn paste(&mut self, text: &str) -> usize {
        self.reporting.as_mut().map_or(0, |i| i.paste(text))
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        if let Loaded::Profile(p, _) = loaded
            && p.id == self.profile.id
        {
            self.profile = p;
        }
        vec![]
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        vec![Effect::LoadProfile(self.post)]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let w = area.width.saturating_sub(2) as usize;
        let p = &self.profile;
        let role = match p.role {
            Role::Member => "member",
            Role::Professional => "professional (verified by the sysop)",
            Role::Moderator => "moderator",
            Role::Sysop => "sysop",
        };
        let lines = [
            (crate::sanitize::line(&p.handle), theme.title()),
            (String::new(), theme.text()),
            (format!("Role: {role}"), theme.text()),
            (
                format!("Joined: {}", format_time_zoned(p.joined)),
                theme.text(),
            ),
            (String::new(), theme.text()),
            (
                if p.blocked_by_you {
                    "You blocked them (b unblocks).".to_string()
                } else {
                    "w writes to them privately · b blocks them · F reports them".to_string()
                },
                theme.dim(),
            ),
        ];
        for (i, (text, style)) in lines.iter().enumerate() {
            buf.set_stringn(area.x + 1, area.y + 1 + i as u16, text, w, *style);
        }
        if let Some(report) = &self.reporting {
            return report.render(area, buf, theme);
        }
        None
    }
}
