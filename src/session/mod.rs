//! One task per interactive session (an SSH shell, or the local console): input bytes →
//! events → [`App::update`] → effects run against the service → one diffed frame out.
//!
//! The task owns everything about its session; the SSH handler only forwards input and sizes.
//! It holds no timer while the member is idle except its idle deadline, and it drops its frame
//! buffer after [`IDLE_FRAME_DROP`] without input, redrawing in full when the member is back.

pub mod frame;
pub mod input;

use std::future::Future;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::domain::User;
use crate::service::{KeyInfo, Service, ServiceError, SessionCheck};
use crate::store::events::EventKind;
use crate::tui::{App, Effect, Loaded, Msg, PageAt, Texts, Theme};
use frame::Frame;
use input::InputParser;

/// After this long without input the frame buffer is dropped (memory per idle session).
pub const IDLE_FRAME_DROP: Duration = Duration::from_secs(30);

/// What arrives for a session from its transport.
#[derive(Debug)]
pub enum Input {
    Data(Vec<u8>),
    Resize(u16, u16),
    /// Quick exit or transport gone.
    Close,
}

/// Who the session is for.
#[derive(Debug, Clone)]
pub enum Identity {
    /// A member, with the id of the key they logged in with (None for the local console).
    Member(User, Option<i64>),
    /// An unknown key: the session starts with sign-up, which must finish in time.
    NewKey { key: KeyInfo, signup: Signup },
    /// A banned member: they see why and until when, and may send one appeal.
    Banned { user: User, until: Option<i64> },
}

/// A new key's sign-up: still pre-authentication for the server until the account exists.
#[derive(Debug, Clone)]
pub struct Signup {
    /// When the member is told their time is up and the session ends.
    pub deadline: Instant,
    /// Cancelled by the session once the account exists.
    pub done: CancellationToken,
}

/// What a member is told when sign-up took too long.
pub const SIGNUP_EXPIRED: &str = "Sign-up was not finished in time, so this connection was \
closed and nothing was kept. Connect again to start over.";

/// The terminal a session draws on.
pub struct Terminal {
    /// Its size, as the client asked (already clamped).
    pub size: (u16, u16),
    pub theme: Theme,
    /// This session's share of the frame memory budget.
    pub frames: frame::Share,
}

/// Where frames go. `send` returns false when the peer is gone or stopped reading.
pub trait Output: Send {
    fn send(&mut self, bytes: Vec<u8>) -> impl Future<Output = bool> + Send;
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The member quit, or the transport closed.
    Normal,
    /// The server is shutting down.
    Shutdown,
    /// The output could not be delivered.
    Stalled,
    /// No input for the idle limit.
    Idle,
    /// Banned, or the key was revoked: the member was told why.
    Removed,
    /// The member pressed quick exit: screen and scrollback cleared, connection closed.
    QuickExit,
}

/// Texts for a new App from the service's settings.
pub fn texts(service: &Service) -> Texts {
    let assets = service.assets();
    Texts {
        name: service.config().name.clone(),
        guidelines: assets.guidelines.text.clone(),
        privacy: assets.privacy.text.clone(),
        resources: assets.resources.clone(),
        claim_pending: service.claim_pending().unwrap_or(false),
        invite_required: service.config().registration == crate::config::RegistrationMode::Invite,
        cw_suggest: service.config().watched.cw_suggest.clone(),
        staff_need_2fa: service.config().require_2fa_for_staff,
        export_command: {
            let c = service.config();
            let host = c.public_host.clone().unwrap_or_else(|| "HOST".into());
            match c.listen.port() {
                22 => format!("ssh {host} export > me.json"),
                port => format!("ssh -p {port} {host} export > me.json"),
            }
        },
    }
}

