//! The legal-aid self-check page on Slint's testing backend, fed by the embedded default bundle (a real
//! content store in an empty data directory). Tests tap through the questions by accessible label and
//! reach each outcome: likely eligible (an exempt group, a situation without the hardship condition, a
//! mandatory defence), likely not eligible (income above a standard the test enters), ask at the
//! window (no figure in the content, another matter), and a lawyer already acting. The disclaimer is on
//! the first screen in both languages, art. 42(3) is offered only for wage and work-injury claims, and
//! no English screen shows a Chinese article label. 取号办理 raises
//! `TakeNumberAdapter.open-for("legal_aid")`.

use std::{cell::RefCell, rc::Rc, sync::Arc};

use i_slint_backend_testing::{ElementHandle, ElementRoot as _};
use kiosk::{
    config::Language,
    ui::{
        LegalAidAdapter, Page, Shell, TakeNumberAdapter, Theme,
        info::{InfoOptions, InfoPages},
    },
};

use content::{Content, ContentConfig, ContentStore, LegalAidRules};
use slint::{ComponentHandle, Model};

/// The hardship figure the tests enter (the published content has none yet).
const TEST_STANDARD: u32 = 1500;

/// The lawyer question's answers.
const NO_LAWYER: &str = "没有，还没请";
const HAS_LAWYER: &str = "已经请了";
const NONE_OF_THESE: &str = "以上都不是或不清楚";
const MIGRANT_WORKER: &str = "申请支付劳动报酬或者请求工伤事故人身损害赔偿的进城务工人员";

use crate::info_support;
use info_support::Screen;

struct Fixture {
    shell: Shell,
    pages: Rc<InfoPages>,
    _dir: tempfile::TempDir,
}

fn default_content(dir: &tempfile::TempDir) -> Arc<Content> {
    ContentStore::open(dir.path(), &ContentConfig::default())
        .expect("the store opens")
        .current()
}

/// The default content with a hardship figure, so the income question is asked.
fn content_with_figure(dir: &tempfile::TempDir) -> Arc<Content> {
    let mut content = (*default_content(dir)).clone();
    let rules = content
        .legal_aid
        .as_mut()
        .expect("the bundle has legal-aid rules");
    rules.hardship_standard.monthly_income_per_person_yuan = Some(TEST_STANDARD);
    Arc::new(content)
}

fn start(with_figure: bool) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let content = if with_figure {
        content_with_figure(&dir)
    } else {
        default_content(&dir)
    };
    let shell = info_support::shell("黔江区公共法律服务中心");
    let pages = InfoPages::attach(&shell, content, InfoOptions::default());
    shell.go(Page::LegalAid);
    Fixture {
        shell,
        pages,
        _dir: dir,
    }
}

impl Screen for Fixture {
    fn shell(&self) -> &Shell {
        &self.shell
    }
}

/// Whether `text` holds a Chinese article label such as 第三十一条 or 第五项.
fn has_chinese_article(text: &str) -> bool {
    text.split('第').skip(1).any(|rest| {
        rest.chars()
            .find(|c| !"零一二三四五六七八九十百".contains(*c))
            .is_some_and(|c| "条款项".contains(c))
    })
}

impl Fixture {
    fn page(&self) -> LegalAidAdapter<'_> {
        self.shell.window().global::<LegalAidAdapter>()
    }

    fn rules(&self) -> LegalAidRules {
        self.pages.current().legal_aid.clone().unwrap()
    }

    /// Taps the single button with this label, paging down to it when needed.
    fn tap(&self, label: &str) {
        assert!(self.scroll_to(label), "{label:?} is on screen");
        Screen::tap(self, label);
    }

    fn screen(&self) -> String {
        self.page().get_screen().to_string()
    }

    fn type_income(&self, digits: &str) {
        for digit in digits.chars() {
            self.tap(&digit.to_string());
        }
    }

    /// Every accessible label in the window (what a screen reader can read), whether scrolled into
    /// view or not.
    fn labels(&self) -> Vec<String> {
        self.shell
            .window()
            .root_element()
            .query_descendants()
            .match_predicate(|e: &ElementHandle| e.accessible_label().is_some())
            .find_all()
            .into_iter()
            .filter_map(|e| e.accessible_label().map(|l| l.to_string()))
            .collect()
    }

    /// Asserts that no label of the current screen holds a Chinese article label.
    fn assert_no_chinese_article(&self, screen: &str) {
        let labels = self.labels();
        assert!(labels.len() > 5, "found the labels of {screen}");
        let chinese: Vec<&String> = labels.iter().filter(|l| has_chinese_article(l)).collect();
        assert!(chinese.is_empty(), "{screen}: {chinese:#?}");
    }
}

