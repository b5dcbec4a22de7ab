//! Notifications: replies to your threads, mentions, and messages from moderators, newest
//! first, the replies (or mentions) in one thread on one row. Enter opens the post, or a
//! group's thread where you stopped reading; `d` dismisses a row.

use crate::domain::User;
use crate::tui::Texts;
use crate::tui::keymap::Context;
use crate::tui::screens::View;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use terminput::KeyEvent;

use super::{Nav, Outcome, Screen, move_selection, thread::ThreadScreen};
use crate::store::notifications::Notification;
use crate::tui::keymap::{Action, Binding, ENTER, ESC, LEFT, RIGHT, bind, ch};
use crate::tui::widgets::{format_time, truncate, width};
use crate::tui::{Effect, Loaded, PageAt, Theme, strings};

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[ENTER, RIGHT, ch('l')], Action::Open, "Enter", "open").footer(),
    bind(&[ch('d')], Action::Dismiss, "d", "dismiss").footer(),
    bind(&[ch('r')], Action::Refresh, "r", "refresh"),
    bind(&[ESC, LEFT], Action::Back, "Esc", "back").footer(),
    bind(&[ch('q')], Action::Back, "q", "back"),
];

#[derive(Default)]
pub struct ActivityScreen {
    items: Option<Vec<Group>>,
    selected: usize,
}

/// One row: a notification, or the replies (or mentions) in one thread together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The newest first.
    pub items: Vec<Notification>,
}

impl Group {
    fn newest(&self) -> &Notification {
        &self.items[0]
    }

    fn unread(&self) -> bool {
        self.items.iter().any(|n| n.unread)
    }
}

/// Groups a newest-first list: replies in the same thread make one row, and mentions in the
/// same thread another, placed where the newest of them was; anything else is a row of its
/// own. Only what each notification already shows is put together (the actors as shown, a
/// pseudonym included), so a group tells nothing its notifications did not.
pub fn group(list: Vec<Notification>) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for n in list {
        let joins = matches!(n.kind.as_str(), "reply" | "mention") && n.thread.is_some();
        let at = joins
            .then(|| {
                out.iter().position(|g| {
                    let first = g.newest();
                    first.kind == n.kind && first.thread == n.thread
                })
            })
            .flatten();
        match at {
            Some(i) => out[i].items.push(n),
            None => out.push(Group { items: vec![n] }),
        }
    }
    out
}

/// What a row says, in one line: "birch replied in “Rough week”", or for a group
/// "3 replies in “Rough week”: birch, ash and 1 more".
pub fn describe(g: &Group) -> String {
    let n = g.newest();
    let title = n
        .thread_title
        .as_deref()
        .map(crate::sanitize::line)
        .unwrap_or_default();
    let mut who: Vec<String> = Vec::new();
    for item in &g.items {
        let actor = item
            .actor
            .as_deref()
            .map(crate::sanitize::line)
            .unwrap_or_else(|| "someone".into());
        if !who.contains(&actor) {
            who.push(actor);
        }
    }
    let names = match who.len() {
        0 | 1 => who.concat(),
        2 => format!("{} and {}", who[0], who[1]),
        k => format!("{}, {} and {} more", who[0], who[1], k - 2),
    };
    let count = g.items.len();
    match (n.kind.as_str(), count) {
        ("reply", 1) => format!("{names} replied in \u{201c}{title}\u{201d}"),
        ("mention", 1) => format!("{names} mentioned you in \u{201c}{title}\u{201d}"),
        ("reply", _) => format!("{count} replies in \u{201c}{title}\u{201d}: {names}"),
        ("mention", _) => format!("{count} mentions of you in \u{201c}{title}\u{201d}: {names}"),
        _ => crate::sanitize::line(n.body.as_deref().unwrap_or_default()),
    }
}

impl View for ActivityScreen {
    fn context(&self) -> Context {
        Context::Activity
    }

    fn title(&self) -> String {
        "Notifications".into()
    }

    /// Opening and dismissing only where there is something to open or dismiss.
    fn offers(&self, action: Action) -> bool {
        match action {
            Action::Open | Action::Dismiss => self.items.as_ref().is_some_and(|i| !i.is_empty()),
            _ => true,
        }
    }

