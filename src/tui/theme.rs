//! Colours and styles. Screens ask the theme (`theme.title()`), never pick colours themselves.

use ratatui::style::{Color, Modifier, Style};

/// The look of the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// 256 colours.
    #[default]
    Default,
    /// No colour at all (NO_COLOR, or terminals without colour): emphasis by bold and reverse.
    Monochrome,
}

impl Theme {
    fn color(self, c: Color) -> Style {
        match self {
            Theme::Default => Style::new().fg(c),
            Theme::Monochrome => Style::new(),
        }
    }
    pub fn text(self) -> Style {
        Style::new()
    }
    pub fn header(self) -> Style {
        match self {
            Theme::Default => Style::new().fg(Color::Black).bg(Color::Indexed(109)),
            Theme::Monochrome => Style::new().add_modifier(Modifier::REVERSED),
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
            Theme::Monochrome => Style::new().add_modifier(Modifier::REVERSED),
        }
    }
    pub fn dim(self) -> Style {
        self.color(Color::Indexed(245))
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
