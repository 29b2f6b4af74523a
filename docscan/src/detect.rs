//! Finding the sheet: a small luminance copy, Otsu's threshold, the largest bright connected
//! region, its convex hull and the largest quadrilateral inside it; then [`crate::refine`]
//! moves the corners onto the sheet's edges at full resolution.

use crate::geometry::{Point, Quad};
use crate::refine;
use crate::view::{Checked, RgbaView, luma};

/// The small copy is at most this many pixels a side.
const SMALL_SIDE: usize = 400;
/// Below this many pixels a side (in the small copy) there is nothing to find.
const MIN_SMALL_SIDE: usize = 16;
/// The sheet and the desk must differ by this many luma levels (class means).
const MIN_CONTRAST: f32 = 40.0;
/// The region must cover at least this share of the frame…
const MIN_AREA_SHARE: f32 = 0.01;
/// …and its hull at most this share (more is a sheet filling the frame: no desk to crop).
const MAX_AREA_SHARE: f32 = 0.92;
/// The region's row spans must fill this share of its hull (a solid, convex blob).
const MIN_SOLIDITY: f32 = 0.85;
/// The best quadrilateral must cover this share of the hull (four straight sides).
const MIN_QUAD_SHARE: f32 = 0.90;
/// The sheet's sides may differ by at most this ratio.
const MAX_ASPECT: f32 = 5.0;

/// Finds the sheet of paper (or card) in a camera picture.
///
/// The sheet is the largest bright region that contrasts with the desk and has four straight
/// sides. Returns its corners in the picture's coordinates (top-left, top-right,
/// bottom-right, bottom-left), or `None` when there is no such region: an empty desk, a black
/// frame, a sheet filling the whole frame, or a picture that fails
/// [`RgbaView::validate`]. Cheap enough for every preview frame (see the README's figures).
pub fn detect_page(view: &RgbaView<'_>) -> Option<Quad> {
    let img = view.checked().ok()?;
    detect_checked(&img)
}

/// [`detect_page`] on a checked picture.
pub(crate) fn detect_checked(img: &Checked<'_>) -> Option<Quad> {
    let small = Small::downscale(img)?;
    let coarse = coarse_quad(&small)?;
    let k = small.factor as f32;
    let coarse = coarse.scaled(k, k);
    // The coarse corners are within about one small pixel of the truth.
    let refined = refine::refine(img, &coarse, 1.5 * k + 2.0);
    Some(refined)
}

/// A box-filtered luminance copy at most [`SMALL_SIDE`] pixels a side.
struct Small {
    width: usize,
    height: usize,
    /// Source pixels per small pixel along each axis.
    factor: usize,
    luma: Vec<u8>,
}

impl Small {
    fn downscale(img: &Checked<'_>) -> Option<Self> {
        let factor = img
            .width
            .div_ceil(SMALL_SIDE)
            .max(img.height.div_ceil(SMALL_SIDE))
            .max(1);
        let (width, height) = (img.width / factor, img.height / factor);
        if width < MIN_SMALL_SIDE || height < MIN_SMALL_SIDE {
            return None;
        }
        let mut luma_out = vec![0u8; width * height];
        let mut sums = vec![0u32; width];
        let area = (factor * factor) as u32;
        for (sy, out_row) in luma_out.chunks_exact_mut(width).enumerate() {
            sums.fill(0);
            for y in sy * factor..(sy + 1) * factor {
                let row = img.row(y);
                for (sum, block) in sums.iter_mut().zip(row.chunks_exact(4 * factor)) {
                    *sum += block
                        .chunks_exact(4)
                        .map(|p| u32::from(luma(p[0], p[1], p[2])))
                        .sum::<u32>();
                }
            }
            for (o, s) in out_row.iter_mut().zip(&sums) {
                *o = ((s + area / 2) / area) as u8;
            }
        }
        Some(Self {
            width,
            height,
            factor,
            luma: luma_out,
        })
    }
}

