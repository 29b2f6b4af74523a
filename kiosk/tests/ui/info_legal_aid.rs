//! The legal-aid self-check page on Slint's testing backend, fed by the embedded default bundle (a real
//! content store in an empty data directory). Tests tap through the questions by accessible label and
//! reach each outcome: likely eligible (an exempt group, a situation without the hardship condition, a
//! mandatory defence), likely not eligible (income above a standard the test enters), and ask at the
//! window (no figure in the content, another matter). 取号办理 raises `TakeNumberAdapter.open-for("legal_aid")`.

use std::{cell::RefCell, rc::Rc, sync::Arc};

use kiosk::{
    config::Language,
    ui::{
        LegalAidAdapter, Page, Shell, TakeNumberAdapter, Theme,
        info::{InfoOptions, InfoPages},
    },
};

use content::{Content, ContentConfig, ContentStore};
use slint::{ComponentHandle, Model};

/// The hardship figure the tests enter (the published content has none yet).
const TEST_STANDARD: u32 = 1500;

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

impl Fixture {
    fn page(&self) -> LegalAidAdapter<'_> {
        self.shell.window().global::<LegalAidAdapter>()
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
}

#[test]
fn an_exempt_group_is_likely_eligible_and_the_result_offers_materials_qr_and_a_ticket() {
    let f = start(true);
    assert!(f.exists("您要申请法律援助的是什么事项？"));
    assert!(
        f.exists("第 1 步，最多 4 步"),
        "progress on the first question"
    );
    assert!(
        f.exists("刑事案件") || f.scroll_to("刑事案件"),
        "grouped by category"
    );
    assert!(
        f.scroll_to("其他事项或不清楚"),
        "other / not sure is offered"
    );
    f.tap("请求确认劳动关系或者支付劳动报酬");
    assert_eq!(f.screen(), "situation");
    assert!(f.exists("第 2 步，最多 4 步"));
    f.tap("以上都不是或不清楚");
    assert_eq!(f.screen(), "exempt");
    f.tap("社会救助（如最低生活保障、特困人员供养）、司法救助或者优抚对象");
    assert_eq!(f.screen(), "result");
    assert!(f.exists("您可能符合法律援助条件"));
    assert_eq!(f.page().get_outcome(), 0);
    let reasons = f.page().get_reasons();
    assert!(reasons.contains("第三十一条第五项"), "{reasons}");
    assert!(reasons.contains("第四十二条第二项"), "{reasons}");
    assert!(reasons.contains("免予核查"), "{reasons}");
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
fn income_above_the_standard_is_likely_not_eligible_and_back_changes_an_answer() {
    let f = start(true);
    f.tap("请求给付赡养费、抚养费、扶养费");
    f.tap("以上都不是或不清楚");
    f.tap("以上都不是或不清楚");
    assert_eq!(f.screen(), "income");
    assert!(f.exists("第 4 步，最多 4 步"));
    assert!(f.exists("家庭每月人均收入是多少元？"));
    assert!(f.exists("重庆市经济困难标准：每人每月1500元。"));
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
    f.tap("以上都不是或不清楚");
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
    assert!(f.page().get_remedies().contains("行政复议"));

    // Start again: income within the standard.
    f.tap("重新自测");
    assert_eq!(f.screen(), "matter");
    assert_eq!(f.page().get_history().row_count(), 0);
    f.tap("请求给付赡养费、抚养费、扶养费");
    f.tap("以上都不是或不清楚");
    f.tap("以上都不是或不清楚");
    f.type_income("1200");
    f.tap("确定");
    assert!(f.exists("您可能符合法律援助条件"));
}

#[test]
fn without_a_figure_or_for_another_matter_the_citizen_asks_at_the_window() {
    let f = start(false);
    assert!(
        f.exists("第 1 步，最多 3 步"),
        "no income question without a figure"
    );
    f.tap("请求发给抚恤金");
    f.tap("以上都不是或不清楚");
    f.tap("以上都不是或不清楚");
    assert_eq!(
        f.screen(),
        "result",
        "the income is not asked without a figure"
    );
    assert!(f.exists("请到法律援助窗口咨询"));
    assert_eq!(f.page().get_outcome(), 2);
    let note = f
        .pages
        .current()
        .legal_aid
        .clone()
        .unwrap()
        .hardship_standard
        .note
        .zh;
    assert!(
        f.page().get_reasons().contains(&note),
        "the standard's note shows"
    );

    f.tap("重新自测");
    f.tap("其他事项或不清楚");
    assert_eq!(f.screen(), "situation");
    f.tap("以上都不是或不清楚");
    assert!(f.exists("请到法律援助窗口咨询"));
    assert!(f.page().get_reasons().contains("不在所列事项中"));
}

#[test]
fn a_situation_without_the_hardship_condition_is_likely_eligible() {
    let f = start(true);
    f.tap("请求工伤事故、交通事故、食品药品安全事故、医疗事故人身损害赔偿");
    f.tap("因见义勇为行为主张相关民事权益");
    assert_eq!(f.screen(), "result");
    assert!(f.exists("您可能符合法律援助条件"));
    assert!(f.page().get_reasons().contains("第三十二条第二项"));
    assert!(f.page().get_reasons().contains("不受经济困难条件的限制"));
}

#[test]
fn criminal_defence_names_the_mandatory_groups_and_needs_no_application() {
    let f = start(true);
    f.tap("刑事案件犯罪嫌疑人、被告人没有委托辩护人（因经济困难或者其他原因）");
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
}

#[test]
fn english_and_elderly_mode_run_the_same_check() {
    let f = start(true);
    f.shell.set_language(Language::En);
    f.shell.window().global::<Theme>().set_elderly(true);
    assert!(f.exists("What is the matter you need legal aid for?"));
    f.tap("Confirming employment or claiming unpaid wages");
    f.tap("None of these, or not sure");
    f.tap("None of these, or not sure");
    f.type_income("800");
    f.tap("Confirm");
    assert!(f.exists("You are likely eligible for legal aid"));
    assert!(
        f.page()
            .get_reasons_en()
            .contains("within the hardship standard")
    );
    assert!(f.exists("Take a number for this"));
}

#[test]
fn the_session_end_forgets_the_answers() {
    let f = start(true);
    f.tap("请求确认劳动关系或者支付劳动报酬");
    f.tap("以上都不是或不清楚");
    assert_eq!(f.page().get_history().row_count(), 2);
    f.shell.end_session();
    assert_eq!(f.shell.page(), Page::Home);
    assert_eq!(f.page().get_history().row_count(), 0);
    assert_eq!(f.screen(), "matter");
    f.shell.go(Page::LegalAid);
    assert!(f.exists("您要申请法律援助的是什么事项？"));
    assert!(f.exists("第 1 步，最多 4 步"));
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
