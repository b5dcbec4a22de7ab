//! One thread: a page of posts at a time, each post's text wrapped by display width, scrolled
//! by line. Reading a page marks it read. The layout is in `layout.rs`, the moderators' reason
//! prompts and the report form in `prompts.rs`.

use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use std::sync::Arc;
use terminput::KeyEvent;

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;

use super::report_prompt::ReportPrompt;
use super::{Nav, Outcome, Screen, compose::ComposeScreen};
use crate::domain::{DraftPlace, PostId, ThreadId, ThreadPage, User};
use crate::service::POSTS_PER_PAGE;
use crate::service::{ModAction, Sanction};
use crate::store::reports::Target;
use crate::tui::keymap::{Action, Binding, ESC, LEFT, TAB, bind, ch, shift_key};
use crate::tui::widgets::LineInput;
use crate::tui::{Effect, Loaded, PageAt, Theme, strings, widgets};

mod layout;
mod prompts;

use layout::{Kind, Laid};
pub use prompts::Prompt;

/// This screen's keys, in the order help lists them.
#[rustfmt::skip]
pub const KEYS: &[Binding] = &[
    bind(&[ch('v')], Action::Reveal, "v", "show a hidden post").footer(),
    bind(&[ch('r')], Action::Reply, "r", "reply").footer(),
    bind(&[ch('Q')], Action::Quote, "Q", "reply quoting the selected post").footer_as("quote"),
    bind(&[ch('+')], Action::Support, "+", "send support (♥) to the selected post").footer_as("support"),
    bind(&[ch('f')], Action::Report, "f", "report the selected post").footer_as("report"),
    bind(&[ch('u')], Action::Profile, "u", "the selected post's author: profile, write, block, report").footer_as("author"),
    bind(&[TAB], Action::SelectNext, "Tab", "select next post").footer_as("select a post"),
    bind(&[ch(']'), ch('n')], Action::NextPage, "]/n", "next page").footer(),
    bind(&[ch('['), ch('p')], Action::PrevPage, "[/p", "previous page").footer(),
    bind(&[ESC, LEFT, ch('h')], Action::Back, "Esc", "back").footer(),
    bind(&[ch('U')], Action::ModUnmask, "U", "unmask an anonymous author (a second moderator confirms)").staff(),
    bind(&[ch('e')], Action::Edit, "e", "edit the selected post (yours; any, for moderators)"),
    bind(&[ch('E')], Action::History, "E", "edit history of the selected post"),
    bind(&[ch('d')], Action::Withdraw, "d", "withdraw your selected post (twice)"),
    bind(&[ch('C')], Action::ModCw, "C", "set or remove a content warning").staff(),
    bind(&[ch('w')], Action::MessageAuthor, "w", "write privately to the selected post's author"),
    bind(&[ch('F')], Action::ReportThread, "F", "report this thread"),
    bind(&[ch('M')], Action::ModMove, "M", "move thread").staff(),
    bind(&[ch('W')], Action::ModWarn, "W", "warn author").staff(),
    bind(&[ch('S')], Action::ModSilence, "S", "silence author").staff(),
    bind(&[ch('B')], Action::ModBan, "B", "ban author").staff(),
    bind(&[shift_key(TAB)], Action::SelectPrev, "Shift-Tab", "select previous post"),
    bind(&[ch('b')], Action::Block, "b", "block the selected post's author"),
    bind(&[ch('N')], Action::NextUnread, "N", "next unread thread"),
    bind(&[ch('q')], Action::Back, "q", "back"),
    bind(&[ch('H')], Action::ModHide, "H", "hide/restore post").footer().staff(),
    bind(&[ch('L')], Action::ModLock, "L", "lock/unlock").footer().staff(),
    bind(&[ch('P')], Action::ModPin, "P", "pin/unpin").footer().staff(),
];

