//! The simulated desk: camera frames of test pages, so the kiosk runs without a document
//! camera and the tests know where the sheet really is.
//!
//! A frame is a dark desk (a faint texture, lit brighter in the middle than at the corners)
//! with a sheet on it: an A4 page with a Chinese heading, grey body text and a red seal, a
//! blank page, or an ID card with rounded corners; or a nearly black frame (the lens
//! covered). The sheet is turned and moved as asked, its edges anti-aliased, and every frame
//! gets its own sensor noise. Everything is deterministic: the same desk seed, page and frame
//! number give the same pixels.
//!
//! Speed: the face of the page is drawn once (and kept while the same page is shown), each
//! frame only copies the desk, turns the face into place and adds noise; see the README's
//! figures.
//!
//! ```
//! use docscan::sim::{SimPage, SimulatedDesk};
//!
//! let mut desk = SimulatedDesk::new(640, 480, 1);
//! let frame = desk.render(&SimPage::document("法律援助申请表").turned(5.0), 0);
//! let found = docscan::detect_page(&frame.view()).unwrap();
//! assert!(found.max_corner_distance(&frame.corners.unwrap()) < 3.0);
//! ```

mod font;
mod noise;
mod sprite;

pub use font::{FontError, SimFont};

use crate::geometry::{Point, Quad};
use crate::view::RgbaView;
use noise::{Rng, hash};
use sprite::{A4_MM, ID_CARD_MM, Sprite};

/// The smallest frame side the desk renders (pixels); smaller requests are raised to it.
pub const MIN_FRAME_SIDE: u32 = 16;
/// The largest frame side the desk renders (pixels); larger requests are lowered to it.
pub const MAX_FRAME_SIDE: u32 = 8192;

/// What lies under the camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimPageKind {
    /// An A4 sheet (portrait) with a heading (the title), body text and a red seal.
    Document,
    /// A resident ID card (85.6 × 54 mm, rounded corners), the title as its heading.
    IdCard,
    /// An A4 sheet with nothing on it (or one placed face down).
    Blank,
    /// No page: the lens is covered, the frame is nearly black.
    Black,
}

/// A page placed on the simulated desk.
#[derive(Debug, Clone, PartialEq)]
pub struct SimPage {
    /// The heading drawn on the page (Chinese with a font, text-like blocks without).
    pub title: String,
    /// How far the page is turned, in degrees; positive is clockwise on screen.
    pub angle_degrees: f32,
    /// Where the page's centre is, from the frame's centre, as a share of the frame's width
    /// and height (so a preview and a still of the same scene agree): `(0.1, 0.0)` is a tenth
    /// of the width to the right.
    pub offset: (f32, f32),
    /// What it is.
    pub kind: SimPageKind,
}

impl SimPage {
    /// An A4 document with this heading, straight and centred.
    pub fn document(title: impl Into<String>) -> Self {
        Self::new(title.into(), SimPageKind::Document)
    }

    /// An ID card with this heading, straight and centred.
    pub fn id_card(title: impl Into<String>) -> Self {
        Self::new(title.into(), SimPageKind::IdCard)
    }

    /// A blank A4 sheet, straight and centred.
    pub fn blank() -> Self {
        Self::new(String::new(), SimPageKind::Blank)
    }

    /// A covered lens.
    pub fn black() -> Self {
        Self::new(String::new(), SimPageKind::Black)
    }

    fn new(title: String, kind: SimPageKind) -> Self {
        Self {
            title,
            angle_degrees: 0.0,
            offset: (0.0, 0.0),
            kind,
        }
    }

    /// The same page turned by `degrees` (clockwise on screen).
    pub fn turned(mut self, degrees: f32) -> Self {
        self.angle_degrees = degrees;
        self
    }

    /// The same page moved; see [`SimPage::offset`].
    pub fn moved(mut self, dx: f32, dy: f32) -> Self {
        self.offset = (dx, dy);
        self
    }

    /// The physical size in millimetres (width, height), `None` for [`SimPageKind::Black`].
    pub fn size_mm(&self) -> Option<(f32, f32)> {
        match self.kind {
            SimPageKind::Document | SimPageKind::Blank => Some(A4_MM),
            SimPageKind::IdCard => Some(ID_CARD_MM),
            SimPageKind::Black => None,
        }
    }
}

