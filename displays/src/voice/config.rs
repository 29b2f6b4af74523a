//! `[displays.voice]`: spoken calls.

use std::path::PathBuf;

use chrono::NaiveTime;
use serde::Deserialize;

/// How the call is played.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlayerKind {
    /// `aplay` when it is installed (ALSA), otherwise `file`.
    #[default]
    Auto,
    /// Always `aplay`.
    Aplay,
    /// Write each call as a WAV file under `DATA_DIR/sim/voice` and log it (no sound).
    File,
}

/// Spoken calls.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VoiceConfig {
    /// Speak calls at all.
    pub enabled: bool,
    /// A clip pack directory (see `displays/README.md`); none: the bundled Mandarin pack.
    pub pack: Option<PathBuf>,
    /// How many times each call is spoken (1 to 5).
    pub repeat: u32,
    /// Volume in percent of the clips' level (0 to 100).
    pub volume: u8,
    /// Periods with no voice, `"HH:MM-HH:MM"` local time (may wrap past midnight, e.g. `"22:00-07:00"`).
    pub quiet_hours: Vec<String>,
    /// A chime before each call.
    pub chime: bool,
    /// `auto`, `aplay` or `file`.
    pub player: PlayerKind,
}

impl Default for VoiceConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            pack: None,
            repeat: 2,
            volume: 80,
            quiet_hours: Vec::new(),
            chime: true,
            player: PlayerKind::Auto,
        }
    }
}

impl VoiceConfig {
    /// Checks ranges and formats; the error names the key.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if !(1..=5).contains(&self.repeat) {
            return Err(("displays.voice.repeat".into(), "must be 1 to 5".into()));
        }
        if self.volume > 100 {
            return Err(("displays.voice.volume".into(), "must be 0 to 100".into()));
        }
        for (i, q) in self.quiet_hours.iter().enumerate() {
            if QuietHours::parse(q).is_none() {
                return Err((
                    format!("displays.voice.quiet_hours[{i}]"),
                    format!("`{q}` must look like 12:00-14:00"),
                ));
            }
        }
        Ok(())
    }

    /// Whether `time` is in a quiet period.
    pub fn is_quiet(&self, time: NaiveTime) -> bool {
        self.quiet_hours
            .iter()
            .filter_map(|q| QuietHours::parse(q))
            .any(|q| q.contains(time))
    }
}

/// A quiet period of the day, `"HH:MM-HH:MM"` (the content's own period type).
pub use content::DayPeriod as QuietHours;
