//! The lawyer and institution directory page on Slint's testing backend, fed by a real content store
//! (the embedded default bundle in an empty data directory): opened from home, pinyin search on the
//! page's keyboard (initials, polyphonic surnames, characters picked from candidates), an entry's
//! detail, filters by township and practice area, category tabs, pages sized to the screen, English
//! and elderly mode, the site tier's opening tab, and the session end.

use std::{rc::Rc, sync::Arc, time::Duration};

use chrono::Datelike as _;
use content::{Content, ContentConfig, ContentStore, PersonRole, SiteTier};
use i_slint_backend_testing::{ElementHandle, mock_elapsed_time};
use kiosk::{
    config::Language,
    ui::{
        DirectoryAdapter, Page, Shell, Theme,
        info::{
            InfoOptions, InfoPages,
            directory::entries::{Category, Directory, Filter},
        },
    },
};
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
    fn state(&self) -> DirectoryAdapter<'_> {
        self.shell.window().global::<DirectoryAdapter>()
    }

    fn content(&self) -> Arc<Content> {
        self.pages.current()
    }

    /// Lets the layout report how many rows fit (change handlers run with the mocked time).
    fn settle(&self) {
        mock_elapsed_time(Duration::from_millis(1));
    }

    fn open_from_home(&self) {
        assert_eq!(self.shell.page(), Page::Home);
        let tile = ElementHandle::find_by_accessible_label(self.shell.window(), "律师与机构")
            .next()
            .expect("the home screen has the directory tile");
        tile.invoke_accessible_default_action();
        assert_eq!(self.shell.page(), Page::Directory);
        self.settle();
    }

    /// Taps the one button labelled `label`, then lets the page settle.
    fn tap(&self, label: &str) {
        Screen::tap(self, label);
        self.settle();
    }

    fn type_keys(&self, letters: &str) {
        for letter in letters.chars() {
            self.tap(&letter.to_string());
        }
    }

    /// The names listed on the current page.
    fn names(&self) -> Vec<String> {
        self.state()
            .get_rows()
            .iter()
            .map(|row| row.name.to_string())
            .collect()
    }

    /// Every name listed, page by page (ends back on the first page).
    fn all_names(&self) -> Vec<String> {
        let mut names = self.names();
        while self.state().get_page() < self.state().get_pages() {
            self.tap(self.next_label());
            names.extend(self.names());
        }
        while self.state().get_page() > 1 {
            self.tap(self.previous_label());
        }
        names
    }
}

fn lawyers_in(content: &Content, township: &str) -> Vec<String> {
    content
        .lawyers
        .iter()
        .filter(|p| p.role == PersonRole::Lawyer && p.serves.starts_with(township))
        .map(|p| p.name.clone())
        .collect()
}

#[test]
fn initials_find_zhang_san_and_his_entry_shows_everything() {
    let f = start(SiteTier::Centre);
    f.open_from_home();
    assert!(f.state().get_ready());
    assert_eq!(f.state().get_category(), 0, "the centre opens on lawyers");
    assert!(f.exists("律师与机构"));

    f.tap("搜索");
    assert!(f.state().get_typing(), "the keyboard is on screen");
    f.type_keys("zs");
    assert_eq!(f.state().get_pinyin(), "zs");
    f.tap("完成");
    assert!(!f.state().get_typing(), "the keyboard is put away");
    // Names by their initials come first: 张三, and 曾示例 by the surname reading zeng; then
    // lawyers with z-s inside a practice area (行政诉讼, xing zheng su song).
    let found = f.names();
    assert_eq!(found[..2], ["曾示例", "张三"], "{found:?}");

    f.tap("张三");
    let state = f.state();
    assert!(state.get_showing());
    let detail = state.get_detail();
    assert_eq!(detail.name, "张三");
    assert_eq!(detail.kind, "律师");
    assert_eq!(detail.organisation, "示例律师事务所（甲）");
    assert!(detail.areas.contains("婚姻家庭"), "{}", detail.areas);
    assert_eq!(detail.licence, "（示例）");
    assert_eq!(detail.since, 2012);
    assert_eq!(detail.years, chrono::Local::now().year() - 2012);
    assert!(detail.hours.contains("周二"), "{}", detail.hours);
    assert_eq!(detail.phone, "023-00000002");
    assert!(detail.has_photo && detail.photo.size().width > 0);
    assert!(detail.sample);
    for label in [
        "照片",
        "所属机构",
        "执业领域",
        "执业证号",
        "执业年限",
        "值班时间",
        "电话",
        "示例",
    ] {
        assert!(f.scroll_to(label), "the entry shows {label}");
    }
    assert!(f.scroll_to(&format!("{} 年（2012 年起执业）", detail.years)));

    f.tap("返回列表");
    assert!(!f.state().get_showing());
    assert_eq!(f.names(), found, "back at the search results");
}

