//! The publisher: builds a signed bundle (plain static files) from the editable sources.
//!
//! Source layout (see `content/README.md` for every field):
//!
//! | path | collection | format |
//! |---|---|---|
//! | `bundle.toml` | (manifest) | title, version, created, expires / expires_days, lawyers_per_part |
//! | `services/*.toml` | services | one guide per file, sorted by file name |
//! | `lawyers.csv` | lawyers | one person per row |
//! | `institutions.csv` | institutions | one institution per row |
//! | `sites.csv` | sites | one site per row |
//! | `staff.csv` | staff | one person per row: site id, post, name, photo |
//! | `publicity/*.toml` | publicity | one item per file |
//! | `notices/*.md` | notices | Markdown with TOML front matter between `+++` lines |
//! | `legal_aid.toml` | legal_aid | the legal-aid rules |
//! | `display.toml` | display | display settings |
//! | `videos/*.toml` | videos | one publicity video per file (clip, subtitles, poster, validity, hours) |
//! | `images/…`, `videos/…` | files | photos, slides, clips and subtitles referred to by the records |

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{
    ContentError,
    assemble::assemble,
    config::ContentLimits,
    keys::SecretKey,
    manifest::{self, FORMAT, FileEntry, Manifest, ObjectId, VerifiedManifest},
    model::{
        DisplaySettings, DutySchedule, Institution, InstitutionKind, LegalAidRules, Notice, Person,
        PersonRole, PublicityItem, ServiceGuide, Site, SiteTier, StaffMember, Text, VideoItem,
        WINDOW_PLACEHOLDER, unknown_placeholder,
    },
    pack,
    sources::{self, CsvRow},
};

/// `bundle.toml`: facts about the bundle.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BundleSource {
    title: String,
    #[serde(default)]
    version: Option<u64>,
    /// The trust epoch: raise it (by one) only to recover devices ("Recovery" in the README).
    #[serde(default)]
    epoch: u64,
    #[serde(default)]
    created: Option<DateTime<Utc>>,
    #[serde(default)]
    expires: Option<DateTime<Utc>>,
    #[serde(default = "default_expires_days")]
    expires_days: u32,
    #[serde(default = "default_lawyers_per_part")]
    lawyers_per_part: usize,
}

fn default_expires_days() -> u32 {
    45
}

fn default_lawyers_per_part() -> usize {
    500
}

/// Options of a build beyond the sources.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Version (default: `bundle.toml`'s, else the signing time in seconds since 1970).
    pub version: Option<u64>,
    /// Validity in days from the signing time (default: `bundle.toml`'s `expires`/`expires_days`).
    pub expires_days: Option<u32>,
    /// Signing time (default: `bundle.toml`'s `created`, else now).
    pub created: Option<DateTime<Utc>>,
    /// Remove files of earlier bundles from the output directory.
    pub prune: bool,
    /// Also write the whole bundle as one pack file (used to embed the default content).
    pub pack: Option<PathBuf>,
    /// A release build: refused while the sources have open items (`release_check`).
    pub release: bool,
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// The bundle's version.
    pub version: u64,
    /// Its expiry.
    pub expires: DateTime<Utc>,
    /// Files in the bundle (collection parts and images).
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
    /// Records per collection.
    pub records: BTreeMap<String, usize>,
}

struct Builder<'a> {
    src: &'a Path,
    objects: BTreeMap<ObjectId, (Vec<u8>, String)>,
}