pub struct ThreadScreen {
    pub thread_id: ThreadId,
    pub page: Option<ThreadPage>,
    pub offset: i64,
    /// First line shown.
    pub scroll: usize,
    /// Width the lines were laid out for (set by the App before keys and on resize).
    pub width: u16,
    /// After loading, scroll to this post.
    focus: Option<PostId>,
    /// After loading, scroll to the end (coming back from the next page).
    to_end: bool,
    /// Opened through the unread flow and not loaded yet: the first load asks for the page
    /// of the first unread post, and scrolls to it.
    opening: bool,
    /// The reader's read mark when the thread was opened, and the page it was opened at:
    /// "new since your last visit" is drawn there, before the first post after the mark.
    since: Option<(PostId, i64)>,
    /// Collapsed posts (content warning, muted word) the member chose to open.
    revealed: std::collections::HashSet<PostId>,
    /// The post that post actions (block, report, moderation) apply to.
    pub selected: Option<PostId>,
    /// Blocking asks for a second `b`.
    confirm_block: Option<PostId>,
    /// Withdrawing asks for a second `d`.
    confirm_withdraw: Option<PostId>,
    /// A moderator action waiting for its reason.
    moderating: Option<(Prompt, LineInput)>,
    /// The content warning label typed, while its reason is asked.
    cw_label: String,
    /// A report being written.
    reporting: Option<ReportPrompt>,
    /// The page laid out at a width, kept until the page, the width or what is revealed
    /// changes: keys and frames reuse it instead of wrapping every post again.
    layout: std::cell::RefCell<Option<(u16, Arc<Vec<Laid>>)>>,
}

/// The actions that apply to the selected post.
fn acts_on_selected_post(action: Action) -> bool {
    matches!(
        action,
        Action::Block
            | Action::Report
            | Action::Profile
            | Action::MessageAuthor
            | Action::ModHide
            | Action::ModWarn
            | Action::ModSilence
            | Action::ModBan
            | Action::Edit
            | Action::Support
            | Action::History
            | Action::Withdraw
            | Action::ModCw
            | Action::ModUnmask
            | Action::Quote
    )
}

fn select_first() -> Outcome {
    Outcome::status(crate::tui::Status::Info(
        "Select a post with Tab first.".into(),
    ))
}

impl ThreadScreen {
    pub fn new(thread_id: ThreadId) -> ThreadScreen {
        ThreadScreen {
            thread_id,
            page: None,
            layout: Default::default(),
            offset: 0,
            scroll: 0,
            width: 80,
            focus: None,
            to_end: false,
            opening: false,
            since: None,
            revealed: std::collections::HashSet::new(),
            selected: None,
            confirm_block: None,
            confirm_withdraw: None,
            moderating: None,
            cw_label: String::new(),
            reporting: None,
        }
    }

    /// The thread opened where the reader's unread posts begin (the end, once all is read).
    pub fn unread(thread_id: ThreadId) -> ThreadScreen {
        ThreadScreen {
            opening: true,
            ..ThreadScreen::new(thread_id)
        }
    }

    /// True while a moderator types a reason (letters are text then).
    pub fn typing(&self) -> bool {
        self.moderating.is_some() || self.reporting.is_some()
    }

    fn has_next(&self) -> bool {
        self.page
            .as_ref()
            .is_some_and(|p| p.offset + POSTS_PER_PAGE < p.post_count)
    }

    /// Loads the page the screen is at.
    pub fn load(&self) -> Vec<Effect> {
        let at = if self.opening {
            PageAt::FirstUnread
        } else {
            PageAt::Offset(self.offset)
        };
        vec![Effect::LoadThread {
            thread: self.thread_id,
            at,
        }]
    }

    fn go_page(&mut self, offset: i64, to_end: bool) -> Outcome {
        self.offset = offset.max(0);
        self.to_end = to_end;
        self.scroll = 0;
        Outcome::effects(self.load())
    }

    /// The selected post, if it is on the page shown.
    fn selected_post(&self) -> Option<&crate::domain::Post> {
        let id = self.selected?;
        self.page.as_ref()?.posts.iter().find(|p| p.id == id)
    }