    fn key(
        &mut self,
        _key: &KeyEvent,
        action: Option<Action>,
        body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        let Some(action) = action else {
            return Outcome::none();
        };
        let items = self.items.as_deref().unwrap_or(&[]);
        if move_selection(&mut self.selected, items.len(), action, body as usize) {
            return Outcome::none();
        }
        match action {
            // A group opens its thread where the member stopped reading; one notification
            // opens at its post.
            Action::Open => match items.get(self.selected) {
                Some(g) if g.items.len() > 1 && g.newest().thread.is_some() => {
                    let screen = ThreadScreen::unread(g.newest().thread.expect("checked"));
                    let load = screen.load();
                    Outcome::nav(Nav::Push(Box::new(Screen::Thread(screen))), load)
                }
                Some(g) => match g.newest() {
                    Notification {
                        thread: Some(thread),
                        post,
                        ..
                    } => {
                        let mut screen = ThreadScreen::new(*thread);
                        let at = match post {
                            Some(p) => {
                                screen.focus(*p);
                                PageAt::Post(*p)
                            }
                            None => PageAt::Offset(0),
                        };
                        Outcome::nav(
                            Nav::Push(Box::new(Screen::Thread(screen))),
                            vec![Effect::LoadThread {
                                thread: *thread,
                                at,
                            }],
                        )
                    }
                    _ => Outcome::none(),
                },
                None => Outcome::none(),
            },
            Action::Dismiss => match items.get(self.selected) {
                Some(g) => Outcome::effects(vec![Effect::DismissNotifications(
                    g.items.iter().map(|n| n.id).collect(),
                )]),
                None => Outcome::none(),
            },
            Action::Refresh => Outcome::effects(vec![Effect::LoadNotifications]),
            Action::Back => Outcome::nav(Nav::Back, vec![]),
            _ => Outcome::none(),
        }
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        match loaded {
            Loaded::Notifications(items) => {
                let items = group(items);
                self.selected = self.selected.min(items.len().saturating_sub(1));
                self.items = Some(items);
                vec![]
            }
            Loaded::Done(_) => vec![Effect::LoadNotifications],
            _ => vec![],
        }
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        vec![Effect::LoadNotifications]
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let w = area.width as usize;
        let Some(items) = &self.items else {
            buf.set_string(area.x + 1, area.y + 1, strings::LOADING, theme.dim());
            return None;
        };
        if items.is_empty() {
            crate::tui::widgets::note(
                area,
                1,
                "Nothing yet. Replies to your threads and mentions of you show here.",
                buf,
                theme,
            );
            return None;
        }
        let rows = area.height as usize;
        let first = self.selected / rows.max(1) * rows.max(1);
        for (i, g) in items.iter().enumerate().skip(first).take(rows) {
            let y = area.y + (i - first) as u16;
            let when = format!(" {} ", format_time(g.newest().at));
            let ww = width(&when);
            let marker = match (i == self.selected, g.unread()) {
                (true, _) => "▸ ",
                (false, true) => "• ",
                (false, false) => "  ",
            };
            let text = truncate(&format!("{marker}{}", describe(g)), w.saturating_sub(ww));
            let style = if i == self.selected {
                theme.selected()
            } else if g.unread() {
                theme.unread()
            } else {
                theme.text()
            };
            buf.set_stringn(area.x, y, &text, w, style);
            buf.set_stringn(
                area.right().saturating_sub(ww as u16),
                y,
                &when,
                ww,
                theme.dim(),
            );
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PostId, ThreadId};

    fn note(id: i64, kind: &str, actor: &str, thread: i64) -> Notification {
        Notification {
            id,
            kind: kind.into(),
            actor: Some(actor.into()),
            thread: Some(ThreadId(thread)),
            thread_title: Some(format!("Thread {thread}")),
            post: Some(PostId(id)),
            body: None,
            at: id,
            unread: id > 4,
        }
    }

    #[test]
    fn replies_in_one_thread_are_one_row_and_other_notifications_stay_apart() {
        // Newest first, as the store lists them.
        let list = vec![
            note(7, "reply", "ash", 1),
            note(6, "mention", "birch", 1),
            note(5, "reply", "anon-7f3a", 2),
            note(4, "reply", "birch", 1),
            note(3, "reply", "ash", 1),
            note(2, "reply", "cedar", 1),
            Notification {
                kind: "moderator".into(),
                actor: None,
                thread: None,
                thread_title: None,
                post: None,
                body: Some("A moderator warned you: be gentle.".into()),
                ..note(1, "moderator", "", 0)
            },
        ];
        let rows: Vec<String> = group(list).iter().map(describe).collect();
        assert_eq!(
            rows,
            vec![
                "4 replies in \u{201c}Thread 1\u{201d}: ash, birch and 1 more",
                "birch mentioned you in \u{201c}Thread 1\u{201d}",
                "anon-7f3a replied in \u{201c}Thread 2\u{201d}",
                "A moderator warned you: be gentle.",
            ]
        );
        let groups = group(vec![note(5, "reply", "ash", 1), note(2, "reply", "ash", 1)]);
        assert_eq!(groups.len(), 1);
        assert_eq!(
            describe(&groups[0]),
            "2 replies in \u{201c}Thread 1\u{201d}: ash"
        );
        assert!(groups[0].unread(), "unread while any of it is");
    }
}
