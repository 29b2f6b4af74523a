//! What the panel shows, and how it is drawn at a given moment.

use std::time::Duration;

use embedded_graphics::{pixelcolor::BinaryColor, prelude::*};
use u8g2_fonts::{
    FontRenderer, fonts,
    types::{FontColor, HorizontalAlignment, VerticalPosition},
};

use super::MonoFrame;

/// Something for the panel to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scene {
    /// A call: 请A012号到3号窗口.
    Call {
        /// The ticket number, e.g. `A012`.
        ticket: String,
        /// The window number.
        window: u32,
    },
    /// A notice, scrolled when wider than the panel.
    Message(String),
}

impl Scene {
    /// The text the scene shows.
    pub fn text(&self) -> String {
        match self {
            Self::Call { ticket, window } => format!("请{ticket}号到{window}号窗口"),
            Self::Message(text) => text.clone(),
        }
    }
}

/// The glyph drawn for a character the bitmap font lacks: visible, never silent.
const MISSING_GLYPH: char = '□';

fn renderer(height: u32) -> FontRenderer {
    if height >= 16 {
        FontRenderer::new::<fonts::u8g2_font_wqy16_t_gb2312>()
    } else {
        FontRenderer::new::<fonts::u8g2_font_wqy12_t_gb2312>()
    }
}

/// Replaces characters the font cannot draw with a visible box.
fn drawable(font: &FontRenderer, text: &str) -> String {
    text.chars()
        .map(|c| {
            let mut buf = [0u8; 4];
            match font.get_rendered_dimensions(&*c.encode_utf8(&mut buf), Point::zero(), VerticalPosition::Top) {
                Ok(_) => c,
                Err(_) => MISSING_GLYPH,
            }
        })
        .collect()
}

/// Draws `scene` as it looks `elapsed` after it started: centred when it fits, otherwise scrolling left at
/// `speed_px_per_s` and wrapping around with a gap.
pub fn render(scene: &Scene, elapsed: Duration, speed_px_per_s: u32, frame: &mut MonoFrame) {
    frame.clear_all();
    let font = renderer(frame.height());
    let text = drawable(&font, &scene.text());
    let width = font
        .get_rendered_dimensions(text.as_str(), Point::zero(), VerticalPosition::Top)
        .ok()
        .and_then(|d| d.bounding_box)
        .map_or(0, |b| b.size.width);
    let panel = frame.width();
    let baseline = Point::new(0, frame.height().cast_signed() / 2);
    let color = FontColor::Transparent(BinaryColor::On);
    if width <= panel {
        let centre = Point::new(panel.cast_signed() / 2, baseline.y);
        let _ = font.render_aligned(text.as_str(), centre, VerticalPosition::Center, HorizontalAlignment::Center, color, frame);
    } else {
        let period = u64::from(width + panel / 2);
        let shift = (elapsed.as_millis() as u64 * u64::from(speed_px_per_s) / 1000) % period;
        let x = panel.cast_signed() - shift as i32;
        for start in [x, x + period as i32] {
            let _ = font.render_aligned(
                text.as_str(),
                Point::new(start, baseline.y),
                VerticalPosition::Center,
                HorizontalAlignment::Left,
                color,
                frame,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_text_reads_as_the_hall_expects() {
        let scene = Scene::Call { ticket: "A012".into(), window: 3 };
        assert_eq!(scene.text(), "请A012号到3号窗口");
    }

    #[test]
    fn call_on_a_160x16_panel_fits_and_is_centred() {
        let mut frame = MonoFrame::new(160, 16);
        render(&Scene::Call { ticket: "A012".into(), window: 3 }, Duration::ZERO, 32, &mut frame);
        assert!(frame.lit() > 150, "text drawn:\n{}", frame.to_ascii());
        let columns_lit: Vec<u32> = (0..160).filter(|&x| (0..16).any(|y| frame.get(x, y))).collect();
        let (first, last) = (columns_lit[0], *columns_lit.last().unwrap());
        assert!(first.abs_diff(159 - last) <= 2, "centred: {first}..{last}");
        // A still scene does not move.
        let mut later = MonoFrame::new(160, 16);
        render(&Scene::Call { ticket: "A012".into(), window: 3 }, Duration::from_secs(5), 32, &mut later);
        assert_eq!(frame, later);
    }

    #[test]
    fn long_notice_scrolls_with_time() {
        let scene = Scene::Message("欢迎来到黔江区公共法律服务中心，法律服务热线12348".into());
        let mut a = MonoFrame::new(64, 16);
        let mut b = MonoFrame::new(64, 16);
        render(&scene, Duration::ZERO, 32, &mut a);
        render(&scene, Duration::from_millis(500), 32, &mut b);
        assert_ne!(a, b, "moved 16 px in half a second");
        // Scrolling starts from the right edge: at t=0 only the rightmost part can be lit.
        assert!((0..48).all(|x| (0..16).all(|y| !a.get(x, y))), "{}", a.to_ascii());
    }

    #[test]
    fn missing_glyph_is_a_visible_box() {
        let font = renderer(16);
        assert_eq!(drawable(&font, "请😀"), "请□");
    }
}
