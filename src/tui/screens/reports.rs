//! The review queue: reported posts, grouped, with their content collapsed until a moderator
//! opens one. Claim (or hand back), then resolve with an outcome the reporters are told.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome, Screen, move_selection, thread::ThreadScreen};
use crate::store::reports::QueueItem;
use crate::store::reports::{OUTCOMES, Target};
use crate::tui::PageAt;
use crate::tui::keymap::{Action, Binding, ENTER, ESC, LEFT, bind, ch};
use crate::tui::widgets::{Answer, ask};
use crate::tui::widgets::{LineInput, format_time, truncate};
use crate::tui::{Effect, Loaded, Theme};

/// This screen's keys, in the order help lists them.
#[rustfmt::skip]
pub const KEYS: &[Binding] = &[
    bind(&[ch('a')], Action::Approve, "a", "approve a held post; confirm an unmask").footer_as("approve").staff(),
    bind(&[ch('x')], Action::Reject, "x", "keep a held post hidden; decline an unmask").footer_as("decline").staff(),
    bind(&[ENTER], Action::Open, "Enter", "show/hide what was reported").footer_as("show/hide").staff(),
    bind(&[ch('t')], Action::ViewInThread, "t", "open it in its thread").footer_as("in thread").staff(),
    bind(&[ch('c')], Action::Claim, "c", "claim/hand back").footer_as("claim").staff(),
    bind(&[ch('o')], Action::Resolve, "o", "resolve with an outcome").footer_as("resolve").staff(),
    bind(&[ch('r')], Action::Refresh, "r", "refresh"),
    bind(&[ESC, LEFT, ch('q')], Action::Back, "Esc", "back").footer(),
];

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
}

impl Default for ReportsScreen {
    fn default() -> Self {
        ReportsScreen::new()
    }
}

impl View for ReportsScreen {
    fn context(&self) -> Context {
        if self.typing() {
            Context::Typing
        } else {
            Context::Reports
        }
    }

    fn title(&self) -> String {
        "Reports".into()
    }

    /// What acts on the selected item, where there is one: approve and decline only for a
    /// held post or an unmask request, its thread only where it has one.
    fn offers(&self, action: Action) -> bool {
        use crate::store::reports::Target;
        let current = self.current();
        match action {
            Action::Approve | Action::Reject => current.is_some_and(|i| match i.target {
                Target::Unmask(_) => true,
                Target::Post(_) => i.hidden,
                _ => false,
            }),
            Action::ViewInThread => current.is_some_and(|i| i.thread.is_some()),
            Action::Open | Action::Claim | Action::Resolve => current.is_some(),
            _ => true,
        }
    }

