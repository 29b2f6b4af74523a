//! Turning the verified files of a bundle into typed [`Content`], checking every record.

use std::{collections::HashSet, path::Path};

use serde::de::DeserializeOwned;

use super::{
    config::ContentLimits,
    error::BundleError,
    manifest::{ObjectId, VerifiedManifest},
    model::{BundleInfo, Content},
};

/// Reads the collections of a verified bundle whose files are under `objects_dir` (fan-out layout) and
/// checks them. Each part is hashed again as it is read.
pub(crate) fn assemble(
    verified: &VerifiedManifest,
    objects_dir: &Path,
    origin: &str,
    limits: &ContentLimits,
) -> Result<Content, BundleError> {
    let reader = PartReader {
        verified,
        objects_dir,
        limits,
    };
    let m = &verified.manifest;
    let content = Content {
        info: Some(BundleInfo {
            version: m.version,
            created: m.created,
            expires: m.expires,
            title: m.title.clone(),
            key_id: verified.key_id.clone(),
            origin: origin.to_owned(),
        }),
        services: reader.list("services")?,
        lawyers: reader.list("lawyers")?,
        institutions: reader.list("institutions")?,
        sites: reader.list("sites")?,
        staff: reader.list("staff")?,
        publicity: reader.list("publicity")?,
        notices: reader.list("notices")?,
        videos: reader.list("videos")?,
        legal_aid: reader.single("legal_aid")?,
        display: reader.single("display")?,
        objects_dir: objects_dir.to_owned(),
    };
    check(&content, verified)?;
    Ok(content)
}

struct PartReader<'a> {
    verified: &'a VerifiedManifest,
    objects_dir: &'a Path,
    limits: &'a ContentLimits,
}

impl PartReader<'_> {
    fn read(&self, collection: &str, id: &ObjectId) -> Result<Vec<u8>, BundleError> {
        let bytes =
            std::fs::read(id.path_in(self.objects_dir)).map_err(|err| BundleError::Collection {
                collection: collection.to_owned(),
                reason: format!("part {id} cannot be read: {err}"),
            })?;
        if ObjectId::of(&bytes) != *id {
            return Err(BundleError::HashMismatch {
                object: id.to_string(),
                reason: "the stored part changed".into(),
            });
        }
        Ok(bytes)
    }

    fn list<T: DeserializeOwned>(&self, collection: &str) -> Result<Vec<T>, BundleError> {
        let mut out = Vec::new();
        for id in self.verified.parts(collection) {
            let bytes = self.read(collection, &id)?;
            let mut part: Vec<T> = parse(collection, &bytes)?;
            out.append(&mut part);
            if out.len() > self.limits.max_records {
                return Err(BundleError::Oversize {
                    what: format!("collection {collection}"),
                    size: out.len() as u64,
                    limit: self.limits.max_records as u64,
                });
            }
        }
        Ok(out)
    }

    fn single<T: DeserializeOwned>(&self, collection: &str) -> Result<Option<T>, BundleError> {
        match self.verified.parts(collection).as_slice() {
            [] => Ok(None),
            [id] => Ok(Some(parse(collection, &self.read(collection, id)?)?)),
            _ => Err(BundleError::Collection {
                collection: collection.into(),
                reason: "must have exactly one part".into(),
            }),
        }
    }
}

fn parse<T: DeserializeOwned>(collection: &str, bytes: &[u8]) -> Result<T, BundleError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|err| BundleError::Collection {
        collection: collection.into(),
        reason: format!("{}: {}", err.path(), err.inner()),
    })
}

fn check(content: &Content, verified: &VerifiedManifest) -> Result<(), BundleError> {
    fn unique<'a>(collection: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), BundleError> {
        let mut seen = HashSet::new();
        for id in ids {
            if id.trim().is_empty() || !seen.insert(id) {
                return Err(BundleError::Collection {
                    collection: collection.into(),
                    reason: format!("id `{id}` is empty or appears twice"),
                });
            }
        }
        Ok(())
    }
    let file_ref =
        |collection: &str, id: &str, object: &Option<String>| -> Result<(), BundleError> {
            let Some(object) = object else { return Ok(()) };
            let known = object
                .parse::<ObjectId>()
                .is_ok_and(|o| verified.files.contains_key(&o));
            if known {
                Ok(())
            } else {
                Err(BundleError::Collection {
                    collection: collection.into(),
                    reason: format!(
                        "record `{id}` refers to file `{object}`, which is not in the bundle"
                    ),
                })
            }
        };
    unique("services", content.services.iter().map(|s| s.id.as_str()))?;
    unique("lawyers", content.lawyers.iter().map(|s| s.id.as_str()))?;
    unique(
        "institutions",
        content.institutions.iter().map(|s| s.id.as_str()),
    )?;
    unique("sites", content.sites.iter().map(|s| s.id.as_str()))?;
    unique("staff", content.staff.iter().map(|s| s.id.as_str()))?;
    unique("publicity", content.publicity.iter().map(|s| s.id.as_str()))?;
    unique("notices", content.notices.iter().map(|s| s.id.as_str()))?;
    for person in &content.lawyers {
        file_ref("lawyers", &person.id, &person.photo)?;
    }
    for member in &content.staff {
        file_ref("staff", &member.id, &member.photo)?;
    }
    for item in &content.publicity {
        file_ref("publicity", &item.id, &item.image)?;
    }
    unique("videos", content.videos.iter().map(|s| s.id.as_str()))?;
    for video in &content.videos {
        file_ref("videos", &video.id, &Some(video.file.clone()))?;
        file_ref("videos", &video.id, &video.subtitles)?;
        file_ref("videos", &video.id, &video.poster)?;
    }
    Ok(())
}
