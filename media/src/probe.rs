//! A clip checked before it is ever shown, with GStreamer's Discoverer. playbin can lose the error of a
//! truncated MP4 (no `moov`) and hang silently in 20–50 % of runs; Discoverer flagged such files every
//! time when this was measured. So a clip that fails here is never played.

use std::{path::Path, time::Duration};

use gst_pbutils::prelude::*;

use crate::MediaError;

/// What a playable clip holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipInfo {
    /// Length (none: unknown, e.g. a stream).
    pub duration: Option<Duration>,
    /// Picture width.
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// Frames per second (0 when the file does not say).
    pub fps: f64,
    /// Whether it has sound.
    pub audio: bool,
    /// The video codec, as GStreamer describes it (e.g. `H.264 (High Profile)`).
    pub video_codec: String,
}

/// Checks `path` within `timeout`: it must exist, be recognised, demux, have a video stream and a
/// decoder for it.
pub fn probe(path: &Path, timeout: Duration) -> Result<ClipInfo, MediaError> {
    let meta = std::fs::metadata(path).map_err(|e| MediaError::Unreadable {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    if meta.len() == 0 {
        return Err(MediaError::NotPlayable {
            path: path.to_owned(),
            reason: "the file is empty".into(),
        });
    }
    let uri = gst::glib::filename_to_uri(path, None).map_err(|e| MediaError::Unreadable {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let nanos = u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX);
    let discoverer = gst_pbutils::Discoverer::new(gst::ClockTime::from_nseconds(nanos))
        .map_err(|e| MediaError::Init(e.to_string()))?;
    let info = discoverer
        .discover_uri(&uri)
        .map_err(|e| MediaError::NotPlayable {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
    match info.result() {
        gst_pbutils::DiscovererResult::Ok => {}
        other => {
            let missing = info.missing_elements_installer_details();
            let reason = if missing.is_empty() {
                format!("{other:?}")
            } else {
                format!("{other:?}: no decoder ({})", missing.join(", "))
            };
            return Err(MediaError::NotPlayable {
                path: path.to_owned(),
                reason,
            });
        }
    }
    let Some(video) = info.video_streams().into_iter().next() else {
        return Err(MediaError::NoVideo {
            path: path.to_owned(),
        });
    };
    let rate = video.framerate();
    let fps = if rate.denom() > 0 {
        f64::from(rate.numer()) / f64::from(rate.denom())
    } else {
        0.0
    };
    let video_codec = video
        .caps()
        .map(|caps| gst_pbutils::pb_utils_get_codec_description(&caps).to_string())
        .unwrap_or_default();
    Ok(ClipInfo {
        duration: info.duration().map(|d| Duration::from_nanos(d.nseconds())),
        width: video.width(),
        height: video.height(),
        fps,
        audio: !info.audio_streams().is_empty(),
        video_codec,
    })
}