    fn key(
        &mut self,
        key: &KeyEvent,
        action: Option<Action>,
        _body: u16,
        user: Option<&User>,
    ) -> Outcome {
        let me = user.map(|u| u.handle.as_str());
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
            Action::ViewInThread => match self.current() {
                Some(item) if item.thread.is_some() => {
                    let Some(thread) = item.thread else {
                        return Outcome::none();
                    };
                    let mut screen = ThreadScreen::new(thread);
                    let at = match item.target {
                        Target::Post(post) => {
                            screen.focus(post);
                            PageAt::Post(post)
                        }
                        _ => PageAt::Offset(0),
                    };
                    Outcome::nav(
                        Nav::Push(Box::new(Screen::Thread(screen))),
                        vec![Effect::LoadThread { thread, at }],
                    )
                }
                _ => Outcome::none(),
            },
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

    fn paste(&mut self, text: &str) -> usize {
        self.outcome.as_mut().map_or(0, |i| i.paste(text))
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        match loaded {
            Loaded::Reports(items) => {
                self.selected = self.selected.min(items.len().saturating_sub(1));
                self.items = Some(items);
                vec![]
            }
            Loaded::Done(_) => vec![Effect::LoadReports],
            _ => vec![],
        }
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        vec![Effect::LoadReports]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
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
                _ if item.urgent => format!(
                    "{marker}⚑ URGENT · {} · {} report{} · {} · since {}",
                    item.label,
                    item.reports,
                    if item.reports == 1 { "" } else { "s" },
                    item.categories,
                    format_time(item.first_reported)
                ),
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
            } else if item.urgent {
                theme.error()
            } else {
                theme.text()
            };
            buf.set_stringn(area.x + 1, y, truncate(&line, w), w, style);
            y += 1;
            // Where it is and who wrote it (a pseudonym for an anonymous author).
            if let Some(place) = &item.place
                && y < area.bottom().saturating_sub(2)
            {
                let place = format!("    {place}");
                buf.set_stringn(area.x + 1, y, truncate(&place, w), w, theme.dim());
                y += 1;
            }
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
            // The usual outcomes, by number, above the question.
            let bottom = area.bottom().saturating_sub(1);
            for (i, o) in OUTCOMES.iter().enumerate() {
                let row = bottom.saturating_sub((OUTCOMES.len() - i) as u16);
                if row > area.y {
                    let text = format!(" {} {o}", i + 1);
                    buf.set_stringn(area.x, row, truncate(&text, w + 1), w + 1, theme.key());
                }
            }
            return crate::tui::widgets::prompt(
                area,
                bottom,
                // Short enough that the answer fits beside it at 40 columns: a label that
                // wrapped would cover the last outcome.
                "Outcome (1-4 or words): ",
                input,
                buf,
                theme,
            );
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::reports::Target;

    fn offered(s: &ReportsScreen) -> Vec<&'static str> {
        crate::tui::keymap::staff_footer(s.context(), |a| s.offers(a))
            .into_iter()
            .map(|(_, label)| label)
            .collect()
    }

    fn item(target: Target, hidden: bool, thread: Option<i64>) -> QueueItem {
        QueueItem {
            target,
            label: "post 1".into(),
            reports: 1,
            categories: "spam".into(),
            claimed_by: None,
            first_reported: 0,
            body: String::new(),
            notes: String::new(),
            hidden,
            urgent: false,
            place: None,
            thread: thread.map(crate::domain::ThreadId),
        }
    }

    #[test]
    fn every_outcome_shows_above_the_question_at_40_columns() {
        let mut s = ReportsScreen::new();
        let post = Target::Post(crate::domain::PostId(1));
        s.loaded(Loaded::Reports(vec![item(post, false, Some(1))]), 8);
        let key = KeyEvent::new(terminput::KeyCode::Char('o'));
        s.key(&key, Some(Action::Resolve), 8, None);
        assert!(s.typing());
        let area = Rect::new(0, 0, 40, 8);
        let mut buf = Buffer::empty(area);
        s.render(area, &mut buf, Theme::Default, &Texts::default());
        let screen: Vec<String> = (0..8)
            .map(|y| (0..40).map(|x| buf[(x, y)].symbol().to_string()).collect())
            .collect();
        for (i, _) in OUTCOMES.iter().enumerate() {
            assert!(
                screen
                    .iter()
                    .any(|l| l.starts_with(&format!(" {} ", i + 1))),
                "outcome {}:\n{}",
                i + 1,
                screen.join("\n")
            );
        }
        assert!(
            screen[7].contains("Outcome (1-4 or words):"),
            "{}",
            screen.join("\n")
        );
    }

    #[test]
    fn the_footer_offers_only_what_acts_on_the_selected_item() {
        let mut s = ReportsScreen::new();
        s.loaded(Loaded::Reports(vec![]), 20);
        assert!(offered(&s).is_empty(), "{:?}", offered(&s));
        let post = Target::Post(crate::domain::PostId(1));
        s.loaded(Loaded::Reports(vec![item(post, true, Some(1))]), 20);
        assert_eq!(
            offered(&s),
            [
                "approve",
                "decline",
                "show/hide",
                "in thread",
                "claim",
                "resolve"
            ]
        );
        s.loaded(Loaded::Reports(vec![item(post, false, Some(1))]), 20);
        assert_eq!(offered(&s), ["show/hide", "in thread", "claim", "resolve"]);
        s.loaded(
            Loaded::Reports(vec![item(Target::Message(4), false, None)]),
            20,
        );
        assert_eq!(offered(&s), ["show/hide", "claim", "resolve"]);
    }
}
