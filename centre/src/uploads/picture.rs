//! A photo from a phone made into a page: decoded (JPEG or PNG only), turned upright by its EXIF
//! orientation, capped at [`MAX_LONG_SIDE`] pixels on its long side and re-encoded as JPEG at quality
//! [`JPEG_QUALITY`]. The new JPEG carries **no metadata**: the phone's EXIF (the place the photo was
//! taken, the phone's make, the time) and any other segment of the original are left behind.
//!
//! The decoder is bounded before it allocates: at most [`MAX_SIDE`] pixels a side and
//! [`MAX_DECODED_BYTES`] for the decoded picture, so a small file that claims a huge picture (a
//! "decompression bomb") is refused, not decoded. This is CPU work: callers run it on a blocking
//! thread, a few at a time (`super::MAX_DECODES_AT_ONCE`).

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder as _, ImageFormat, ImageReader, Limits, Rgb, RgbImage,
    codecs::jpeg::JpegEncoder, imageops::FilterType,
};

/// The long side of a page at most, in pixels (a larger photo is scaled down).
pub const MAX_LONG_SIDE: u32 = 2000;
/// The quality of the re-encoded JPEG.
pub const JPEG_QUALITY: u8 = 80;
/// The widest or tallest photo decoded at all (a 50-megapixel phone photo is 8160 × 6120).
pub const MAX_SIDE: u32 = 12_000;
/// The most memory the decoded photo may take (8160 × 6120 RGB is 150 MB).
pub const MAX_DECODED_BYTES: u64 = 256 << 20;

/// Why a photo is refused. The messages are for the citizen (Chinese first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PictureError {
    /// Neither JPEG nor PNG (HEIC, a PDF, a text file…).
    #[error("请用相机拍照，上传 JPG 或 PNG 照片 / Please upload a JPG or PNG photo")]
    NotAPhoto,
    /// A JPEG or PNG that does not decode (cut short, damaged).
    #[error("照片无法读取，请重新拍照上传 / The photo cannot be read; please take it again")]
    Damaged,
    /// More pixels than [`MAX_SIDE`] or [`MAX_DECODED_BYTES`] allow.
    #[error(
        "照片像素太多，请用手机相机的普通模式拍照 / The photo has too many pixels; please take it in the camera's normal mode"
    )]
    TooManyPixels,
    /// The JPEG could not be written (should not happen).
    #[error("照片处理失败，请重试 / The photo could not be processed; please try again")]
    Encode,
}

/// `photo` (the bytes a phone sent) as a page: an upright JPEG without metadata, its long side at
/// most [`MAX_LONG_SIDE`].
pub fn normalise(photo: &[u8]) -> Result<Vec<u8>, PictureError> {
    let mut reader = ImageReader::new(Cursor::new(photo))
        .with_guessed_format()
        .map_err(|_| PictureError::NotAPhoto)?;
    if !matches!(reader.format(), Some(ImageFormat::Jpeg | ImageFormat::Png)) {
        return Err(PictureError::NotAPhoto);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(PictureError::TooManyPixels);
    }
    // Read before decoding: the EXIF orientation is the one piece of metadata that is applied
    // (to the pixels) rather than dropped. A damaged EXIF block leaves the photo as it is.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    // Scaled first, turned second: the turn then copies the small picture, not the large one.
    picture = scale_down(picture);
    picture.apply_orientation(orientation);
    let rgb = flatten(picture);
    let mut jpeg = Vec::with_capacity(512 * 1024);
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|_| PictureError::Encode)?;
    Ok(jpeg)
}

/// `picture` with its long side at most [`MAX_LONG_SIDE`]. Up to twice that a triangle filter (its
/// intermediate buffer stays under 100 MB); beyond, area averaging (`thumbnail`), which is as good
/// for a large reduction and needs no intermediate buffer.
fn scale_down(picture: DynamicImage) -> DynamicImage {
    let long = picture.width().max(picture.height());
    if long <= MAX_LONG_SIDE {
        picture
    } else if long <= 2 * MAX_LONG_SIDE {
        picture.resize(MAX_LONG_SIDE, MAX_LONG_SIDE, FilterType::Triangle)
    } else {
        picture.thumbnail(MAX_LONG_SIDE, MAX_LONG_SIDE)
    }
}