/// One rendered camera frame.
#[derive(Debug, Clone, PartialEq)]
pub struct SimFrame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Packed RGBA rows (alpha 255).
    pub rgba: Vec<u8>,
    /// Where the page's corners really are (the ground truth for tests), `None` without a page.
    pub corners: Option<Quad>,
}

impl SimFrame {
    /// The frame as a view for [`detect_page`](crate::detect_page) and [`scan`](crate::scan).
    pub fn view(&self) -> RgbaView<'_> {
        RgbaView::packed(self.width, self.height, &self.rgba)
    }

    /// The frame as an `image` buffer (to save as PNG, say).
    pub fn into_rgba_image(self) -> Option<image::RgbaImage> {
        image::RgbaImage::from_raw(self.width, self.height, self.rgba)
    }
}

/// Where and how a page lies in the frame.
#[derive(Debug, Clone, Copy)]
struct Placement {
    /// Width and height in pixels.
    size: (f32, f32),
    /// The page's centre in the frame.
    centre: Point,
    /// Cosine and sine of the turn.
    cos: f32,
    sin: f32,
}

/// Which face is drawn: a cached face is reused while the key stays the same.
#[derive(Debug, Clone, PartialEq)]
struct FaceKey {
    kind: SimPageKind,
    title: String,
    width: usize,
    height: usize,
}

/// A desk under a simulated document camera, rendering frames of a fixed size.
///
/// Holds the desk's picture and the last page's face, so rendering takes `&mut self`.
#[derive(Debug, Clone)]
pub struct SimulatedDesk {
    width: usize,
    height: usize,
    seed: u64,
    font: Option<SimFont>,
    /// The desk, lit, as packed RGBA.
    desk: Vec<u8>,
    /// The light falling on each pixel, 0–256 (256: the centre of the frame).
    light: Vec<u16>,
    face: Option<(FaceKey, Sprite)>,
}

impl SimulatedDesk {
    /// A desk seen at `width × height` pixels (each clamped to
    /// [`MIN_FRAME_SIDE`]..=[`MAX_FRAME_SIDE`]), its texture and noise drawn from `seed`.
    /// Without a font ([`SimulatedDesk::with_font`]) text is drawn as text-like blocks.
    pub fn new(width: u32, height: u32, seed: u64) -> Self {
        let width = width.clamp(MIN_FRAME_SIDE, MAX_FRAME_SIDE) as usize;
        let height = height.clamp(MIN_FRAME_SIDE, MAX_FRAME_SIDE) as usize;
        let (desk, light) = draw_desk(width, height, seed);
        Self {
            width,
            height,
            seed,
            font: None,
            desk,
            light,
            face: None,
        }
    }

    /// The same desk drawing text with `font` (e.g. the bundled Noto Sans CJK SC).
    pub fn with_font(mut self, font: SimFont) -> Self {
        self.font = Some(font);
        self.face = None;
        self
    }

    /// Frame width in pixels.
    pub fn width(&self) -> u32 {
        self.width as u32
    }

    /// Frame height in pixels.
    pub fn height(&self) -> u32 {
        self.height as u32
    }

    /// Pixels per millimetre on the desk: an A4 sheet's height is 78 % of a 4:3 frame's.
    fn px_per_mm(&self) -> f32 {
        0.78 * (self.height as f32).min(self.width as f32 * 0.75) / A4_MM.1
    }

    /// Where and how the page lies in the frame, `None` for a covered lens.
    fn placement(&self, page: &SimPage) -> Option<Placement> {
        let (w_mm, h_mm) = page.size_mm()?;
        let mm = self.px_per_mm();
        let size = ((w_mm * mm).round().max(2.0), (h_mm * mm).round().max(2.0));
        let centre = Point::new(
            self.width as f32 * (0.5 + finite_or_zero(page.offset.0)),
            self.height as f32 * (0.5 + finite_or_zero(page.offset.1)),
        );
        let (sin, cos) = finite_or_zero(page.angle_degrees).to_radians().sin_cos();
        Some(Placement {
            size,
            centre,
            cos,
            sin,
        })
    }

