//! `[displays]`: the waiting-area displays (hall screen, LED panel, voice) and the queue host they follow.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::{led::LedConfig, voice::VoiceConfig};

/// The `[displays]` table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DisplaysConfig {
    /// Base URL of the queue host's LAN service, e.g. `http://192.168.1.10:8080`.
    pub queue_host: String,
    /// PEM certificate(s) trusted for an `https://` queue host: its own certificate or its CA.
    pub queue_host_ca_file: Option<std::path::PathBuf>,
    /// The LED panel.
    pub led: LedConfig,
    /// The hall screen.
    pub hall: HallConfig,
    /// Spoken calls.
    pub voice: VoiceConfig,
}

impl Default for DisplaysConfig {
    fn default() -> Self {
        Self {
            queue_host: "http://127.0.0.1:8080".to_owned(),
            queue_host_ca_file: None,
            led: LedConfig::default(),
            hall: HallConfig::default(),
            voice: VoiceConfig::default(),
        }
    }
}

impl DisplaysConfig {
    /// Checks ranges and formats; the error names the key and says why.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if !(self.queue_host.starts_with("http://") || self.queue_host.starts_with("https://")) {
            return Err((
                "displays.queue_host".into(),
                "must start with http:// or https://".into(),
            ));
        }
        self.led.validate()?;
        self.hall.validate()?;
        self.voice.validate()
    }
}

/// The hall screen.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HallConfig {
    /// Calls listed under the current one (1 to 10).
    pub recent_calls: usize,
    /// Seconds a call fills the screen before publicity comes back (when no other call waits).
    pub call_secs: u64,
    /// Seconds a call fills the screen at least when other calls wait.
    pub turn_secs: u64,
    /// Seconds a new call flashes.
    pub highlight_secs: u64,
    /// Seconds each publicity slide stays.
    pub slide_secs: u64,
    /// Publicity slides between calls, shown in turn while valid.
    pub slides: Vec<SlideConfig>,
    /// Publicity videos between the slides.
    pub video: VideoConfig,
    /// Where the hall display serves `/healthz` and `/metrics` (`host:port`; empty: not served).
    pub health_listen: String,
}

/// `[displays.hall.video]`: the publicity videos of the content bundle on the hall screen.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VideoConfig {
    /// Play videos at all (off: slides only).
    pub enabled: bool,
    /// A video after this many slides (0: videos one after the other, slides only when none may play).
    pub slides_between: u32,
    /// Sound level in percent of the clip's own (0 to 100); muted in the voice's quiet hours.
    pub volume: u8,
    /// Sound level while a call is spoken, in percent of `volume` (0 to 100).
    pub duck_percent: u8,
    /// `auto` (the board's hardware decoder where it has one) or `software`.
    pub decoding: VideoDecoding,
    /// Seconds a clip may take to show its first picture, or stop showing new ones, before it is
    /// skipped as broken (2 to 60).
    pub watchdog_secs: u64,
}

impl Default for VideoConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            slides_between: 2,
            volume: 60,
            duck_percent: 15,
            decoding: VideoDecoding::Auto,
            watchdog_secs: 8,
        }
    }
}

/// How the hall's videos are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VideoDecoding {
    /// The best decoder present (hardware on a Raspberry Pi 4, software elsewhere).
    #[default]
    Auto,
    /// Software only (a board whose hardware decoder hangs).
    Software,
}

impl Default for HallConfig {
    fn default() -> Self {
        Self {
            recent_calls: 5,
            call_secs: 12,
            turn_secs: 5,
            highlight_secs: 4,
            slide_secs: 15,
            slides: Vec::new(),
            video: VideoConfig::default(),
            health_listen: "127.0.0.1:8090".to_owned(),
        }
    }
}

impl HallConfig {
    fn validate(&self) -> Result<(), (String, String)> {
        let bad =
            |key: &str, reason: &str| Err((format!("displays.hall.{key}"), reason.to_owned()));
        if !(1..=10).contains(&self.recent_calls) {
            return bad("recent_calls", "must be 1 to 10");
        }
        if !(1..=600).contains(&self.call_secs) {
            return bad("call_secs", "must be 1 to 600");
        }
        if self.turn_secs == 0 || self.turn_secs > self.call_secs {
            return bad("turn_secs", "must be at least 1 and at most call_secs");
        }
        if self.highlight_secs > self.call_secs {
            return bad("highlight_secs", "must be at most call_secs");
        }
        if !(3..=3600).contains(&self.slide_secs) {
            return bad("slide_secs", "must be 3 to 3600");
        }
        if !self.health_listen.is_empty()
            && self.health_listen.parse::<std::net::SocketAddr>().is_err()
        {
            return bad(
                "health_listen",
                "must be host:port, e.g. 127.0.0.1:8090, or empty",
            );
        }
        if self.video.slides_between > 100 {
            return bad("video.slides_between", "must be 0 to 100");
        }
        if self.video.volume > 100 {
            return bad("video.volume", "must be 0 to 100");
        }
        if self.video.duck_percent > 100 {
            return bad("video.duck_percent", "must be 0 to 100");
        }
        if !(2..=60).contains(&self.video.watchdog_secs) {
            return bad("video.watchdog_secs", "must be 2 to 60");
        }
        for (i, slide) in self.slides.iter().enumerate() {
            if slide.title.trim().is_empty() {
                return bad(&format!("slides[{i}].title"), "must not be empty");
            }
            if let (Some(from), Some(until)) = (slide.from, slide.until)
                && until < from
            {
                return bad(&format!("slides[{i}].until"), "is before `from`");
            }
        }
        Ok(())
    }
}

/// One publicity slide, valid from `from` to `until` (inclusive local dates; open when absent).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlideConfig {
    /// Heading, Chinese.
    pub title: String,
    /// Heading, English.
    #[serde(default)]
    pub title_en: String,
    /// Text, Chinese.
    #[serde(default)]
    pub body: String,
    /// Text, English.
    #[serde(default)]
    pub body_en: String,
    /// First day shown.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Last day shown.
    #[serde(default)]
    pub until: Option<NaiveDate>,
}
