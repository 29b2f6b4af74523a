//! The directory as the page lists it: every person, institution and legal-aid site of a content
//! bundle sorted into the page's categories, with their townships, practice areas and a search index.
//! Built once per bundle; pure data, no Slint.

use std::path::PathBuf;

use content::{Content, Institution, InstitutionKind, Person, PersonRole, Site, SiteTier, Text};

use search::{FieldKind, Record, SearchIndex};

/// The category tabs of the page, in the order of their index in `DirectoryAdapter.category`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// Practising lawyers (律师).
    Lawyers,
    /// Law firms (律师事务所).
    LawFirms,
    /// Notary offices and notaries (公证).
    Notary,
    /// Township justice offices, the district justice bureau, grassroots legal service offices and
    /// their workers (基层法律服务: 司法所, 法律服务所).
    Offices,
    /// People's mediation committees and mediators (人民调解).
    Mediation,
    /// The legal-aid body and the sites that accept legal-aid applications: the centre's window and
    /// the township stations' legal-aid workstations (法律援助工作站).
    LegalAid,
    /// Village (community) legal advisers (一村一法律顾问).
    Advisers,
    /// Forensic appraisal institutions (司法鉴定机构).
    Appraisal,
}

impl Category {
    /// Every category, by tab index.
    pub const ALL: [Self; 8] = [
        Self::Lawyers,
        Self::LawFirms,
        Self::Notary,
        Self::Offices,
        Self::Mediation,
        Self::LegalAid,
        Self::Advisers,
        Self::Appraisal,
    ];

    /// The category of a tab index.
    pub fn from_index(index: i32) -> Option<Self> {
        usize::try_from(index)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    /// The tab index of the category.
    pub fn index(self) -> i32 {
        Self::ALL.iter().position(|c| *c == self).unwrap_or(0) as i32
    }

    /// The tab the page opens on at a site of `tier`.
    ///
    /// The configuration names the site's tier but not its township, so the tier alone chooses: the
    /// district centre opens on lawyers (what most visitors there look for); a township station on
    /// the grassroots offices (the township's justice office and legal service office, where its
    /// citizens are referred); a village room on the village legal advisers (the adviser on duty in
    /// that village is who its citizens ask for). Every tab stays one tap away.
    pub fn default_for(tier: SiteTier) -> Self {
        match tier {
            SiteTier::Centre => Self::Lawyers,
            SiteTier::Station => Self::Offices,
            SiteTier::Room => Self::Advisers,
        }
    }
}

/// A text in Chinese and English (the English falls back to the Chinese).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pair {
    /// Simplified Chinese.
    pub zh: String,
    /// English, or the Chinese when there is no translation.
    pub en: String,
}

impl Pair {
    fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    fn of(text: &Text) -> Self {
        Self::new(text.zh.as_str(), text.en_or_zh())
    }

