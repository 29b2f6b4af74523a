//! `[board]`: the board's own inputs and outputs (presence sensor, backlight, help button, fault
//! lamp) and the backlight schedule. Every key is optional; see `assets/config/kiosk.example.toml`.

use chrono::NaiveTime;
use serde::Deserialize;

/// Which board I/O the kiosk drives.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum BoardKind {
    /// The simulated board: keeps its state and logs; presence and the help button are driven by
    /// tests or, in a running kiosk, by `POST /board/sim/{presence,help}` from the device itself.
    #[default]
    Sim,
    /// A Raspberry Pi's GPIO and PWM (build with `--features pi`).
    Pi,
    /// No board I/O at all.
    None,
}

/// The `[board]` table.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct BoardConfig {
    /// Which board.
    pub kind: BoardKind,
    /// The night window `HH:MM-HH:MM` (local time; may wrap midnight), dimmed to `night_brightness`.
    pub night: String,
    /// Backlight in the day, percent.
    pub day_brightness: u8,
    /// Backlight at night, percent.
    pub night_brightness: u8,
    /// Backlight after `idle_after_secs` without a touch or anyone in front, percent (never brighter
    /// than the day or night level).
    pub idle_brightness: u8,
    /// Seconds without a touch or presence before the backlight dims to `idle_brightness`.
    pub idle_after_secs: u64,
    /// Seconds a help request stays on the staff page unless pressed again.
    pub help_hold_secs: u64,
    /// Board loop period, milliseconds (inputs sampled, outputs set).
    pub poll_ms: u64,
    /// BCM GPIO of the presence sensor (PIR output, active high).
    pub presence_pin: u8,
    /// BCM GPIO of the help button (to ground, internal pull-up: active low).
    pub help_pin: u8,
    /// BCM GPIO of the paper-low / fault lamp (active high).
    pub lamp_pin: u8,
    /// Hardware PWM channel of the backlight (0: GPIO 18, 1: GPIO 19).
    pub backlight_pwm_channel: u8,
    /// Backlight PWM frequency, Hz.
    pub backlight_pwm_hz: u32,
}

impl Default for BoardConfig {
    fn default() -> Self {
        Self {
            kind: BoardKind::Sim,
            night: "22:00-07:00".to_owned(),
            day_brightness: 100,
            night_brightness: 40,
            idle_brightness: 20,
            idle_after_secs: 120,
            help_hold_secs: 300,
            poll_ms: 100,
            presence_pin: 17,
            help_pin: 27,
            lamp_pin: 22,
            backlight_pwm_channel: 0,
            backlight_pwm_hz: 1000,
        }
    }
}

/// A daily window of local time; `start > end` wraps midnight, `start == end` is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    /// First minute in the window.
    pub start: NaiveTime,
    /// First minute after it.
    pub end: NaiveTime,
}

impl TimeWindow {
    /// Parses `HH:MM-HH:MM`.
    pub fn parse(text: &str) -> Option<Self> {
        let (a, b) = text.trim().split_once('-')?;
        let start = NaiveTime::parse_from_str(a.trim(), "%H:%M").ok()?;
        let end = NaiveTime::parse_from_str(b.trim(), "%H:%M").ok()?;
        Some(Self { start, end })
    }

    /// Whether `t` lies in the window.
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start <= self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

impl BoardConfig {
    /// Checks the values; the error names the key and the reason.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if TimeWindow::parse(&self.night).is_none() {
            return Err((
                "board.night",
                format!("`{}` must look like 22:00-07:00", self.night),
            ));
        }
        for (key, value) in [
            ("board.day_brightness", self.day_brightness),
            ("board.night_brightness", self.night_brightness),
            ("board.idle_brightness", self.idle_brightness),
        ] {
            if value > 100 {
                return Err((key, format!("{value} is not a percentage (0 to 100)")));
            }
        }
        if !(10..=86_400).contains(&self.idle_after_secs) {
            return Err(("board.idle_after_secs", "must be 10 to 86400".into()));
        }
        if !(10..=86_400).contains(&self.help_hold_secs) {
            return Err(("board.help_hold_secs", "must be 10 to 86400".into()));
        }
        if !(20..=2000).contains(&self.poll_ms) {
            return Err(("board.poll_ms", "must be 20 to 2000".into()));
        }
        for (key, pin) in [
            ("board.presence_pin", self.presence_pin),
            ("board.help_pin", self.help_pin),
            ("board.lamp_pin", self.lamp_pin),
        ] {
            if pin > 27 {
                return Err((key, format!("GPIO {pin} is not on the header (0 to 27)")));
            }
        }
        if self.backlight_pwm_channel > 1 {
            return Err(("board.backlight_pwm_channel", "must be 0 or 1".into()));
        }
        if !(50..=100_000).contains(&self.backlight_pwm_hz) {
            return Err(("board.backlight_pwm_hz", "must be 50 to 100000".into()));
        }
        Ok(())
    }

    /// The night window (the default one when `night` does not parse; [`BoardConfig::validate`] rejects that).
    pub fn night_window(&self) -> TimeWindow {
        TimeWindow::parse(&self.night).unwrap_or(TimeWindow {
            start: NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default(),
            end: NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn windows_wrap_midnight() {
        let night = TimeWindow::parse("22:00-07:00").unwrap();
        assert!(night.contains(t(23, 30)));
        assert!(night.contains(t(0, 0)));
        assert!(night.contains(t(6, 59)));
        assert!(!night.contains(t(7, 0)));
        assert!(!night.contains(t(12, 0)));
        assert!(night.contains(t(22, 0)));
        let lunch = TimeWindow::parse("12:00-13:30").unwrap();
        assert!(lunch.contains(t(12, 15)));
        assert!(!lunch.contains(t(13, 30)));
        let empty = TimeWindow::parse("08:00-08:00").unwrap();
        assert!(!empty.contains(t(8, 0)));
        assert!(TimeWindow::parse("22-07").is_none());
    }

    #[test]
    fn bad_values_name_their_key() {
        let bad = BoardConfig {
            night: "late".into(),
            ..BoardConfig::default()
        };
        assert_eq!(bad.validate().unwrap_err().0, "board.night");
        let bad = BoardConfig {
            night_brightness: 140,
            ..BoardConfig::default()
        };
        assert_eq!(bad.validate().unwrap_err().0, "board.night_brightness");
        let bad = BoardConfig {
            help_pin: 40,
            ..BoardConfig::default()
        };
        assert_eq!(bad.validate().unwrap_err().0, "board.help_pin");
        assert!(BoardConfig::default().validate().is_ok());
    }
}
