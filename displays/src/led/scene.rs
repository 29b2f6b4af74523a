//! What the panel shows, and how it is drawn at a given moment.
//!
//! [`draw`] is a pure function of the scene, the time since the scene started and the style: the same
//! arguments always give the same pixels, so scenes are tested as ASCII snapshots at fixed times.
//!
//! Layout by panel height: 32 rows and more give two 16-row lines (WenQuanYi 16 px), 16 to 31 rows one line
//! in 16 px, 12 to 15 rows one line in 12 px, and smaller panels (a MAX7219 strip of 8 rows) an ASCII line in
//! a 5×7 font. Text that fits is centred; text wider than the panel scrolls right to left.

use std::time::Duration;

use embedded_graphics::{
    pixelcolor::{BinaryColor, Rgb888},
    prelude::*,
    primitives::{PrimitiveStyle, Rectangle},
};
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
    /// Between calls: notices, date and time, waiting counts.
    Idle(IdleScene),
}

/// What the panel shows between calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdleScene {
    /// Notices, scrolled one after the other.
    pub notices: Vec<String>,
    /// Date and time as it should read, e.g. `1月5日 星期一 09:30` (the caller formats it, so
    /// drawing stays a pure function).
    pub clock: Option<String>,
    /// Waiting counts per service.
    pub waiting: Vec<WaitingCount>,
}

/// How many tickets wait for one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingCount {
    /// Short service name, e.g. `法律咨询`.
    pub label: String,
    /// Tickets waiting.
    pub waiting: u32,
}

/// Blank space between the end of a scrolling text and its next start, in LEDs.
const MARQUEE_GAP: u32 = 32;
/// Between notices in one marquee.
const SEPARATOR: &str = "　　";

impl IdleScene {
    /// The status line: clock and waiting counts, e.g. `09:30  等候：法律咨询 3人  法律援助 1人`.
    pub fn status_text(&self) -> String {
        let mut parts = Vec::new();
        if let Some(clock) = &self.clock {
            parts.push(clock.clone());
        }
        if !self.waiting.is_empty() {
            let counts: Vec<String> = self
                .waiting
                .iter()
                .map(|w| format!("{} {}人", w.label, w.waiting))
                .collect();
            parts.push(format!("等候：{}", counts.join(" ")));
        }
        parts.join(SEPARATOR)
    }

    /// The notices joined into one marquee text.
    pub fn notices_text(&self) -> String {
        self.notices
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .collect::<Vec<_>>()
            .join(SEPARATOR)
    }

    /// Everything in one line, for single-line panels.
    pub fn single_line(&self) -> String {
        [self.notices_text(), self.status_text()]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(SEPARATOR)
    }

    /// The ASCII-only line for small panels: clock and `prefix:count` pairs.
    fn ascii_line(&self) -> String {
        let mut parts: Vec<String> = self
            .clock
            .iter()
            .map(|c| {
                c.chars()
                    .filter(char::is_ascii)
                    .collect::<String>()
                    .trim()
                    .to_owned()
            })
            .collect();
        parts.extend(self.waiting.iter().map(|w| {
            format!(
                "{}:{}",
                w.label.chars().filter(char::is_ascii).collect::<String>(),
                w.waiting
            )
        }));
        parts.retain(|p| !p.is_empty());
        parts.join("  ")
    }
}

impl Scene {
    /// The text the scene shows on a single-line panel.
    pub fn text(&self) -> String {
        match self {
            Self::Call { ticket, window } => format!("请{ticket}号到{window}号窗口"),
            Self::Message(text) => text.clone(),
            Self::Idle(idle) => idle.single_line(),
        }
    }

    fn lines(&self, layout: Layout) -> Vec<String> {
        match (self, layout) {
            (Self::Call { ticket, window }, Layout::Small) => vec![format!("{ticket}>{window}")],
            (Self::Call { ticket, window }, Layout::TwoLines) => {
                vec![format!("请{ticket}号"), format!("到{window}号窗口")]
            }
            (Self::Idle(idle), Layout::Small) => vec![idle.ascii_line()],
            (Self::Idle(idle), Layout::TwoLines) => vec![idle.status_text(), idle.notices_text()],
            (_, _) => vec![self.text()],
        }
    }
}

/// Colours and motion of the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style<C> {
    /// Marquee speed in LEDs per second.
    pub speed_px_per_s: u32,
    /// How long a call flashes after it starts (zero: never).
    pub highlight: Duration,
    /// Half period of the flashing.
    pub blink: Duration,
    /// Text.
    pub text: C,
    /// Background.
    pub background: C,
    /// Text of a flashing call, in its "on" half.
    pub highlight_text: C,
    /// Background of a flashing call, in its "on" half.
    pub highlight_background: C,
}

