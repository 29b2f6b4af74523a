//! JPEG compression (baseline, 4:2:0 for colour) with the `image` crate's encoder.

use image::ExtendedColorType;
use image::codecs::jpeg::JpegEncoder;

use crate::error::ScanError;
use crate::view::{RgbaView, luma};

/// Compresses a picture to JPEG: colour (YCbCr) or greyscale, quality 1–100 (clamped).
///
/// A helper for pictures that need no page processing (the uncropped preview kept with a
/// case, say); [`scan`](crate::scan) encodes its pages the same way.
///
/// # Errors
/// The picture's size errors (see [`RgbaView::validate`]) and [`ScanError::Encode`].
pub fn encode_jpeg(view: &RgbaView<'_>, quality: u8, colour: bool) -> Result<Vec<u8>, ScanError> {
    let img = view.checked()?;
    let channels = if colour { 3 } else { 1 };
    let mut packed = Vec::with_capacity(img.width * img.height * channels);
    for y in 0..img.height {
        for p in img.row(y).chunks_exact(4) {
            if colour {
                packed.extend_from_slice(&p[..3]);
            } else {
                packed.push(luma(p[0], p[1], p[2]));
            }
        }
    }
    encode_packed(&packed, img.width, img.height, colour, quality)
}

/// Compresses packed RGB (`colour`) or grey rows.
pub(crate) fn encode_packed(
    pixels: &[u8],
    width: usize,
    height: usize,
    colour: bool,
    quality: u8,
) -> Result<Vec<u8>, ScanError> {
    let (w, h) = (
        u32::try_from(width).map_err(|e| ScanError::Encode(e.to_string()))?,
        u32::try_from(height).map_err(|e| ScanError::Encode(e.to_string()))?,
    );
    let colour_type = if colour {
        ExtendedColorType::Rgb8
    } else {
        ExtendedColorType::L8
    };
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100))
        .encode(pixels, w, h, colour_type)
        .map_err(|e| ScanError::Encode(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_colour_and_grey() {
        let buf: Vec<u8> = (0..16 * 8).flat_map(|i| [i as u8, 100, 200, 255]).collect();
        let view = RgbaView::packed(16, 8, &buf);
        for colour in [true, false] {
            let jpeg = encode_jpeg(&view, 80, colour).unwrap();
            assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
            assert_eq!(&jpeg[jpeg.len() - 2..], &[0xFF, 0xD9]);
        }
        assert!(matches!(
            encode_jpeg(&RgbaView::packed(16, 8, &buf[..3]), 80, true),
            Err(ScanError::ShortBuffer { .. })
        ));
    }
}
