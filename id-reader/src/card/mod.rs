//! The identity card model for the four text-block layouts, its parsing and its encoding.
//!
//! The 256-byte text block is UTF-16LE, padded with U+0020 (some writers use U+0000). The
//! character at byte 248 says the layout: `J` HK/Macao/Taiwan residence permit, `I` foreign
//! permanent resident ID card (2017), `Y` the same (2023), anything else a mainland resident card.

mod date;
mod id_number;
mod json;
mod layout;
mod nation;
mod photo;
mod privacy;
mod sex;
mod spec;

use std::fmt;

use chrono::NaiveDate;
use thiserror::Error;
use zeroize::{Zeroize, ZeroizeOnDrop};

pub use date::{CardDate, ValidTo};
pub use id_number::{IdCheck, check_digit};
pub use nation::Nation;
pub use photo::{DecodedPhoto, NoPhotoDecoder, Photo, PhotoDecoder, PhotoUnavailable};
pub use privacy::{IdentityToken, mask_name, mask_number};
pub use sex::Sex;
pub(crate) use spec::simulated_photo;
pub use spec::{CardSpec, CardSpecError};

use crate::response::ReadData;

/// Size of the text block on every layout.
pub const TEXT_BLOCK_LEN: usize = 256;

/// The text block could not be read as a card; fields are named, their content never shown.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CardError {
    /// The text block is shorter than the 256 bytes every layout needs.
    #[error("text block has {0} bytes, a card needs {TEXT_BLOCK_LEN}")]
    TextTooShort(usize),
    /// A field does not hold what its layout says (e.g. a date that is not `YYYYMMDD`).
    #[error("card field `{field}` is malformed")]
    BadField {
        /// Field name, as in the JSON keys.
        field: &'static str,
    },
}

/// Which document the card is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardType {
    /// 居民身份证, mainland resident ID card.
    Resident,
    /// 港澳台居民居住证, HK/Macao/Taiwan residence permit (flag `J`).
    HkMacaoTaiwan,
    /// 外国人永久居留身份证, 2017 edition (flag `I`).
    ForeignPermanent2017,
    /// 外国人永久居留身份证, 2023 edition (flag `Y`).
    ForeignPermanent2023,
}

impl CardType {
    /// Layout for the flag character at byte 248.
    pub fn from_flag(flag: char) -> Self {
        match flag {
            'J' => Self::HkMacaoTaiwan,
            'I' => Self::ForeignPermanent2017,
            'Y' => Self::ForeignPermanent2023,
            _ => Self::Resident,
        }
    }

    /// The flag character written at byte 248 (a space for resident cards).
    pub fn flag(self) -> char {
        match self {
            Self::Resident => ' ',
            Self::HkMacaoTaiwan => 'J',
            Self::ForeignPermanent2017 => 'I',
            Self::ForeignPermanent2023 => 'Y',
        }
    }

    /// The JSON `card_type` value: `resident`, `hk_macao_taiwan` or `foreign_permanent`.
    pub fn json_name(self) -> &'static str {
        match self {
            Self::Resident => "resident",
            Self::HkMacaoTaiwan => "hk_macao_taiwan",
            Self::ForeignPermanent2017 | Self::ForeignPermanent2023 => "foreign_permanent",
        }
    }

    /// Chinese name of the document.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Resident => "居民身份证",
            Self::HkMacaoTaiwan => "港澳台居民居住证",
            Self::ForeignPermanent2017 => "外国人永久居留身份证（2017版）",
            Self::ForeignPermanent2023 => "外国人永久居留身份证（2023版）",
        }
    }

    /// English name of the document.
    pub fn en(self) -> &'static str {
        match self {
            Self::Resident => "resident identity card",
            Self::HkMacaoTaiwan => "residence permit for Hong Kong, Macao and Taiwan residents",
            Self::ForeignPermanent2017 => "foreign permanent resident ID card (2017)",
            Self::ForeignPermanent2023 => "foreign permanent resident ID card (2023)",
        }
    }
}

