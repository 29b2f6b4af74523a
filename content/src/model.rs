//! The typed content the UI shows: services and their guides, people, institutions, sites, publicity,
//! notices, legal-aid rules and display settings.
//!
//! The same types are written by the publisher (from the editable sources) and read by the device (from a
//! verified bundle). Records accept unknown fields so that a device keeps working when a later publisher adds
//! one; breaking changes bump the manifest's `format`.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::manifest::ObjectId;

/// A text in Simplified Chinese with its English translation (empty when there is none yet).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// Simplified Chinese (always present).
    pub zh: String,
    /// English; empty when not translated (the UI then shows the Chinese).
    #[serde(default)]
    pub en: String,
}

impl Text {
    /// A text from its two languages.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The English text, or the Chinese when there is no English.
    pub fn en_or_zh(&self) -> &str {
        if self.en.trim().is_empty() {
            &self.zh
        } else {
            &self.en
        }
    }
}

/// The tier of a site in the public legal service network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteTier {
    /// The district centre (区公共法律服务中心).
    Centre,
    /// A township or street station (乡镇街道公共法律服务工作站).
    Station,
    /// A village or community room (村（社区）公共法律服务工作室).
    Room,
}

/// One service of the centre with its guide (办事指南). The id matches the queue's service id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceGuide {
    /// The queue's service id (`reception`, `consultation`, `legal_aid`, `notary`, `approval`, `mediation`,
    /// `complaints`, `lawyer_appraisal`).
    pub id: String,
    /// Name of the service.
    pub name: Text,
    /// Where it is handled, for bundles that predate window hints. Devices take the windows from
    /// their own queue configuration and show this only when that has none; sources leave it empty.
    #[serde(default)]
    pub window: Text,
    /// The tiers that offer it (empty: every tier).
    #[serde(default)]
    pub tiers: Vec<SiteTier>,
    /// What the service is.
    pub summary: Text,
    /// The guide in one plain line for a first-time reader ("讨工资、工伤、交通事故赔偿……可以申请"), shown
    /// first, before any statute. A release needs it (`release_check`).
    #[serde(default)]
    pub plain: Text,
    /// A few short points in plain words, shown under `plain` and before the statute.
    #[serde(default)]
    pub plain_points: Vec<Text>,
    /// Who may use it, and on what conditions.
    #[serde(default)]
    pub conditions: Vec<Text>,
    /// Materials to bring.
    #[serde(default)]
    pub materials: Vec<Text>,
    /// Steps at the district centre, in order. `{window}` stands for the windows that serve the
    /// service at the device's own site (taken from its queue configuration, see [`fill_window`]).
    #[serde(default)]
    pub steps: Vec<Text>,
    /// Steps at a township station, when they differ from `steps` (empty: `steps`).
    #[serde(default)]
    pub station_steps: Vec<Text>,
    /// Steps at a village or community room, when they differ from `steps` (empty: `steps`).
    #[serde(default)]
    pub room_steps: Vec<Text>,
    /// Time limits.
    #[serde(default)]
    pub time_limits: Vec<Text>,
    /// Fees.
    #[serde(default)]
    pub fees: Vec<Text>,
    /// Remedies when the citizen disagrees with a decision.
    #[serde(default)]
    pub remedies: Vec<Text>,
    /// Contact and complaint numbers.
    #[serde(default)]
    pub contacts: Vec<Text>,
    /// Legal basis (laws and articles).
    #[serde(default)]
    pub basis: Vec<String>,
    /// Points not yet confirmed against an official source; the UI marks the guide "待核实 / to be
    /// confirmed" while this is not empty. Statements concerned carry 〔待核实〕 in their text.
    #[serde(default)]
    pub unverified: Vec<String>,
    /// The date the guide's text was last researched against its sources (not an official review).
    pub reviewed: NaiveDate,
    /// The centre's sign-off: who checked the guide for publication, and when. A release bundle
    /// needs one on every guide (`release_check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_off: Option<SignOff>,
}

