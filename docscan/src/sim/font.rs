//! The font the simulator draws its headings and text with, passed in by the caller.
//!
//! The bundled Noto Sans CJK SC (`assets/fonts/NotoSansSC-Regular.otf`) is 16 MB; the
//! ticket printer already embeds it, so this crate does not embed a second copy: the kiosk
//! hands over the bytes it already has, and without a font the simulator draws text-like
//! blocks instead.

use ab_glyph::FontArc;

/// A parsed OpenType or TrueType font for the simulator (cheap to clone: shared).
#[derive(Clone)]
pub struct SimFont(pub(crate) FontArc);

impl std::fmt::Debug for SimFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SimFont")
    }
}

/// The bytes given as a font are not an OpenType or TrueType font.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the font bytes are not an OpenType or TrueType font")]
pub struct FontError;

impl SimFont {
    /// A font over bytes that live for the whole program (e.g. `include_bytes!`).
    ///
    /// # Errors
    /// [`FontError`] when the bytes are not a font.
    pub fn from_static(bytes: &'static [u8]) -> Result<Self, FontError> {
        FontArc::try_from_slice(bytes)
            .map(Self)
            .map_err(|_| FontError)
    }

    /// A font that owns its bytes (e.g. read from a file).
    ///
    /// # Errors
    /// [`FontError`] when the bytes are not a font.
    pub fn from_vec(bytes: Vec<u8>) -> Result<Self, FontError> {
        FontArc::try_from_vec(bytes)
            .map(Self)
            .map_err(|_| FontError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_font() {
        assert_eq!(SimFont::from_vec(vec![1, 2, 3]).unwrap_err(), FontError);
        assert!(SimFont::from_static(b"").is_err());
    }
}
