//! One task per interactive session (an SSH shell, or the local console): input bytes →
//! events → [`App::update`] → effects run against the service → one diffed frame out.
//!
//! The task owns everything about its session; the SSH handler only forwards input and sizes.
//! It holds no timer while the member is idle except its idle deadline, and it drops its frame
//! buffer after `limits.idle_frame_drop` (30 s) without input, redrawing in full when the member is back.
//! See docs/ARCHITECTURE.md, "The life of a key press".

mod effects;
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
pub use effects::perform;
use effects::{Stop, run_effects};
use frame::Frame;
use input::InputParser;

type LiveEvents = broadcast::Receiver<std::sync::Arc<crate::store::events::Event>>;

/// The next live event for this session: one every session gets (unless it sleeps on a stale
/// list), or one about its member alone (once signed in). Cancel-safe, as both receives are.
async fn next_event(
    public: Option<&mut LiveEvents>,
    personal: Option<&mut crate::live::Presence>,
) -> Result<std::sync::Arc<crate::store::events::Event>, broadcast::error::RecvError> {
    match (public, personal) {
        (Some(public), Some(p)) => tokio::select! {
            e = public.recv() => e,
            e = p.recv() => e,
        },
        (Some(public), None) => public.recv().await,
        (None, Some(p)) => p.recv().await,
        (None, None) => std::future::pending().await,
    }
}

/// The next input: the one held back behind a storm of resizes first, then the channel's.
async fn next_input(held: &mut Option<Input>, input: &mut mpsc::Receiver<Input>) -> Option<Input> {
    match held.take() {
        Some(i) => Some(i),
        None => input.recv().await,
    }
}

/// Re-checks this session's member after an event about them, or after events were missed
/// (a ban, a revoked key, a role change, a moderator's message), whichever process made the
/// change. What to tell the App, if anything; `Err` holds why the session must end.
async fn recheck_member(service: &Service, app: &mut App) -> Result<Option<Msg>, String> {
    let Some(user) = app.user.clone() else {
        return Ok(None);
    };
    if app.is_banned() {
        // A banned member's screen is their record: news (an answer to their appeal) shows
        // there; the ban itself is why the session is like this.
        let s = service.clone();
        if let Ok(Ok(notices)) = tokio::task::spawn_blocking(move || s.take_notices(&user)).await
            && !notices.is_empty()
        {
            app.notice(notices.join(" "));
            return Ok(Some(Msg::LiveLagged));
        }
        return Ok(None);
    }
    let s = service.clone();
    // The key this session logged in (or signed up) with.
    let (me, key_id) = (user.id, app.key_id);
    match tokio::task::spawn_blocking(move || s.check_session(me, key_id)).await {
        Ok(Ok(SessionCheck::Continue(user))) => {
            // A moderator's message (a warning, a silence) is shown at once.
            let (s, u) = (service.clone(), user.clone());
            if let Ok(Ok(notices)) = tokio::task::spawn_blocking(move || s.take_notices(&u)).await
                && !notices.is_empty()
            {
                app.notice(notices.join(" "));
            }
            Ok(Some(Msg::UserChanged(user)))
        }
        Ok(Ok(SessionCheck::End(reason))) => Err(reason),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "session check failed");
            Ok(None)
        }
        Err(e) => {
            tracing::warn!(error = %e, "session check task failed");
            Ok(None)
        }
    }
}

/// A session that slept on a stale list wakes: it hears every session's events again, from
/// before it reloads, and reloads what it shows as if it had fallen behind (which it has).
fn wake(live: &mut Option<LiveEvents>, service: &Service) -> Msg {
    if live.is_none() {
        *live = Some(service.hub().subscribe());
    }
    Msg::LiveLagged
}

/// How long a list that changed elsewhere waits before it is reloaded: under a second, spread
/// so that the sessions of a busy server do not all count at the same instant, and once for
/// however many changes came meanwhile (an open thread shows a reply at once). An idle
/// session's list waits longer: see [`idle_list_reload_delay`].
fn list_reload_delay() -> Duration {
    use rand::RngExt;
    Duration::from_millis(rand::rng().random_range(LIST_RELOAD_MS.0..LIST_RELOAD_MS.1))
}

/// The range of [`list_reload_delay`], in milliseconds: within a second (DESIGN.md §1).
pub const LIST_RELOAD_MS: (u64, u64) = (200, 1000);

/// How long an idle session's list waits after a change, unless a key comes first.
fn idle_list_reload_delay((from, to): (Duration, Duration)) -> Duration {
    use rand::RngExt;
    if to <= from {
        return from;
    }
    rand::rng().random_range(from..to)
}

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
    /// The theme the terminal starts with, and whether it is forced (no colour at all);
    /// otherwise the member's own choice, if they made one, comes first.
    pub theme: Theme,
    pub theme_forced: bool,
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

