//! The card photo: opaque WLT bytes, decoded (if ever) by a vendor library behind [`PhotoDecoder`].

use std::fmt;

use zeroize::Zeroize;

/// The 1024-byte compressed and encrypted "WLT" photo, kept opaque.
///
/// No open decoder exists; the kiosk works without a photo. A vendor library can be plugged in by
/// implementing [`PhotoDecoder`].
#[derive(Clone, Default, PartialEq, Eq, Zeroize)]
pub struct Photo(Vec<u8>);

impl Photo {
    /// Wraps the photo block as read from the card.
    pub fn from_wlt(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The raw WLT bytes.
    pub fn as_wlt(&self) -> &[u8] {
        &self.0
    }

    /// `true` when the card answer carried no photo.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Decodes the photo with a vendor decoder.
    pub fn decode<D: PhotoDecoder + ?Sized>(&self, decoder: &D) -> Result<DecodedPhoto, D::Error> {
        decoder.decode(&self.0)
    }
}

impl fmt::Debug for Photo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Photo({} bytes WLT)", self.0.len())
    }
}

/// A decoded photo: 24-bit BGR pixels, row by row, top row first (102 × 126 on real cards).
#[derive(Clone, PartialEq, Eq, Zeroize)]
pub struct DecodedPhoto {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 3` bytes, blue-green-red.
    pub bgr: Vec<u8>,
}

impl fmt::Debug for DecodedPhoto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DecodedPhoto({}x{})", self.width, self.height)
    }
}

/// Turns WLT bytes into pixels. Implemented over a vendor library shipped with the reader.
///
/// ```
/// use id_reader::{DecodedPhoto, PhotoDecoder};
///
/// /// A stand-in that paints every photo grey (a real one wraps the vendor's decoder).
/// struct GreyPhotos;
///
/// impl PhotoDecoder for GreyPhotos {
///     type Error = std::convert::Infallible;
///     fn decode(&self, _wlt: &[u8]) -> Result<DecodedPhoto, Self::Error> {
///         Ok(DecodedPhoto { width: 102, height: 126, bgr: vec![0x80; 102 * 126 * 3] })
///     }
/// }
///
/// let photo = id_reader::Photo::from_wlt(vec![0; 1024]);
/// assert_eq!(photo.decode(&GreyPhotos).unwrap().width, 102);
/// ```
pub trait PhotoDecoder {
    /// Why decoding failed.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Decodes one WLT photo block.
    fn decode(&self, wlt: &[u8]) -> Result<DecodedPhoto, Self::Error>;
}

/// The decoder used when no vendor library is installed: always answers [`PhotoUnavailable`].
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPhotoDecoder;

/// No photo decoder is installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("证件照片无法解码：未安装照片解码库 (no photo decoder installed)")]
pub struct PhotoUnavailable;

impl PhotoDecoder for NoPhotoDecoder {
    type Error = PhotoUnavailable;

    fn decode(&self, _wlt: &[u8]) -> Result<DecodedPhoto, Self::Error> {
        Err(PhotoUnavailable)
    }
}
