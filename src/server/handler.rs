//! The russh handler: thin. Each callback translates into an event for the connection's session
//! task, or answers; it never renders and never touches SQL (login goes through the service).
//!
//! One interactive session per connection. Every channel request gets an answer (russh's
//! defaults do not reply, and a client waiting for one hangs): pty-req, window-change and shell
//! succeed; exec runs one of `server::exec`'s commands (anything else gets its usage line);
//! subsystem, env, X11, agent and forwarding requests are refused.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use russh::server::{Auth, ChannelOpenHandle, Msg, Response, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, ChannelOpenFailure, MethodKind, MethodSet, Pty};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::limits::{Failure, Gauge, Held, Ticket};
use crate::domain::User;
use crate::service::{KeyInfo, Login, SecondFactor, Service};
use crate::session::frame::{CellBudget, Share, clamp_size};
use crate::session::{self, Ending, Identity, Input, Output, Signup, Terminal};

/// Input events queued per session. When full, the handler waits, which stops reading from
/// the socket: a client typing faster than the session handles is slowed, not buffered.
const INPUT_QUEUE: usize = 64;
/// Time for the channel's goodbye (exit status, EOF, close) before the socket is simply closed.
const GOODBYE: Duration = Duration::from_secs(5);
/// Bytes per data message when sending an export.
const EXPORT_CHUNK: usize = 16 * 1024;

/// Second-factor answers accepted per connection before it is refused.
const MAX_SECOND_FACTOR_ATTEMPTS: usize = 3;

/// Asks for the second factor, with a line of explanation.
fn second_factor_prompt(instructions: &str) -> Auth {
    Auth::Partial {
        name: "Haven".into(),
        instructions: instructions.to_string().into(),
        prompts: vec![("Authenticator code (or a recovery code): ".into(), false)].into(),
    }
}

/// What a visitor without a usable key is told (through keyboard-interactive, which every
/// OpenSSH client tries after its keys).
pub const NO_KEY_HELP: &str = "Haven signs you in with an SSH key, and no key it can use was offered.\n\
Make one with:   ssh-keygen -t ed25519\n\
then connect again: a new key takes you to sign-up.";

/// What someone is told when every session is taken.
pub const FULL_HELP: &str =
    "Haven is full right now: every session is taken. Please try again in a few minutes.";

/// What a new key is told when too many sign-ups are in progress.
pub const SIGNUPS_BUSY_HELP: &str = "Many sign-ups are in progress right now (from your network, \
or in all), so a new one has to wait. Please try again in a few minutes.";

/// What the connection task and the handler tell each other about one connection.
#[derive(Default)]
pub struct Signals {
    /// The key exchange is over (the client asked to authenticate).
    pub exchanged: CancellationToken,
    /// A shell or an `export` started.
    pub started: CancellationToken,
    /// This side has closed the session's channel: the connection then gives the client a
    /// moment to hang up by itself (see `server::connection`).
    pub channel_closed: CancellationToken,
    /// Closes the socket now (see `server::stream`).
    pub kill: CancellationToken,
    /// An authentication attempt was refused on this connection.
    auth_failed: AtomicBool,
}

impl Signals {
    /// What a connection that ends before logging in cost its source.
    pub fn failure(&self) -> Failure {
        if self.auth_failed.load(Ordering::Acquire) {
            Failure::AuthFailed
        } else {
            Failure::NoAuth
        }
    }

    fn auth_failed(&self) {
        self.auth_failed.store(true, Ordering::Release);
    }
}

/// How a logged-in connection counts.
pub enum Admitted {
    /// A session, holding its unit of the session cap.
    Session(Held),
    /// A new key in sign-up: still pre-authentication until the token is cancelled (the
    /// account exists), with the session unit it will use reserved.
    Signup(CancellationToken, Held),
}

/// How the handler admits a connection once its key is accepted.
pub struct Admit {
    pub tx: oneshot::Sender<Admitted>,
    pub ticket: Ticket,
    pub sessions: Gauge,
    pub signup_timeout: Duration,
    pub frames: Arc<CellBudget>,
}

/// A keyboard-interactive round with text and no question.
fn info_only(text: &str) -> Auth {
    Auth::Partial {
        name: "Haven".into(),
        instructions: text.to_string().into(),
        prompts: Vec::new().into(),
    }
}

