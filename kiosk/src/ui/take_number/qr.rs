//! The QR code of a ticket's phone status page, as a Slint image.

use qrcode::{Color, QrCode};
use slint::{Image, Rgb8Pixel, SharedPixelBuffer};

/// Light modules around the code (the QR standard asks for four).
const QUIET_ZONE: u32 = 4;
/// Pixels per module; the page scales the image up without smoothing.
const MODULE_PIXELS: u32 = 4;

/// Renders `data` as a black-on-white QR code image; none when it does not fit in a QR code.
pub fn qr_image(data: &str) -> Option<Image> {
    let pixels = qr_pixels(data)?;
    Some(Image::from_rgb8(pixels))
}

/// The QR code of `data` as a pixel buffer (square, quiet zone included).
pub fn qr_pixels(data: &str) -> Option<SharedPixelBuffer<Rgb8Pixel>> {
    let code = QrCode::new(data.as_bytes()).ok()?;
    let modules = u32::try_from(code.width()).ok()?;
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * MODULE_PIXELS;
    let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(side, side);
    let white = Rgb8Pixel {
        r: 255,
        g: 255,
        b: 255,
    };
    let black = Rgb8Pixel { r: 0, g: 0, b: 0 };
    for (i, pixel) in buffer.make_mut_slice().iter_mut().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        let (x, y) = (i % side / MODULE_PIXELS, i / side / MODULE_PIXELS);
        let dark = x >= QUIET_ZONE
            && y >= QUIET_ZONE
            && x < QUIET_ZONE + modules
            && y < QUIET_ZONE + modules
            && colors[((y - QUIET_ZONE) * modules + (x - QUIET_ZONE)) as usize] == Color::Dark;
        *pixel = if dark { black } else { white };
    }
    Some(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_url_becomes_a_square_code_with_a_quiet_zone() {
        let px = qr_pixels("http://192.168.1.10:8080/t/0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(px.width(), px.height());
        let slice = px.as_slice();
        // The corner is quiet (white); the finder pattern starts dark at the quiet zone's edge.
        assert_eq!(slice[0].r, 255);
        let at = |x: u32, y: u32| slice[(y * px.width() + x) as usize].r;
        assert_eq!(
            at(QUIET_ZONE * MODULE_PIXELS, QUIET_ZONE * MODULE_PIXELS),
            0
        );
        let dark = slice.iter().filter(|p| p.r == 0).count();
        assert!(
            dark > slice.len() / 5 && dark < slice.len() / 2,
            "{dark} dark pixels"
        );
    }
}
