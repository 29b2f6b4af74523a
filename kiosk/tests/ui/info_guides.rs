//! The service guides page on Slint's testing backend, fed by a real content store (the embedded
//! default bundle in an empty data directory): the list follows the site's tier, a guide opens with
//! its sections and a QR code, English and elderly mode, new content replaces the old without a
//! restart, and 取号办理 leads into the ticket flow.

use std::{rc::Rc, sync::Arc};

use kiosk::{
    config::Language,
    ui::{
        GuidesAdapter, Page, Shell, TakeNumberAdapter, Theme,
        info::{GuideWindows, InfoOptions, InfoPages, guides},
    },
};

use content::{ContentConfig, ContentStore, SiteTier};
use slint::{ComponentHandle, Model};

use crate::info_support;
use info_support::Screen;

struct Fixture {
    shell: Shell,
    pages: Rc<InfoPages>,
    _dir: tempfile::TempDir,
}

fn start(tier: SiteTier) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = ContentStore::open(dir.path(), &ContentConfig::default()).expect("the store opens");
    let shell = info_support::shell("黔江区公共法律服务中心");
    let pages = InfoPages::attach(
        &shell,
        store.current(),
        InfoOptions {
            tier,
            ..InfoOptions::default()
        },
    );
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
    fn listed(&self) -> Vec<String> {
        let rows = self.shell.window().global::<GuidesAdapter>().get_guides();
        rows.iter().map(|row| row.name.to_string()).collect()
    }
}

#[test]
fn the_centre_lists_every_service_and_a_guide_shows_its_sections_and_qr() {
    let f = start(SiteTier::Centre);
    f.shell.go(Page::Guides);
    assert!(f.exists("请选择要了解的业务"));
    // The eight services of the queue, then the guides that take no number.
    assert_eq!(
        f.listed(),
        [
            "接待指引",
            "法律咨询",
            "法律援助",
            "公证受理",
            "行政审批",
            "人民调解",
            "投诉受理",
            "律师/司法鉴定",
            "法律职业资格考试",
            "基层法律服务",
            "村（社区）法律顾问",
            "12348热线和网上办理",
        ]
    );
    f.tap("法律援助");
    let state = f.shell.window().global::<GuidesAdapter>();
    assert!(state.get_showing());
    let detail = state.get_detail();
    assert_eq!(detail.id, "legal_aid");
    assert!(f.exists("本指南中标有〔待核实〕的内容尚未与官方文件核对，以窗口答复为准。"));
    for heading in [
        "业务简介",
        "申请条件",
        "所需材料",
        "办理流程",
        "办理时限",
        "收费标准",
        "救济途径",
        "咨询与投诉电话",
    ] {
        assert!(f.scroll_to(heading), "section {heading}");
    }
    assert!(detail.materials.starts_with("1. 居民身份证"));
    assert!(f.scroll_to(detail.fees.as_str()), "the fees are on screen");
    assert!(!f.exists(detail.plain.as_str()), "paged down past the top");
    for _ in 0..info_support::PAGES_AT_MOST {
        f.tap("上一页");
    }
    assert!(
        f.exists(detail.plain.as_str()),
        "paged back to the top, where the plain summary is"
    );
    assert!(f.exists("编写日期：2026-12-07（尚未经中心审核，以窗口答复为准）"));
    assert!(detail.fees.contains("免费"));
    assert!(detail.contacts.contains("12348"));
    // The legal-aid guide carries points to be confirmed: the page says so.
    assert!(detail.unverified);
    assert!(
        state.get_qr().size().width > 20,
        "the guide is offered as a QR code"
    );
    assert!(f.exists("办事指南二维码"));

    // Back to the list, then another guide.
    f.tap("全部指南");
    assert!(!state.get_showing());
    f.tap("公证受理");
    assert_eq!(state.get_detail().id, "notary");
}

#[test]
fn a_village_room_lists_only_its_services() {
    let f = start(SiteTier::Room);
    f.shell.go(Page::Guides);
    let listed = f.listed();
    // Every tier guides people to legal aid, notarisation, lawyers and appraisal (the district
    // plan), so a room lists them too; the centre's own posts (approval, complaints desk) and the
    // exam are not a room's.
    assert_eq!(
        listed,
        [
            "接待指引",
            "法律咨询",
            "法律援助",
            "公证受理",
            "人民调解",
            "律师/司法鉴定",
            "基层法律服务",
            "村（社区）法律顾问",
            "12348热线和网上办理",
        ]
    );
    assert!(f.buttons("行政审批").is_empty());
    f.tap("公证受理");
    let detail = f.shell.window().global::<GuidesAdapter>().get_detail();
    assert!(!detail.steps.contains("{window}"), "{}", detail.steps);
    assert!(
        !detail.steps.contains("取号"),
        "a room has no tickets: {}",
        detail.steps
    );
    assert!(f.buttons("取号办理").is_empty());
}

