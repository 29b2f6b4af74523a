//! The papers an application needs, from its answers.
//!
//! Legal aid (实施条例 art. 17, 法律援助法 arts. 41–42): the ID card; proof of authority when applying
//! for someone else; a statement of the household's finances, or, for a group exempt from the check or
//! a situation without the hardship condition, the paper that shows it; and the papers of the case.
//! Mediation: the ID card and, if the citizen has them, papers about the dispute. A notary appointment:
//! the ID card and the papers the matter needs (公证程序规则 art. 18, in plain words).

use serde::{Deserialize, Serialize};

use crate::{
    Answers, ApplicationKind,
    form::{self, NONE_OF_THESE},
};

/// One paper the application needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredDocument {
    /// Its key (pages name it).
    pub id: String,
    /// Its name in Simplified Chinese, as the capture screen lists it.
    pub zh: String,
    /// Its name in English.
    pub en: String,
    /// Whether at least one page is needed to send the application (false: "if you have it").
    pub required: bool,
}

fn doc(id: &str, zh: &str, en: &str, required: bool) -> RequiredDocument {
    RequiredDocument {
        id: id.into(),
        zh: zh.into(),
        en: en.into(),
        required,
    }
}

/// The key of the ID card's pages (every kind needs it).
pub const ID_CARD: &str = "id_card";

/// The papers `kind` needs given `answers`, in the order the capture screen asks for them.
pub fn required_documents(kind: ApplicationKind, answers: &Answers) -> Vec<RequiredDocument> {
    let mut docs = vec![doc(
        ID_CARD,
        "居民身份证（正反两面）",
        "Resident ID card (both sides)",
        true,
    )];
    match kind {
        ApplicationKind::LegalAid => {
            if answers.get(form::ON_BEHALF) == Some("yes") {
                docs.push(doc(
                    "authority",
                    "代理权证明（如户口簿、亲属关系证明、监护证明）",
                    "Proof of authority (household register, proof of kinship or guardianship)",
                    true,
                ));
            }
            match answers.get(form::AID_HARDSHIP_BASIS) {
                Some(NONE_OF_THESE) | None => docs.push(doc(
                    "hardship_statement",
                    "经济困难状况说明（可以是个人诚信承诺）",
                    "Statement of the household's finances (a good-faith pledge will do)",
                    true,
                )),
                Some(_) => docs.push(doc(
                    "basis_proof",
                    "能证明所选情况的材料（如低保证、特困供养证、残疾人证）",
                    "Proof of the situation chosen (e.g. minimum-allowance, hardship or disability certificate)",
                    true,
                )),
            }
            docs.push(doc(
                "case_papers",
                "与申请事项有关的材料（如欠条、合同、判决书、病历）",
                "Papers about the case (an IOU, a contract, a judgment, medical records)",
                true,
            ));
        }
        ApplicationKind::Mediation => docs.push(doc(
            "dispute_papers",
            "与纠纷有关的材料（有就拍，没有可以不拍）",
            "Papers about the dispute (if you have any)",
            false,
        )),
        ApplicationKind::Notary => docs.extend(notary_documents(answers.get(form::NOTARY_MATTER))),
    }
    docs
}

fn notary_documents(matter: Option<&str>) -> Vec<RequiredDocument> {
    match matter {
        Some("inheritance") => vec![
            doc(
                "death_certificate",
                "被继承人的死亡证明",
                "Death certificate of the deceased",
                true,
            ),
            doc(
                "kinship_proof",
                "亲属关系证明（如户口簿）",
                "Proof of kinship (household register)",
                true,
            ),
            doc(
                "estate_papers",
                "遗产的产权凭证（如房产证、存折）",
                "Title to the estate (deeds, bank books)",
                true,
            ),
        ],
        Some("education") => vec![doc(
            "diploma",
            "毕业证书或学位证书",
            "Diploma or degree certificate",
            true,
        )],
        Some("marital_status") => vec![doc(
            "marriage_papers",
            "户口簿，结婚证或离婚证",
            "Household register, marriage or divorce certificate",
            true,
        )],
        Some("kinship" | "birth") => vec![doc(
            "household_register",
            "户口簿或出生医学证明",
            "Household register or birth certificate",
            true,
        )],
        Some("no_criminal_record") => vec![doc(
            "record_certificate",
            "派出所出具的无犯罪记录证明",
            "Police certificate of no criminal record",
            true,
        )],
        Some("contract" | "copy_conformity") => vec![doc(
            "originals",
            "要公证的合同或文件原件",
            "The contract or original document",
            true,
        )],
        _ => vec![doc(
            "matter_papers",
            "与公证事项有关的材料（有就拍）",
            "Papers about the matter (if you have any)",
            false,
        )],
    }
}

/// A required paper with no page yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentShortfall {
    /// The paper's key.
    pub id: String,
    /// Its name in Simplified Chinese.
    pub zh: String,
}

/// The required papers of `docs` that have no page among `page_documents` (the document key of every
/// page taken).
pub fn missing_documents<'a>(
    docs: &[RequiredDocument],
    page_documents: impl IntoIterator<Item = &'a str> + Clone,
) -> Vec<DocumentShortfall> {
    docs.iter()
        .filter(|d| d.required && !page_documents.clone().into_iter().any(|p| p == d.id))
        .map(|d| DocumentShortfall {
            id: d.id.clone(),
            zh: d.zh.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(docs: &[RequiredDocument]) -> Vec<&str> {
        docs.iter().map(|d| d.id.as_str()).collect()
    }

    #[test]
    fn legal_aid_papers_follow_the_answers() {
        let mut a = Answers::default();
        a.set_unchecked(form::AID_HARDSHIP_BASIS, NONE_OF_THESE);
        let docs = required_documents(ApplicationKind::LegalAid, &a);
        assert_eq!(ids(&docs), ["id_card", "hardship_statement", "case_papers"]);
        assert_eq!(docs[1].zh, "经济困难状况说明（可以是个人诚信承诺）");
        a.set_unchecked(form::AID_HARDSHIP_BASIS, "assistance_recipient");
        a.set_unchecked(form::ON_BEHALF, "yes");
        let docs = required_documents(ApplicationKind::LegalAid, &a);
        assert_eq!(
            ids(&docs),
            ["id_card", "authority", "basis_proof", "case_papers"]
        );
    }

    #[test]
    fn notary_papers_follow_the_matter_and_shortfalls_are_named() {
        let mut a = Answers::default();
        a.set_unchecked(form::NOTARY_MATTER, "inheritance");
        let docs = required_documents(ApplicationKind::Notary, &a);
        assert_eq!(docs.len(), 4);
        let missing = missing_documents(&docs, ["id_card", "kinship_proof", "id_card"]);
        let missing: Vec<_> = missing.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(missing, ["death_certificate", "estate_papers"]);
        let mediation = required_documents(ApplicationKind::Mediation, &Answers::default());
        assert_eq!(missing_documents(&mediation, ["id_card"]), []);
    }
}
