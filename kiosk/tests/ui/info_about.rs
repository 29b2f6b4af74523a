//! The about-this-site page (本站公示) on Slint's testing backend, fed by a real content store (the
//! embedded default bundle in an empty data directory): the configured site decides what shows:
//! its duties, staff by post with photos, its services (each opening its guide), the hotline and
//! the complaint telephone; and a village room's home screen offers no tickets.

use std::rc::Rc;

use kiosk::{
    config::Language,
    ui::{
        AboutAdapter, GuidesAdapter, Page, Shell,
        info::{InfoOptions, InfoPages},
    },
};

use content::{ContentConfig, ContentStore, SiteTier};
use slint::{ComponentHandle, Model};

use crate::info_support;
use info_support::Screen;

struct Fixture {
    shell: Shell,
    _pages: Rc<InfoPages>,
    _dir: tempfile::TempDir,
}

fn start(name: &str, tier: SiteTier) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = ContentStore::open(dir.path(), &ContentConfig::default()).expect("the store opens");
    let shell = info_support::shell(name);
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
        _pages: pages,
        _dir: dir,
    }
}

impl Screen for Fixture {
    fn shell(&self) -> &Shell {
        &self.shell
    }
}

impl Fixture {
    fn about(&self) -> AboutAdapter<'_> {
        self.shell.window().global::<AboutAdapter>()
    }

    fn services(&self) -> Vec<String> {
        self.about()
            .get_services()
            .iter()
            .map(|s| s.id.to_string())
            .collect()
    }
}

#[test]
fn the_centre_publicises_its_duties_staff_services_and_numbers() {
    let f = start("黔江区公共法律服务中心", SiteTier::Centre);
    f.tap("本站公示");
    assert_eq!(f.shell.page(), Page::About);
    assert!(f.about().get_ready());
    assert!(f.exists("黔江区公共法律服务中心"));
    assert!(f.exists("法律服务热线 12348"));
    assert!(
        f.exists("监督投诉电话：请咨询窗口工作人员"),
        "the default content has no complaint number yet: the page says where to ask"
    );
    let staff: Vec<_> = f.about().get_staff().iter().collect();
    assert_eq!(staff.len(), 9, "director, deputy and the seven posts");
    assert_eq!(staff[0].post, "中心主任（区司法局领导兼任）");
    assert!(
        staff.iter().all(|p| p.has_photo),
        "every post with its photo"
    );
    assert!(
        staff.iter().all(|p| p.sample),
        "the default content's people are samples, marked as such"
    );
    assert_eq!(f.services().len(), 8, "every service of the centre");

    // A service opens its guide: conditions, procedures and remedies.
    assert!(f.scroll_to("法律援助"));
    f.tap("法律援助");
    assert_eq!(f.shell.page(), Page::Guides);
    let guides = f.shell.window().global::<GuidesAdapter>();
    assert!(guides.get_showing());
    assert_eq!(guides.get_detail().id, "legal_aid");
}

#[test]
fn a_township_station_shows_its_own_site_and_services() {
    let f = start("示例街道公共法律服务工作站", SiteTier::Station);
    f.shell.go(Page::About);
    assert_eq!(f.about().get_site_name(), "示例街道公共法律服务工作站");
    assert!(f.about().get_sample());
    assert!(f.exists("示例站点：地址与人员为示例，以现场公示为准。"));
    let posts: Vec<_> = f
        .about()
        .get_staff()
        .iter()
        .map(|p| p.post.to_string())
        .collect();
    assert_eq!(posts, ["工作站站长（司法所所长兼任）", "工作站专干"]);
    let services = f.services();
    assert!(services.contains(&"legal_aid".to_owned()));
    assert!(
        !services.contains(&"notary".to_owned()),
        "notarisation is the centre's: {services:?}"
    );
}

#[test]
fn an_unknown_name_falls_back_to_the_first_site_of_the_tier() {
    let f = start("某某镇公共法律服务工作站", SiteTier::Station);
    assert_eq!(f.about().get_site_name(), "示例街道公共法律服务工作站");
}