impl Builder<'_> {
    fn add(&mut self, bytes: Vec<u8>, media_type: &str) -> ObjectId {
        let id = ObjectId::of(&bytes);
        self.objects
            .entry(id)
            .or_insert((bytes, media_type.to_owned()));
        id
    }

    /// Adds a picture referred to from a record and returns its object id.
    fn add_file(&mut self, reference: &str) -> Result<String, String> {
        self.add_typed(reference, FileKind::Image)
    }

    /// Adds a file of `kind` referred to from a record and returns its object id. Subtitles are read
    /// first: a broken file is refused with its line.
    fn add_typed(&mut self, reference: &str, kind: FileKind) -> Result<String, String> {
        let path = sources::resolve_in(self.src, reference)?;
        let media = media_type(&path, kind)
            .ok_or_else(|| format!("`{reference}`: only {} files are allowed", kind.allowed()))?;
        let bytes = std::fs::read(&path).map_err(|err| format!("`{reference}`: {err}"))?;
        if kind == FileKind::Subtitles {
            subtitles::Subtitles::parse(&bytes).map_err(|err| format!("`{reference}`: {err}"))?;
        }
        Ok(self.add(bytes, media).to_string())
    }

    /// Adds the file a CSV cell refers to, if any, and returns its object id; an error names the cell.
    fn add_file_cell(
        &mut self,
        row: &CsvRow,
        column: &str,
    ) -> Result<Option<String>, ContentError> {
        match row.get(column) {
            "" => Ok(None),
            reference => self
                .add_file(reference)
                .map(Some)
                .map_err(|reason| row.error(column, reason)),
        }
    }

    fn add_json<T: Serialize>(&mut self, value: &T) -> String {
        let mut bytes = serde_json::to_vec_pretty(value).expect("records serialise");
        bytes.push(b'\n');
        self.add(bytes, "application/json").to_string()
    }
}

/// What a record's file must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Image,
    Video,
    Subtitles,
}

impl FileKind {
    fn allowed(self) -> &'static str {
        match self {
            Self::Image => ".png, .jpg, .jpeg and .svg",
            Self::Video => ".mp4, .m4v and .webm",
            Self::Subtitles => ".srt",
        }
    }
}

fn media_type(path: &Path, kind: FileKind) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match (kind, ext.as_str()) {
        (FileKind::Image, "png") => Some("image/png"),
        (FileKind::Image, "jpg" | "jpeg") => Some("image/jpeg"),
        (FileKind::Image, "svg") => Some("image/svg+xml"),
        (FileKind::Video, "mp4" | "m4v") => Some("video/mp4"),
        (FileKind::Video, "webm") => Some("video/webm"),
        (FileKind::Subtitles, "srt") => Some("application/x-subrip"),
        _ => None,
    }
}

