//! The screens. Each is a small state struct with `key`, `loaded` and `render`; the App
//! dispatches to the current one and applies the [`Outcome`] it returns.

pub mod activity;
pub mod audit;
pub mod boards;
pub mod compose;
pub mod conversation;
pub mod history;
pub mod inbox;
pub mod manage_boards;
pub mod notice;
pub mod online;
pub mod plan;
pub mod profile;
pub mod reaccept;
pub mod record;
pub mod report_prompt;
pub mod reports;
pub mod search;
pub mod settings;
pub mod signup;
pub mod staff;
pub mod thread;
pub mod threads;
pub mod totp;

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::keymap::{Action, Context};
use super::{Effect, Loaded, Status, Texts, Theme};
use crate::domain::User;

/// Where to go after a key.
pub enum Nav {
    Stay,
    Push(Box<Screen>),
    Replace(Box<Screen>),
    Back,
    Quit,
}

/// What a screen asks of the App.
pub struct Outcome {
    pub nav: Nav,
    pub effects: Vec<Effect>,
    pub status: Option<Status>,
}

impl Outcome {
    pub fn none() -> Outcome {
        Outcome {
            nav: Nav::Stay,
            effects: vec![],
            status: None,
        }
    }
    pub fn effects(effects: Vec<Effect>) -> Outcome {
        Outcome {
            nav: Nav::Stay,
            effects,
            status: None,
        }
    }
    pub fn nav(nav: Nav, effects: Vec<Effect>) -> Outcome {
        Outcome {
            nav,
            effects,
            status: None,
        }
    }
    pub fn status(status: Status) -> Outcome {
        Outcome {
            nav: Nav::Stay,
            effects: vec![],
            status: Some(status),
        }
    }
}

/// The current screen.
pub enum Screen {
    SignUp(signup::SignUpScreen),
    Boards(boards::BoardsScreen),
    Threads(threads::ThreadsScreen),
    Thread(thread::ThreadScreen),
    Compose(compose::ComposeScreen),
    Notice(notice::NoticeScreen),
    Settings(settings::SettingsScreen),
    Totp(totp::TotpScreen),
    Staff(staff::StaffScreen),
    Audit(audit::AuditScreen),
    Reaccept(reaccept::ReacceptScreen),
    Plan(plan::PlanScreen),
    Reports(reports::ReportsScreen),
    Record(record::RecordScreen),
    Inbox(inbox::InboxScreen),
    Conversation(conversation::ConversationScreen),
    History(history::HistoryScreen),
    ManageBoards(manage_boards::ManageBoardsScreen),
    Activity(activity::ActivityScreen),
    Search(search::SearchScreen),
    Online(online::OnlineScreen),
    Profile(profile::ProfileScreen),
}

impl Screen {
    pub fn context(&self) -> Context {
        match self {
            Screen::SignUp(s) => s.context(),
            Screen::Boards(_) => Context::Boards,
            Screen::Threads(_) => Context::Threads,
            Screen::Thread(s) if s.typing() => Context::Typing,
            Screen::Thread(_) => Context::Thread,
            Screen::Compose(_) => Context::Compose,
            Screen::Notice(_) => Context::Notice,
            Screen::Settings(s) if s.typing() => Context::Typing,
            Screen::Settings(_) => Context::Settings,
            Screen::Totp(_) => Context::Typing,
            Screen::Staff(_) => Context::Staff,
            Screen::Audit(s) if s.typing() => Context::Typing,
            Screen::Audit(_) => Context::Audit,
            Screen::Reaccept(_) => Context::Reaccept,
            Screen::Plan(_) => Context::Editor,
            Screen::Reports(s) if s.typing() => Context::Typing,
            Screen::Reports(_) => Context::Reports,
            Screen::Record(s) if s.typing() => Context::Typing,
            Screen::Record(_) => Context::Record,
            Screen::Inbox(s) if s.typing() => Context::Typing,
            Screen::Inbox(_) => Context::Inbox,
            Screen::Conversation(s) if s.typing() => Context::Typing,
            Screen::Conversation(s) if s.is_writing() => Context::Writing,
            Screen::Conversation(_) => Context::Conversation,
            Screen::History(s) if s.typing() => Context::Typing,
            Screen::History(_) => Context::History,
            Screen::ManageBoards(s) if s.typing() => Context::Typing,
            Screen::ManageBoards(_) => Context::ManageBoards,
            Screen::Activity(_) => Context::Activity,
            Screen::Search(s) if s.typing() => Context::Typing,
            Screen::Search(_) => Context::Search,
            Screen::Online(_) => Context::Reader,
            Screen::Profile(s) if s.typing() => Context::Typing,
            Screen::Profile(_) => Context::Profile,
        }
    }

