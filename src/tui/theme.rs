//! Colours and styles. Screens ask the theme (`theme.title()`), never pick colours themselves.

use ratatui::style::{Color, Modifier, Style};

/// The look of the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// 256 colours, for dark backgrounds.
    #[default]
    Default,
    /// 256 colours, for light backgrounds.
    Light,
    /// The 16 basic colours at their brightest, bold, and selection by reverse video.
    HighContrast,
    /// No colour at all (NO_COLOR, or terminals without colour): emphasis by bold and reverse.
    Monochrome,
    /// For screen readers and braille displays: no colour, and no box drawing or other
    /// decoration a reader would spell out (borders are blank, the selection is `>`).
    Plain,
}

/// The themes a member chooses from, in the order settings cycles through them.
pub const THEMES: [Theme; 5] = [
    Theme::Default,
    Theme::Light,
    Theme::HighContrast,
    Theme::Monochrome,
    Theme::Plain,
];

/// What a terminal can show, from what its client announced (`TERM`, `COLORTERM`,
/// `NO_COLOR`): the theme to start with, and whether it is forced (no colour at all) or only
/// the default until the member chooses. 256 colours are used only where announced; any other
/// colour terminal gets the basic colours of high contrast.
pub fn for_terminal(term: &str, colorterm: Option<&str>, no_color: bool) -> (Theme, bool) {
    let term = term.to_ascii_lowercase();
    if no_color || term == "dumb" || term.starts_with("vt1") || term.starts_with("vt2") {
        return (Theme::Monochrome, true);
    }
    let announced = colorterm.is_some_and(|c| !c.is_empty())
        || [
            "256color",
            "truecolor",
            "24bit",
            "direct",
            "kitty",
            "alacritty",
            "foot",
            "wezterm",
            "ghostty",
        ]
        .iter()
        .any(|t| term.contains(t));
    if announced || term.is_empty() {
        (Theme::Default, false)
    } else {
        (Theme::HighContrast, false)
    }
}

impl Theme {
    /// Marks a selected row that starts at `x` on row `y` (up to column `right`) where its
    /// style alone would not show: reverse video says nothing to a screen reader, so the plain
    /// theme puts `> ` before it. Returns where the row's own text starts.
    pub fn mark_selected(
        self,
        buf: &mut ratatui::buffer::Buffer,
        (x, y): (u16, u16),
        right: u16,
        style: Style,
    ) -> u16 {
        if self != Theme::Plain {
            return x;
        }
        buf.set_stringn(x, y, "> ", right.saturating_sub(x) as usize, style);
        x.saturating_add(2).min(right)
    }

    /// The name kept for the member and shown in settings.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Default => "dark",
            Theme::Light => "light",
            Theme::HighContrast => "high contrast",
            Theme::Monochrome => "monochrome",
            Theme::Plain => "plain",
        }
    }

    pub fn from_name(name: &str) -> Option<Theme> {
        THEMES.into_iter().find(|t| t.name() == name)
    }

    /// The next theme in settings' cycle.
    pub fn next(self) -> Theme {
        let i = THEMES.iter().position(|t| *t == self).unwrap_or(0);
        THEMES[(i + 1) % THEMES.len()]
    }

    /// A colour of the dark theme, as each theme shows it.
    fn color(self, c: Color) -> Style {
        match self {
            Theme::Default => Style::new().fg(c),
            Theme::Light => Style::new().fg(light(c)),
            Theme::HighContrast => Style::new().fg(bright(c)).add_modifier(Modifier::BOLD),
            Theme::Monochrome | Theme::Plain => Style::new(),
        }
    }
    pub fn text(self) -> Style {
        Style::new()
    }
    pub fn header(self) -> Style {
        match self {
            Theme::Default => Style::new().fg(Color::Black).bg(Color::Indexed(109)),
            Theme::Light => Style::new().fg(Color::White).bg(Color::Indexed(24)),
            Theme::HighContrast | Theme::Monochrome | Theme::Plain => {
                Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
            }
        }
    }
    pub fn footer(self) -> Style {
        self.color(Color::Indexed(245))
    }
    pub fn key(self) -> Style {
        self.color(Color::Indexed(109)).add_modifier(Modifier::BOLD)
    }
    pub fn selected(self) -> Style {
        match self {
            Theme::Default => Style::new()
                .bg(Color::Indexed(238))
                .add_modifier(Modifier::BOLD),
            Theme::Light => Style::new()
                .bg(Color::Indexed(253))
                .add_modifier(Modifier::BOLD),
            Theme::HighContrast | Theme::Monochrome | Theme::Plain => {
                Style::new().add_modifier(Modifier::REVERSED)
            }
        }
    }
    pub fn dim(self) -> Style {
        self.color(Color::Indexed(245))
    }
    /// Code in a post: the keys' colour, so it stands apart from the prose around it.
    pub fn code(self) -> Style {
        self.color(Color::Indexed(109))
    }
    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn author(self) -> Style {
        self.color(Color::Indexed(151)).add_modifier(Modifier::BOLD)
    }
    pub fn unread(self) -> Style {
        self.color(Color::Indexed(180)).add_modifier(Modifier::BOLD)
    }
    pub fn error(self) -> Style {
        self.color(Color::Indexed(174)).add_modifier(Modifier::BOLD)
    }
    pub fn notice(self) -> Style {
        self.color(Color::Indexed(151))
    }
    pub fn field(self, focused: bool) -> Style {
        if focused {
            self.color(Color::Indexed(109)).add_modifier(Modifier::BOLD)
        } else {
            self.dim()
        }
    }
}