#[test]
fn the_article_check_finds_chinese_labels() {
    assert!(has_chinese_article(
        "Confirming (Legal Aid Law 第三十一条第五项)"
    ));
    assert!(has_chinese_article("第二十五条"));
    assert!(!has_chinese_article("Legal Aid Law art. 31(5)"));
    assert!(!has_chinese_article("第 1 步，最多 5 步"));
}

#[test]
fn the_first_screen_shows_the_disclaimer_in_both_languages() {
    let f = start(true);
    assert_eq!(f.screen(), "matter");
    assert!(f.exists("法律援助自查"), "the page's title");
    let rules = f.rules();
    assert!(rules.disclaimer.zh.contains("不是决定"));
    assert!(
        f.exists(&rules.disclaimer.zh),
        "the disclaimer is on the first screen"
    );
    assert!(f.exists(&f.page().get_disclaimer()));
    f.shell.set_language(Language::En);
    assert!(f.exists("Legal-aid self-check"));
    assert!(
        f.exists(&rules.disclaimer.en),
        "the disclaimer is on the first screen in English"
    );
    assert!(!f.exists(&rules.disclaimer.zh));
}

#[test]
fn an_exempt_group_is_likely_eligible_and_the_result_offers_materials_qr_and_a_ticket() {
    let f = start(true);
    assert!(f.exists("您要申请法律援助的是什么事项？"));
    assert!(
        f.exists("第 1 步，最多 5 步"),
        "progress on the first question"
    );
    assert!(
        f.exists("刑事案件") || f.scroll_to("刑事案件"),
        "grouped by category"
    );
    assert!(f.scroll_to("其他情形"), "a retrial is in its own category");
    assert!(
        f.scroll_to("其他事项或不清楚"),
        "other / not sure is offered"
    );
    f.tap("请求确认劳动关系");
    assert_eq!(f.screen(), "lawyer");
    assert!(f.exists("第 2 步，最多 5 步"));
    assert!(f.exists("这件事现在有没有请律师或其他代理人？"));
    f.tap(NO_LAWYER);
    assert_eq!(f.screen(), "situation");
    assert!(f.exists("第 3 步，最多 5 步"));
    f.tap(NONE_OF_THESE);
    assert_eq!(f.screen(), "exempt");
    assert!(
        !f.exists(MIGRANT_WORKER),
        "art. 42(3) is for wage and work-injury claims only"
    );
    f.tap("社会救助（如最低生活保障、特困人员供养）、司法救助或者优抚对象");
    assert_eq!(f.screen(), "result");
    assert!(f.exists("您可能符合法律援助条件"));
    assert_eq!(f.page().get_outcome(), 0);
    let reasons = f.page().get_reasons();
    assert!(reasons.contains("第三十一条第五项"), "{reasons}");
    assert!(reasons.contains("第四十二条第二项"), "{reasons}");
    assert!(reasons.contains("免予核查"), "{reasons}");
    assert_eq!(f.page().get_notes(), "", "no further help needed");
    assert!(f.exists(&f.page().get_disclaimer()), "the disclaimer shows");
    assert!(f.page().get_materials().starts_with("1. 居民身份证"));
    assert!(
        f.scroll_to(f.page().get_fraud_warning().as_str()),
        "fraud warning"
    );
    assert!(f.page().get_fraud_warning().contains("三千元"));
    assert!(
        f.page().get_qr().size().width > 20,
        "materials as a QR code"
    );
    assert!(f.exists("材料清单二维码"));
    assert_eq!(f.page().get_decision_days(), 7);

    let opened = Rc::new(RefCell::new(Vec::<String>::new()));
    f.shell.window().global::<TakeNumberAdapter>().on_open_for({
        let opened = Rc::clone(&opened);
        move |service| opened.borrow_mut().push(service.to_string())
    });
    f.tap("取号办理");
    assert_eq!(*opened.borrow(), ["legal_aid"]);
}

