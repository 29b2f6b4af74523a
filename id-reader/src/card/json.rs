//! The JSON object printed by the CLI (`--json`); keys are part of the interface.

use serde::Serialize;

use super::{IdCheck, IdentityCard, mask_name, mask_number};

#[derive(Serialize)]
struct CardJson {
    card_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name_en: Option<String>,
    sex: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    nation: Option<String>,
    birth: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<String>,
    id_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_number_valid: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    authority: Option<String>,
    valid_from: String,
    valid_to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pass_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issue_count: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nationality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_version: Option<String>,
}

pub(super) fn to_json(card: &IdentityCard, masked: bool) -> serde_json::Value {
    let name_mask = |s: &str| if masked { mask_name(s) } else { s.to_owned() };
    let number_mask = |s: &str| if masked { mask_number(s) } else { s.to_owned() };
    let json = CardJson {
        card_type: card.card_type.json_name(),
        name: (!card.name.is_empty()).then(|| name_mask(&card.name)),
        name_en: card.name_en.as_deref().map(name_mask),
        sex: card.sex.label(),
        nation: card.nation.map(|n| n.name().to_owned()),
        birth: card.birth.to_string(),
        address: card.address.clone(),
        id_number: number_mask(&card.id_number),
        id_number_valid: match card.id_check() {
            IdCheck::NotApplicable => None,
            check => Some(check == IdCheck::Valid),
        },
        authority: card.authority.clone(),
        valid_from: card.valid_from.to_string(),
        valid_to: card.valid_to.to_string(),
        pass_number: card.pass_number.as_deref().map(number_mask),
        issue_count: card.issue_count.clone(),
        nationality: card.nationality.clone(),
        card_version: card.card_version.clone(),
    };
    serde_json::to_value(json).unwrap_or(serde_json::Value::Null)
}