    /// A key while no reason is being typed: reading, moving, and the staff hotkeys.
    fn action(&mut self, action: Option<Action>, body: u16, user: Option<&User>) -> Outcome {
        let Some(action) = action else {
            return Outcome::none();
        };
        let confirm = self.confirm_block.take();
        let confirm_withdraw = self.confirm_withdraw.take();
        let max = self.max_scroll(body);
        let step = body.saturating_sub(2).max(1) as usize;
        match (action, self.selected) {
            // Every action on "the selected post" needs one.
            (Action::ModUnmask, None) => Outcome::status(crate::tui::Status::Info(
                "Select an anonymous post with Tab first.".into(),
            )),
            (a, None) if acts_on_selected_post(a) => select_first(),
            (Action::Up | Action::PageUp, _) if self.scroll == 0 && self.offset > 0 => {
                self.go_page(self.offset - POSTS_PER_PAGE, true)
            }
            (Action::Down | Action::PageDown, _) if self.scroll >= max && self.has_next() => {
                self.go_page(self.offset + POSTS_PER_PAGE, false)
            }
            (Action::Up, _) => {
                self.scroll = self.scroll.saturating_sub(1);
                Outcome::none()
            }
            (Action::Down, _) => {
                self.scroll = (self.scroll + 1).min(max);
                Outcome::none()
            }
            (Action::PageUp, _) => {
                self.scroll = self.scroll.saturating_sub(step);
                Outcome::none()
            }
            (Action::PageDown, _) => {
                self.scroll = (self.scroll + step).min(max);
                Outcome::none()
            }
            (Action::Top, _) => {
                self.scroll = 0;
                Outcome::none()
            }
            (Action::Bottom, _) => {
                self.scroll = max;
                Outcome::none()
            }
            (Action::NextPage, _) if self.has_next() => {
                self.go_page(self.offset + POSTS_PER_PAGE, false)
            }
            (Action::PrevPage, _) if self.offset > 0 => {
                self.go_page(self.offset - POSTS_PER_PAGE, false)
            }
            (Action::NextUnread, _) => {
                Outcome::effects(vec![Effect::NextUnread(Some(self.thread_id))])
            }
            (Action::Reply | Action::Quote, _) => {
                let Some(page) = &self.page else {
                    return Outcome::none();
                };
                let quote = if action == Action::Quote {
                    self.selected
                } else {
                    None
                };
                // The policy's answer for this reader, asked by the service with the page.
                if let Some(denied) = &page.reply_refused {
                    return Outcome::status(crate::tui::Status::Error(denied.to_string()));
                }
                let place = DraftPlace::Reply(page.board_id, page.id);
                let mut screen = ComposeScreen::new(
                    place,
                    page.board_name.clone(),
                    Some(page.title.clone()),
                    page.anonymous_allowed,
                );
                if let Some(post) = quote {
                    screen = screen.quoting(post);
                }
                Outcome::nav(
                    Nav::Push(Box::new(Screen::Compose(screen))),
                    vec![Effect::LoadDraft(place)],
                )
            }
            (Action::SelectNext | Action::SelectPrev, _) => {
                let lines = self.lines(self.width);
                let headers: Vec<(usize, PostId)> = lines
                    .iter()
                    .enumerate()
                    .filter_map(|(i, (_, kind, id))| match (kind, id) {
                        (Kind::Header, Some(id)) => Some((i, *id)),
                        _ => None,
                    })
                    .collect();
                let current = self
                    .selected
                    .and_then(|s| headers.iter().position(|(_, id)| *id == s));
                let next = match (action, current) {
                    (Action::SelectNext, Some(i)) => (i + 1).min(headers.len().saturating_sub(1)),
                    (Action::SelectPrev, Some(i)) => i.saturating_sub(1),
                    // Nothing selected yet: start from the first post on screen.
                    _ => headers
                        .iter()
                        .position(|(line, _)| *line >= self.scroll)
                        .unwrap_or(0),
                };
                if let Some((line, id)) = headers.get(next) {
                    self.selected = Some(*id);
                    let rows = body.saturating_sub(1) as usize;
                    if *line < self.scroll || *line >= self.scroll + rows {
                        self.scroll = (*line).min(max);
                    }
                }
                Outcome::none()
            }
            (Action::Block, _) => {
                let Some(post) = self.selected_post().cloned() else {
                    return select_first();
                };
                if post.mine {
                    return Outcome::status(crate::tui::Status::Info(
                        "That is your own post.".into(),
                    ));
                }
                if confirm == Some(post.id) {
                    return Outcome::effects(vec![Effect::BlockAuthor(post.id)]);
                }
                self.confirm_block = Some(post.id);
                let what = if post.anonymous {
                    format!(
                        "Hide {}'s posts in this thread?",
                        crate::sanitize::line(&post.author)
                    )
                } else {
                    format!(
                        "Block {}? They will not be told.",
                        crate::sanitize::line(&post.author)
                    )
                };
                Outcome::status(crate::tui::Status::Error(format!("{what} Press b again.")))
            }
            (Action::Report, Some(post)) => {
                self.reporting = Some(ReportPrompt::new(Target::Post(post)));
                Outcome::none()
            }
            (Action::ReportThread, _) => {
                self.reporting = Some(ReportPrompt::new(Target::Thread(self.thread_id)));
                Outcome::none()
            }
            (Action::Profile, Some(post)) => Outcome::effects(vec![Effect::LoadProfile(post)]),
            (Action::MessageAuthor, Some(post)) => {
                Outcome::effects(vec![Effect::MessageAuthor(post)])
            }
            (Action::ModHide | Action::ModLock | Action::ModPin, _) => {
                let Some(page) = &self.page else {
                    return Outcome::none();
                };
                let action = match action {
                    Action::ModHide => {
                        let Some(post) = self.selected_post() else {
                            return select_first();
                        };
                        if post.hidden {
                            ModAction::Restore(post.id)
                        } else {
                            ModAction::Hide(post.id)
                        }
                    }
                    Action::ModLock if page.locked => ModAction::Unlock(page.id),
                    Action::ModLock => ModAction::Lock(page.id),
                    _ if page.pinned => ModAction::Unpin(page.id),
                    _ => ModAction::Pin(page.id),
                };
                self.moderating = Some((Prompt::Mod(action), LineInput::new(200)));
                Outcome::none()
            }
            (Action::ModMove, _) => {
                let Some(page) = &self.page else {
                    return Outcome::none();
                };
                self.moderating = Some((Prompt::Move(page.id), LineInput::new(200)));
                Outcome::none()
            }
            (Action::ModWarn | Action::ModSilence | Action::ModBan, Some(post)) => {
                let prompt = match action {
                    Action::ModWarn => Prompt::Warn(post),
                    Action::ModSilence => Prompt::Silence(post),
                    _ => Prompt::Ban(post),
                };
                self.moderating = Some((prompt, LineInput::new(200)));
                Outcome::none()
            }
            (Action::Edit, _) => {
                let Some(page) = &self.page else {
                    return Outcome::none();
                };
                let Some(post) = self.selected_post() else {
                    return select_first();
                };
                let staff = user.is_some_and(|u| u.is_staff());
                if !post.mine && !staff {
                    return Outcome::status(crate::tui::Status::Info(
                        "You can edit your own posts.".into(),
                    ));
                }
                if post.mine
                    && let Some(denied) = &page.edit_refused
                {
                    return Outcome::status(crate::tui::Status::Error(denied.to_string()));
                }
                let screen = ComposeScreen::edit(
                    post.id,
                    page.board_name.clone(),
                    page.title.clone(),
                    &post.source,
                    post.content_warning.as_deref(),
                    !post.mine,
                );
                Outcome::nav(Nav::Push(Box::new(Screen::Compose(screen))), vec![])
            }
            (Action::Support, Some(post)) => Outcome::effects(vec![Effect::Support(post)]),
            (Action::Withdraw, Some(post)) => {
                if !self.selected_post().is_some_and(|p| p.mine) {
                    return Outcome::status(crate::tui::Status::Info(
                        "You can withdraw only your own posts.".into(),
                    ));
                }
                if confirm_withdraw == Some(post) {
                    return Outcome::effects(vec![Effect::Withdraw(post)]);
                }
                self.confirm_withdraw = Some(post);
                Outcome::status(crate::tui::Status::Info(
                    "Withdraw this post? Members will no longer see it; the moderators keep it. \
                     d again to withdraw."
                        .into(),
                ))
            }
            (Action::History, Some(post)) => {
                let staff = user.is_some_and(|u| u.is_staff());
                if !staff && !self.selected_post().is_some_and(|p| p.mine) {
                    return Outcome::status(crate::tui::Status::Info(
                        "Only a post's author and the moderators see its edit history.".into(),
                    ));
                }
                let screen = super::history::HistoryScreen::new(post);
                let load = screen.load();
                Outcome::nav(Nav::Push(Box::new(Screen::History(screen))), vec![load])
            }
            (Action::ModUnmask, _) => {
                let Some(post) = self.selected_post().filter(|p| p.anonymous) else {
                    return Outcome::status(crate::tui::Status::Info(
                        "Select an anonymous post with Tab first.".into(),
                    ));
                };
                self.moderating = Some((Prompt::Unmask(post.id), LineInput::new(200)));
                Outcome::none()
            }
            (Action::ModCw, Some(post)) => {
                let current = self
                    .selected_post()
                    .and_then(|p| p.content_warning.clone())
                    .unwrap_or_default();
                self.moderating = Some((
                    Prompt::Cw(post),
                    LineInput::with_text(crate::service::CW_MAX, &current),
                ));
                Outcome::none()
            }
            (Action::Reveal, _) => {
                // Opens the first collapsed post from the top of the screen down.
                match self.next_collapsed() {
                    Some(id) => {
                        self.revealed.insert(id);
                        self.layout.take();
                        Outcome::none()
                    }
                    None => Outcome::status(crate::tui::Status::Info(
                        "Nothing hidden on screen.".into(),
                    )),
                }
            }
            (Action::Back, _) => Outcome::nav(Nav::Back, vec![]),
            _ => Outcome::none(),
        }
    }

