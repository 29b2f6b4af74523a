//! The complaints, suggestions and ratings page on Slint's testing backend with a real outbox (a SQLite
//! file in a temporary directory): the citizen types on the on-screen keyboard, a valid complaint or
//! rating lands in the outbox under the reference number the screen shows, a wrong phone number is
//! named and nothing is saved, a device without an outbox says so, and the session end clears the form.

use std::rc::Rc;

use content::{ContentConfig, ContentStore, Outbox, OutboxPayload};
use i_slint_backend_testing::ElementHandle;
use kiosk::{
    config::Language,
    ui::{
        FeedbackAdapter, KeyboardAdapter, Page, Shell, Theme,
        info::{InfoOptions, InfoPages, feedback::form::is_reference},
    },
};
use slint::{ComponentHandle, Model};

use crate::info_support;
use info_support::Screen;

struct Fixture {
    shell: Shell,
    _pages: Rc<InfoPages>,
    outbox: Option<Outbox>,
    _dir: tempfile::TempDir,
}

fn start(with_outbox: bool) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let config = ContentConfig::default();
    let store = ContentStore::open(dir.path(), &config).expect("the store opens");
    let shell = info_support::shell("黔江区公共法律服务中心");
    let pages = InfoPages::attach(&shell, store.current(), InfoOptions::default());
    let outbox = with_outbox.then(|| {
        let outbox = Outbox::open(dir.path(), &config, "test-kiosk").expect("the outbox opens");
        pages.set_outbox(outbox.clone());
        outbox
    });
    shell.go(Page::Complaints);
    Fixture {
        shell,
        _pages: pages,
        outbox,
        _dir: dir,
    }
}

impl Screen for Fixture {
    fn shell(&self) -> &Shell {
        &self.shell
    }
}

impl Fixture {
    fn page(&self) -> FeedbackAdapter<'_> {
        self.shell.window().global::<FeedbackAdapter>()
    }

    fn tap(&self, label: &str) {
        assert!(self.scroll_to(label), "{label:?} is on screen");
        Screen::tap(self, label);
    }

    /// Presses keys of the on-screen keyboard, one label each.
    fn keys(&self, labels: &[&str]) {
        for label in labels {
            self.tap(label);
        }
    }

    fn type_digits(&self, digits: &str) {
        for digit in digits.chars() {
            self.tap(&digit.to_string());
        }
    }

    fn saved(&self) -> Vec<content::OutboxItem> {
        self.outbox
            .as_ref()
            .expect("an outbox")
            .undelivered()
            .expect("the outbox reads")
    }
}

#[test]
fn a_complaint_with_a_callback_phone_lands_in_the_outbox_under_the_reference_shown() {
    let f = start(true);
    assert!(f.exists("投诉/建议") && f.exists("服务评价"), "two tabs");
    f.tap("投诉");
    f.tap("法律援助");
    assert_eq!(f.page().get_about(), "legal_aid");
    assert!(f.scroll_to("综合或其他"), "general is offered");

    // The phone field opens the digit pad without letters.
    f.tap("回访电话");
    assert_eq!(f.page().get_editing(), "phone");
    let keyboard = f.shell.window().global::<KeyboardAdapter>();
    assert!(!keyboard.get_letters_allowed());
    f.type_digits("13812345678");
    f.tap("输入完成");
    assert_eq!(f.page().get_editing(), "");
    assert_eq!(f.page().get_phone(), "13812345678");

    // The text is typed in pinyin and converted with the candidate bar.
    f.tap("投诉或建议内容");
    f.keys(&["d", "e", "n", "g"]);
    assert!(
        keyboard.get_candidates().iter().any(|c| c == "等"),
        "{:?}",
        keyboard.get_candidates().iter().collect::<Vec<_>>()
    );
    f.tap("等");
    f.keys(&["s", "h", "i", "j", "i", "a", "n"]);
    f.tap("时间");
    f.tap("完成");
    assert_eq!(f.page().get_text(), "等时间");

    f.tap("提交投诉建议");
    let reference = f.page().get_reference().to_string();
    assert!(is_reference(&reference), "{reference:?}");
    assert!(reference.starts_with("T-"));
    assert!(f.exists("已保存，感谢您的反馈！"));
    let shown = ElementHandle::find_by_accessible_label(f.shell.window(), "受理编号")
        .filter_map(|e| e.accessible_value())
        .any(|v| v == reference.as_str());
    assert!(shown, "the reference number is on screen");

    let item = f
        .outbox
        .as_ref()
        .unwrap()
        .item(&reference)
        .unwrap()
        .expect("the reference finds the item in the outbox");
    let OutboxPayload::Complaint(complaint) = item.message.payload else {
        panic!("a complaint");
    };
    assert_eq!(complaint.about, "legal_aid");
    assert_eq!(complaint.text, "【投诉】等时间");
    assert_eq!(complaint.contact.as_deref(), Some("13812345678"));
    assert_eq!(f.saved().len(), 1);

    // Another one starts from an empty form.
    f.tap("再提交一条");
    assert_eq!(f.page().get_reference(), "");
    assert_eq!(f.page().get_text(), "");
    assert_eq!(f.page().get_phone(), "");
}