/// Runs a session until the member leaves, the transport closes or the server shuts down.
pub async fn run<O: Output>(
    service: Service,
    identity: Identity,
    terminal: Terminal,
    mut input: mpsc::Receiver<Input>,
    mut out: O,
    shutdown: CancellationToken,
) -> Ending {
    let Terminal {
        size,
        theme,
        frames: mut share,
    } = terminal;
    // The terminal's size, and the size drawn (what the frame budget allows of it).
    let mut terminal = size;
    let (mut width, mut height) = share.fit(size.0, size.1);
    let mut live = service.hub().subscribe();
    let mut signup = None;
    let (user, key_id, key, banned) = match identity {
        Identity::Member(u, key_id) => (Some(u), key_id, None, None),
        Identity::NewKey { key, signup: s } => {
            signup = Some(s);
            (None, None, Some(key), None)
        }
        Identity::Banned { user, until } => (Some(user), None, None, Some(until)),
    };
    let texts = {
        let s = service.clone();
        tokio::task::spawn_blocking(move || texts(&s))
            .await
            .unwrap_or_default()
    };
    let must_enrol = match &user {
        // Over SSH only: the console needs physical access to the box.
        Some(u) if key_id.is_some() => {
            let (s, u) = (service.clone(), u.clone());
            tokio::task::spawn_blocking(move || s.must_enrol_totp(&u))
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or(false)
        }
        _ => false,
    };
    let docs_due = match &user {
        Some(u) => {
            let (s, id) = (service.clone(), u.id);
            tokio::task::spawn_blocking(move || s.documents_due(id))
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or((false, false))
        }
        None => (false, false),
    };
    let (mut app, mut effects) = match (banned, user) {
        // A banned member gets their record (why, until when) and one appeal; nothing else.
        (Some(until), Some(u)) => App::banned(u, until, texts, theme, width, height),
        (_, user) => App::new(user, texts, theme, width, height),
    };
    app.set_key(key_id);
    if must_enrol {
        effects = app.require_totp();
    }
    // Changed documents come first of all (their screen sits on top).
    use crate::tui::screens::reaccept::Doc;
    let docs: Vec<Doc> = [(docs_due.0, Doc::Guidelines), (docs_due.1, Doc::Privacy)]
        .into_iter()
        .filter_map(|(due, d)| due.then_some(d))
        .collect();
    effects.extend(app.require_documents(docs));
    // News waiting since the last visit (e.g. the outcome of a report).
    if let Some(u) = app.user.clone() {
        let s = service.clone();
        if let Ok(Ok(notices)) = tokio::task::spawn_blocking(move || s.take_notices(&u)).await
            && !notices.is_empty()
        {
            app.notice(notices.join(" "));
        }
    }
    let mut frame = Frame::new();
    let mut parser = InputParser::new();
    let idle_logout = service.config().limits.idle_logout;

    let mut bytes = frame::ENTER.to_vec();
    let mut stop = run_effects(&service, &mut app, key.as_ref(), effects).await;
    bytes.extend(frame.draw(&app, width, height));
    if !out.send(bytes).await {
        return Ending::Stalled;
    }
    let mut last_input = Instant::now();
    let mut frame_dropped = false;
    let mut ending = Ending::Normal;

    // Counted in "who's online" while connected (it shows only members who chose to be seen).
    let mut presence: Option<(crate::domain::UserId, crate::live::Presence)> = None;
    while stop == Stop::Go {
        let me = app.user.as_ref().map(|u| u.id);
        if me.is_some()
            && let Some(s) = signup.take()
        {
            // The account exists: the server counts this as a member's session from now on.
            s.done.cancel();
        }
        if presence.as_ref().map(|p| p.0) != me {
            presence = me.map(|id| (id, service.hub().enter(id)));
        }
        let mut msgs = Vec::new();
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => {
                msgs.push(Msg::ShuttingDown);
                ending = Ending::Shutdown;
            }
            received = input.recv() => match received {
                Some(Input::Data(data)) => {
                    last_input = Instant::now();
                    msgs.extend(parser.feed(&data).into_iter().map(parsed));
                }
                Some(Input::Resize(w, h)) => {
                    // Coalesce a storm of resizes: only the last size is drawn.
                    let (mut w, mut h) = (w, h);
                    while let Ok(Input::Resize(w2, h2)) = input.try_recv() {
                        (w, h) = (w2, h2);
                    }
                    terminal = (w, h);
                    (width, height) = share.fit(w, h);
                    frame.invalidate();
                    msgs.push(Msg::Resize(width, height));
                }
                Some(Input::Close) | None => break,
            },
            event = live.recv() => match event {
                Ok(event) if event.kind == EventKind::UserChanged => {
                    // Something changed about a member: if it is this one, re-check at once
                    // (ban, revoked key, role change), whichever process made the change.
                    let Some(me) = app.user.as_ref().map(|u| u.id) else { continue };
                    if event.user != Some(me) {
                        continue;
                    }
                    if banned.is_some() {
                        // A banned member's screen is their record: news (an answer to their
                        // appeal) shows there; the ban itself is why the session is like this.
                        let (s, u) = (service.clone(), app.user.clone());
                        if let Some(u) = u
                            && let Ok(Ok(notices)) = tokio::task::spawn_blocking(move || s.take_notices(&u)).await
                            && !notices.is_empty()
                        {
                            app.notice(notices.join(" "));
                            msgs.push(Msg::LiveLagged);
                        }
                        continue;
                    }
                    let s = service.clone();
                    // The key this session logged in (or signed up) with.
                    let key_id = app.key_id;
                    match tokio::task::spawn_blocking(move || s.check_session(me, key_id)).await {
                        Ok(Ok(SessionCheck::Continue(user))) => {
                            // A moderator's message (a warning, a silence) is shown at once.
                            let (s, u) = (service.clone(), user.clone());
                            if let Ok(Ok(notices)) = tokio::task::spawn_blocking(move || s.take_notices(&u)).await
                                && !notices.is_empty()
                            {
                                app.notice(notices.join(" "));
                            }
                            msgs.push(Msg::UserChanged(user));
                        }
                        Ok(Ok(SessionCheck::End(reason))) => {
                            let mut bytes = frame::LEAVE.to_vec();
                            bytes.extend_from_slice(format!("\r\n{reason}\r\n").as_bytes());
                            let _ = out.send(bytes).await;
                            return Ending::Removed;
                        }
                        Ok(Err(e)) => tracing::warn!(error = %e, "session check failed"),
                        Err(e) => tracing::warn!(error = %e, "session check task failed"),
                    }
                }
                Ok(event) => msgs.push(Msg::Live((*event).clone())),
                Err(broadcast::error::RecvError::Lagged(_)) => msgs.push(Msg::LiveLagged),
                Err(broadcast::error::RecvError::Closed) => {}
            },
            _ = async { tokio::time::sleep_until(parser.deadline().expect("guarded")).await }, if parser.deadline().is_some() => {
                msgs.extend(parser.expire().into_iter().map(parsed));
            }
            _ = tokio::time::sleep_until(last_input + IDLE_FRAME_DROP), if !frame_dropped => {
                frame.invalidate();
                share.release();
                frame_dropped = true;
                continue;
            }
            _ = async { tokio::time::sleep_until(signup.as_ref().expect("guarded").deadline).await }, if signup.is_some() => {
                app.farewell = Some(SIGNUP_EXPIRED.into());
                break;
            }
            _ = tokio::time::sleep_until(last_input + idle_logout) => {
                ending = Ending::Idle;
                msgs.push(Msg::ShuttingDown);
            }
        }
        if frame_dropped && !msgs.is_empty() {
            frame_dropped = false;
            // Back from idle: take a share of the budget again (maybe a smaller one).
            let fitted = share.fit(terminal.0, terminal.1);
            if fitted != (width, height) {
                (width, height) = fitted;
                msgs.insert(0, Msg::Resize(width, height));
            }
        }
        for msg in msgs {
            let effects = app.update(msg);
            match run_effects(&service, &mut app, key.as_ref(), effects).await {
                Stop::Go => {}
                s if stop != Stop::QuickExit => stop = s,
                _ => {}
            }
        }
        if stop == Stop::QuickExit {
            break;
        }
        let mut bytes = frame.draw(&app, width, height);
        // A moderator who asked for it hears a new urgent report (BEL, once).
        if app.take_bell() {
            bytes.insert(0, 0x07);
        }
        if !out.send(bytes).await {
            return Ending::Stalled;
        }
    }
    if stop == Stop::QuickExit {
        // Nothing on screen, nothing in the scrollback, nothing said: just gone. The wipe
        // leaves before anything else happens (a slow disk must not keep the screen up); what
        // the member was writing is saved after it.
        let _ = out.send(frame::WIPE.to_vec()).await;
        if let Some(save) = app.pending_save() {
            let _ = perform(&service, app.user.as_ref(), key.as_ref(), save).await;
        }
        return Ending::QuickExit;
    }
    // Leaving for any other reason: keep what the member was writing.
    if let Some(save) = app.pending_save() {
        let _ = perform(&service, app.user.as_ref(), key.as_ref(), save).await;
    }
    if ending == Ending::Shutdown {
        // Let the notice be read before the screen goes.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let mut bytes = frame::LEAVE.to_vec();
    if let Some(words) = &app.farewell {
        bytes.extend_from_slice(format!("{}\r\n", crate::sanitize::line(words)).as_bytes());
    }
    let _ = out.send(bytes).await;
    ending
}