    /// Where the page's corners are in a frame of this desk, `None` for a covered lens.
    pub fn page_corners(&self, page: &SimPage) -> Option<Quad> {
        let Placement {
            size: (w, h),
            centre,
            cos: c,
            sin: s,
        } = self.placement(page)?;
        let corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)].map(|(u, v)| {
            let (du, dv) = (u - w / 2.0, v - h / 2.0);
            Point::new(centre.x + du * c - dv * s, centre.y + du * s + dv * c)
        });
        Some(Quad::ordered(corners))
    }

    /// Renders frame number `frame` (it seeds the sensor noise) of `page` on the desk.
    pub fn render(&mut self, page: &SimPage, frame: u64) -> SimFrame {
        let mut rgba = Vec::new();
        let corners = self.render_into(Some(page), frame, &mut rgba);
        self.frame(rgba, corners)
    }

    /// Renders frame number `frame` of the empty desk.
    pub fn render_empty(&mut self, frame: u64) -> SimFrame {
        let mut rgba = Vec::new();
        let corners = self.render_into(None, frame, &mut rgba);
        self.frame(rgba, corners)
    }

    fn frame(&self, rgba: Vec<u8>, corners: Option<Quad>) -> SimFrame {
        SimFrame {
            width: self.width as u32,
            height: self.height as u32,
            rgba,
            corners,
        }
    }

    /// Renders into a reused buffer (resized to `4 × width × height` bytes, packed RGBA) and
    /// returns the page's corners: the allocation-free form for a live camera feed.
    pub fn render_into(
        &mut self,
        page: Option<&SimPage>,
        frame: u64,
        rgba: &mut Vec<u8>,
    ) -> Option<Quad> {
        rgba.clear();
        let black = page.is_some_and(|p| p.kind == SimPageKind::Black);
        if black {
            rgba.extend(std::iter::repeat_n([5u8, 5, 6, 255], self.width * self.height).flatten());
        } else {
            rgba.extend_from_slice(&self.desk);
        }
        let corners = match page {
            Some(p) if !black => {
                self.place(p, rgba);
                self.page_corners(p)
            }
            _ => None,
        };
        add_noise(rgba, self.width, hash(&[self.seed, frame, 0x004E_015E]));
        corners
    }

    /// Draws the page's face, turned and lit, over the desk in `rgba`.
    fn place(&mut self, page: &SimPage, rgba: &mut [u8]) {
        let Some(Placement {
            size: (pw, ph),
            centre,
            cos: c,
            sin: s,
        }) = self.placement(page)
        else {
            return;
        };
        let key = FaceKey {
            kind: page.kind,
            title: page.title.clone(),
            width: pw as usize,
            height: ph as usize,
        };
        if self.face.as_ref().is_none_or(|(k, _)| *k != key) {
            let face = sprite::draw(
                page.kind,
                &page.title,
                key.width,
                key.height,
                self.px_per_mm(),
                self.font.as_ref(),
            );
            self.face = Some((key, face));
        }
        let Some((_, face)) = &self.face else {
            return;
        };
        let Some(quad) = self.page_corners(page) else {
            return;
        };
        let xs = quad.corners().map(|p| p.x);
        let ys = quad.corners().map(|p| p.y);
        let clamp_x = |v: f32| (v.max(0.0) as usize).min(self.width);
        let clamp_y = |v: f32| (v.max(0.0) as usize).min(self.height);
        let (x0, x1) = (
            clamp_x(xs.iter().copied().fold(f32::MAX, f32::min) - 2.0),
            clamp_x(xs.iter().copied().fold(f32::MIN, f32::max) + 2.0),
        );
        let (y0, y1) = (
            clamp_y(ys.iter().copied().fold(f32::MAX, f32::min) - 2.0),
            clamp_y(ys.iter().copied().fold(f32::MIN, f32::max) + 2.0),
        );
        let (half_w, half_h) = (pw / 2.0, ph / 2.0);
        let r = face.radius.min(half_w).min(half_h);
        let max_u = (face.width - 1) as f32;
        let max_v = (face.height - 1) as f32;
        for y in y0..y1 {
            let py = y as f32 + 0.5 - centre.y;
            let row = &mut rgba[y * self.width * 4..(y + 1) * self.width * 4];
            let light_row = &self.light[y * self.width..(y + 1) * self.width];
            for x in x0..x1 {
                let px = x as f32 + 0.5 - centre.x;
                // Page coordinates relative to its centre.
                let du = px * c + py * s;
                let dv = -px * s + py * c;
                // Signed distance to the (rounded) outline, negative inside.
                let (qx, qy) = (du.abs() - (half_w - r), dv.abs() - (half_h - r));
                let outside = qx.max(0.0).hypot(qy.max(0.0));
                let sd = outside + qx.max(qy).min(0.0) - r;
                let cover = (0.5 - sd).clamp(0.0, 1.0);
                if cover <= 0.0 {
                    continue;
                }
                // Bilinear sample of the face at pixel-centre coordinates.
                let u = (du + half_w - 0.5).clamp(0.0, max_u);
                let v = (dv + half_h - 0.5).clamp(0.0, max_v);
                let (u0, v0) = (u as usize, v as usize);
                let (u1, v1) = ((u0 + 1).min(face.width - 1), (v0 + 1).min(face.height - 1));
                let (fu, fv) = (u - u0 as f32, v - v0 as f32);
                let light = f32::from(light_row[x]) / 256.0;
                let out = &mut row[x * 4..x * 4 + 3];
                for (ch, o) in out.iter_mut().enumerate() {
                    let at =
                        |uu: usize, vv: usize| f32::from(face.rgb[(vv * face.width + uu) * 3 + ch]);
                    let top = at(u0, v0) * (1.0 - fu) + at(u1, v0) * fu;
                    let bottom = at(u0, v1) * (1.0 - fu) + at(u1, v1) * fu;
                    let value = (top * (1.0 - fv) + bottom * fv) * light;
                    *o = (f32::from(*o) * (1.0 - cover) + value * cover)
                        .round()
                        .clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
}

fn finite_or_zero(v: f32) -> f32 {
    if v.is_finite() { v } else { 0.0 }
}

/// The desk (RGBA, lit) and the light map: a dark wood-grey top with a soft, low-frequency
/// texture and fine grain, lit by a lamp above the middle (corners ≈ 70 % of the centre).
fn draw_desk(width: usize, height: usize, seed: u64) -> (Vec<u8>, Vec<u16>) {
    const GRID: usize = 9;
    let mut rng = Rng::new(hash(&[seed, 0xDE5C]));
    let cells: Vec<f32> = (0..GRID * GRID).map(|_| rng.range(-1.0, 1.0)).collect();
    let cell = |i: usize, j: usize| cells[j.min(GRID - 1) * GRID + i.min(GRID - 1)];
    let smooth = |t: f32| t * t * (3.0 - 2.0 * t);
    let grain: Vec<f32> = (0..64).map(|_| rng.range(-1.0, 1.0)).collect();
    let mut desk = Vec::with_capacity(width * height * 4);
    let mut light = Vec::with_capacity(width * height);
    let (cx, cy) = (width as f32 / 2.0, height as f32 / 2.0);
    let r2max = cx * cx + cy * cy;
    for y in 0..height {
        let ny = y as f32 / height as f32 * (GRID - 1) as f32;
        let (j, fy) = (ny as usize, smooth(ny.fract()));
        // Grain runs along the desk: it depends on the row (in frame-relative units).
        let g = grain[(y * 64 / height) % 64] * 0.5 + grain[(y * 512 / height) % 64] * 0.5;
        for x in 0..width {
            let nx = x as f32 / width as f32 * (GRID - 1) as f32;
            let (i, fx) = (nx as usize, smooth(nx.fract()));
            let texture = (cell(i, j) * (1.0 - fx) + cell(i + 1, j) * fx) * (1.0 - fy)
                + (cell(i, j + 1) * (1.0 - fx) + cell(i + 1, j + 1) * fx) * fy;
            let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
            let lit = 1.0 - 0.3 * (dx * dx + dy * dy) / r2max;
            light.push((lit * 256.0).round() as u16);
            let k = lit * (1.0 + 0.08 * texture + 0.03 * g);
            desk.extend_from_slice(&[
                (66.0 * k).round() as u8,
                (57.0 * k).round() as u8,
                (50.0 * k).round() as u8,
                255,
            ]);
        }
    }
    (desk, light)
}

/// Adds sensor noise (triangular, −7..=7 levels a channel) to packed RGBA rows.
fn add_noise(rgba: &mut [u8], width: usize, seed: u64) {
    for (y, row) in rgba.chunks_exact_mut(width.max(1) * 4).enumerate() {
        let mut rng = Rng::new(seed ^ (y as u64).wrapping_mul(0x9E37_79B9));
        for px in row.chunks_exact_mut(4) {
            let bits = rng.next_u64();
            for (c, v) in px[..3].iter_mut().enumerate() {
                let b = bits >> (c * 16);
                let n = ((b & 7) + ((b >> 8) & 7)) as i16 - 7;
                *v = (i16::from(*v) + n).clamp(0, 255) as u8;
            }
        }
    }
}
