//! Drawing: the header, the screen, the status line, the footer and the overlays (help, help
//! now, notices). Pure: it reads the App and writes a buffer.

use super::*;

impl App {
    /// An overlay's title, text and the keys shown at its foot.
    pub(super) fn overlay_text(&self, overlay: Overlay) -> (&'static str, Toned, Toned) {
        use widgets::Tone;
        match overlay {
            Overlay::Notices => {
                let mut text: Toned = Vec::new();
                for n in self.notices.iter().rev() {
                    text.push((n.clone(), Tone::Plain));
                    text.push((String::new(), Tone::Plain));
                }
                if text.is_empty() {
                    text.push((strings::NO_NOTICES.to_string(), Tone::Dim));
                }
                (
                    strings::NOTICES_TITLE,
                    text,
                    vec![(strings::HELP_CLOSE.to_string(), Tone::Dim)],
                )
            }
            Overlay::Help => {
                // Keys in a column, labels beside them; a label that wraps stays beside its
                // key, so a narrow screen still reads as a list.
                let bindings = keymap::bindings(self.context(), self.is_staff());
                let column = bindings
                    .iter()
                    .map(|b| widgets::width(b.shown))
                    .max()
                    .unwrap_or(0)
                    .min(12);
                let inner = (self.overlay_width().saturating_sub(2) as usize).max(column + 8);
                let indent = " ".repeat(column + 2);
                let mut text = Vec::new();
                for b in bindings {
                    let pad = column.saturating_sub(widgets::width(b.shown));
                    let head = format!("{}{}  ", " ".repeat(pad), b.shown);
                    let options = textwrap::Options::new(inner)
                        .initial_indent(&head)
                        .subsequent_indent(&indent);
                    text.extend(
                        textwrap::wrap(b.label, options)
                            .into_iter()
                            .map(|l| (l.into_owned(), Tone::Plain)),
                    );
                }
                (
                    strings::HELP_TITLE,
                    text,
                    vec![(strings::HELP_CLOSE.to_string(), Tone::Dim)],
                )
            }
            Overlay::HelpNow => {
                let mut text: Vec<(String, Tone)> = self
                    .texts
                    .resources
                    .lines()
                    .map(|l| (l.to_string(), Tone::Plain))
                    .collect();
                let foot = if self.user.is_some() {
                    text.push((String::new(), Tone::Plain));
                    text.push((strings::PLAN_HEADING.to_string(), Tone::Title));
                    match self
                        .safety_plan
                        .as_deref()
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                    {
                        Some(plan) => text.extend(
                            plan.lines()
                                .map(|l| (format!("  {}", crate::sanitize::line(l)), Tone::Plain)),
                        ),
                        None => text.push((strings::PLAN_NONE.to_string(), Tone::Dim)),
                    }
                    strings::HELP_NOW_KEYS
                } else {
                    strings::HELP_NOW_KEYS_VISITOR
                };
                (
                    strings::HELP_NOW_TITLE,
                    text,
                    vec![(foot.to_string(), Tone::Key)],
                )
            }
        }
    }

    /// An overlay's width: on a narrow terminal the box takes the whole width (every column is
    /// text); on a wide one, a readable column. In the plain theme, whose box has no visible
    /// border, always the whole screen: nothing of the screen beneath shows beside its text
    /// for a screen reader to read as part of it.
    fn overlay_width(&self) -> u16 {
        if self.width < 60 || self.theme == Theme::Plain {
            self.width
        } else {
            self.width.saturating_sub(4).min(76)
        }
    }

