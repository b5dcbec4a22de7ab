//! One private conversation: the messages, newest at the bottom, and a box to write in.
//! Reading the newest page marks it read. A message that fails to send stays in the box.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::rich::{self, Mark};
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::widgets::{Block, Borders, Widget};
use terminput::KeyEvent;

use super::report_prompt::ReportPrompt;
use super::{Nav, Outcome};
use crate::domain::UserId;
use crate::service::{Conversation, MESSAGE_MAX};
use crate::store::reports::Target;
use crate::tui::keymap::{
    Action, Binding, ENTER, ESC, F1, LEFT, TAB, alt_key, bind, ch, ctrl, shift_key,
};
use crate::tui::widgets::{TextArea, format_time};
use crate::tui::{Effect, Loaded, Status, Theme, strings};

/// This screen's keys, in the order help lists them.
#[rustfmt::skip]
pub const KEYS: &[Binding] = &[
    bind(&[ch('w'), ch('r')], Action::Reply, "w", "write").footer(),
    bind(&[TAB], Action::SelectNext, "Tab", "select their next message").footer_as("select"),
    bind(&[shift_key(TAB)], Action::SelectPrev, "Shift-Tab", "select their previous message"),
    bind(&[ch('f')], Action::Report, "f", "report the selected message").footer_as("report"),
    bind(&[ch('[')], Action::PrevPage, "[", "older messages").footer_as("older"),
    bind(&[ch(']')], Action::NextPage, "]", "newer messages").footer_as("newer"),
    bind(&[ch('b')], Action::Block, "b", "block this member").footer_as("block"),
    bind(&[ch('F')], Action::ReportMember, "F", "report this member"),
    bind(&[ESC, LEFT], Action::Back, "Esc", "back").footer(),
    bind(&[ch('q')], Action::Back, "q", "back"),
];

/// This screen's keys, in the order help lists them.
pub const WRITING_KEYS: &[Binding] = &[
    bind(&[ctrl('s'), alt_key(ENTER)], Action::Send, "Ctrl-S", "send").footer(),
    bind(&[ESC], Action::Back, "Esc", "stop writing (text kept)").footer(),
    bind(&[F1], Action::HelpNow, "F1", "help now").footer(),
];

/// Rows the writing box takes, borders included.
const BOX_ROWS: u16 = 5;

pub struct ConversationScreen {
    pub with: UserId,
    handle: String,
    page: Option<Conversation>,
    /// Showing messages before this id (None: the newest).
    before: Option<i64>,
    /// Ids of the first message of the pages shown before this one (to come back).
    newer: Vec<Option<i64>>,
    /// Lines scrolled up from the bottom.
    scroll_up: usize,
    pub width: u16,
    text: TextArea,
    /// The writing box has the keyboard.
    writing: bool,
    sending: bool,
    /// The message that report applies to.
    selected: Option<i64>,
    /// A report being written.
    reporting: Option<ReportPrompt>,
    /// Leaving with unsent text asks once.
    confirm_leave: bool,
    confirm_block: bool,
    /// The messages laid out at a width, kept until the page or the width changes.
    layout: std::cell::RefCell<Option<(u16, std::sync::Arc<Vec<Laid>>)>>,
}

/// A laid-out line: (text, is a header, the message id for headers).
type Laid = (rich::Spans, bool, Option<i64>);

impl ConversationScreen {
    pub fn new(with: UserId, handle: String) -> ConversationScreen {
        ConversationScreen {
            with,
            handle,
            page: None,
            before: None,
            newer: Vec::new(),
            scroll_up: 0,
            width: 80,
            text: TextArea::new(MESSAGE_MAX),
            writing: false,
            sending: false,
            selected: None,
            reporting: None,
            confirm_leave: false,
            confirm_block: false,
            layout: Default::default(),
        }
    }

    /// A conversation opened to write in at once (a new one, or "write to this author").
    pub fn writing(with: UserId, handle: String) -> ConversationScreen {
        ConversationScreen {
            writing: true,
            ..ConversationScreen::new(with, handle)
        }
    }

