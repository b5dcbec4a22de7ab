//! Results: every [`Loaded`] value an effect brings back is handled here, in one place —
//! what the App itself keeps (counts, notices, the member) and what goes to the screen.

use super::*;

impl App {
    pub(super) fn loaded(&mut self, loaded: Loaded) -> Vec<Effect> {
        let body = self.body_height();
        match loaded {
            Loaded::Announcement(text) => {
                if let Some(text) = text {
                    self.notice(format!("{}{text}", strings::ANNOUNCEMENT));
                }
                vec![]
            }
            Loaded::SignedUp(user, codes, key_id) => {
                self.key_id = key_id;
                let pending = user.status == crate::domain::AccountStatus::Pending;
                // Whoever claimed the sysop role sets up a second factor right after the codes.
                let needs_totp = self.texts.staff_need_2fa && user.role.is_staff();
                let welcome = BoardsScreen::welcoming(&user.handle);
                self.user = Some(user);
                self.stack.clear();
                let mut lines = vec![strings::CODES_INTRO.to_string(), String::new()];
                lines.extend(codes.iter().map(|c| format!("    {c}")));
                if pending {
                    lines.extend([String::new(), strings::PENDING_NOTICE.to_string()]);
                }
                let boards = Screen::Boards(BoardsScreen {
                    current_key: key_id,
                    ..welcome
                });
                let (next, effects) = if needs_totp {
                    self.stack.push(boards);
                    (
                        Screen::Totp(screens::totp::TotpScreen::new(true)),
                        vec![Effect::StartTotp],
                    )
                } else {
                    (boards, vec![Effect::LoadBoards, Effect::LoadOnline])
                };
                self.screen = Screen::Notice(screens::notice::NoticeScreen::new(
                    strings::CODES_TITLE.into(),
                    lines,
                    next,
                    effects,
                ));
                vec![]
            }
            Loaded::Recovered(user, left, key_id) => {
                self.key_id = key_id;
                self.stack.clear();
                self.screen = Screen::Boards(BoardsScreen {
                    current_key: key_id,
                    ..BoardsScreen::welcoming(&user.handle)
                });
                self.user = Some(user);
                self.status = Some(Status::Info(format!(
                    "Welcome back. This key now opens your account; {left} recovery codes left."
                )));
                vec![Effect::LoadBoards, Effect::LoadOnline]
            }
            Loaded::Posted {
                place,
                thread,
                post,
                held,
            } => {
                self.last_posted = Some(post);
                if held {
                    self.status = Some(Status::Info(
                        "Thank you. Your post will appear once a moderator has read it.".into(),
                    ));
                    if let Some(prev) = self.stack.pop() {
                        self.screen = prev;
                    }
                    return self.screen.reload(body);
                }
                self.status = Some(Status::Info(strings::POSTED.into()));
                // Leave the composer for the thread, showing the new post.
                match place {
                    DraftPlace::Reply(..) => {
                        // Back to the thread under the composer.
                        if let Some(prev) = self.stack.pop() {
                            self.screen = prev;
                        }
                    }
                    DraftPlace::NewThread(_) => {
                        // The thread list stays below; the new thread opens above it.
                        self.screen = Screen::Thread(ThreadScreen::new(thread));
                    }
                }
                self.screen.set_width(self.width);
                if let Screen::Thread(s) = &mut self.screen {
                    s.focus(post);
                }
                vec![Effect::LoadThread {
                    thread,
                    at: PageAt::Post(post),
                }]
            }
            Loaded::TimeZoneSet(zone) => {
                self.set_zone(zone.as_deref());
                self.status = Some(Status::Info(format!(
                    "Times now show in {} ({}).",
                    self.zone_name(),
                    zone::within(&self.zone.clone(), zone::label)
                )));
                self.screen.reload(body)
            }
            Loaded::ThemeSet(theme) => {
                self.theme = theme;
                self.status = Some(Status::Info(if theme == Theme::Plain {
                    "Theme: plain, for screen readers: no colour, no box drawing, the selection \
                     marked >. T changes it again."
                        .to_string()
                } else {
                    format!("Theme: {}. T changes it again.", theme.name())
                }));
                vec![]
            }
            Loaded::NextUnread(next) => {
                let Some(thread) = next else {
                    self.status = Some(Status::Info(strings::ALL_READ.into()));
                    return self.screen.loaded(Loaded::Done(String::new()), body);
                };
                let screen = ThreadScreen::unread(thread);
                let load = screen.load();
                // From one thread to the next: Esc still goes back to the list below it.
                let nav = if matches!(self.screen, Screen::Thread(_)) {
                    screens::Nav::Replace(Box::new(Screen::Thread(screen)))
                } else {
                    screens::Nav::Push(Box::new(Screen::Thread(screen)))
                };
                self.apply(screens::Outcome {
                    nav,
                    effects: load,
                    status: None,
                })
            }
            Loaded::DraftSaved => {
                if matches!(&self.screen, Screen::Compose(c) if c.leaving) {
                    return self.apply(screens::Outcome {
                        nav: screens::Nav::Back,
                        effects: vec![],
                        status: Some(Status::Info(strings::DRAFT_SAVED.into())),
                    });
                }
                vec![]
            }
            Loaded::ReportedAtRisk(text) => {
                // Whoever it is about, the person who saw it may need support too.
                self.status = Some(Status::Info(text.clone()));
                self.overlay = Some(Overlay::HelpNow);
                self.overlay_scroll = widgets::Scroll::default();
                let mut effects = self.screen.loaded(Loaded::Done(text), body);
                if self.user.is_some() {
                    effects.push(Effect::LoadSafetyPlan);
                }
                effects
            }
            Loaded::Done(text) => {
                self.status = Some(Status::Info(text.clone()));
                self.screen.loaded(Loaded::Done(text), body)
            }
            Loaded::TotpEnabled => {
                self.status = Some(Status::Info(
                    "Your second factor is on: it will be asked at every login.".into(),
                ));
                // Back to where the member came from (settings, or the boards for staff).
                match self.stack.pop() {
                    Some(prev) => {
                        self.screen = prev;
                        self.screen.reload(body)
                    }
                    None => {
                        self.screen = Screen::Boards(BoardsScreen {
                            current_key: self.key_id,
                            ..BoardsScreen::default()
                        });
                        vec![Effect::LoadBoards]
                    }
                }
            }
            Loaded::BlocksChanged(text, leave) => {
                self.status = Some(Status::Info(text));
                if leave
                    && matches!(self.screen, Screen::Thread(_) | Screen::Conversation(_))
                    && let Some(prev) = self.stack.pop()
                {
                    self.screen = prev;
                }
                let mut effects = self.screen.reload(body);
                effects.push(Effect::LoadCounts);
                effects
            }
            Loaded::Counts(messages, notifications, reports, wants_bell) => {
                let arrived = messages > self.unread_messages;
                let urgent_before = self.open_reports.map_or(0, |r| r.1);
                self.unread_messages = messages;
                self.unread_notifications = notifications;
                self.open_reports = reports;
                // A new urgent report is said at once, whatever the moderator is doing.
                if let Some((_, urgent)) = reports
                    && urgent > urgent_before
                {
                    self.bell = wants_bell;
                    self.status = Some(Status::Error(strings::URGENT_REPORT.into()));
                    return vec![];
                }
                if arrived && !matches!(self.screen, Screen::Conversation(_)) {
                    self.status = Some(Status::Info(
                        "A new private message is waiting (i on the board list opens messages)."
                            .into(),
                    ));
                }
                vec![]
            }
            Loaded::Profile(profile, post) if !matches!(self.screen, Screen::Profile(_)) => {
                let old = std::mem::replace(
                    &mut self.screen,
                    Screen::Profile(screens::profile::ProfileScreen::new(profile, post)),
                );
                self.stack.push(old);
                vec![]
            }
            Loaded::Correspondent(with, handle) => {
                let screen = screens::conversation::ConversationScreen::writing(with, handle);
                let load = screen.load();
                let old = std::mem::replace(&mut self.screen, Screen::Conversation(screen));
                self.stack.push(old);
                self.screen.set_width(self.width);
                vec![load]
            }
            Loaded::Edited(text) => {
                self.status = Some(Status::Info(text));
                // Back from the editor to the thread, which shows the new text.
                if matches!(self.screen, Screen::Compose(_))
                    && let Some(prev) = self.stack.pop()
                {
                    self.screen = prev;
                }
                self.screen.reload(body)
            }
            Loaded::MessageSent(to) => {
                self.status = Some(Status::Info("Sent.".into()));
                self.screen.loaded(Loaded::MessageSent(to), body)
            }
            Loaded::SafetyPlan(plan) => {
                self.safety_plan = plan.clone();
                self.screen.loaded(Loaded::SafetyPlan(plan), body)
            }
            Loaded::DocumentsAccepted => {
                match self.stack.pop() {
                    Some(prev) => self.screen = prev,
                    None => {
                        self.screen = Screen::Boards(BoardsScreen {
                            current_key: self.key_id,
                            ..BoardsScreen::default()
                        })
                    }
                }
                let mut effects = self.screen.reload(body);
                if matches!(self.screen, Screen::Boards(_))
                    && !effects.contains(&Effect::LoadBoards)
                {
                    effects.push(Effect::LoadBoards);
                }
                effects
            }
            Loaded::AccountDeleted => {
                self.farewell = Some("Your account was deleted. Take care of yourself.".into());
                self.finished = true;
                vec![Effect::Quit]
            }
            Loaded::Codes(codes) => {
                let mut lines = vec![strings::CODES_INTRO.to_string(), String::new()];
                lines.extend(codes.iter().map(|c| format!("    {c}")));
                self.screen = Screen::Notice(screens::notice::NoticeScreen::new(
                    strings::CODES_TITLE.into(),
                    lines,
                    Screen::Settings(screens::settings::SettingsScreen::new(self.key_id)),
                    vec![Effect::LoadSettings],
                ));
                vec![]
            }
            other => self.screen.loaded(other, body),
        }
    }
}
