//! The seam between a pipeline and whatever shows its pictures.

use std::time::Duration;

/// One decoded picture in RGBA, 8 bits per channel, borrowed from GStreamer for the duration of a
/// [`FrameSink::frame`] call.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes from the start of one row to the next (at least `width * 4`).
    pub stride: usize,
    /// The pixels: `height` rows of `stride` bytes (the last row may be only `width * 4`).
    pub rgba: &'a [u8],
    /// Presentation time within the clip (none for a live source that gives none).
    pub pts: Option<Duration>,
}

impl<'a> Frame<'a> {
    /// The rows, each exactly `width * 4` bytes; rows missing from a short buffer are left out.
    pub fn rows(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let row = self.width as usize * 4;
        let stride = self.stride.max(row);
        let rgba = self.rgba;
        (0..self.height as usize).map_while(move |y| rgba.get(y * stride..y * stride + row))
    }
}

/// Receives the pictures of a pipeline. Called on a GStreamer streaming thread, once per frame, in
/// presentation order; it must return quickly (copy the pixels and hand them over).
pub trait FrameSink: Send + Sync + 'static {
    /// A new picture.
    fn frame(&self, frame: &Frame<'_>);
}

/// Maps `sample` (RGBA video) and calls `f` with its picture.
pub(crate) fn with_frame(
    sample: &gst::Sample,
    f: impl FnOnce(&Frame<'_>),
) -> Result<(), gst::FlowError> {
    use gst_video::prelude::*;
    let caps = sample.caps().ok_or(gst::FlowError::Error)?;
    let info = gst_video::VideoInfo::from_caps(caps).map_err(|_| gst::FlowError::Error)?;
    let buffer = sample.buffer().ok_or(gst::FlowError::Error)?;
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info)
        .map_err(|_| gst::FlowError::Error)?;
    let rgba = frame.plane_data(0).map_err(|_| gst::FlowError::Error)?;
    f(&Frame {
        width: frame.width(),
        height: frame.height(),
        stride: usize::try_from(frame.plane_stride()[0]).unwrap_or(0),
        rgba,
        pts: buffer.pts().map(|t| Duration::from_nanos(t.nseconds())),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_skip_the_stride_padding_and_stop_at_a_short_buffer() {
        let data: Vec<u8> = (0..22).collect();
        let frame = Frame {
            width: 2,
            height: 3,
            stride: 10,
            rgba: &data,
            pts: None,
        };
        let rows: Vec<&[u8]> = frame.rows().collect();
        assert_eq!(rows.len(), 2, "the third row would need 28 bytes");
        assert_eq!(rows[1], &data[10..18]);
    }
}