    /// The keyboard goes to the writing box (letters are text) or the report note.
    pub fn typing(&self) -> bool {
        self.reporting.is_some()
    }

    pub fn is_writing(&self) -> bool {
        self.writing && self.reporting.is_none()
    }

    pub fn load(&self) -> Effect {
        Effect::LoadConversation {
            with: self.with,
            before: self.before,
        }
    }

    /// The messages laid out at `width`, from the cache when the page and width are as they
    /// were.
    fn lines(&self, width: u16) -> std::sync::Arc<Vec<Laid>> {
        let mut cache = self.layout.borrow_mut();
        if let Some((w, lines)) = &*cache
            && *w == width
        {
            return lines.clone();
        }
        let lines = std::sync::Arc::new(self.lay_out(width));
        *cache = Some((width, lines.clone()));
        lines
    }

    /// Lays out the messages at `width`.
    fn lay_out(&self, width: u16) -> Vec<Laid> {
        let mut out = Vec::new();
        let Some(page) = &self.page else { return out };
        // Drawn from column 1 with a two-column indent.
        let w = (width as usize).saturating_sub(4).max(10);
        if page.older {
            out.push((rich::plain("[ for older messages".to_string()), false, None));
        }
        for m in &page.messages {
            let who = if m.mine {
                "you".to_string()
            } else {
                crate::sanitize::line(&page.handle)
            };
            out.push((
                rich::plain(format!("{who} · {}", format_time(m.created_at))),
                true,
                Some(m.id),
            ));
            for mut line in rich::lay_out(&m.body, w) {
                line.insert(0, ("  ".to_string(), Mark::PLAIN));
                out.push((line, false, None));
            }
            out.push((Vec::new(), false, None));
        }
        out
    }

    fn rows(&self, body: u16) -> usize {
        body.saturating_sub(BOX_ROWS + 1) as usize
    }

    /// A message arrived or was read elsewhere: show the newest if that is what is shown.
    pub fn live(&self) -> Vec<Effect> {
        if self.before.is_none() {
            vec![self.load()]
        } else {
            vec![]
        }
    }
}

impl View for ConversationScreen {
    fn context(&self) -> Context {
        if self.typing() {
            Context::Typing
        } else if self.is_writing() {
            Context::Writing
        } else {
            Context::Conversation
        }
    }

    /// Tab until one of their messages is selected, then what acts on it; older and newer
    /// only where there are more.
    fn offers(&self, action: Action) -> bool {
        let theirs = self
            .page
            .as_ref()
            .is_some_and(|p| p.messages.iter().any(|m| !m.mine));
        match action {
            Action::SelectNext => theirs && self.selected.is_none(),
            Action::Report => self.selected.is_some(),
            Action::PrevPage => self.page.as_ref().is_some_and(|p| p.older),
            Action::NextPage => !self.newer.is_empty(),
            _ => true,
        }
    }