/// `picture` as RGB; a transparent part (a PNG's) shows white, as on paper.
fn flatten(picture: DynamicImage) -> RgbImage {
    if !picture.color().has_alpha() {
        return picture.into_rgb8();
    }
    let rgba = picture.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| {
            let (c, a) = (u32::from(c), u32::from(a));
            u8::try_from((c * a + 255 * (255 - a) + 127) / 255).unwrap_or(u8::MAX)
        };
        Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

/// A decoder's error as the citizen's reason.
fn refusal(err: image::ImageError) -> PictureError {
    match err {
        image::ImageError::Limits(_) => PictureError::TooManyPixels,
        image::ImageError::Unsupported(_) => PictureError::NotAPhoto,
        _ => PictureError::Damaged,
    }
}

#[cfg(test)]
mod tests {
    use image::{ImageBuffer, Rgba};

    use super::*;

    fn jpeg_of(width: u32, height: u32) -> Vec<u8> {
        let picture = ImageBuffer::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&picture)
            .unwrap();
        out
    }

    /// `jpeg` with an EXIF segment right after its start: orientation 6 (turn 90° clockwise to
    /// show) and a text standing for the place the photo was taken.
    fn with_exif(jpeg: &[u8]) -> Vec<u8> {
        let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&[0, 1]); // one entry
        tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // orientation = 6
        tiff.extend_from_slice(&[0, 0, 0, 0]); // no next directory
        tiff.extend_from_slice(b"GPS 29.53N 108.77E");
        let mut segment = b"Exif\0\0".to_vec();
        segment.extend_from_slice(&tiff);
        let length = u16::try_from(segment.len() + 2).unwrap().to_be_bytes();
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xff, 0xe1, length[0], length[1]]);
        out.extend_from_slice(&segment);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    fn decoded(jpeg: &[u8]) -> DynamicImage {
        assert_eq!(
            image::guess_format(jpeg).unwrap(),
            ImageFormat::Jpeg,
            "a JPEG"
        );
        image::load_from_memory(jpeg).unwrap()
    }

    fn holds(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_large_photo_is_capped_and_a_small_one_kept() {
        let page = normalise(&jpeg_of(2400, 1600)).unwrap();
        let picture = decoded(&page);
        assert_eq!((picture.width(), picture.height()), (2000, 1333));
        let page = normalise(&jpeg_of(4600, 3000)).unwrap();
        assert_eq!(decoded(&page).width(), 2000, "area averaging beyond 4000");
        let page = normalise(&jpeg_of(640, 480)).unwrap();
        assert_eq!(
            (decoded(&page).width(), decoded(&page).height()),
            (640, 480)
        );
    }

    #[test]
    fn exif_turns_the_page_and_is_dropped() {
        let photo = with_exif(&jpeg_of(2400, 1600));
        assert!(holds(&photo, b"Exif") && holds(&photo, b"GPS 29.53N"));
        let page = normalise(&photo).unwrap();
        let picture = decoded(&page);
        assert_eq!(
            (picture.width(), picture.height()),
            (1333, 2000),
            "turned upright"
        );
        assert!(!holds(&page, b"Exif"), "no EXIF segment");
        assert!(!holds(&page, b"GPS 29.53N"), "no location");
    }

    #[test]
    fn a_png_with_transparency_becomes_a_jpeg() {
        let picture = ImageBuffer::from_fn(300, 200, |x, _| Rgba([0, 0, 255, (x % 256) as u8]));
        let mut png = Vec::new();
        DynamicImage::ImageRgba8(picture)
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        let page = normalise(&png).unwrap();
        let picture = decoded(&page).into_rgb8();
        assert_eq!(picture.dimensions(), (300, 200));
        let [r, g, b] = picture.get_pixel(0, 100).0;
        assert!(
            r > 240 && g > 240 && b > 240,
            "transparent shows white: {r} {g} {b}"
        );
        let [r, g, b] = picture.get_pixel(255, 100).0;
        assert!(
            r < 40 && g < 40 && b > 200,
            "opaque keeps its colour: {r} {g} {b}"
        );
    }

    #[test]
    fn other_files_are_refused_with_the_citizens_reason() {
        assert_eq!(
            normalise(b"hello, this is text"),
            Err(PictureError::NotAPhoto)
        );
        assert_eq!(normalise(b""), Err(PictureError::NotAPhoto));
        // The start of a HEIC file (ftyp heic): not decoded here.
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        assert_eq!(normalise(heic), Err(PictureError::NotAPhoto));
        let gif = b"GIF89a\x01\0\x01\0\0\0\0;";
        assert_eq!(normalise(gif), Err(PictureError::NotAPhoto));
        let mut cut = jpeg_of(200, 200);
        cut.truncate(300);
        assert!(matches!(
            normalise(&cut),
            Err(PictureError::Damaged | PictureError::NotAPhoto)
        ));
        assert!(
            PictureError::NotAPhoto.to_string().starts_with(
                "请用相机拍照，上传 JPG 或 PNG 照片 / Please upload a JPG or PNG photo"
            )
        );
    }

    #[test]
    fn a_picture_too_large_to_decode_is_refused_before_it_is_decoded() {
        // A PNG header claiming 20000 × 20000 pixels: refused from its header.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&20_000u32.to_be_bytes());
        png.extend_from_slice(&20_000u32.to_be_bytes());
        png.extend_from_slice(&[8, 2, 0, 0, 0]);
        let crc = crc32(&png[12..]);
        png.extend_from_slice(&crc.to_be_bytes());
        assert_eq!(normalise(&png), Err(PictureError::TooManyPixels));
    }

    /// CRC-32 (IEEE), as PNG chunks carry it.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
