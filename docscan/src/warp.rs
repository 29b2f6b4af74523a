//! Perspective correction: the sheet's quad is mapped onto an upright rectangle with a
//! homography and bilinear sampling (after a box prefilter when the page shrinks by 2× or
//! more, so that thin strokes do not alias).

use crate::geometry::{Homography, Quad};
use crate::view::Checked;

/// An upright page: packed RGB rows.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) rgb: Vec<u8>,
}

#[cfg(test)]
impl Page {
    /// A grey test page with luma `f(x, y)`.
    pub(crate) fn grey(width: usize, height: usize, f: impl Fn(usize, usize) -> u8) -> Self {
        let mut rgb = Vec::with_capacity(width * height * 3);
        for y in 0..height {
            for x in 0..width {
                let v = f(x, y);
                rgb.extend_from_slice(&[v, v, v]);
            }
        }
        Self { width, height, rgb }
    }
}

/// The part of the unit square (the sheet) to keep: `[u0, 1 − u0] × [v0, 1 − v0]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Inset {
    pub(crate) u: f32,
    pub(crate) v: f32,
}

/// Maps `quad` (shrunk by `inset`) onto a `width × height` upright page.
///
/// Returns `None` if the quad is degenerate. Points outside the picture repeat its edge.
pub(crate) fn warp(
    img: &Checked<'_>,
    quad: &Quad,
    inset: Inset,
    width: usize,
    height: usize,
) -> Option<Page> {
    let (qw, qh) = quad.size();
    let shrink = ((qw * (1.0 - 2.0 * inset.u)) / width as f32)
        .min((qh * (1.0 - 2.0 * inset.v)) / height as f32)
        .floor();
    if shrink >= 2.0 && shrink.is_finite() {
        let factor = (shrink as usize).min(img.width).min(img.height).max(1);
        if factor >= 2 {
            let (small, sw, sh) = box_downscale(img, factor);
            let src = Checked::packed(sw, sh, &small)?;
            let k = 1.0 / factor as f32;
            return warp_from(&src, &quad.scaled(k, k), inset, width, height);
        }
    }
    warp_from(img, quad, inset, width, height)
}

fn warp_from(
    src: &Checked<'_>,
    quad: &Quad,
    inset: Inset,
    width: usize,
    height: usize,
) -> Option<Page> {
    let m = Homography::square_to_quad(quad)?;
    if width == 0 || height == 0 {
        return None;
    }
    let (u0, v0) = (f64::from(inset.u), f64::from(inset.v));
    let (du, dv) = (
        (1.0 - 2.0 * u0) / width as f64,
        (1.0 - 2.0 * v0) / height as f64,
    );
    let max_x = (src.width - 1) as f32;
    let max_y = (src.height - 1) as f32;
    let mut rgb = vec![0u8; width * height * 3];
    for (y, out_row) in rgb.chunks_exact_mut(width * 3).enumerate() {
        let v = v0 + (y as f64 + 0.5) * dv;
        for (x, out) in out_row.chunks_exact_mut(3).enumerate() {
            let u = u0 + (x as f64 + 0.5) * du;
            let (sx, sy) = m.map(u, v);
            // Continuous coordinates to pixel-centre indices, clamped into the picture.
            let sx = ((sx as f32) - 0.5).clamp(0.0, max_x);
            let sy = ((sy as f32) - 0.5).clamp(0.0, max_y);
            // NaN clamps to NaN and casts to 0: still in bounds.
            let (x0, y0) = (sx as usize, sy as usize);
            let (x1, y1) = ((x0 + 1).min(src.width - 1), (y0 + 1).min(src.height - 1));
            let wx = ((sx - x0 as f32) * 256.0) as u32;
            let wy = ((sy - y0 as f32) * 256.0) as u32;
            let (r0, r1) = (src.row(y0), src.row(y1));
            for (c, o) in out.iter_mut().enumerate() {
                let p00 = u32::from(r0[x0 * 4 + c]);
                let p01 = u32::from(r0[x1 * 4 + c]);
                let p10 = u32::from(r1[x0 * 4 + c]);
                let p11 = u32::from(r1[x1 * 4 + c]);
                let top = p00 * (256 - wx) + p01 * wx;
                let bottom = p10 * (256 - wx) + p11 * wx;
                *o = ((top * (256 - wy) + bottom * wy + 32_768) >> 16) as u8;
            }
        }
    }
    Some(Page { width, height, rgb })
}

/// Box average over `factor × factor` blocks, as packed RGBA (alpha 255).
fn box_downscale(img: &Checked<'_>, factor: usize) -> (Vec<u8>, usize, usize) {
    let (w, h) = (img.width / factor, img.height / factor);
    let mut out = vec![255u8; w * h * 4];
    let mut sums = vec![0u32; w * 3];
    let area = (factor * factor) as u32;
    for (oy, out_row) in out.chunks_exact_mut(w * 4).enumerate() {
        sums.fill(0);
        for y in oy * factor..(oy + 1) * factor {
            for (sum, block) in sums
                .chunks_exact_mut(3)
                .zip(img.row(y).chunks_exact(4 * factor))
            {
                for p in block.chunks_exact(4) {
                    sum[0] += u32::from(p[0]);
                    sum[1] += u32::from(p[1]);
                    sum[2] += u32::from(p[2]);
                }
            }
        }
        for (o, s) in out_row.chunks_exact_mut(4).zip(sums.chunks_exact(3)) {
            for c in 0..3 {
                o[c] = ((s[c] + area / 2) / area) as u8;
            }
        }
    }
    (out, w, h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Point;
    use crate::view::RgbaView;

    #[test]
    fn identity_warp_copies_the_picture() {
        let mut buf = Vec::new();
        for i in 0..(6 * 4) {
            buf.extend_from_slice(&[(i * 10) as u8, 7, 200, 255]);
        }
        let view = RgbaView::packed(6, 4, &buf);
        let img = view.checked().unwrap();
        let page = warp(&img, &Quad::frame(6.0, 4.0), Inset { u: 0.0, v: 0.0 }, 6, 4).unwrap();
        for i in 0..24 {
            assert_eq!(
                &page.rgb[i * 3..i * 3 + 3],
                &buf[i * 4..i * 4 + 3],
                "pixel {i}"
            );
        }
    }

    #[test]
    fn shrinking_prefilters() {
        // A 1-pixel checkerboard shrunk 4× must come out mid-grey, not black or white.
        let (w, h) = (64usize, 64usize);
        let mut buf = vec![0u8; w * h * 4];
        for y in 0..h {
            for x in 0..w {
                let v = if (x + y) % 2 == 0 { 255 } else { 0 };
                buf[(y * w + x) * 4..(y * w + x) * 4 + 4].copy_from_slice(&[v, v, v, 255]);
            }
        }
        let img = RgbaView::packed(64, 64, &buf).checked().unwrap();
        let quad = Quad::from_corners([
            Point::new(0.0, 0.0),
            Point::new(64.0, 0.0),
            Point::new(64.0, 64.0),
            Point::new(0.0, 64.0),
        ]);
        let page = warp(&img, &quad, Inset { u: 0.0, v: 0.0 }, 16, 16).unwrap();
        assert!(page.rgb.iter().all(|&v| (120..=136).contains(&v)));
    }
}
