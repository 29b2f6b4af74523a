//! Pictures from content bundles (photos, slides) as Slint images.
//!
//! A bundle stores each file under its SHA-256 digest without an extension, so Slint's own loader,
//! which guesses the format from the extension, cannot read them: they are decoded here by their
//! magic bytes (PNG or JPEG).

use std::path::Path;

use slint::{Image, Rgba8Pixel, SharedPixelBuffer};

/// Why a picture could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The bytes are not a PNG or JPEG picture.
    #[error("{} is not a PNG or JPEG picture: {source}", path.display())]
    Decode {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: image::ImageError,
    },
}

/// Decodes a PNG or JPEG picture from memory.
pub fn decode(bytes: &[u8]) -> Result<Image, image::ImageError> {
    decode_fitting(bytes, u32::MAX)
}

/// Decodes a PNG or JPEG picture from memory, scaled down (never up) to at most `max_side` pixels
/// on its longer side: a photo from a camera need not sit in memory at full size.
pub fn decode_fitting(bytes: &[u8], max_side: u32) -> Result<Image, image::ImageError> {
    let decoded = image::load_from_memory(bytes)?;
    let decoded = if decoded.width() > max_side || decoded.height() > max_side {
        decoded.thumbnail(max_side, max_side)
    } else {
        decoded
    };
    let rgba = decoded.into_rgba8();
    let buffer = SharedPixelBuffer::<Rgba8Pixel>::clone_from_slice(
        rgba.as_raw(),
        rgba.width(),
        rgba.height(),
    );
    Ok(Image::from_rgba8(buffer))
}

/// Loads a PNG or JPEG picture from a file, whatever its name.
pub fn load(path: &Path) -> Result<Image, ImageError> {
    load_fitting(path, u32::MAX)
}

/// Loads a PNG or JPEG picture from a file, whatever its name, scaled down to at most `max_side`
/// pixels on its longer side.
pub fn load_fitting(path: &Path, max_side: u32) -> Result<Image, ImageError> {
    let bytes = std::fs::read(path).map_err(|source| ImageError::Read {
        path: path.to_owned(),
        source,
    })?;
    decode_fitting(&bytes, max_side).map_err(|source| ImageError::Decode {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_decodes_without_an_extension_and_garbage_is_an_error() {
        let mut png = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut png, 2, 1);
            encoder.set_color(png::ColorType::Rgba);
            let mut writer = encoder.write_header().unwrap();
            writer
                .write_image_data(&[255, 0, 0, 255, 0, 0, 255, 255])
                .unwrap();
        }
        let image = decode(&png).unwrap();
        assert_eq!((image.size().width, image.size().height), (2, 1));
        let small = decode_fitting(&png, 1).unwrap();
        assert_eq!(small.size().width, 1, "scaled down to fit");
        assert!(decode(b"not a picture").is_err());
    }
}