#[test]
fn a_wrong_phone_number_is_named_and_nothing_is_saved() {
    let f = start(true);
    f.tap("建议");
    f.tap("综合或其他");
    f.tap("回访电话");
    f.type_digits("1381234567");
    f.tap("输入完成");
    f.tap("投诉或建议内容");
    f.keys(&["h", "a", "o"]);
    f.tap("完成");
    assert_eq!(
        f.page().get_text(),
        "hao",
        "pending pinyin is kept as letters"
    );
    f.tap("提交投诉建议");
    let error = f.page().get_error().to_string();
    assert!(error.contains("回访电话“1381234567”格式不对"), "{error}");
    assert!(f.scroll_to(&error), "the error is on screen");
    assert_eq!(f.page().get_reference(), "");
    assert!(f.saved().is_empty(), "nothing saved");

    // A landline with its area code is accepted.
    f.tap("回访电话");
    f.tap("清空");
    f.type_digits("02312345678");
    f.tap("输入完成");
    f.tap("提交投诉建议");
    assert_eq!(f.page().get_error(), "");
    let saved = f.saved();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].key, f.page().get_reference().as_str());
    let OutboxPayload::Complaint(c) = &saved[0].message.payload else {
        panic!("a complaint");
    };
    assert_eq!(
        (c.about.as_str(), c.contact.as_deref()),
        ("general", Some("02312345678"))
    );
    assert!(c.text.starts_with("【建议】"));
}

#[test]
fn a_rating_by_ticket_number_lands_in_the_outbox() {
    let f = start(true);
    f.tap("服务评价");
    assert_eq!(f.page().get_tab(), 1);
    f.tap("提交评价");
    assert!(
        f.page().get_error().contains("排队号码"),
        "the ticket is asked first"
    );

    f.tap("排队号码");
    assert_eq!(f.page().get_editing(), "ticket");
    f.tap("a");
    f.tap("数字");
    f.type_digits("012");
    f.tap("完成");
    assert_eq!(f.page().get_ticket(), "A012");
    f.tap("公证受理");
    // The window is optional: 记不清 is chosen until a window is tapped.
    assert_eq!(f.page().get_rated_window(), "");
    assert_eq!(
        f.page().get_windows().row_count(),
        7,
        "记不清 and the centre's six windows"
    );
    f.tap("3号窗口 法律援助");
    assert_eq!(f.page().get_rated_window(), "3");
    f.tap("记不清");
    assert_eq!(f.page().get_rated_window(), "", "taken back");
    f.tap("4号窗口 公证受理");
    assert_eq!(f.page().get_rated_window(), "4");
    f.tap("满意");
    assert_eq!(f.page().get_score(), 4);
    f.tap("评价内容");
    f.keys(&["h", "e", "n", "k", "u", "a", "i"]);
    f.tap("很快");
    f.tap("完成");
    f.tap("提交评价");
    let reference = f.page().get_reference().to_string();
    assert!(
        reference.starts_with("P-") && is_reference(&reference),
        "{reference:?}"
    );
    let item = f
        .outbox
        .as_ref()
        .unwrap()
        .item(&reference)
        .unwrap()
        .unwrap();
    let OutboxPayload::Rating(rating) = item.message.payload else {
        panic!("a rating");
    };
    assert_eq!(rating.ticket.as_deref(), Some("A012"));
    assert_eq!(rating.service, "notary");
    assert_eq!(rating.score, 4);
    assert_eq!(rating.comment, "很快");
    assert_eq!(rating.window, Some(4), "the window chosen");
}