/// One card's content. Lives in memory for one session: its text and photo are wiped when it is
/// dropped, and its `Debug` form is masked.
///
/// Fields a layout does not have are `None` (see the crate README for the table).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct IdentityCard {
    /// Which document (decides the layout).
    #[zeroize(skip)]
    pub card_type: CardType,
    /// Chinese name (may be empty on a 2017 foreign card).
    pub name: String,
    /// English name (foreign cards).
    pub name_en: Option<String>,
    /// Sex.
    #[zeroize(skip)]
    pub sex: Sex,
    /// Nation (resident cards).
    #[zeroize(skip)]
    pub nation: Option<Nation>,
    /// Date of birth.
    pub birth: CardDate,
    /// Address (resident and HK/Macao/Taiwan cards).
    pub address: Option<String>,
    /// Identity number: 18 characters, or 15 on a 2017 foreign card.
    pub id_number: String,
    /// Issuing authority (resident and HK/Macao/Taiwan cards).
    pub authority: Option<String>,
    /// Start of validity.
    pub valid_from: CardDate,
    /// End of validity.
    pub valid_to: ValidTo,
    /// Pass number, e.g. `H12345678` (HK/Macao/Taiwan cards).
    pub pass_number: Option<String>,
    /// Issue count (签发次数, HK/Macao/Taiwan) or renewal count (换证次数, 2023 foreign).
    pub issue_count: Option<String>,
    /// Nationality, ISO 3166-1 alpha-3 (foreign cards).
    pub nationality: Option<String>,
    /// Card version number (证件版本号, 2017 foreign cards).
    pub card_version: Option<String>,
    /// Code of the accepting authority (2017 foreign cards).
    pub accepting_authority: Option<String>,
    /// Link to the previous permanent-residence number (2023 foreign cards).
    pub previous_number: Option<String>,
    /// The opaque WLT photo (empty if not read).
    pub photo: Photo,
    /// Fingerprint templates, only when they were asked for (`30 10`).
    pub fingerprint: Option<Vec<u8>>,
}

impl IdentityCard {
    /// Parses a read answer: text block, photo and optional fingerprints.
    pub fn from_read(data: &ReadData) -> Result<Self, CardError> {
        let mut card = Self::from_text_block(&data.text)?;
        card.photo = Photo::from_wlt(data.photo.clone());
        card.fingerprint.clone_from(&data.fingerprint);
        Ok(card)
    }

    /// Parses a text block (at least 256 bytes; bytes beyond are ignored).
    pub fn from_text_block(text: &[u8]) -> Result<Self, CardError> {
        layout::parse(text)
    }

    /// Encodes the card back into its 256-byte text block (fields too long are cut).
    pub fn to_text_block(&self) -> [u8; TEXT_BLOCK_LEN] {
        layout::encode(self)
    }

    /// Checks the identity number's GB 11643 check digit.
    pub fn id_check(&self) -> IdCheck {
        IdCheck::of(&self.id_number)
    }

    /// `true` when the identity number's check digit is right.
    pub fn id_number_valid(&self) -> bool {
        self.id_check() == IdCheck::Valid
    }

    /// Age in whole years on `date` (`None` if `date` is before the birth date).
    pub fn age_on(&self, date: NaiveDate) -> Option<u32> {
        self.birth.years_until(date)
    }

    /// The name to show: the Chinese name, or the English one when there is none.
    pub fn display_name(&self) -> &str {
        match &self.name_en {
            Some(en) if self.name.is_empty() => en,
            _ => &self.name,
        }
    }

    /// The displayed name, masked (`张*三`).
    pub fn masked_name(&self) -> String {
        mask_name(self.display_name())
    }

    /// The identity number, masked (`990***********9992`).
    pub fn masked_id_number(&self) -> String {
        mask_number(&self.id_number)
    }

    /// The salted token of this card's holder (see [`IdentityToken::derive`]).
    pub fn identity_token(&self, salt: &[u8]) -> IdentityToken {
        IdentityToken::derive(salt, self.card_type.json_name(), &self.id_number)
    }

    /// The JSON object of the CLI (keys listed in the README); `masked` masks names and numbers.
    pub fn to_json(&self, masked: bool) -> serde_json::Value {
        json::to_json(self, masked)
    }
}

impl fmt::Debug for IdentityCard {
    /// Masked: never prints the name or number in clear.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityCard")
            .field("card_type", &self.card_type)
            .field("name", &self.masked_name())
            .field("id_number", &self.masked_id_number())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
