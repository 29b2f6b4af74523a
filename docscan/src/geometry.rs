//! Points, the page's four corners ([`Quad`]) and the square-to-quad homography.
//!
//! Coordinates are continuous pixel coordinates: pixel `(i, j)` covers `[i, i + 1) × [j, j + 1)`,
//! so its centre is `(i + 0.5, j + 0.5)` and the picture spans `[0, width] × [0, height]`.
//! `y` grows downwards.

/// A point in continuous pixel coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    /// Horizontal position, growing to the right.
    pub x: f32,
    /// Vertical position, growing downwards.
    pub y: f32,
}

impl Point {
    /// A point.
    pub const fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }

    /// Euclidean distance to another point.
    pub fn distance(self, other: Self) -> f32 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}

/// The four corners of a sheet, in the picture's coordinates.
///
/// The order is the one a person reads: top-left, top-right, bottom-right, bottom-left
/// (clockwise on screen). "Top-left" is the corner nearest the up-left direction seen from
/// the centre, so a sheet turned by more than 45° names its corners after where they are, not
/// after the text on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quad {
    /// The top-left corner.
    pub top_left: Point,
    /// The top-right corner.
    pub top_right: Point,
    /// The bottom-right corner.
    pub bottom_right: Point,
    /// The bottom-left corner.
    pub bottom_left: Point,
}

impl Quad {
    /// A quad from corners already in top-left, top-right, bottom-right, bottom-left order.
    pub const fn from_corners(c: [Point; 4]) -> Self {
        Self {
            top_left: c[0],
            top_right: c[1],
            bottom_right: c[2],
            bottom_left: c[3],
        }
    }

    /// The corners in top-left, top-right, bottom-right, bottom-left order.
    pub const fn corners(&self) -> [Point; 4] {
        [
            self.top_left,
            self.top_right,
            self.bottom_right,
            self.bottom_left,
        ]
    }

    /// A quad from four corners in any order: sorted clockwise around their centroid, starting
    /// at the one nearest the up-left direction.
    pub fn ordered(points: [Point; 4]) -> Self {
        let cx = points.iter().map(|p| p.x).sum::<f32>() / 4.0;
        let cy = points.iter().map(|p| p.y).sum::<f32>() / 4.0;
        let angle = |p: &Point| (p.y - cy).atan2(p.x - cx);
        let mut sorted = points;
        // Increasing angle is clockwise on screen (y grows downwards).
        sorted.sort_by(|a, b| angle(a).total_cmp(&angle(b)));
        let up_left = -3.0 * std::f32::consts::FRAC_PI_4;
        let distance_to_up_left = |p: &Point| {
            let d = (angle(p) - up_left).abs();
            d.min(2.0 * std::f32::consts::PI - d)
        };
        let first = (0..4)
            .min_by(|&a, &b| {
                distance_to_up_left(&sorted[a]).total_cmp(&distance_to_up_left(&sorted[b]))
            })
            .unwrap_or(0);
        sorted.rotate_left(first);
        Self::from_corners(sorted)
    }

    /// The rectangle covering a whole `width × height` picture.
    pub fn frame(width: f32, height: f32) -> Self {
        Self::from_corners([
            Point::new(0.0, 0.0),
            Point::new(width, 0.0),
            Point::new(width, height),
            Point::new(0.0, height),
        ])
    }

    /// The same corners in a picture scaled by `sx` horizontally and `sy` vertically (e.g. from
    /// the 640 × 480 preview to the 2592 × 1944 still: `sx = sy = 2592 / 640`).
    pub fn scaled(&self, sx: f32, sy: f32) -> Self {
        Self::from_corners(self.corners().map(|p| Point::new(p.x * sx, p.y * sy)))
    }

    /// Area (shoelace); positive when the corners run clockwise on screen.
    pub fn area(&self) -> f32 {
        let c = self.corners();
        let mut twice = 0.0;
        for i in 0..4 {
            let (a, b) = (c[i], c[(i + 1) % 4]);
            twice += a.x * b.y - b.x * a.y;
        }
        twice / 2.0
    }

    /// Whether the corners form a convex quadrilateral running clockwise on screen.
    pub fn is_convex(&self) -> bool {
        let c = self.corners();
        (0..4).all(|i| {
            let (a, b, d) = (c[i], c[(i + 1) % 4], c[(i + 2) % 4]);
            let cross = (b.x - a.x) * (d.y - b.y) - (b.y - a.y) * (d.x - b.x);
            cross > 0.0
        }) && c.iter().all(|p| p.x.is_finite() && p.y.is_finite())
    }

    /// Mean width (top and bottom edges) and mean height (left and right edges).
    pub fn size(&self) -> (f32, f32) {
        let w = (self.top_left.distance(self.top_right)
            + self.bottom_left.distance(self.bottom_right))
            / 2.0;
        let h = (self.top_left.distance(self.bottom_left)
            + self.top_right.distance(self.bottom_right))
            / 2.0;
        (w, h)
    }

