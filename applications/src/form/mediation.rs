//! The people's mediation application (人民调解申请书), question by question.

use super::{Choice, Choices, Condition, Field, FieldType};

const DISPUTES: &[Choice] = &[
    Choice {
        id: "family",
        zh: "婚姻家庭（赡养、抚养、离婚、继承）",
        en: "Family (support, divorce, inheritance)",
    },
    Choice {
        id: "neighbours",
        zh: "邻里纠纷",
        en: "Neighbours",
    },
    Choice {
        id: "land",
        zh: "土地、山林、宅基地",
        en: "Land, forest or homestead",
    },
    Choice {
        id: "debt",
        zh: "借款、合同",
        en: "Loan or contract",
    },
    Choice {
        id: "damages",
        zh: "损害赔偿（打架、交通事故等）",
        en: "Damages (a fight, a traffic accident)",
    },
    Choice {
        id: "labour",
        zh: "工资、劳务",
        en: "Wages or work",
    },
    Choice {
        id: "property",
        zh: "物业、房屋",
        en: "Housing or property management",
    },
    Choice {
        id: "other",
        zh: "其他",
        en: "Other",
    },
];

const PLACES: &[Choice] = &[
    Choice {
        id: "village",
        zh: "在我们村（社区）调解",
        en: "In my village or community",
    },
    Choice {
        id: "township",
        zh: "在乡镇（街道）调解",
        en: "At the township",
    },
    Choice {
        id: "centre",
        zh: "在区公共法律服务中心调解",
        en: "At the district centre",
    },
];

/// The questions of the mediation application.
pub(super) const FIELDS: &[Field] = &[
    Field {
        id: super::PHONE,
        zh: "您的手机号码是多少？",
        en: "What is your mobile number?",
        help_zh: "调解员用这个号码和您约时间",
        help_en: "The mediator arranges a time on this number",
        field_type: FieldType::Phone,
        required: true,
        condition: Condition::Always,
        label_zh: "联系电话",
    },
    Field {
        id: "dispute_type",
        zh: "是哪一类纠纷？",
        en: "What kind of dispute is it?",
        help_zh: "",
        help_en: "",
        field_type: FieldType::Choice(Choices::Fixed(DISPUTES)),
        required: true,
        condition: Condition::Always,
        label_zh: "纠纷类型",
    },
    Field {
        id: "other_party",
        zh: "和您有纠纷的是谁？",
        en: "Who is the dispute with?",
        help_zh: "写姓名或单位名称",
        help_en: "A name or an organisation",
        field_type: FieldType::Text {
            max_chars: 40,
            multiline: false,
        },
        required: true,
        condition: Condition::Always,
        label_zh: "对方当事人",
    },
    Field {
        id: "other_party_contact",
        zh: "对方的电话或住址？",
        en: "The other side's phone or address?",
        help_zh: "知道就写，不知道可以不填",
        help_en: "If you know it; may be left empty",
        field_type: FieldType::Text {
            max_chars: 60,
            multiline: false,
        },
        required: false,
        condition: Condition::Always,
        label_zh: "对方联系方式",
    },
    Field {
        id: "facts",
        zh: "请简单说说发生了什么",
        en: "Say briefly what happened",
        help_zh: "例如：邻居修房子占了我家的路，商量了几次没有结果",
        help_en: "E.g. the neighbour's new house blocks our path; talking it over has not helped",
        field_type: FieldType::Text {
            max_chars: 500,
            multiline: true,
        },
        required: true,
        condition: Condition::Always,
        label_zh: "纠纷事实",
    },
    Field {
        id: "request",
        zh: "您希望怎么解决？",
        en: "How would you like it settled?",
        help_zh: "例如：希望对方让出通道，或者赔偿损失",
        help_en: "E.g. clear the path, or pay for the damage",
        field_type: FieldType::Text {
            max_chars: 300,
            multiline: true,
        },
        required: true,
        condition: Condition::Always,
        label_zh: "调解请求",
    },
    Field {
        id: "in_court",
        zh: "这件事已经告到法院或者申请仲裁了吗？",
        en: "Has the matter already gone to court or arbitration?",
        help_zh: "已经起诉或仲裁的，一般由法院或仲裁机构处理",
        help_en: "A matter already in court or arbitration is, as a rule, handled there",
        field_type: FieldType::YesNo,
        required: true,
        condition: Condition::Always,
        label_zh: "已起诉或仲裁",
    },
    Field {
        id: "place",
        zh: "您希望在哪里调解？",
        en: "Where would you like the mediation?",
        help_zh: "",
        help_en: "",
        field_type: FieldType::Choice(Choices::Fixed(PLACES)),
        required: true,
        condition: Condition::Always,
        label_zh: "调解地点",
    },
];
