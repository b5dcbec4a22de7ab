//! systemd's readiness protocol (`sd_notify`, `Type=notify`): when the service manager set
//! `NOTIFY_SOCKET`, `bbs serve` sends `READY=1` once its listener is bound and the board is
//! open (so a connection made after it is answered), and `STOPPING=1` when it begins to shut
//! down. A datagram on a unix socket, a path or, with a leading '@', an abstract name; no crate
//! needed. Without `NOTIFY_SOCKET` nothing is sent.

use std::ffi::OsStr;
use std::os::unix::net::UnixDatagram;

/// The environment variable systemd sets for `Type=notify` services.
pub const NOTIFY_SOCKET: &str = "NOTIFY_SOCKET";

/// Tells the service manager `state` (e.g. "READY=1"), if it asked to be told. Ok(false) when
/// no one asked.
pub fn notify(state: &str) -> std::io::Result<bool> {
    match std::env::var_os(NOTIFY_SOCKET) {
        Some(socket) if !socket.is_empty() => send(&socket, state).map(|()| true),
        _ => Ok(false),
    }
}

/// Sends `state` to the socket named `socket` (a path, or '@' and an abstract name).
pub fn send(socket: &OsStr, state: &str) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let out = UnixDatagram::unbound()?;
    match socket.as_bytes().strip_prefix(b"@") {
        #[cfg(target_os = "linux")]
        Some(name) => {
            use std::os::linux::net::SocketAddrExt;
            let addr = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
            out.send_to_addr(state.as_bytes(), &addr)?;
        }
        #[cfg(not(target_os = "linux"))]
        Some(_) => return Err(std::io::ErrorKind::Unsupported.into()),
        None => {
            out.send_to(state.as_bytes(), std::path::Path::new(socket))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_reaches_a_socket_named_by_path_or_by_abstract_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).expect("bind");
        send(path.as_os_str(), "READY=1").expect("send");
        let mut buf = [0u8; 64];
        let n = listener.recv(&mut buf).expect("recv");
        assert_eq!(&buf[..n], b"READY=1");

        #[cfg(target_os = "linux")]
        {
            use std::os::linux::net::SocketAddrExt;
            let name = format!("haven-notify-test-{}", std::process::id());
            let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())
                .expect("abstract name");
            let listener = UnixDatagram::bind_addr(&addr).expect("bind abstract");
            send(OsStr::new(&format!("@{name}")), "STOPPING=1").expect("send");
            let n = listener.recv(&mut buf).expect("recv");
            assert_eq!(&buf[..n], b"STOPPING=1");
        }
        // A socket that is not there is an error, not a panic.
        assert!(send(dir.path().join("gone").as_os_str(), "READY=1").is_err());
    }
}