fn parsed(p: input::Parsed) -> Msg {
    match p {
        input::Parsed::Key(k) => Msg::Key(k),
        input::Parsed::Paste { text, left_out } => Msg::Paste { text, left_out },
    }
}

/// How a batch of effects ends the session, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Go,
    Quit,
    QuickExit,
}

/// Runs effects in order, feeding each result back to the App; says whether to stop.
async fn run_effects(
    service: &Service,
    app: &mut App,
    key: Option<&KeyInfo>,
    effects: Vec<Effect>,
) -> Stop {
    let mut queue: std::collections::VecDeque<Effect> = effects.into();
    let mut stop = Stop::Go;
    while let Some(effect) = queue.pop_front() {
        match effect {
            Effect::Quit if stop == Stop::Go => stop = Stop::Quit,
            Effect::Quit => {}
            // Nothing else runs once the member asked to vanish: the wipe goes first, and the
            // draft is saved after it (see `run`).
            Effect::QuickExit => return Stop::QuickExit,
            effect => {
                if let Some(msg) = perform(service, app.user.as_ref(), key, effect).await {
                    queue.extend(app.update(msg));
                }
            }
        }
    }
    stop
}

/// Runs one effect against the service (on the blocking pool: it calls SQLite).
pub async fn perform(
    service: &Service,
    user: Option<&User>,
    key: Option<&KeyInfo>,
    effect: Effect,
) -> Option<Msg> {
    let service = service.clone();
    let user = user.cloned();
    let key = key.cloned();
    let result = tokio::task::spawn_blocking(move || {
        perform_blocking(&service, user.as_ref(), key.as_ref(), effect)
    })
    .await;
    match result {
        Ok(msg) => msg,
        Err(e) => {
            tracing::error!(error = %e, "effect task failed");
            Some(Msg::Failed(
                "Something went wrong on the server. Nothing you wrote is lost.".into(),
            ))
        }
    }
}