#[test]
fn a_migrant_worker_claiming_wages_is_exempt_from_the_check() {
    let f = start(true);
    f.tap("请求支付劳动报酬（讨要工资）");
    f.tap(NO_LAWYER);
    f.tap(NONE_OF_THESE);
    assert_eq!(f.screen(), "exempt");
    f.tap(MIGRANT_WORKER);
    assert_eq!(f.screen(), "result", "the income is not asked");
    assert!(f.exists("您可能符合法律援助条件"));
    assert!(f.page().get_reasons().contains("第四十二条第三项"));

    // A traffic accident is not a work injury: the exemption is not offered.
    f.tap("重新自查");
    f.tap("请求交通事故、食品药品安全事故、医疗事故人身损害赔偿");
    f.tap(NO_LAWYER);
    f.tap(NONE_OF_THESE);
    assert_eq!(f.screen(), "exempt");
    assert!(!f.scroll_to(MIGRANT_WORKER));
    f.tap(NONE_OF_THESE);
    assert_eq!(f.screen(), "income");
}

#[test]
fn a_lawyer_already_acting_is_said_plainly_with_free_consultation() {
    let f = start(true);
    f.tap("请求给付赡养费、抚养费、扶养费");
    assert_eq!(f.screen(), "lawyer");
    f.tap(HAS_LAWYER);
    assert_eq!(f.screen(), "result");
    assert_eq!(f.page().get_outcome(), 3);
    assert!(f.exists("已经请了律师或代理人的，一般不再给予法律援助"));
    assert_eq!(
        (f.page().get_step(), f.page().get_steps()),
        (2, 2),
        "no more questions"
    );
    let reasons = f.page().get_reasons();
    assert!(
        reasons.contains("已经请了律师或代理人") && reasons.contains("第三十一条"),
        "{reasons}"
    );
    let notes = f.page().get_notes();
    assert!(
        notes.contains("免费咨询") && notes.contains("第二十三条"),
        "{notes}"
    );
    assert!(f.scroll_to("还可以得到的帮助"));
    assert!(f.exists(&f.page().get_disclaimer()));

    // Again, and "not sure" goes on with the questions.
    f.tap("重新自查");
    f.tap("请求给付赡养费、抚养费、扶养费");
    f.tap("不清楚");
    assert_eq!(f.screen(), "situation");
}

#[test]
fn income_above_the_standard_is_likely_not_eligible_and_back_changes_an_answer() {
    let f = start(true);
    f.tap("请求给付赡养费、抚养费、扶养费");
    f.tap(NO_LAWYER);
    f.tap(NONE_OF_THESE);
    f.tap(NONE_OF_THESE);
    assert_eq!(f.screen(), "income");
    assert!(f.exists("第 5 步，最多 5 步"));
    assert!(f.exists("家庭每月人均收入是多少元？"));
    assert!(f.exists("重庆市法律援助经济困难标准：每人每月1500元。"));
    let confirm = f.buttons("确定");
    assert_eq!(
        confirm[0].accessible_enabled(),
        Some(false),
        "nothing typed"
    );
    f.type_income("02500");
    assert_eq!(f.page().get_income_text(), "2500", "no leading zero");
    f.tap("退格");
    f.type_income("1");
    assert_eq!(f.page().get_income_text(), "2501");

    // Back one question, answer it again, and come back to the pad.
    f.tap("上一步");
    assert_eq!(f.screen(), "exempt");
    assert_eq!(f.page().get_income_text(), "", "the pad starts empty again");
    f.tap(NONE_OF_THESE);
    assert_eq!(f.screen(), "income");
    f.type_income("2000");
    f.tap("确定");
    assert_eq!(f.screen(), "result");
    assert!(f.exists("您可能不符合法律援助条件"));
    assert_eq!(f.page().get_outcome(), 1);
    let reasons = f.page().get_reasons();
    assert!(
        reasons.contains("2000元") && reasons.contains("1500元"),
        "{reasons}"
    );
    assert!(
        f.page().get_notes().contains("免费咨询"),
        "not eligible: free consultation"
    );
    assert!(f.page().get_remedies().contains("行政复议"));

    // Start again: income within the standard.
    f.tap("重新自查");
    assert_eq!(f.screen(), "matter");
    assert_eq!(f.page().get_history().row_count(), 0);
    f.tap("请求给付赡养费、抚养费、扶养费");
    f.tap(NO_LAWYER);
    f.tap(NONE_OF_THESE);
    f.tap(NONE_OF_THESE);
    f.type_income("1200");
    f.tap("确定");
    assert!(f.exists("您可能符合法律援助条件"));
}

