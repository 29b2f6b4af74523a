//! Phone uploads (手机上传): a citizen who carries photos of their papers on their phone sends them to
//! the application being made at the kiosk, instead of laying each paper under the document camera.
//!
//! The kiosk opens a session for the papers its application needs (`POST /api/v1/uploads`,
//! [`UploadSessions::open`]) and shows its address as a QR code; the phone's page
//! (`GET /upload/{token}`) sends each photo to `POST /upload/{token}/{paper}`, where it is made into
//! a page ([`picture::normalise`]: JPEG or PNG only, upright, at most 2000 pixels on the long side,
//! JPEG quality 80, **no metadata**: the EXIF, with the place the photo was taken, is dropped) and held
//! here; the kiosk polls `GET /api/v1/uploads/{token}` ([`UploadSessions::take`]), which hands over
//! the new pages and forgets them; `DELETE` ([`UploadSessions::close`]) forgets everything.
//!
//! **Memory only**: no photo or page is written to disk or to the database, none is logged. A
//! session lasts [`SESSION_SECS`] (15 minutes) from its opening; then it and whatever it still holds
//! are dropped (swept on every call and every [`SWEEP_EVERY`]). A held page's bytes are wiped when it
//! is dropped. Being in memory, a session belongs to the centre process that opened it (see the
//! README on several processes), and a restart forgets every session (the kiosk sees 404 and stops).
//!
//! Bounds ([`UploadLimits`]): at most [`MAX_PAGES_PER_SESSION`] photos a session (the kiosk's
//! document camera takes the rest), [`UPLOADS_PER_SECOND`] attempts a second per session, photos of at
//! most [`MAX_PHOTO_BYTES`], [`MAX_HELD_BYTES`] of pages held across every session (beyond: 503,
//! try again), [`MAX_SESSIONS_PER_DEVICE`] open sessions a device (a further one closes its oldest),
//! [`MAX_PHOTOS_AT_ONCE`] photos being received at once (beyond: 503) and [`MAX_DECODES_AT_ONCE`]
//! of them decoded at once (a 12-megapixel photo takes 36 MB while it is decoded, a 50-megapixel one
//! 150 MB). A photo's body is read before it waits for its decoding turn, so a phone on a slow
//! network does not hold a turn while it sends.

pub mod picture;

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use ::applications::wire::UploadPaper;
use chrono::{DateTime, Utc};
use clock::WallClock;
use rand::RngCore as _;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use zeroize::Zeroizing;

pub use picture::{JPEG_QUALITY, MAX_LONG_SIDE, PictureError, normalise};

/// Seconds a session lasts from its opening.
pub const SESSION_SECS: u64 = 900;
/// Papers one session offers at most.
pub const MAX_PAPERS: usize = 20;
/// The longest paper id, in bytes (`[a-z0-9_]`).
pub const MAX_PAPER_ID_BYTES: usize = 64;
/// The longest paper name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Photos one session takes at most (those already handed to the kiosk count too).
pub const MAX_PAGES_PER_SESSION: u32 = 20;
/// The largest photo accepted, in bytes (the body of `POST /upload/{token}/{paper}`).
pub const MAX_PHOTO_BYTES: usize = 12 << 20;
/// Bytes of pages (re-encoded JPEG) held at most across every session.
pub const MAX_HELD_BYTES: usize = 256 << 20;
/// Open sessions a device has at most; opening another closes its oldest.
pub const MAX_SESSIONS_PER_DEVICE: usize = 4;
/// Upload attempts a session is allowed per second (by the injected clock).
pub const UPLOADS_PER_SECOND: u32 = 4;
/// Photos decoded at once; further ones wait for a turn.
pub const MAX_DECODES_AT_ONCE: usize = 2;
/// Photos received at once (read, waiting for a decode turn, or decoded), across every session;
/// a further one is answered 503 at once. With [`MAX_PHOTO_BYTES`] this bounds the bodies held.
pub const MAX_PHOTOS_AT_ONCE: usize = 16;
/// How often expired sessions are dropped even when nobody calls.
pub const SWEEP_EVERY: Duration = Duration::from_secs(30);

