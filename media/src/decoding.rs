//! Which decoder plays a clip. GStreamer picks the highest-ranked decoder whose caps fit, at run
//! time: on a Raspberry Pi 4 the stateful V4L2 decoder `v4l2h264dec` (registered only where its
//! device node exists, above `avdec_h264`), on every other machine the software one. No code path
//! differs between the two; [`Decoding::Software`] takes the hardware decoders out of the choice
//! (for a board whose hardware decoder hangs, a known Pi 4 fault).

use gst::prelude::*;
use serde::Deserialize;

/// How clips are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decoding {
    /// The best decoder present: hardware where the board has one, software elsewhere.
    #[default]
    Auto,
    /// Software decoders only.
    Software,
}

/// Whether decoder element `name` decodes in hardware (the V4L2 memory-to-memory families).
pub fn is_hardware_decoder(name: &str) -> bool {
    name.starts_with("v4l2") && name.ends_with("dec")
}

/// Applies `choice` to this process's GStreamer registry; returns the hardware decoders it ranked out.
/// Call after [`crate::init`] and before playing.
pub fn apply_decoding(choice: Decoding) -> Vec<String> {
    if choice == Decoding::Auto {
        return Vec::new();
    }
    let registry = gst::Registry::get();
    let mut ranked_out = Vec::new();
    for feature in registry.features(gst::ElementFactory::static_type()) {
        let name = feature.name().to_string();
        if is_hardware_decoder(&name) {
            feature.set_rank(gst::Rank::NONE);
            ranked_out.push(name);
        }
    }
    ranked_out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_hardware_families() {
        assert!(is_hardware_decoder("v4l2h264dec"));
        assert!(is_hardware_decoder("v4l2slh264dec"));
        assert!(!is_hardware_decoder("avdec_h264"));
        assert!(!is_hardware_decoder("v4l2src"));
    }

    #[test]
    fn config_names() {
        #[derive(Deserialize)]
        struct T {
            decoding: Decoding,
        }
        let t: T = toml::from_str("decoding = \"software\"").unwrap();
        assert_eq!(t.decoding, Decoding::Software);
        assert!(toml::from_str::<T>("decoding = \"gpu\"").is_err());
    }
}
