//! Board management for sysops: every board (archived ones last) with its flags; keys create,
//! rename, describe, reorder, archive and switch the flags. The service checks every change.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome, move_selection};
use crate::service::{BoardFlag, BoardOp};
use crate::store::boards::BoardRow;
use crate::tui::keymap::{Action, Binding, ESC, LEFT, bind, ch};
use crate::tui::widgets::Answer;
use crate::tui::widgets::{LineInput, prompt, truncate};
use crate::tui::{Effect, Loaded, Theme, strings};

/// This screen's keys, in the order help lists them.
#[rustfmt::skip]
pub const KEYS: &[Binding] = &[
    bind(&[ch('n')], Action::NewBoard, "n", "new board").footer(),
    bind(&[ch('e')], Action::RenameBoard, "e", "rename").footer(),
    bind(&[ch('x')], Action::Archive, "x", "archive/unarchive").footer_as("archive"),
    bind(&[ESC, LEFT, ch('q')], Action::Back, "Esc", "back").footer(),
    bind(&[ch('d')], Action::DescribeBoard, "d", "description").footer(),
    bind(&[ch('o')], Action::ToggleReadOnly, "o", "read-only (announcements) on/off").footer_as("read-only"),
    bind(&[ch('a')], Action::ToggleAnonymous, "a", "anonymous posting on/off").footer_as("anonymous"),
    bind(&[ch('w')], Action::ToggleWelcome, "w", "open to new accounts on/off").footer_as("new accounts"),
    bind(&[ch('t')], Action::CycleTrust, "t", "minimum trust level to post: 0/1").footer_as("trust"),
    bind(&[ch('K')], Action::MoveUp, "K", "move up").footer(),
    bind(&[ch('J')], Action::MoveDown, "J", "move down").footer(),
    bind(&[ch('r')], Action::Refresh, "r", "refresh"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    /// "slug Name of the board"
    Create,
    Rename,
    Describe,
}

#[derive(Default)]
pub struct ManageBoardsScreen {
    boards: Option<Vec<BoardRow>>,
    selected: usize,
    asking: Option<(Ask, LineInput)>,
}

impl ManageBoardsScreen {
    pub fn typing(&self) -> bool {
        self.asking.is_some()
    }

    fn current(&self) -> Option<&BoardRow> {
        self.boards.as_ref()?.get(self.selected)
    }
}

impl View for ManageBoardsScreen {
    fn context(&self) -> Context {
        if self.typing() {
            Context::Typing
        } else {
            Context::ManageBoards
        }
    }

    fn title(&self) -> String {
        "Manage boards".into()
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        if let Some((ask, input)) = &mut self.asking {
            match input.answer(key) {
                Answer::Typing => {}
                Answer::Cancelled => self.asking = None,
                Answer::Given(text) => {
                    let text = text.trim().to_string();
                    let ask = *ask;
                    self.asking = None;
                    let slug = self.current().map(|b| b.slug.clone()).unwrap_or_default();
                    let op = match ask {
                        Ask::Create => {
                            let (slug, name) = text.split_once(' ').unwrap_or((&text, ""));
                            BoardOp::Create {
                                slug: slug.to_string(),
                                name: name.trim().to_string(),
                            }
                        }
                        Ask::Rename => BoardOp::Rename { slug, name: text },
                        Ask::Describe => BoardOp::Describe { slug, text },
                    };
                    return Outcome::effects(vec![Effect::ManageBoard(op)]);
                }
            }
            return Outcome::none();
        }
        let Some(action) = action else {
            return Outcome::none();
        };
        let len = self.boards.as_ref().map_or(0, Vec::len);
        if move_selection(&mut self.selected, len, action, body as usize) {
            return Outcome::none();
        }
        if action == Action::NewBoard {
            self.asking = Some((Ask::Create, LineInput::new(200)));
            return Outcome::none();
        }
        if action == Action::Back {
            return Outcome::nav(Nav::Back, vec![]);
        }
        let Some(board) = self.current().cloned() else {
            return Outcome::none();
        };
        let slug = board.slug.clone();
        let toggle = |flag| {
            Outcome::effects(vec![Effect::ManageBoard(BoardOp::Toggle {
                slug: slug.clone(),
                flag,
            })])
        };
        match action {
            Action::RenameBoard => {
                self.asking = Some((Ask::Rename, LineInput::with_text(80, &board.name)));
                Outcome::none()
            }
            Action::DescribeBoard => {
                self.asking = Some((Ask::Describe, LineInput::new(200)));
                Outcome::none()
            }
            Action::MoveUp | Action::MoveDown => {
                let by = if action == Action::MoveUp { -1 } else { 1 };
                self.selected = (self.selected as i64 + by).clamp(0, len as i64 - 1) as usize;
                Outcome::effects(vec![Effect::ManageBoard(BoardOp::Shift { slug, by })])
            }
            Action::ToggleReadOnly => toggle(BoardFlag::ReadOnly),
            Action::ToggleAnonymous => toggle(BoardFlag::Anonymous),
            Action::ToggleWelcome => toggle(BoardFlag::Welcome),
            Action::Archive => toggle(BoardFlag::Archived),
            Action::CycleTrust => {
                Outcome::effects(vec![Effect::ManageBoard(BoardOp::CycleTrust { slug })])
            }
            Action::Refresh => Outcome::effects(vec![Effect::LoadBoardAdmin]),
            _ => Outcome::none(),
        }
    }

    fn paste(&mut self, text: &str) -> usize {
        self.asking.as_mut().map_or(0, |(_, i)| i.paste(text))
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        match loaded {
            Loaded::BoardAdmin(rows) => {
                self.selected = self.selected.min(rows.len().saturating_sub(1));
                self.boards = Some(rows);
                vec![]
            }
            Loaded::Done(_) => vec![Effect::LoadBoardAdmin],
            _ => vec![],
        }
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        vec![Effect::LoadBoardAdmin]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let w = area.width.saturating_sub(2) as usize;
        let Some(boards) = &self.boards else {
            buf.set_string(area.x + 1, area.y + 1, strings::LOADING, theme.dim());
            return None;
        };
        let rows = area.height.saturating_sub(1) as usize;
        let first = self.selected / rows.max(1) * rows.max(1);
        for (
            i,
            BoardRow {
                slug,
                name,
                read_only,
                anonymous,
                welcome,
                min_trust,
                archived,
                ..
            },
        ) in boards.iter().enumerate().skip(first).take(rows)
        {
            let mut flags = Vec::new();
            if *read_only {
                flags.push("read-only".to_string());
            }
            if *anonymous {
                flags.push("anonymous".to_string());
            }
            if *welcome {
                flags.push("welcome".to_string());
            }
            if *min_trust > 0 {
                flags.push(format!("trust ≥ {min_trust}"));
            }
            if *archived {
                flags.push("ARCHIVED".to_string());
            }
            let marker = if i == self.selected { "▸ " } else { "  " };
            let line = format!(
                "{marker}{} ({slug}){}{}",
                crate::sanitize::line(name),
                if flags.is_empty() { "" } else { " · " },
                flags.join(" · ")
            );
            let style = if i == self.selected {
                theme.selected()
            } else if *archived {
                theme.dim()
            } else {
                theme.text()
            };
            buf.set_stringn(
                area.x,
                area.y + (i - first) as u16,
                truncate(&line, w),
                w,
                style,
            );
        }
        if let Some((ask, input)) = &self.asking {
            let label = match ask {
                Ask::Create => "New board: slug, then its name: ",
                Ask::Rename => "New name: ",
                Ask::Describe => "Description: ",
            };
            return prompt(
                area,
                area.bottom().saturating_sub(1),
                label,
                input,
                buf,
                theme,
            );
        }
        None
    }
}