#[test]
fn polyphonic_surnames_and_characters_picked_from_candidates() {
    let f = start(SiteTier::Centre);
    f.open_from_home();
    f.tap("搜索");
    f.type_keys("zeng");
    assert_eq!(f.names().first().map(String::as_str), Some("曾示例"));
    f.tap("清空");
    assert_eq!(f.state().get_query(), "");
    f.type_keys("shan");
    assert_eq!(f.names().first().map(String::as_str), Some("单示例"));
    f.tap("退格");
    f.tap("退格");
    f.tap("退格");
    f.tap("退格");
    assert_eq!(
        f.state().get_total(),
        12,
        "an empty search lists the whole tab"
    );

    // Typing Chinese: pinyin, then the candidate 张.
    f.type_keys("zhang");
    let candidates: Vec<String> = f
        .state()
        .get_candidates()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(candidates.contains(&"张".to_owned()), "{candidates:?}");
    f.tap("张");
    assert_eq!(f.state().get_query(), "张");
    assert_eq!(f.state().get_pinyin(), "");
    assert_eq!(f.names(), ["张三"], "the only lawyer named 张");
    f.tap("完成");
    f.tap("清除");
    assert_eq!(f.state().get_query(), "");
    assert_eq!(f.state().get_total(), 12);

    // A firm's name finds its lawyers, and practice areas are searched too.
    f.tap("搜索");
    f.type_keys("ldzy");
    f.tap("完成");
    let found = f.all_names();
    assert!(found.contains(&"李四".to_owned()), "劳动争议: {found:?}");
    assert!(found.contains(&"周九".to_owned()), "劳动争议: {found:?}");
    assert!(!found.contains(&"张三".to_owned()), "{found:?}");
}

#[test]
fn township_and_practice_area_filters_narrow_the_list() {
    let f = start(SiteTier::Centre);
    f.open_from_home();
    let content = f.content();
    assert_eq!(f.state().get_total(), 12);

    f.tap("乡镇：全部");
    assert_eq!(f.state().get_picker(), 2);
    assert!(f.exists("请选择乡镇（街道）"));
    f.tap("示例镇");
    assert_eq!(f.state().get_picker(), 0);
    assert_eq!(f.state().get_township(), "示例镇");
    assert!(f.exists("乡镇：示例镇"));
    let mut listed = f.all_names();
    let mut expected = lawyers_in(&content, "示例镇");
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected, "only the township's lawyers");
    assert_eq!(listed.len(), 3);
    for row in f.state().get_rows().iter() {
        assert!(row.place.starts_with("示例镇"), "{}", row.place);
    }

    // The same township in another tab: its mediation committee only.
    f.tap("人民调解");
    assert_eq!(f.state().get_township(), "示例镇", "the township stays");
    assert_eq!(f.names(), ["示例一村人民调解委员会"]);
    f.tap("律师");

    // Practice area on top of the township.
    f.tap("领域：全部");
    assert_eq!(f.state().get_picker(), 1);
    f.tap("婚姻家庭");
    assert!(f.exists("领域：婚姻家庭"));
    assert_eq!(f.all_names(), ["张三"]);

    // Back to every township: every lawyer with that practice area.
    f.tap("乡镇：示例镇");
    f.tap("全部");
    assert_eq!(f.state().get_township(), "");
    let mut listed = f.all_names();
    listed.sort();
    assert_eq!(listed, ["张三", "王示例", "钱七"]);

    // The pure model agrees with the page.
    let directory = Directory::build(&content);
    let filter = Filter {
        area: Some("婚姻家庭".to_owned()),
        ..Filter::category(Category::Lawyers)
    };
    assert_eq!(directory.find(&filter).len(), 3);
}

