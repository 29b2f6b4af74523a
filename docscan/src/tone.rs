//! The page's tones: the lighting evened out, a mild contrast stretch that (optionally) takes
//! the paper to white, and the brightness.
//!
//! Evening the light: the paper's brightness is measured in cells (the 90th percentile of each
//! cell's luma: the paper between the strokes), a smooth quadratic surface is fitted to those
//! measurements with cells much darker than the fit (a photo, a black table, a seal) left out,
//! and each pixel is scaled by the surface's brightest value over its own. A lamp's fall-off
//! is gone; local content cannot be "corrected" away because a quadratic cannot follow it.
//!
//! Whitening: the paper's level and its noise are read from the histogram (the bright mode and
//! its half width), and the level one half width below the mode becomes white. Sensor noise on
//! the paper, which costs the JPEG most of its bytes, becomes flat white; marks fainter than
//! the noise go with it.

use crate::quality::percentile;
use crate::view::luma;
use crate::warp::Page;

/// Cells a side (along the longer side) for measuring the paper.
const CELLS: usize = 40;
/// A gain beyond these bounds is not lighting.
const GAIN_RANGE: (f32, f32) = (0.8, 1.7);

/// Evens out the lighting across the page (see the module's documentation).
pub(crate) fn even_light(page: &mut Page) {
    let (w, h) = (page.width, page.height);
    let cell = (w.max(h) / CELLS).max(8);
    let (gw, gh) = (w / cell, h / cell);
    if gw < 3 || gh < 3 {
        return;
    }
    // The paper's level in each full cell.
    let mut samples = Vec::with_capacity(gw * gh);
    let mut hists = vec![[0u32; 256]; gw];
    for cy in 0..gh {
        hists.iter_mut().for_each(|hist| *hist = [0; 256]);
        for y in cy * cell..(cy + 1) * cell {
            let row = &page.rgb[y * w * 3..(y * w + gw * cell) * 3];
            for (x, p) in row.chunks_exact(3).enumerate() {
                hists[x / cell][usize::from(luma(p[0], p[1], p[2]))] += 1;
            }
        }
        for (cx, hist) in hists.iter().enumerate() {
            let level = f64::from(percentile(hist, 0.9));
            // Cell centre in [-1, 1] coordinates of the page.
            let x = ((cx as f64 + 0.5) * cell as f64) / w as f64 * 2.0 - 1.0;
            let y = ((cy as f64 + 0.5) * cell as f64) / h as f64 * 2.0 - 1.0;
            samples.push((x, y, level));
        }
    }
    let Some(surface) = fit_robust(&samples) else {
        return;
    };
    let top = samples
        .iter()
        .map(|&(x, y, _)| surface.at(x, y))
        .fold(f64::MIN, f64::max)
        .min(255.0);
    if top.is_nan() || top <= 0.0 {
        return;
    }
    // Gains on a coarse grid (8.8 fixed point), interpolated along each row.
    let step = 8usize;
    let (nx, ny) = (w.div_ceil(step) + 1, h.div_ceil(step) + 1);
    let gain = |px: usize, py: usize| {
        let x = (px as f64 / w as f64) * 2.0 - 1.0;
        let y = (py as f64 / h as f64) * 2.0 - 1.0;
        let level = surface.at(x.min(1.0), y.min(1.0));
        let g = if level > 1.0 { top / level } else { 1.0 } as f32;
        g.clamp(GAIN_RANGE.0, GAIN_RANGE.1)
    };
    let grid: Vec<f32> = (0..ny)
        .flat_map(|j| (0..nx).map(move |i| (i, j)))
        .map(|(i, j)| gain(i * step, j * step))
        .collect();
    let mut row_gain = vec![0u32; w];
    for y in 0..h {
        let (j, ty) = (y / step, (y % step) as f32 / step as f32);
        for (x, g) in row_gain.iter_mut().enumerate() {
            let (i, tx) = (x / step, (x % step) as f32 / step as f32);
            let at = |ii: usize, jj: usize| grid[jj.min(ny - 1) * nx + ii.min(nx - 1)];
            let top_edge = at(i, j) * (1.0 - tx) + at(i + 1, j) * tx;
            let bottom_edge = at(i, j + 1) * (1.0 - tx) + at(i + 1, j + 1) * tx;
            *g = ((top_edge * (1.0 - ty) + bottom_edge * ty) * 256.0) as u32;
        }
        let row = &mut page.rgb[y * w * 3..(y + 1) * w * 3];
        for (p, &g) in row.chunks_exact_mut(3).zip(&row_gain) {
            for v in p.iter_mut() {
                *v = ((u32::from(*v) * g + 128) >> 8).min(255) as u8;
            }
        }
    }
}

