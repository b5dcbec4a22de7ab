//! The review queue: reported posts, grouped, with their content collapsed until a moderator
//! opens one. Claim (or hand back), then resolve with an outcome the reporters are told.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome, move_selection};
use crate::store::reports::QueueItem;
use crate::tui::keymap::Action;
use crate::tui::widgets::{Answer, ask};
use crate::tui::widgets::{LineInput, format_time, truncate};
use crate::tui::{Effect, Loaded, Theme};

pub struct ReportsScreen {
    pub items: Option<Vec<QueueItem>>,
    pub selected: usize,
    /// The item whose text is shown.
    open: Option<crate::store::reports::Target>,
    /// An outcome being typed for the selected item.
    outcome: Option<LineInput>,
}

impl ReportsScreen {
    pub fn new() -> ReportsScreen {
        ReportsScreen {
            items: None,
            selected: 0,
            open: None,
            outcome: None,
        }
    }

    pub fn typing(&self) -> bool {
        self.outcome.is_some()
    }

    fn current(&self) -> Option<&QueueItem> {
        self.items.as_ref()?.get(self.selected)
    }

    pub fn key(&mut self, key: &KeyEvent, action: Option<Action>, me: Option<&str>) -> Outcome {
        if self.outcome.is_some() {
            if let Answer::Given(text) = ask(&mut self.outcome, key)
                && let Some(item) = self.current()
            {
                return Outcome::effects(vec![Effect::ResolveReport {
                    target: item.target,
                    outcome: text,
                }]);
            }
            return Outcome::none();
        }
        let Some(action) = action else {
            return Outcome::none();
        };
        let len = self.items.as_ref().map_or(0, Vec::len);
        if move_selection(&mut self.selected, len, action, 5) {
            return Outcome::none();
        }
        match action {
            Action::Open => {
                let id = self.current().map(|i| i.target);
                self.open = if self.open == id { None } else { id };
                Outcome::none()
            }
            Action::Claim => match self.current() {
                Some(item) => {
                    let mine = item.claimed_by.as_deref().is_some_and(|c| Some(c) == me);
                    Outcome::effects(vec![Effect::ClaimReport {
                        target: item.target,
                        claim: !mine,
                    }])
                }
                None => Outcome::none(),
            },
            Action::Approve | Action::Reject => match self.current().map(|i| i.target) {
                Some(crate::store::reports::Target::Unmask(request)) => {
                    Outcome::effects(vec![Effect::DecideUnmask {
                        request,
                        confirm: action == Action::Approve,
                    }])
                }
                Some(crate::store::reports::Target::Post(post)) => {
                    Outcome::effects(vec![Effect::DecideHeld {
                        post,
                        approve: action == Action::Approve,
                    }])
                }
                _ => Outcome::none(),
            },
            Action::Resolve if self.current().is_some() => {
                self.outcome = Some(LineInput::new(200));
                Outcome::none()
            }
            Action::Refresh => Outcome::effects(vec![Effect::LoadReports]),
            Action::Back => Outcome::nav(Nav::Back, vec![]),
            _ => Outcome::none(),
        }
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(input) = &mut self.outcome {
            input.paste(text);
        }
    }

    pub fn loaded(&mut self, loaded: Loaded) -> Vec<Effect> {
        match loaded {
            Loaded::Reports(items) => {
                self.selected = self.selected.min(items.len().saturating_sub(1));
                self.items = Some(items);
                vec![]
            }
            Loaded::SettingsChanged(_) => vec![Effect::LoadReports],
            _ => vec![],
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: Theme) -> Option<Position> {
        let w = area.width.saturating_sub(2) as usize;
        let Some(items) = &self.items else {
            buf.set_string(
                area.x + 1,
                area.y + 1,
                crate::tui::strings::LOADING,
                theme.dim(),
            );
            return None;
        };
        if items.is_empty() {
            buf.set_string(area.x + 1, area.y + 1, "No open reports.", theme.dim());
        }
        let mut y = area.y;
        for (i, item) in items.iter().enumerate() {
            if y >= area.bottom().saturating_sub(2) {
                break;
            }
            let selected = i == self.selected;
            let marker = if selected { "▸ " } else { "  " };
            let mut line = match item.target {
                crate::store::reports::Target::Unmask(_) => format!(
                    "{marker}{} · since {} · a confirms, x declines",
                    item.label,
                    format_time(item.first_reported)
                ),
                _ => format!(
                    "{marker}{} · {} report{} · {} · since {}",
                    item.label,
                    item.reports,
                    if item.reports == 1 { "" } else { "s" },
                    item.categories,
                    format_time(item.first_reported)
                ),
            };
            if item.hidden {
                line.push_str(" · hidden");
            }
            if let Some(by) = &item.claimed_by {
                line.push_str(&format!(" · claimed by {by}"));
            }
            let style = if selected {
                theme.selected()
            } else {
                theme.text()
            };
            buf.set_stringn(area.x + 1, y, truncate(&line, w), w, style);
            y += 1;
            if self.open == Some(item.target) {
                let mut body = crate::sanitize::multiline(&item.body);
                if !item.notes.is_empty() {
                    let notes = crate::sanitize::line(&item.notes);
                    body = if body.is_empty() {
                        notes
                    } else {
                        format!("{body}\n— reporters' notes: {notes}")
                    };
                }
                for l in body
                    .lines()
                    .flat_map(|l| textwrap::wrap(l, w.saturating_sub(4).max(10)))
                {
                    if y >= area.bottom().saturating_sub(2) {
                        break;
                    }
                    buf.set_stringn(area.x + 5, y, l.as_ref(), w.saturating_sub(4), theme.dim());
                    y += 1;
                }
            }
        }
        if let Some(input) = &self.outcome {
            let y = area.bottom().saturating_sub(1);
            return crate::tui::widgets::prompt(
                area,
                y,
                "Outcome (the reporters are told): ",
                input,
                buf,
                theme,
            );
        }
        None
    }
}

impl Default for ReportsScreen {
    fn default() -> Self {
        ReportsScreen::new()
    }
}
