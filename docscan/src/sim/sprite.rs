//! The face of a simulated sheet or card, drawn once at the size it has in the camera's frame
//! and then only moved and turned for each frame.

use ab_glyph::{Font as _, PxScale, ScaleFont as _, point};

use super::SimPageKind;
use super::font::SimFont;
use super::noise::{Rng, hash_str};

/// An A4 sheet, portrait (mm).
pub(crate) const A4_MM: (f32, f32) = (210.0, 297.0);
/// A resident ID card, ISO/IEC 7810 ID-1, landscape (mm).
pub(crate) const ID_CARD_MM: (f32, f32) = (85.6, 54.0);
/// The corner radius of an ID card (mm).
pub(crate) const ID_CARD_RADIUS_MM: f32 = 3.18;

/// Paragraphs of an application for legal aid, the kind of paper the kiosk scans.
const BODY: [&str; 6] = [
    "申请人因家庭经济困难，无力支付律师费用，特向黔江区法律援助中心申请法律援助。",
    "申请人自二〇二五年三月起在本区某建筑工地务工，用人单位拖欠工资共计人民币一万二千元，经多次协商未果。",
    "现请求法律援助机构指派律师，代理申请人申请劳动仲裁，依法维护申请人的合法权益。",
    "经济困难情况：经村（居）民委员会核实，该户家庭成员三人，家庭人均月收入低于本地最低生活保障标准。",
    "申请人承诺以上所填内容及提交的证明材料真实有效，如有虚假，愿意承担相应的法律责任。",
    "附件：身份证复印件一份，劳动合同复印件一份，工资欠条复印件一份，经济困难证明一份。",
];

/// The drawn face: packed RGB rows, one pixel per frame pixel.
#[derive(Debug, Clone)]
pub(crate) struct Sprite {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) rgb: Vec<u8>,
    /// Corner radius in pixels (0 for paper).
    pub(crate) radius: f32,
}

/// Draws the face of a page `width × height` pixels at `px_per_mm`.
pub(crate) fn draw(
    kind: SimPageKind,
    title: &str,
    width: usize,
    height: usize,
    px_per_mm: f32,
    font: Option<&SimFont>,
) -> Sprite {
    let mut canvas = Canvas {
        width,
        height,
        rgb: Vec::new(),
        mm: px_per_mm,
        font,
    };
    let mut radius = 0.0;
    match kind {
        SimPageKind::Document => {
            canvas.fill([241, 239, 232]);
            document(&mut canvas, title);
        }
        SimPageKind::Blank | SimPageKind::Black => canvas.fill([241, 239, 232]),
        SimPageKind::IdCard => {
            canvas.card_background();
            id_card(&mut canvas, title);
            radius = ID_CARD_RADIUS_MM * px_per_mm;
        }
    }
    Sprite {
        width,
        height,
        rgb: canvas.rgb,
        radius,
    }
}

/// A sheet of paper: heading, body paragraphs, signature lines and a red seal.
fn document(c: &mut Canvas<'_>, title: &str) {
    const INK: [u8; 3] = [24, 24, 30];
    const TEXT: [u8; 3] = [70, 70, 78];
    let (left, right) = (25.0, A4_MM.0 - 20.0);
    let heading_em = 7.0;
    let heading_w = c.text_width(title, heading_em);
    let x = (A4_MM.0 - heading_w) / 2.0;
    c.text(title, x.max(left), 34.0, heading_em, INK);

    let em = 4.2;
    let pitch = 7.6;
    let mut baseline = 50.0;
    let mut rng = Rng::new(hash_str(title));
    let first = (rng.next_u64() % BODY.len() as u64) as usize;
    // The paragraphs from a title-dependent start, repeated until the text area is full.
    'paragraphs: for p in 0..2 * BODY.len() {
        let paragraph = BODY[(first + p) % BODY.len()];
        // Two full-width spaces of indent, as Chinese paragraphs have.
        let mut x = left + 2.0 * em;
        for ch in paragraph.chars() {
            let adv = c.char_width(ch, em);
            // Punctuation never starts a line: it hangs in the margin instead.
            if x + adv > right && !"，。、；：）》」".contains(ch) {
                baseline += pitch;
                x = left;
            }
            if baseline > 225.0 {
                break 'paragraphs;
            }
            c.char(ch, x, baseline, em, TEXT);
            x += adv;
        }
        baseline += pitch * 1.4;
    }
    c.text("申请人（签名）：", 98.0, 250.0, em, TEXT);
    c.text("二〇二六年十二月七日", 120.0, 264.0, em, TEXT);
    let seal = [196, 36, 40];
    let (seal_x, seal_y, seal_em) = (160.0, 254.0, 3.0);
    c.ring(seal_x, seal_y, 18.0, 1.1, seal);
    let name = "黔江区法律援助中心";
    let name_w = c.text_width(name, seal_em);
    c.text(
        name,
        seal_x - name_w / 2.0,
        seal_y + seal_em * 0.35,
        seal_em,
        seal,
    );
}