impl ServiceGuide {
    /// The steps as worded for a site of `tier`: the tier's own steps when the guide has them,
    /// otherwise the centre's.
    pub fn steps_for(&self, tier: SiteTier) -> &[Text] {
        let own = match tier {
            SiteTier::Centre => &self.steps,
            SiteTier::Station => &self.station_steps,
            SiteTier::Room => &self.room_steps,
        };
        if own.is_empty() { &self.steps } else { own }
    }

    /// Every text of the guide, for checks that read them all (placeholders, marks).
    pub fn texts(&self) -> impl Iterator<Item = &Text> {
        [&self.name, &self.window, &self.summary, &self.plain]
            .into_iter()
            .chain(self.plain_points.iter())
            .chain(self.conditions.iter())
            .chain(self.materials.iter())
            .chain(self.steps.iter())
            .chain(self.station_steps.iter())
            .chain(self.room_steps.iter())
            .chain(self.time_limits.iter())
            .chain(self.fees.iter())
            .chain(self.remedies.iter())
            .chain(self.contacts.iter())
    }
}

/// The placeholder in guide texts for the windows that serve the service at the device's site.
pub const WINDOW_PLACEHOLDER: &str = "{window}";

/// `text` with [`WINDOW_PLACEHOLDER`] replaced by `windows` (`3号窗口` / `Window 3`), or by a
/// generic "窗口 / the window" when the site's queue names no window for the service.
pub fn fill_window(text: &Text, windows: Option<&Text>) -> Text {
    if !text.zh.contains(WINDOW_PLACEHOLDER) && !text.en.contains(WINDOW_PLACEHOLDER) {
        return text.clone();
    }
    let (zh, en) = match windows {
        Some(w) if !w.zh.is_empty() => (w.zh.as_str(), w.en_or_zh()),
        _ => ("窗口", "the window"),
    };
    Text {
        zh: text.zh.replace(WINDOW_PLACEHOLDER, zh),
        en: text.en.replace(WINDOW_PLACEHOLDER, en),
    }
}

/// The first `{…}` placeholder in `text` other than [`WINDOW_PLACEHOLDER`], if any (a typo the
/// publisher refuses rather than show braces to a citizen).
pub fn unknown_placeholder(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start..];
        let end = after.find('}').map_or(after.len(), |e| e + 1);
        let candidate = &after[..end];
        if candidate != WINDOW_PLACEHOLDER {
            return Some(candidate);
        }
        rest = &after[end..];
    }
    None
}

/// Who signed a guide off for publication, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignOff {
    /// The reviewer's name or post, as the centre enters it.
    pub by: String,
    /// The date of the sign-off.
    pub on: NaiveDate,
}

/// A role of a person in the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    /// A practising lawyer (律师).
    Lawyer,
    /// A grassroots legal-service worker (基层法律服务工作者).
    GrassrootsWorker,
    /// A village (community) legal adviser (村（社区）法律顾问).
    VillageAdviser,
    /// A people's mediator (人民调解员).
    Mediator,
    /// A notary (公证员).
    Notary,
}

/// A person in the directory (the `lawyers` collection: lawyers, village legal advisers, mediators…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// Stable id.
    pub id: String,
    /// Name in Chinese.
    pub name: String,
    /// Role.
    pub role: PersonRole,
    /// Institution id (law firm, notary office, mediation committee…), when any.
    #[serde(default)]
    pub institution: String,
    /// Practice areas or specialties.
    #[serde(default)]
    pub specialties: Vec<String>,
    /// Telephone shown to citizens.
    #[serde(default)]
    pub phone: String,
    /// Township or village served.
    #[serde(default)]
    pub serves: String,
    /// Practice certificate number, when public.
    #[serde(default)]
    pub licence: String,
    /// Photo: an object id in a bundle (a path relative to the sources in the sources).
    #[serde(default)]
    pub photo: Option<String>,
    /// Sample data, not a real person: the UI marks it "示例 / sample".
    #[serde(default)]
    pub sample: bool,
    /// English names of `specialties`, in the same order (empty: not translated, the UI shows the Chinese).
    #[serde(default)]
    pub specialties_en: Vec<String>,
    /// The year the person started practising (首次执业年份), when public: the UI shows years in practice.
    #[serde(default)]
    pub since: Option<u16>,
    /// When the person is on duty or can be reached (值班时间), e.g. a village adviser's days in the village.
    #[serde(default)]
    pub duty: Text,
    /// The regular duty schedule (值班安排): weekdays, hours and place, when the person has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<DutySchedule>,
    /// Ids of the sites the person serves (a village adviser's rooms, a duty lawyer's centre or
    /// station): the room's home screen shows its own adviser.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<String>,
}

