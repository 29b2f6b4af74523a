//! The cameras GStreamer's device monitor sees (`Video/Source`): for the technician's settings page,
//! to pick the document camera's device node.

use std::path::PathBuf;

use gst::prelude::*;

use crate::MediaError;

/// A camera the system offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraDevice {
    /// The name the device gives, e.g. `USB Document Camera: USB Document`.
    pub name: String,
    /// Its device node (`/dev/video2`), when the provider says (V4L2 does).
    pub path: Option<PathBuf>,
}

/// The video sources present now; none is an empty list, not an error.
pub(super) fn list() -> Result<Vec<CameraDevice>, MediaError> {
    crate::init()?;
    let monitor = gst::DeviceMonitor::new();
    monitor.add_filter(Some("Video/Source"), None);
    if let Err(e) = monitor.start() {
        return Err(if gst::ElementFactory::find("v4l2src").is_none() {
            MediaError::MissingElement {
                element: "v4l2src".into(),
                package: crate::error::package_of("v4l2src"),
            }
        } else {
            MediaError::CameraUnavailable {
                device: "the device monitor".into(),
                reason: e.to_string(),
            }
        });
    }
    let mut found: Vec<CameraDevice> = Vec::new();
    for device in monitor.devices() {
        let path = device.properties().and_then(|p| {
            ["device.path", "api.v4l2.path"]
                .iter()
                .find_map(|field| p.get::<String>(*field).ok())
                .map(PathBuf::from)
        });
        // The same camera can come from two providers (V4L2, PipeWire): listed once.
        if path.is_some() && found.iter().any(|d| d.path == path) {
            continue;
        }
        found.push(CameraDevice {
            name: device.display_name().to_string(),
            path,
        });
    }
    monitor.stop();
    Ok(found)
}
