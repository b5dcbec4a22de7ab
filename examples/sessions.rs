//! Holds N interactive sessions open against a running Haven server, for measuring memory and
//! CPU per session. Loopback only; stops by itself.
//!
//! ```sh
//! cargo run --release --example sessions -- 127.0.0.1:2222 ~/.ssh/id_ed25519 100 60
//! ```
//! (address, private key of a registered member, sessions, seconds to hold them)

use std::sync::Arc;
use std::time::Duration;

use russh::client;
use russh::keys::{PrivateKeyWithHashAlg, PublicKeyOrCertificate};

struct Accept;

impl client::Handler for Accept {
    type Error = russh::Error;
    async fn check_server_key(&mut self, _: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, addr, key, n, secs] = args.as_slice() else {
        return Err("usage: sessions ADDR KEYFILE N SECONDS".into());
    };
    let addr: std::net::SocketAddr = addr.parse()?;
    if !addr.ip().is_loopback() {
        return Err("only loopback addresses are allowed".into());
    }
    let key = Arc::new(russh::keys::load_secret_key(key, None)?);
    let n: usize = n.parse()?;
    let hold = Duration::from_secs(secs.parse()?);
    let config = Arc::new(client::Config::default());
    let mut held = Vec::new();
    for i in 0..n {
        let mut handle = client::connect(config.clone(), addr, Accept).await?;
        let auth = handle
            .authenticate_publickey("load", PrivateKeyWithHashAlg::new(key.clone(), None))
            .await?;
        if !auth.success() {
            return Err(format!("session {i}: authentication failed").into());
        }
        let mut channel = handle.channel_open_session().await?;
        channel
            .request_pty(true, "xterm-256color", 80, 24, 0, 0, &[])
            .await?;
        channel.request_shell(true).await?;
        // Read the first frame so the session is fully up.
        while let Some(msg) = channel.wait().await {
            if matches!(msg, russh::ChannelMsg::Data { .. }) {
                break;
            }
        }
        held.push((handle, channel));
        // Stay under the server's per-source limit on unauthenticated connections.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!("{} sessions open; holding for {:?}", held.len(), hold);
    tokio::time::sleep(hold).await;
    Ok(())
}