/// Builds and signs a bundle from `src_dir` into `out_dir`, then verifies the result with the key's public
/// half. Files are written before `manifest.json`, so a server never offers a manifest whose files are
/// missing.
pub fn build(
    src_dir: &Path,
    key: &SecretKey,
    out_dir: &Path,
    options: &BuildOptions,
) -> Result<BuildReport, ContentError> {
    if options.release {
        let open = crate::release_check::open_items(src_dir)?;
        if !open.is_empty() {
            return Err(ContentError::NotReleasable(open));
        }
    }
    let bundle_file = src_dir.join("bundle.toml");
    let bundle: BundleSource =
        sources::parse_toml(&bundle_file, &sources::read_text(&bundle_file)?, 0)?;
    if bundle.lawyers_per_part == 0 {
        return Err(ContentError::source(
            &bundle_file,
            None,
            Some("lawyers_per_part"),
            "must be at least 1",
        ));
    }
    let created = options.created.or(bundle.created).unwrap_or_else(Utc::now);
    let expires = match (options.expires_days, bundle.expires) {
        (Some(days), _) => created + Duration::days(i64::from(days)),
        (None, Some(expires)) => expires,
        (None, None) => created + Duration::days(i64::from(bundle.expires_days)),
    };
    if expires <= created {
        return Err(ContentError::source(
            &bundle_file,
            None,
            Some("expires"),
            "must be after the signing time",
        ));
    }
    let version = options
        .version
        .or(bundle.version)
        .unwrap_or(created.timestamp().max(1) as u64);
    if version > u64::try_from(created.timestamp()).unwrap_or(0) {
        return Err(ContentError::source(
            &bundle_file,
            None,
            Some("version"),
            format!(
                "{version} is above the signing time {created} in seconds since 1970 ({}): devices refuse \
                 it; use a smaller number or leave `version` out (it defaults to the signing time)",
                created.timestamp()
            ),
        ));
    }

    let mut b = Builder {
        src: src_dir,
        objects: BTreeMap::new(),
    };
    let mut collections = BTreeMap::new();
    let mut records = BTreeMap::new();

    let services = read_services(src_dir)?;
    if !services.is_empty() {
        records.insert("services".to_owned(), services.len());
        collections.insert("services".to_owned(), vec![b.add_json(&services)]);
    }
    let lawyers = read_people(&mut b, &src_dir.join("lawyers.csv"))?;
    if !lawyers.is_empty() {
        records.insert("lawyers".to_owned(), lawyers.len());
        let parts = lawyers
            .chunks(bundle.lawyers_per_part)
            .map(|chunk| b.add_json(&chunk))
            .collect();
        collections.insert("lawyers".to_owned(), parts);
    }
    let institutions = read_institutions(&src_dir.join("institutions.csv"))?;
    if !institutions.is_empty() {
        records.insert("institutions".to_owned(), institutions.len());
        collections.insert("institutions".to_owned(), vec![b.add_json(&institutions)]);
    }
    let sites = read_sites(&src_dir.join("sites.csv"))?;
    for person in &lawyers {
        if let Some(unknown) = person
            .sites
            .iter()
            .find(|id| !sites.iter().any(|site| &site.id == *id))
        {
            return Err(ContentError::source(
                &src_dir.join("lawyers.csv"),
                None,
                Some("sites"),
                format!("person {}: no site {unknown} in sites.csv", person.id),
            ));
        }
    }
    if !sites.is_empty() {
        records.insert("sites".to_owned(), sites.len());
        collections.insert("sites".to_owned(), vec![b.add_json(&sites)]);
    }
    let staff = read_staff(&mut b, &src_dir.join("staff.csv"), &sites)?;
    if !staff.is_empty() {
        records.insert("staff".to_owned(), staff.len());
        collections.insert("staff".to_owned(), vec![b.add_json(&staff)]);
    }
    let publicity = read_publicity(&mut b, src_dir)?;
    if !publicity.is_empty() {
        records.insert("publicity".to_owned(), publicity.len());
        collections.insert("publicity".to_owned(), vec![b.add_json(&publicity)]);
    }
    let notices = read_notices(src_dir)?;
    if !notices.is_empty() {
        records.insert("notices".to_owned(), notices.len());
        collections.insert("notices".to_owned(), vec![b.add_json(&notices)]);
    }
    let videos = read_videos(&mut b, src_dir)?;
    if !videos.is_empty() {
        records.insert("videos".to_owned(), videos.len());
        collections.insert("videos".to_owned(), vec![b.add_json(&videos)]);
    }
    for (name, file) in [("legal_aid", "legal_aid.toml"), ("display", "display.toml")] {
        let path = src_dir.join(file);
        if !path.exists() {
            continue;
        }
        let text = sources::read_text(&path)?;
        let id = if name == "legal_aid" {
            let rules = sources::parse_toml::<LegalAidRules>(&path, &text, 0)?;
            if let Some(problem) = crate::aid_check::problems(&rules).into_iter().next() {
                return Err(ContentError::source(
                    &path,
                    None,
                    Some(&problem.field),
                    problem.reason,
                ));
            }
            b.add_json(&rules)
        } else {
            b.add_json(&sources::parse_toml::<DisplaySettings>(&path, &text, 0)?)
        };
        records.insert(name.to_owned(), 1);
        collections.insert(name.to_owned(), vec![id]);
    }

    let manifest = Manifest {
        format: FORMAT,
        version,
        epoch: bundle.epoch,
        created,
        expires,
        title: bundle.title,
        collections,
        files: b
            .objects
            .iter()
            .map(|(id, (bytes, media))| {
                (
                    id.to_string(),
                    FileEntry {
                        size: bytes.len() as u64,
                        media_type: media.clone(),
                    },
                )
            })
            .collect(),
    };
    let raw = manifest::sign(&manifest, &[key]);
    write_dist(out_dir, &b.objects, &raw, options.prune)?;
    if let Some(pack_path) = &options.pack {
        let mut entries: Vec<(String, &[u8])> = vec![("manifest.json".to_owned(), &raw)];
        entries.extend(
            b.objects
                .iter()
                .map(|(id, (bytes, _))| (id.relative_path(), bytes.as_slice())),
        );
        write_file(pack_path, &pack::write(&entries))?;
    }
    // The result must pass the device's own checks.
    let verified = verify_dir(out_dir, &[key.public()], &ContentLimits::default())?;
    Ok(BuildReport {
        version,
        expires,
        files: verified.files.len(),
        bytes: verified.total_bytes(),
        records,
    })
}