    /// The first collapsed post from the top of the screen down, if any.
    fn next_collapsed(&self) -> Option<PostId> {
        self.lines(self.width)
            .iter()
            .skip(self.scroll)
            .find_map(|(_, kind, id)| match (kind, id) {
                (Kind::Warning, Some(id)) if !self.revealed.contains(id) => Some(*id),
                _ => None,
            })
    }

    /// Scroll to `post` once the page holding it has loaded.
    pub fn focus(&mut self, post: PostId) {
        self.focus = Some(post);
    }
}

impl View for ThreadScreen {
    fn offers(&self, action: Action) -> bool {
        let page = self.page.as_ref();
        match action {
            Action::Reveal => self.next_collapsed().is_some(),
            Action::NextPage => {
                page.is_some_and(|p| p.offset + (p.posts.len() as i64) < p.post_count)
            }
            Action::PrevPage => page.is_some_and(|p| p.offset > 0),
            // What acts on a post shows once one is selected; until then, how to select one.
            Action::Quote | Action::Support | Action::Report | Action::Profile => {
                self.selected.is_some()
            }
            Action::SelectNext => self.selected.is_none(),
            _ => true,
        }
    }

    fn context(&self) -> Context {
        if self.typing() {
            Context::Typing
        } else {
            Context::Thread
        }
    }