/// The dark theme's colours, dark enough to read on a light background.
fn light(c: Color) -> Color {
    match c {
        Color::Indexed(109) => Color::Indexed(24), // keys, fields: a deep blue
        Color::Indexed(245) => Color::Indexed(240), // dim: a darker grey
        Color::Indexed(151) => Color::Indexed(22), // authors, notices: a dark green
        Color::Indexed(180) => Color::Indexed(130), // unread: a brown orange
        Color::Indexed(174) => Color::Indexed(124), // errors: a dark red
        other => other,
    }
}

/// The dark theme's colours as the basic bright ones every terminal has.
fn bright(c: Color) -> Color {
    match c {
        Color::Indexed(109) => Color::LightCyan,
        Color::Indexed(245) => Color::White,
        Color::Indexed(151) => Color::LightGreen,
        Color::Indexed(180) => Color::LightYellow,
        Color::Indexed(174) => Color::LightRed,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_terminal_decides_what_colours_start_and_no_colour_is_forced() {
        assert_eq!(
            for_terminal("xterm-256color", None, false),
            (Theme::Default, false)
        );
        assert_eq!(
            for_terminal("tmux-256color", None, false),
            (Theme::Default, false)
        );
        assert_eq!(
            for_terminal("xterm", Some("truecolor"), false),
            (Theme::Default, false)
        );
        assert_eq!(
            for_terminal("xterm-kitty", None, false),
            (Theme::Default, false)
        );
        assert_eq!(
            for_terminal("linux", None, false),
            (Theme::HighContrast, false)
        );
        assert_eq!(
            for_terminal("xterm", None, false),
            (Theme::HighContrast, false)
        );
        assert_eq!(
            for_terminal("vt100", None, false),
            (Theme::Monochrome, true)
        );
        assert_eq!(for_terminal("dumb", None, false), (Theme::Monochrome, true));
        assert_eq!(
            for_terminal("xterm-256color", None, true),
            (Theme::Monochrome, true)
        );
    }

    #[test]
    fn every_theme_has_a_name_settings_cycles_through_all_and_monochrome_has_no_colour() {
        let mut t = Theme::Default;
        for _ in 0..THEMES.len() {
            assert_eq!(Theme::from_name(t.name()), Some(t));
            t = t.next();
        }
        assert_eq!(t, Theme::Default, "the cycle comes back");
        let m = Theme::Monochrome;
        for style in [
            m.key(),
            m.author(),
            m.unread(),
            m.error(),
            m.dim(),
            m.selected(),
        ] {
            assert_eq!((style.fg, style.bg), (None, None), "{style:?}");
        }
        // The light theme never uses the dark theme's pale colours.
        let pale = [109, 245, 151, 180, 174].map(Color::Indexed);
        for style in [
            Theme::Light.key(),
            Theme::Light.author(),
            Theme::Light.dim(),
        ] {
            assert!(!pale.iter().any(|p| style.fg == Some(*p)), "{style:?}");
        }
    }
}
