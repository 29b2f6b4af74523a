//! The legal-aid application (法律援助申请表), question by question.

use super::{Choice, Choices, Condition, Field, FieldType};

pub(super) const MATTER: &str = "matter";
pub(super) const HARDSHIP_BASIS: &str = "hardship_basis";
pub(super) const INCOME: &str = "income_per_person";
pub(super) const ON_BEHALF: &str = "on_behalf";

const STAGES: &[Choice] = &[
    Choice {
        id: "not_started",
        zh: "还没有起诉或申请仲裁",
        en: "Nothing filed yet",
    },
    Choice {
        id: "arbitration",
        zh: "正在劳动仲裁",
        en: "In labour arbitration",
    },
    Choice {
        id: "first_instance",
        zh: "法院一审",
        en: "First instance in court",
    },
    Choice {
        id: "second_instance",
        zh: "法院二审",
        en: "Appeal in court",
    },
    Choice {
        id: "enforcement",
        zh: "申请执行",
        en: "Enforcement",
    },
    Choice {
        id: "investigation",
        zh: "公安侦查或检察院审查起诉",
        en: "Police investigation or prosecution review",
    },
    Choice {
        id: "not_sure",
        zh: "不清楚",
        en: "Not sure",
    },
];

const RELATIONS: &[Choice] = &[
    Choice {
        id: "parent",
        zh: "父母",
        en: "Parent",
    },
    Choice {
        id: "child",
        zh: "子女",
        en: "Child",
    },
    Choice {
        id: "spouse",
        zh: "配偶",
        en: "Spouse",
    },
    Choice {
        id: "other_relative",
        zh: "其他近亲属",
        en: "Other close relative",
    },
    Choice {
        id: "guardian",
        zh: "监护人",
        en: "Guardian",
    },
];

const YES_NO: FieldType = FieldType::YesNo;

/// The questions of the legal-aid application.
pub(super) const FIELDS: &[Field] = &[
    Field {
        id: super::PHONE,
        zh: "您的手机号码是多少？",
        en: "What is your mobile number?",
        help_zh: "法律援助机构用这个号码通知您结果",
        help_en: "The legal-aid body tells you the result on this number",
        field_type: FieldType::Phone,
        required: true,
        condition: Condition::Always,
        label_zh: "联系电话",
    },
    Field {
        id: ON_BEHALF,
        zh: "您是替别人申请吗？",
        en: "Are you applying for someone else?",
        help_zh: "例如替父母、子女申请。替别人申请要带代理权证明",
        help_en: "For a parent or child, say. You then need proof of authority",
        field_type: YES_NO,
        required: true,
        condition: Condition::Always,
        label_zh: "代为申请",
    },
    Field {
        id: "principal_name",
        zh: "您替谁申请？请写他（她）的姓名",
        en: "Whom are you applying for? Write their name",
        help_zh: "受援人的姓名",
        help_en: "The name of the person who needs legal aid",
        field_type: FieldType::Text {
            max_chars: 20,
            multiline: false,
        },
        required: true,
        condition: Condition::Equals {
            field: ON_BEHALF,
            value: "yes",
        },
        label_zh: "受援人姓名",
    },
    Field {
        id: "principal_relation",
        zh: "他（她）是您的什么人？",
        en: "How are you related to them?",
        help_zh: "",
        help_en: "",
        field_type: FieldType::Choice(Choices::Fixed(RELATIONS)),
        required: true,
        condition: Condition::Equals {
            field: ON_BEHALF,
            value: "yes",
        },
        label_zh: "与受援人关系",
    },
    Field {
        id: MATTER,
        zh: "您遇到的是哪一类事情？",
        en: "What kind of matter is it?",
        help_zh: "不确定就选“其他”",
        help_en: "If unsure, choose “Other”",
        field_type: FieldType::Choice(Choices::AidMatters),
        required: true,
        condition: Condition::Always,
        label_zh: "申请事项",
    },
    Field {
        id: "stage",
        zh: "这件事现在到了哪一步？",
        en: "How far has the matter gone?",
        help_zh: "",
        help_en: "",
        field_type: FieldType::Choice(Choices::Fixed(STAGES)),
        required: true,
        condition: Condition::Always,
        label_zh: "案件阶段",
    },
    Field {
        id: "opponent",
        zh: "对方是谁？",
        en: "Who is the other side?",
        help_zh: "写姓名或单位名称，例如：某某建筑公司。不知道可以不填",
        help_en: "A name or a company, e.g. the building firm. Leave empty if unknown",
        field_type: FieldType::Text {
            max_chars: 40,
            multiline: false,
        },
        required: false,
        condition: Condition::Always,
        label_zh: "对方当事人",
    },
    Field {
        id: "facts",
        zh: "请简单说说发生了什么，您希望得到什么帮助",
        en: "Say briefly what happened and what help you want",
        help_zh: "例如：2025年在工地干活，老板欠工资8000元不给，希望帮我讨回工资",
        help_en: "E.g. I worked on a site in 2025, the boss owes 8,000 yuan of wages; I want help to get it back",
        field_type: FieldType::Text {
            max_chars: 500,
            multiline: true,
        },
        required: true,
        condition: Condition::Always,
        label_zh: "案情及申请理由",
    },
    Field {
        id: HARDSHIP_BASIS,
        zh: "下面哪一种情况符合您？",
        en: "Which of these applies to you?",
        help_zh: "符合的，不用再证明经济困难；都不符合就选“都不是”",
        help_en: "If one applies, hardship need not be proven; otherwise choose “None of these”",
        field_type: FieldType::Choice(Choices::AidHardshipBasis),
        required: true,
        condition: Condition::Always,
        label_zh: "经济困难情况",
    },
    Field {
        id: "household_size",
        zh: "和您一起生活的家里人，算上您一共几个人？",
        en: "How many people live in your household, you included?",
        help_zh: "",
        help_en: "",
        field_type: FieldType::Number {
            min: 1,
            max: 20,
            unit_zh: "人",
        },
        required: true,
        condition: Condition::HardshipCounts,
        label_zh: "家庭人口",
    },
    Field {
        id: INCOME,
        zh: "家里平均每人每月收入大约多少元？",
        en: "About how much does each household member earn per month, in yuan?",
        help_zh: "全家每月收入加起来，除以人数。不知道就估一个数",
        help_en: "The household's monthly income divided by its members; an estimate will do",
        field_type: FieldType::Number {
            min: 0,
            max: 100_000,
            unit_zh: "元",
        },
        required: true,
        condition: Condition::HardshipCounts,
        label_zh: "月人均收入",
    },
    Field {
        id: "pledge",
        zh: "我承诺：以上情况和经济困难状况都是真实的",
        en: "I promise that all of the above, my finances included, is true",
        help_zh: "以欺骗手段获得法律援助的，要支付费用并可能被罚款（法律援助法第四十一条、第六十四条）",
        help_en: "Aid obtained by deception must be paid for and may be fined (Legal Aid Law arts. 41, 64)",
        field_type: FieldType::Pledge,
        required: true,
        condition: Condition::Always,
        label_zh: "诚信承诺",
    },
];