fn settings(service: &Service, user: &User) -> Result<Loaded, ServiceError> {
    Ok(Loaded::Settings(
        crate::tui::screens::settings::SettingsData {
            keys: service.keys(user.id)?,
            totp: service.has_totp(user.id)?,
            recovery_codes_left: service.recovery_codes_left(user.id)?,
            presence: service.presence_visible(user)?,
            muted: service.muted_words(user)?,
            blocked: service.blocked(user)?,
            report_bell: service.report_bell(user)?,
        },
    ))
}

fn perform_blocking(
    service: &Service,
    user: Option<&User>,
    key: Option<&KeyInfo>,
    effect: Effect,
) -> Option<Msg> {
    let loaded = |r: Result<Loaded, ServiceError>| -> Option<Msg> {
        Some(match r {
            Ok(l) => Msg::Loaded(l),
            Err(e) => {
                if matches!(e, ServiceError::Store(_)) {
                    tracing::warn!(error = %e, "store error");
                }
                Msg::Failed(e.to_string())
            }
        })
    };
    match (effect, user) {
        (Effect::Quit | Effect::QuickExit, _) => None,
        (
            Effect::SignUp {
                handle,
                claim,
                invite,
            },
            _,
        ) => {
            let key = key?;
            loaded(
                service
                    .sign_up(&handle, key, claim.as_deref(), invite.as_deref())
                    .map(|(u, codes, key_id)| Loaded::SignedUp(u, codes, key_id)),
            )
        }
        (Effect::Recover { handle, code }, _) => {
            let key = key?;
            loaded(
                service
                    .recover(&handle, &code, key)
                    .and_then(|(u, left)| Ok(Loaded::Recovered(u, left, service.key_id(key)?))),
            )
        }
        (_, None) => None,
        (Effect::LoadBoards, Some(u)) => loaded(service.boards(u).map(Loaded::Boards)),
        (
            Effect::LoadThreads {
                board,
                offset,
                limit,
            },
            Some(u),
        ) => loaded(
            service
                .threads(u, board, offset, limit)
                .map(|(board, threads)| Loaded::Threads {
                    board,
                    offset,
                    threads,
                }),
        ),
        (Effect::LoadThread { thread, at }, Some(u)) => {
            let offset = match at {
                PageAt::Offset(o) => Ok(o),
                PageAt::Post(p) => service.page_of(u, p).map(|r| r.map_or(0, |(_, o)| o)),
            };
            loaded(
                offset
                    .and_then(|o| service.thread(u, thread, o))
                    .map(Loaded::Thread),
            )
        }
        (Effect::LoadDraft(place), Some(u)) => loaded(
            service
                .load_draft(u, place)
                .map(|d| Loaded::Draft(place, d)),
        ),
        (Effect::SaveDraft(place, draft), Some(u)) => loaded(
            service
                .save_draft(u, place, &draft)
                .map(|_| Loaded::DraftSaved),
        ),
        (Effect::LoadSettings, Some(u)) => loaded(settings(service, u)),
        (Effect::AddKey(text), Some(u)) => {
            loaded(KeyInfo::parse_authorized(&text).and_then(|(key, comment)| {
                let comment = (!comment.is_empty()).then_some(comment);
                service.add_key(Some(u), u.id, &key, comment.as_deref())?;
                Ok(Loaded::SettingsChanged(format!(
                    "Key added: {}",
                    key.fingerprint
                )))
            }))
        }
        (Effect::RevokeKey(id), Some(u)) => loaded(
            service
                .revoke_key(Some(u), u.id, id)
                .map(|_| Loaded::SettingsChanged("Key revoked.".into())),
        ),
        (Effect::StartTotp, Some(u)) => Some(Msg::Loaded(Loaded::TotpSetup(service.totp_setup(u)))),
        (Effect::EnableTotp { secret, code }, Some(u)) => loaded(
            service
                .enable_totp(u, &secret, &code)
                .map(|_| Loaded::TotpEnabled),
        ),
        (Effect::DisableTotp(code), Some(u)) => loaded(
            service
                .disable_totp(u, &code)
                .map(|_| Loaded::SettingsChanged("Your second factor is off.".into())),
        ),
        (
            Effect::DeleteAccount {
                confirm,
                erase_posts,
            },
            Some(u),
        ) => loaded(
            service
                .delete_account(u, &confirm, erase_posts)
                .map(|_| Loaded::AccountDeleted),
        ),
        (Effect::BlockAuthor(post), Some(u)) => loaded(
            service
                .block_author(u, post)
                .map(|(text, leave)| Loaded::BlocksChanged(text, leave)),
        ),
        (
            Effect::Report {
                target,
                category,
                note,
            },
            Some(u),
        ) => loaded(service.report(u, target, &category, &note).map(|text| {
            if category == crate::store::reports::AT_RISK {
                Loaded::ReportedAtRisk(text)
            } else {
                Loaded::SettingsChanged(text)
            }
        })),
        (Effect::LoadInbox, Some(u)) => loaded(service.inbox(u).map(Loaded::Inbox)),
        (Effect::OpenConversation(handle), Some(u)) => loaded(
            service
                .correspondent(u, &handle)
                .map(|o| Loaded::Correspondent(o.id, o.handle)),
        ),
        (Effect::LoadProfile(post), Some(u)) => loaded(
            service
                .profile_of_post(u, post)
                .map(|p| Loaded::Profile(p, post)),
        ),
        (Effect::MessageAuthor(post), Some(u)) => loaded(
            service
                .post_correspondent(u, post)
                .map(|o| Loaded::Correspondent(o.id, o.handle)),
        ),
        (Effect::LoadConversation { with, before }, Some(u)) => loaded(
            service
                .conversation(u, with, before)
                .map(Loaded::Conversation),
        ),
        (Effect::SendMessage { to, body }, Some(u)) => loaded(
            service
                .send_message(u, to, &body)
                .map(|()| Loaded::MessageSent(to)),
        ),
        (Effect::BlockHandle(handle), Some(u)) => loaded(
            service
                .block_handle(u, &handle)
                .map(|text| Loaded::BlocksChanged(text, false)),
        ),
        (Effect::BlockMember(member), Some(u)) => loaded(
            service
                .block_member(u, member)
                .map(|text| Loaded::BlocksChanged(text, true)),
        ),
        (
            Effect::EditPost {
                post,
                body,
                content_warning,
                reason,
            },
            Some(u),
        ) => loaded(
            service
                .edit_post(u, post, &body, &content_warning, &reason)
                .map(Loaded::Edited),
        ),
        (
            Effect::SetContentWarning {
                post,
                label,
                reason,
            },
            Some(u),
        ) => loaded(
            service
                .set_content_warning(u, post, &label, &reason)
                .map(Loaded::SettingsChanged),
        ),
        (Effect::EraseRevision { revision, reason }, Some(u)) => loaded(
            service
                .erase_revision(u, revision, &reason)
                .map(Loaded::SettingsChanged),
        ),
        (Effect::Support(post), Some(u)) => {
            loaded(service.toggle_support(u, post).map(Loaded::SettingsChanged))
        }
        (Effect::LoadRevisions(post), Some(u)) => loaded(
            service
                .revisions(u, post)
                .map(|list| Loaded::Revisions(post, list)),
        ),
        (Effect::RequestUnmask { post, reason }, Some(u)) => loaded(
            service
                .request_unmask(u, post, &reason)
                .map(Loaded::SettingsChanged),
        ),
        (Effect::DecideUnmask { request, confirm }, Some(u)) => loaded(
            service
                .decide_unmask(u, request, confirm)
                .map(Loaded::SettingsChanged),
        ),
        (Effect::LoadBoardAdmin, Some(u)) => {
            loaded(service.boards_to_manage(u).map(Loaded::BoardAdmin))
        }
        (Effect::ManageBoard(op), Some(u)) => {
            loaded(service.manage_board(u, op).map(Loaded::SettingsChanged))
        }
        (Effect::LoadCounts, Some(u)) => loaded((|| {
            Ok(Loaded::Counts(
                service.unread_messages(u)?,
                service.unread_notifications(u)?,
                service.open_reports(u)?,
                service.report_bell(u)?.unwrap_or(false),
            ))
        })()),
        (Effect::LoadOnline, Some(u)) => loaded(service.who_is_online(u).map(Loaded::Online)),
        (Effect::SetReportBell(on), Some(u)) => {
            loaded(service.set_report_bell(u, on).map(Loaded::SettingsChanged))
        }
        (Effect::SetPresence(visible), Some(u)) => loaded(
            service
                .set_presence(u, visible)
                .map(Loaded::SettingsChanged),
        ),
        (Effect::Search(text), Some(u)) => {
            loaded(service.search(u, &text).map(Loaded::SearchResults))
        }
        (Effect::LoadNotifications, Some(u)) => {
            loaded(service.notifications(u).map(Loaded::Notifications))
        }
        (Effect::LoadReports, Some(u)) => loaded(service.review_queue(u).map(Loaded::Reports)),
        (Effect::ClaimReport { target, claim }, Some(u)) => loaded(
            service
                .claim_report(u, target, claim)
                .map(Loaded::SettingsChanged),
        ),
        (Effect::ResolveReport { target, outcome }, Some(u)) => loaded(
            service
                .resolve_report(u, target, &outcome)
                .map(Loaded::SettingsChanged),
        ),
        (
            Effect::Sanction {
                post,
                sanction,
                reason,
            },
            Some(u),
        ) => loaded(
            service
                .sanction(u, post, sanction, &reason)
                .map(Loaded::SettingsChanged),
        ),
        (Effect::DecideHeld { post, approve }, Some(u)) => loaded(
            service
                .decide_held(u, post, approve)
                .map(Loaded::SettingsChanged),
        ),
        (
            Effect::MoveThread {
                thread,
                slug,
                reason,
            },
            Some(u),
        ) => loaded(
            service
                .move_thread(u, thread, &slug, &reason)
                .map(Loaded::SettingsChanged),
        ),
        (Effect::LoadRecord, Some(u)) => loaded(service.my_record(u).map(Loaded::Record)),
        (Effect::Appeal(text), Some(u)) => {
            loaded(service.appeal(u, &text).map(Loaded::SettingsChanged))
        }
        (Effect::Moderate { action, reason }, Some(u)) => loaded(
            service
                .moderate(u, action, &reason)
                .map(Loaded::SettingsChanged),
        ),
        (Effect::Unblock(handle), Some(u)) => loaded(
            service
                .unblock(u, &handle)
                .map(|text| Loaded::BlocksChanged(text, false)),
        ),
        (Effect::SetMutedWords(list), Some(u)) => {
            loaded(service.set_muted_words(u, &list).map(|w| {
                Loaded::SettingsChanged(if w.is_empty() {
                    "No muted words.".into()
                } else {
                    format!("Muted: {}", w.join(", "))
                })
            }))
        }
        (Effect::LoadSafetyPlan, Some(u)) => loaded(service.safety_plan(u).map(Loaded::SafetyPlan)),
        (Effect::SaveSafetyPlan(text), Some(u)) => {
            loaded(service.set_safety_plan(u, &text).map(|_| {
                Loaded::SettingsChanged("Your safety plan is saved. Only you can see it.".into())
            }))
        }
        (Effect::AcceptDocuments, Some(u)) => loaded(
            service
                .accept_documents(u)
                .map(|_| Loaded::DocumentsAccepted),
        ),
        (Effect::LoadPending, Some(u)) => loaded(service.pending_accounts(u).map(Loaded::Pending)),
        (Effect::DecidePending { member, approve }, Some(u)) => {
            loaded(service.decide_pending(u, member, approve).map(|_| {
                Loaded::SettingsChanged(if approve {
                    "Approved.".into()
                } else {
                    "Rejected.".into()
                })
            }))
        }
        (Effect::CreateInvite, Some(u)) => loaded(
            service
                .create_invite(Some(u), service.config().invite_days)
                .map(|(code, expires)| Loaded::Invite(code, expires)),
        ),
        (Effect::LoadAudit { offset, filter }, Some(u)) => loaded(
            service
                .audit_for(u, offset, &filter)
                .map(|entries| Loaded::Audit(offset, entries)),
        ),
        (Effect::RegenerateCodes, Some(u)) => {
            loaded(service.regenerate_recovery_codes(u).map(Loaded::Codes))
        }
        (Effect::Post(place, draft), Some(u)) => {
            loaded(service.post(u, place, &draft).map(|p| Loaded::Posted {
                place,
                thread: p.thread,
                post: p.post,
                held: p.held,
            }))
        }
    }
}
