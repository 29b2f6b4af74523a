//! Card description files (TOML) for the simulator, with the same keys as the JSON output.

use serde::Deserialize;
use thiserror::Error;

use super::{CardDate, CardType, IdentityCard, Nation, Photo, Sex, ValidTo};

/// A card file could not be turned into a card.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CardSpecError {
    /// Not valid TOML, or an unknown key / wrong type.
    #[error("card file is not valid: {0}")]
    Toml(#[from] toml::de::Error),
    /// A key has a value outside its domain.
    #[error("card file key `{key}`: {problem}")]
    BadValue {
        /// The key.
        key: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A key the card type needs is missing.
    #[error("card file lacks `{0}`, which this card type needs")]
    Missing(&'static str),
}

/// The content of a card file. Keys match the CLI's JSON keys; `card_type` also accepts
/// `foreign_permanent_2017` and `foreign_permanent_2023` (plain `foreign_permanent` is 2023).
/// Simulator-only keys: `appended_address` (answer to `30 03`) and `fingerprints` (0–2 templates).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardSpec {
    /// `resident`, `hk_macao_taiwan`, `foreign_permanent`, `foreign_permanent_2017`, `foreign_permanent_2023`.
    pub card_type: String,
    /// Chinese name.
    pub name: Option<String>,
    /// English name.
    pub name_en: Option<String>,
    /// `男`, `女`, `未知` (or `1`, `2`, `0`, `9`).
    pub sex: Option<String>,
    /// Nation name (`汉`) or two-digit code (`01`).
    pub nation: Option<String>,
    /// `YYYY-MM-DD` or `YYYYMMDD`.
    pub birth: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Identity number.
    pub id_number: Option<String>,
    /// Issuing authority.
    pub authority: Option<String>,
    /// `YYYY-MM-DD`.
    pub valid_from: Option<String>,
    /// `YYYY-MM-DD` or `长期`.
    pub valid_to: Option<String>,
    /// Pass number (HK/Macao/Taiwan).
    pub pass_number: Option<String>,
    /// Issue / renewal count.
    pub issue_count: Option<String>,
    /// ISO alpha-3 nationality (foreign cards).
    pub nationality: Option<String>,
    /// Card version (2017 foreign cards).
    pub card_version: Option<String>,
    /// Accepting-authority code (2017 foreign cards).
    pub accepting_authority: Option<String>,
    /// Previous-number link (2023 foreign cards).
    pub previous_number: Option<String>,
    /// Simulator: the appended address, if any.
    pub appended_address: Option<String>,
    /// Simulator: how many fingerprint templates the card holds (0–2).
    #[serde(default)]
    pub fingerprints: u8,
}

fn required<'a>(v: &'a Option<String>, key: &'static str) -> Result<&'a str, CardSpecError> {
    v.as_deref().ok_or(CardSpecError::Missing(key))
}

fn bad(key: &'static str, problem: impl Into<String>) -> CardSpecError {
    CardSpecError::BadValue {
        key,
        problem: problem.into(),
    }
}

fn date(v: &Option<String>, key: &'static str) -> Result<CardDate, CardSpecError> {
    CardDate::parse(required(v, key)?).ok_or_else(|| bad(key, "expected YYYY-MM-DD"))
}

/// A stand-in for the 1024-byte WLT photo of simulated cards (not a decodable photo).
pub(crate) fn simulated_photo() -> Vec<u8> {
    (0..1024u32)
        .map(|i| (i.wrapping_mul(31) ^ 0x5A) as u8)
        .collect()
}

impl CardSpec {
    /// Reads a card file.
    pub fn from_toml(text: &str) -> Result<Self, CardSpecError> {
        Ok(toml::from_str(text)?)
    }

    /// The card type the file names.
    pub fn card_type(&self) -> Result<CardType, CardSpecError> {
        Ok(match self.card_type.as_str() {
            "resident" => CardType::Resident,
            "hk_macao_taiwan" => CardType::HkMacaoTaiwan,
            "foreign_permanent_2017" => CardType::ForeignPermanent2017,
            "foreign_permanent" | "foreign_permanent_2023" => CardType::ForeignPermanent2023,
            other => return Err(bad("card_type", format!("unknown card type {other:?}"))),
        })
    }

    /// Builds the card (with a simulated photo, and fingerprints if asked for).
    pub fn to_card(&self) -> Result<IdentityCard, CardSpecError> {
        let card_type = self.card_type()?;
        let sex = match &self.sex {
            Some(s) => Sex::from_label(s).ok_or_else(|| bad("sex", "expected 男, 女 or 未知"))?,
            None => Sex::Unknown,
        };
        let nation = match (&self.nation, card_type) {
            (Some(n), CardType::Resident) => Some(
                Nation::parse(n)
                    .or_else(|| Nation::from_name(n))
                    .ok_or_else(|| bad("nation", "not a GB 3304 nation name or code"))?,
            ),
            (None, CardType::Resident) => return Err(CardSpecError::Missing("nation")),
            _ => None,
        };
        let valid_to = ValidTo::parse(required(&self.valid_to, "valid_to")?)
            .ok_or_else(|| bad("valid_to", "expected YYYY-MM-DD or 长期"))?;
        if self.fingerprints > 2 {
            return Err(bad("fingerprints", "at most 2"));
        }
        let en_len = self.name_en.as_deref().map_or(0, |n| n.chars().count());
        let en_max = match card_type {
            CardType::ForeignPermanent2017 => 60,
            CardType::ForeignPermanent2023 => 46,
            _ => usize::MAX,
        };
        if en_len > en_max {
            return Err(bad(
                "name_en",
                format!("at most {en_max} characters on this card type"),
            ));
        }
        let name = self.name.clone().unwrap_or_default();
        if name.is_empty() && self.name_en.is_none() {
            return Err(CardSpecError::Missing("name"));
        }
        Ok(IdentityCard {
            card_type,
            name,
            name_en: self.name_en.clone(),
            sex,
            nation,
            birth: date(&self.birth, "birth")?,
            address: self.address.clone(),
            id_number: required(&self.id_number, "id_number")?.to_owned(),
            authority: self.authority.clone(),
            valid_from: date(&self.valid_from, "valid_from")?,
            valid_to,
            pass_number: self.pass_number.clone(),
            issue_count: self.issue_count.clone(),
            nationality: self.nationality.clone(),
            card_version: self.card_version.clone(),
            accepting_authority: self.accepting_authority.clone(),
            previous_number: self.previous_number.clone(),
            photo: Photo::from_wlt(simulated_photo()),
            fingerprint: None,
        })
    }

    /// The fingerprint block the simulated card holds (`fingerprints` × 512 bytes).
    pub fn fingerprint_block(&self) -> Vec<u8> {
        vec![0xF1; 512 * usize::from(self.fingerprints.min(2))]
    }
}