/// A regular duty schedule: on these weekdays, in these hours, at this place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutySchedule {
    /// ISO weekdays (1 = Monday … 7 = Sunday), ascending.
    pub days: Vec<u8>,
    /// Hours as `HH:MM-HH:MM`, in local time.
    pub hours: String,
    /// Where the person sits on those days.
    #[serde(default)]
    pub place: Text,
}

impl DutySchedule {
    /// The weekdays and hours in Chinese (`每周二、周四 09:00-12:00`) and English
    /// (`Tue, Thu 09:00-12:00`).
    pub fn when(&self) -> Text {
        const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
        const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let pick = |names: &[&str; 7], sep: &str| {
            self.days
                .iter()
                .filter_map(|&d| names.get(usize::from(d).checked_sub(1)?))
                .copied()
                .collect::<Vec<_>>()
                .join(sep)
        };
        Text {
            zh: format!("每{} {}", pick(&ZH, "、"), self.hours),
            en: format!("{} {}", pick(&EN, ", "), self.hours),
        }
    }
}

/// The kind of an institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionKind {
    /// The district justice bureau (区司法局).
    JusticeBureau,
    /// The legal-aid centre (法律援助中心).
    LegalAidCentre,
    /// A law firm (律师事务所).
    LawFirm,
    /// A notary office (公证处).
    NotaryOffice,
    /// A grassroots legal-service office (基层法律服务所).
    GrassrootsOffice,
    /// A people's mediation committee (人民调解委员会).
    MediationCommittee,
    /// A forensic appraisal institution (司法鉴定机构).
    AppraisalInstitution,
    /// An association (律师协会, 公证协会).
    Association,
}

/// An institution in the directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Institution {
    /// Stable id.
    pub id: String,
    /// Kind.
    pub kind: InstitutionKind,
    /// Name.
    pub name: Text,
    /// Address.
    #[serde(default)]
    pub address: String,
    /// Telephone.
    #[serde(default)]
    pub phone: String,
    /// Opening hours.
    #[serde(default)]
    pub hours: String,
    /// What it does.
    #[serde(default)]
    pub services: Vec<String>,
    /// Sample data: the UI marks it "示例 / sample".
    #[serde(default)]
    pub sample: bool,
    /// Township or street (乡镇街道) it is in; empty for an institution serving the whole district.
    #[serde(default)]
    pub township: String,
    /// English of `hours` (empty: the UI shows the Chinese).
    #[serde(default)]
    pub hours_en: String,
    /// English of `services`, in the same order (empty: the UI shows the Chinese).
    #[serde(default)]
    pub services_en: Vec<String>,
}

/// A site of the network: the district centre, a township station or a village room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Stable id.
    pub id: String,
    /// Tier.
    pub tier: SiteTier,
    /// Name.
    pub name: Text,
    /// Township or street (乡镇街道) it belongs to.
    #[serde(default)]
    pub township: String,
    /// Address.
    #[serde(default)]
    pub address: String,
    /// Telephone.
    #[serde(default)]
    pub phone: String,
    /// Opening hours.
    #[serde(default)]
    pub hours: String,
    /// Queue service ids handled there.
    #[serde(default)]
    pub services: Vec<String>,
    /// What it offers (主要服务内容).
    #[serde(default)]
    pub offers: Vec<Text>,
    /// What it must publicise (主要公示内容).
    #[serde(default)]
    pub publicises: Vec<Text>,
    /// A generic or sample entry (not a real address): the UI marks it "示例 / sample".
    #[serde(default)]
    pub sample: bool,
}

