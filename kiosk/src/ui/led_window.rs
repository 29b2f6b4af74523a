//! The simulated panel in a development window: every frame the panel shows, drawn dot for dot in a
//! Slint window, so a developer sees the LED panel on a laptop while it also writes its PNG.

use slint::{ComponentHandle as _, Image};

use crate::ui::LedWindow;
use displays::led::{DOT_PALETTE, LedSink, MonoFrame, SinkError, dot_matrix};

/// Output pixels per LED in the window.
pub const WINDOW_SCALE: u32 = 6;

/// A sink that shows each frame in a [`LedWindow`] and passes it on to another sink (the PNG of the
/// simulated panel, say). Frames are drawn on the UI thread; the window may live on another thread
/// than the panel.
pub struct WindowSink {
    window: slint::Weak<LedWindow>,
    inner: Option<Box<dyn LedSink>>,
    scale: u32,
}

impl WindowSink {
    /// Shows frames in `window` and passes them to `inner`, when any.
    pub fn new(window: &LedWindow, inner: Option<Box<dyn LedSink>>) -> Self {
        Self {
            window: window.as_weak(),
            inner,
            scale: WINDOW_SCALE,
        }
    }
}

impl LedSink for WindowSink {
    fn show(&mut self, frame: &MonoFrame) -> Result<(), SinkError> {
        if let Some(inner) = &mut self.inner {
            inner.show(frame)?;
        }
        let pixels = dot_matrix_rgba(frame, self.scale);
        self.window
            .upgrade_in_event_loop(move |window| window.set_frame(Image::from_rgba8(pixels)))
            .map_err(|err| SinkError::Bus(format!("the LED window is gone: {err}")))
    }
}

/// The dot-matrix picture of `frame` as RGBA pixels, `scale` output pixels per LED (for a window).
fn dot_matrix_rgba(frame: &MonoFrame, scale: u32) -> slint::SharedPixelBuffer<slint::Rgba8Pixel> {
    let scale = scale.max(2);
    let indices = dot_matrix(frame, scale);
    let mut buffer = slint::SharedPixelBuffer::<slint::Rgba8Pixel>::new(
        frame.width() * scale,
        frame.height() * scale,
    );
    for (pixel, index) in buffer.make_mut_slice().iter_mut().zip(indices) {
        let [r, g, b] = DOT_PALETTE[usize::from(index)];
        *pixel = slint::Rgba8Pixel { r, g, b, a: 255 };
    }
    buffer
}
