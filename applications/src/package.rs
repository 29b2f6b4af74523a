//! The whole application, with its pages and signature, packed into one byte string.
//!
//! Layout (version 1): `QJAP`, the version byte, the description's length (u32, big-endian) and the
//! description (JSON: everything but the pictures, with each picture's length), then the pages' JPEG
//! bytes in order, then the signature's PNG bytes. Unpacking checks every length against its bound
//! before reading, so a damaged or hostile package is an error naming the part, never a panic or a huge
//! allocation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Answers, Applicant, ApplicationKind, PackageError, RequiredDocument, TrackingCode};

const MAGIC: &[u8; 4] = b"QJAP";
const VERSION: u8 = 1;
/// The most pages one application may carry.
pub const MAX_PAGES: usize = 40;
/// The largest page, in bytes.
pub const MAX_PAGE_BYTES: usize = 4 << 20;
const MAX_DESCRIPTION_BYTES: usize = 256 << 10;
const MAX_SIGNATURE_BYTES: usize = 512 << 10;

/// One captured page: a JPEG picture of one side of one paper.
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct Page {
    /// The paper it belongs to ([`RequiredDocument::id`]).
    pub document: String,
    /// The JPEG bytes.
    pub jpeg: Vec<u8>,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Page({}, {} bytes)", self.document, self.jpeg.len())
    }
}

/// An application as the citizen sends it. Its `Debug` shows no personal data; pages and signature are
/// wiped when it is dropped.
#[derive(Clone, PartialEq)]
pub struct Application {
    /// The tracking code.
    pub code: TrackingCode,
    /// What is applied for.
    pub kind: ApplicationKind,
    /// When the citizen sent it.
    pub made_at: DateTime<Utc>,
    /// The kiosk it was made at (its device id).
    pub device: String,
    /// The applicant.
    pub applicant: Applicant,
    /// The answers.
    pub answers: Answers,
    /// The papers the answers required when it was sent.
    pub documents: Vec<RequiredDocument>,
    /// The pages, in the order taken.
    pub pages: Vec<Page>,
    /// The signature drawn on the touch screen, as a PNG.
    pub signature_png: Vec<u8>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("code", &self.code)
            .field("kind", &self.kind)
            .field("applicant", &self.applicant)
            .field("pages", &self.pages.len())
            .finish_non_exhaustive()
    }
}

impl Drop for Application {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        self.signature_png.zeroize();
    }
}

#[derive(Serialize, Deserialize)]
struct Description {
    code: TrackingCode,
    kind: ApplicationKind,
    made_at: DateTime<Utc>,
    device: String,
    applicant: Applicant,
    answers: Answers,
    documents: Vec<RequiredDocument>,
    pages: Vec<PageEntry>,
    signature_bytes: usize,
}

#[derive(Serialize, Deserialize)]
struct PageEntry {
    document: String,
    bytes: usize,
}