    fn title(&self) -> String {
        match &self.page {
            Some(p) => format!("{} · {}", p.board_name, p.title),
            None => "Thread".into(),
        }
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        body: u16,
        user: Option<&User>,
    ) -> Outcome {
        if self.typing() {
            self.reason_key(key)
        } else {
            self.action(action, body, user)
        }
    }

    fn paste(&mut self, text: &str) -> usize {
        if let Some((_, input)) = &mut self.moderating {
            return input.paste(text);
        }
        self.reporting.as_mut().map_or(0, |r| r.paste(text))
    }

    fn loaded(&mut self, loaded: Loaded, body: u16) -> Vec<Effect> {
        match loaded {
            Loaded::Done(_) => self.load(),
            Loaded::Thread(page) if page.id == self.thread_id => {
                let opened = std::mem::take(&mut self.opening);
                if opened {
                    self.since = page.read_mark.map(|mark| (mark, page.offset));
                }
                self.offset = page.offset;
                self.page = Some(page);
                self.layout.take();
                if opened {
                    // At the first unread post; at the end when everything was read.
                    let lines = self.lines(self.width);
                    match lines.iter().position(|l| matches!(l.1, Kind::Divider)) {
                        Some(i) => self.scroll = i,
                        None if self.since.is_some() => self.scroll = self.max_scroll(body),
                        None => {}
                    }
                } else if let Some(post) = self.focus.take() {
                    let lines = self.lines(self.width);
                    if let Some(i) = lines.iter().position(|l| l.2 == Some(post)) {
                        self.scroll = i;
                    }
                } else if self.to_end {
                    self.to_end = false;
                    self.scroll = self.max_scroll(body);
                }
                self.clamp_scroll(body);
                vec![]
            }
            _ => vec![],
        }
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        self.load()
    }