/// Verifies a bundle directory (signature, version not above the signing time, every file's hash, every
/// record) against `keys`.
pub fn verify_dir(
    dist_dir: &Path,
    keys: &[super::keys::PublicKey],
    limits: &ContentLimits,
) -> Result<VerifiedManifest, ContentError> {
    let manifest_path = dist_dir.join("manifest.json");
    let raw =
        std::fs::read(&manifest_path).map_err(|source| ContentError::io(&manifest_path, source))?;
    let verified = manifest::verify(&raw, keys, limits)?;
    manifest::check_version_ceiling(&verified.manifest)?;
    let objects_dir = dist_dir.join("objects");
    for (id, entry) in &verified.files {
        let path = id.path_in(&objects_dir);
        let bytes = std::fs::read(&path).map_err(|source| ContentError::io(&path, source))?;
        if bytes.len() as u64 != entry.size || ObjectId::of(&bytes) != *id {
            return Err(super::BundleError::HashMismatch {
                object: id.to_string(),
                reason: "the file in the bundle directory differs".into(),
            }
            .into());
        }
    }
    assemble(&verified, &objects_dir, "verify", limits)?;
    Ok(verified)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ContentError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| ContentError::io(parent, source))?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|source| ContentError::io(&tmp, source))?;
    std::fs::rename(&tmp, path).map_err(|source| ContentError::io(path, source))
}

fn write_dist(
    out: &Path,
    objects: &BTreeMap<ObjectId, (Vec<u8>, String)>,
    manifest: &[u8],
    prune: bool,
) -> Result<(), ContentError> {
    let objects_dir = out.join("objects");
    for (id, (bytes, _)) in objects {
        let path = id.path_in(&objects_dir);
        if std::fs::read(&path).is_ok_and(|old| old == *bytes) {
            continue;
        }
        write_file(&path, bytes)?;
    }
    write_file(&out.join("manifest.json"), manifest)?;
    if prune {
        let Ok(fans) = std::fs::read_dir(&objects_dir) else {
            return Ok(());
        };
        for fan in fans.flatten() {
            let Ok(entries) = std::fs::read_dir(fan.path()) else {
                continue;
            };
            for entry in entries.flatten() {
                let keep = entry
                    .file_name()
                    .to_str()
                    .and_then(|n| n.parse::<ObjectId>().ok())
                    .is_some_and(|id| objects.contains_key(&id));
                if !keep {
                    std::fs::remove_file(entry.path())
                        .map_err(|source| ContentError::io(&entry.path(), source))?;
                }
            }
            let _ = std::fs::remove_dir(fan.path()); // only succeeds when empty
        }
    }
    Ok(())
}

/// Source files of a folder with an extension, sorted by name.
fn files_in(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, ContentError> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| ContentError::io(dir, source))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    Ok(files)
}

fn check_id(
    file: &Path,
    line: Option<usize>,
    field: &str,
    id: &str,
    seen: &mut Vec<String>,
) -> Result<(), ContentError> {
    if !sources::valid_id(id) {
        return Err(ContentError::source(
            file,
            line,
            Some(field),
            format!("`{id}` must be 1 to 64 characters of a-z, 0-9, _ and -"),
        ));
    }
    if seen.iter().any(|s| s == id) {
        return Err(ContentError::source(
            file,
            line,
            Some(field),
            format!("`{id}` is used twice"),
        ));
    }
    seen.push(id.to_owned());
    Ok(())
}