#[test]
fn tabs_switch_category_and_long_lists_page() {
    let f = start(SiteTier::Centre);
    f.open_from_home();
    let state = f.state();

    // Pages: as many rows as fit, 第 1/N 页, next and previous.
    let per_page = state.get_rows().row_count();
    assert!(per_page >= 2, "more than one row fits: {per_page}");
    let pages = state.get_pages();
    assert_eq!(pages as usize, 12usize.div_ceil(per_page));
    assert!(pages >= 2, "twelve lawyers take more than one page");
    assert!(f.exists(&format!("第 1/{pages} 页")));
    assert_eq!(f.buttons("上一页")[0].accessible_enabled(), Some(false));
    let first = f.names();
    f.tap("下一页");
    assert_eq!(state.get_page(), 2);
    assert!(f.exists(&format!("第 2/{pages} 页")));
    let second = f.names();
    assert!(
        second.iter().all(|n| !first.contains(n)),
        "{first:?} {second:?}"
    );
    f.tap("上一页");
    assert_eq!(f.names(), first);
    let all = f.all_names();
    assert_eq!(all.len(), 12);
    assert!(all.contains(&"张三".to_owned()));

    f.tap("律师事务所");
    assert_eq!(state.get_category(), 1);
    assert_eq!(state.get_page(), 1, "a new tab starts on its first page");
    assert_eq!(
        f.all_names(),
        ["示例律师事务所（甲）", "示例律师事务所（乙）"]
    );

    f.tap("公证");
    assert_eq!(f.all_names(), ["示例公证处", "黄示例"]);

    f.tap("基层法律服务");
    let offices = f.all_names();
    assert_eq!(offices[0], "示例镇司法所", "township justice offices first");
    assert!(offices.contains(&"示例基层法律服务所".to_owned()));
    assert!(offices.contains(&"李示例".to_owned()));

    f.tap("法律援助");
    let aid = f.all_names();
    assert!(
        aid.contains(&"示例镇公共法律服务工作站".to_owned()),
        "{aid:?}"
    );
    assert!(
        aid.contains(&"黔江区公共法律服务中心".to_owned()),
        "{aid:?}"
    );
    assert!(
        !state.get_has_areas(),
        "sites have no practice areas to filter by"
    );
    assert!(f.buttons("领域：全部").is_empty());

    f.tap("村居法律顾问");
    assert_eq!(f.all_names(), ["张示例", "刘示例", "陈示例"]);
    f.tap("刘示例");
    let detail = state.get_detail();
    assert_eq!(detail.kind, "村（社区）法律顾问");
    assert_eq!(
        detail.hours,
        "每周一 14:00-17:00 · 示例一村公共法律服务工作室"
    );
    assert_eq!(detail.serves, "示例镇示例一村");
    assert!(f.scroll_to("值班时间"));
}

#[test]
fn english_and_elderly_mode_render_the_page() {
    let f = start(SiteTier::Centre);
    f.open_from_home();
    let normal_rows = f.state().get_rows().row_count();

    f.shell.set_language(Language::En);
    f.shell.window().global::<Theme>().set_elderly(true);
    f.settle();
    for label in [
        "Lawyers",
        "Law firms",
        "Notary",
        "People's mediation",
        "Grassroots offices",
        "Legal aid",
        "Village advisers",
        "Area: All",
        "Township: All",
        "Search",
    ] {
        assert_eq!(f.buttons(label).len(), 1, "translated button {label}");
    }
    let pages = f.state().get_pages();
    assert!(f.exists(&format!("Page 1/{pages}")));
    assert!(f.exists("12 found"));
    let elderly_rows = f.state().get_rows().row_count();
    assert!(
        elderly_rows < normal_rows,
        "larger rows in elderly mode: {elderly_rows} < {normal_rows}"
    );
    assert!(f.exists(
        "Entries marked \"sample\" are sample data, not real. The notices at the windows prevail."
    ));

    f.tap("Search");
    f.type_keys("zs");
    f.tap("Done");
    f.tap("张三 (Zhang San)");
    let detail = f.state().get_detail();
    assert_eq!(detail.kind_en, "Lawyer");
    assert!(detail.areas_en.contains("Marriage and family"));
    for label in [
        "张三 (Zhang San)",
        "Lawyer",
        "Years in practice",
        "Duty times",
        "Licence number",
        "Marriage and family, Inheritance",
        "Tue 09:00-12:00 · Example Town station",
        "Back to the list",
        "Sample",
    ] {
        assert!(f.scroll_to(label), "English: {label}");
    }
    f.tap("Back to the list");

    f.tap("Township: All");
    assert!(f.exists("Choose a township or sub-district"));
    f.tap("All");
    f.tap("Clear");
    f.tap("Law firms");
    assert_eq!(f.state().get_category(), 1);
    assert!(f.exists("Example Law Firm A"), "{:?}", f.names());
}

#[test]
fn a_village_room_opens_on_the_village_advisers() {
    let room = start(SiteTier::Room);
    room.open_from_home();
    assert_eq!(room.state().get_category(), 6);
    assert_eq!(room.all_names(), ["张示例", "刘示例", "陈示例"]);
}

#[test]
fn a_township_station_opens_on_the_grassroots_offices() {
    let station = start(SiteTier::Station);
    station.open_from_home();
    assert_eq!(station.state().get_category(), 3);
    assert_eq!(station.names()[0], "示例镇司法所");
}

