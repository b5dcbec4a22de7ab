//! A socket the server can close from outside russh. russh owns the stream once a connection
//! runs, and a connection whose peer stopped reading has its russh task waiting on a write
//! that will never finish; cancelling the kill token fails that write (and every read), so the
//! task ends and the socket and its buffers go at once.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

pub struct Killable {
    inner: TcpStream,
    // One future each way: each keeps the waker of the side that polled it.
    read_kill: Pin<Box<WaitForCancellationFutureOwned>>,
    write_kill: Pin<Box<WaitForCancellationFutureOwned>>,
}

impl Killable {
    pub fn new(inner: TcpStream, kill: CancellationToken) -> Killable {
        Killable {
            inner,
            read_kill: Box::pin(kill.clone().cancelled_owned()),
            write_kill: Box::pin(kill.cancelled_owned()),
        }
    }
}

fn killed() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "closed by the server")
}

impl AsyncRead for Killable {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.read_kill.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Killable {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.write_kill.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.write_kill.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.write_kill.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