#[test]
fn a_village_room_offers_no_tickets_but_every_information_page() {
    let f = start("示例街道示例社区公共法律服务工作室", SiteTier::Room);
    assert!(f.buttons("取号").is_empty(), "no queue in a village room");
    assert_eq!(f.buttons("办事指南").len(), 1);
    assert_eq!(f.buttons("本站公示").len(), 1);
    f.tap("本站公示");
    let posts: Vec<_> = f
        .about()
        .get_staff()
        .iter()
        .map(|p| p.post.to_string())
        .collect();
    assert_eq!(posts, ["工作室负责人", "村（社区）法律顾问"]);

    let centre = start("黔江区公共法律服务中心", SiteTier::Centre);
    assert_eq!(centre.buttons("取号").len(), 1);
}

#[test]
fn the_page_reads_in_english() {
    let f = start("黔江区公共法律服务中心", SiteTier::Centre);
    f.shell.go(Page::About);
    f.shell.set_language(Language::En);
    assert!(f.exists("About this site"));
    assert!(f.exists("Qianjiang District Public Legal Service Centre"));
    assert!(f.exists("Supervision and complaints: please ask at a window"));
}

#[test]
fn a_village_rooms_home_screen_shows_its_own_legal_adviser_and_when_to_find_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = ContentStore::open(dir.path(), &ContentConfig::default()).expect("the store opens");
    let mut content = (*store.current()).clone();
    let room = content
        .sites
        .iter()
        .find(|s| s.tier == SiteTier::Room)
        .expect("a room")
        .clone();
    // Two advisers: only the one serving this room shows.
    let template = content.lawyers[0].clone();
    content
        .lawyers
        .retain(|p| p.role != content::PersonRole::VillageAdviser);
    for (id, name, site) in [
        ("adviser-elsewhere", "别示例", "centre"),
        ("adviser-here", "甘示例", room.id.as_str()),
    ] {
        content.lawyers.push(content::Person {
            id: id.into(),
            name: name.into(),
            role: content::PersonRole::VillageAdviser,
            phone: "023-00000009".into(),
            sample: true,
            schedule: Some(content::DutySchedule {
                days: vec![2, 4],
                hours: "09:00-12:00".into(),
                place: content::Text::new("村便民服务中心", "the village service centre"),
            }),
            sites: vec![site.into()],
            duty: content::Text::default(),
            ..template.clone()
        });
    }
    let shell = info_support::shell(&room.name.zh);
    let _pages = InfoPages::attach(
        &shell,
        std::sync::Arc::new(content),
        InfoOptions {
            tier: SiteTier::Room,
            ..InfoOptions::default()
        },
    );
    let f = Fixture {
        shell,
        _pages,
        _dir: dir,
    };
    let home = f.shell.window().global::<kiosk::ui::HomeAdapter>();
    assert!(home.get_adviser_shown());
    assert_eq!(home.get_adviser_name(), "甘示例");
    assert!(f.exists("本村（社区）法律顾问：甘示例（示例）"));
    assert!(f.exists(
        "驻点时间：每周二、周四 09:00-12:00 · 村便民服务中心，免费咨询；其他时间请打电话 023-00000009"
    ));
    f.shell.set_language(Language::En);
    assert!(f.exists(
        "In the village: Tue, Thu 09:00-12:00 · the village service centre; advice is free. At other times call 023-00000009"
    ));
    // A tap on the strip opens the directory (on the advisers' tab at a room).
    f.tap("Your village (community) legal adviser: 甘示例 (Gan Shi Li) (sample)");
    assert_eq!(f.shell.page(), Page::Directory);
}

#[test]
fn the_centre_shows_no_adviser_strip() {
    let f = start("黔江区公共法律服务中心", SiteTier::Centre);
    let home = f.shell.window().global::<kiosk::ui::HomeAdapter>();
    assert!(!home.get_adviser_shown());
}