/// The front of a card: a title, a photo and the fields.
fn id_card(c: &mut Canvas<'_>, title: &str) {
    const INK: [u8; 3] = [38, 40, 52];
    c.text(title, 6.0, 9.5, 3.8, INK);
    c.rect(60.0, 12.0, 80.0, 38.0, [168, 176, 190]);
    c.rect(65.0, 16.0, 75.0, 26.0, [120, 112, 108]);
    let fields = [
        ("姓名", "示例"),
        ("性别", "男  民族  汉"),
        ("出生", "1990 年 1 月 1 日"),
        ("住址", "重庆市黔江区城西街道"),
    ];
    let mut baseline = 17.0;
    for (label, value) in fields {
        c.text(label, 6.0, baseline, 2.6, [70, 110, 160]);
        c.text(value, 15.0, baseline, 2.8, INK);
        baseline += 6.5;
    }
    c.text("公民身份号码", 6.0, 48.0, 2.6, [70, 110, 160]);
    c.text("990000199001019992", 26.0, 48.0, 3.4, INK);
}

/// An RGB canvas measured in millimetres.
struct Canvas<'f> {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
    /// Pixels per millimetre.
    mm: f32,
    font: Option<&'f SimFont>,
}

impl Canvas<'_> {
    fn fill(&mut self, colour: [u8; 3]) {
        self.rgb = colour.repeat(self.width * self.height);
    }

    /// The security-printed look of a card: a pale gradient with faint waves.
    fn card_background(&mut self) {
        self.rgb = Vec::with_capacity(self.width * self.height * 3);
        let wave = 2.0 * std::f32::consts::PI / (4.0 * self.mm);
        for y in 0..self.height {
            for x in 0..self.width {
                let t = x as f32 / self.width.max(1) as f32;
                let w = ((x as f32 + 0.6 * y as f32) * wave).sin() * 2.5;
                let r = 226.0 - 10.0 * t + w;
                let g = 232.0 - 6.0 * t + w;
                let b = 236.0 + 4.0 * t + w;
                self.rgb
                    .extend_from_slice(&[r as u8, g as u8, b.min(255.0) as u8]);
            }
        }
    }

    /// Blends `colour` over pixel (x, y) with coverage `a` (0–1); outside is ignored.
    #[inline]
    fn blend(&mut self, x: i64, y: i64, a: f32, colour: [u8; 3]) {
        if x < 0 || y < 0 || x as usize >= self.width || y as usize >= self.height {
            return;
        }
        let i = (y as usize * self.width + x as usize) * 3;
        let a = a.clamp(0.0, 1.0);
        for (dst, &src) in self.rgb[i..i + 3].iter_mut().zip(&colour) {
            *dst = (f32::from(*dst) * (1.0 - a) + f32::from(src) * a).round() as u8;
        }
    }

    /// A filled rectangle between two corners given in mm.
    fn rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, colour: [u8; 3]) {
        let (x0, y0, x1, y1) = (x0 * self.mm, y0 * self.mm, x1 * self.mm, y1 * self.mm);
        for y in y0.floor() as i64..y1.ceil() as i64 {
            let cy = (y1.min(y as f32 + 1.0) - y0.max(y as f32)).clamp(0.0, 1.0);
            for x in x0.floor() as i64..x1.ceil() as i64 {
                let cx = (x1.min(x as f32 + 1.0) - x0.max(x as f32)).clamp(0.0, 1.0);
                self.blend(x, y, cx * cy, colour);
            }
        }
    }

    /// A ring (a seal's outline) centred at (cx, cy) mm.
    fn ring(&mut self, cx: f32, cy: f32, radius: f32, line: f32, colour: [u8; 3]) {
        let (cx, cy, r, half) = (
            cx * self.mm,
            cy * self.mm,
            radius * self.mm,
            (line * self.mm / 2.0).max(0.5),
        );
        let reach = r + half + 1.0;
        for y in (cy - reach).floor() as i64..=(cy + reach).ceil() as i64 {
            for x in (cx - reach).floor() as i64..=(cx + reach).ceil() as i64 {
                let d = ((x as f32 + 0.5 - cx).hypot(y as f32 + 0.5 - cy) - r).abs();
                let a = (half + 0.5 - d).clamp(0.0, 1.0);
                if a > 0.0 {
                    // Seal ink is translucent.
                    self.blend(x, y, 0.85 * a, colour);
                }
            }
        }
    }

    /// The advance of one character at an em of `em` mm, in mm.
    fn char_width(&self, ch: char, em: f32) -> f32 {
        match self.font {
            Some(font) => {
                let f = &font.0;
                f.as_scaled(self.scale(em)).h_advance(f.glyph_id(ch)) / self.mm
            }
            None if ch.is_ascii() => em * 0.55,
            None => em,
        }
    }

    fn text_width(&self, text: &str, em: f32) -> f32 {
        text.chars().map(|ch| self.char_width(ch, em)).sum()
    }

    /// ab_glyph scales so that ascent − descent is the pixel size; convert an em.
    fn scale(&self, em: f32) -> PxScale {
        let k = self.font.map_or(1.0, |font| {
            let f = &font.0;
            f.height_unscaled() / f.units_per_em().unwrap_or(1000.0)
        });
        PxScale::from(em * self.mm * k)
    }

    /// Draws a line of text starting at x mm on the baseline y mm.
    fn text(&mut self, text: &str, x: f32, baseline: f32, em: f32, colour: [u8; 3]) {
        let mut x = x;
        for ch in text.chars() {
            self.char(ch, x, baseline, em, colour);
            x += self.char_width(ch, em);
        }
    }

    /// Draws one character at x mm on the baseline y mm: its glyph, or a text-like block
    /// without a font.
    fn char(&mut self, ch: char, x: f32, baseline: f32, em: f32, colour: [u8; 3]) {
        if ch.is_whitespace() || ch == '\u{3000}' {
            return;
        }
        let Some(font) = self.font else {
            let w = self.char_width(ch, em);
            let mut rng = Rng::new(u64::from(ch));
            // A block with a stroke-like density: lighter than solid ink.
            let density = rng.range(0.35, 0.6);
            let (x0, x1) = (x + 0.08 * w, x + 0.92 * w);
            let (y0, y1) = (baseline - 0.8 * em, baseline);
            let (px0, py0, px1, py1) = (x0 * self.mm, y0 * self.mm, x1 * self.mm, y1 * self.mm);
            for y in py0.floor() as i64..py1.ceil() as i64 {
                for xx in px0.floor() as i64..px1.ceil() as i64 {
                    // A fixed pattern of strokes, not a flat grey.
                    let on = (xx * 7 + y * 3 + i64::from(ch as u32)) % 5 < 2;
                    self.blend(
                        xx,
                        y,
                        if on { density * 1.6 } else { density * 0.3 },
                        colour,
                    );
                }
            }
            return;
        };
        let f = font.0.clone();
        let glyph = f
            .glyph_id(ch)
            .with_scale_and_position(self.scale(em), point(x * self.mm, baseline * self.mm));
        if let Some(outlined) = f.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            let (ox, oy) = (bounds.min.x.floor() as i64, bounds.min.y.floor() as i64);
            outlined.draw(|gx, gy, coverage| {
                self.blend(ox + i64::from(gx), oy + i64::from(gy), coverage, colour);
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_have_ink_and_blank_pages_do_not() {
        let doc = draw(SimPageKind::Document, "法律援助申请表", 210, 297, 1.0, None);
        assert_eq!(doc.rgb.len(), 210 * 297 * 3);
        let dark = doc.rgb.chunks_exact(3).filter(|p| p[0] < 150).count();
        assert!(dark > 1000, "{dark}");
        let blank = draw(SimPageKind::Blank, "", 210, 297, 1.0, None);
        assert!(blank.rgb.chunks_exact(3).all(|p| p == [241, 239, 232]));
        let card = draw(SimPageKind::IdCard, "居民身份证", 86, 54, 1.0, None);
        assert!(card.radius > 3.0);
    }
}