impl Application {
    /// The application as one byte string (see the module's layout).
    pub fn pack(&self) -> Result<Vec<u8>, PackageError> {
        if self.pages.len() > MAX_PAGES {
            return Err(too_large("page count", self.pages.len(), MAX_PAGES));
        }
        for page in &self.pages {
            if page.jpeg.len() > MAX_PAGE_BYTES {
                return Err(too_large("page", page.jpeg.len(), MAX_PAGE_BYTES));
            }
        }
        if self.signature_png.len() > MAX_SIGNATURE_BYTES {
            return Err(too_large(
                "signature",
                self.signature_png.len(),
                MAX_SIGNATURE_BYTES,
            ));
        }
        let description = Description {
            code: self.code.clone(),
            kind: self.kind,
            made_at: self.made_at,
            device: self.device.clone(),
            applicant: self.applicant.clone(),
            answers: self.answers.clone(),
            documents: self.documents.clone(),
            pages: self
                .pages
                .iter()
                .map(|p| PageEntry {
                    document: p.document.clone(),
                    bytes: p.jpeg.len(),
                })
                .collect(),
            signature_bytes: self.signature_png.len(),
        };
        let json = serde_json::to_vec(&description)
            .map_err(|e| PackageError::Description(e.to_string()))?;
        if json.len() > MAX_DESCRIPTION_BYTES {
            return Err(too_large("description", json.len(), MAX_DESCRIPTION_BYTES));
        }
        let total = 9
            + json.len()
            + self.pages.iter().map(|p| p.jpeg.len()).sum::<usize>()
            + self.signature_png.len();
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&u32::try_from(json.len()).unwrap_or(u32::MAX).to_be_bytes());
        out.extend_from_slice(&json);
        for page in &self.pages {
            out.extend_from_slice(&page.jpeg);
        }
        out.extend_from_slice(&self.signature_png);
        Ok(out)
    }

    /// The application packed in `bytes`.
    pub fn unpack(bytes: &[u8]) -> Result<Self, PackageError> {
        let mut rest = bytes;
        let magic = take(&mut rest, 4, "header")?;
        if magic != MAGIC {
            return Err(PackageError::Description(
                "not an application package (no QJAP header)".into(),
            ));
        }
        let version = take(&mut rest, 1, "header")?[0];
        if version != VERSION {
            return Err(PackageError::Version(version));
        }
        let len_bytes = take(&mut rest, 4, "header")?;
        let len =
            u32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]) as usize;
        if len > MAX_DESCRIPTION_BYTES {
            return Err(too_large("description", len, MAX_DESCRIPTION_BYTES));
        }
        let json = take(&mut rest, len, "description")?;
        let description: Description =
            serde_json::from_slice(json).map_err(|e| PackageError::Description(e.to_string()))?;
        if description.pages.len() > MAX_PAGES {
            return Err(too_large("page count", description.pages.len(), MAX_PAGES));
        }
        let mut pages = Vec::with_capacity(description.pages.len());
        for entry in &description.pages {
            if entry.bytes > MAX_PAGE_BYTES {
                return Err(too_large("page", entry.bytes, MAX_PAGE_BYTES));
            }
            let jpeg = take(&mut rest, entry.bytes, "a page")?.to_vec();
            pages.push(Page {
                document: entry.document.clone(),
                jpeg,
            });
        }
        if description.signature_bytes > MAX_SIGNATURE_BYTES {
            return Err(too_large(
                "signature",
                description.signature_bytes,
                MAX_SIGNATURE_BYTES,
            ));
        }
        let signature_png = take(&mut rest, description.signature_bytes, "the signature")?.to_vec();
        if !rest.is_empty() {
            return Err(PackageError::Trailing(rest.len()));
        }
        Ok(Self {
            code: description.code,
            kind: description.kind,
            made_at: description.made_at,
            device: description.device,
            applicant: description.applicant,
            answers: description.answers,
            documents: description.documents,
            pages,
            signature_png,
        })
    }
}

fn too_large(part: &'static str, size: usize, max: usize) -> PackageError {
    PackageError::TooLarge {
        part,
        size: size as u64,
        max: max as u64,
    }
}

fn take<'a>(rest: &mut &'a [u8], n: usize, part: &'static str) -> Result<&'a [u8], PackageError> {
    if rest.len() < n {
        return Err(PackageError::Truncated { part });
    }
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    Ok(head)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> Application {
        let mut answers = Answers::default();
        answers.set_unchecked("phone", "13900001234");
        Application {
            code: TrackingCode::from_random([1, 2, 3, 4, 5]),
            kind: ApplicationKind::LegalAid,
            made_at: DateTime::from_timestamp(1_796_000_000, 0).unwrap_or_default(),
            device: "kiosk-zhoubai".into(),
            applicant: Applicant {
                name: "张小三".into(),
                sex: "男".into(),
                ethnicity: "汉".into(),
                birth_date: "1960-01-02".into(),
                id_number: "990101196001029991".into(),
                address: "重庆市黔江区某路1号".into(),
                from_card: true,
            },
            answers,
            documents: crate::required_documents(ApplicationKind::LegalAid, &Answers::default()),
            pages: vec![
                Page {
                    document: "id_card".into(),
                    jpeg: vec![0xff, 0xd8, 1, 2, 3],
                },
                Page {
                    document: "case_papers".into(),
                    jpeg: vec![0xff, 0xd8, 9],
                },
            ],
            signature_png: vec![0x89, b'P', b'N', b'G'],
        }
    }

    #[test]
    fn packs_and_unpacks() {
        let app = sample();
        let bytes = app.pack().unwrap();
        let back = Application::unpack(&bytes).unwrap();
        assert_eq!(back, app);
        assert!(!format!("{back:?}").contains("张小三"));
    }

    #[test]
    fn damage_is_named() {
        let bytes = sample().pack().unwrap();
        assert_eq!(
            Application::unpack(&bytes[..bytes.len() - 1]),
            Err(PackageError::Truncated {
                part: "the signature"
            })
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Application::unpack(&longer), Err(PackageError::Trailing(1)));
        let mut version = bytes;
        version[4] = 9;
        assert_eq!(Application::unpack(&version), Err(PackageError::Version(9)));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = Application::unpack(&bytes);
            let mut framed = b"QJAP\x01".to_vec();
            framed.extend_from_slice(&bytes);
            let _ = Application::unpack(&framed);
        }
    }
}
