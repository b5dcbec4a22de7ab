//! One member at an 80×24 terminal over russh's client: connect from a loopback source, log
//! in by key, open a shell, and read what the server sends with the time it arrived.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use russh::client;
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{ChannelMsg, Disconnect};

struct Accept;

impl client::Handler for Accept {
    type Error = russh::Error;
    async fn check_server_key(&mut self, _: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

pub struct Session {
    handle: client::Handle<Accept>,
    channel: russh::Channel<client::Msg>,
    /// The terminal: what the member would see, where markers are looked for (the server
    /// writes only the cells that changed, so a marker is seldom whole in the byte stream).
    pub screen: vt100::Parser,
    pub bytes: u64,
}

/// The source address for session `i`: 127.0.0.2 … 127.0.250.x, so no source holds more than
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
                "member",
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
        let mut s = Session {
            handle,
            channel,
            screen: vt100::Parser::new(24, 80, 0),
            bytes: 0,
        };
        s.wait_for(marker, Duration::from_secs(30)).await?;
        Ok(s)
    }

    /// Reads until the screen shows `marker`; returns when it did.
    pub async fn wait_for(&mut self, marker: &str, within: Duration) -> Result<Instant, String> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if self.screen.screen().contents().contains(marker) {
                return Ok(Instant::now());
            }
            match tokio::time::timeout_at(deadline, self.channel.wait()).await {
                Ok(Some(ChannelMsg::Data { data })) => self.take(&data),
                Ok(Some(ChannelMsg::Eof | ChannelMsg::Close)) | Ok(None) => {
                    return Err("the server closed the session".into());
                }
                Ok(Some(_)) => {}
                Err(_) => {
                    return Err(format!(
                        "{marker:?} did not show in {within:?}; the screen:\n{}",
                        self.screen.screen().contents()
                    ));
                }
            }
        }
    }

    fn take(&mut self, data: &[u8]) {
        self.bytes += data.len() as u64;
        self.screen.process(data);
    }

    /// Sends `keys`, then reads until the output has been quiet for `quiet`: returns the time
    /// to the first byte and to the last byte of the answer, and the bytes it took.
    pub async fn key(
        &mut self,
        keys: &[u8],
        quiet: Duration,
    ) -> Result<(Duration, Duration, u64), String> {
        let sent = Instant::now();
        self.channel
            .data(keys)
            .await
            .map_err(|e| format!("send: {e}"))?;
        let mut first = None;
        let mut last = None;
        let mut bytes = 0u64;
        let limit = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let wait = if first.is_some() {
                quiet
            } else {
                limit.saturating_duration_since(tokio::time::Instant::now())
            };
            match tokio::time::timeout(wait, self.channel.wait()).await {
                Ok(Some(ChannelMsg::Data { data })) => {
                    let now = Instant::now();
                    first.get_or_insert(now);
                    last = Some(now);
                    bytes += data.len() as u64;
                    self.take(&data);
                }
                Ok(Some(ChannelMsg::Eof | ChannelMsg::Close)) | Ok(None) => {
                    return Err("the server closed the session".into());
                }
                Ok(Some(_)) => {}
                Err(_) => break,
            }
        }
        match (first, last) {
            (Some(f), Some(l)) => Ok((f - sent, l - sent, bytes)),
            _ => Err("no answer to a key in 10 s".into()),
        }
    }

    /// Sends `keys` without waiting for an answer.
    pub async fn send(&mut self, keys: &[u8]) -> Result<(), String> {
        self.channel
            .data(keys)
            .await
            .map_err(|e| format!("send: {e}"))
    }

    /// Reads whatever arrives for `d` (keeps the window open while idle).
    pub async fn drain(&mut self, d: Duration) {
        let deadline = tokio::time::Instant::now() + d;
        while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, self.channel.wait()).await {
            if let ChannelMsg::Data { data } = msg {
                self.take(&data);
            }
        }
    }

    pub async fn close(self) {
        let _ = self
            .handle
            .disconnect(Disconnect::ByApplication, "", "en")
            .await;
    }
}