/// A member of a site's staff, published by post (the seed plan's 公示: 工作人员).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMember {
    /// Stable id.
    pub id: String,
    /// The site id the person works at.
    pub site: String,
    /// The post (岗位), e.g. 法律援助岗.
    pub post: Text,
    /// Name in Chinese.
    pub name: String,
    /// Photo: an object id in a bundle (a path relative to the sources in the sources).
    #[serde(default)]
    pub photo: Option<String>,
    /// Sample data, not a real person: the UI marks it "示例 / sample".
    #[serde(default)]
    pub sample: bool,
}

/// How a publicity item is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicityKind {
    /// A full-screen slide (text and optional image) in the idle loop and on the hall screen.
    Slide,
    /// A line in the scrolling ticker (LED panel, hall screen).
    Ticker,
}

/// A publicity item (普法宣传, 公示事项) with its validity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicityItem {
    /// Stable id.
    pub id: String,
    /// Kind.
    pub kind: PublicityKind,
    /// Title.
    pub title: Text,
    /// Body.
    #[serde(default)]
    pub body: Text,
    /// Image: an object id in a bundle (a path relative to the sources in the sources).
    #[serde(default)]
    pub image: Option<String>,
    /// First day shown.
    pub valid_from: NaiveDate,
    /// Last day shown (none: until withdrawn).
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    /// Tiers that show it (empty: all).
    #[serde(default)]
    pub tiers: Vec<SiteTier>,
    /// Seconds on screen (slides).
    #[serde(default = "default_slide_seconds")]
    pub seconds: u32,
}

fn default_slide_seconds() -> u32 {
    12
}

impl PublicityItem {
    /// Whether the item is shown on `day`.
    pub fn is_valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_until.is_none_or(|until| day <= until)
    }
}

/// A publicity video (法治宣传视频) for the hall screen, and muted, for the kiosk's attract loop.
///
/// Videos are their own collection, so a device whose firmware predates them still accepts bundles
/// that carry them (it reads only the collections it knows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoItem {
    /// Stable id.
    pub id: String,
    /// Title (shown in the corner while it plays, and on the technician page).
    pub title: Text,
    /// The clip: an object id in a bundle (a path relative to the sources in the sources): MP4 or
    /// WebM; H.264 at 720p plays on every board.
    pub file: String,
    /// SubRip subtitles (`.srt`, UTF-8 or GB18030), drawn by the player: the hall is noisy and some
    /// citizens are deaf. An object id in a bundle.
    #[serde(default)]
    pub subtitles: Option<String>,
    /// A picture shown before the first frame and if the clip cannot play. An object id in a bundle.
    #[serde(default)]
    pub poster: Option<String>,
    /// First day shown.
    pub valid_from: NaiveDate,
    /// Last day shown (none: until withdrawn).
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    /// Periods of the day it may play, `"HH:MM-HH:MM"` local time (empty: all day).
    #[serde(default)]
    pub hours: Vec<String>,
    /// Tiers that show it (empty: all).
    #[serde(default)]
    pub tiers: Vec<SiteTier>,
    /// Site ids that show it (empty: every site of those tiers).
    #[serde(default)]
    pub sites: Vec<String>,
    /// Whether the kiosk's attract loop may play it (always muted there).
    #[serde(default)]
    pub attract: bool,
    /// Made by the project as a sample, not the district's own publicity: marked "示例 / sample".
    #[serde(default)]
    pub sample: bool,
}

impl VideoItem {
    /// Whether it may play at local time `at` at a site of `tier` with id `site`.
    pub fn plays_at(&self, at: chrono::NaiveDateTime, tier: SiteTier, site: &str) -> bool {
        self.is_for_site(tier, site) && self.is_on_at(at)
    }

    /// Whether a site of `tier` with id `site` shows it.
    pub fn is_for_site(&self, tier: SiteTier, site: &str) -> bool {
        (self.tiers.is_empty() || self.tiers.contains(&tier))
            && (self.sites.is_empty() || self.sites.iter().any(|s| s == site))
    }

    /// Whether local time `at` is within its dates and hours.
    pub fn is_on_at(&self, at: chrono::NaiveDateTime) -> bool {
        let day = at.date();
        self.valid_from <= day
            && self.valid_until.is_none_or(|until| day <= until)
            && (self.hours.is_empty()
                || self
                    .hours
                    .iter()
                    .filter_map(|h| crate::DayPeriod::parse(h))
                    .any(|p| p.contains(at.time())))
    }
}

