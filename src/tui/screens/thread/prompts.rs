//! Prompts in the thread view: the reason a moderator gives for an action (hide, lock, move,
//! warn, silence, ban, unmask, content warning), and the report a member writes.

use super::*;

/// What a moderator's reason prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    Mod(ModAction),
    /// Move the thread: "board-slug reason".
    Move(ThreadId),
    Warn(PostId),
    Silence(PostId),
    Ban(PostId),
    Unmask(PostId),
    /// A content warning's label (empty removes it), then the reason.
    Cw(PostId),
    CwReason(PostId),
}

impl ThreadScreen {
    /// Handles a key while a moderator types the reason for an action.
    pub fn reason_key(&mut self, key: &terminput::KeyEvent) -> Outcome {
        if let Some(report) = &mut self.reporting {
            if let Some(outcome) = report.key(key) {
                self.reporting = None;
                return outcome;
            }
            return Outcome::none();
        }
        let Some((action, input)) = &mut self.moderating else {
            return Outcome::none();
        };
        match key.code {
            terminput::KeyCode::Esc => {
                self.moderating = None;
                Outcome::status(crate::tui::Status::Info("Nothing was changed.".into()))
            }
            terminput::KeyCode::Enter => {
                let text = input.text.clone();
                let prompt = *action;
                self.moderating = None;
                // Silence and ban take an optional duration first: "3d reason".
                let (duration, rest) = match text.trim().split_once(' ') {
                    Some((first, rest)) => match crate::domain::parse_duration(first) {
                        Some(d) => (Some(d), rest.to_string()),
                        None => (None, text.clone()),
                    },
                    None => (None, text.clone()),
                };
                let effect = match prompt {
                    Prompt::Cw(post) => {
                        self.cw_label = text;
                        self.moderating = Some((Prompt::CwReason(post), LineInput::new(200)));
                        return Outcome::none();
                    }
                    Prompt::Unmask(post) => Effect::RequestUnmask { post, reason: text },
                    Prompt::CwReason(post) => Effect::SetContentWarning {
                        post,
                        label: std::mem::take(&mut self.cw_label),
                        reason: text,
                    },
                    Prompt::Mod(action) => Effect::Moderate {
                        action,
                        reason: text,
                    },
                    Prompt::Move(thread) => {
                        let trimmed = text.trim();
                        let (slug, reason) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
                        Effect::MoveThread {
                            thread,
                            slug: slug.to_string(),
                            reason: reason.to_string(),
                        }
                    }
                    Prompt::Warn(post) => Effect::Sanction {
                        post,
                        sanction: Sanction::Warn,
                        reason: text,
                    },
                    Prompt::Silence(post) => match duration {
                        Some(d) => Effect::Sanction {
                            post,
                            sanction: Sanction::Silence(d),
                            reason: rest,
                        },
                        None => {
                            return Outcome::status(crate::tui::Status::Error(
                                "A silence needs a duration first, e.g. \"1d cooling off\".".into(),
                            ));
                        }
                    },
                    Prompt::Ban(post) => Effect::Sanction {
                        post,
                        sanction: Sanction::Ban(duration),
                        reason: rest,
                    },
                };
                Outcome::effects(vec![effect])
            }
            _ => {
                input.key(key);
                Outcome::none()
            }
        }
    }
}
