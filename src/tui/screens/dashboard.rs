//! The sysop's dashboard: sessions, posts per hour over the last day as a chart, open reports
//! (urgent first) and accounts waiting, the database's size and the uptime; refreshed every
//! few seconds while it is open, and at once when the review queue changes.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::widgets::{Sparkline, Widget};
use terminput::KeyEvent;

use super::{Nav, Outcome, Screen, View};
use crate::domain::User;
use crate::service::Stats;
use crate::tui::keymap::{Action, Binding, Context, ESC, LEFT, bind, ch};
use crate::tui::widgets::{self, Tone};
use crate::tui::{Effect, Loaded, Texts, Theme, strings};

/// This screen's keys, in the order help lists them.
pub const KEYS: &[Binding] = &[
    bind(&[ch('p')], Action::Reports, "p", "reports")
        .footer()
        .staff(),
    bind(&[ch('r')], Action::Refresh, "r", "refresh"),
    bind(&[ESC, LEFT, ch('q')], Action::Back, "Esc", "back").footer(),
];

/// How often an open dashboard reads the server again.
pub const REFRESH: Duration = Duration::from_secs(5);

/// The tallest the chart grows, in rows.
const CHART_MAX_ROWS: usize = 8;

#[derive(Default)]
pub struct DashboardScreen {
    stats: Option<Stats>,
}

impl View for DashboardScreen {
    fn context(&self) -> Context {
        Context::Dashboard
    }

    fn title(&self) -> String {
        "Dashboard".into()
    }

    fn key(
        &mut self,
        _key: &KeyEvent,
        action: Option<Action>,
        _body: u16,
        _user: Option<&User>,
    ) -> Outcome {
        match action {
            Some(Action::Back) => Outcome::nav(Nav::Back, vec![]),
            Some(Action::Refresh) => Outcome::effects(vec![Effect::LoadStats]),
            Some(Action::Reports) => Outcome::nav(
                Nav::Push(Box::new(Screen::Reports(
                    super::reports::ReportsScreen::default(),
                ))),
                vec![Effect::LoadReports],
            ),
            _ => Outcome::none(),
        }
    }

    fn loaded(&mut self, loaded: Loaded, _body: u16) -> Vec<Effect> {
        if let Loaded::Stats(stats) = loaded {
            self.stats = Some(*stats);
        }
        vec![]
    }

    fn reload(&mut self, _body: u16) -> Vec<Effect> {
        vec![Effect::LoadStats]
    }

    /// The server could not be read (or the reader is no longer a sysop): nothing old stays
    /// on screen as if it were now; the status line says why.
    fn failed(&mut self) {
        self.stats = None;
    }

    fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: Theme,
        _texts: &Texts,
    ) -> Option<Position> {
        let Some(stats) = &self.stats else {
            buf.set_string(area.x + 1, area.y, strings::LOADING, theme.dim());
            return None;
        };
        let inner = Rect {
            x: area.x + 1,
            width: area.width.saturating_sub(2),
            ..area
        };
        let width = inner.width as usize;
        let (top, reports, bottom) = lines(stats);
        let top = widgets::wrap_toned(&top, width);
        let bottom = widgets::wrap_toned(&bottom, width);
        let reports = widgets::wrap_toned(&reports, width);
        // The summary and the chart's own lines always; the chart gets what is left, at least
        // a row, and the named reports what the chart does not need beyond three rows.
        let fixed = top.len() + bottom.len() + 1;
        let rows = inner.height as usize;
        let spare = rows.saturating_sub(fixed);
        let named = reports.len().min(spare.saturating_sub(3));
        let chart = spare.saturating_sub(named).clamp(1, CHART_MAX_ROWS);
        let mut y = inner.y;
        let end = inner.y + inner.height;
        let put = |buf: &mut Buffer, y: &mut u16, line: &str, style| {
            if *y < end {
                buf.set_stringn(inner.x, *y, line, width, style);
                *y += 1;
            }
        };
        for (line, tone) in top.iter().chain(&reports[..named]) {
            put(buf, &mut y, line, tone.style(theme));
        }
        let chart_area = Rect {
            x: inner.x,
            y,
            width: inner.width,
            height: (chart as u16).min(end.saturating_sub(y)),
        };
        draw_chart(chart_area, buf, theme, &stats.posts_per_hour);
        y += chart_area.height;
        let axis = axis(
            width.min(bar_width(width, stats.posts_per_hour.len()) * stats.posts_per_hour.len()),
        );
        put(buf, &mut y, &axis, theme.dim());
        for (line, tone) in &bottom {
            put(buf, &mut y, line, tone.style(theme));
        }
        None
    }
}

