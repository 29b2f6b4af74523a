//! The notary appointment (公证预约), question by question.

use super::{Choice, Choices, Condition, Field, FieldType};

pub(super) const MATTER: &str = "matter";

/// The matters offered (公证法 art. 11), in plain words.
pub(crate) const MATTERS: &[Choice] = &[
    Choice {
        id: "inheritance",
        zh: "继承（办遗产过户）",
        en: "Inheritance",
    },
    Choice {
        id: "entrustment",
        zh: "委托（请别人替自己办事）",
        en: "Power of attorney",
    },
    Choice {
        id: "declaration",
        zh: "声明",
        en: "Declaration",
    },
    Choice {
        id: "gift",
        zh: "赠与",
        en: "Gift",
    },
    Choice {
        id: "will",
        zh: "遗嘱（必须本人办理）",
        en: "Will (in person only)",
    },
    Choice {
        id: "education",
        zh: "学历、学位",
        en: "Education or degree",
    },
    Choice {
        id: "marital_status",
        zh: "婚姻状况（结婚、离婚、未婚）",
        en: "Marital status",
    },
    Choice {
        id: "kinship",
        zh: "亲属关系",
        en: "Kinship",
    },
    Choice {
        id: "birth",
        zh: "出生",
        en: "Birth",
    },
    Choice {
        id: "no_criminal_record",
        zh: "有无违法犯罪记录",
        en: "Criminal record",
    },
    Choice {
        id: "contract",
        zh: "合同",
        en: "Contract",
    },
    Choice {
        id: "copy_conformity",
        zh: "复印件与原件相符",
        en: "Copy conforms to the original",
    },
    Choice {
        id: "other",
        zh: "其他",
        en: "Other",
    },
];

const USES: &[Choice] = &[
    Choice {
        id: "domestic",
        zh: "在国内使用",
        en: "In mainland China",
    },
    Choice {
        id: "abroad",
        zh: "到国外或港澳台使用",
        en: "Abroad, Hong Kong, Macao or Taiwan",
    },
];

/// The questions of the notary appointment.
pub(super) const FIELDS: &[Field] = &[
    Field {
        id: super::PHONE,
        zh: "您的手机号码是多少？",
        en: "What is your mobile number?",
        help_zh: "公证处用这个号码和您确认时间",
        help_en: "The notary office confirms the time on this number",
        field_type: FieldType::Phone,
        required: true,
        condition: Condition::Always,
        label_zh: "联系电话",
    },
    Field {
        id: MATTER,
        zh: "您要办什么公证？",
        en: "What do you need notarised?",
        help_zh: "",
        help_en: "",
        field_type: FieldType::Choice(Choices::Fixed(MATTERS)),
        required: true,
        condition: Condition::Always,
        label_zh: "公证事项",
    },
    Field {
        id: "matter_detail",
        zh: "请写一下要办的公证事项",
        en: "Write what needs notarising",
        help_zh: "",
        help_en: "",
        field_type: FieldType::Text {
            max_chars: 60,
            multiline: false,
        },
        required: true,
        condition: Condition::Equals {
            field: MATTER,
            value: "other",
        },
        label_zh: "事项说明",
    },
    Field {
        id: "use",
        zh: "公证书在哪里使用？",
        en: "Where will the certificate be used?",
        help_zh: "",
        help_en: "",
        field_type: FieldType::Choice(Choices::Fixed(USES)),
        required: true,
        condition: Condition::Always,
        label_zh: "使用地",
    },
    Field {
        id: "destination",
        zh: "在哪个国家或地区使用？",
        en: "In which country or region?",
        help_zh: "",
        help_en: "",
        field_type: FieldType::Text {
            max_chars: 30,
            multiline: false,
        },
        required: true,
        condition: Condition::Equals {
            field: "use",
            value: "abroad",
        },
        label_zh: "使用国家或地区",
    },
    Field {
        id: "other_parties",
        zh: "还有谁要一起办？",
        en: "Who else takes part?",
        help_zh: "例如继承要写其他继承人的姓名。没有可以不填",
        help_en: "E.g. the other heirs. May be left empty",
        field_type: FieldType::Text {
            max_chars: 100,
            multiline: false,
        },
        required: false,
        condition: Condition::Always,
        label_zh: "其他当事人",
    },
    Field {
        id: "preferred_date",
        zh: "您希望哪天来办？",
        en: "Which day would you like to come?",
        help_zh: "公证处会打电话和您确认",
        help_en: "The notary office will call to confirm",
        field_type: FieldType::Date,
        required: false,
        condition: Condition::Always,
        label_zh: "希望办理日期",
    },
];
