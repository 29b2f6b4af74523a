//! `[calls]`: the video call to a duty lawyer (视频连线律师) from this kiosk. The call goes through the
//! centre named by `[content] centre_url`, with the device token of `[content] outbox_token_file` and the
//! certificate of `[content] ca_file`.

use serde::Deserialize;

/// Where the kiosk's picture and sound come from in a call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallSourceKind {
    /// A generated picture and tone (simulated mode, the default).
    #[default]
    Test,
    /// The board's camera (V4L2) and microphone (ALSA).
    Devices,
}

/// The video call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallsConfig {
    /// Whether the kiosk offers the call (the home tile and the buttons after guides and the legal-aid
    /// check).
    pub enabled: bool,
    /// Test sources or the board's devices.
    pub source: CallSourceKind,
    /// The camera (`/dev/video0`); none: the first.
    pub camera: Option<String>,
    /// The microphone (ALSA name, `hw:1,0`); none: the default.
    pub microphone: Option<String>,
    /// Play the lawyer's voice on the speaker (false: discard it, for a silent bench).
    pub speaker: bool,
    /// Minutes the summary screen waits for the lawyer's written advice (1 to 30).
    pub advice_wait_minutes: u32,
}

impl Default for CallsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            source: CallSourceKind::Test,
            camera: None,
            microphone: None,
            speaker: true,
            advice_wait_minutes: 10,
        }
    }
}

impl CallsConfig {
    /// Checks the ranges; the key and reason of the first problem.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if !(1..=30).contains(&self.advice_wait_minutes) {
            return Err((
                "calls.advice_wait_minutes",
                "must be between 1 and 30 minutes".into(),
            ));
        }
        Ok(())
    }
}