/// The bounds of the phone uploads (the defaults are the constants of this module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// Seconds a session lasts.
    pub session_secs: u64,
    /// Photos a session takes.
    pub pages_per_session: u32,
    /// Bytes of pages held across every session.
    pub held_bytes: usize,
    /// Open sessions per device.
    pub sessions_per_device: usize,
    /// Upload attempts per session and second.
    pub uploads_per_second: u32,
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            session_secs: SESSION_SECS,
            pages_per_session: MAX_PAGES_PER_SESSION,
            held_bytes: MAX_HELD_BYTES,
            sessions_per_device: MAX_SESSIONS_PER_DEVICE,
            uploads_per_second: UPLOADS_PER_SECOND,
        }
    }
}

/// Why the kiosk's request to open a session is refused (400; each reason names the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// No paper listed.
    #[error("papers: at least one paper is needed")]
    NoPapers,
    /// More than [`MAX_PAPERS`].
    #[error("papers: {0} papers (at most {MAX_PAPERS})")]
    TooManyPapers(usize),
    /// An id that is not `[a-z0-9_]{1,64}`.
    #[error("papers[{index}].id: {id:?} is not 1 to {MAX_PAPER_ID_BYTES} of a-z, 0-9 and _")]
    BadId {
        /// The paper's place in the list.
        index: usize,
        /// The id (its first 80 characters).
        id: String,
    },
    /// The same id twice.
    #[error("papers[{index}].id: {id:?} is listed twice")]
    Duplicate {
        /// The second one's place in the list.
        index: usize,
        /// The id.
        id: String,
    },
    /// A name empty (Chinese), too long, or with control characters.
    #[error(
        "papers[{index}].{field}: must be at most {MAX_NAME_CHARS} characters without control characters (zh: at least 1)"
    )]
    BadName {
        /// The paper's place in the list.
        index: usize,
        /// `zh` or `en`.
        field: &'static str,
    },
}

/// Why a phone's photo is not taken. The messages are for the citizen (Chinese first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// No such session: never opened, expired, closed by the kiosk (404).
    #[error(
        "这个上传链接已失效，请在自助终端重新扫码 / This upload link has expired; please scan the code at the kiosk again"
    )]
    Gone,
    /// The session does not list this paper (400).
    #[error("这次上传没有这份材料 / This upload has no such paper")]
    UnknownPaper,
    /// The session has taken its photos (400).
    #[error(
        "每次最多上传 {0} 张照片，其余请在自助终端用高拍仪拍摄 / At most {0} photos per upload; photograph the rest with the kiosk's document camera"
    )]
    TooManyPages(u32),
    /// Too many attempts in this second (429, `Retry-After: 1`).
    #[error("上传太快，请稍等再试 / Too many uploads at once; wait a moment and try again")]
    TooFast,
    /// The pages held across every session are at their bound (503).
    #[error("服务器繁忙，请稍后再试 / The centre is busy; please try again in a minute")]
    Busy,
}

/// A page held for the kiosk: its number in the session, the paper it is for and the re-encoded JPEG
/// (wiped when dropped).
#[derive(Clone)]
pub struct HeldPage {
    /// Its number in the session, from 1, in the order uploaded.
    pub number: u32,
    /// The paper's id.
    pub paper: String,
    /// The JPEG ([`picture::normalise`]'s).
    pub jpeg: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for HeldPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HeldPage({}, {} bytes)", self.paper, self.jpeg.len())
    }
}

/// A session just opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedUpload {
    /// Its secret: 128 random bits as 32 lowercase hexadecimal digits.
    pub token: String,
    /// When it closes on its own.
    pub expires: DateTime<Utc>,
}

/// What the phone's page shows of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneView {
    /// The papers with the photos taken for each so far.
    pub papers: Vec<(UploadPaper, u32)>,
    /// When the session closes.
    pub expires: DateTime<Utc>,
}

struct Session {
    device: String,
    papers: Vec<UploadPaper>,
    /// Photos taken per paper (parallel to `papers`), handed over or not.
    counts: Vec<u32>,
    opened: DateTime<Utc>,
    expires: DateTime<Utc>,
    /// Taken and not yet handed over, oldest first.
    pages: Vec<HeldPage>,
    /// The current second's start and the attempts counted in it.
    window: (DateTime<Utc>, u32),
}