fn read_services(src: &Path) -> Result<Vec<ServiceGuide>, ContentError> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for file in files_in(&src.join("services"), "toml")? {
        let guide: ServiceGuide = sources::parse_toml(&file, &sources::read_text(&file)?, 0)?;
        check_id(&file, None, "id", &guide.id, &mut seen)?;
        if guide.name.zh.trim().is_empty() || guide.summary.zh.trim().is_empty() {
            return Err(ContentError::source(
                &file,
                None,
                Some("name.zh / summary.zh"),
                "must not be empty",
            ));
        }
        for text in guide.texts() {
            for half in [&text.zh, &text.en] {
                if let Some(bad) = unknown_placeholder(half) {
                    return Err(ContentError::source(
                        &file,
                        None,
                        None,
                        format!(
                            "unknown placeholder {bad} in \"{}\": the only one is {WINDOW_PLACEHOLDER}",
                            half.chars().take(40).collect::<String>()
                        ),
                    ));
                }
            }
        }
        out.push(guide);
    }
    Ok(out)
}

fn read_people(b: &mut Builder<'_>, file: &Path) -> Result<Vec<Person>, ContentError> {
    if !file.exists() {
        return Ok(Vec::new());
    }
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for row in sources::read_csv(file)? {
        let id = row.required("id")?;
        check_id(file, Some(row.line), "id", &id, &mut seen)?;
        let photo = b.add_file_cell(&row, "photo")?;
        out.push(Person {
            id,
            name: row.required("name")?,
            role: row.enumerated::<PersonRole>(
                "role",
                "lawyer, grassroots_worker, village_adviser, mediator, notary",
            )?,
            institution: row.get("institution").to_owned(),
            specialties: row.list("specialties"),
            phone: row.get("phone").to_owned(),
            serves: row.get("serves").to_owned(),
            licence: row.get("licence").to_owned(),
            photo,
            sample: row.flag("sample")?,
            specialties_en: translated_list(&row, "specialties", "specialties_en")?,
            since: year(&row, "since")?,
            duty: Text::new(row.get("duty_zh"), row.get("duty_en")),
            schedule: schedule(&row)?,
            sites: row.list("sites"),
        });
    }
    Ok(out)
}

fn text_cells(row: &CsvRow, zh: &str, en: &str) -> Result<Text, ContentError> {
    Ok(Text::new(row.required(zh)?, row.get(en)))
}

fn read_institutions(file: &Path) -> Result<Vec<Institution>, ContentError> {
    if !file.exists() {
        return Ok(Vec::new());
    }
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for row in sources::read_csv(file)? {
        let id = row.required("id")?;
        check_id(file, Some(row.line), "id", &id, &mut seen)?;
        out.push(Institution {
            id,
            kind: row.enumerated::<InstitutionKind>(
                "kind",
                "justice_bureau, legal_aid_centre, law_firm, notary_office, grassroots_office, mediation_committee, appraisal_institution, association",
            )?,
            name: text_cells(&row, "name_zh", "name_en")?,
            address: row.get("address").to_owned(),
            phone: row.get("phone").to_owned(),
            hours: row.get("hours").to_owned(),
            services: row.list("services"),
            sample: row.flag("sample")?,
            township: row.get("township").to_owned(),
            hours_en: row.get("hours_en").to_owned(),
            services_en: translated_list(&row, "services", "services_en")?,
        });
    }
    Ok(out)
}

/// The English list in column `en` of the list in column `zh`: empty, or one item for each.
fn translated_list(row: &CsvRow, zh: &str, en: &str) -> Result<Vec<String>, ContentError> {
    let zh_items = row.list(zh);
    let en_items = row.list(en);
    if !en_items.is_empty() && en_items.len() != zh_items.len() {
        return Err(row.error(
            en,
            format!(
                "has {} items but `{zh}` has {}",
                en_items.len(),
                zh_items.len()
            ),
        ));
    }
    Ok(en_items)
}

