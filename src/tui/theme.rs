//! Colours, and what replaces them under `NO_COLOR`: every badge keeps its
//! word, selection uses reverse video, emphasis uses bold; no colour at all.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;

use crate::assess::rules::Severity;
use crate::assess::verdict::{PillarStatus, Verdict};
use crate::model::FindingSeverity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    Colour,
    /// `NO_COLOR` is set: modifiers only.
    Plain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub palette: Palette,
}

/// How a value reads at a glance: good, doubtful, bad, or not in play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warn,
    Bad,
    Muted,
}

impl Theme {
    /// Plain when `NO_COLOR` is set to anything but the empty string (no-color.org).
    pub fn from_env() -> Self {
        let plain = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self { palette: if plain { Palette::Plain } else { Palette::Colour } }
    }

    pub const fn colour() -> Self {
        Self { palette: Palette::Colour }
    }

    pub const fn plain() -> Self {
        Self { palette: Palette::Plain }
    }

    fn fg(self, colour: Color) -> Style {
        match self.palette {
            Palette::Colour => Style::new().fg(colour),
            Palette::Plain => Style::new(),
        }
    }

    pub fn tone(self, tone: Tone) -> Style {
        match tone {
            Tone::Good => self.fg(Color::Green),
            Tone::Warn => self.fg(Color::Yellow),
            Tone::Bad => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Tone::Muted => self.dim(),
        }
    }

    /// A word on a coloured background: ` supported `; plain: `[supported]`.
    pub fn badge(self, word: &str, tone: Tone) -> Span<'static> {
        match self.palette {
            Palette::Plain => Span::raw(format!("[{word}]")),
            Palette::Colour => {
                let bg = match tone {
                    Tone::Good => Color::Green,
                    Tone::Warn => Color::Yellow,
                    Tone::Bad => Color::Red,
                    Tone::Muted => Color::DarkGray,
                };
                Span::styled(format!(" {word} "), Style::new().fg(Color::Black).bg(bg))
            }
        }
    }

    /// The verdict badge; `None` while the verdicts are being computed.
    pub fn verdict_badge(self, verdict: Option<Verdict>) -> Span<'static> {
        match verdict {
            Some(v) => self.badge(v.label(), verdict_tone(v)),
            None => Span::styled(" … ", self.dim()),
        }
    }

    pub fn selected(self) -> Style {
        match self.palette {
            Palette::Colour => Style::new().bg(Color::DarkGray).add_modifier(Modifier::BOLD),
            Palette::Plain => Style::new().add_modifier(Modifier::REVERSED),
        }
    }

    pub fn header(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn dim(self) -> Style {
        match self.palette {
            Palette::Colour => Style::new().fg(Color::DarkGray),
            Palette::Plain => Style::new().add_modifier(Modifier::DIM),
        }
    }

    /// A voided record: dim and struck through (the word "voided" says it too).
    pub fn struck(self) -> Style {
        self.dim().add_modifier(Modifier::CROSSED_OUT)
    }

    pub fn active_tab(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn border(self) -> Style {
        self.dim()
    }

    pub fn focused_border(self) -> Style {
        self.fg(Color::Cyan)
    }
}

pub fn verdict_tone(verdict: Verdict) -> Tone {
    match verdict {
        Verdict::Supported => Tone::Good,
        Verdict::Partial => Tone::Warn,
        Verdict::Unsupported => Tone::Bad,
        Verdict::NotClaimed => Tone::Muted,
    }
}

pub fn status_tone(status: PillarStatus) -> Tone {
    match status {
        PillarStatus::Evidenced => Tone::Good,
        PillarStatus::Missing | PillarStatus::NoLots | PillarStatus::OutOfControl => Tone::Bad,
        PillarStatus::StatedOnly
        | PillarStatus::Stale
        | PillarStatus::DraftOnly
        | PillarStatus::InsufficientLots
        | PillarStatus::LowFpy => Tone::Warn,
    }
}

pub fn severity_tone(severity: Severity) -> Tone {
    match severity {
        Severity::High => Tone::Bad,
        Severity::Medium => Tone::Warn,
        Severity::Low => Tone::Muted,
    }
}

pub fn finding_tone(severity: FindingSeverity) -> Tone {
    match severity {
        FindingSeverity::Critical => Tone::Bad,
        FindingSeverity::Major => Tone::Warn,
        FindingSeverity::Minor => Tone::Muted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_badges_keep_their_words_and_use_no_colour() {
        let badge = Theme::plain().verdict_badge(Some(Verdict::Unsupported));
        assert_eq!(badge.content, "[unsupported]");
        assert_eq!(badge.style.fg, None);
        assert_eq!(badge.style.bg, None);
        assert_eq!(Theme::plain().tone(Tone::Bad).fg, None);
    }

    #[test]
    fn coloured_badges_are_as_wide_as_plain_ones() {
        for v in Verdict::ALL {
            let (c, p) = (Theme::colour().verdict_badge(Some(*v)), Theme::plain().verdict_badge(Some(*v)));
            assert_eq!(c.content.chars().count(), p.content.chars().count());
            assert!(c.style.bg.is_some());
        }
    }
}