/// A notice (通知公告).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// Stable id (the source file's name).
    pub id: String,
    /// Title.
    pub title: Text,
    /// Body in Markdown, Chinese.
    pub body_zh: String,
    /// Body in Markdown, English (may be empty).
    #[serde(default)]
    pub body_en: String,
    /// Date of publication.
    pub published: NaiveDate,
    /// Last day shown (none: until withdrawn).
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    /// Shown first.
    #[serde(default)]
    pub pinned: bool,
}

impl Notice {
    /// Whether the notice is shown on `day`.
    pub fn is_valid_on(&self, day: NaiveDate) -> bool {
        self.published <= day && self.valid_until.is_none_or(|until| day <= until)
    }
}

/// A kind of matter for which legal aid may be requested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AidMatter {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: Text,
    /// `criminal`, `civil`, `administrative` or `general` (matters of every kind of case, such as a
    /// retrial under art. 33); see [`aid_check::CATEGORIES`](crate::aid_check::CATEGORIES).
    pub category: String,
    /// Whether economic hardship is a condition (before the exemptions are considered).
    pub hardship_required: bool,
    /// Article of the Legal Aid Law, in Chinese ("第三十一条第五项").
    pub article: String,
    /// The same article in English ("Legal Aid Law art. 31(5)"); English screens show this, never
    /// the Chinese label (empty in bundles that predate it: no label is shown).
    #[serde(default)]
    pub article_en: String,
}

/// A group of people or a situation a legal-aid rule names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AidGroup {
    /// Stable id.
    pub id: String,
    /// Description.
    pub name: Text,
    /// Article, in Chinese ("第四十二条第三项").
    pub article: String,
    /// The same article in English ("Legal Aid Law art. 42(3)").
    #[serde(default)]
    pub article_en: String,
    /// The matters (by id) the rule is limited to; empty: every matter. Art. 42(3), for one, exempts
    /// migrant workers from the hardship check only when they claim wages or work-injury damages.
    #[serde(default)]
    pub applies_to_matters: Vec<String>,
}

impl AidGroup {
    /// Whether the rule can apply to the matter `matter_id` (`None`: the citizen chose "other / not
    /// sure", which only the unlimited rules fit).
    pub fn applies_to(&self, matter_id: Option<&str>) -> bool {
        self.applies_to_matters.is_empty()
            || matter_id.is_some_and(|id| self.applies_to_matters.iter().any(|m| m == id))
    }
}

/// A point of the Legal Aid Law the self-check states with its outcome (a condition, a duty of the
/// authorities, a further kind of help), with the article it rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AidNote {
    /// The point in plain words.
    pub text: Text,
    /// Article(s), in Chinese ("第三十条、第三十九条").
    pub article: String,
    /// The same in English ("Legal Aid Law arts. 30 and 39").
    #[serde(default)]
    pub article_en: String,
}

/// The economic-hardship standard (经济困难标准), set by the provincial-level government (Legal Aid Law
/// art. 34) and adjusted over time: data, never code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HardshipStandard {
    /// Region the standard applies to.
    pub region: String,
    /// The region in English ("Chongqing"); empty: English screens name no region.
    #[serde(default)]
    pub region_en: String,
    /// Monthly income per household member in yuan below which a household is in hardship; none while
    /// the official figure has not been entered.
    #[serde(default)]
    pub monthly_income_per_person_yuan: Option<u32>,
    /// How the household is counted.
    pub household: Text,
    /// Date from which the figure applies.
    #[serde(default)]
    pub effective_from: Option<NaiveDate>,
    /// Official document the figure comes from.
    #[serde(default)]
    pub source: String,
    /// Whether the figure has been checked against the official source.
    pub verified: bool,
    /// What the screen says about the standard.
    pub note: Text,
}