impl Session {
    fn uploaded(&self) -> u32 {
        self.counts.iter().sum()
    }

    fn held(&self) -> usize {
        self.pages.iter().map(|p| p.jpeg.len()).sum()
    }

    fn paper(&self, id: &str) -> Option<usize> {
        self.papers.iter().position(|p| p.id == id)
    }
}

#[derive(Default)]
struct Open {
    sessions: HashMap<String, Session>,
    held_bytes: usize,
}

impl Open {
    fn remove(&mut self, token: &str) -> Option<Session> {
        let session = self.sessions.remove(token)?;
        self.held_bytes = self.held_bytes.saturating_sub(session.held());
        Some(session)
    }

    fn sweep(&mut self, now: DateTime<Utc>) -> usize {
        let expired: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, s)| now >= s.expires)
            .map(|(t, _)| t.clone())
            .collect();
        for token in &expired {
            self.remove(token);
        }
        expired.len()
    }

    /// The live session `token` (expired ones are swept first).
    fn live(&mut self, token: &str, now: DateTime<Utc>) -> Option<&mut Session> {
        self.sweep(now);
        self.sessions.get_mut(token)
    }
}

struct Inner {
    limits: UploadLimits,
    open: Mutex<Open>,
    decodes: Arc<Semaphore>,
    receiving: Arc<Semaphore>,
    sweeping: AtomicBool,
}

/// The open phone-upload sessions (see the module documentation). Clone freely: clones share them.
#[derive(Clone)]
pub struct UploadSessions {
    inner: Arc<Inner>,
}

impl Default for UploadSessions {
    fn default() -> Self {
        Self::new(UploadLimits::default())
    }
}

impl std::fmt::Debug for UploadSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadSessions")
            .field("limits", &self.inner.limits)
            .field("open", &self.open_sessions())
            .field("held_bytes", &self.held_bytes())
            .finish()
    }
}