#[test]
fn the_session_end_resets_the_page() {
    let f = start(SiteTier::Room);
    f.open_from_home();
    f.tap("律师");
    f.tap("乡镇：全部");
    f.tap("示例乡");
    f.tap("搜索");
    f.type_keys("ww");
    assert_eq!(f.names(), ["王五"]);
    f.tap("完成");
    f.tap("王五");
    assert!(f.state().get_showing());

    f.shell.end_session();
    assert_eq!(f.shell.page(), Page::Home);
    let state = f.state();
    assert!(!state.get_showing());
    assert_eq!(state.get_query(), "");
    assert_eq!(state.get_pinyin(), "");
    assert_eq!(state.get_township(), "");
    assert_eq!(state.get_category(), 6, "back to the room's opening tab");
    assert_eq!(state.get_page(), 1);
    f.open_from_home();
    assert_eq!(
        f.buttons("搜索")[0].accessible_description().as_deref(),
        Some(""),
        "an empty search field"
    );
    assert!(!f.state().get_typing(), "no keyboard for the next citizen");
    assert_eq!(f.state().get_total(), 3);
}

#[test]
fn new_content_rebuilds_the_directory_without_a_restart() {
    let f = start(SiteTier::Centre);
    f.open_from_home();
    f.tap("搜索");
    f.type_keys("zs");
    f.tap("完成");
    assert!(f.names().contains(&"张三".to_owned()));
    let mut content = (*f.content()).clone();
    content.lawyers.retain(|p| p.name != "张三");
    f.pages.show(Arc::new(content));
    f.settle();
    assert!(
        !f.names().contains(&"张三".to_owned()),
        "the new bundle's index no longer finds him"
    );
    assert_eq!(
        f.state().get_query(),
        "",
        "typed letters are kept as pinyin"
    );
    assert_eq!(f.state().get_pinyin(), "zs");
}

#[test]
fn a_landscape_screen_lists_in_two_columns_with_the_keyboard_beside() {
    let f = start(SiteTier::Centre);
    f.shell
        .window()
        .window()
        .set_size(slint::PhysicalSize::new(1920, 1080));
    f.open_from_home();
    f.settle();
    let per_page = f.state().get_rows().row_count();
    assert!(
        per_page >= 2 && per_page.is_multiple_of(2),
        "two columns: {per_page} rows"
    );
    assert_eq!(f.buttons("村居法律顾问").len(), 1, "the tabs in one row");
    f.tap("搜索");
    f.type_keys("zs");
    f.tap("完成");
    assert!(f.state().get_rows().row_count() >= 2);
    f.tap("搜索");
    assert_eq!(f.buttons("z").len(), 1, "the keyboard is on screen");
    assert!(
        f.state().get_rows().row_count() >= 1,
        "the list stays beside the keyboard"
    );
    let key = &f.buttons("z")[0];
    let row = &f.buttons("张三")[0];
    assert!(
        key.absolute_position().x > row.absolute_position().x + row.size().width,
        "the keyboard is to the right of the list"
    );
}

#[test]
fn the_appraisal_tab_lists_the_appraisal_institutions() {
    let f = start(SiteTier::Centre);
    f.open_from_home();
    let expected: Vec<String> = f
        .content()
        .institutions
        .iter()
        .filter(|i| i.kind == content::InstitutionKind::AppraisalInstitution)
        .map(|i| i.name.zh.clone())
        .collect();
    assert!(
        !expected.is_empty(),
        "the default content has appraisal institutions"
    );
    f.tap("司法鉴定");
    assert_eq!(f.state().get_category(), Category::Appraisal.index());
    assert_eq!(f.all_names(), expected);
    f.tap(&expected[0]);
    assert_eq!(f.state().get_detail().kind, "司法鉴定机构");
}

#[test]
fn a_duty_schedule_shows_its_days_hours_and_place() {
    let f = start(SiteTier::Room);
    let mut content = (*f.content()).clone();
    let adviser = content
        .lawyers
        .iter_mut()
        .find(|p| p.role == PersonRole::VillageAdviser)
        .expect("a village adviser");
    adviser.duty = content::Text::default();
    adviser.schedule = Some(content::DutySchedule {
        days: vec![2, 4],
        hours: "09:00-12:00".into(),
        place: content::Text::new("示例村便民服务中心", "the village service centre"),
    });
    let name = adviser.name.clone();
    f.pages.show(Arc::new(content));
    f.open_from_home();
    f.tap(&name);
    assert_eq!(
        f.state().get_detail().hours,
        "每周二、周四 09:00-12:00 · 示例村便民服务中心"
    );
    f.shell.set_language(Language::En);
    assert_eq!(
        f.state().get_detail().hours_en,
        "Tue, Thu 09:00-12:00 · the village service centre"
    );
}