    fn set_width(&mut self, width: u16) {
        self.width = width
    }

    fn resized(&mut self, body: u16) -> Vec<Effect> {
        self.clamp_scroll(body);
        vec![]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let Some(page) = &self.page else {
            buf.set_string(area.x + 1, area.y + 1, strings::LOADING, theme.dim());
            return None;
        };
        // First row: the title and where this page is in the thread.
        let last = (page.offset + page.posts.len() as i64).min(page.post_count);
        let pos = if page.posts.is_empty() {
            " no posts to show ".to_string()
        } else {
            format!(
                " posts {}-{} of {} ",
                page.offset + 1,
                last,
                page.post_count
            )
        };
        let pw = widgets::width(&pos);
        let lock = if page.locked { "🔒 " } else { "" };
        let title = widgets::truncate(
            &format!(" {lock}{}", page.title),
            (area.width as usize).saturating_sub(pw),
        );
        buf.set_stringn(area.x, area.y, &title, area.width as usize, theme.title());
        buf.set_stringn(
            area.right().saturating_sub(pw as u16),
            area.y,
            &pos,
            pw,
            theme.dim(),
        );
        let lines = self.lines(area.width);
        let scroll = self.scroll.min(lines.len().saturating_sub(1));
        if let Some(report) = &self.reporting {
            // The rest of the page is drawn above the question.
            let body = Rect {
                height: area.height.saturating_sub(1),
                ..area
            };
            self.render_lines(&lines, scroll, body, buf, theme);
            return report.render(area, buf, theme);
        }
        if let Some((action, input)) = &self.moderating {
            let y = area.bottom().saturating_sub(1);
            let label = match action {
                Prompt::Mod(ModAction::Hide(_)) => "Reason for hiding: ",
                Prompt::Mod(ModAction::Restore(_)) => "Reason for restoring: ",
                Prompt::Mod(ModAction::Lock(_)) => "Reason for locking: ",
                Prompt::Mod(ModAction::Unlock(_)) => "Reason for unlocking: ",
                Prompt::Mod(ModAction::Pin(_)) => "Reason for pinning: ",
                Prompt::Mod(ModAction::Unpin(_)) => "Reason for unpinning: ",
                Prompt::Warn(_) => "Warning to the author: ",
                Prompt::Move(_) => "Move to (board slug) and why: ",
                Prompt::Silence(_) => "Silence for (e.g. 1d) and why: ",
                Prompt::Ban(_) => "Ban (optional duration, e.g. 7d) and why: ",
                Prompt::Unmask(_) => {
                    "Why unmask this author? (audited; a second moderator confirms) "
                }
                Prompt::Cw(_) => "Content warning (empty removes it): ",
                Prompt::CwReason(_) => "Reason for the content warning change: ",
            };
            // The rest of the page is drawn above the prompt.
            let body = Rect {
                height: area.height.saturating_sub(1),
                ..area
            };
            self.render_lines(&lines, scroll, body, buf, theme);
            return widgets::prompt(area, y, label, input, buf, theme);
        }
        self.render_lines(&lines, scroll, area, buf, theme);
        if page.posts.is_empty() {
            widgets::note(area, 2, strings::THREAD_EMPTY, buf, theme);
        }
        None
    }
}