    /// Where an overlay's box goes, and its inside: centred, as tall as its text needs, never
    /// taller than the screen (the text scrolls inside); the whole screen in the plain theme.
    pub(super) fn overlay_area(
        &self,
        text: &[(String, widgets::Tone)],
        foot: &[(String, widgets::Tone)],
    ) -> (Rect, Rect) {
        let area = Rect::new(0, 0, self.width, self.height);
        let w = self.overlay_width();
        let inner_w = w.saturating_sub(2);
        let (total, _) = widgets::scrolled_rows(inner_w, u16::MAX, text, foot);
        let foot_rows = widgets::wrap_toned(foot, inner_w as usize).len();
        let want = (total + foot_rows + 2) as u16;
        let h = if self.theme == Theme::Plain {
            area.height
        } else {
            want.min(area.height.saturating_sub(2))
        };
        let r = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + (area.height - h) / 2,
            width: w,
            height: h,
        };
        let inner = Rect {
            x: r.x + 1,
            y: r.y + 1,
            width: r.width.saturating_sub(2),
            height: r.height.saturating_sub(2),
        };
        (r, inner)
    }

    /// Draws the App, its times in the member's zone; returns where the terminal cursor
    /// should be (None hides it).
    pub fn render(&self, area: Rect, buf: &mut Buffer) -> Option<Position> {
        let cursor = super::zone::within(&self.zone, || self.render_here(area, buf));
        if self.theme == Theme::Plain {
            widgets::plain_glyphs(buf, area);
        }
        cursor
    }

    fn render_here(&self, area: Rect, buf: &mut Buffer) -> Option<Position> {
        let theme = self.theme;
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            Paragraph::new(strings::TOO_SMALL)
                .wrap(Wrap { trim: true })
                .style(theme.error())
                .render(area, buf);
            return None;
        }
        let header = Rect { height: 1, ..area };
        let footer = Rect {
            y: area.bottom() - 1,
            height: 1,
            ..area
        };
        let extra = self.staff_row();
        let staff_row = Rect {
            y: area.bottom() - 2,
            height: extra,
            ..area
        };
        let status = Rect {
            y: area.bottom() - 2 - extra,
            height: 1,
            ..area
        };
        let body = Rect {
            y: area.y + 1,
            height: area.height - 3 - extra,
            ..area
        };

        // Header: community name · where you are · who you are.
        buf.set_style(header, theme.header());
        let left = format!(" {} · {}", self.texts.name, self.screen.title());
        let mut mail = String::new();
        match self.open_reports {
            Some((open, urgent)) if urgent > 0 => {
                mail.push_str(&format!("⚑ {open} ({urgent} urgent) · "))
            }
            Some((open, _)) if open > 0 => mail.push_str(&format!("⚑ {open} · ")),
            _ => {}
        }
        if self.unread_notifications > 0 {
            mail.push_str(&format!("{} new · ", self.unread_notifications));
        }
        if self.unread_messages > 0 {
            mail.push_str(&format!("✉ {} · ", self.unread_messages));
        }
        // Who you are, with the staff role when there is room for it and for where you are.
        let right = self
            .user
            .as_ref()
            .map(|u| {
                let handle = crate::sanitize::line(&u.handle);
                let with_role = format!("{mail}{handle} · {} ", u.role.as_str());
                let fits =
                    widgets::width(&left) + 1 + widgets::width(&with_role) <= header.width as usize;
                if u.role.is_staff() && fits {
                    with_role
                } else {
                    format!("{mail}{handle} ")
                }
            })
            .unwrap_or_default();
        let rw = widgets::width(&right) as u16;
        buf.set_stringn(
            header.x,
            header.y,
            // One column is kept between where you are and who you are.
            widgets::truncate(
                &left,
                (header.width - rw.min(header.width)).saturating_sub(1) as usize,
            ),
            header.width as usize,
            theme.header(),
        );
        if rw < header.width {
            buf.set_stringn(
                header.right() - rw,
                header.y,
                &right,
                rw as usize,
                theme.header(),
            );
        }

        let cursor = self.screen.render(body, buf, theme, &self.texts);

        if let Some(s) = &self.status {
            let (text, style) = match s {
                Status::Info(t) => (t, theme.notice()),
                Status::Error(t) => (t, theme.error()),
            };
            // A notice too long for the status line takes the rows above it (over the bottom of
            // the screen, until the next key), up to NOTICE_ROWS; one longer still says where
            // to read it whole (F3).
            let room = (status.width as usize).saturating_sub(2).max(1);
            let text = crate::sanitize::line(text);
            let mut rows: Vec<String> = textwrap::wrap(&text, room)
                .into_iter()
                .map(|l| l.into_owned())
                .collect();
            let most = NOTICE_ROWS.max(self.height as usize / 2);
            if rows.len() > most {
                rows.truncate(most);
                let hint = strings::NOTICE_CUT;
                let last = rows.last().cloned().unwrap_or_default();
                rows[most - 1] = format!(
                    "{}{hint}",
                    widgets::truncate(
                        &format!("{last} …"),
                        room.saturating_sub(widgets::width(hint))
                    )
                );
            }
            let top = status.y.saturating_sub(rows.len() as u16 - 1).max(body.y);
            for (i, row) in rows.iter().enumerate() {
                let y = top + i as u16;
                if y > status.y {
                    break;
                }
                let line = Rect {
                    y,
                    height: 1,
                    ..status
                };
                Clear.render(line, buf);
                buf.set_stringn(status.x + 1, y, row, room, style);
            }
        }

        // Footer: the keys that apply here.
        if extra > 0 {
            let mut spans = vec![Span::styled(" mod: ", theme.dim())];
            for (i, (keys, label)) in footer_items(self.staff_keys(), staff_row.width as usize - 6)
                .into_iter()
                .enumerate()
            {
                if i > 0 {
                    spans.push(Span::styled(" · ", theme.footer()));
                }
                spans.push(Span::styled(keys, theme.key()));
                spans.push(Span::styled(format!(" {label}"), theme.footer()));
            }
            Line::from(spans).render(staff_row, buf);
        }
        let mut spans = vec![Span::raw(" ")];
        let hints = keymap::footer(self.context(), false, |a| self.offers(a));
        for (i, (keys, label)) in footer_items(hints, footer.width as usize)
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                spans.push(Span::styled(" · ", theme.footer()));
            }
            spans.push(Span::styled(keys, theme.key()));
            spans.push(Span::styled(format!(" {label}"), theme.footer()));
        }
        Line::from(spans).render(footer, buf);

        match self.overlay {
            Some(overlay) => {
                let (title, text, foot) = self.overlay_text(overlay);
                let (r, inner) = self.overlay_area(&text, &foot);
                Clear.render(r, buf);
                let mut block = Block::default()
                    .borders(Borders::ALL)
                    .title(Span::styled(format!(" {title} "), theme.title()));
                // Draw the text first to learn whether it all fits; the frame carries where
                // the reader is when it does not.
                let mark =
                    widgets::draw_scrolled(inner, buf, &text, &foot, self.overlay_scroll, theme);
                if let Some(mark) = mark {
                    block = block.title_bottom(Span::styled(format!(" {mark} ↑↓ "), theme.key()));
                }
                block.render(r, buf);
                None
            }
            None => cursor,
        }
    }
}

/// The footer's hints that fit in `width` columns, whole: "help" and "help now" always (help
/// lists every key; help now is for a hard moment), then the screen's own in order, skipping
/// any that would not fit.
pub(super) fn footer_items(
    items: Vec<(&'static str, &'static str)>,
    width: usize,
) -> Vec<(&'static str, &'static str)> {
    const SEPARATOR: usize = 3;
    let cost = |(k, l): &(&str, &str)| widgets::width(k) + 1 + widgets::width(l) + SEPARATOR;
    let kept = |(_, l): &(&str, &str)| *l == "help" || *l == "help now";
    let reserved: usize = items.iter().filter(|i| kept(i)).map(cost).sum();
    let mut left = (width + SEPARATOR).saturating_sub(1 + reserved);
    items
        .into_iter()
        .filter(|item| {
            if kept(item) {
                return true;
            }
            let c = cost(item);
            let fits = c <= left;
            if fits {
                left -= c;
            }
            fits
        })
        .collect()
}