/// Texts for a new App from the service's settings; whether the sysop claim is open is asked
/// of the database only for a sign-up (no other screen offers it).
pub fn texts(service: &Service, signing_up: bool) -> Texts {
    let assets = service.assets();
    Texts {
        name: service.config().name.clone(),
        guidelines: assets.guidelines.text.clone(),
        privacy: assets.privacy.text.clone(),
        resources: assets.resources.clone(),
        safety: assets.safety.clone(),
        welcome: assets.welcome.clone(),
        claim_pending: signing_up && service.claim_pending().unwrap_or(false),
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
        theme_forced,
        frames: mut share,
    } = terminal;
    // The terminal's size, and the size drawn (what the frame budget allows of it).
    let mut terminal = size;
    let (mut width, mut height) = share.fit(size.0, size.1);
    // The events every session gets; None while the session sleeps on a stale list (below).
    let mut live = Some(service.hub().subscribe());
    // Who is online, watched only while the screen shows it.
    let mut online: Option<tokio::sync::watch::Receiver<u64>> = None;
    let mut signup = None;
    let (user, key_id, key, banned) = match identity {
        Identity::Member(u, key_id) => (Some(u), key_id, None, None),
        Identity::NewKey { key, signup: s } => {
            signup = Some(s);
            (None, None, Some(key), None)
        }
        Identity::Banned { user, until } => (Some(user), None, None, Some(until)),
    };
    // Counted online, and hearing the events about this member alone, from before anything is
    // loaded: a ban or a message while the session starts is not lost.
    let mut presence: Option<(crate::domain::UserId, crate::live::Presence)> =
        user.as_ref().map(|u| (u.id, service.hub().enter(u.id)));
    let texts = if user.is_some() {
        texts(&service, false)
    } else {
        let s = service.clone();
        tokio::task::spawn_blocking(move || texts(&s, true))
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
    // The member's own theme and time zone (times in it from the first screen on), in one read.
    let (chosen, zone) = match &user {
        Some(u) => {
            let (s, u) = (service.clone(), u.clone());
            tokio::task::spawn_blocking(move || {
                (s.theme(&u).ok().flatten(), s.time_zone(&u).ok().flatten())
            })
            .await
            .unwrap_or_default()
        }
        None => (None, None),
    };
    // Their theme, unless their terminal shows no colour (NO_COLOR, TERM=dumb): then only
    // plain, which has none either, is kept.
    let theme = match chosen.as_deref().and_then(Theme::from_name) {
        Some(Theme::Plain) => Theme::Plain,
        Some(t) if !theme_forced => t,
        _ => theme,
    };
    let (mut app, mut effects) = match (banned, user) {
        // A banned member gets their record (why, until when) and one appeal; nothing else.
        (Some(until), Some(u)) => App::banned(u, until, texts, theme, width, height),
        (_, user) => App::new(user, texts, theme, width, height),
    };
    app.set_key(key_id);
    if app.user.is_some() {
        app.set_zone(zone.as_deref());
    }
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
    let idle_frame_drop = service.config().limits.idle_frame_drop;
    let idle_list_reload = service.config().limits.idle_list_reload;

    let mut bytes = frame::ENTER.to_vec();
    let mut stop = run_effects(&service, &mut app, key.as_ref(), effects).await;
    bytes.extend(frame.draw(&app, width, height));
    if !out.send(bytes).await {
        return Ending::Stalled;
    }
    let mut last_input = Instant::now();
    // What came right behind a storm of resizes: it is handled next, never dropped.
    let mut held: Option<Input> = None;
    let mut frame_dropped = false;
    // When a list on screen that changed elsewhere is reloaded (see `App::take_reload_soon`).
    let mut reload_at: Option<Instant> = None;
    // When a screen that follows the clock (the sysop's dashboard) reads again.
    let mut refresh_at: Option<Instant> = None;
    // A list that changed while the session was idle, to reload at the next key. Meanwhile the
    // session hears no event but its member's own: it will reload anyway, and ten thousand
    // idle sessions need not each wake for every post.
    let mut list_stale = false;
    let mut ending = Ending::Normal;

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
        if app.shows_online() != online.is_some() {
            // The list was loaded before this watch began: a change in between would be
            // missed, so the first look counts as a change (one more load, not a stale list).
            online = app.shows_online().then(|| {
                let mut watch = service.hub().watch_presence();
                watch.mark_changed();
                watch
            });
        }
        let mut msgs = Vec::new();
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => {
                msgs.push(Msg::ShuttingDown);
                ending = Ending::Shutdown;
            }
            received = next_input(&mut held, &mut input) => match received {
                Some(Input::Data(data)) => {
                    last_input = Instant::now();
                    if std::mem::take(&mut list_stale) {
                        reload_at = None;
                        msgs.push(wake(&mut live, &service));
                    }
                    msgs.extend(parser.feed(&data).into_iter().map(parsed));
                }
                Some(Input::Resize(w, h)) => {
                    // Coalesce a storm of resizes: only the last size is drawn.
                    let (mut w, mut h) = (w, h);
                    loop {
                        match input.try_recv() {
                            Ok(Input::Resize(w2, h2)) => (w, h) = (w2, h2),
                            Ok(other) => { held = Some(other); break; }
                            Err(_) => break,
                        }
                    }
                    terminal = (w, h);
                    (width, height) = share.fit(w, h);
                    frame.invalidate();
                    msgs.push(Msg::Resize(width, height));
                    if std::mem::take(&mut list_stale) {
                        reload_at = None;
                        msgs.push(wake(&mut live, &service));
                    }
                }
                Some(Input::Close) | None => break,
            },
            event = next_event(live.as_mut(), presence.as_mut().map(|p| &mut p.1)) => {
                let recheck = match event {
                    // Something changed about a member: if it is this one, re-check at once
                    // (ban, revoked key, role change), whichever process made the change.
                    Ok(event) if event.kind == EventKind::UserChanged => me.is_some() && event.user == me,
                    Ok(event) => {
                        msgs.push(Msg::Live((*event).clone()));
                        false
                    }
                    // Events were missed, maybe one about this member: re-check as if it came.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        msgs.push(Msg::LiveLagged);
                        me.is_some()
                    }
                    Err(broadcast::error::RecvError::Closed) => false,
                };
                if recheck {
                    match recheck_member(&service, &mut app).await {
                        Ok(msg) => msgs.extend(msg),
                        Err(reason) => {
                            let mut bytes = frame::LEAVE.to_vec();
                            bytes.extend_from_slice(format!("\r\n{reason}\r\n").as_bytes());
                            let _ = out.send(bytes).await;
                            return Ending::Removed;
                        }
                    }
                }
            }
            Ok(()) = async { online.as_mut().expect("guarded").changed().await }, if online.is_some() => {
                msgs.push(Msg::Live(crate::live::presence_event()));
            }
            _ = async { tokio::time::sleep_until(parser.deadline().expect("guarded")).await }, if parser.deadline().is_some() => {
                msgs.extend(parser.expire().into_iter().map(parsed));
            }
            _ = tokio::time::sleep_until(last_input + idle_frame_drop), if !frame_dropped => {
                frame.invalidate();
                share.idle();
                frame_dropped = true;
                continue;
            }
            _ = async { tokio::time::sleep_until(signup.as_ref().expect("guarded").deadline).await }, if signup.is_some() => {
                app.farewell = Some(SIGNUP_EXPIRED.into());
                break;
            }
            _ = async { tokio::time::sleep_until(reload_at.expect("guarded")).await }, if reload_at.is_some() => {
                reload_at = None;
                if frame_dropped && !list_stale {
                    // No one has pressed a key here for a while: the list is reloaded at the
                    // next key, or after a slower pause, not for every change meanwhile.
                    list_stale = true;
                    // Staff keep listening: an urgent report is said at once, asleep or not.
                    if !app.is_staff() {
                        live = None;
                    }
                    reload_at = Some(Instant::now() + idle_list_reload_delay(idle_list_reload));
                    continue;
                }
                if std::mem::take(&mut list_stale) {
                    msgs.push(wake(&mut live, &service));
                } else {
                    msgs.push(Msg::ReloadDue);
                }
            }
            _ = async { tokio::time::sleep_until(refresh_at.expect("guarded")).await }, if refresh_at.is_some() => {
                refresh_at = None;
                msgs.push(Msg::ReloadDue);
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
        // A live event that concerns nothing on this screen changes nothing: no frame is drawn
        // for it (a busy server sends every session every event).
        let mut unchanged = !msgs.is_empty();
        for msg in msgs {
            let live = matches!(msg, Msg::Live(_));
            let effects = app.update(msg);
            if !live || !effects.is_empty() {
                unchanged = false;
            }
            match run_effects(&service, &mut app, key.as_ref(), effects).await {
                Stop::Go => {}
                s if stop != Stop::QuickExit => stop = s,
                _ => {}
            }
        }
        if stop == Stop::QuickExit {
            break;
        }
        if app.take_reload_soon() && reload_at.is_none() {
            reload_at = Some(Instant::now() + list_reload_delay());
        }
        match app.refresh_every() {
            Some(every) if refresh_at.is_none() => refresh_at = Some(Instant::now() + every),
            Some(_) => {}
            None => refresh_at = None,
        }
        if unchanged {
            continue;
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
