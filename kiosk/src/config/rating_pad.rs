//! `[rating_pad]`: the window rating pad (`kiosk --role rating-pad --window N`).

use serde::Deserialize;

/// How the rating pad at a window behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RatingPadConfig {
    /// Seconds the rating prompt (and the reasons after a low score) waits for a touch before the
    /// pad goes back to the window's idle screen, unanswered (5 to 600).
    pub prompt_timeout_secs: u32,
    /// Seconds the thank-you screen stays (1 to 60).
    pub thanks_secs: u32,
    /// Start in elderly mode (larger type); the pad has its own switch too.
    pub elderly_mode: bool,
}

impl Default for RatingPadConfig {
    fn default() -> Self {
        Self {
            prompt_timeout_secs: 30,
            thanks_secs: 5,
            elderly_mode: false,
        }
    }
}

impl RatingPadConfig {
    /// Checks the ranges; the key and reason of the first problem.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if !(5..=600).contains(&self.prompt_timeout_secs) {
            return Err((
                "rating_pad.prompt_timeout_secs",
                "must be between 5 and 600 seconds".into(),
            ));
        }
        if !(1..=60).contains(&self.thanks_secs) {
            return Err((
                "rating_pad.thanks_secs",
                "must be between 1 and 60 seconds".into(),
            ));
        }
        Ok(())
    }
}