    pub fn title(&self) -> String {
        match self {
            Screen::SignUp(_) => "Join".into(),
            Screen::Boards(_) => "Boards".into(),
            Screen::Threads(s) => s.title(),
            Screen::Thread(s) => s.title(),
            Screen::Compose(s) => s.title(),
            Screen::Notice(_) => "Please read".into(),
            Screen::Settings(_) => "Settings".into(),
            Screen::Totp(_) => "Second factor".into(),
            Screen::Staff(_) => "Moderation".into(),
            Screen::Audit(_) => "Audit log".into(),
            Screen::Reaccept(_) => "Please read".into(),
            Screen::Plan(_) => "My safety plan".into(),
            Screen::Reports(_) => "Reports".into(),
            Screen::Record(_) => "My record".into(),
            Screen::Inbox(_) => "Messages".into(),
            Screen::Conversation(s) => s.title(),
            Screen::History(_) => "Edit history".into(),
            Screen::ManageBoards(_) => "Manage boards".into(),
            Screen::Activity(_) => "Notifications".into(),
            Screen::Search(_) => "Search".into(),
            Screen::Online(_) => "Who's online".into(),
            Screen::Profile(s) => format!("Profile · {}", crate::sanitize::line(&s.profile.handle)),
        }
    }

    pub fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        body: u16,
        user: Option<&User>,
    ) -> Outcome {
        match self {
            Screen::SignUp(s) => s.key(key, action),
            Screen::Boards(s) => s.key(action, body),
            Screen::Threads(s) => s.key(action, body),
            Screen::Thread(s) if s.typing() => s.reason_key(key),
            Screen::Thread(s) => s.key(action, body, user),
            Screen::Compose(s) => s.key(key, action),
            Screen::Notice(s) => s.key(key, action),
            Screen::Settings(s) => s.key(key, action),
            Screen::Totp(s) => s.key(key, action),
            Screen::Staff(s) => s.key(action),
            Screen::Audit(s) if s.typing() => s.filter_key(key),
            Screen::Audit(s) => s.key(action, body),
            Screen::Reaccept(s) => s.key(action),
            Screen::Plan(s) => s.key(key, action),
            Screen::Reports(s) => s.key(key, action, user.map(|u| u.handle.as_str())),
            Screen::Record(s) => s.key(key, action),
            Screen::Inbox(s) => s.key(key, action, body),
            Screen::Conversation(s) => s.key(key, action, body),
            Screen::History(s) => s.key(key, action, body),
            Screen::ManageBoards(s) => s.key(key, action, body),
            Screen::Activity(s) => s.key(action, body),
            Screen::Search(s) => s.key(key, action, body),
            Screen::Online(s) => s.key(action),
            Screen::Profile(s) => s.key(key, action),
        }
    }

    /// Gives pasted text to the screen; returns how many characters did not fit.
    pub fn paste(&mut self, text: &str) -> usize {
        match self {
            Screen::SignUp(s) => s.paste(text),
            Screen::Compose(s) => s.paste(text),
            Screen::Settings(s) => s.paste(text),
            Screen::Totp(s) => s.paste(text),
            Screen::Plan(s) => s.paste(text),
            Screen::Thread(s) => s.paste(text),
            Screen::Reports(s) => s.paste(text),
            Screen::Record(s) => s.paste(text),
            Screen::Inbox(s) => s.paste(text),
            Screen::Conversation(s) => s.paste(text),
            Screen::ManageBoards(s) => s.paste(text),
            Screen::Search(s) => s.paste(text),
            Screen::Profile(s) => s.paste(text),
            Screen::History(s) => s.paste(text),
            _ => 0,
        }
    }

    pub fn loaded(&mut self, loaded: Loaded, body: u16) -> Vec<Effect> {
        match self {
            Screen::Boards(s) => s.loaded(loaded),
            Screen::Threads(s) => s.loaded(loaded, body),
            Screen::Thread(s) => s.loaded(loaded, body),
            Screen::Compose(s) => s.loaded(loaded),
            Screen::SignUp(s) => s.loaded(loaded),
            Screen::Notice(_) => vec![],
            Screen::Settings(s) => s.loaded(loaded),
            Screen::Totp(s) => s.loaded(loaded),
            Screen::Staff(s) => s.loaded(loaded),
            Screen::Audit(s) => s.loaded(loaded),
            Screen::Reaccept(_) => vec![],
            Screen::Plan(s) => s.loaded(loaded),
            Screen::Reports(s) => s.loaded(loaded),
            Screen::Record(s) => s.loaded(loaded),
            Screen::Inbox(s) => s.loaded(loaded),
            Screen::Conversation(s) => s.loaded(loaded),
            Screen::History(s) => s.loaded(loaded),
            Screen::ManageBoards(s) => s.loaded(loaded),
            Screen::Activity(s) => s.loaded(loaded),
            Screen::Search(s) => s.loaded(loaded),
            Screen::Online(s) => s.loaded(loaded),
            Screen::Profile(s) => s.loaded(loaded),
        }
    }

    /// Reload what is shown (after a live change or coming back to it).
    pub fn reload(&mut self, body: u16) -> Vec<Effect> {
        match self {
            Screen::Boards(_) => vec![Effect::LoadBoards],
            Screen::Threads(s) => vec![s.load(body)],
            Screen::Thread(s) => s.reload(),
            Screen::Settings(_) => vec![Effect::LoadSettings],
            Screen::Staff(_) => vec![Effect::LoadPending],
            Screen::Reports(_) => vec![Effect::LoadReports],
            Screen::Record(_) => vec![Effect::LoadRecord],
            Screen::Totp(s) if !s.is_loaded() => vec![Effect::StartTotp],
            Screen::Audit(s) => vec![s.load()],
            Screen::Inbox(_) => vec![Effect::LoadInbox],
            Screen::Conversation(s) => s.live(),
            Screen::ManageBoards(_) => vec![Effect::LoadBoardAdmin],
            Screen::Activity(_) => vec![Effect::LoadNotifications],
            Screen::Online(_) => vec![Effect::LoadOnline],
            Screen::Profile(s) => vec![Effect::LoadProfile(s.post)],
            _ => vec![],
        }
    }

    /// Tells the screen the terminal's width (the thread view lays out lines by it).
    pub fn set_width(&mut self, width: u16) {
        match self {
            Screen::Thread(s) => s.width = width,
            Screen::Conversation(s) => s.width = width,
            _ => {}
        }
    }

    pub fn resized(&mut self, body: u16) -> Vec<Effect> {
        match self {
            Screen::Threads(s) => s.resized(body),
            Screen::Thread(s) => {
                s.clamp_scroll(body);
                vec![]
            }
            _ => vec![],
        }
    }

    /// An effect failed: stop showing "busy".
    pub fn failed(&mut self) {
        match self {
            Screen::Compose(s) => {
                s.posting = false;
                s.leaving = false;
            }
            Screen::SignUp(s) => s.busy = false,
            Screen::Totp(s) => s.failed(),
            Screen::Conversation(s) => s.failed(),
            Screen::Search(s) => s.failed(),
            _ => {}
        }
    }

    pub fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        texts: &Texts,
    ) -> Option<Position> {
        match self {
            Screen::SignUp(s) => s.render(area, buf, theme, texts),
            Screen::Boards(s) => s.render(area, buf, theme),
            Screen::Threads(s) => s.render(area, buf, theme),
            Screen::Thread(s) => s.render(area, buf, theme),
            Screen::Compose(s) => s.render(area, buf, theme),
            Screen::Notice(s) => s.render(area, buf, theme),
            Screen::Settings(s) => s.render(area, buf, theme, texts),
            Screen::Totp(s) => s.render(area, buf, theme),
            Screen::Staff(s) => s.render(area, buf, theme),
            Screen::Audit(s) => s.render(area, buf, theme),
            Screen::Reaccept(s) => s.render(area, buf, theme, texts),
            Screen::Plan(s) => s.render(area, buf, theme),
            Screen::Reports(s) => s.render(area, buf, theme),
            Screen::Record(s) => s.render(area, buf, theme),
            Screen::Inbox(s) => s.render(area, buf, theme),
            Screen::Conversation(s) => s.render(area, buf, theme),
            Screen::History(s) => s.render(area, buf, theme),
            Screen::ManageBoards(s) => s.render(area, buf, theme),
            Screen::Activity(s) => s.render(area, buf, theme),
            Screen::Search(s) => s.render(area, buf, theme),
            Screen::Online(s) => s.render(area, buf, theme),
            Screen::Profile(s) => s.render(area, buf, theme),
        }
    }
}

