//! The signature drawn on the touch screen: strokes in the pad's own coordinates (0 to 1 across and
//! down), the SVG path the page draws while the citizen signs, and the PNG sent with the application.

use image::{GrayImage, Luma};

/// The least ink, as a share of the pad's width summed over all strokes, that counts as a signature: a
/// tap or a stray touch is not one.
const MIN_INK: f32 = 0.25;

/// The strokes of one signature.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signature {
    strokes: Vec<Vec<(f32, f32)>>,
}

impl Signature {
    /// A finger touched the pad at (`x`, `y`), each 0 to 1: a new stroke.
    pub fn start(&mut self, x: f32, y: f32) {
        self.strokes.push(vec![clamp(x, y)]);
    }

    /// The finger moved to (`x`, `y`) within the current stroke.
    pub fn extend(&mut self, x: f32, y: f32) {
        match self.strokes.last_mut() {
            Some(stroke) => stroke.push(clamp(x, y)),
            None => self.start(x, y),
        }
    }

    /// Wipes the pad.
    pub fn clear(&mut self) {
        self.strokes.clear();
    }

    /// The length of all strokes, in pad widths.
    pub fn ink(&self) -> f32 {
        self.strokes
            .iter()
            .flat_map(|s| s.windows(2))
            .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
            .sum()
    }

    /// Whether there is too little ink to be a signature.
    pub fn is_blank(&self) -> bool {
        self.ink() < MIN_INK
    }

    /// The strokes as SVG path commands in a `width` × `height` viewbox (what the page's `Path`
    /// draws).
    pub fn path_commands(&self, width: f32, height: f32) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        for stroke in &self.strokes {
            for (i, (x, y)) in stroke.iter().enumerate() {
                let op = if i == 0 { 'M' } else { 'L' };
                let _ = write!(out, "{op}{:.1} {:.1} ", x * width, y * height);
            }
        }
        out
    }

    /// The signature as a black-on-white PNG of `width` × `height` pixels.
    pub fn to_png(&self, width: u32, height: u32) -> Result<Vec<u8>, image::ImageError> {
        let mut picture = GrayImage::from_pixel(width.max(1), height.max(1), Luma([255]));
        let pen = (width as f32 / 200.0).max(1.5);
        for stroke in &self.strokes {
            if let [only] = stroke.as_slice() {
                dot(
                    &mut picture,
                    only.0 * width as f32,
                    only.1 * height as f32,
                    pen,
                );
            }
            for w in stroke.windows(2) {
                let (x0, y0) = (w[0].0 * width as f32, w[0].1 * height as f32);
                let (x1, y1) = (w[1].0 * width as f32, w[1].1 * height as f32);
                let steps = ((x1 - x0).abs().max((y1 - y0).abs()) / (pen * 0.5))
                    .ceil()
                    .max(1.0) as u32;
                for i in 0..=steps {
                    let t = i as f32 / steps as f32;
                    dot(&mut picture, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, pen);
                }
            }
        }
        let mut png = Vec::new();
        picture.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
        Ok(png)
    }
}

fn clamp(x: f32, y: f32) -> (f32, f32) {
    let c = |v: f32| {
        if v.is_finite() {
            v.clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    (c(x), c(y))
}

/// A filled disc of radius `r` at (`cx`, `cy`).
fn dot(picture: &mut GrayImage, cx: f32, cy: f32, r: f32) {
    let (w, h) = (picture.width() as i64, picture.height() as i64);
    let (x0, x1) = ((cx - r).floor() as i64, (cx + r).ceil() as i64);
    let (y0, y1) = ((cy - r).floor() as i64, (cy + r).ceil() as i64);
    for y in y0.max(0)..=y1.min(h - 1) {
        for x in x0.max(0)..=x1.min(w - 1) {
            let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
            if dx * dx + dy * dy <= r * r {
                picture.put_pixel(x as u32, y as u32, Luma([0]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scribble() -> Signature {
        let mut s = Signature::default();
        s.start(0.1, 0.5);
        for i in 1..=40 {
            let t = i as f32 / 40.0;
            s.extend(0.1 + 0.8 * t, 0.5 + 0.3 * (t * 12.0).sin());
        }
        s
    }

    #[test]
    fn a_tap_is_blank_and_a_scribble_is_not() {
        let mut s = Signature::default();
        assert!(s.is_blank());
        s.start(0.5, 0.5);
        s.extend(0.52, 0.5);
        assert!(s.is_blank());
        assert!(!scribble().is_blank());
        s.clear();
        assert_eq!(s.path_commands(100.0, 50.0), "");
    }

    #[test]
    fn the_png_has_ink_where_the_strokes_are() {
        let png = scribble().to_png(400, 200).unwrap();
        let picture = image::load_from_memory(&png).unwrap().to_luma8();
        assert_eq!(picture.dimensions(), (400, 200));
        let dark = picture.pixels().filter(|p| p.0[0] < 128).count();
        assert!(dark > 400, "{dark} dark pixels");
        assert_eq!(
            picture.get_pixel(399, 0).0[0],
            255,
            "no ink in an untouched corner"
        );
        let path = scribble().path_commands(400.0, 200.0);
        assert!(path.starts_with("M40.0 100.0 L"), "{path}");
    }

    #[test]
    fn wild_coordinates_are_clamped() {
        let mut s = Signature::default();
        s.start(f32::NAN, -3.0);
        s.extend(f32::INFINITY, 9.0);
        assert!(s.to_png(10, 10).is_ok());
        assert!(s.path_commands(10.0, 10.0).starts_with("M0.0 0.0"));
    }
}