    fn join(items: &[Self]) -> Self {
        Self {
            zh: items
                .iter()
                .map(|p| p.zh.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            en: items
                .iter()
                .map(|p| p.en.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// One entry of the directory with everything the list and the detail show.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Stable key: `person:ID`, `institution:ID` or `site:ID`.
    pub key: String,
    /// The tab it is listed under.
    pub category: Category,
    /// Whether it is a person (photo, licence, duty times).
    pub is_person: bool,
    /// Name (a person's English name adds the pinyin: `张三 (Zhang San)`).
    pub name: Pair,
    /// What it is (律师, 公证处…).
    pub kind: Pair,
    /// The second line of the list.
    pub line: Pair,
    /// Township (乡镇街道) it serves or is in; empty for the whole district.
    pub township: String,
    /// The third line of the list: the area served (and a village adviser's phone).
    pub place: String,
    /// Area served as the content names it (a village, a street, the district).
    pub serves: String,
    /// The law firm or office a person belongs to.
    pub organisation: Pair,
    /// Practice areas (people) or services (institutions), for the area filter.
    pub areas: Vec<Pair>,
    /// What an institution or site does.
    pub services: Pair,
    /// Practice certificate number.
    pub licence: String,
    /// Year of first practice.
    pub since: Option<u16>,
    /// Address (a person's: their organisation's).
    pub address: String,
    /// Telephone.
    pub phone: String,
    /// Duty times of a person, opening hours of an institution or site.
    pub hours: Pair,
    /// Photo file, when the person has one in the bundle.
    pub photo: Option<PathBuf>,
    /// Sample data (marked 示例 / sample).
    pub sample: bool,
}

/// What the citizen narrowed the list to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// The tab.
    pub category: Category,
    /// A practice area (Chinese), if chosen.
    pub area: Option<String>,
    /// A township, if chosen: only entries in that township remain (district-wide ones do not).
    pub township: Option<String>,
    /// Search text: characters, pinyin, initials or digits (empty: no search).
    pub query: String,
}

impl Filter {
    /// The whole of a category.
    pub fn category(category: Category) -> Self {
        Self {
            category,
            area: None,
            township: None,
            query: String::new(),
        }
    }
}

/// Every entry of one content bundle, with its search index.
pub struct Directory {
    entries: Vec<Entry>,
    townships: Vec<String>,
    index: SearchIndex,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory")
            .field("entries", &self.entries.len())
            .field("townships", &self.townships)
            .finish_non_exhaustive()
    }
}

impl Directory {
    /// Sorts the content's people, institutions and legal-aid sites into categories and indexes them
    /// for search (names and titles, firms, practice areas, townships and licence numbers).
    pub fn build(content: &Content) -> Self {
        let townships = townships(content);
        let mut entries = Vec::new();
        let people = |role: PersonRole| content.lawyers.iter().filter(move |p| p.role == role);
        let institutions =
            |kind: InstitutionKind| content.institutions.iter().filter(move |i| i.kind == kind);
        for category in Category::ALL {
            match category {
                Category::Lawyers => {
                    entries.extend(
                        people(PersonRole::Lawyer)
                            .map(|p| person(content, &townships, p, category)),
                    );
                }
                Category::LawFirms => {
                    entries.extend(
                        institutions(InstitutionKind::LawFirm).map(|i| institution(i, category)),
                    );
                }
                Category::Notary => {
                    entries.extend(
                        institutions(InstitutionKind::NotaryOffice)
                            .map(|i| institution(i, category)),
                    );
                    entries.extend(
                        people(PersonRole::Notary)
                            .map(|p| person(content, &townships, p, category)),
                    );
                }
                Category::Offices => {
                    // Township justice offices first, then the district bureau and legal service offices.
                    let mut offices: Vec<&Institution> =
                        institutions(InstitutionKind::JusticeBureau)
                            .chain(institutions(InstitutionKind::GrassrootsOffice))
                            .collect();
                    offices.sort_by_key(|i| i.township.is_empty());
                    entries.extend(offices.into_iter().map(|i| institution(i, category)));
                    entries.extend(
                        people(PersonRole::GrassrootsWorker)
                            .map(|p| person(content, &townships, p, category)),
                    );
                }
                Category::Mediation => {
                    entries.extend(
                        institutions(InstitutionKind::MediationCommittee)
                            .map(|i| institution(i, category)),
                    );
                    entries.extend(
                        people(PersonRole::Mediator)
                            .map(|p| person(content, &townships, p, category)),
                    );
                }
                Category::LegalAid => {
                    entries.extend(
                        institutions(InstitutionKind::LegalAidCentre)
                            .map(|i| institution(i, category)),
                    );
                    entries.extend(
                        content
                            .sites
                            .iter()
                            .filter(|s| s.services.iter().any(|id| id == "legal_aid"))
                            .map(legal_aid_site),
                    );
                }
                Category::Advisers => {
                    entries.extend(
                        people(PersonRole::VillageAdviser)
                            .map(|p| person(content, &townships, p, category)),
                    );
                }
                Category::Appraisal => {
                    entries.extend(
                        institutions(InstitutionKind::AppraisalInstitution)
                            .map(|i| institution(i, category)),
                    );
                }
            }
        }
        let records: Vec<Record> = entries.iter().map(record).collect();
        let index = SearchIndex::build(&records);
        Self {
            entries,
            townships,
            index,
        }
    }

    /// Every entry, by category in tab order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry with a key.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The townships named by the content (sites first, in their order).
    pub fn townships(&self) -> &[String] {
        &self.townships
    }

    /// The practice areas of a category's entries, each once, in order of first appearance.
    pub fn areas(&self, category: Category) -> Vec<Pair> {
        let mut out: Vec<Pair> = Vec::new();
        for entry in self.entries.iter().filter(|e| e.category == category) {
            for area in &entry.areas {
                if !out.iter().any(|a| a.zh == area.zh) {
                    out.push(area.clone());
                }
            }
        }
        out
    }

    /// The entries that pass `filter`: best search matches first while searching, the content's
    /// order otherwise.
    pub fn find(&self, filter: &Filter) -> Vec<&Entry> {
        let passes = |entry: &Entry| {
            entry.category == filter.category
                && filter
                    .area
                    .as_ref()
                    .is_none_or(|area| entry.areas.iter().any(|a| &a.zh == area))
                && filter
                    .township
                    .as_ref()
                    .is_none_or(|township| &entry.township == township)
        };
        if filter.query.trim().is_empty() {
            self.entries.iter().filter(|e| passes(e)).collect()
        } else {
            self.index
                .search(&filter.query, self.entries.len())
                .into_iter()
                .map(|hit| &self.entries[hit.record])
                .filter(|e| passes(e))
                .collect()
        }
    }
}

/// The townships the content names: those of the sites, then any others of the institutions.
fn townships(content: &Content) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let named = content
        .sites
        .iter()
        .map(|s| s.township.as_str())
        .chain(content.institutions.iter().map(|i| i.township.as_str()));
    for township in named {
        if !township.is_empty() && !out.iter().any(|t| t == township) {
            out.push(township.to_owned());
        }
    }
    out
}

/// The township a person serves: the longest known township their `serves` starts with
/// (`示例镇示例一村` is in `示例镇`); none for the whole district.
fn township_of(townships: &[String], serves: &str) -> String {
    townships
        .iter()
        .filter(|t| serves.starts_with(t.as_str()))
        .max_by_key(|t| t.len())
        .cloned()
        .unwrap_or_default()
}

/// `张三 (Zhang San)`: a person's name for English readers, with its pinyin (surnames read as
/// surnames: 曾 is Zeng), one capitalised word per syllable.
pub fn english_name(name: &str) -> String {
    let reading = SearchIndex::reading_of(FieldKind::Name, name);
    let words: Vec<String> = reading
        .split_whitespace()
        .map(|syllable| {
            let mut chars = syllable.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
        .collect();
    if words.is_empty() {
        name.to_owned()
    } else {
        format!("{name} ({})", words.join(" "))
    }
}

fn pairs(zh: &[String], en: &[String]) -> Vec<Pair> {
    zh.iter()
        .enumerate()
        .map(|(i, z)| {
            Pair::new(
                z.as_str(),
                en.get(i)
                    .filter(|e| !e.trim().is_empty())
                    .unwrap_or(z)
                    .as_str(),
            )
        })
        .collect()
}

fn role_kind(role: PersonRole) -> Pair {
    match role {
        PersonRole::Lawyer => Pair::new("律师", "Lawyer"),
        PersonRole::GrassrootsWorker => {
            Pair::new("基层法律服务工作者", "Grassroots legal service worker")
        }
        PersonRole::VillageAdviser => {
            Pair::new("村（社区）法律顾问", "Village (community) legal adviser")
        }
        PersonRole::Mediator => Pair::new("人民调解员", "People's mediator"),
        PersonRole::Notary => Pair::new("公证员", "Notary"),
    }
}

fn institution_kind(institution: &Institution) -> Pair {
    match institution.kind {
        InstitutionKind::JusticeBureau if institution.township.is_empty() => {
            Pair::new("司法局", "Justice bureau")
        }
        InstitutionKind::JusticeBureau => Pair::new("司法所", "Justice office"),
        InstitutionKind::LegalAidCentre => Pair::new("法律援助机构", "Legal-aid body"),
        InstitutionKind::LawFirm => Pair::new("律师事务所", "Law firm"),
        InstitutionKind::NotaryOffice => Pair::new("公证处", "Notary office"),
        InstitutionKind::GrassrootsOffice => {
            Pair::new("基层法律服务所", "Grassroots legal service office")
        }
        InstitutionKind::MediationCommittee => {
            Pair::new("人民调解委员会", "People's mediation committee")
        }
        InstitutionKind::AppraisalInstitution => {
            Pair::new("司法鉴定机构", "Forensic appraisal institution")
        }
        InstitutionKind::Association => Pair::new("行业协会", "Professional association"),
    }
}

fn person(content: &Content, townships: &[String], p: &Person, category: Category) -> Entry {
    let organisation = content
        .institutions
        .iter()
        .find(|i| i.id == p.institution && !p.institution.is_empty());
    let areas = pairs(&p.specialties, &p.specialties_en);
    let org_name = organisation.map(|i| Pair::of(&i.name)).unwrap_or_default();
    let joined = Pair::join(&areas);
    let line_parts = |org: &str, areas: &str, sep: &str| {
        [org, areas]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(sep)
    };
    let duty = duty_of(p);
    let line = if p.role == PersonRole::VillageAdviser && !duty.zh.is_empty() {
        duty.clone()
    } else {
        Pair::new(
            line_parts(&org_name.zh, &joined.zh, " · "),
            line_parts(&org_name.en, &joined.en, " · "),
        )
    };
    // A village adviser is reached by phone between days in the village: the list shows the number.
    let place = if p.role == PersonRole::VillageAdviser && !p.phone.is_empty() {
        [p.serves.as_str(), p.phone.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    } else {
        p.serves.clone()
    };
    Entry {
        key: format!("person:{}", p.id),
        category,
        is_person: true,
        name: Pair::new(p.name.as_str(), english_name(&p.name)),
        kind: role_kind(p.role),
        line,
        township: township_of(townships, &p.serves),
        place,
        serves: p.serves.clone(),
        organisation: org_name,
        areas,
        services: Pair::default(),
        licence: p.licence.clone(),
        since: p.since,
        address: organisation.map(|i| i.address.clone()).unwrap_or_default(),
        phone: p.phone.clone(),
        hours: duty,
        photo: p.photo.as_deref().and_then(|id| content.file_path(id)),
        sample: p.sample,
    }
}

/// When and where a person is on duty: the regular schedule when there is one
/// (`每周二、周四 09:00-12:00 · 示例一村便民服务中心`), else the free-text duty note (which says the
/// same in words for sources without a schedule); empty when there is neither.
pub fn duty_of(p: &Person) -> Pair {
    let Some(schedule) = &p.schedule else {
        return Pair::of(&p.duty);
    };
    let when = schedule.when();
    if schedule.place.zh.is_empty() {
        return Pair::new(when.zh, when.en);
    }
    Pair::new(
        format!("{} · {}", when.zh, schedule.place.zh),
        format!("{} · {}", when.en, schedule.place.en_or_zh()),
    )
}

fn institution(i: &Institution, category: Category) -> Entry {
    let listed = pairs(&i.services, &i.services_en);
    let services = Pair::join(&listed);
    // What the legal-aid body does is not a practice area to filter its tab by.
    let areas = if i.kind == InstitutionKind::LegalAidCentre {
        Vec::new()
    } else {
        listed
    };
    Entry {
        key: format!("institution:{}", i.id),
        category,
        is_person: false,
        name: Pair::of(&i.name),
        kind: institution_kind(i),
        line: services.clone(),
        township: i.township.clone(),
        place: i.township.clone(),
        serves: i.township.clone(),
        organisation: Pair::default(),
        areas,
        services,
        licence: String::new(),
        since: None,
        address: i.address.clone(),
        phone: i.phone.clone(),
        hours: Pair::new(
            i.hours.as_str(),
            if i.hours_en.trim().is_empty() {
                &i.hours
            } else {
                &i.hours_en
            },
        ),
        photo: None,
        sample: i.sample,
    }
}

fn legal_aid_site(s: &Site) -> Entry {
    let kind = match s.tier {
        SiteTier::Centre => Pair::new("法律援助受理窗口", "Legal-aid window"),
        SiteTier::Station | SiteTier::Room => Pair::new("法律援助工作站", "Legal-aid workstation"),
    };
    let offers: Vec<Pair> = s.offers.iter().map(Pair::of).collect();
    Entry {
        key: format!("site:{}", s.id),
        category: Category::LegalAid,
        is_person: false,
        name: Pair::of(&s.name),
        line: kind.clone(),
        kind,
        township: s.township.clone(),
        place: s.township.clone(),
        serves: s.township.clone(),
        organisation: Pair::default(),
        areas: Vec::new(),
        services: Pair {
            zh: offers
                .iter()
                .map(|p| p.zh.as_str())
                .collect::<Vec<_>>()
                .join("；"),
            en: offers
                .iter()
                .map(|p| p.en.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        },
        licence: String::new(),
        since: None,
        address: s.address.clone(),
        phone: s.phone.clone(),
        hours: Pair::new(s.hours.as_str(), s.hours.as_str()),
        photo: None,
        sample: s.sample,
    }
}

fn record(entry: &Entry) -> Record {
    let name_kind = if entry.is_person {
        FieldKind::Name
    } else {
        FieldKind::Title
    };
    let mut record = Record::new().with(name_kind, entry.name.zh.as_str());
    if !entry.organisation.zh.is_empty() {
        record = record.with(FieldKind::Firm, entry.organisation.zh.as_str());
    }
    for area in &entry.areas {
        record = record.with(FieldKind::Area, area.zh.as_str());
    }
    if !entry.serves.is_empty() {
        record = record.with(FieldKind::Township, entry.serves.as_str());
    }
    if entry.licence.chars().any(|c| c.is_ascii_digit()) {
        record = record.with(FieldKind::Other, entry.licence.as_str());
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_names_carry_the_pinyin() {
        assert_eq!(english_name("张三"), "张三 (Zhang San)");
        assert_eq!(english_name("曾小明"), "曾小明 (Zeng Xiao Ming)");
        assert_eq!(english_name("单示例"), "单示例 (Shan Shi Li)");
    }

    #[test]
    fn a_village_is_in_the_longest_township_it_starts_with() {
        let townships = vec!["示例镇".to_owned(), "示例镇东".to_owned()];
        assert_eq!(township_of(&townships, "示例镇示例一村"), "示例镇");
        assert_eq!(township_of(&townships, "示例镇东村"), "示例镇东");
        assert_eq!(township_of(&townships, "黔江区"), "");
    }
}
