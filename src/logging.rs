//! Logging: events on stderr, one per line, plain text or JSON (`[log] format`, `--log-format`).
//! Every plain field is escaped, so nothing a client sends (a channel-request name, a key
//! comment, a terminal type) can end a line early, forge another, or put a terminal escape into
//! the journal or the sysop's terminal; JSON escapes control characters by itself. Colour only
//! when stderr is a terminal and `NO_COLOR` is not set: the journal gets no escape codes. No
//! address, no post content and no secret (the sysop claim code) is ever a field (DESIGN.md §8).

use std::fmt::Write as _;
use std::io::IsTerminal;

use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format::Writer;

use crate::config::LogFormat;

/// Installs the process-wide subscriber (`RUST_LOG` filters; `info` by default).
pub fn init(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .with_target(false);
    match format {
        LogFormat::Plain => builder.with_ansi(colour()).fmt_fields(fields()).init(),
        LogFormat::Json => builder.with_ansi(false).json().flatten_event(true).init(),
    }
}

/// Colour codes only for a person at a terminal who has not asked for none.
fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The field formatter: `name=value` pairs, the message bare, every control character escaped.
pub fn fields() -> impl for<'w> tracing_subscriber::fmt::FormatFields<'w> + Send + Sync + 'static {
    tracing_subscriber::fmt::format::debug_fn(
        |w: &mut Writer<'_>, field: &tracing::field::Field, value: &dyn std::fmt::Debug| {
            let text = format!("{value:?}");
            if field.name() != "message" {
                write!(w, "{}=", field.name())?;
            }
            w.write_str(&escape(&text))
        },
    )
    .delimited(" ")
}

/// Control characters (C0, DEL, C1, and the line and paragraph separators) as visible escapes.
pub fn escape(text: &str) -> String {
    if !text
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_client_string_cannot_forge_a_log_line_or_send_an_escape() {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_target(false)
            .fmt_fields(fields())
            .finish();
        // What a hostile client puts in a channel-request name (russh logs it this way).
        let x = "x\nINFO member logged in user=1\r\x1b[2J\u{9b}31m\u{2028}";
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!("unknown channel request {x}");
            tracing::warn!(name = %x, comment = x, "a field");
        });
        let text = String::from_utf8(out.0.lock().expect("lock").clone()).expect("utf8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].contains("unknown channel request x\\nINFO member"),
            "{text}"
        );
        assert!(lines[1].contains("name=x\\nINFO"), "{text}");
        assert!(
            !text
                .chars()
                .any(|c| c != '\n' && (c.is_control() || c == '\u{2028}')),
            "{text:?}"
        );
    }
}
