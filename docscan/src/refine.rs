//! Corner refinement at full resolution: along each coarse edge, find where the brightness
//! drops from sheet to desk (sub-pixel), fit a straight line through those points, and take
//! the corners as the crossings of neighbouring lines. Rounded card corners and a corner bent
//! up off the desk do not move the result, since only the middle of each edge is sampled.

use crate::geometry::{Point, Quad};
use crate::view::Checked;

/// The brightness must drop by at least this many luma levels over two pixels.
const MIN_EDGE_STEP: f32 = 16.0;
/// Edge points needed to trust a fitted line.
const MIN_POINTS: usize = 6;

/// A straight line through `p` with unit direction `d`.
#[derive(Debug, Clone, Copy)]
struct Line {
    p: (f32, f32),
    d: (f32, f32),
}

impl Line {
    fn through(a: Point, b: Point) -> Option<Self> {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len = dx.hypot(dy);
        (len > 0.0).then(|| Self {
            p: (a.x, a.y),
            d: (dx / len, dy / len),
        })
    }

    fn intersect(&self, other: &Self) -> Option<Point> {
        // p1 + t d1 = p2 + s d2
        let det = self.d.0 * (-other.d.1) - self.d.1 * (-other.d.0);
        if det.abs() < 1e-6 {
            return None;
        }
        let (rx, ry) = (other.p.0 - self.p.0, other.p.1 - self.p.1);
        let t = (rx * (-other.d.1) - ry * (-other.d.0)) / det;
        let p = Point::new(self.p.0 + t * self.d.0, self.p.1 + t * self.d.1);
        (p.x.is_finite() && p.y.is_finite()).then_some(p)
    }
}

/// Moves coarse corners (accurate to about `radius` pixels) onto the sheet's edges.
///
/// Falls back to the coarse corner wherever the edges cannot be measured (a sheet running out
/// of the frame, a blurred edge) and to the coarse quad if the result is not convex.
pub(crate) fn refine(img: &Checked<'_>, coarse: &Quad, radius: f32) -> Quad {
    let c = coarse.corners();
    let lines: [Option<Line>; 4] = std::array::from_fn(|i| {
        let (a, b) = (c[i], c[(i + 1) % 4]);
        fit_edge(img, a, b, radius).or_else(|| Line::through(a, b))
    });
    let mut out = c;
    for (i, corner) in out.iter_mut().enumerate() {
        // Corner i is where edge i − 1 (arriving) meets edge i (leaving).
        if let (Some(arriving), Some(leaving)) = (lines[(i + 3) % 4], lines[i])
            && let Some(p) = arriving.intersect(&leaving)
            && p.distance(c[i]) <= 3.0 * radius
        {
            *corner = p;
        }
    }
    let refined = Quad::from_corners(out);
    if refined.is_convex() {
        refined
    } else {
        *coarse
    }
}

/// The sheet's edge between coarse corners `a` and `b`. The corners run clockwise on screen,
/// so the desk lies along the normal `(d.y, −d.x)` of the direction `d` from `a` to `b`.
fn fit_edge(img: &Checked<'_>, a: Point, b: Point, radius: f32) -> Option<Line> {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = dx.hypot(dy);
    if len.is_nan() || len < 4.0 {
        return None;
    }
    let d = (dx / len, dy / len);
    let n = (d.1, -d.0);
    let reach = radius.ceil().max(2.0) as i32;
    let samples = ((len / 6.0) as usize).clamp(8, 64);
    let mut points = Vec::with_capacity(samples);
    let mut profile = Vec::with_capacity(2 * reach as usize + 1);
    for s in 0..samples {
        // The middle 80 % of the edge: corners may be rounded or bent.
        let t = 0.1 + 0.8 * (s as f32 + 0.5) / samples as f32;
        let (px, py) = (a.x + dx * t, a.y + dy * t);
        profile.clear();
        for o in -reach..=reach {
            let o = o as f32;
            match img.luma_bilinear(px + n.0 * o, py + n.1 * o) {
                Some(v) => profile.push(v),
                None => break,
            }
        }
        if profile.len() != 2 * reach as usize + 1 {
            continue;
        }
        // Drop from inside (negative offsets) to outside (positive offsets).
        let drop = |j: usize| profile[j - 1] - profile[j + 1];
        let Some(j) = (1..profile.len() - 1).max_by(|&x, &y| drop(x).total_cmp(&drop(y))) else {
            continue;
        };
        let gc = drop(j);
        if gc < MIN_EDGE_STEP {
            continue;
        }
        let mut offset = j as f32 - reach as f32;
        if j >= 2 && j + 2 < profile.len() {
            let (gl, gr) = (drop(j - 1), drop(j + 1));
            let denom = gl - 2.0 * gc + gr;
            if denom < 0.0 {
                offset += (0.5 * (gl - gr) / denom).clamp(-0.5, 0.5);
            }
        }
        points.push((px + n.0 * offset, py + n.1 * offset));
    }
    let line = fit_line(&points)?;
    // Second pass without the outliers (text touching the edge, a fibre, a finger).
    let mut residuals: Vec<f32> = points.iter().map(|&p| distance(&line, p)).collect();
    let mut sorted = residuals.clone();
    sorted.sort_by(f32::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    let limit = (3.0 * median).max(0.75);
    let kept: Vec<(f32, f32)> = points
        .iter()
        .zip(residuals.drain(..))
        .filter(|&(_, r)| r <= limit)
        .map(|(&p, _)| p)
        .collect();
    fit_line(&kept)
}

fn distance(line: &Line, p: (f32, f32)) -> f32 {
    ((p.0 - line.p.0) * line.d.1 - (p.1 - line.p.1) * line.d.0).abs()
}

/// Total least squares line through the points (their principal direction).
fn fit_line(points: &[(f32, f32)]) -> Option<Line> {
    if points.len() < MIN_POINTS {
        return None;
    }
    let n = points.len() as f32;
    let mx = points.iter().map(|p| p.0).sum::<f32>() / n;
    let my = points.iter().map(|p| p.1).sum::<f32>() / n;
    let (mut sxx, mut sxy, mut syy) = (0.0f32, 0.0f32, 0.0f32);
    for &(x, y) in points {
        let (x, y) = (x - mx, y - my);
        sxx += x * x;
        sxy += x * y;
        syy += y * y;
    }
    let angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    let d = (angle.cos(), angle.sin());
    (mx.is_finite() && my.is_finite() && d.0.is_finite()).then_some(Line { p: (mx, my), d })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_cross_where_expected() {
        let h = Line::through(Point::new(0.0, 1.0), Point::new(4.0, 1.0)).unwrap();
        let v = Line::through(Point::new(2.0, -3.0), Point::new(2.0, 5.0)).unwrap();
        let p = h.intersect(&v).unwrap();
        assert!((p.x - 2.0).abs() < 1e-5 && (p.y - 1.0).abs() < 1e-5);
        assert!(h.intersect(&h).is_none());
    }

    #[test]
    fn fitted_line_follows_points() {
        let pts: Vec<(f32, f32)> = (0..10).map(|i| (i as f32, 0.5 * i as f32 + 3.0)).collect();
        let l = fit_line(&pts).unwrap();
        assert!((l.d.1 / l.d.0 - 0.5).abs() < 1e-4);
        assert!(distance(&l, (4.0, 5.0)) < 1e-4);
        assert!(fit_line(&pts[..3]).is_none());
    }
}
