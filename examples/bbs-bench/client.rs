//! One member at an 80×24 terminal over russh's client: connect from a loopback source, log
//! in by key, open a shell. A task of its own reads everything the server sends, as a terminal
//! does (a member who stops reading is cut off by the server's write timeout), feeding a vt100
//! screen and stamping when each chunk arrived.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use russh::client;
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{ChannelMsg, Disconnect};
use tokio::sync::Notify;

struct Accept;

impl client::Handler for Accept {
    type Error = russh::Error;
    async fn check_server_key(&mut self, _: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// What the reading task keeps.
struct Terminal {
    screen: vt100::Parser,
    bytes: u64,
    /// Chunks since the last key: when each arrived and its size.
    arrivals: Vec<(Instant, usize)>,
    closed: bool,
}

pub struct Session {
    handle: client::Handle<Accept>,
    writer: russh::ChannelWriteHalf<client::Msg>,
    term: Arc<Mutex<Terminal>>,
    news: Arc<Notify>,
}

/// The source address for session `i`: 127.0.1.2 … 127.0.240.251, so no source holds more than
/// a few of the handshakes in flight (the server limits them per source).
pub fn source(i: usize) -> IpAddr {
    let n = i % 60_000;
    IpAddr::from([127, 0, (n / 250) as u8 + 1, (n % 250) as u8 + 2])
}

impl Session {
    /// Connects and waits for the first screen, which shows `marker`.
    pub async fn open(
        addr: SocketAddr,
        from: IpAddr,
        user: &str,
        key: &PrivateKey,
        marker: &str,
    ) -> Result<Session, String> {
        let socket = tokio::net::TcpSocket::new_v4().map_err(|e| e.to_string())?;
        socket
            .bind(SocketAddr::new(from, 0))
            .map_err(|e| format!("bind {from}: {e}"))?;
        let stream = socket.connect(addr).await.map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let config = Arc::new(client::Config {
            nodelay: true,
            ..client::Config::default()
        });
        let mut handle = client::connect_stream(config, stream, Accept)
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        let auth = handle
            .authenticate_publickey(
                user,
                PrivateKeyWithHashAlg::new(Arc::new(key.clone()), None),
            )
            .await
            .map_err(|e| format!("auth: {e}"))?;
        if !auth.success() {
            return Err("key refused".into());
        }
        let channel = handle
            .channel_open_session()
            .await
            .map_err(|e| format!("channel: {e}"))?;
        channel
            .request_pty(true, "xterm-256color", 80, 24, 0, 0, &[])
            .await
            .map_err(|e| format!("pty: {e}"))?;
        channel
            .request_shell(true)
            .await
            .map_err(|e| format!("shell: {e}"))?;
        let (mut reader, writer) = channel.split();
        let term = Arc::new(Mutex::new(Terminal {
            screen: vt100::Parser::new(24, 80, 0),
            bytes: 0,
            arrivals: Vec::new(),
            closed: false,
        }));
        let news = Arc::new(Notify::new());
        tokio::spawn({
            let (term, news) = (term.clone(), news.clone());
            async move {
                while let Some(msg) = reader.wait().await {
                    match msg {
                        ChannelMsg::Data { data } => {
                            let at = Instant::now();
                            let mut t = term.lock().expect("terminal");
                            t.bytes += data.len() as u64;
                            t.arrivals.push((at, data.len()));
                            t.screen.process(&data);
                        }
                        ChannelMsg::Eof | ChannelMsg::Close => break,
                        _ => continue,
                    }
                    news.notify_waiters();
                }
                term.lock().expect("terminal").closed = true;
                news.notify_waiters();
            }
        });
        let mut s = Session {
            handle,
            writer,
            term,
            news,
        };
        s.wait_for(marker, Duration::from_secs(30)).await?;
        Ok(s)
    }

    /// Waits until `check` holds for the terminal, or `within` passes.
    async fn wait_until(
        &self,
        within: Duration,
        mut check: impl FnMut(&Terminal) -> bool,
    ) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let news = self.news.notified();
            tokio::pin!(news);
            news.as_mut().enable();
            {
                let t = self.term.lock().expect("terminal");
                if check(&t) {
                    return Ok(());
                }
                if t.closed {
                    return Err("the server closed the session".into());
                }
            }
            if tokio::time::timeout_at(deadline, news).await.is_err() {
                return Err("timed out".into());
            }
        }
    }

    /// Bytes received so far.
    pub fn bytes(&self) -> u64 {
        self.term.lock().expect("terminal").bytes
    }

    /// Waits until the screen shows `marker`; returns when it did.
    pub async fn wait_for(&mut self, marker: &str, within: Duration) -> Result<Instant, String> {
        let mut at = None;
        let found = self
            .wait_until(within, |t| {
                let shown = t.screen.screen().contents().contains(marker);
                if shown {
                    at = t.arrivals.last().map(|(a, _)| *a);
                }
                shown
            })
            .await;
        match found {
            Ok(()) => Ok(at.unwrap_or_else(Instant::now)),
            Err(e) => Err(format!(
                "{marker:?} did not show ({e}); the screen:\n{}",
                self.term
                    .lock()
                    .expect("terminal")
                    .screen
                    .screen()
                    .contents()
            )),
        }
    }

    /// Sends `keys`, then waits until the answer has been quiet for `quiet`: returns the time
    /// to its first byte and to its last, and the bytes it took.
    pub async fn key(
        &mut self,
        keys: &[u8],
        quiet: Duration,
    ) -> Result<(Duration, Duration, u64), String> {
        self.term.lock().expect("terminal").arrivals.clear();
        let sent = Instant::now();
        self.send(keys).await?;
        self.wait_until(Duration::from_secs(10), |t| !t.arrivals.is_empty())
            .await
            .map_err(|e| format!("no answer to a key: {e}"))?;
        // Quiet: no new chunk for `quiet`.
        loop {
            let seen = self.term.lock().expect("terminal").arrivals.len();
            tokio::time::sleep(quiet).await;
            if self.term.lock().expect("terminal").arrivals.len() == seen {
                break;
            }
        }
        let t = self.term.lock().expect("terminal");
        let first = t
            .arrivals
            .first()
            .map(|(a, _)| *a - sent)
            .unwrap_or_default();
        let last = t
            .arrivals
            .last()
            .map(|(a, _)| *a - sent)
            .unwrap_or_default();
        let bytes = t.arrivals.iter().map(|(_, n)| *n as u64).sum();
        Ok((first, last, bytes))
    }

    /// Sends `keys` without waiting for an answer.
    pub async fn send(&mut self, keys: &[u8]) -> Result<(), String> {
        self.writer
            .data(keys)
            .await
            .map_err(|e| format!("send: {e}"))
    }

    /// Waits `d`, reading meanwhile (the reading task always does).
    pub async fn drain(&mut self, d: Duration) {
        tokio::time::sleep(d).await;
    }

    pub async fn close(self) {
        let _ = self
            .handle
            .disconnect(Disconnect::ByApplication, "", "en")
            .await;
    }
}
