//! The composer: a new thread (title, content warning, text) or a reply (content warning,
//! text). The draft is saved when the member leaves, before every post attempt, and when the
//! connection drops, so nothing written is lost.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::widgets::{Block, Borders, Widget};
use terminput::KeyEvent;

use super::{Nav, Outcome};
use crate::domain::validate::{BODY_MAX, TITLE_MAX};
use crate::domain::{Draft, DraftPlace, PostId};
use crate::tui::keymap::{
    Action, Binding, ENTER, ESC, F1, F2, F4, F5, TAB, alt, alt_key, bind, ctrl, shift_key,
};
use crate::tui::widgets::{LineInput, TextArea};
use crate::tui::{Effect, Loaded, Status, Theme, strings};

use crate::service::CW_MAX;

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[ctrl('s'), alt_key(ENTER)], Action::Send, "Ctrl-S", "post").footer(),
    bind(
        &[ctrl('p'), F5],
        Action::Preview,
        "Ctrl-P",
        "preview: the text as it will read (also F5)",
    )
    .footer_as("preview"),
    bind(&[ESC], Action::Back, "Esc", "leave (draft kept)").footer(),
    bind(&[TAB], Action::NextField, "Tab", "next field").footer(),
    bind(
        &[shift_key(TAB)],
        Action::PrevField,
        "Shift-Tab",
        "previous field",
    ),
    // Not Ctrl-A: in a field that is the start of the line, as in every terminal.
    bind(
        &[alt('a'), F4],
        Action::ToggleAnonymous,
        "Alt-A/F4",
        "anonymous on/off",
    ),
    bind(&[F2], Action::Help, "F2", "help").footer(),
    bind(&[F1], Action::HelpNow, "F1", "help now").footer(),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Warning,
    Body,
}

pub struct ComposeScreen {
    pub place: DraftPlace,
    board_name: String,
    /// The thread's title, for a reply.
    thread_title: Option<String>,
    allow_anonymous: bool,
    focus: Field,
    title: LineInput,
    warning: LineInput,
    body: TextArea,
    anonymous: bool,
    /// A post is on its way; keys that would change the draft wait.
    pub posting: bool,
    /// Esc was pressed and the draft is being saved: the composer closes only once it is (a
    /// draft that could not be saved stays here, on screen, never reported as kept).
    pub leaving: bool,
    /// Something was typed (a loaded draft must not overwrite it).
    touched: bool,
    /// A content warning was already suggested for this draft.
    cw_suggested: bool,
    /// Editing a post that is out already (not a draft): which, and whether a reason is asked
    /// (a moderator editing someone else's post). The Title field holds the reason then.
    edit: Option<(PostId, bool)>,
    /// Leaving an edit with changes asks once.
    confirm_leave: bool,
    /// A post to quote at the top, once the draft has loaded.
    quote: Option<PostId>,
    /// The text is shown as it will read (Ctrl-P), scrolled so far; the rows it took and the
    /// rows shown when last drawn, so keys scroll as the screen shows.
    preview: Option<crate::tui::widgets::Scroll>,
    preview_shown: std::cell::Cell<(usize, usize)>,
}

impl ComposeScreen {
    pub fn new(
        place: DraftPlace,
        board_name: String,
        thread_title: Option<String>,
        allow_anonymous: bool,
    ) -> ComposeScreen {
        let focus = match place {
            DraftPlace::NewThread(_) => Field::Title,
            DraftPlace::Reply(..) => Field::Body,
        };
        ComposeScreen {
            place,
            board_name,
            thread_title,
            allow_anonymous,
            focus,
            title: LineInput::new(TITLE_MAX),
            warning: LineInput::new(CW_MAX),
            body: TextArea::new(BODY_MAX),
            anonymous: false,
            posting: false,
            leaving: false,
            touched: false,
            cw_suggested: false,
            edit: None,
            confirm_leave: false,
            quote: None,
            preview: None,
            preview_shown: std::cell::Cell::new((0, 0)),
        }
    }