/// Whether `token` has a session token's form (32 lowercase hexadecimal digits).
pub fn is_token(token: &str) -> bool {
    token.len() == 32
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether `id` is a paper id (`[a-z0-9_]{1,64}`).
pub fn is_paper_id(id: &str) -> bool {
    (1..=MAX_PAPER_ID_BYTES).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Checks the kiosk's list of papers.
pub fn check_papers(papers: &[UploadPaper]) -> Result<(), RequestError> {
    if papers.is_empty() {
        return Err(RequestError::NoPapers);
    }
    if papers.len() > MAX_PAPERS {
        return Err(RequestError::TooManyPapers(papers.len()));
    }
    let name_ok = |name: &str, required: bool| {
        let chars = name.chars().count();
        (!required || !name.trim().is_empty())
            && chars <= MAX_NAME_CHARS
            && !name.chars().any(char::is_control)
    };
    for (index, paper) in papers.iter().enumerate() {
        if !is_paper_id(&paper.id) {
            return Err(RequestError::BadId {
                index,
                id: paper.id.chars().take(80).collect(),
            });
        }
        if papers[..index].iter().any(|p| p.id == paper.id) {
            return Err(RequestError::Duplicate {
                index,
                id: paper.id.clone(),
            });
        }
        if !name_ok(&paper.zh, true) {
            return Err(RequestError::BadName { index, field: "zh" });
        }
        if !name_ok(&paper.en, false) {
            return Err(RequestError::BadName { index, field: "en" });
        }
    }
    Ok(())
}

impl UploadSessions {
    /// No sessions yet, within `limits`.
    pub fn new(limits: UploadLimits) -> Self {
        Self {
            inner: Arc::new(Inner {
                limits,
                open: Mutex::default(),
                decodes: Arc::new(Semaphore::new(MAX_DECODES_AT_ONCE)),
                receiving: Arc::new(Semaphore::new(MAX_PHOTOS_AT_ONCE)),
                sweeping: AtomicBool::new(false),
            }),
        }
    }

    /// The bounds.
    pub fn limits(&self) -> UploadLimits {
        self.inner.limits
    }

    fn lock(&self) -> MutexGuard<'_, Open> {
        self.inner
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Opens a session of `device` for `papers` at `now`. A device with
    /// [`UploadLimits::sessions_per_device`] open sessions loses its oldest.
    pub fn open(
        &self,
        device: &str,
        papers: Vec<UploadPaper>,
        now: DateTime<Utc>,
    ) -> Result<OpenedUpload, RequestError> {
        check_papers(&papers)?;
        let limits = self.inner.limits;
        let expires =
            now + chrono::Duration::seconds(i64::try_from(limits.session_secs).unwrap_or(i64::MAX));
        let mut open = self.lock();
        open.sweep(now);
        loop {
            let mine = open.sessions.iter().filter(|(_, s)| s.device == device);
            if mine.clone().count() < limits.sessions_per_device.max(1) {
                break;
            }
            let oldest = mine
                .min_by_key(|(_, s)| s.opened)
                .map(|(t, _)| t.clone())
                .unwrap_or_default();
            open.remove(&oldest);
        }
        let token = loop {
            let mut raw = [0u8; 16];
            rand::rng().fill_bytes(&mut raw);
            let token = hex::encode(raw);
            if !open.sessions.contains_key(&token) {
                break token;
            }
        };
        open.sessions.insert(
            token.clone(),
            Session {
                device: device.to_owned(),
                counts: vec![0; papers.len()],
                papers,
                opened: now,
                expires,
                pages: Vec::new(),
                window: (now, 0),
            },
        );
        Ok(OpenedUpload { token, expires })
    }

    /// The phone's view of session `token`, while it is open.
    pub fn view(&self, token: &str, now: DateTime<Utc>) -> Option<PhoneView> {
        let mut open = self.lock();
        let session = open.live(token, now)?;
        Some(PhoneView {
            papers: session
                .papers
                .iter()
                .cloned()
                .zip(session.counts.iter().copied())
                .collect(),
            expires: session.expires,
        })
    }

    /// Whether a photo for `paper` may be sent to `token` now, checked before its body is read: the
    /// session is open and lists the paper, the attempt is within the second's allowance (it is
    /// counted), the session has room, and pages may still be held.
    pub fn admit(&self, token: &str, paper: &str, now: DateTime<Utc>) -> Result<(), UploadError> {
        let limits = self.inner.limits;
        let mut open = self.lock();
        let held_bytes = open.held_bytes;
        let session = open.live(token, now).ok_or(UploadError::Gone)?;
        if session.paper(paper).is_none() {
            return Err(UploadError::UnknownPaper);
        }
        let (start, count) = &mut session.window;
        if now - *start >= chrono::Duration::seconds(1) || now < *start {
            (*start, *count) = (now, 0);
        }
        if *count >= limits.uploads_per_second {
            return Err(UploadError::TooFast);
        }
        *count += 1;
        if session.uploaded() >= limits.pages_per_session {
            return Err(UploadError::TooManyPages(limits.pages_per_session));
        }
        if held_bytes >= limits.held_bytes {
            return Err(UploadError::Busy);
        }
        Ok(())
    }

    /// Keeps `jpeg` as a page of `paper` in session `token`: the photos taken for that paper so far.
    /// The checks of [`Self::admit`] are made again (the session may have closed or filled while the
    /// photo was decoded), except the rate.
    pub fn add(
        &self,
        token: &str,
        paper: &str,
        jpeg: Vec<u8>,
        now: DateTime<Utc>,
    ) -> Result<u32, UploadError> {
        let jpeg = Zeroizing::new(jpeg);
        let limits = self.inner.limits;
        let mut open = self.lock();
        let held_bytes = open.held_bytes;
        let session = open.live(token, now).ok_or(UploadError::Gone)?;
        let index = session.paper(paper).ok_or(UploadError::UnknownPaper)?;
        if session.uploaded() >= limits.pages_per_session {
            return Err(UploadError::TooManyPages(limits.pages_per_session));
        }
        if held_bytes.saturating_add(jpeg.len()) > limits.held_bytes {
            return Err(UploadError::Busy);
        }
        let bytes = jpeg.len();
        session.counts[index] += 1;
        session.pages.push(HeldPage {
            number: session.uploaded(),
            paper: paper.to_owned(),
            jpeg,
        });
        let count = session.counts[index];
        open.held_bytes += bytes;
        Ok(count)
    }

    /// Forgets the pages of session `token` numbered up to `after` (the kiosk has them) and hands
    /// `device`, which opened it, copies of the ones above (kept until acknowledged, so a lost
    /// answer loses nothing). [`UploadError::Gone`] when there is no such open session of that
    /// device.
    pub fn take(
        &self,
        token: &str,
        device: &str,
        after: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<HeldPage>, UploadError> {
        let mut open = self.lock();
        let session = open
            .live(token, now)
            .filter(|s| s.device == device)
            .ok_or(UploadError::Gone)?;
        let before = session.held();
        session.pages.retain(|p| p.number > after);
        let freed = before - session.held();
        let pages = session.pages.clone();
        open.held_bytes = open.held_bytes.saturating_sub(freed);
        Ok(pages)
    }

    /// Closes session `token` of `device`, forgetting what it holds: false when there is no such
    /// open session of that device.
    pub fn close(&self, token: &str, device: &str, now: DateTime<Utc>) -> bool {
        let mut open = self.lock();
        if open.live(token, now).is_none_or(|s| s.device != device) {
            return false;
        }
        open.remove(token).is_some()
    }

    /// Drops the sessions expired at `now` with their pages: how many.
    pub fn sweep(&self, now: DateTime<Utc>) -> usize {
        self.lock().sweep(now)
    }

    /// Sessions open (expired ones not yet swept included).
    pub fn open_sessions(&self) -> usize {
        self.lock().sessions.len()
    }

    /// Bytes of pages held across every session.
    pub fn held_bytes(&self) -> usize {
        self.lock().held_bytes
    }

    /// A place among the photos being received ([`MAX_PHOTOS_AT_ONCE`]), taken before the body is
    /// read and held until the page is kept or refused; none when every place is taken (503).
    pub fn receive_turn(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.inner.receiving).try_acquire_owned().ok()
    }

    /// A turn to decode a photo ([`MAX_DECODES_AT_ONCE`] at once); none when shutting down.
    pub async fn decode_turn(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.inner.decodes).acquire_owned().await.ok()
    }

    /// Starts, once, a task on the current runtime that drops expired sessions every
    /// [`SWEEP_EVERY`] by `clock`, so an abandoned session's pages do not wait for the next call to
    /// be forgotten. It stops when the sessions are dropped.
    pub fn start_sweeper(&self, clock: Arc<dyn WallClock>) {
        if self.inner.sweeping.swap(true, Ordering::SeqCst) {
            return;
        }
        let sessions = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(inner) = sessions.upgrade() else {
                    return;
                };
                Self { inner }.sweep(clock.now());
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paper(id: &str) -> UploadPaper {
        UploadPaper {
            id: id.into(),
            zh: "居民身份证".into(),
            en: "Resident ID card".into(),
        }
    }

    fn t0() -> DateTime<Utc> {
        "2026-03-02T01:00:00Z".parse().unwrap()
    }

    fn secs(n: i64) -> chrono::Duration {
        chrono::Duration::seconds(n)
    }

    #[test]
    fn the_papers_are_checked_naming_the_field() {
        assert_eq!(check_papers(&[]), Err(RequestError::NoPapers));
        let many: Vec<_> = (0..21).map(|i| paper(&format!("p{i}"))).collect();
        assert_eq!(check_papers(&many), Err(RequestError::TooManyPapers(21)));
        assert!(check_papers(&many[..20]).is_ok());
        for bad in ["", "ID_card", "id-card", "身份证", &"a".repeat(65)] {
            let err = check_papers(&[paper(bad)]).unwrap_err();
            assert!(err.to_string().starts_with("papers[0].id: "), "{err}");
        }
        assert!(check_papers(&[paper(&"a".repeat(64))]).is_ok());
        let err = check_papers(&[paper("id_card"), paper("id_card")]).unwrap_err();
        assert_eq!(err.to_string(), "papers[1].id: \"id_card\" is listed twice");
        let mut long = paper("id_card");
        long.zh = "证".repeat(101);
        assert!(
            check_papers(&[long])
                .unwrap_err()
                .to_string()
                .starts_with("papers[0].zh: ")
        );
        let mut control = paper("id_card");
        control.en = "ID\ncard".into();
        assert!(
            check_papers(&[control])
                .unwrap_err()
                .to_string()
                .starts_with("papers[0].en: ")
        );
        let mut no_english = paper("id_card");
        no_english.en = String::new();
        assert!(check_papers(&[no_english]).is_ok(), "English is optional");
    }

    #[test]
    fn pages_are_handed_over_once_to_the_device_that_opened_the_session() {
        let uploads = UploadSessions::default();
        let opened = uploads
            .open(
                "kiosk-a",
                vec![paper("id_card"), paper("case_papers")],
                t0(),
            )
            .unwrap();
        assert!(is_token(&opened.token), "{}", opened.token);
        assert_eq!(opened.expires, t0() + secs(900));
        let token = &opened.token;
        assert_eq!(uploads.admit(token, "id_card", t0()), Ok(()));
        assert_eq!(uploads.add(token, "id_card", vec![1; 100], t0()), Ok(1));
        assert_eq!(uploads.add(token, "id_card", vec![2; 50], t0()), Ok(2));
        assert_eq!(uploads.add(token, "case_papers", vec![3; 10], t0()), Ok(1));
        assert_eq!(
            uploads.admit(token, "bank_statement", t0()),
            Err(UploadError::UnknownPaper)
        );
        assert_eq!(uploads.held_bytes(), 160);
        let view = uploads.view(token, t0()).unwrap();
        assert_eq!(
            view.papers
                .iter()
                .map(|(p, n)| (p.id.as_str(), *n))
                .collect::<Vec<_>>(),
            [("id_card", 2), ("case_papers", 1)]
        );

        assert_eq!(
            uploads.take(token, "kiosk-b", 0, t0()).unwrap_err(),
            UploadError::Gone,
            "another device"
        );
        let pages = uploads.take(token, "kiosk-a", 0, t0()).unwrap();
        let got: Vec<_> = pages
            .iter()
            .map(|p| (p.number, p.paper.as_str(), p.jpeg[0]))
            .collect();
        assert_eq!(
            got,
            [(1, "id_card", 1), (2, "id_card", 2), (3, "case_papers", 3)]
        );
        // The answer was lost: asked again, the same pages.
        assert_eq!(uploads.take(token, "kiosk-a", 0, t0()).unwrap().len(), 3);
        assert!(uploads.held_bytes() > 0, "kept until acknowledged");
        assert_eq!(uploads.take(token, "kiosk-a", 2, t0()).unwrap().len(), 1);
        assert!(uploads.take(token, "kiosk-a", 3, t0()).unwrap().is_empty());
        assert_eq!(uploads.held_bytes(), 0, "forgotten once acknowledged");
        assert_eq!(uploads.add(token, "id_card", vec![4; 10], t0()), Ok(3));

        assert!(!uploads.close(token, "kiosk-b", t0()));
        assert!(uploads.close(token, "kiosk-a", t0()));
        assert_eq!(uploads.held_bytes(), 0);
        assert_eq!(uploads.view(token, t0()), None);
        assert_eq!(
            uploads.admit(token, "id_card", t0()),
            Err(UploadError::Gone)
        );
        assert!(!uploads.close(token, "kiosk-a", t0()));
    }

    #[test]
    fn a_session_expires_with_its_pages() {
        let uploads = UploadSessions::default();
        let token = uploads
            .open("kiosk-a", vec![paper("id_card")], t0())
            .unwrap()
            .token;
        uploads.add(&token, "id_card", vec![1; 1000], t0()).unwrap();
        let almost = t0() + secs(899);
        assert!(uploads.view(&token, almost).is_some());
        assert_eq!(uploads.sweep(almost), 0);
        let expired = t0() + secs(900);
        assert_eq!(uploads.sweep(expired), 1);
        assert_eq!((uploads.open_sessions(), uploads.held_bytes()), (0, 0));
        assert_eq!(
            uploads.take(&token, "kiosk-a", 0, expired).unwrap_err(),
            UploadError::Gone
        );

        // Swept by any call, too.
        let token = uploads
            .open("kiosk-a", vec![paper("id_card")], t0())
            .unwrap()
            .token;
        uploads.add(&token, "id_card", vec![1; 1000], t0()).unwrap();
        assert!(uploads.view("0".repeat(32).as_str(), expired).is_none());
        assert_eq!((uploads.open_sessions(), uploads.held_bytes()), (0, 0));
    }

    #[test]
    fn the_bounds_hold() {
        let uploads = UploadSessions::new(UploadLimits {
            pages_per_session: 3,
            held_bytes: 1000,
            uploads_per_second: 2,
            ..UploadLimits::default()
        });
        let a = uploads
            .open("kiosk-a", vec![paper("id_card")], t0())
            .unwrap()
            .token;
        let b = uploads
            .open("kiosk-b", vec![paper("id_card")], t0())
            .unwrap()
            .token;
        // Two attempts a second.
        assert_eq!(uploads.admit(&a, "id_card", t0()), Ok(()));
        assert_eq!(uploads.admit(&a, "id_card", t0()), Ok(()));
        assert_eq!(
            uploads.admit(&a, "id_card", t0()),
            Err(UploadError::TooFast)
        );
        assert_eq!(uploads.admit(&b, "id_card", t0()), Ok(()), "per session");
        let later = t0() + secs(1);
        assert_eq!(uploads.admit(&a, "id_card", later), Ok(()));
        // Three photos a session, handed over or not.
        for n in 1..=3 {
            assert_eq!(uploads.add(&a, "id_card", vec![0; 100], later), Ok(n));
            uploads.take(&a, "kiosk-a", n, later).unwrap();
        }
        let later = later + secs(1);
        assert_eq!(
            uploads.admit(&a, "id_card", later),
            Err(UploadError::TooManyPages(3))
        );
        assert_eq!(
            uploads.add(&a, "id_card", vec![0; 100], later),
            Err(UploadError::TooManyPages(3))
        );
        // 1000 bytes held across sessions.
        assert_eq!(uploads.add(&b, "id_card", vec![0; 900], later), Ok(1));
        assert_eq!(
            uploads.add(&b, "id_card", vec![0; 101], later),
            Err(UploadError::Busy)
        );
        assert_eq!(uploads.add(&b, "id_card", vec![0; 100], later), Ok(2));
        assert_eq!(uploads.admit(&b, "id_card", later), Err(UploadError::Busy));
        uploads.take(&b, "kiosk-b", 2, later).unwrap();
        assert_eq!(uploads.admit(&b, "id_card", later), Ok(()));
    }

    #[test]
    fn photos_received_at_once_are_bounded() {
        let uploads = UploadSessions::default();
        let turns: Vec<_> = (0..MAX_PHOTOS_AT_ONCE)
            .map(|_| uploads.receive_turn().unwrap())
            .collect();
        assert!(uploads.receive_turn().is_none());
        drop(turns);
        assert!(uploads.receive_turn().is_some());
    }

    #[test]
    fn a_device_keeps_its_newest_sessions() {
        let uploads = UploadSessions::default();
        let tokens: Vec<String> = (0..5)
            .map(|i| {
                uploads
                    .open("kiosk-a", vec![paper("id_card")], t0() + secs(i))
                    .unwrap()
                    .token
            })
            .collect();
        let other = uploads
            .open("kiosk-b", vec![paper("id_card")], t0())
            .unwrap()
            .token;
        let now = t0() + secs(10);
        assert!(uploads.view(&tokens[0], now).is_none(), "the oldest closed");
        for token in &tokens[1..] {
            assert!(uploads.view(token, now).is_some());
        }
        assert!(uploads.view(&other, now).is_some());
    }

    #[test]
    fn tokens_have_their_form() {
        assert!(is_token("0123456789abcdef0123456789abcdef"));
        assert!(!is_token("0123456789ABCDEF0123456789ABCDEF"));
        assert!(!is_token("0123456789abcdef"));
        assert!(!is_token("0123456789abcdef0123456789abcdeg"));
        assert!(is_paper_id("id_card") && !is_paper_id("id card"));
    }
}