/// The duty schedule of a person row: `duty_days` (ISO weekdays, `2;4`), `duty_hours`
/// (`09:00-12:00`), `duty_place_zh` / `duty_place_en`; none when `duty_days` is empty.
fn schedule(row: &CsvRow) -> Result<Option<DutySchedule>, ContentError> {
    let days_cell = row.list("duty_days");
    if days_cell.is_empty() {
        return Ok(None);
    }
    let mut days = Vec::new();
    for day in &days_cell {
        match day.parse::<u8>() {
            Ok(d) if (1..=7).contains(&d) => days.push(d),
            _ => {
                return Err(row.error(
                    "duty_days",
                    format!("`{day}` is not an ISO weekday (1 = Monday … 7 = Sunday)"),
                ));
            }
        }
    }
    days.sort_unstable();
    days.dedup();
    let hours = row.get("duty_hours").trim().to_owned();
    if !is_hours_range(&hours) {
        return Err(row.error(
            "duty_hours",
            format!("`{hours}` is not a range of local times like 09:00-12:00"),
        ));
    }
    Ok(Some(DutySchedule {
        days,
        hours,
        place: Text::new(row.get("duty_place_zh"), row.get("duty_place_en")),
    }))
}

/// Whether `text` is `HH:MM-HH:MM` with the start before the end.
fn is_hours_range(text: &str) -> bool {
    let minutes = |t: &str| -> Option<u32> {
        let (h, m) = t.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    text.split_once('-')
        .and_then(|(a, b)| Some((minutes(a)?, minutes(b)?)))
        .is_some_and(|(a, b)| a < b)
}

/// A year in column `column` (empty: none), between 1950 and 2100.
fn year(row: &CsvRow, column: &str) -> Result<Option<u16>, ContentError> {
    match row.get(column) {
        "" => Ok(None),
        text => match text.parse::<u16>() {
            Ok(year) if (1950..=2100).contains(&year) => Ok(Some(year)),
            _ => Err(row.error(
                column,
                format!("`{text}` is not a year between 1950 and 2100"),
            )),
        },
    }
}

fn texts(row: &CsvRow, zh: &str, en: &str) -> Result<Vec<Text>, ContentError> {
    let zh_items = row.list(zh);
    let en_items = row.list(en);
    if !en_items.is_empty() && en_items.len() != zh_items.len() {
        return Err(row.error(
            en,
            format!(
                "has {} items but `{zh}` has {}",
                en_items.len(),
                zh_items.len()
            ),
        ));
    }
    Ok(zh_items
        .into_iter()
        .enumerate()
        .map(|(i, zh)| Text::new(zh, en_items.get(i).cloned().unwrap_or_default()))
        .collect())
}

fn read_sites(file: &Path) -> Result<Vec<Site>, ContentError> {
    if !file.exists() {
        return Ok(Vec::new());
    }
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for row in sources::read_csv(file)? {
        let id = row.required("id")?;
        check_id(file, Some(row.line), "id", &id, &mut seen)?;
        out.push(Site {
            id,
            tier: row.enumerated::<SiteTier>("tier", "centre, station, room")?,
            name: text_cells(&row, "name_zh", "name_en")?,
            township: row.get("township").to_owned(),
            address: row.get("address").to_owned(),
            phone: row.get("phone").to_owned(),
            hours: row.get("hours").to_owned(),
            services: row.list("services"),
            offers: texts(&row, "offers_zh", "offers_en")?,
            publicises: texts(&row, "publicises_zh", "publicises_en")?,
            sample: row.flag("sample")?,
        });
    }
    Ok(out)
}

fn read_staff(
    b: &mut Builder<'_>,
    file: &Path,
    sites: &[Site],
) -> Result<Vec<StaffMember>, ContentError> {
    if !file.exists() {
        return Ok(Vec::new());
    }
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for row in sources::read_csv(file)? {
        let id = row.required("id")?;
        check_id(file, Some(row.line), "id", &id, &mut seen)?;
        let site = row.required("site")?;
        if !sites.iter().any(|s| s.id == site) {
            return Err(row.error("site", format!("`{site}` is not a site of sites.csv")));
        }
        let photo = b.add_file_cell(&row, "photo")?;
        out.push(StaffMember {
            id,
            site,
            post: text_cells(&row, "post_zh", "post_en")?,
            name: row.required("name")?,
            photo,
            sample: row.flag("sample")?,
        });
    }
    Ok(out)
}

fn read_publicity(b: &mut Builder<'_>, src: &Path) -> Result<Vec<PublicityItem>, ContentError> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for file in files_in(&src.join("publicity"), "toml")? {
        let mut item: PublicityItem = sources::parse_toml(&file, &sources::read_text(&file)?, 0)?;
        check_id(&file, None, "id", &item.id, &mut seen)?;
        if item
            .valid_until
            .is_some_and(|until| until < item.valid_from)
        {
            return Err(ContentError::source(
                &file,
                None,
                Some("valid_until"),
                "is before valid_from",
            ));
        }
        if let Some(reference) = item.image.take() {
            item.image = Some(
                b.add_file(&reference)
                    .map_err(|reason| ContentError::source(&file, None, Some("image"), reason))?,
            );
        }
        out.push(item);
    }
    Ok(out)
}