/// Lines of text, each with how it is drawn.
type Toned = Vec<(String, Tone)>;

/// Columns per bar: the day spread across the width, at least one.
fn bar_width(width: usize, bars: usize) -> usize {
    (width / bars.max(1)).max(1)
}

/// The chart: one bar per hour, the oldest on the left, each as wide as the width allows.
fn draw_chart(area: Rect, buf: &mut Buffer, theme: Theme, per_hour: &[u64]) {
    if area.height == 0 {
        return;
    }
    if per_hour.iter().all(|&n| n == 0) {
        widgets::note(
            Rect {
                x: area.x.saturating_sub(1),
                width: area.width + 2,
                ..area
            },
            0,
            "No posts in the last day.",
            buf,
            theme,
        );
        return;
    }
    let each = bar_width(area.width as usize, per_hour.len());
    let data: Vec<u64> = per_hour
        .iter()
        .flat_map(|&n| std::iter::repeat_n(n, each))
        .collect();
    let max = per_hour.iter().copied().max().unwrap_or(1).max(1);
    Sparkline::default()
        .data(&data)
        .max(max)
        .style(theme.title())
        .render(area, buf);
}

/// "24 h ago" under the chart's left end and "now" under its right, as far as there is room.
fn axis(width: usize) -> String {
    let (left, right) = ("24 h ago", "now");
    let gap = width.saturating_sub(left.len() + right.len());
    if gap == 0 {
        return left.into();
    }
    format!("{left}{}{right}", " ".repeat(gap))
}

/// The dashboard's text: above the chart, the open reports named, and below it.
fn lines(s: &Stats) -> (Toned, Toned, Toned) {
    let sessions = match s.sessions {
        1 => "1 session".to_string(),
        n => format!("{n} sessions"),
    };
    let members = match s.members_online {
        1 => "1 member".to_string(),
        n => format!("{n} members"),
    };
    let reports = match (s.open_reports, s.urgent_reports) {
        (0, _) => "No open reports".to_string(),
        (n, 0) => format!("{n} open report{}", plural(n)),
        (n, u) => format!("{n} open report{}, {u} urgent", plural(n)),
    };
    let waiting = match s.pending_accounts {
        0 => String::new(),
        n => format!(" · {n} waiting for approval"),
    };
    let top = vec![
        (
            format!("Up {} · {sessions} ({members})", uptime(s.uptime)),
            Tone::Plain,
        ),
        (
            format!("{reports}{waiting}"),
            if s.urgent_reports > 0 {
                Tone::Key
            } else {
                Tone::Plain
            },
        ),
    ];
    let named = s
        .first_reports
        .iter()
        .map(|(what, n, urgent)| {
            let what = crate::sanitize::line(what);
            if *urgent {
                (format!("  ! {what} · {n} · urgent"), Tone::Key)
            } else {
                (format!("  {what} · {n}"), Tone::Dim)
            }
        })
        .collect();
    let most = s.posts_per_hour.iter().copied().max().unwrap_or(0);
    let bottom = vec![
        (
            format!(
                "Posts in the last 24 h: {} (most in an hour: {most})",
                s.posts_last_day()
            ),
            Tone::Plain,
        ),
        (
            format!(
                "{} member{} · database {}",
                s.members,
                plural(s.members),
                bytes(s.database_bytes)
            ),
            Tone::Dim,
        ),
    ];
    (top, named, bottom)
}

fn plural(n: i64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// "3 d 4 h", "5 h 12 min", "7 min", "40 s".
fn uptime(secs: u64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// "812 KB", "4.2 MB", "1.3 GB" (powers of 1000, as disks are sold).
fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    let mut value = n as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if value < 10.0 && unit > 0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_times_read_as_people_say_them() {
        assert_eq!(bytes(812_000), "812 KB");
        assert_eq!(bytes(4_200_000), "4.2 MB");
        assert_eq!(bytes(1_300_000_000), "1.3 GB");
        assert_eq!(uptime(40), "40 s");
        assert_eq!(uptime(7 * 60 + 3), "7 min");
        assert_eq!(uptime(5 * 3600 + 12 * 60), "5 h 12 min");
        assert_eq!(uptime(3 * 86_400 + 4 * 3600 + 59), "3 d 4 h");
    }

    #[test]
    fn the_axis_spans_the_chart() {
        assert_eq!(axis(20), format!("24 h ago{}now", " ".repeat(9)));
        assert_eq!(axis(5), "24 h ago");
    }
}