#[test]
fn english_and_elderly_mode_show_the_same_guide() {
    let f = start(SiteTier::Centre);
    f.shell.set_language(Language::En);
    f.shell.window().global::<Theme>().set_elderly(true);
    f.shell.go(Page::Guides);
    f.tap("Legal aid");
    assert!(f.exists("Legal aid"));
    let detail = f.shell.window().global::<GuidesAdapter>().get_detail();
    assert!(
        f.exists("Documents needed") || f.scroll_to("Documents needed"),
        "translated heading"
    );
    assert!(
        f.scroll_to(detail.fees_en.as_str()),
        "English fees on screen"
    );
    assert!(detail.fees_en.contains("Free"));
    assert!(f.exists("Take a number for this"), "translated button");
}

#[test]
fn new_content_replaces_the_list_and_the_open_guide_without_a_restart() {
    let f = start(SiteTier::Centre);
    f.shell.go(Page::Guides);
    f.tap("人民调解");
    let mut content = (*f.pages.current()).clone();
    content.services.retain(|s| s.id != "notary");
    let mediation = content
        .services
        .iter_mut()
        .find(|s| s.id == "mediation")
        .unwrap();
    mediation.fees = vec![content::Text::new("新的收费说明", "New fees")];
    f.pages.show(Arc::new(content));
    let state = f.shell.window().global::<GuidesAdapter>();
    assert_eq!(
        state.get_detail().fees,
        "• 新的收费说明",
        "the open guide refreshed"
    );
    assert!(!f.listed().contains(&"公证受理".to_owned()));
    assert_eq!(f.listed().len(), 11);
}

#[test]
fn take_a_ticket_opens_the_ticket_flow_and_the_session_end_closes_the_guide() {
    let f = start(SiteTier::Centre);
    f.shell.go(Page::Guides);
    let asked = Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    f.shell.window().global::<TakeNumberAdapter>().on_open_for({
        let asked = Rc::clone(&asked);
        move |id| asked.borrow_mut().push(id.to_string())
    });
    f.tap("法律咨询");
    f.tap("取号办理");
    assert_eq!(
        *asked.borrow(),
        ["consultation"],
        "the button enters the ticket flow for this guide's service"
    );
    f.shell.end_session();
    assert_eq!(f.shell.page(), Page::Home);
    assert!(!f.shell.window().global::<GuidesAdapter>().get_showing());
    f.shell.go(Page::Guides);
    assert!(
        f.exists("请选择要了解的业务"),
        "a new citizen starts at the list"
    );
}

#[test]
fn the_qr_text_fits_and_names_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let store = ContentStore::open(dir.path(), &ContentConfig::default()).unwrap();
    let content = store.current();
    for guide in guides::visible_guides(&content, InfoOptions::default()) {
        let local = guides::Localised::new(
            guide,
            SiteTier::Centre,
            &GuideWindows::default_for(SiteTier::Centre),
        );
        let text = guides::qr_text(&local);
        assert!(text.starts_with(&format!("【{}】", guide.name.zh)));
        assert!(text.len() <= 1200 + "\n……详见窗口".len(), "{}", guide.id);
        assert!(kiosk::ui::take_number::qr::qr_image(&text).is_some());
    }
}

/// The pages over the default content after `edit`, at a site of `tier` whose queue gives `windows`.
fn start_with(
    tier: SiteTier,
    windows: GuideWindows,
    edit: impl FnOnce(&mut content::Content),
) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = ContentStore::open(dir.path(), &ContentConfig::default()).expect("the store opens");
    let mut content = (*store.current()).clone();
    edit(&mut content);
    let shell = info_support::shell("黔江区公共法律服务中心");
    let pages = InfoPages::attach_with_windows(
        &shell,
        Arc::new(content),
        InfoOptions {
            tier,
            ..InfoOptions::default()
        },
        windows,
    );
    Fixture {
        shell,
        pages,
        _dir: dir,
    }
}