#[test]
fn without_a_figure_or_for_another_matter_the_citizen_asks_at_the_window() {
    let f = start(false);
    assert!(
        f.exists("第 1 步，最多 4 步"),
        "no income question without a figure"
    );
    f.tap("请求发给抚恤金");
    f.tap(NO_LAWYER);
    f.tap(NONE_OF_THESE);
    f.tap(NONE_OF_THESE);
    assert_eq!(
        f.screen(),
        "result",
        "the income is not asked without a figure"
    );
    assert!(f.exists("请到法律援助窗口咨询"));
    assert_eq!(f.page().get_outcome(), 2);
    let note = f.rules().hardship_standard.note.zh;
    assert!(
        f.page().get_reasons().contains(&note),
        "the standard's note shows"
    );

    f.tap("重新自查");
    f.tap("其他事项或不清楚");
    assert_eq!(f.screen(), "lawyer");
    f.tap(NO_LAWYER);
    assert_eq!(f.screen(), "situation");
    f.tap(NONE_OF_THESE);
    assert!(f.exists("请到法律援助窗口咨询"));
    assert!(f.page().get_reasons().contains("不在所列事项中"));
}

#[test]
fn a_situation_without_the_hardship_condition_is_likely_eligible() {
    let f = start(true);
    f.tap("请求工伤事故人身损害赔偿");
    f.tap(NO_LAWYER);
    f.tap("因见义勇为行为主张相关民事权益");
    assert_eq!(f.screen(), "result");
    assert!(f.exists("您可能符合法律援助条件"));
    assert!(f.page().get_reasons().contains("第三十二条第二项"));
    assert!(f.page().get_reasons().contains("不受经济困难条件的限制"));
}

#[test]
fn criminal_defence_names_the_mandatory_groups_duty_lawyers_and_the_right_to_be_told() {
    let f = start(true);
    f.tap("刑事案件犯罪嫌疑人、被告人没有委托辩护人（因经济困难或者其他原因）");
    f.tap(NO_LAWYER);
    assert_eq!(f.screen(), "mandatory");
    assert!(f.exists("犯罪嫌疑人、被告人是否属于以下人员？"));
    f.tap("未成年人");
    assert!(f.exists("您可能符合法律援助条件"));
    assert!(f.page().get_defender_arranged());
    assert!(f.exists(
        "无需申请：人民法院、人民检察院、公安机关应当通知法律援助机构指派律师担任辩护人。请家属向办案机关提出。"
    ));
    assert!(f.page().get_criminal());
    assert!(f.page().get_mandatory().contains("缺席审判案件的被告人"));
    assert!(f.page().get_reasons().contains("第二十五条第一款第一项"));
    let notes = f.page().get_notes();
    for (what, needle) in [
        ("the duty to tell", "第三十五条"),
        ("duty lawyers", "值班律师"),
        ("duty lawyers' article", "第三十条"),
        ("free consultation", "第二十三条"),
    ] {
        assert!(notes.contains(needle), "{what}: {notes}");
    }
    assert!(f.scroll_to(notes.as_str()), "the further help shows");
}

