//! About this site (本站公示): the site's duties and services, its staff by post, its services with
//! their guides (conditions, procedures, remedies), the 12348 hotline and the complaint telephone.
//!
//! Which site is "this site": the content's site whose Chinese name is the configured `[site] name`
//! (the name on the home screen); when none has that name, the first site of the configured tier.
//! So a township station's kiosk shows its own station once the centre's bundle lists it under the
//! same name, and a sample station until then.

use slint::{ComponentHandle as _, ModelRc, SharedString, VecModel};

use super::directory::entries::duty_of;
use super::{InfoOptions, guides::visible_guides};
use crate::ui::{AboutAdapter, AboutService, AppWindow, HomeAdapter, Session, StaffCard};
use content::{Content, Person, PersonRole, Site, Text};

/// The village (community) legal adviser of `site` (一村一法律顾问): the first village adviser who
/// lists the site among those served.
pub fn adviser_of<'a>(content: &'a Content, site: &Site) -> Option<&'a Person> {
    content
        .lawyers
        .iter()
        .find(|p| p.role == PersonRole::VillageAdviser && p.sites.contains(&site.id))
}

/// Shows this site's adviser on the home screen, or hides the strip.
fn fill_adviser(window: &AppWindow, adviser: Option<&Person>) {
    let home = window.global::<HomeAdapter>();
    let Some(p) = adviser else {
        home.set_adviser_shown(false);
        return;
    };
    let duty = duty_of(p);
    home.set_adviser_name(p.name.as_str().into());
    home.set_adviser_name_en(
        super::directory::entries::english_name(&p.name)
            .as_str()
            .into(),
    );
    home.set_adviser_duty(duty.zh.as_str().into());
    home.set_adviser_duty_en(duty.en.as_str().into());
    home.set_adviser_phone(p.phone.as_str().into());
    home.set_adviser_sample(p.sample);
    home.set_adviser_shown(true);
}

/// The site this device stands in: the site of its tier with the configured name, else the first
/// of its tier (a room's kiosk configured with the centre's name still shows a room).
pub fn this_site<'a>(content: &'a Content, name: &str, options: InfoOptions) -> Option<&'a Site> {
    content
        .sites
        .iter()
        .find(|site| site.name.zh == name && site.tier == options.tier)
        .or_else(|| content.sites.iter().find(|site| site.tier == options.tier))
}

/// Connects the page's callbacks (the service buttons open guides from the Slint side).
pub(super) fn connect(_window: &AppWindow) {}

fn bullets(items: &[Text]) -> (SharedString, SharedString) {
    let zh: Vec<String> = items.iter().map(|t| format!("• {}", t.zh)).collect();
    let en: Vec<String> = items
        .iter()
        .map(|t| format!("• {}", t.en_or_zh()))
        .collect();
    (zh.join("\n").into(), en.join("\n").into())
}

/// Fills the page from new content.
pub(super) fn fill(window: &AppWindow, content: &Content, options: InfoOptions) {
    let about = window.global::<AboutAdapter>();
    let display = content.display.as_ref();
    about.set_hotline(display.map_or("12348", |d| d.hotline.as_str()).into());
    about.set_hotline_label(display.map_or("", |d| d.hotline_label.zh.as_str()).into());
    about.set_hotline_label_en(display.map_or("", |d| d.hotline_label.en_or_zh()).into());
    let complaint = display
        .filter(|d| !d.complaint_phone_placeholder)
        .map_or("", |d| d.complaint_phone.as_str());
    about.set_complaint_phone(complaint.into());

    let name = window.global::<Session>().get_centre_name();
    let site = this_site(content, &name, options);
    fill_adviser(window, site.and_then(|site| adviser_of(content, site)));
    let Some(site) = site else {
        about.set_ready(false);
        about.set_staff(ModelRc::default());
        about.set_services(ModelRc::default());
        return;
    };
    about.set_ready(true);
    about.set_site_name(site.name.zh.as_str().into());
    about.set_site_name_en(site.name.en_or_zh().into());
    about.set_address(site.address.as_str().into());
    about.set_hours(site.hours.as_str().into());
    about.set_phone(site.phone.as_str().into());
    about.set_sample(site.sample);
    let (offers, offers_en) = bullets(&site.offers);
    about.set_offers(offers);
    about.set_offers_en(offers_en);

    let staff: Vec<StaffCard> = content
        .staff
        .iter()
        .filter(|member| member.site == site.id)
        .map(|member| {
            let photo = member
                .photo
                .as_deref()
                .and_then(|object| content.file_path(object))
                .and_then(|path| {
                    crate::ui::images::load(&path)
                        .inspect_err(|err| tracing::warn!("staff {}: {err}", member.id))
                        .ok()
                });
            StaffCard {
                post: member.post.zh.as_str().into(),
                post_en: member.post.en_or_zh().into(),
                name: member.name.as_str().into(),
                has_photo: photo.is_some(),
                photo: photo.unwrap_or_default(),
                sample: member.sample,
            }
        })
        .collect();
    about.set_staff(ModelRc::new(VecModel::from(staff)));

    // The site's own services (an empty list in the content means every service of the tier).
    let services: Vec<AboutService> = visible_guides(content, options)
        .into_iter()
        .filter(|guide| site.services.is_empty() || site.services.contains(&guide.id))
        .map(|guide| AboutService {
            id: guide.id.as_str().into(),
            name: guide.name.zh.as_str().into(),
            name_en: guide.name.en_or_zh().into(),
            window: guide.window.zh.as_str().into(),
            window_en: guide.window.en_or_zh().into(),
        })
        .collect();
    about.set_services(ModelRc::new(VecModel::from(services)));
}

/// Nothing on the page belongs to a session.
pub(super) fn reset(_window: &AppWindow) {}