/// Otsu's threshold of a histogram with the two classes' means: pixels `> threshold` are bright.
fn otsu(hist: &[u32; 256]) -> Option<(u8, f32, f32)> {
    let total: f64 = hist.iter().map(|&c| f64::from(c)).sum();
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(v, &c)| v as f64 * f64::from(c))
        .sum();
    let (mut w0, mut sum0) = (0.0f64, 0.0f64);
    let mut best: Option<(u8, f64, f32, f32)> = None;
    for (t, &c) in hist.iter().enumerate().take(255) {
        w0 += f64::from(c);
        sum0 += t as f64 * f64::from(c);
        let w1 = total - w0;
        if w0 == 0.0 || w1 == 0.0 {
            continue;
        }
        let (m0, m1) = (sum0 / w0, (sum_all - sum0) / w1);
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if best.is_none_or(|b| between > b.1) {
            best = Some((t as u8, between, m0 as f32, m1 as f32));
        }
    }
    best.map(|(t, _, m0, m1)| (t, m0, m1))
}

/// The sheet's corners in the small copy's coordinates, or `None`.
fn coarse_quad(small: &Small) -> Option<Quad> {
    let (w, h) = (small.width, small.height);
    let mut hist = [0u32; 256];
    for &v in &small.luma {
        hist[usize::from(v)] += 1;
    }
    let (threshold, dark_mean, bright_mean) = otsu(&hist)?;
    if bright_mean - dark_mean < MIN_CONTRAST {
        return None;
    }
    let (label, count) = largest_bright_region(small, threshold)?;
    let frame_area = (w * h) as f32;
    if (count as f32) < MIN_AREA_SHARE * frame_area {
        return None;
    }

    // Row extents of the region: its hull is the hull of their pixel corners, and their total
    // length measures how solid it is without counting the text on the sheet as holes.
    let mut points = Vec::new();
    let mut span_area = 0usize;
    for (y, row) in label.chunks_exact(w).enumerate() {
        let first = row.iter().position(|&l| l);
        let last = row.iter().rposition(|&l| l);
        if let (Some(a), Some(b)) = (first, last) {
            span_area += b + 1 - a;
            let (a, b, y) = (a as i64, b as i64 + 1, y as i64);
            points.extend([(a, y), (a, y + 1), (b, y), (b, y + 1)]);
        }
    }
    let hull = convex_hull(points);
    let hull_area = polygon_area2(&hull) as f32 / 2.0;
    if hull_area <= 0.0
        || hull_area > MAX_AREA_SHARE * frame_area
        || (span_area as f32) < MIN_SOLIDITY * hull_area
    {
        return None;
    }
    let (idx, quad_area2) = max_area_quad(&hull)?;
    if (quad_area2 as f32 / 2.0) < MIN_QUAD_SHARE * hull_area {
        return None;
    }
    let corners = idx.map(|i| Point::new(hull[i].0 as f32, hull[i].1 as f32));
    let quad = Quad::ordered(corners);
    let (qw, qh) = quad.size();
    if !quad.is_convex() || qw < 8.0 || qh < 8.0 || qw / qh > MAX_ASPECT || qh / qw > MAX_ASPECT {
        return None;
    }
    Some(quad)
}