impl Style<BinaryColor> {
    /// A single-colour panel: a flashing call is drawn in inverse video.
    pub fn mono(speed_px_per_s: u32, highlight: Duration) -> Self {
        Self {
            speed_px_per_s,
            highlight,
            blink: Duration::from_millis(500),
            text: BinaryColor::On,
            background: BinaryColor::Off,
            highlight_text: BinaryColor::Off,
            highlight_background: BinaryColor::On,
        }
    }
}

impl Style<Rgb888> {
    /// A full-colour panel: amber text; a flashing call alternates yellow on red.
    pub fn rgb(speed_px_per_s: u32, highlight: Duration) -> Self {
        Self {
            speed_px_per_s,
            highlight,
            blink: Duration::from_millis(500),
            text: Rgb888::new(0xff, 0xb0, 0x00),
            background: Rgb888::BLACK,
            highlight_text: Rgb888::new(0xff, 0xf0, 0x00),
            highlight_background: Rgb888::new(0xc0, 0x00, 0x00),
        }
    }
}

/// The glyph drawn for a character the bitmap font lacks: visible, never silent.
const MISSING_GLYPH: char = '□';
/// The same for the ASCII font of small panels.
const MISSING_ASCII: char = '?';

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Fewer than 12 rows: ASCII, 5×7.
    Small,
    /// One line of Chinese text.
    OneLine,
    /// Two lines of 16 px.
    TwoLines,
}

impl Layout {
    fn of(height: u32) -> Self {
        match height {
            0..12 => Self::Small,
            12..32 => Self::OneLine,
            _ => Self::TwoLines,
        }
    }
}

fn renderer(layout: Layout, line_height: u32) -> FontRenderer {
    match layout {
        Layout::Small => FontRenderer::new::<fonts::u8g2_font_5x7_tf>(),
        _ if line_height >= 16 => FontRenderer::new::<fonts::u8g2_font_wqy16_t_gb2312>(),
        _ => FontRenderer::new::<fonts::u8g2_font_wqy12_t_gb2312>(),
    }
}

fn has_glyph(font: &FontRenderer, c: char) -> bool {
    let mut buf = [0u8; 4];
    font.get_rendered_dimensions(
        &*c.encode_utf8(&mut buf),
        Point::zero(),
        VerticalPosition::Top,
    )
    .is_ok()
}

/// Replaces characters the font cannot draw with a visible box.
fn drawable(font: &FontRenderer, text: &str, missing: char) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .map(|c| if has_glyph(font, c) { c } else { missing })
        .collect()
}

/// The rows a font's glyphs cover when drawn at `VerticalPosition::Top` y = 0: (first row, height).
/// Measured on tall and deep glyphs, so every line of a font sits at the same height.
fn font_rows(font: &FontRenderer) -> (i32, u32) {
    ["国Ajgy|", "Ajgy|"]
        .iter()
        .find_map(|probe| {
            font.get_rendered_dimensions(*probe, Point::zero(), VerticalPosition::Top)
                .ok()
                .and_then(|d| d.bounding_box)
        })
        .map_or((0, 0), |b| (b.top_left.y, b.size.height))
}

/// Width of `text` in LEDs (its advance, so trailing spaces count).
fn text_width(font: &FontRenderer, text: &str) -> u32 {
    font.get_rendered_dimensions(text, Point::zero(), VerticalPosition::Top)
        .map_or(0, |d| u32::try_from(d.advance.x).unwrap_or(0))
}

/// Draws `scene` into a single-colour frame as it looks `elapsed` after it started, without flashing.
pub fn render(scene: &Scene, elapsed: Duration, speed_px_per_s: u32, frame: &mut MonoFrame) {
    draw(
        scene,
        elapsed,
        &Style::mono(speed_px_per_s, Duration::ZERO),
        frame,
    );
}