    /// The text as the preview shows it: a quote's marker says what it will be, since the
    /// quoted post is shown to each reader as they may see it.
    fn preview_text(&self) -> String {
        let mut out = String::new();
        let warning = crate::sanitize::line(self.warning.text.trim());
        if !warning.is_empty() {
            out.push_str(&format!(
                "*Shown collapsed to its warning until opened: CW {warning}*\n\n"
            ));
        }
        for line in self.body.text().split('\n') {
            match crate::store::quotes::parse(line) {
                Some(post) => out.push_str(&format!(
                    "{}{} quoting post #{post}: shown whole, as each reader may see it, once posted\n",
                    crate::store::quotes::LINE,
                    crate::store::quotes::GONE,
                )),
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out
    }

    /// A composer that edits a post: its text and content warning as they are now.
    pub fn edit(
        post: PostId,
        board_name: String,
        thread_title: String,
        body: &str,
        content_warning: Option<&str>,
        needs_reason: bool,
    ) -> ComposeScreen {
        let mut screen = ComposeScreen::new(
            DraftPlace::Reply(crate::domain::BoardId(0), crate::domain::ThreadId(0)),
            board_name,
            Some(thread_title),
            false,
        );
        screen.edit = Some((post, needs_reason));
        screen.title = LineInput::new(200);
        screen.warning = LineInput::with_text(CW_MAX, content_warning.unwrap_or_default());
        screen.body = TextArea::with_text(BODY_MAX, body);
        screen.focus = if needs_reason {
            Field::Title
        } else {
            Field::Body
        };
        screen
    }

    fn fields(&self) -> &'static [Field] {
        match self.edit {
            Some((_, true)) => return &[Field::Title, Field::Warning, Field::Body],
            Some((_, false)) => return &[Field::Warning, Field::Body],
            None => {}
        }
        match self.place {
            DraftPlace::NewThread(_) => &[Field::Title, Field::Warning, Field::Body],
            DraftPlace::Reply(..) => &[Field::Warning, Field::Body],
        }
    }

    /// The first `cw_suggest` word in a draft without a content warning, the first time only.
    pub fn needs_cw_suggestion<'a>(&mut self, words: &'a [String]) -> Option<&'a str> {
        if self.cw_suggested || self.posting || !self.warning.text.trim().is_empty() {
            return None;
        }
        let text = format!("{} {}", self.title.text, self.body.text());
        let word = crate::domain::watched_word(&text, words)?;
        self.cw_suggested = true;
        Some(word)
    }

    pub fn draft(&self) -> Draft {
        Draft {
            title: self.title.text.clone(),
            body: self.body.text(),
            content_warning: self.warning.text.clone(),
            anonymous: self.anonymous,
        }
    }

    pub fn save_effect(&self) -> Option<Effect> {
        (self.touched && self.edit.is_none()).then(|| Effect::SaveDraft(self.place, self.draft()))
    }

    fn cycle(&mut self, forward: bool) {
        let fields = self.fields();
        let i = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        let n = fields.len();
        self.focus = fields[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    /// A reply that starts by quoting `post` (shown expanded once posted).
    pub fn quoting(mut self, post: PostId) -> ComposeScreen {
        self.quote = Some(post);
        self
    }
}

impl View for ComposeScreen {
    fn context(&self) -> Context {
        Context::Compose
    }

    fn offers(&self, action: Action) -> bool {
        // In the preview, Esc and Tab go back to editing (the box's title says so).
        !(self.preview.is_some() && matches!(action, Action::Back | Action::NextField))
    }

    fn title(&self) -> String {
        if self.edit.is_some() {
            return format!(
                "{} · Editing a post in {}",
                self.board_name,
                self.thread_title.as_deref().unwrap_or_default()
            );
        }
        match &self.thread_title {
            Some(t) => format!("{} · Reply to {t}", self.board_name),
            None => format!("{} · New thread", self.board_name),
        }
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        _body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        if self.posting {
            return Outcome::status(Status::Info(strings::POSTING.into()));
        }
        let confirm_leave = std::mem::take(&mut self.confirm_leave);
        if action == Some(Action::Preview) {
            self.preview = match self.preview {
                Some(_) => None,
                None => Some(crate::tui::widgets::Scroll::default()),
            };
            return Outcome::none();
        }
        if let Some(scroll) = &mut self.preview {
            let (total, rows) = self.preview_shown.get();
            if scroll.key(key, total, rows) {
                return Outcome::none();
            }
            if action == Some(Action::Back) {
                // Esc from the preview is back to the editor, not out of the composer.
                self.preview = None;
                return Outcome::none();
            }
            if !matches!(action, Some(Action::Send | Action::Help | Action::HelpNow)) {
                // Typing goes on where it was: the editor is back, and takes the key.
                self.preview = None;
            }
        }
        match action {
            Some(Action::Send) if self.edit.is_some() => {
                let Some((post, _)) = self.edit else {
                    return Outcome::none();
                };
                self.posting = true;
                return Outcome {
                    nav: Nav::Stay,
                    effects: vec![Effect::EditPost {
                        post,
                        body: self.body.text(),
                        content_warning: self.warning.text.clone(),
                        reason: self.title.text.clone(),
                    }],
                    status: Some(Status::Info(strings::POSTING.into())),
                };
            }
            Some(Action::Back) if self.edit.is_some() && self.touched && !confirm_leave => {
                self.confirm_leave = true;
                return Outcome::status(Status::Error(
                    "Your changes are not saved. Esc again leaves without them; Ctrl-S saves."
                        .into(),
                ));
            }
            Some(Action::Send) => {
                self.posting = true;
                self.touched = true;
                return Outcome {
                    nav: Nav::Stay,
                    effects: vec![Effect::Post(self.place, self.draft())],
                    status: Some(Status::Info(strings::POSTING.into())),
                };
            }
            Some(Action::Back) => {
                return match self.save_effect() {
                    // Saved first; the App closes the composer when the store says it is.
                    Some(save) if !self.draft().is_empty() => {
                        self.leaving = true;
                        Outcome {
                            nav: Nav::Stay,
                            effects: vec![save],
                            status: Some(Status::Info(strings::DRAFT_SAVING.into())),
                        }
                    }
                    save => Outcome::nav(Nav::Back, save.into_iter().collect()),
                };
            }
            Some(Action::NextField) => {
                self.cycle(true);
                return Outcome::none();
            }
            Some(Action::PrevField) => {
                self.cycle(false);
                return Outcome::none();
            }
            Some(Action::ToggleAnonymous) => {
                if self.allow_anonymous {
                    self.anonymous = !self.anonymous;
                    self.touched = true;
                }
                return Outcome::none();
            }
            _ => {}
        }
        let used = match self.focus {
            Field::Title => self.title.key(key),
            Field::Warning => self.warning.key(key),
            Field::Body => self.body.key(key),
        };
        if used {
            self.touched = true;
        } else if key.code == terminput::KeyCode::Enter {
            // Enter in a one-line field moves on.
            self.cycle(true);
        }
        Outcome::none()
    }

    fn paste(&mut self, text: &str) -> usize {
        if self.posting {
            return 0;
        }
        self.touched = true;
        match self.focus {
            Field::Title => self.title.paste(text),
            Field::Warning => self.warning.paste(text),
            Field::Body => self.body.insert_str(text),
        }
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        if let Loaded::Draft(place, draft) = loaded
            && place == self.place
            && !self.touched
        {
            if let Some(draft) = draft {
                self.title = LineInput::with_text(TITLE_MAX, &draft.title);
                self.warning = LineInput::with_text(CW_MAX, &draft.content_warning);
                self.body = TextArea::with_text(BODY_MAX, &draft.body);
                self.anonymous = draft.anonymous && self.allow_anonymous;
            }
            // A quote goes on top of whatever was drafted.
            if let Some(post) = self.quote.take() {
                let body = self.body.text();
                let quoted = crate::store::quotes::marker(post);
                let text = if body.is_empty() {
                    format!("{quoted}\n")
                } else {
                    format!("{quoted}\n{body}")
                };
                self.body = TextArea::with_text(BODY_MAX, &text);
                self.touched = true;
            }
        }
        vec![]
    }

    fn failed(&mut self) {
        self.posting = false;
        self.leaving = false;
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let mut y = area.y;
        let mut cursor = None;
        let label_w = 7u16;
        let one_line = |y: u16, label: &str, input: &LineInput, field: Field, buf: &mut Buffer| {
            let focused = self.focus == field;
            buf.set_string(area.x + 1, y, label, theme.field(focused));
            let r = Rect {
                x: area.x + 1 + label_w,
                y,
                width: area.width.saturating_sub(label_w + 2),
                height: 1,
            };
            let c = input.render(r, buf, theme.text());
            if input.text.is_empty() && !focused && field == Field::Warning {
                buf.set_string(r.x, y, "(optional: e.g. self-harm, grief)", theme.dim());
            }
            if focused { c } else { None }
        };
        if matches!(self.edit, Some((_, true))) {
            if let Some(c) = one_line(y, "Reason", &self.title, Field::Title, buf) {
                cursor = Some(c);
            }
            y += 1;
        } else if self.edit.is_none() && matches!(self.place, DraftPlace::NewThread(_)) {
            if let Some(c) = one_line(y, "Title", &self.title, Field::Title, buf) {
                cursor = Some(c);
            }
            y += 1;
        }
        if let Some(c) = one_line(y, "CW", &self.warning, Field::Warning, buf) {
            cursor = Some(c);
        }
        y += 1;
        if self.allow_anonymous {
            let text = if self.anonymous {
                strings::ANON_ON
            } else {
                strings::ANON_OFF
            };
            buf.set_stringn(
                area.x + 1,
                y,
                text,
                area.width.saturating_sub(2) as usize,
                if self.anonymous {
                    theme.unread()
                } else {
                    theme.dim()
                },
            );
            y += 1;
        }
        let block_area = Rect {
            x: area.x,
            y,
            width: area.width,
            height: area.bottom().saturating_sub(y),
        };
        let focused = self.focus == Field::Body;
        if let Some(scroll) = self.preview {
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(theme.field(true))
                .title(" Preview · Ctrl-P edits ");
            let inner = block.inner(block_area);
            block.render(block_area, buf);
            let room = inner.width.saturating_sub(1) as usize;
            let lines = crate::tui::rich::lay_out(&self.preview_text(), room);
            let rows = inner.height as usize;
            let top = scroll.clamped(lines.len(), rows);
            self.preview_shown.set((lines.len(), rows));
            for (i, line) in lines.iter().skip(top).take(rows).enumerate() {
                crate::tui::rich::draw(
                    buf,
                    (inner.x + 1, inner.y + i as u16),
                    line,
                    room,
                    theme,
                    None,
                );
            }
            if lines.len() > rows {
                let mark = format!(
                    " {}-{} of {} ",
                    top + 1,
                    (top + rows).min(lines.len()),
                    lines.len()
                );
                let x = block_area.right().saturating_sub(mark.len() as u16 + 2);
                buf.set_string(x, block_area.bottom().saturating_sub(1), mark, theme.dim());
            }
            return None;
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.field(focused))
            .title(" Text ");
        let inner = block.inner(block_area);
        block.render(block_area, buf);
        let c = self.body.render(inner, buf, theme.text());
        if focused {
            cursor = c;
        }
        if self.posting { None } else { cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BoardId;
    use terminput::{KeyCode, KeyModifiers};

    fn press(s: &mut ComposeScreen, key: KeyEvent) {
        let action = crate::tui::keymap::lookup(s.context(), &key, false);
        s.key(&key, action, 20, None);
    }

    fn typed(s: &mut ComposeScreen, text: &str) {
        for c in text.chars() {
            press(s, KeyEvent::new(KeyCode::Char(c)));
        }
    }

    fn drawn(s: &ComposeScreen, w: u16, h: u16) -> String {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        s.render(area, &mut buf, Theme::Default, &Texts::default());
        (0..h)
            .map(|y| {
                (0..w)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_preview_shows_the_text_as_it_will_read_and_typing_goes_back_to_the_editor() {
        let place = DraftPlace::Reply(BoardId(1), crate::domain::ThreadId(1));
        let mut s = ComposeScreen::new(place, "Support".into(), Some("A day".into()), false);
        s.loaded(Loaded::Draft(place, None), 20);
        typed(&mut s, "**so** tired, `really`");
        press(&mut s, KeyEvent::new(KeyCode::Enter));
        typed(&mut s, "[quote #7]");
        press(&mut s, KeyEvent::new(KeyCode::Tab));
        typed(&mut s, "grief");
        let ctrl_p = KeyEvent::new(KeyCode::Char('p')).modifiers(KeyModifiers::CTRL);
        press(&mut s, ctrl_p);
        let screen = drawn(&s, 40, 10);
        assert!(screen.contains("Preview"), "{screen}");
        assert!(screen.contains("so tired, really"), "{screen}");
        assert!(!screen.contains("**"), "{screen}");
        assert!(screen.contains("quoting post #7"), "{screen}");
        assert!(screen.contains("CW grief"), "{screen}");
        // Esc is back to the editor, with the text as it was; the draft is not left.
        press(&mut s, KeyEvent::new(KeyCode::Esc));
        assert!(!s.leaving);
        let screen = drawn(&s, 40, 10);
        assert!(screen.contains("**so**"), "{screen}");
        // Typing in the preview goes back to the editor, and the key is kept.
        press(&mut s, ctrl_p);
        press(
            &mut s,
            KeyEvent::new(KeyCode::Tab).modifiers(KeyModifiers::SHIFT),
        );
        press(&mut s, KeyEvent::new(KeyCode::End));
        typed(&mut s, "!");
        assert!(s.preview.is_none());
        assert!(
            s.draft().body.ends_with("[quote #7]!"),
            "{:?}",
            s.draft().body
        );
    }

    #[test]
    fn ctrl_a_in_a_field_goes_to_the_line_start_and_alt_a_or_f4_toggles_anonymity() {
        let mut s = ComposeScreen::new(
            DraftPlace::NewThread(BoardId(1)),
            "Support".into(),
            None,
            true,
        );
        typed(&mut s, "ight");
        press(
            &mut s,
            KeyEvent::new(KeyCode::Char('a')).modifiers(KeyModifiers::CTRL),
        );
        typed(&mut s, "N");
        assert_eq!(s.title.text, "Night");
        assert!(!s.anonymous, "Ctrl-A is the line start, not anonymity");
        press(
            &mut s,
            KeyEvent::new(KeyCode::Char('a')).modifiers(KeyModifiers::ALT),
        );
        assert!(s.anonymous);
        assert_eq!(s.title.text, "Night", "Alt-A types nothing");
        press(&mut s, KeyEvent::new(KeyCode::F(4)));
        assert!(!s.anonymous);
        // In the body too, Ctrl-A stays with the text.
        press(&mut s, KeyEvent::new(KeyCode::Tab));
        press(&mut s, KeyEvent::new(KeyCode::Tab));
        typed(&mut s, "ay");
        press(
            &mut s,
            KeyEvent::new(KeyCode::Char('a')).modifiers(KeyModifiers::CTRL),
        );
        assert!(!s.anonymous);
    }
}