/// The mask of the largest 4-connected region brighter than `threshold`, and its pixel count.
fn largest_bright_region(small: &Small, threshold: u8) -> Option<(Vec<bool>, usize)> {
    let (w, h) = (small.width, small.height);
    let bright: Vec<bool> = small.luma.iter().map(|&v| v > threshold).collect();
    // 0 = not visited; region ids start at 1.
    let mut region = vec![0u32; w * h];
    let mut stack = Vec::new();
    let mut best: Option<(u32, usize)> = None;
    let mut next_id = 0u32;
    for start in 0..w * h {
        if !bright[start] || region[start] != 0 {
            continue;
        }
        next_id += 1;
        region[start] = next_id;
        stack.push(start);
        let mut count = 0usize;
        while let Some(i) = stack.pop() {
            count += 1;
            let (x, y) = (i % w, i / w);
            let mut visit = |j: usize| {
                if bright[j] && region[j] == 0 {
                    region[j] = next_id;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < w {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - w);
            }
            if y + 1 < h {
                visit(i + w);
            }
        }
        if best.is_none_or(|(_, c)| count > c) {
            best = Some((next_id, count));
        }
    }
    let (id, count) = best?;
    Some((region.iter().map(|&r| r == id).collect(), count))
}

/// Twice the cross product of `oa` and `ob`.
fn cross(o: (i64, i64), a: (i64, i64), b: (i64, i64)) -> i64 {
    (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
}

/// Convex hull (Andrew's monotone chain) without collinear points, in the order that makes
/// the shoelace area positive.
fn convex_hull(mut points: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    points.sort_unstable();
    points.dedup();
    if points.len() < 3 {
        return points;
    }
    let mut hull: Vec<(i64, i64)> = Vec::with_capacity(points.len() + 1);
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &(i64, i64)>> = if pass == 0 {
            Box::new(points.iter())
        } else {
            Box::new(points.iter().rev())
        };
        for &p in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0
            {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    hull
}

/// Twice the (signed) area of a polygon.
fn polygon_area2(poly: &[(i64, i64)]) -> i64 {
    let n = poly.len();
    (0..n)
        .map(|i| {
            let (a, b) = (poly[i], poly[(i + 1) % n]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum()
}

/// The four vertices of a convex polygon that span the largest quadrilateral, and twice its
/// area. O(n²): for each diagonal `i–j`, the best vertex on either side moves forward
/// monotonically as `j` does.
fn max_area_quad(hull: &[(i64, i64)]) -> Option<([usize; 4], i64)> {
    let n = hull.len();
    if n < 4 {
        return None;
    }
    let p = |i: usize| hull[i % n];
    let tri = |a: usize, b: usize, c: usize| cross(p(a), p(b), p(c)).abs();
    let mut best: Option<([usize; 4], i64)> = None;
    for i in 0..n {
        let mut k = i + 1;
        let mut l = i + 3;
        for j in i + 2..i + n - 1 {
            while k + 1 < j && tri(i, k + 1, j) >= tri(i, k, j) {
                k += 1;
            }
            if l <= j {
                l = j + 1;
            }
            while l + 1 < i + n && tri(j, l + 1, i) >= tri(j, l, i) {
                l += 1;
            }
            let area = tri(i, k, j) + tri(j, l, i);
            if best.is_none_or(|(_, a)| area > a) {
                best = Some(([i % n, k % n, j % n, l % n], area));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hull_and_quad_of_a_square_with_noise_points() {
        let mut pts = Vec::new();
        for x in 0..=10 {
            for y in 0..=10 {
                pts.push((x, y));
            }
        }
        let hull = convex_hull(pts);
        assert_eq!(hull.len(), 4);
        assert_eq!(polygon_area2(&hull), 200);
        let (_, area2) = max_area_quad(&hull).unwrap();
        assert_eq!(area2, 200);
        let octagon = vec![
            (3, 0),
            (7, 0),
            (10, 3),
            (10, 7),
            (7, 10),
            (3, 10),
            (0, 7),
            (0, 3),
        ];
        let (_, area2) = max_area_quad(&octagon).unwrap();
        assert_eq!(area2, brute_force_quad(&octagon));
        let irregular = convex_hull(vec![
            (0, 0),
            (9, 1),
            (14, 6),
            (13, 12),
            (6, 15),
            (1, 11),
            (-2, 5),
            (4, -1),
        ]);
        let (_, area2) = max_area_quad(&irregular).unwrap();
        assert_eq!(area2, brute_force_quad(&irregular));
    }

    fn brute_force_quad(poly: &[(i64, i64)]) -> i64 {
        let n = poly.len();
        let mut best = 0;
        for a in 0..n {
            for b in a + 1..n {
                for c in b + 1..n {
                    for d in c + 1..n {
                        best = best.max(polygon_area2(&[poly[a], poly[b], poly[c], poly[d]]).abs());
                    }
                }
            }
        }
        best
    }

    #[test]
    fn otsu_splits_two_peaks() {
        let mut hist = [0u32; 256];
        hist[40] = 1000;
        hist[220] = 500;
        let (t, m0, m1) = otsu(&hist).unwrap();
        assert!((40..220).contains(&t));
        assert_eq!((m0, m1), (40.0, 220.0));
        assert!(otsu(&[0; 256]).is_none());
    }

    #[test]
    fn uniform_and_tiny_pictures_have_no_page() {
        let grey = vec![128u8; 64 * 48 * 4];
        assert!(detect_page(&RgbaView::packed(64, 48, &grey)).is_none());
        assert!(detect_page(&RgbaView::packed(8, 8, &grey)).is_none());
        assert!(detect_page(&RgbaView::packed(64, 48, &grey[..10])).is_none());
    }
}