/// `a + b x + c y + d x² + e x y + f y²`.
#[derive(Debug, Clone, Copy)]
struct Quadratic([f64; 6]);

impl Quadratic {
    fn terms(x: f64, y: f64) -> [f64; 6] {
        [1.0, x, y, x * x, x * y, y * y]
    }

    fn at(&self, x: f64, y: f64) -> f64 {
        Self::terms(x, y)
            .iter()
            .zip(&self.0)
            .map(|(t, c)| t * c)
            .sum()
    }
}

/// Least-squares quadratic through the samples, refitted without the samples far below it.
fn fit_robust(samples: &[(f64, f64, f64)]) -> Option<Quadratic> {
    let mut used: Vec<bool> = vec![true; samples.len()];
    let mut fit = None;
    for _ in 0..4 {
        let chosen: Vec<(f64, f64, f64)> = samples
            .iter()
            .zip(&used)
            .filter(|&(_, &u)| u)
            .map(|(s, _)| *s)
            .collect();
        if chosen.len() < 12 {
            break;
        }
        let Some(q) = least_squares(&chosen) else {
            break;
        };
        fit = Some(q);
        for (u, &(x, y, v)) in used.iter_mut().zip(samples) {
            // Darker than the paper's surface by 7 %: content, not paper.
            *u = v >= 0.93 * q.at(x, y);
        }
    }
    fit
}

fn least_squares(samples: &[(f64, f64, f64)]) -> Option<Quadratic> {
    // Normal equations A c = r, solved by Gaussian elimination with partial pivoting.
    let mut a = [[0.0f64; 7]; 6];
    for &(x, y, v) in samples {
        let t = Quadratic::terms(x, y);
        for i in 0..6 {
            for j in 0..6 {
                a[i][j] += t[i] * t[j];
            }
            a[i][6] += t[i] * v;
        }
    }
    for col in 0..6 {
        let pivot = (col..6).max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))?;
        if a[pivot][col].abs() < 1e-9 {
            return None;
        }
        a.swap(col, pivot);
        let pivot_row = a[col];
        for (i, row) in a.iter_mut().enumerate() {
            if i != col {
                let k = row[col] / pivot_row[col];
                for (x, p) in row.iter_mut().zip(&pivot_row).skip(col) {
                    *x -= k * p;
                }
            }
        }
    }
    let c: [f64; 6] = std::array::from_fn(|i| a[i][6] / a[i][i]);
    c.iter().all(|v| v.is_finite()).then_some(Quadratic(c))
}

/// The tone curve as a lookup table.
///
/// A contrast stretch: the ink towards black (the darkest 1 % to 60 % of its level) and the
/// paper to white (with `whiten`: the paper's level less one noise half width becomes 255;
/// without: the 99th percentile becomes 248), the gain kept within 1–2. Then a gamma for
/// `brightness` (−50..=50 percent: +50 is gamma ½, −50 is gamma 2): white and black stay, the
/// greys move.
pub(crate) fn tone_curve(hist: &[u32; 256], brightness: i8, whiten: bool) -> [u8; 256] {
    let lo = f32::from(percentile(hist, 0.01));
    let (white_in, white_out) = match whiten.then(|| paper_white(hist)).flatten() {
        Some(level) => (f32::from(level), 255.0),
        None => (f32::from(percentile(hist, 0.99)), 248.0),
    };
    let lo_target = lo * 0.6;
    let gain = ((white_out - lo_target) / (white_in - lo).max(1.0)).clamp(1.0, 2.0);
    let gamma = 2f32.powf(-f32::from(brightness.clamp(-50, 50)) / 50.0);
    std::array::from_fn(|v| {
        let stretched = (gain * (v as f32 - lo) + lo_target).clamp(0.0, 255.0);
        let toned = 255.0 * (stretched / 255.0).powf(gamma);
        toned.round().clamp(0.0, 255.0) as u8
    })
}