/// Draws `scene` as it looks `elapsed` after it started: lines that fit are centred, wider ones scroll left
/// at the style's speed and wrap around with a gap; a call flashes during the style's highlight time.
pub fn draw<D>(scene: &Scene, elapsed: Duration, style: &Style<D::Color>, target: &mut D)
where
    D: DrawTarget + OriginDimensions,
{
    let size = target.size();
    let flashing = matches!(scene, Scene::Call { .. })
        && elapsed < style.highlight
        && (elapsed.as_millis() / style.blink.as_millis().max(1)).is_multiple_of(2);
    let (fg, bg) = if flashing {
        (style.highlight_text, style.highlight_background)
    } else {
        (style.text, style.background)
    };
    let _ = Rectangle::new(Point::zero(), size)
        .into_styled(PrimitiveStyle::with_fill(bg))
        .draw(target);
    if size.width == 0 || size.height == 0 {
        return;
    }
    let layout = Layout::of(size.height);
    let lines = scene.lines(layout);
    let line_height = size.height / u32::try_from(lines.len().max(1)).unwrap_or(1);
    let font = renderer(layout, line_height);
    let missing = if layout == Layout::Small {
        MISSING_ASCII
    } else {
        MISSING_GLYPH
    };
    let (glyph_top, glyph_height) = font_rows(&font);
    for (i, line) in lines.iter().enumerate() {
        let top = (line_height * u32::try_from(i).unwrap_or(0)).cast_signed();
        // Centre the glyph rows in the line (a 16-row font on a 16-row line fills it exactly).
        let top_y = top + (line_height.cast_signed() - glyph_height.cast_signed()) / 2 - glyph_top;
        draw_line(
            &font,
            &drawable(&font, line, missing),
            top_y,
            elapsed,
            style.speed_px_per_s,
            fg,
            size.width,
            target,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_line<D: DrawTarget>(
    font: &FontRenderer,
    text: &str,
    top_y: i32,
    elapsed: Duration,
    speed_px_per_s: u32,
    colour: D::Color,
    panel: u32,
    target: &mut D,
) {
    if text.trim().is_empty() {
        return;
    }
    let width = text_width(font, text);
    let colour = FontColor::Transparent(colour);
    if width <= panel {
        let centre = Point::new((panel / 2).cast_signed(), top_y);
        let _ = font.render_aligned(
            text,
            centre,
            VerticalPosition::Top,
            HorizontalAlignment::Center,
            colour,
            target,
        );
        return;
    }
    let period = u64::from(width + MARQUEE_GAP.max(panel / 4));
    let shift = marquee_shift(elapsed, speed_px_per_s) % period;
    let x = i64::from(panel) - i64::try_from(shift).unwrap_or(0);
    for start in [x, x + i64::try_from(period).unwrap_or(0)] {
        // Only draw copies that can reach the panel.
        if start < i64::from(panel) && start + i64::from(width) > 0 {
            let origin = Point::new(i32::try_from(start).unwrap_or(0), top_y);
            let _ = font.render_aligned(
                text,
                origin,
                VerticalPosition::Top,
                HorizontalAlignment::Left,
                colour,
                target,
            );
        }
    }
}

/// How far a marquee has moved after `elapsed`, in LEDs.
fn marquee_shift(elapsed: Duration, speed_px_per_s: u32) -> u64 {
    u64::try_from(
        elapsed
            .as_millis()
            .saturating_mul(u128::from(speed_px_per_s))
            / 1000,
    )
    .unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_text_reads_as_the_hall_expects() {
        let scene = Scene::Call {
            ticket: "A012".into(),
            window: 3,
        };
        assert_eq!(scene.text(), "请A012号到3号窗口");
    }

    #[test]
    fn call_on_a_160x16_panel_fits_and_is_centred() {
        let mut frame = MonoFrame::new(160, 16);
        render(
            &Scene::Call {
                ticket: "A012".into(),
                window: 3,
            },
            Duration::ZERO,
            32,
            &mut frame,
        );
        assert!(frame.lit() > 150, "text drawn:\n{}", frame.to_ascii());
        let columns_lit: Vec<u32> = (0..160)
            .filter(|&x| (0..16).any(|y| frame.get(x, y)))
            .collect();
        let (first, last) = (columns_lit[0], *columns_lit.last().unwrap());
        assert!(first.abs_diff(159 - last) <= 2, "centred: {first}..{last}");
        // A still scene does not move.
        let mut later = MonoFrame::new(160, 16);
        render(
            &Scene::Call {
                ticket: "A012".into(),
                window: 3,
            },
            Duration::from_secs(5),
            32,
            &mut later,
        );
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
        assert!(
            (0..48).all(|x| (0..16).all(|y| !a.get(x, y))),
            "{}",
            a.to_ascii()
        );
    }

    #[test]
    fn missing_glyph_is_a_visible_box() {
        let font = renderer(Layout::OneLine, 16);
        assert_eq!(drawable(&font, "请😀", MISSING_GLYPH), "请□");
    }

    #[test]
    fn huge_times_and_empty_panels_do_not_panic() {
        let scene = Scene::Message("很长的通知".repeat(20));
        let mut frame = MonoFrame::new(0, 0);
        render(&scene, Duration::MAX, u32::MAX, &mut frame);
        let mut frame = MonoFrame::new(3, 1);
        render(&scene, Duration::MAX, u32::MAX, &mut frame);
    }
}
