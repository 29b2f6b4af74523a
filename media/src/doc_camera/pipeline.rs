//! The document camera's one pipeline, built element by element (a device path never goes through a
//! `gst-launch` description):
//!
//! ```text
//!  v4l2src ─ image/jpeg ─ jpegdec ─ videoconvert ┐
//!  v4l2src ─ video/x-raw ─ videoconvert ─────────┼─ videobalance ─ tee ┬─ queue ─ videoscale ─ videoconvert ─ RGBA W×H ─ appsink (preview)
//!  appsrc (RGBA, live) ──────────────────────────┘                     └─ queue ─ videoconvert ─ RGBA ─ appsink (still)
//! ```
//!
//! Both queues keep one picture and drop the older one (`leaky=downstream`): a busy preview never
//! holds up the stills, and neither ever holds up the camera. The preview is scaled before it is
//! converted, so the conversion works on the small picture.

use gst::prelude::*;

use super::settings::{DocCameraSettings, DocCameraSource, side};
use crate::{MediaError, error::make};

/// The pipeline and the elements the camera works with.
pub(super) struct Parts {
    pub(super) pipeline: gst::Pipeline,
    /// The simulated source's `appsrc`; none for a device.
    pub(super) appsrc: Option<gst_app::AppSrc>,
    /// `videobalance`: the brightness.
    pub(super) balance: gst::Element,
    /// The preview branch's queue: its `overrun` signal counts the pictures it drops.
    pub(super) preview_queue: gst::Element,
    /// RGBA at the preview's size.
    pub(super) preview: gst_app::AppSink,
    /// RGBA at the camera's size.
    pub(super) still: gst_app::AppSink,
}

fn failed(what: &str, e: impl std::fmt::Display) -> MediaError {
    MediaError::Init(format!("the document camera's pipeline: {what}: {e}"))
}

fn capsfilter(caps: &gst::Caps) -> Result<gst::Element, MediaError> {
    let filter = make("capsfilter")?;
    filter.set_property("caps", caps);
    Ok(filter)
}

fn leaky_queue(name: &str) -> Result<gst::Element, MediaError> {
    let queue = make("queue")?;
    queue.set_property("name", name);
    queue.set_property_from_str("leaky", "downstream");
    queue.set_property("max-size-buffers", 1u32);
    queue.set_property("max-size-bytes", 0u32);
    queue.set_property("max-size-time", 0u64);
    Ok(queue)
}

fn appsink(name: &str, caps: &gst::Caps) -> gst_app::AppSink {
    gst_app::AppSink::builder()
        .name(name)
        .caps(caps)
        .max_buffers(1)
        .drop(true)
        .sync(false)
        .enable_last_sample(false)
        .build()
}

fn dimension(value: u32) -> i32 {
    i32::try_from(side(value)).unwrap_or(i32::MAX)
}

/// The source's elements, first to last, and the simulated source's `appsrc`.
fn source(
    source: &DocCameraSource,
) -> Result<(Vec<gst::Element>, Option<gst_app::AppSrc>), MediaError> {
    match source {
        DocCameraSource::Device {
            device,
            width,
            height,
            mjpeg,
        } => {
            let path = device
                .to_str()
                .ok_or_else(|| MediaError::CameraUnavailable {
                    device: device.display().to_string(),
                    reason: "the device path is not valid UTF-8".into(),
                })?;
            let v4l2src = make("v4l2src")?;
            v4l2src.set_property("name", "camera");
            v4l2src.set_property("device", path);
            let (width, height) = (dimension(*width), dimension(*height));
            let elements = if *mjpeg {
                let caps = gst::Caps::builder("image/jpeg")
                    .field("width", width)
                    .field("height", height)
                    .build();
                vec![
                    v4l2src,
                    capsfilter(&caps)?,
                    make("jpegdec")?,
                    make("videoconvert")?,
                ]
            } else {
                let caps = gst_video::VideoCapsBuilder::new()
                    .width(width)
                    .height(height)
                    .build();
                vec![v4l2src, capsfilter(&caps)?, make("videoconvert")?]
            };
            Ok((elements, None))
        }
        DocCameraSource::Simulated { .. } => {
            if gst::ElementFactory::find("appsrc").is_none() {
                return Err(MediaError::MissingElement {
                    element: "appsrc".into(),
                    package: crate::error::package_of("appsrc"),
                });
            }
            let appsrc = gst_app::AppSrc::builder()
                .name("camera")
                .is_live(true)
                .format(gst::Format::Time)
                .do_timestamp(true)
                // The feeder never queues more than `source::QUEUED` pictures (it skips a tick
                // instead, and counts it), so appsrc itself never blocks nor drops.
                .max_buffers(0)
                .max_bytes(0)
                .max_time(gst::ClockTime::ZERO)
                .block(false)
                .build();
            Ok((vec![appsrc.clone().upcast()], Some(appsrc)))
        }
    }
}

/// Builds the pipeline of `settings` (not started).
pub(super) fn build(settings: &DocCameraSettings) -> Result<Parts, MediaError> {
    let (source, appsrc) = source(&settings.source)?;
    let balance = make("videobalance")?;
    balance.set_property("name", "balance");
    let tee = make("tee")?;
    let (width, height) = settings.preview_size();
    let preview_queue = leaky_queue("preview-queue")?;
    let preview_caps = gst_video::VideoCapsBuilder::new()
        .format(gst_video::VideoFormat::Rgba)
        .width(i32::try_from(width).unwrap_or(i32::MAX))
        .height(i32::try_from(height).unwrap_or(i32::MAX))
        .pixel_aspect_ratio(gst::Fraction::new(1, 1))
        .build();
    let preview = appsink("preview", &preview_caps);
    let still_caps = gst_video::VideoCapsBuilder::new()
        .format(gst_video::VideoFormat::Rgba)
        .build();
    let still = appsink("still", &still_caps);
    let preview_branch = [
        preview_queue.clone(),
        make("videoscale")?,
        make("videoconvert")?,
        preview.clone().upcast(),
    ];
    let still_branch = [
        leaky_queue("still-queue")?,
        make("videoconvert")?,
        still.clone().upcast(),
    ];

    let pipeline = gst::Pipeline::with_name("doc-camera");
    let mut trunk = source;
    trunk.push(balance.clone());
    trunk.push(tee.clone());
    for elements in [&trunk[..], &preview_branch[..], &still_branch[..]] {
        pipeline
            .add_many(elements)
            .map_err(|e| failed("adding elements", e))?;
        gst::Element::link_many(elements).map_err(|e| failed("linking", e))?;
    }
    for branch in [&preview_branch[0], &still_branch[0]] {
        tee.link(branch)
            .map_err(|e| failed("linking a branch to the tee", e))?;
    }
    Ok(Parts {
        pipeline,
        appsrc,
        balance,
        preview_queue,
        preview,
        still,
    })
}