    /// How far the sheet is turned, in degrees: positive is clockwise on screen.
    ///
    /// The mean direction of the four edges (the vertical ones turned by −90°), so one bent
    /// corner moves it little.
    pub fn skew_degrees(&self) -> f32 {
        let c = self.corners();
        let unit = |a: Point, b: Point| {
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let len = dx.hypot(dy);
            if len > 0.0 {
                (dx / len, dy / len)
            } else {
                (0.0, 0.0)
            }
        };
        let top = unit(c[0], c[1]);
        let bottom = unit(c[3], c[2]);
        let left = unit(c[0], c[3]);
        let right = unit(c[1], c[2]);
        // A downward edge (dx, dy) turned by −90° on screen is (dy, −dx).
        let x = top.0 + bottom.0 + left.1 + right.1;
        let y = top.1 + bottom.1 - left.0 - right.0;
        if x == 0.0 && y == 0.0 {
            return 0.0;
        }
        y.atan2(x).to_degrees()
    }

    /// The largest distance between corresponding corners of two quads.
    pub fn max_corner_distance(&self, other: &Self) -> f32 {
        self.corners()
            .iter()
            .zip(other.corners().iter())
            .map(|(a, b)| a.distance(*b))
            .fold(0.0, f32::max)
    }
}

/// The projective map of the unit square onto a quad: `(0,0)` → top-left, `(1,0)` →
/// top-right, `(1,1)` → bottom-right, `(0,1)` → bottom-left (Heckbert's closed form).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Homography {
    a: f64,
    b: f64,
    c: f64,
    d: f64,
    e: f64,
    f: f64,
    g: f64,
    h: f64,
}

impl Homography {
    /// The map, or `None` for a degenerate quad.
    pub(crate) fn square_to_quad(q: &Quad) -> Option<Self> {
        let p = q.corners().map(|p| (f64::from(p.x), f64::from(p.y)));
        let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = p;
        let (dx1, dx2, dx3) = (x1 - x2, x3 - x2, x0 - x1 + x2 - x3);
        let (dy1, dy2, dy3) = (y1 - y2, y3 - y2, y0 - y1 + y2 - y3);
        let det = dx1 * dy2 - dx2 * dy1;
        if !det.is_finite() || det.abs() < 1e-9 {
            return None;
        }
        let g = (dx3 * dy2 - dx2 * dy3) / det;
        let h = (dx1 * dy3 - dx3 * dy1) / det;
        let m = Self {
            a: x1 - x0 + g * x1,
            b: x3 - x0 + h * x3,
            c: x0,
            d: y1 - y0 + g * y1,
            e: y3 - y0 + h * y3,
            f: y0,
            g,
            h,
        };
        let all = [m.a, m.b, m.c, m.d, m.e, m.f, m.g, m.h];
        all.iter().all(|v| v.is_finite()).then_some(m)
    }

    /// The image of `(u, v)`.
    #[inline]
    pub(crate) fn map(&self, u: f64, v: f64) -> (f64, f64) {
        let w = self.g * u + self.h * v + 1.0;
        let w = if w.abs() < 1e-12 { 1e-12 } else { w };
        (
            (self.a * u + self.b * v + self.c) / w,
            (self.d * u + self.e * v + self.f) / w,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rotated_rect(cx: f32, cy: f32, w: f32, h: f32, degrees: f32) -> [Point; 4] {
        let (s, c) = degrees.to_radians().sin_cos();
        [(-w, -h), (w, -h), (w, h), (-w, h)].map(|(x, y)| {
            let (x, y) = (x / 2.0, y / 2.0);
            Point::new(cx + x * c - y * s, cy + x * s + y * c)
        })
    }

    #[test]
    fn ordering_and_skew() {
        for deg in [-30.0f32, -12.0, 0.0, 7.5, 12.0, 40.0] {
            let pts = rotated_rect(300.0, 200.0, 210.0, 297.0, deg);
            let mut shuffled = pts;
            shuffled.swap(0, 2);
            shuffled.swap(1, 3);
            let q = Quad::ordered(shuffled);
            assert_eq!(q.corners(), pts, "{deg}");
            assert!(
                (q.skew_degrees() - deg).abs() < 1e-3,
                "{deg} {}",
                q.skew_degrees()
            );
            assert!(q.is_convex());
            assert!((q.area() - 210.0 * 297.0).abs() < 1.0);
            let (w, h) = q.size();
            assert!((w - 210.0).abs() < 1e-2 && (h - 297.0).abs() < 1e-2);
        }
    }

    #[test]
    fn homography_maps_the_corners() {
        let q = Quad::from_corners([
            Point::new(10.0, 12.0),
            Point::new(200.0, 30.0),
            Point::new(190.0, 280.0),
            Point::new(5.0, 250.0),
        ]);
        let m = Homography::square_to_quad(&q).unwrap();
        for ((u, v), p) in [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
            .into_iter()
            .zip(q.corners())
        {
            let (x, y) = m.map(u, v);
            assert!((x - f64::from(p.x)).abs() < 1e-6 && (y - f64::from(p.y)).abs() < 1e-6);
        }
        let flat = Quad::from_corners([Point::new(0.0, 0.0); 4]);
        assert!(Homography::square_to_quad(&flat).is_none());
    }
}