/// Moves a selection within `len` rows by an action; true if it was a movement.
pub fn move_selection(selected: &mut usize, len: usize, action: Action, page: usize) -> bool {
    let last = len.saturating_sub(1);
    match action {
        Action::Up => *selected = selected.saturating_sub(1),
        Action::Down => *selected = (*selected + 1).min(last),
        Action::PageUp => *selected = selected.saturating_sub(page.max(1)),
        Action::PageDown => *selected = (*selected + page.max(1)).min(last),
        Action::Top => *selected = 0,
        Action::Bottom => *selected = last,
        _ => return false,
    }
    true
}

/// Draws a document to accept (guidelines, privacy policy): an introduction, the text, and how
/// to accept, scrolled by `scroll` lines.
pub fn render_document(
    area: Rect,
    buf: &mut Buffer,
    theme: Theme,
    intro: &str,
    text: &str,
    scroll: u16,
) {
    use ratatui::text::Line;
    use ratatui::widgets::{Paragraph, Widget, Wrap};
    let mut lines = vec![
        Line::styled(intro.to_string(), theme.notice()),
        Line::raw(""),
    ];
    lines.extend(text.lines().map(|l| Line::raw(l.to_string())));
    lines.push(Line::raw(""));
    lines.push(Line::styled("Press a to accept, q to leave.", theme.key()));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .render(
            Rect {
                x: area.x + 1,
                width: area.width.saturating_sub(2),
                ..area
            },
            buf,
        );
}