    fn title(&self) -> String {
        format!("Messages · {}", crate::sanitize::line(&self.handle))
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        if let Some(report) = &mut self.reporting {
            if let Some(outcome) = report.key(key) {
                self.reporting = None;
                return outcome;
            }
            return Outcome::none();
        }
        if self.writing {
            return match action {
                Some(Action::Send) if !self.sending => {
                    let body = self.text.text();
                    if body.trim().is_empty() {
                        return Outcome::none();
                    }
                    self.sending = true;
                    Outcome::effects(vec![Effect::SendMessage {
                        to: self.with,
                        body,
                    }])
                }
                Some(Action::Back) => {
                    self.writing = false;
                    Outcome::none()
                }
                _ if self.sending => Outcome::none(),
                _ => {
                    self.text.key(key);
                    Outcome::none()
                }
            };
        }
        let confirm_leave = std::mem::take(&mut self.confirm_leave);
        let confirm_block = std::mem::take(&mut self.confirm_block);
        let Some(action) = action else {
            return Outcome::none();
        };
        let lines = self.lines(self.width);
        let rows = self.rows(body);
        let max = lines.len().saturating_sub(rows);
        match action {
            Action::Up => self.scroll_up = (self.scroll_up + 1).min(max),
            Action::Down => self.scroll_up = self.scroll_up.saturating_sub(1),
            Action::PageUp => self.scroll_up = (self.scroll_up + rows.max(1)).min(max),
            Action::PageDown => self.scroll_up = self.scroll_up.saturating_sub(rows.max(1)),
            Action::Top => self.scroll_up = max,
            Action::Bottom => self.scroll_up = 0,
            Action::PrevPage => {
                let Some(page) = &self.page else {
                    return Outcome::none();
                };
                if !page.older {
                    return Outcome::status(Status::Info("This is the start.".into()));
                }
                self.newer.push(self.before);
                self.before = page.messages.first().map(|m| m.id);
                self.scroll_up = 0;
                return Outcome::effects(vec![self.load()]);
            }
            Action::NextPage => {
                let Some(before) = self.newer.pop() else {
                    return Outcome::none();
                };
                self.before = before;
                self.scroll_up = 0;
                return Outcome::effects(vec![self.load()]);
            }
            Action::Reply => self.writing = true,
            Action::SelectNext | Action::SelectPrev => {
                let ids: Vec<i64> = self
                    .page
                    .iter()
                    .flat_map(|p| p.messages.iter().filter(|m| !m.mine).map(|m| m.id))
                    .collect();
                let at = self.selected.and_then(|s| ids.iter().position(|&i| i == s));
                let next = match (action, at) {
                    (Action::SelectNext, Some(i)) => (i + 1).min(ids.len().saturating_sub(1)),
                    (Action::SelectPrev, Some(i)) => i.saturating_sub(1),
                    _ => ids.len().saturating_sub(1),
                };
                self.selected = ids.get(next).copied();
                // Bring the selected message's header into view.
                if let Some(line) = lines.iter().position(|l| l.2 == self.selected) {
                    let top = lines.len().saturating_sub(rows + self.scroll_up);
                    if line < top || line >= top + rows {
                        self.scroll_up = lines.len().saturating_sub(line + rows).min(max);
                    }
                }
            }
            Action::Report => {
                let Some(id) = self.selected else {
                    return Outcome::status(Status::Info(
                        "Select one of their messages with Tab first.".into(),
                    ));
                };
                self.reporting = Some(ReportPrompt::new(Target::Message(id)));
            }
            Action::ReportMember => {
                self.reporting = Some(ReportPrompt::new(Target::Member(self.with)));
            }
            Action::Block => {
                if confirm_block {
                    return Outcome::effects(vec![Effect::BlockMember(self.with)]);
                }
                self.confirm_block = true;
                return Outcome::status(Status::Error(format!(
                    "Block {}? They will not be told. Press b again.",
                    crate::sanitize::line(&self.handle)
                )));
            }
            Action::Refresh => return Outcome::effects(vec![self.load()]),
            Action::Back if !self.text.text().trim().is_empty() && !confirm_leave => {
                self.confirm_leave = true;
                return Outcome::status(Status::Error(
                    "Your message is not sent yet. Esc again leaves without it; w to write on."
                        .into(),
                ));
            }
            Action::Back => return Outcome::nav(Nav::Back, vec![]),
            _ => {}
        }
        Outcome::none()
    }

    fn paste(&mut self, text: &str) -> usize {
        if let Some(report) = &mut self.reporting {
            report.paste(text)
        } else {
            self.writing = true;
            self.text.insert_str(text)
        }
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        match loaded {
            Loaded::Conversation(page) if page.with == self.with => {
                self.handle = page.handle.clone();
                self.page = Some(page);
                self.layout.take();
                vec![]
            }
            Loaded::MessageSent(to) if to == self.with => {
                self.sending = false;
                self.text = TextArea::new(MESSAGE_MAX);
                self.before = None;
                self.newer.clear();
                self.scroll_up = 0;
                vec![self.load()]
            }
            _ => vec![],
        }
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        self.live()
    }

