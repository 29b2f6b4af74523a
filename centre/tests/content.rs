//! End to end: a bundle built and packed by the publisher's own code (development key) is uploaded to a
//! centre on loopback, and a kiosk's content store (the content crate's real sync) takes it from
//! `{centre}/content/`. Conditional requests, ranges, resumed downloads, refused uploads (the old bundle
//! stays served), the publication record, and what `/content/` does not serve.

#[path = "content_support/mod.rs"]
mod content_support;

use std::sync::{Arc, Mutex};

use axum::{
    body::{Body, Bytes},
    extract::Request,
    middleware::{self, Next},
    response::Response,
};
use content::{ContentStore, SecretKey, SyncOutcome, pack};
use content_support::{
    ContentCentre, PUBLISHER, PUBLISHER_TOKEN, build_pack, dev_key, kiosk_config, signed_at,
    write_sources,
};
use reqwest::{StatusCode, header};

fn sync_result(store_attempts: Vec<content::SyncAttempt>) -> content::SyncReport {
    assert_eq!(store_attempts.len(), 1, "one origin: the centre");
    match store_attempts.into_iter().next().unwrap().result {
        Ok(report) => report,
        Err(err) => panic!("sync failed: {err}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_bundle_reaches_a_kiosk_and_an_unchanged_one_costs_a_304() {
    let tmp = tempfile::tempdir().unwrap();
    let centre = ContentCentre::start(&tmp.path().join("centre")).await;

    // Before any publication the manifest is 404 with a reason; the kiosk keeps its embedded content.
    let response = centre
        .client
        .get(centre.url("/content/manifest.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("no content bundle"));
    let kiosk =
        ContentStore::open(&tmp.path().join("kiosk"), &kiosk_config(&centre.base, None)).unwrap();
    let embedded = kiosk.current().info.as_ref().map(|i| i.version);
    let attempts = kiosk.sync_once().await;
    assert!(
        matches!(
            &attempts[0].result,
            Err(content::SyncError::Status { status: 404, .. })
        ),
        "{:?}",
        attempts[0].result
    );
    assert_eq!(kiosk.current().info.as_ref().map(|i| i.version), embedded);

    // The publisher builds, signs and uploads.
    let src = tmp.path().join("src");
    write_sources(&src, 12, 3000, 1);
    let created = signed_at();
    let v1 = created.timestamp() as u64 - 10;
    let pack = build_pack(&src, &tmp.path().join("dist"), &dev_key(), v1, created);
    let receipt = content::upload::upload(&centre.base, PUBLISHER_TOKEN, pack, None)
        .await
        .unwrap();
    assert_eq!((receipt.version, receipt.epoch), (v1, 0));
    assert_eq!(receipt.publisher, PUBLISHER);
    assert_eq!(
        receipt.files,
        12 + 2,
        "12 photos, the lawyers part, the services part"
    );

    // The kiosk syncs from {centre_url}/content/ and applies it.
    let report = sync_result(kiosk.sync_once().await);
    assert_eq!(
        report.outcome,
        SyncOutcome::Applied {
            from: embedded,
            to: v1
        }
    );
    assert_eq!(report.files, 14);
    assert_eq!(kiosk.current().lawyers.len(), 12);

    // A second sync: one conditional request, answered 304.
    let report = sync_result(kiosk.sync_once().await);
    assert_eq!(report.outcome, SyncOutcome::Unchanged { version: v1 });
    assert_eq!((report.requests, report.bytes), (1, 0));

    // The same by hand: ETag and Last-Modified, both honoured.
    let first = centre
        .client
        .get(centre.url("/content/manifest.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(first.headers()[header::CACHE_CONTROL], "no-cache");
    let etag = first.headers()[header::ETAG].clone();
    let modified = first.headers()[header::LAST_MODIFIED].clone();
    for (name, value) in [
        (header::IF_NONE_MATCH, etag.clone()),
        (header::IF_MODIFIED_SINCE, modified),
    ] {
        let again = centre
            .client
            .get(centre.url("/content/manifest.json"))
            .header(name.clone(), value)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{name}");
        assert!(again.bytes().await.unwrap().is_empty());
    }

    // A new version published at once (in the same second) is seen by the kiosk.
    write_sources(&src, 13, 3000, 2);
    let v2 = v1 + 1;
    let pack = build_pack(&src, &tmp.path().join("dist"), &dev_key(), v2, created);
    content::upload::upload(&centre.base, PUBLISHER_TOKEN, pack, None)
        .await
        .unwrap();
    let report = sync_result(kiosk.sync_once().await);
    assert_eq!(
        report.outcome,
        SyncOutcome::Applied {
            from: Some(v1),
            to: v2
        }
    );
    assert_eq!(kiosk.current().lawyers.len(), 13);

    // Both publications are recorded: who, which version, when.
    let response = centre
        .client
        .get(centre.url("/api/v1/content"))
        .bearer_auth(PUBLISHER_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let listed: serde_json::Value = response.json().await.unwrap();
    assert_eq!(listed["current"]["version"], v2);
    let publications = centre.log.recent(10).unwrap();
    assert_eq!(
        publications
            .iter()
            .map(|p| (p.publisher.as_str(), p.version))
            .collect::<Vec<_>>(),
        [(PUBLISHER, v2), (PUBLISHER, v1)]
    );
    assert_eq!(listed["publications"][1]["version"], v1);
}

/// A pack with one entry changed by `change` (name, bytes).
fn repack(original: &[u8], change: impl Fn(&str, &mut Vec<u8>)) -> Vec<u8> {
    let files = pack::read(original).unwrap();
    let owned: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(name, bytes)| {
            let mut bytes = bytes.to_vec();
            change(&name, &mut bytes);
            (name, bytes)
        })
        .collect();
    let entries: Vec<(String, &[u8])> = owned
        .iter()
        .map(|(name, bytes)| (name.clone(), bytes.as_slice()))
        .collect();
    pack::write(&entries)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_uploads_are_refused_and_the_old_bundle_stays_served() {
    let tmp = tempfile::tempdir().unwrap();
    let centre =
        ContentCentre::start_with(&tmp.path().join("centre"), 1 << 20, None, |app| app).await;
    let src = tmp.path().join("src");
    write_sources(&src, 4, 2000, 1);
    let created = signed_at();
    let v1 = created.timestamp() as u64 - 10;
    let dist = tmp.path().join("dist");
    let good = build_pack(&src, &dist, &dev_key(), v1, created);
    let (status, _) = centre.upload_raw(Some(PUBLISHER_TOKEN), good.clone()).await;
    assert_eq!(status, 201);
    let kiosk =
        ContentStore::open(&tmp.path().join("kiosk"), &kiosk_config(&centre.base, None)).unwrap();
    sync_result(kiosk.sync_once().await);
    let served = || async {
        centre
            .client
            .get(centre.url("/content/manifest.json"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    };
    let before = served().await;

    write_sources(&src, 5, 2000, 2);
    let v2 = v1 + 1;
    let next = build_pack(&src, &dist, &dev_key(), v2, created);
    let a_photo = pack::read(&next)
        .unwrap()
        .into_iter()
        .find(|(name, bytes)| name.starts_with("objects/") && bytes.len() == 2000)
        .map(|(name, _)| name)
        .unwrap();
    let broken_signature = repack(&next, |name, bytes| {
        if name == "manifest.json" {
            let text = String::from_utf8(bytes.clone()).unwrap();
            let at = text.find("\"sig\": \"").unwrap() + 8;
            let flipped = if &text[at..=at] == "0" { "1" } else { "0" };
            *bytes = format!("{}{flipped}{}", &text[..at], &text[at + 1..]).into_bytes();
        }
    });
    let tampered_file = repack(&next, |name, bytes| {
        if name == a_photo {
            bytes[0] ^= 0xff;
        }
    });
    let with_a_stray_path = {
        let mut entries: Vec<(String, Vec<u8>)> = pack::read(&next)
            .unwrap()
            .into_iter()
            .map(|(n, b)| (n, b.to_vec()))
            .collect();
        entries.push(("../../centre.sqlite3".into(), b"x".to_vec()));
        let refs: Vec<(String, &[u8])> = entries.iter().map(|(n, b)| (n.clone(), &b[..])).collect();
        pack::write(&refs)
    };
    let missing_a_file = repack(&next, |_, _| {});
    let missing_a_file = {
        let refs: Vec<(String, Vec<u8>)> = pack::read(&missing_a_file)
            .unwrap()
            .into_iter()
            .filter(|(n, _)| *n != a_photo)
            .map(|(n, b)| (n, b.to_vec()))
            .collect();
        let refs: Vec<(String, &[u8])> = refs.iter().map(|(n, b)| (n.clone(), &b[..])).collect();
        pack::write(&refs)
    };
    let other_key = SecretKey::generate();
    let untrusted = build_pack(
        &src,
        &tmp.path().join("dist-other"),
        &other_key,
        v2,
        created,
    );
    let older = build_pack(
        &src,
        &tmp.path().join("dist-older"),
        &dev_key(),
        v1 - 5,
        created,
    );
    let expired = {
        let long_ago = created - chrono::Duration::days(40);
        let options = content::BuildOptions {
            version: Some(long_ago.timestamp() as u64),
            created: Some(long_ago),
            expires_days: Some(30),
            ..Default::default()
        };
        let out = tmp.path().join("dist-expired");
        content::build(&src, &dev_key(), &out, &options).unwrap();
        content::upload::pack_dir(&out, &[dev_key().public()]).unwrap()
    };
    let too_large = vec![b'x'; (1 << 20) + 1];

    // What, the token, the body, the expected status and a word of the reason.
    type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, u16, &'a str);
    let cases: Vec<Case> = vec![
        ("no token", None, next.clone(), 401, "publisher token"),
        (
            "a device's token",
            Some("demo-device-token"),
            next.clone(),
            401,
            "unknown publisher",
        ),
        (
            "not a pack",
            Some(PUBLISHER_TOKEN),
            b"<html>".to_vec(),
            400,
            "QJKPACK1",
        ),
        (
            "broken signature",
            Some(PUBLISHER_TOKEN),
            broken_signature,
            400,
            "signature",
        ),
        (
            "tampered file",
            Some(PUBLISHER_TOKEN),
            tampered_file,
            400,
            "hash mismatch",
        ),
        (
            "stray path",
            Some(PUBLISHER_TOKEN),
            with_a_stray_path,
            400,
            "does not list",
        ),
        (
            "missing file",
            Some(PUBLISHER_TOKEN),
            missing_a_file,
            400,
            "does not hold",
        ),
        (
            "untrusted key",
            Some(PUBLISHER_TOKEN),
            untrusted,
            400,
            "trusted",
        ),
        (
            "the same version",
            Some(PUBLISHER_TOKEN),
            good.clone(),
            409,
            "not newer",
        ),
        (
            "an older version",
            Some(PUBLISHER_TOKEN),
            older,
            409,
            "not newer",
        ),
        ("expired", Some(PUBLISHER_TOKEN), expired, 400, "expired"),
        (
            "too large",
            Some(PUBLISHER_TOKEN),
            too_large,
            413,
            "larger than",
        ),
    ];
    for (what, token, body, expected, reason) in cases {
        let (status, answer) = centre.upload_raw(token, body).await;
        let text = answer["error"].as_str().unwrap_or_default().to_owned();
        assert_eq!(status, expected, "{what}: {answer}");
        assert!(text.contains(reason), "{what}: {text}");
        assert_eq!(
            served().await,
            before,
            "{what}: the old bundle stays served"
        );
    }
    assert!(
        std::fs::read_dir(tmp.path().join("centre/content/staging"))
            .map_or(true, |mut d| d.next().is_none()),
        "nothing is left in staging"
    );
    let report = sync_result(kiosk.sync_once().await);
    assert_eq!(report.outcome, SyncOutcome::Unchanged { version: v1 });
    assert_eq!(
        centre.log.recent(10).unwrap().len(),
        1,
        "refusals are not publications"
    );

    // The good next version still goes through.
    let (status, answer) = centre.upload_raw(Some(PUBLISHER_TOKEN), next).await;
    assert_eq!(status, 201, "{answer}");
    let report = sync_result(kiosk.sync_once().await);
    assert_eq!(
        report.outcome,
        SyncOutcome::Applied {
            from: Some(v1),
            to: v2
        }
    );
}

/// Requests seen by the fault-injecting layer: path, `Range`, status.
type Seen = Arc<Mutex<Vec<(String, Option<String>, u16)>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_download_resumes_with_a_range_request() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_sources(&src, 2, 50_000, 7);
    let created = signed_at();
    let version = created.timestamp() as u64 - 10;
    let pack_bytes = build_pack(&src, &tmp.path().join("dist"), &dev_key(), version, created);
    let photo = pack::read(&pack_bytes)
        .unwrap()
        .into_iter()
        .find(|(_, bytes)| bytes.len() == 50_000)
        .map(|(name, _)| format!("/content/{name}"))
        .unwrap();

    // The centre as it is, behind a layer that cuts the first answer for the photo after 1000 bytes
    // (a link that drops mid-download) and records what was asked.
    let seen: Seen = Arc::default();
    let cut = Arc::new(Mutex::new(Some(photo.clone())));
    let (seen_in, cut_in) = (Arc::clone(&seen), Arc::clone(&cut));
    let layer = move |app: axum::Router| {
        app.layer(middleware::from_fn(move |request: Request, next: Next| {
            let (seen, cut) = (Arc::clone(&seen_in), Arc::clone(&cut_in));
            async move {
                let path = request.uri().path().to_owned();
                let range = request
                    .headers()
                    .get(header::RANGE)
                    .map(|v| v.to_str().unwrap().to_owned());
                let response: Response = next.run(request).await;
                seen.lock()
                    .unwrap()
                    .push((path.clone(), range, response.status().as_u16()));
                let cut_now = {
                    let mut cut = cut.lock().unwrap();
                    (cut.as_deref() == Some(path.as_str())).then(|| cut.take())
                };
                if cut_now.is_none() {
                    return response;
                }
                let (parts, body) = response.into_parts();
                let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                // The body ends early although Content-Length promised more; the stream yields once
                // after the first bytes so that they are written out before the connection breaks.
                let head = Some(bytes.slice(..1000));
                let stream = futures_util::stream::unfold(head, |head| async move {
                    match head {
                        Some(bytes) => Some((Ok::<Bytes, std::io::Error>(bytes), None)),
                        None => {
                            tokio::task::yield_now().await;
                            None
                        }
                    }
                });
                Response::from_parts(parts, Body::from_stream(stream))
            }
        }))
    };
    let centre = ContentCentre::start_with(&tmp.path().join("centre"), 64 << 20, None, layer).await;
    let (status, _) = centre.upload_raw(Some(PUBLISHER_TOKEN), pack_bytes).await;
    assert_eq!(status, 201);

    let kiosk =
        ContentStore::open(&tmp.path().join("kiosk"), &kiosk_config(&centre.base, None)).unwrap();
    let attempts = kiosk.sync_once().await;
    let err = attempts[0].result.as_ref().unwrap_err();
    assert!(
        matches!(err, content::SyncError::Transfer { .. }),
        "the download was cut: {err}"
    );
    assert!(cut.lock().unwrap().is_none(), "the cut happened");

    let report = sync_result(kiosk.sync_once().await);
    assert_eq!(
        report.outcome,
        SyncOutcome::Applied {
            from: Some(1),
            to: version
        }
    );
    let for_photo: Vec<_> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(path, _, _)| *path == photo)
        .cloned()
        .collect();
    assert_eq!(for_photo.len(), 2, "{for_photo:?}");
    assert_eq!(for_photo[0].1, None);
    let resumed_from: u64 = for_photo[1]
        .1
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a range request: {for_photo:?}"));
    assert!(resumed_from > 0 && resumed_from <= 1000, "{resumed_from}");
    assert_eq!(for_photo[1].2, 206);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_served_with_ranges_types_and_cache_headers_and_nothing_else_is() {
    let tmp = tempfile::tempdir().unwrap();
    let centre = ContentCentre::start(&tmp.path().join("centre")).await;
    let src = tmp.path().join("src");
    write_sources(&src, 1, 5000, 3);
    let created = signed_at();
    let pack_bytes = build_pack(
        &src,
        &tmp.path().join("dist"),
        &dev_key(),
        created.timestamp() as u64 - 10,
        created,
    );
    let (status, _) = centre
        .upload_raw(Some(PUBLISHER_TOKEN), pack_bytes.clone())
        .await;
    assert_eq!(status, 201);
    let (name, photo) = pack::read(&pack_bytes)
        .unwrap()
        .into_iter()
        .find(|(_, bytes)| bytes.len() == 5000)
        .map(|(n, b)| (n, b.to_vec()))
        .unwrap();
    let url = centre.url(&format!("/content/{name}"));
    let get = |range: Option<&'static str>| {
        let mut request = centre.client.get(&url);
        if let Some(range) = range {
            request = request.header(header::RANGE, range);
        }
        request.send()
    };

    let whole = get(None).await.unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(whole.headers()[header::ACCEPT_RANGES], "bytes");
    assert!(
        whole.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = whole.headers()[header::ETAG].clone();
    assert_eq!(whole.bytes().await.unwrap(), photo);

    let part = get(Some("bytes=100-199")).await.unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()[header::CONTENT_RANGE], "bytes 100-199/5000");
    assert_eq!(part.bytes().await.unwrap(), photo[100..200]);
    let tail = get(Some("bytes=4990-")).await.unwrap();
    assert_eq!(tail.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail.bytes().await.unwrap(), photo[4990..]);
    let past = get(Some("bytes=5000-")).await.unwrap();
    assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(past.headers()[header::CONTENT_RANGE], "bytes */5000");
    let cached = centre
        .client
        .get(&url)
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    let head = centre.client.head(&url).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()[header::CONTENT_LENGTH], "5000");

    // No listing, no traversal, nothing but the bundle's own files.
    std::fs::write(tmp.path().join("centre/content/secret.txt"), "x").unwrap();
    let hex = name.rsplit('/').next().unwrap();
    for path in [
        "/content/".to_owned(),
        "/content".to_owned(),
        "/content/objects/".to_owned(),
        format!("/content/objects/{}/", &hex[..2]),
        "/content/secret.txt".to_owned(),
        "/content/current/manifest.json".to_owned(),
        "/content/%2e%2e/centre.sqlite3".to_owned(),
        "/content/objects/%2e%2e/%2e%2e%2fcentre.sqlite3".to_owned(),
        format!("/content/objects/ff/{hex}"),
        format!("/content/objects/{}/{}", &hex[..2], "0".repeat(64)),
        format!("/content/objects/{}/{}", &hex[..2], hex.to_uppercase()),
    ] {
        let response = centre.client.get(centre.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_centre_serves_what_it_published_and_keeps_the_previous_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let centre_dir = tmp.path().join("centre");
    let src = tmp.path().join("src");
    let created = signed_at();
    let v1 = created.timestamp() as u64 - 100;
    write_sources(&src, 2, 1000, 1);
    let first = build_pack(&src, &tmp.path().join("d1"), &dev_key(), v1, created);
    write_sources(&src, 2, 1000, 2);
    let second = build_pack(&src, &tmp.path().join("d2"), &dev_key(), v1 + 1, created);
    let old_photo = pack::read(&first)
        .unwrap()
        .into_iter()
        .find(|(_, bytes)| bytes.len() == 1000)
        .map(|(name, _)| format!("/content/{name}"))
        .unwrap();

    let centre = ContentCentre::start(&centre_dir).await;
    for pack_bytes in [first, second] {
        let (status, answer) = centre.upload_raw(Some(PUBLISHER_TOKEN), pack_bytes).await;
        assert_eq!(status, 201, "{answer}");
    }
    let manifest = centre
        .client
        .get(centre.url("/content/manifest.json"))
        .send()
        .await
        .unwrap();
    let etag = manifest.headers()[header::ETAG].clone();
    let bytes = manifest.bytes().await.unwrap();
    centre.stop().await;

    // Restarted on the same data directory: the same bundle, the same validators, and the previous
    // bundle's files still there for kiosks that began before the switch.
    let centre = ContentCentre::start(&centre_dir).await;
    let again = centre
        .client
        .get(centre.url("/content/manifest.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()[header::ETAG], etag);
    assert_eq!(again.bytes().await.unwrap(), bytes);
    assert_eq!(centre.published.current().unwrap().info.version, v1 + 1);
    assert_eq!(centre.published.previous().unwrap().info.version, v1);
    let old = centre
        .client
        .get(centre.url(&old_photo))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::OK, "{old_photo}");
    let kept: Vec<_> = std::fs::read_dir(centre_dir.join("content/bundles"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(kept.len(), 2, "current and previous only: {kept:?}");

    // A third publication drops the first bundle; a reset bundle (a higher epoch) is newer whatever
    // its version.
    let epoch_src = tmp.path().join("src-epoch");
    write_sources(&epoch_src, 2, 1000, 3);
    let bundle_toml = epoch_src.join("bundle.toml");
    let text = std::fs::read_to_string(&bundle_toml).unwrap();
    std::fs::write(&bundle_toml, format!("epoch = 1\n{text}")).unwrap();
    let reset = build_pack(
        &epoch_src,
        &tmp.path().join("d3"),
        &dev_key(),
        v1 - 50,
        created,
    );
    let (status, answer) = centre.upload_raw(Some(PUBLISHER_TOKEN), reset).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(
        (answer["version"].as_u64(), answer["epoch"].as_u64()),
        (Some(v1 - 50), Some(1))
    );
    let gone = centre
        .client
        .get(centre.url(&old_photo))
        .send()
        .await
        .unwrap();
    assert_eq!(
        gone.status(),
        StatusCode::NOT_FOUND,
        "the first bundle is gone"
    );
    let kept = std::fs::read_dir(centre_dir.join("content/bundles"))
        .unwrap()
        .count();
    assert_eq!(kept, 2);
}