fn guide_mut<'a>(content: &'a mut content::Content, id: &str) -> &'a mut content::ServiceGuide {
    content
        .services
        .iter_mut()
        .find(|s| s.id == id)
        .expect("the guide")
}

#[test]
fn a_guide_names_the_windows_of_this_sites_own_queue() {
    // This site serves legal aid at window 7 alone: the guide's {window} says so, in both languages.
    let mut queue = queue::QueueConfig::default();
    for window in &mut queue.windows {
        window.services.retain(|s| s != "legal_aid");
    }
    queue.windows[0].id = 7;
    queue.windows[0].services.push("legal_aid".into());
    let f = start_with(
        SiteTier::Centre,
        GuideWindows::from_queue(&queue),
        |content| {
            let guide = guide_mut(content, "legal_aid");
            guide.window = content::Text::new("3号窗口", "Window 3");
            guide.steps = vec![content::Text::new(
                "取号后到{window}提交申请。",
                "Hand in the application at {window}.",
            )];
        },
    );
    f.shell.go(Page::Guides);
    let rows = f.shell.window().global::<GuidesAdapter>().get_guides();
    let row = rows.iter().find(|r| r.id == "legal_aid").unwrap();
    assert_eq!(
        row.window, "7号窗口",
        "the list names the queue's window, not the guide's"
    );
    assert_eq!(row.window_en, "Window 7");
    f.tap("法律援助");
    let detail = f.shell.window().global::<GuidesAdapter>().get_detail();
    assert_eq!(detail.steps, "1. 取号后到7号窗口提交申请。");
    assert_eq!(detail.steps_en, "1. Hand in the application at Window 7.");
    assert!(!detail.steps.contains("{window}"));
    assert!(detail.ticketed);
    assert!(f.exists("取号办理"));
}

#[test]
fn a_village_room_shows_the_rooms_own_steps_and_no_ticket_button() {
    let f = start_with(SiteTier::Room, GuideWindows::default(), |content| {
        let guide = guide_mut(content, "legal_aid");
        guide.tiers.clear();
        guide.steps = vec![content::Text::new("取号后到{window}提交申请。", "")];
        guide.room_steps = vec![content::Text::new(
            "到镇（街道）公共法律服务工作站申请，或拨打12348咨询。",
            "Apply at the township station, or call 12348.",
        )];
    });
    f.shell.go(Page::Guides);
    f.tap("法律援助");
    let detail = f.shell.window().global::<GuidesAdapter>().get_detail();
    assert_eq!(
        detail.steps,
        "1. 到镇（街道）公共法律服务工作站申请，或拨打12348咨询。"
    );
    assert_eq!(detail.window, "", "a room names no window");
    assert!(!detail.ticketed);
    assert!(f.buttons("取号办理").is_empty(), "a room issues no tickets");
}

#[test]
fn the_plain_summary_comes_first_and_the_sign_off_replaces_the_drafted_date() {
    let f = start_with(
        SiteTier::Centre,
        GuideWindows::default_for(SiteTier::Centre),
        |content| {
            let guide = guide_mut(content, "mediation");
            guide.plain = content::Text::new(
                "邻里、家庭吵架闹矛盾，可以免费请调解员帮忙说和。",
                "Free help to settle quarrels.",
            );
            guide.plain_points = vec![content::Text::new("不收费。", "It is free.")];
            guide.sign_off = None;
            guide.reviewed = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        },
    );
    f.shell.go(Page::Guides);
    f.tap("人民调解");
    assert!(f.exists("邻里、家庭吵架闹矛盾，可以免费请调解员帮忙说和。"));
    assert!(f.exists("• 不收费。"));
    assert!(f.scroll_to("编写日期：2026-12-07（尚未经中心审核，以窗口答复为准）"));
    assert!(
        !f.exists("审核日期：2026-12-07"),
        "no date reads like an official review"
    );

    let mut content = (*f.pages.current()).clone();
    guide_mut(&mut content, "mediation").sign_off = Some(content::SignOff {
        by: "区司法局公共法律服务科".into(),
        on: chrono::NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
    });
    f.pages.show(Arc::new(content));
    assert!(f.scroll_to("审核：区司法局公共法律服务科，2026-12-20"));
    f.shell.set_language(Language::En);
    assert!(f.scroll_to("Checked for publication by 区司法局公共法律服务科 on 2026-12-20"));
}
