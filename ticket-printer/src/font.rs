//! The bundled font (Noto Sans CJK SC, OFL) and text rendering into one-bit bitmaps.
//!
//! Both the rare-character fallback of the encoder and the virtual printer draw text the way
//! a Chinese printer's resident font lays it out: a half-width cell of 12 × 24 dots for ASCII
//! and a full-width cell of 24 × 24 dots for everything else, multiplied by the character
//! size (`GS !`).

use ab_glyph::{Font as _, FontRef, PxScale, ScaleFont as _};
use std::sync::OnceLock;

use crate::bitmap::Bitmap;

/// Width in dots of a half-width (ASCII) character cell, font A.
pub const HALF_WIDTH: u16 = 12;
/// Width in dots of a full-width (Hanzi) character cell.
pub const FULL_WIDTH: u16 = 24;
/// Height in dots of a character cell.
pub const CELL_HEIGHT: u16 = 24;

static BUNDLED: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular.otf");

/// The bundled font's bytes (Noto Sans SC Regular, SIL OFL 1.1), for other renderers linked into the
/// same binary (the kiosk's simulated document camera draws its test pages with it), so the 16 MB are
/// carried once.
pub fn bundled_font_bytes() -> &'static [u8] {
    BUNDLED
}

/// A font that renders printer-style character cells.
pub struct Font {
    face: FontRef<'static>,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Font(Noto Sans CJK SC)")
    }
}

/// Text style of a run of characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellStyle {
    /// Width multiplier (1..=8).
    pub width: u8,
    /// Height multiplier (1..=8).
    pub height: u8,
    /// Emphasised (drawn twice, one dot apart).
    pub bold: bool,
    /// Underlined.
    pub underline: bool,
}

impl Default for CellStyle {
    fn default() -> Self {
        Self {
            width: 1,
            height: 1,
            bold: false,
            underline: false,
        }
    }
}