    fn set_width(&mut self, width: u16) {
        self.width = width
    }

    /// A send failed: the text stays in the box.
    fn failed(&mut self) {
        self.sending = false;
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let Some(_) = &self.page else {
            buf.set_string(area.x + 1, area.y + 1, strings::LOADING, theme.dim());
            return None;
        };
        let lines = self.lines(area.width);
        let rows = self.rows(area.height);
        if lines.is_empty() {
            use ratatui::widgets::{Paragraph, Wrap};
            Paragraph::new(
                "No messages yet. What you write here only the two of you can read (and the \
                 moderators, if one of you reports a message).",
            )
            .wrap(Wrap { trim: true })
            .style(theme.dim())
            .render(
                Rect {
                    x: area.x + 1,
                    width: area.width.saturating_sub(2),
                    height: rows as u16,
                    ..area
                },
                buf,
            );
        }
        let top = lines.len().saturating_sub(rows + self.scroll_up);
        for (i, (text, header, id)) in lines.iter().skip(top).take(rows).enumerate() {
            let selected = *header && id.is_some() && *id == self.selected;
            let over = match (header, selected) {
                (true, true) => Some(theme.selected()),
                (true, false) => Some(theme.author()),
                _ => None,
            };
            let (mut x, y) = (area.x + 1, area.y + i as u16);
            if selected {
                x = theme.mark_selected(
                    buf,
                    (x, y),
                    area.right().saturating_sub(1),
                    theme.selected(),
                );
            }
            let room = area.right().saturating_sub(x + 1) as usize;
            rich::draw(buf, (x, y), text, room, theme, over);
        }
        let box_area = Rect {
            y: area.bottom().saturating_sub(BOX_ROWS),
            height: BOX_ROWS.min(area.height),
            ..area
        };
        let title = if self.reporting.is_some() {
            " Report · Enter sends · Esc cancels "
        } else if self.sending {
            " Sending… "
        } else if self.writing {
            " Your message · Ctrl-S sends · Esc stops writing "
        } else {
            " w to write "
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.field(self.writing))
            .title(title);
        let inner = block.inner(box_area);
        block.render(box_area, buf);
        // A report is written inside the box, never over its border.
        if let Some(report) = &self.reporting {
            return report.render(inner, buf, theme);
        }
        let cursor = self.text.render(inner, buf, theme.text());
        if self.writing { cursor } else { None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::messages::Message;
    use terminput::KeyCode;

    fn footer(s: &ConversationScreen) -> Vec<&'static str> {
        crate::tui::keymap::footer(s.context(), false, |a| s.offers(a))
            .into_iter()
            .map(|(_, label)| label)
            .collect()
    }

    fn message(id: i64, mine: bool) -> Message {
        Message {
            id,
            mine,
            body: format!("message {id}"),
            created_at: id,
        }
    }

    #[test]
    fn the_footer_says_how_to_select_then_what_acts_on_the_selection() {
        let mut s = ConversationScreen::new(UserId(2), "ash".into());
        s.loaded(
            Loaded::Conversation(Conversation {
                with: UserId(2),
                handle: "ash".into(),
                messages: vec![message(1, true)],
                older: false,
            }),
            20,
        );
        // Only one's own messages: nothing of theirs to select or report, no older page.
        assert_eq!(footer(&s), ["write", "block", "back", "help", "help now"]);
        s.loaded(
            Loaded::Conversation(Conversation {
                with: UserId(2),
                handle: "ash".into(),
                messages: vec![message(1, true), message(2, false)],
                older: true,
            }),
            20,
        );
        assert_eq!(
            footer(&s),
            [
                "write", "select", "older", "block", "back", "help", "help now"
            ]
        );
        let key = KeyEvent::new(KeyCode::Tab);
        let action = crate::tui::keymap::lookup(s.context(), &key, false);
        s.key(&key, action, 20, None);
        assert_eq!(
            footer(&s),
            [
                "write", "report", "older", "block", "back", "help", "help now"
            ]
        );
    }
}
