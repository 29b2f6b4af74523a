//! The three kinds of application.

use serde::{Deserialize, Serialize};

/// What is applied for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationKind {
    /// 法律援助: legal aid (法律援助法).
    LegalAid,
    /// 人民调解: people's mediation of a dispute (人民调解法).
    Mediation,
    /// 公证预约: an appointment with the notary office for a notarisation (公证法).
    Notary,
}

impl ApplicationKind {
    /// Every kind, in the order the kiosk offers them.
    pub const ALL: [Self; 3] = [Self::LegalAid, Self::Mediation, Self::Notary];

    /// The name as sent and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LegalAid => "legal_aid",
            Self::Mediation => "mediation",
            Self::Notary => "notary",
        }
    }

    /// The kind named `name` (as [`Self::as_str`] gives it).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The name in Simplified Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Self::LegalAid => "法律援助申请",
            Self::Mediation => "人民调解申请",
            Self::Notary => "公证预约",
        }
    }

    /// The name in English.
    pub fn en(self) -> &'static str {
        match self {
            Self::LegalAid => "Legal aid application",
            Self::Mediation => "Mediation application",
            Self::Notary => "Notary appointment",
        }
    }
}
