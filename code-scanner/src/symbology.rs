//! AIM symbology identifiers (ISO/IEC 15424): `]` + a code character + a modifier character,
//! sent by a scanner before the data when it is set to transmit them (`]Q1` for a QR code).

use std::fmt;

/// Which kind of code was scanned, from its AIM identifier's code character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symbology {
    /// QR Code (`]Q`).
    Qr,
    /// Data Matrix (`]d`).
    DataMatrix,
    /// Aztec Code (`]z`).
    Aztec,
    /// PDF417 and MicroPDF417 (`]L`).
    Pdf417,
    /// Han Xin Code (`]h`), the Chinese national 2D code.
    HanXin,
    /// MaxiCode (`]U`).
    MaxiCode,
    /// Code 128 and GS1-128 (`]C`).
    Code128,
    /// Code 39 (`]A`).
    Code39,
    /// Code 93 (`]G`).
    Code93,
    /// EAN/UPC (`]E`).
    EanUpc,
    /// Codabar (`]F`).
    Codabar,
    /// Interleaved 2 of 5 (`]I`).
    Interleaved2Of5,
    /// GS1 DataBar (`]e`).
    Gs1DataBar,
    /// Any other code character (`]X` is "other" in the standard).
    Other(char),
}

/// The codes this crate names, with their AIM code characters.
const TABLE: [(Symbology, char); 13] = [
    (Symbology::Qr, 'Q'),
    (Symbology::DataMatrix, 'd'),
    (Symbology::Aztec, 'z'),
    (Symbology::Pdf417, 'L'),
    (Symbology::HanXin, 'h'),
    (Symbology::MaxiCode, 'U'),
    (Symbology::Code128, 'C'),
    (Symbology::Code39, 'A'),
    (Symbology::Code93, 'G'),
    (Symbology::EanUpc, 'E'),
    (Symbology::Codabar, 'F'),
    (Symbology::Interleaved2Of5, 'I'),
    (Symbology::Gs1DataBar, 'e'),
];

impl Symbology {
    /// The symbology of an AIM code character (any ASCII letter).
    pub fn from_code(code: char) -> Self {
        TABLE
            .iter()
            .find(|(_, c)| *c == code)
            .map_or(Self::Other(code), |(s, _)| *s)
    }

    /// The AIM code character.
    pub fn code(self) -> char {
        match self {
            Self::Other(c) => c,
            known => TABLE
                .iter()
                .find(|(s, _)| *s == known)
                .map_or('X', |(_, c)| *c),
        }
    }
}

impl fmt::Display for Symbology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Qr => "QR Code",
            Self::DataMatrix => "Data Matrix",
            Self::Aztec => "Aztec",
            Self::Pdf417 => "PDF417",
            Self::HanXin => "Han Xin",
            Self::MaxiCode => "MaxiCode",
            Self::Code128 => "Code 128",
            Self::Code39 => "Code 39",
            Self::Code93 => "Code 93",
            Self::EanUpc => "EAN/UPC",
            Self::Codabar => "Codabar",
            Self::Interleaved2Of5 => "Interleaved 2 of 5",
            Self::Gs1DataBar => "GS1 DataBar",
            Self::Other(c) => return write!(f, "AIM ]{c}"),
        };
        f.write_str(name)
    }
}

/// An AIM identifier as it appears on the wire: `]`, code character, modifier character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AimId {
    /// The code character (an ASCII letter).
    pub code: char,
    /// The modifier (an ASCII digit or letter): options of the code, e.g. `]Q1` a QR Code
    /// model 2, `]d2` a GS1 Data Matrix.
    pub modifier: char,
}

impl AimId {
    /// The identifier's length on the wire.
    pub const LEN: usize = 3;

    /// The identifier at the start of `bytes`, if they start with one.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [b']', code, modifier, ..]
                if code.is_ascii_alphabetic() && modifier.is_ascii_alphanumeric() =>
            {
                Some(Self {
                    code: char::from(*code),
                    modifier: char::from(*modifier),
                })
            }
            _ => None,
        }
    }

    /// The usual identifier of a symbology: modifier `1` for QR Code (model 2) and Data Matrix
    /// (ECC 200), `0` for the others.
    pub fn usual(symbology: Symbology) -> Self {
        let modifier = match symbology {
            Symbology::Qr | Symbology::DataMatrix => '1',
            _ => '0',
        };
        Self {
            code: symbology.code(),
            modifier,
        }
    }

    /// The symbology it names.
    pub fn symbology(self) -> Symbology {
        Symbology::from_code(self.code)
    }

    /// The three bytes on the wire (`code` and `modifier` must be ASCII, as [`AimId::parse`]
    /// gives them; anything else is sent as `X`/`0`).
    pub fn to_bytes(self) -> [u8; 3] {
        let ascii = |c: char, or: u8| if c.is_ascii() { c as u8 } else { or };
        [b']', ascii(self.code, b'X'), ascii(self.modifier, b'0')]
    }
}

impl fmt::Display for AimId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "]{}{}", self.code, self.modifier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_identifiers_scanners_send() {
        let qr = AimId::parse(b"]Q1https://x").unwrap();
        assert_eq!((qr.symbology(), qr.modifier), (Symbology::Qr, '1'));
        let gs1 = AimId::parse(b"]d2010").unwrap();
        assert_eq!(
            (gs1.symbology(), gs1.modifier),
            (Symbology::DataMatrix, '2')
        );
        assert_eq!(AimId::parse(b"]h0").unwrap().symbology(), Symbology::HanXin);
        assert_eq!(
            AimId::parse(b"]X0").unwrap().symbology(),
            Symbology::Other('X')
        );
    }

    #[test]
    fn refuses_what_is_not_an_identifier() {
        for bytes in [&b"]Q"[..], b"]1Q", b"[Q1", b"]Q ", b"", b"]\xd6\xd0"] {
            assert_eq!(AimId::parse(bytes), None, "{bytes:?}");
        }
    }

    #[test]
    fn every_named_symbology_round_trips_through_its_code() {
        for (symbology, code) in TABLE {
            assert_eq!(symbology.code(), code);
            assert_eq!(Symbology::from_code(code), symbology);
            let wire = AimId::usual(symbology).to_bytes();
            assert_eq!(AimId::parse(&wire).unwrap().symbology(), symbology);
        }
        assert_eq!(AimId::usual(Symbology::Qr).to_string(), "]Q1");
        assert_eq!(Symbology::Qr.to_string(), "QR Code");
    }
}