/// Ends a channel the normal way (exit status, EOF, close), or closes the socket if the client
/// does not take it in time; then lets the connection wait for the client to hang up.
async fn goodbye(
    handle: &russh::server::Handle,
    channel: ChannelId,
    status: u32,
    signals: &Signals,
) {
    let ended = async {
        handle.exit_status_request(channel, status).await.ok()?;
        handle.eof(channel).await.ok()?;
        handle.close(channel).await.ok()
    };
    if tokio::time::timeout(GOODBYE, ended).await.is_err() {
        signals.kill.cancel();
    }
    signals.channel_closed.cancel();
}

/// A refusal that leaves the client nothing more to try.
fn no_more_methods() -> Auth {
    Auth::Reject {
        proceed_with_methods: Some(MethodSet::empty()),
        partial_success: false,
    }
}

/// Terminal size when the client asked for a shell without a pty.
const DEFAULT_SIZE: (u16, u16) = (80, 24);

pub struct Handler {
    service: Service,
    shutdown: CancellationToken,
    tracker: TaskTracker,
    /// Told once, when authentication succeeds (ends the login grace timer).
    admit: Option<Admit>,
    /// How this connection counts once authentication succeeds.
    admitted: Option<Admitted>,
    /// Why a key was accepted but the connection cannot go on (told through
    /// keyboard-interactive, then refused).
    refusal: Option<&'static str>,
    /// The refusal (or the no-key help) was shown once already.
    told: bool,
    signals: Arc<Signals>,
    /// Frame memory all sessions share.
    frames: Arc<CellBudget>,
    identity: Option<Identity>,
    /// A member whose key was accepted and who still owes a second-factor code, with their
    /// key's id. Keyboard-interactive is only ever accepted after this is set: russh does not
    /// enforce an order of methods itself.
    pending_second_factor: Option<(User, i64)>,
    /// Second-factor answers given on this connection.
    second_factor_attempts: usize,
    channel: Option<ChannelId>,
    size: Option<(u16, u16)>,
    input: Option<mpsc::Sender<Input>>,
    /// What the client said of its terminal: TERM (pty request), COLORTERM, NO_COLOR.
    term: String,
    colorterm: Option<String>,
    no_color: bool,
}

impl Handler {
    pub fn new(
        service: Service,
        shutdown: CancellationToken,
        tracker: TaskTracker,
        admit: Admit,
        signals: Arc<Signals>,
    ) -> Handler {
        Handler {
            service,
            shutdown,
            tracker,
            frames: admit.frames.clone(),
            admit: Some(admit),
            admitted: None,
            refusal: None,
            told: false,
            signals,
            identity: None,
            pending_second_factor: None,
            second_factor_attempts: 0,
            channel: None,
            size: None,
            input: None,
            term: String::new(),
            colorterm: None,
            no_color: false,
        }
    }

    /// Refuses a good key with a reason the client shows (through keyboard-interactive).
    fn refuse(&mut self, why: &'static str) -> Auth {
        self.refusal = Some(why);
        self.identity = None;
        self.admitted = None;
        Auth::Reject {
            proceed_with_methods: Some(MethodSet::from(&[MethodKind::KeyboardInteractive][..])),
            partial_success: false,
        }
    }

    async fn forward(&self, input: Input) {
        if let Some(tx) = &self.input {
            // A closed receiver means the session ended; the close follows.
            let _ = tx.send(input).await;
        }
    }
}

/// Frames go to the client through russh's handle, which applies backpressure.
struct SshOutput {
    handle: russh::server::Handle,
    channel: ChannelId,
    /// A client that takes no frame for this long stopped reading (`limits.write_timeout`).
    stall: Duration,
}

impl Output for SshOutput {
    async fn send(&mut self, bytes: Vec<u8>) -> bool {
        if bytes.is_empty() {
            return true;
        }
        matches!(
            tokio::time::timeout(self.stall, self.handle.data(self.channel, bytes)).await,
            Ok(Ok(()))
        )
    }
}

impl Drop for Handler {
    /// russh has no disconnect callback: a connection that ends at the second-factor prompt
    /// (the member gave up, or a code check failed) is seen here, and is a failed login.
    fn drop(&mut self) {
        let Some((user, _)) = self.pending_second_factor.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let service = self.service.clone();
        // On the tracker, so the server's drain waits for it before the store closes.
        self.tracker.spawn_blocking(move || {
            if let Err(e) =
                service.login_refused(user.id, "second factor not passed: the connection ended")
            {
                tracing::warn!(error = %e, "recording a failed login failed");
            }
        });
    }
}

