//! The checks that refuse a page: black (a covered lens, no light) or blank (nothing on it).
//!
//! They read the page as the camera saw it, before [`crate::tone`]: the brightness setting
//! must not hide a covered lens, and the contrast stretch must not turn sensor noise on a
//! blank sheet into "content".

use crate::error::ScanError;
use crate::view::luma;
use crate::warp::Page;

/// A page whose mean luma (0–255, before any adjustment) is below this is refused as
/// [`ScanError::Black`]: a covered lens or no light. The sheet itself is far brighter even in
/// a dim room (≈ 120–240); a dark desk alone is ≈ 40–60.
pub const BLACK_LUMA: u8 = 30;

/// A page whose strongest local contrast (see [`ScanError::Blank`]) is below this many luma
/// levels is refused as blank. Printed text, handwriting and stamps give 40 or more; a blank
/// sheet gives the sensor's noise, 2–6 after averaging. How it is measured: the page is
/// shrunk to about 310 pixels wide, each pixel compared with the mean of its 13 × 13
/// neighbourhood (slow lighting gradients cancel out), a 3 % border ignored, and the contrast
/// reached by the strongest 0.05 % of pixels (at least 64 pixels: a signature is enough) taken.
pub const BLANK_SPREAD: u8 = 12;

/// The page's luma histogram.
pub(crate) fn histogram(page: &Page) -> [u32; 256] {
    let mut hist = [0u32; 256];
    for p in page.rgb.chunks_exact(3) {
        hist[usize::from(luma(p[0], p[1], p[2]))] += 1;
    }
    hist
}

/// Mean of a histogram, rounded (0 for an empty one).
pub(crate) fn mean(hist: &[u32; 256]) -> u8 {
    let n: u64 = hist.iter().map(|&c| u64::from(c)).sum();
    if n == 0 {
        return 0;
    }
    let sum: u64 = hist
        .iter()
        .enumerate()
        .map(|(v, &c)| v as u64 * u64::from(c))
        .sum();
    ((sum + n / 2) / n).min(255) as u8
}

/// The smallest value at or below which at least `share` of the histogram lies.
pub(crate) fn percentile(hist: &[u32; 256], share: f64) -> u8 {
    let n: u64 = hist.iter().map(|&c| u64::from(c)).sum();
    let target = (n as f64 * share).ceil().max(1.0) as u64;
    let mut cum = 0u64;
    for (v, &c) in hist.iter().enumerate() {
        cum += u64::from(c);
        if cum >= target {
            return v as u8;
        }
    }
    255
}

/// Refuses a black or blank page.
pub(crate) fn check(page: &Page, hist: &[u32; 256]) -> Result<(), ScanError> {
    let mean_luma = mean(hist);
    if mean_luma < BLACK_LUMA {
        return Err(ScanError::Black { mean_luma });
    }
    let spread = spread(page);
    if spread < BLANK_SPREAD {
        return Err(ScanError::Blank { spread });
    }
    Ok(())
}

/// The strongest local contrast of the page (luma levels); see [`BLANK_SPREAD`].
pub(crate) fn spread(page: &Page) -> u8 {
    let factor = ((page.width as f32 / 310.0).round() as usize).max(1);
    let factor = if page.width / factor < 8 || page.height / factor < 8 {
        1
    } else {
        factor
    };
    let (w, h) = (page.width / factor, page.height / factor);
    if w == 0 || h == 0 {
        return 0;
    }
    // Shrunk luma.
    let mut small = vec![0u32; w * h];
    let area = (factor * factor) as u32;
    for (sy, row) in small.chunks_exact_mut(w).enumerate() {
        for y in sy * factor..(sy + 1) * factor {
            let src = &page.rgb[y * page.width * 3..(y + 1) * page.width * 3];
            for (s, block) in row.iter_mut().zip(src.chunks_exact(3 * factor)) {
                *s += block
                    .chunks_exact(3)
                    .map(|p| u32::from(luma(p[0], p[1], p[2])))
                    .sum::<u32>();
            }
        }
        for s in row.iter_mut() {
            *s = (*s + area / 2) / area;
        }
    }
    // Integral image for the neighbourhood means.
    let mut integral = vec![0u64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row_sum = 0u64;
        for x in 0..w {
            row_sum += u64::from(small[y * w + x]);
            integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row_sum;
        }
    }
    const RADIUS: usize = 6;
    let (mx, my) = ((w * 3).div_ceil(100), (h * 3).div_ceil(100));
    let mut hist = [0u32; 256];
    let mut counted = 0u32;
    for y in my..h.saturating_sub(my) {
        let (y0, y1) = (y.saturating_sub(RADIUS), (y + RADIUS + 1).min(h));
        for x in mx..w.saturating_sub(mx) {
            let (x0, x1) = (x.saturating_sub(RADIUS), (x + RADIUS + 1).min(w));
            let sum = integral[y1 * (w + 1) + x1] + integral[y0 * (w + 1) + x0]
                - integral[y0 * (w + 1) + x1]
                - integral[y1 * (w + 1) + x0];
            let n = ((x1 - x0) * (y1 - y0)) as u64;
            let local = (sum + n / 2) / n;
            let diff = u64::from(small[y * w + x]).abs_diff(local).min(255);
            hist[diff as usize] += 1;
            counted += 1;
        }
    }
    let needed = (counted / 2000).max(64).min(counted.max(1));
    let mut cum = 0u32;
    for v in (0..256).rev() {
        cum += hist[v];
        if cum >= needed {
            return v as u8;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(width: usize, height: usize, f: impl Fn(usize, usize) -> u8) -> Page {
        Page::grey(width, height, f)
    }

    #[test]
    fn gradients_are_blank_and_text_is_not() {
        // A strong lighting gradient with mild noise: blank.
        let blank = page(620, 876, |x, y| {
            (120 + x / 10 + y / 20 + (x * 7 + y * 13) % 5) as u8
        });
        let s = spread(&blank);
        assert!(s < BLANK_SPREAD, "{s}");
        // A single short line of text: not blank.
        let line = page(620, 876, |x, y| {
            if (200..240).contains(&x) && (300..306).contains(&y) {
                40
            } else {
                200
            }
        });
        let s = spread(&line);
        assert!(s >= BLANK_SPREAD, "{s}");
    }

    #[test]
    fn black_is_refused_first() {
        let dark = page(40, 40, |x, _| (x % 3) as u8 * 8);
        assert!(matches!(
            check(&dark, &histogram(&dark)),
            Err(ScanError::Black { .. })
        ));
        let grey = page(40, 40, |_, _| 128);
        assert!(matches!(
            check(&grey, &histogram(&grey)),
            Err(ScanError::Blank { spread: 0 })
        ));
    }
}
