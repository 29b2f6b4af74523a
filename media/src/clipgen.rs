//! Encodes clips: the tests' and benchmarks' clips (made at run time, never stored) and the shipped
//! sample. A moving test pattern, H.264 in MP4, optionally with a sine tone in AAC.

use std::path::Path;

use gst::prelude::*;

use crate::{MediaError, error::make};

/// What to encode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClipSpec {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Frames per second.
    pub fps: u32,
    /// Number of frames.
    pub frames: u32,
    /// A sine tone as AAC sound.
    pub audio: bool,
    /// `moov` before the data (a cut file then plays its first part).
    pub faststart: bool,
    /// `videotestsrc` pattern; `ball` moves, so consecutive frames differ.
    pub pattern: &'static str,
    /// x264 bit rate in kbit/s.
    pub kbps: u32,
    /// x264 speed preset (`ultrafast` for tests, `veryfast` for benchmark clips).
    pub preset: &'static str,
}

impl ClipSpec {
    /// A small, quick clip for tests: 320×240, 30 fps, a moving ball, no sound.
    pub fn small(frames: u32) -> Self {
        Self {
            width: 320,
            height: 240,
            fps: 30,
            frames,
            audio: false,
            faststart: false,
            pattern: "ball",
            kbps: 400,
            preset: "ultrafast",
        }
    }
}

/// Writes the clip `spec` describes to `path` (MP4, H.264 video).
pub fn write_clip(path: &Path, spec: &ClipSpec) -> Result<(), MediaError> {
    let encode_err = |reason: String| MediaError::Encode {
        path: path.to_owned(),
        reason,
    };
    let pipeline = gst::Pipeline::new();
    let src = make("videotestsrc")?;
    src.set_property(
        "num-buffers",
        i32::try_from(spec.frames).unwrap_or(i32::MAX),
    );
    src.set_property_from_str("pattern", spec.pattern);
    let caps = gst_video::VideoCapsBuilder::new()
        .width(i32::try_from(spec.width).unwrap_or(320))
        .height(i32::try_from(spec.height).unwrap_or(240))
        .framerate(gst::Fraction::new(i32::try_from(spec.fps).unwrap_or(30), 1))
        .build();
    let filter = make("capsfilter")?;
    filter.set_property("caps", &caps);
    let enc = make("x264enc")?;
    enc.set_property_from_str("speed-preset", spec.preset);
    enc.set_property("bitrate", spec.kbps);
    enc.set_property("key-int-max", spec.fps.max(1));
    let parse = make("h264parse")?;
    let mux = make("mp4mux")?;
    mux.set_property("faststart", spec.faststart);
    let out = make("filesink")?;
    out.set_property("location", path.to_string_lossy().as_ref());
    let video = [&src, &filter, &enc, &parse];
    pipeline
        .add_many(video.iter().copied().chain([&mux, &out]))
        .map_err(|e| encode_err(e.to_string()))?;
    gst::Element::link_many(video).map_err(|e| encode_err(e.to_string()))?;
    parse.link(&mux).map_err(|e| encode_err(e.to_string()))?;
    mux.link(&out).map_err(|e| encode_err(e.to_string()))?;
    if spec.audio {
        let tone = make("audiotestsrc")?;
        // 1024 samples per buffer at 44.1 kHz: as many buffers as cover the video.
        let seconds = f64::from(spec.frames) / f64::from(spec.fps.max(1));
        let buffers = (seconds * 44_100.0 / 1024.0).ceil();
        tone.set_property("num-buffers", buffers as i32);
        tone.set_property("volume", 0.2f64);
        let convert = make("audioconvert")?;
        let aac = make("avenc_aac")?;
        let aparse = make("aacparse")?;
        let audio = [&tone, &convert, &aac, &aparse];
        pipeline
            .add_many(audio)
            .map_err(|e| encode_err(e.to_string()))?;
        gst::Element::link_many(audio).map_err(|e| encode_err(e.to_string()))?;
        aparse.link(&mux).map_err(|e| encode_err(e.to_string()))?;
    }
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| encode_err(e.to_string()))?;
    let bus = pipeline.bus().ok_or_else(|| encode_err("no bus".into()))?;
    let outcome = bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(300),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    );
    let _ = pipeline.set_state(gst::State::Null);
    match outcome.as_ref().map(|m| m.view()) {
        Some(gst::MessageView::Eos(_)) => Ok(()),
        Some(gst::MessageView::Error(err)) => Err(encode_err(err.error().to_string())),
        _ => Err(encode_err("timed out".into())),
    }
}