impl russh::server::Handler for Handler {
    type Error = russh::Error;

    async fn auth_publickey(
        &mut self,
        _user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        let info = match KeyInfo::from_public_key(key.public_key) {
            Ok(info) => info,
            Err(e) => {
                tracing::warn!(error = %e, "a key that cannot be encoded was refused");
                return Ok(Auth::reject());
            }
        };
        let service = self.service.clone();
        let lookup = {
            let info = info.clone();
            tokio::task::spawn_blocking(move || service.login(&info)).await
        };
        let identity = match lookup {
            Ok(Ok(Login::SecondFactor { user, key_id })) => {
                // The key is good; the code comes next, through keyboard-interactive. Until
                // it passes this is no login: a connection that ends here is audited as a
                // failed one (`login_refused`, here or when the handler is dropped).
                self.pending_second_factor = Some((user, key_id));
                return Ok(Auth::Reject {
                    proceed_with_methods: Some(MethodSet::from(
                        &[MethodKind::KeyboardInteractive][..],
                    )),
                    partial_success: true,
                });
            }
            Ok(Ok(Login::Member { user, key_id })) => Identity::Member(user, Some(key_id)),
            Ok(Ok(Login::Banned { user, until })) => Identity::Banned { user, until },
            Ok(Ok(Login::Unknown)) => {
                // Sign-up is pre-authentication: it keeps its unauthenticated slot, takes one of
                // the few sign-up slots, and has a deadline.
                let Some(admit) = &self.admit else {
                    return Ok(Auth::reject());
                };
                // The session it will become is reserved now, so finishing sign-up never
                // takes the server past its session cap.
                let Some(session) = admit.sessions.take() else {
                    return Ok(self.refuse(FULL_HELP));
                };
                if !admit.ticket.begin_signup() {
                    return Ok(self.refuse(SIGNUPS_BUSY_HELP));
                }
                let done = CancellationToken::new();
                self.admitted = Some(Admitted::Signup(done.clone(), session));
                self.identity = Some(Identity::NewKey {
                    key: info,
                    signup: Signup {
                        deadline: tokio::time::Instant::now() + admit.signup_timeout,
                        done,
                    },
                });
                return Ok(Auth::Accept);
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "login lookup failed");
                return Ok(Auth::reject());
            }
            Err(e) => {
                tracing::error!(error = %e, "login task failed");
                return Ok(Auth::reject());
            }
        };
        let Some(held) = self.admit.as_ref().and_then(|a| a.sessions.take()) else {
            return Ok(self.refuse(FULL_HELP));
        };
        if let Identity::Member(u, _) = &identity {
            tracing::info!(user = %u.id, "member logged in");
        }
        self.admitted = Some(Admitted::Session(held));
        self.identity = Some(identity);
        Ok(Auth::Accept)
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        _user: &str,
        _submethods: &str,
        response: Option<Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        if let Some(why) = self.refusal {
            // A good key that cannot go on now (the server is full): say why once, then refuse
            // with nothing left to try (so the client does not ask, and show it, again).
            return Ok(match response {
                None if !self.told => {
                    self.told = true;
                    info_only(why)
                }
                _ => no_more_methods(),
            });
        }
        let Some((user, key_id)) = self.pending_second_factor.clone() else {
            // No key was accepted on this connection: a visitor without a key (or with a kind
            // Haven does not take). Tell them how to make one instead of a bare "Permission
            // denied"; whatever they answer, this method never lets anyone in by itself.
            return Ok(match response {
                None if !self.told => {
                    self.told = true;
                    info_only(NO_KEY_HELP)
                }
                _ => {
                    self.signals.auth_failed();
                    no_more_methods()
                }
            });
        };
        let Some(mut response) = response else {
            return Ok(second_factor_prompt(""));
        };
        let answer = response
            .next()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        self.second_factor_attempts += 1;
        // Counted as a failure until the code is accepted.
        self.signals.auth_failed();
        let s = self.service.clone();
        let id = user.id;
        let verdict = tokio::task::spawn_blocking(move || s.second_factor(id, &answer)).await;
        match verdict {
            Ok(Ok(SecondFactor::Accepted | SecondFactor::RecoveryCodeUsed(_))) => {
                self.pending_second_factor = None;
                let s = self.service.clone();
                match tokio::task::spawn_blocking(move || s.second_factor_passed(id, key_id)).await
                {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "recording a login failed");
                        return Ok(Auth::reject());
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "login task failed");
                        return Ok(Auth::reject());
                    }
                }
                let Some(held) = self.admit.as_ref().and_then(|a| a.sessions.take()) else {
                    return Ok(self.refuse(FULL_HELP));
                };
                self.admitted = Some(Admitted::Session(held));
                tracing::info!(user = %user.id, "member logged in with a second factor");
                self.identity = Some(Identity::Member(user, Some(key_id)));
                Ok(Auth::Accept)
            }
            _ if self.second_factor_attempts >= MAX_SECOND_FACTOR_ATTEMPTS => {
                self.pending_second_factor = None;
                let s = self.service.clone();
                let why = format!("second factor: {MAX_SECOND_FACTOR_ATTEMPTS} codes refused");
                if let Ok(Err(e)) =
                    tokio::task::spawn_blocking(move || s.login_refused(id, &why)).await
                {
                    tracing::warn!(error = %e, "recording a failed login failed");
                }
                Ok(Auth::reject())
            }
            Ok(Ok(SecondFactor::Locked(until))) => Ok(second_factor_prompt(&format!(
                "Too many wrong codes: codes are refused until {} UTC. One of your recovery codes still works.",
                crate::domain::format_time(until)
            ))),
            Ok(Ok(SecondFactor::Wrong)) => Ok(second_factor_prompt("That code was not right.")),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "second factor check failed");
                Ok(Auth::reject())
            }
            Err(e) => {
                tracing::error!(error = %e, "second factor task failed");
                Ok(Auth::reject())
            }
        }
    }

    async fn auth_succeeded(&mut self, _session: &mut Session) -> Result<(), Self::Error> {
        if let (Some(admit), Some(admitted)) = (self.admit.take(), self.admitted.take()) {
            let _ = admit.tx.send(admitted);
        }
        Ok(())
    }

    async fn authentication_banner(&mut self) -> Result<Option<String>, Self::Error> {
        // Asked once the key exchange is over: the client wants to authenticate.
        self.signals.exchanged.cancel();
        Ok(None)
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel.is_some() || self.identity.is_none() {
            reply
                .reject(ChannelOpenFailure::AdministrativelyProhibited)
                .await;
            return Ok(());
        }
        // Input is read through the callbacks only; dropping the Channel object means russh
        // stops queueing a second copy of it (which would fill up and stall the connection).
        self.channel = Some(channel.id());
        drop(channel);
        reply.accept().await;
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        term: &str,
        cols: u32,
        rows: u32,
        _pw: u32,
        _ph: u32,
        _modes: &[(Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if Some(channel) != self.channel || self.input.is_some() {
            return session.channel_failure(channel);
        }
        self.size = Some(clamp_size(cols, rows));
        // Only what decides colours is kept, and only this long: a name, never logged.
        self.term = term.chars().take(64).collect();
        session.channel_success(channel)
    }

    async fn window_change_request(
        &mut self,
        channel: ChannelId,
        cols: u32,
        rows: u32,
        _pw: u32,
        _ph: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // window-change never wants a reply (RFC 4254 §6.7).
        if Some(channel) == self.channel {
            let (w, h) = clamp_size(cols, rows);
            self.size = Some((w, h));
            self.forward(Input::Resize(w, h)).await;
        }
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some(identity) = self.identity.clone() else {
            return session.channel_failure(channel);
        };
        if Some(channel) != self.channel || self.input.is_some() {
            return session.channel_failure(channel);
        }
        let (tx, rx) = mpsc::channel(INPUT_QUEUE);
        self.input = Some(tx);
        let handle = session.handle();
        let out = SshOutput {
            handle: handle.clone(),
            channel,
            stall: self.service.config().limits.write_timeout,
        };
        let service = self.service.clone();
        let shutdown = self.shutdown.clone();
        let size = self.size.unwrap_or(DEFAULT_SIZE);
        let (theme, theme_forced) =
            crate::tui::theme::for_terminal(&self.term, self.colorterm.as_deref(), self.no_color);
        let signals = self.signals.clone();
        let frames = self.frames.clone();
        signals.started.cancel();
        self.tracker.spawn(async move {
            let terminal = Terminal {
                size,
                theme,
                theme_forced,
                frames: Share::new(frames),
            };
            let ending = session::run(service, identity, terminal, rx, out, shutdown).await;
            tracing::debug!(?ending, "session ended");
            if ending == Ending::Stalled {
                // The client stopped reading: nothing more can reach it. Close the socket.
                signals.kill.cancel();
                return;
            }
            // The channel ends the normal way, after the last bytes (the quick exit's wipe, a
            // goodbye) in the same ordered stream: exit status, EOF, close. No DISCONNECT
            // follows here: OpenSSH exits on a DISCONNECT before writing the channel data it
            // still holds, which would leave the screen readable. The client hangs up by
            // itself once it has written everything; the connection waits a little for that.
            goodbye(&handle, channel, 0, &signals).await;
        });
        session.channel_success(channel)
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // `export` for every member; `stats` and `announce` for sysops (server::exec).
        let Some(Identity::Member(user, _)) = self.identity.clone() else {
            return session.channel_failure(channel);
        };
        if Some(channel) != self.channel || self.input.is_some() {
            return session.channel_failure(channel);
        }
        let command = super::exec::Command::parse(data);
        // Mark the channel used, so no shell starts on it too.
        let (tx, _rx) = mpsc::channel(1);
        self.input = Some(tx);
        self.signals.started.cancel();
        let signals = self.signals.clone();
        let handle = session.handle();
        let service = self.service.clone();
        let stall = service.config().limits.write_timeout;
        if command != super::exec::Command::Export {
            self.tracker.spawn(async move {
                let id = user.id;
                let ran = tokio::task::spawn_blocking(move || {
                    super::exec::run(&service, &user, &command)
                })
                .await;
                let status = match ran {
                    Ok(out) => {
                        // Never the text: which command, for whom, and how it ended.
                        tracing::info!(user = %id, status = out.status, "ssh command");
                        if !out.stdout.is_empty() {
                            let _ =
                                tokio::time::timeout(stall, handle.data(channel, out.stdout)).await;
                        }
                        if !out.stderr.is_empty() {
                            let _ = tokio::time::timeout(
                                stall,
                                handle.extended_data(channel, 1, out.stderr.into_bytes()),
                            )
                            .await;
                        }
                        out.status
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "ssh command task failed");
                        1
                    }
                };
                goodbye(&handle, channel, status, &signals).await;
            });
            return session.channel_success(channel);
        }
        self.tracker.spawn(async move {
            let export = tokio::task::spawn_blocking(move || service.export(&user)).await;
            let status = match export {
                Ok(Ok(json)) => {
                    let mut ok = true;
                    // In pieces: a large export must not sit in one buffer.
                    for chunk in json.into_bytes().chunks(EXPORT_CHUNK) {
                        let sent =
                            tokio::time::timeout(stall, handle.data(channel, chunk.to_vec())).await;
                        if !matches!(sent, Ok(Ok(()))) {
                            ok = false;
                            break;
                        }
                    }
                    u32::from(!ok)
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "export failed");
                    let _ = handle
                        .extended_data(channel, 1, format!("export failed: {e}\n").into_bytes())
                        .await;
                    1
                }
                Err(e) => {
                    tracing::error!(error = %e, "export task failed");
                    1
                }
            };
            goodbye(&handle, channel, status, &signals).await;
        });
        session.channel_success(channel)
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // NO_COLOR (https://no-color.org) is honoured when the client sends it.
        if name == "NO_COLOR" && !value.is_empty() {
            self.no_color = true;
            return session.channel_success(channel);
        }
        // COLORTERM says the terminal shows more than 16 colours.
        if name == "COLORTERM" {
            self.colorterm = Some(value.chars().take(32).collect());
            return session.channel_success(channel);
        }
        session.channel_failure(channel)
    }

    async fn x11_request(
        &mut self,
        channel: ChannelId,
        _single: bool,
        _proto: &str,
        _cookie: &str,
        _screen: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn agent_request(
        &mut self,
        _channel: ChannelId,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        // russh answers failure for us when this returns false.
        Ok(false)
    }

    async fn signal(
        &mut self,
        _channel: ChannelId,
        _signal: russh::Sig,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        Ok(())
    }

    async fn tcpip_forward(
        &mut self,
        _address: &str,
        _port: &mut u32,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        Ok(false)
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if Some(channel) == self.channel {
            self.forward(Input::Data(data.to_vec())).await;
        }
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if Some(channel) == self.channel {
            self.forward(Input::Close).await;
        }
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if Some(channel) == self.channel {
            self.forward(Input::Close).await;
        }
        Ok(())
    }
}