#[test]
fn english_and_elderly_mode_run_the_same_check_without_chinese_article_labels() {
    let f = start(true);
    f.shell.set_language(Language::En);
    f.shell.window().global::<Theme>().set_elderly(true);
    assert!(f.exists("What is the matter you need legal aid for?"));
    assert!(f.scroll_to("Legal Aid Law art. 31(5)"), "English labels");
    f.assert_no_chinese_article("matter");
    f.tap("Claiming unpaid wages");
    assert!(f.exists("Do you already have a lawyer or other agent for this matter?"));
    f.assert_no_chinese_article("lawyer");
    f.tap("No, not yet");
    f.assert_no_chinese_article("situation");
    f.tap("None of these, or not sure");
    assert!(f.scroll_to("Migrant workers claiming wages or work-injury damages"));
    f.assert_no_chinese_article("exempt");
    f.tap("None of these, or not sure");
    assert!(f.exists("Legal-aid hardship standard (Chongqing): 1500 yuan per person per month."));
    f.assert_no_chinese_article("income");
    f.type_income("800");
    f.tap("Confirm");
    assert!(f.exists("You are likely eligible for legal aid"));
    let reasons = f.page().get_reasons_en();
    assert!(
        reasons.contains("within the legal-aid hardship standard of 1500 yuan (Chongqing)"),
        "{reasons}"
    );
    assert!(reasons.contains("(Legal Aid Law art. 31(5))"), "{reasons}");
    assert!(f.exists("Reasons"), "\"Reasons\", not \"Why\"");
    f.assert_no_chinese_article("result");
    assert!(f.exists("Take a number for this"));

    // A criminal result, with its further help, and a lawyer already acting.
    f.tap("Start again");
    f.tap("Criminal suspect or defendant without a defence lawyer (hardship or other reasons)");
    f.tap("No, not yet");
    f.assert_no_chinese_article("mandatory");
    f.tap("A minor");
    let notes = f.page().get_notes_en();
    assert!(
        notes.contains("duty lawyer") && notes.contains("(Legal Aid Law art. 35)"),
        "{notes}"
    );
    assert!(f.scroll_to("Other help you can get"));
    f.assert_no_chinese_article("criminal result");
    f.tap("Start again");
    f.tap("Support payments for parents, children or a spouse");
    f.tap("Yes, I already have one");
    assert!(f.exists("If a lawyer or agent already acts for you, legal aid is usually not given"));
    f.assert_no_chinese_article("already represented");
    for text in [f.page().get_reasons_en(), f.page().get_notes_en()] {
        assert!(!content::aid_check::has_cjk(&text), "{text}");
    }
}

#[test]
fn the_session_end_forgets_the_answers() {
    let f = start(true);
    f.tap("请求确认劳动关系");
    f.tap(NO_LAWYER);
    f.tap(NONE_OF_THESE);
    assert_eq!(f.page().get_history().row_count(), 3);
    f.shell.end_session();
    assert_eq!(f.shell.page(), Page::Home);
    assert_eq!(f.page().get_history().row_count(), 0);
    assert_eq!(f.screen(), "matter");
    f.shell.go(Page::LegalAid);
    assert!(f.exists("您要申请法律援助的是什么事项？"));
    assert!(f.exists("第 1 步，最多 5 步"));
}

#[test]
fn content_without_rules_says_so() {
    let f = start(true);
    let mut content = (*f.pages.current()).clone();
    content.legal_aid = None;
    f.pages.show(Arc::new(content));
    assert!(!f.page().get_available());
    assert!(f.exists("本机暂未收录法律援助规则，请到法律援助窗口咨询或拨打12348。"));
}

#[test]
fn the_self_checks_answers_are_carried_into_an_application() {
    use kiosk::ui::info::legal_aid::self_check_carry;
    let f = start(true);
    f.tap("请求支付劳动报酬（讨要工资）");
    f.tap(NO_LAWYER);
    f.tap(NONE_OF_THESE);
    f.tap(MIGRANT_WORKER);
    assert_eq!(f.screen(), "result");
    let carry = self_check_carry(f.shell.window());
    assert_eq!(carry.matter.as_deref(), Some("wages"));
    assert_eq!(
        carry.hardship_basis.as_deref(),
        Some("migrant_worker_wages_injury")
    );
    assert_eq!(carry.income_per_person, None);

    // Nothing applies: the finances count, and the income typed goes along.
    f.tap("重新自查");
    f.tap("请求交通事故、食品药品安全事故、医疗事故人身损害赔偿");
    f.tap(NO_LAWYER);
    f.tap(NONE_OF_THESE);
    f.tap(NONE_OF_THESE);
    f.type_income("800");
    f.tap("确定");
    assert_eq!(f.screen(), "result");
    let carry = self_check_carry(f.shell.window());
    assert_eq!(carry.matter.as_deref(), Some("accident_injury"));
    assert_eq!(carry.hardship_basis.as_deref(), Some("none"));
    assert_eq!(carry.income_per_person, Some(800));
    let answers = applications::Answers::carried(&carry);
    assert_eq!(answers.get("income_per_person"), Some("800"));
}