/// Legal-aid rules as data, for the self-check (Legal Aid Law 2021, in force 2022-01-01).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegalAidRules {
    /// Laws the rules come from.
    pub basis: Vec<String>,
    /// Shown on the first question and with every result: the self-check is no decision, the
    /// legal-aid body decides.
    pub disclaimer: Text,
    /// Warning about obtaining aid by deception (art. 64).
    pub fraud_warning: Text,
    /// The economic-hardship standard.
    pub hardship_standard: HardshipStandard,
    /// Matters for which aid may be requested.
    pub matters: Vec<AidMatter>,
    /// People for whom the court, procuratorate or police must arrange a defender (art. 25): no application.
    pub mandatory_defence: Vec<AidGroup>,
    /// Situations with no economic-hardship condition (art. 32).
    pub no_hardship_condition: Vec<AidGroup>,
    /// Groups exempt from the hardship check when they can prove their status (art. 42).
    pub check_exempt: Vec<AidGroup>,
    /// The condition that the person has no lawyer or other agent yet (arts. 24, 25, 29, 31, 33).
    /// While present, the self-check asks about it; someone who has one is told so plainly.
    #[serde(default)]
    pub no_representative: Option<AidNote>,
    /// The duty of the police, procuratorate and court to tell parties of their right to apply
    /// (art. 35), shown with criminal results.
    #[serde(default)]
    pub right_to_be_told: Option<AidNote>,
    /// Duty lawyers' help for suspects and defendants without a defence lawyer (art. 30), shown with
    /// the results for a suspect's or defendant's defence.
    #[serde(default)]
    pub duty_lawyer: Option<AidNote>,
    /// Free legal consultation (art. 23), shown with criminal results and with every result other
    /// than "likely eligible".
    #[serde(default)]
    pub free_consultation: Option<AidNote>,
    /// Materials checklist.
    pub materials: Vec<Text>,
    /// Days to decide after receiving an application (art. 43).
    pub decision_days: u32,
    /// Days to assign a provider after granting aid (art. 43).
    pub assign_days: u32,
    /// A deadline closer than this many days makes the case urgent (art. 44).
    pub urgent_deadline_days: u32,
    /// Days the justice bureau takes to review an objection (art. 49).
    pub objection_review_days: u32,
    /// Remedies when aid is refused or ended.
    pub remedies: Vec<Text>,
    /// Points not yet confirmed against an official source.
    #[serde(default)]
    pub unverified: Vec<String>,
}

/// Display settings for the touch screen, hall screen and LED panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisplaySettings {
    /// The public legal service hotline.
    pub hotline: String,
    /// What the hotline is for.
    pub hotline_label: Text,
    /// The supervision and complaint telephone; a placeholder until the centre enters its number.
    pub complaint_phone: String,
    /// Whether `complaint_phone` is a placeholder (the UI then shows "请咨询窗口 / ask at a window").
    pub complaint_phone_placeholder: bool,
    /// Seconds each slide stays on screen by default.
    pub slide_seconds: u32,
    /// Seconds without a touch before the idle publicity loop starts.
    pub idle_publicity_after_secs: u32,
    /// A line shown in the ticker before the publicity items.
    pub ticker: Text,
    /// Notice at the bottom of directory pages about sample data.
    pub sample_notice: Text,
}

/// Facts about the installed bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleInfo {
    /// The bundle's version (monotonically increasing).
    pub version: u64,
    /// When it was signed.
    pub created: DateTime<Utc>,
    /// After this time the content is stale: still shown, marked as possibly out of date.
    pub expires: DateTime<Utc>,
    /// Title given by the publisher.
    pub title: String,
    /// Id of the key whose signature was accepted.
    pub key_id: String,
    /// Where it came from: `bundled`, `usb` or the source URL.
    pub origin: String,
}

/// One verified, complete version of the content. Never a mix of two bundles.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    /// Facts about the bundle (none: no verified content at all).
    pub info: Option<BundleInfo>,
    /// Services with their guides.
    pub services: Vec<ServiceGuide>,
    /// People: lawyers, village legal advisers, mediators, notaries.
    pub lawyers: Vec<Person>,
    /// Institutions: law firms, notary offices, mediation committees…
    pub institutions: Vec<Institution>,
    /// The district centre, township stations and village rooms.
    pub sites: Vec<Site>,
    /// The sites' staff by post.
    pub staff: Vec<StaffMember>,
    /// Publicity items.
    pub publicity: Vec<PublicityItem>,
    /// Notices.
    pub notices: Vec<Notice>,
    /// Publicity videos.
    pub videos: Vec<VideoItem>,
    /// Legal-aid rules (none: not published).
    pub legal_aid: Option<LegalAidRules>,
    /// Display settings (none: the UI's defaults).
    pub display: Option<DisplaySettings>,
    pub(crate) objects_dir: PathBuf,
}