fn read_videos(b: &mut Builder<'_>, src: &Path) -> Result<Vec<VideoItem>, ContentError> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for file in files_in(&src.join("videos"), "toml")? {
        let mut item: VideoItem = sources::parse_toml(&file, &sources::read_text(&file)?, 0)?;
        check_id(&file, None, "id", &item.id, &mut seen)?;
        let bad =
            |field: &str, reason: String| ContentError::source(&file, None, Some(field), reason);
        if item
            .valid_until
            .is_some_and(|until| until < item.valid_from)
        {
            return Err(bad("valid_until", "is before valid_from".into()));
        }
        if let Some(h) = item
            .hours
            .iter()
            .find(|h| crate::DayPeriod::parse(h).is_none())
        {
            return Err(bad("hours", format!("`{h}` must look like 08:30-12:00")));
        }
        item.file = b
            .add_typed(&item.file, FileKind::Video)
            .map_err(|reason| bad("file", reason))?;
        if let Some(reference) = item.subtitles.take() {
            item.subtitles = Some(
                b.add_typed(&reference, FileKind::Subtitles)
                    .map_err(|reason| bad("subtitles", reason))?,
            );
        }
        if let Some(reference) = item.poster.take() {
            item.poster = Some(
                b.add_file(&reference)
                    .map_err(|reason| bad("poster", reason))?,
            );
        }
        out.push(item);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeFront {
    title: Text,
    published: NaiveDate,
    #[serde(default)]
    valid_until: Option<NaiveDate>,
    #[serde(default)]
    pinned: bool,
    #[serde(default)]
    body_en: String,
}

fn read_notices(src: &Path) -> Result<Vec<Notice>, ContentError> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for file in files_in(&src.join("notices"), "md")? {
        let text = sources::read_text(&file)?;
        let (front, first_line, body) = sources::split_front_matter(&file, &text)?;
        let front: NoticeFront = sources::parse_toml(&file, front, first_line)?;
        let id = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        check_id(&file, None, "file name", &id, &mut seen)?;
        if body.is_empty() {
            return Err(ContentError::source(
                &file,
                None,
                Some("body"),
                "the notice has no text after the front matter",
            ));
        }
        out.push(Notice {
            id,
            title: front.title,
            body_zh: body.to_owned(),
            body_en: front.body_en.trim().to_owned(),
            published: front.published,
            valid_until: front.valid_until,
            pinned: front.pinned,
        });
    }
    Ok(out)
}