#[test]
fn a_malformed_ticket_number_is_refused() {
    let f = start(true);
    f.tap("服务评价");
    f.tap("排队号码");
    f.tap("数字");
    f.type_digits("12");
    f.tap("完成");
    f.tap("法律援助");
    f.tap("非常满意");
    f.tap("提交评价");
    assert!(
        f.page().get_error().contains("排队号码“12”格式不对"),
        "{}",
        f.page().get_error()
    );
    assert!(f.saved().is_empty());
}

#[test]
fn without_an_outbox_the_page_says_it_cannot_save() {
    let f = start(false);
    f.tap("投诉");
    f.tap("法律援助");
    f.tap("提交投诉建议");
    assert!(f.page().get_error().contains("本机现在无法保存"));
    assert_eq!(f.page().get_reference(), "");
}

#[test]
fn english_and_elderly_mode_show_the_form_and_its_errors() {
    let f = start(true);
    f.shell.set_language(Language::En);
    f.shell.window().global::<Theme>().set_elderly(true);
    f.tap("Complaint");
    f.tap("Submit");
    let error = f.page().get_error_en().to_string();
    assert_eq!(error, "Choose what it is about.");
    assert!(f.scroll_to(&error), "the English error is on screen");
    f.tap("Rate a service");
    assert!(f.scroll_to("Very dissatisfied"));
}

#[test]
fn the_session_end_clears_the_form() {
    let f = start(true);
    f.tap("投诉");
    f.tap("法律援助");
    f.tap("回访电话");
    f.type_digits("138");
    assert_eq!(f.page().get_phone(), "138", "kept while typing");
    f.page().set_rated_window("3".into());
    f.shell.end_session();
    assert_eq!(f.shell.page(), Page::Home);
    let page = f.page();
    assert_eq!(page.get_category(), "");
    assert_eq!(page.get_about(), "");
    assert_eq!(page.get_phone(), "");
    assert_eq!(page.get_rated_window(), "", "the rated window is forgotten");
    assert_eq!(page.get_editing(), "");
    let keyboard = f.shell.window().global::<KeyboardAdapter>();
    assert_eq!(keyboard.get_text(), "", "the keyboard forgets the digits");
    f.shell.go(Page::Complaints);
    assert!(f.exists("类别"), "a new citizen sees the form");
    assert!(f.scroll_to("回访电话"));
    assert!(f.saved().is_empty());
}

#[test]
fn the_needs_survey_is_answered_by_taps_and_lands_in_the_outbox_without_a_name() {
    let f = start(true);
    f.tap("需求调查");
    assert_eq!(f.page().get_tab(), 2);
    assert!(f.exists("帮助我们了解您的需要。不用写字，也不留姓名，点选即可，可以多选。"));

    // Nothing chosen: the page asks for an answer and saves nothing.
    f.tap("提交");
    assert_eq!(f.page().get_error(), "请至少选一项，再点“提交”。");
    assert!(f.saved().is_empty());

    f.tap("法律援助");
    f.tap("欠工资");
    f.tap("工伤");
    f.tap("工伤"); // a second tap takes the answer back
    f.tap("找村（社区）法律顾问");
    assert_eq!(f.page().get_error(), "", "a tap clears the message");
    f.tap("提交");
    assert_eq!(f.page().get_tab(), 2, "the survey's own thanks");
    assert!(f.exists("调查不记名，结果只用于改进服务。"));
    assert!(!f.exists("受理编号"), "an anonymous survey shows no number");

    let saved = f.saved();
    assert_eq!(saved.len(), 1);
    match &saved[0].message.payload {
        OutboxPayload::NeedsSurvey(survey) => {
            assert_eq!(survey.services, ["legal_aid"]);
            assert_eq!(survey.matters, ["wages"]);
            assert_eq!(survey.channels, ["village_adviser"]);
        }
        other => panic!("expected a needs survey, got {other:?}"),
    }

    // A new survey starts empty.
    f.tap("再提交一条");
    assert!(
        f.page().get_survey_matters().iter().all(|o| !o.chosen),
        "the answers were cleared"
    );
}

#[test]
fn the_session_end_forgets_the_survey_answers_and_english_mode_translates_them() {
    let f = start(true);
    f.shell.set_language(Language::En);
    f.tap("Needs survey");
    f.tap("Unpaid wages");
    assert!(f.page().get_survey_matters().iter().any(|o| o.chosen));
    f.shell.end_session();
    assert!(f.page().get_survey_matters().iter().all(|o| !o.chosen));
    assert!(f.saved().is_empty(), "nothing was sent");
}