impl Content {
    /// No content: what the device shows when no bundle verifies (the UI says content is unavailable).
    pub fn empty() -> Self {
        Self {
            info: None,
            services: Vec::new(),
            lawyers: Vec::new(),
            institutions: Vec::new(),
            sites: Vec::new(),
            staff: Vec::new(),
            publicity: Vec::new(),
            notices: Vec::new(),
            videos: Vec::new(),
            legal_aid: None,
            display: None,
            objects_dir: PathBuf::new(),
        }
    }

    /// The guide of a queue service.
    pub fn service(&self, id: &str) -> Option<&ServiceGuide> {
        self.services.iter().find(|s| s.id == id)
    }

    /// The file on disk for an object id used by a record (`photo`, `image`); none for an unknown id.
    pub fn file_path(&self, object: &str) -> Option<PathBuf> {
        let id: ObjectId = object.parse().ok()?;
        let path = id.path_in(&self.objects_dir);
        path.is_file().then_some(path)
    }

    /// Whether the content is past its expiry at `now` (it stays on screen, marked as possibly out of date).
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.info.as_ref().is_some_and(|info| info.expires <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_placeholder_is_filled_from_the_queue_or_said_generically() {
        let step = Text::new("取号后到{window}提交。", "Hand it in at {window}.");
        let windows = Text::new("3号窗口、4号窗口", "Window 3, Window 4");
        assert_eq!(
            fill_window(&step, Some(&windows)),
            Text::new(
                "取号后到3号窗口、4号窗口提交。",
                "Hand it in at Window 3, Window 4."
            )
        );
        assert_eq!(
            fill_window(&step, None),
            Text::new("取号后到窗口提交。", "Hand it in at the window.")
        );
        let plain = Text::new("免费。", "Free.");
        assert_eq!(fill_window(&plain, Some(&windows)), plain);
    }

    #[test]
    fn only_the_window_placeholder_is_known() {
        assert_eq!(unknown_placeholder("到{window}办理"), None);
        assert_eq!(unknown_placeholder("到{window}或{window}办理"), None);
        assert_eq!(unknown_placeholder("到{windows}办理"), Some("{windows}"));
        assert_eq!(
            unknown_placeholder("到{window}和{letter}"),
            Some("{letter}")
        );
        assert_eq!(unknown_placeholder("未闭合{window"), Some("{window"));
        assert_eq!(unknown_placeholder("没有占位符"), None);
    }

    #[test]
    fn a_tier_without_its_own_steps_reads_the_centres() {
        let mut guide: ServiceGuide = toml::from_str(
            r#"id = "legal_aid"
name = { zh = "法律援助" }
summary = { zh = "免费法律服务" }
steps = [{ zh = "到{window}申请" }]
room_steps = [{ zh = "到镇工作站申请，或拨打12348" }]
reviewed = "2026-12-07""#,
        )
        .unwrap();
        assert_eq!(guide.steps_for(SiteTier::Centre)[0].zh, "到{window}申请");
        assert_eq!(guide.steps_for(SiteTier::Station)[0].zh, "到{window}申请");
        assert_eq!(
            guide.steps_for(SiteTier::Room)[0].zh,
            "到镇工作站申请，或拨打12348"
        );
        guide.station_steps = vec![Text::new("在本站申请", "")];
        assert_eq!(guide.steps_for(SiteTier::Station)[0].zh, "在本站申请");
    }

    #[test]
    fn a_schedule_reads_as_weekdays_and_hours() {
        let schedule = DutySchedule {
            days: vec![2, 4],
            hours: "09:00-12:00".into(),
            place: Text::default(),
        };
        assert_eq!(
            schedule.when(),
            Text::new("每周二、周四 09:00-12:00", "Tue, Thu 09:00-12:00")
        );
    }
}