impl Font {
    /// The bundled Noto Sans CJK SC face, parsed once.
    pub fn bundled() -> &'static Self {
        static FONT: OnceLock<Font> = OnceLock::new();
        FONT.get_or_init(|| Self {
            // The bundled file is a valid OpenType font; a parse failure is a build defect.
            face: FontRef::try_from_slice(BUNDLED).expect("bundled font parses"),
        })
    }

    /// Width in dots of a character cell for `c` at width multiplier `width`.
    pub fn cell_width(c: char, width: u8) -> usize {
        let base = if c.is_ascii() { HALF_WIDTH } else { FULL_WIDTH };
        usize::from(base) * usize::from(width.clamp(1, 8))
    }

    /// Width in dots of `text` at a given style.
    pub fn text_width(text: &str, style: CellStyle) -> usize {
        text.chars().map(|c| Self::cell_width(c, style.width)).sum()
    }

    /// Whether the font has a glyph for `c`.
    pub fn has_glyph(&self, c: char) -> bool {
        self.face.glyph_id(c).0 != 0
    }

    /// Draws one character into its cell with top-left corner (x, y); returns the cell width.
    pub fn draw_char(
        &self,
        target: &mut Bitmap,
        x: usize,
        y: usize,
        c: char,
        style: CellStyle,
    ) -> usize {
        let (wm, hm) = (
            usize::from(style.width.clamp(1, 8)),
            usize::from(style.height.clamp(1, 8)),
        );
        let cell_w = Self::cell_width(c, style.width);
        let cell_h = usize::from(CELL_HEIGHT) * hm;
        if c == ' ' || c == '\u{3000}' {
            self.underline(target, x, y, cell_w, cell_h, style);
            return cell_w;
        }
        if !self.has_glyph(c) {
            // A hollow box rather than nothing: a missing glyph must be visible.
            let (bx, by, bw, bh) = (
                x + 2 * wm,
                y + 3 * hm,
                cell_w.saturating_sub(4 * wm),
                cell_h.saturating_sub(6 * hm),
            );
            for xx in bx..bx + bw {
                target.set(xx, by, true);
                target.set(xx, by + bh.saturating_sub(1), true);
            }
            for yy in by..by + bh {
                target.set(bx, yy, true);
                target.set(bx + bw.saturating_sub(1), yy, true);
            }
            return cell_w;
        }
        // ab_glyph scales so that ascent − descent equals the pixel size; the printer's cell
        // is one em high, so convert em pixels to that scale.
        let k = self.face.height_unscaled() / self.face.units_per_em().unwrap_or(1000.0);
        let em_y = f32::from(CELL_HEIGHT) * hm as f32;
        let mut em_x = f32::from(CELL_HEIGHT) * wm as f32;
        let id = self.face.glyph_id(c);
        let advance = self
            .face
            .as_scaled(PxScale {
                x: em_x * k,
                y: em_y * k,
            })
            .h_advance(id);
        if advance > cell_w as f32 {
            em_x *= cell_w as f32 / advance;
        }
        let scale = PxScale {
            x: em_x * k,
            y: em_y * k,
        };
        let advance = self.face.as_scaled(scale).h_advance(id);
        // CJK fonts put the ideographic em box 0.88 em above and 0.12 em below the baseline.
        let baseline = y as f32 + 0.88 * em_y;
        let left = x as f32 + (cell_w as f32 - advance) / 2.0;
        let glyph = id.with_scale_and_position(scale, ab_glyph::point(left, baseline));
        if let Some(outlined) = self.face.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            let (ox, oy) = (bounds.min.x.floor() as i64, bounds.min.y.floor() as i64);
            outlined.draw(|gx, gy, coverage| {
                if coverage >= 0.5 {
                    let (px, py) = (ox + i64::from(gx), oy + i64::from(gy));
                    if px >= 0 && py >= 0 {
                        let (px, py) = (px as usize, py as usize);
                        // Keep strokes inside the cell so neighbours never overlap.
                        if px < x + cell_w && py < y + cell_h {
                            target.set(px, py, true);
                            if style.bold && px + 1 < x + cell_w {
                                target.set(px + 1, py, true);
                            }
                        }
                    }
                }
            });
        }
        self.underline(target, x, y, cell_w, cell_h, style);
        cell_w
    }

    fn underline(
        &self,
        target: &mut Bitmap,
        x: usize,
        y: usize,
        w: usize,
        h: usize,
        style: CellStyle,
    ) {
        if style.underline {
            target.fill_rect(x, y + h - 2, w, 2);
        }
    }

    /// Draws `text` left to right from (x, y); returns the width drawn.
    pub fn draw_text(
        &self,
        target: &mut Bitmap,
        x: usize,
        y: usize,
        text: &str,
        style: CellStyle,
    ) -> usize {
        let mut cx = x;
        for c in text.chars() {
            cx += self.draw_char(target, cx, y, c, style);
        }
        cx - x
    }

    /// Renders `text` as an image exactly one character cell high.
    pub fn render_line(&self, text: &str, style: CellStyle) -> Bitmap {
        let h = usize::from(CELL_HEIGHT) * usize::from(style.height.clamp(1, 8));
        let mut bitmap = Bitmap::new(Self::text_width(text, style), h);
        self.draw_text(&mut bitmap, 0, 0, text, style);
        bitmap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_font_covers_rare_name_characters() {
        let font = Font::bundled();
        for c in ['黔', 'A', '𠮷', '䶮', '￥'] {
            assert!(font.has_glyph(c), "{c}");
        }
    }

    #[test]
    fn rendering_puts_ink_in_the_cell() {
        let font = Font::bundled();
        let img = font.render_line("A黔", CellStyle::default());
        assert_eq!((img.width(), img.height()), (36, 24));
        assert!(img.count_black_in(0, 0, 12, 24) > 10);
        assert!(img.count_black_in(12, 0, 24, 24) > 40);
        let big = font.render_line(
            "A",
            CellStyle {
                width: 2,
                height: 2,
                ..CellStyle::default()
            },
        );
        assert_eq!((big.width(), big.height()), (24, 48));
        assert!(big.count_black() > img.count_black_in(0, 0, 12, 24) * 2);
    }
}