/// Applies the tone curve to packed RGB: RGB out with `colour`, grey otherwise; and the
/// output's luma histogram.
///
/// With `whiten`, colour is kept only where it is clearly colour: a pixel that the curve takes
/// to white becomes pure white, and a pixel whose channels differ by less than 20 levels
/// becomes neutral grey, fading in fully at 40 (a seal's red stays; the paper's tint and the
/// sensor's colour noise go, which the encoder, without chroma subsampling, pays dearly for).
pub(crate) fn apply(
    mut rgb: Vec<u8>,
    lut: &[u8; 256],
    colour: bool,
    whiten: bool,
) -> (Vec<u8>, [u32; 256]) {
    let mut hist = [0u32; 256];
    if !colour {
        let grey: Vec<u8> = rgb
            .chunks_exact(3)
            .map(|p| lut[usize::from(luma(p[0], p[1], p[2]))])
            .collect();
        for &v in &grey {
            hist[usize::from(v)] += 1;
        }
        return (grey, hist);
    }
    for p in rgb.chunks_exact_mut(3) {
        let grey = lut[usize::from(luma(p[0], p[1], p[2]))];
        let toned = [p[0], p[1], p[2]].map(|v| lut[usize::from(v)]);
        if whiten {
            let chroma = toned.iter().max().unwrap_or(&0) - toned.iter().min().unwrap_or(&0);
            // Weight of the colour, in 1/20ths: 0 up to 20 levels of chroma, 20 from 40.
            let k = i32::from(chroma.saturating_sub(20).min(20));
            if grey == 255 || k == 0 {
                p.fill(grey);
            } else {
                for (o, t) in p.iter_mut().zip(toned) {
                    let g = i32::from(grey);
                    *o = (g + (i32::from(t) - g) * k / 20).clamp(0, 255) as u8;
                }
            }
        } else {
            p.copy_from_slice(&toned);
        }
        hist[usize::from(luma(p[0], p[1], p[2]))] += 1;
    }
    (rgb, hist)
}

/// The level that becomes white: the paper's mode (the fullest bin above the mean) less the
/// half width of its peak on the dark side. `None` without a clear bright peak.
fn paper_white(hist: &[u32; 256]) -> Option<u8> {
    let n: u64 = hist.iter().map(|&c| u64::from(c)).sum();
    if n == 0 {
        return None;
    }
    let mean = hist
        .iter()
        .enumerate()
        .map(|(v, &c)| v as u64 * u64::from(c))
        .sum::<u64>()
        / n;
    // Smooth over 5 bins so a noisy histogram has one peak.
    let smooth = |v: usize| -> u32 { hist[v.saturating_sub(2)..(v + 3).min(256)].iter().sum() };
    let mode = (mean as usize..256).max_by_key(|&v| (smooth(v), v))?;
    let peak = smooth(mode);
    let half = (0..=mode).rev().find(|&v| smooth(v) * 2 < peak)?;
    let width = mode - half;
    // A peak wider than 24 levels is not paper under noise (a photo, a coloured page).
    (width <= 24).then(|| (mode - width) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::histogram;

    #[test]
    fn tone_curve_is_monotonic_and_brightness_orders() {
        let p = Page::grey(10, 10, |x, y| (60 + x * 15 + y) as u8);
        let hist = histogram(&p);
        for whiten in [false, true] {
            let (dark, mid, bright) = (
                tone_curve(&hist, -30, whiten),
                tone_curve(&hist, 0, whiten),
                tone_curve(&hist, 30, whiten),
            );
            for v in 1..256 {
                assert!(mid[v] >= mid[v - 1]);
            }
            assert!(dark[120] < mid[120] && mid[120] < bright[120]);
        }
    }

    #[test]
    fn paper_under_noise_becomes_white() {
        // Paper at 200 ± 4, text at 60.
        let p = Page::grey(100, 100, |x, y| {
            if y % 10 == 0 {
                60
            } else {
                (196 + (x * 7 + y * 3) % 9) as u8
            }
        });
        let hist = histogram(&p);
        let white = paper_white(&hist).unwrap();
        assert!((194..=200).contains(&white), "{white}");
        let lut = tone_curve(&hist, 0, true);
        assert_eq!(lut[200], 255);
        assert!(lut[60] < 60);
    }

    #[test]
    fn lighting_is_evened_but_content_kept() {
        // A lamp: 240 at the left, 170 at the right; a dark photo block in the middle.
        let mut p = Page::grey(400, 560, |x, y| {
            if (150..250).contains(&x) && (200..330).contains(&y) {
                90
            } else {
                (240 - x * 70 / 400) as u8
            }
        });
        even_light(&mut p);
        let at = |x: usize, y: usize| p.rgb[(y * 400 + x) * 3];
        assert!(
            at(10, 50).abs_diff(at(390, 50)) <= 6,
            "{} {}",
            at(10, 50),
            at(390, 50)
        );
        // The photo was not lifted to paper level.
        assert!(at(200, 260) < 140, "{}", at(200, 260));
    }
}
