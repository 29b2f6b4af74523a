//! Finding 8: files on a USB stick were read without checking their type or size. A bundle object that is
//! a symbolic link to `/dev/zero` read until memory ran out; a named pipe blocked the sync forever. Every
//! attack below is a real bundle directory; each sync runs on its own thread and must answer within a
//! deadline, so a blocking read fails the test instead of hanging it.

#[path = "support/mod.rs"]
mod content_support;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, mpsc},
    time::Duration,
};

use chrono::Utc;
use content::{BundleError, ContentConfig, ContentStore, ObjectId, SecretKey, SyncError};
use content_support::{build, write_sources};

/// How long a refused sync may take: far more than it needs, far less than a blocked read.
const DEADLINE: Duration = Duration::from_secs(30);

struct Stick {
    tmp: tempfile::TempDir,
    key: SecretKey,
    store: ContentStore,
}

impl Stick {
    /// A device that applied version 1 from the stick at `usb`.
    fn with_version_1() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let key = SecretKey::generate();
        write_sources(&tmp.path().join("src"), 4, 150, |_| 1);
        let usb = tmp.path().join("usb");
        build(&tmp.path().join("src"), &usb, &key, 1, Utc::now(), 30);
        let config = ContentConfig {
            trusted_keys: vec![key.public().to_string()],
            usb_path: Some(usb),
            ..ContentConfig::default()
        };
        let store = ContentStore::open_with(
            &tmp.path().join("data"),
            &config,
            Arc::new(content::SystemWallClock),
            None,
        )
        .unwrap();
        let stick = Self { tmp, key, store };
        stick.sync().expect("version 1 from the stick");
        stick
    }

    fn usb(&self) -> PathBuf {
        self.tmp.path().join("usb")
    }

    /// Writes version 2 (new photos) on the stick and returns the path of one of its new photos there.
    fn version_2(&self) -> PathBuf {
        let old: Vec<ObjectId> = self
            .store
            .current()
            .lawyers
            .iter()
            .filter_map(|p| p.photo.as_ref()?.parse().ok())
            .collect();
        write_sources(&self.tmp.path().join("src"), 4, 150, |_| 2);
        build(
            &self.tmp.path().join("src"),
            &self.usb(),
            &self.key,
            2,
            Utc::now(),
            30,
        );
        let raw = std::fs::read(self.usb().join("manifest.json")).unwrap();
        let verified = content::verify(&raw, &[self.key.public()], &Default::default()).unwrap();
        let (fresh, _) = verified
            .files
            .iter()
            .find(|(id, e)| e.media_type == "image/png" && !old.contains(id))
            .unwrap();
        fresh.path_in(&self.usb().join("objects"))
    }

    /// One sync of the configured stick on its own thread; fails the test if it does not answer in time.
    fn sync(&self) -> Result<(), SyncError> {
        let store = self.store.clone();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let mut attempts = runtime.block_on(store.sync_once());
            assert_eq!(attempts.len(), 1, "the stick is seen");
            let _ = tx.send(attempts.pop().unwrap().result.map(|_| ()));
        });
        rx.recv_timeout(DEADLINE)
            .expect("the sync answered promptly instead of blocking on the stick")
    }

    fn assert_refused(&self, file: &Path, found: &str) {
        match self.sync() {
            Err(SyncError::Bundle(BundleError::NotARegularFile { file: f, found: k })) => {
                assert_eq!(f, file.display().to_string());
                assert_eq!(k, found);
            }
            other => panic!(
                "expected a refusal naming {}, got {other:?}",
                file.display()
            ),
        }
        assert_eq!(
            self.store.current().info.as_ref().map(|i| i.version),
            Some(1),
            "the last good content stays"
        );
        let error = self.store.status().last_error.unwrap();
        assert!(
            error.contains(&file.display().to_string()) && error.contains(found),
            "{error}"
        );
    }
}

fn replace_with_fifo(path: &Path) {
    std::fs::remove_file(path).unwrap();
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        path,
        rustix::fs::Mode::from_bits_truncate(0o644),
    )
    .unwrap();
}

#[test]
fn a_usb_object_linked_to_dev_zero_is_refused_at_once() {
    let stick = Stick::with_version_1();
    let photo = stick.version_2();
    std::fs::remove_file(&photo).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &photo).unwrap();
    stick.assert_refused(&photo, "a symbolic link");
}

#[test]
fn a_usb_object_that_is_a_named_pipe_is_refused_at_once() {
    let stick = Stick::with_version_1();
    let photo = stick.version_2();
    replace_with_fifo(&photo);
    stick.assert_refused(&photo, "a named pipe (FIFO)");
}

#[test]
fn a_usb_fan_out_directory_that_is_a_link_is_refused() {
    let stick = Stick::with_version_1();
    let photo = stick.version_2();
    // The photo's `objects/ab` directory moves elsewhere and a link takes its place: the bytes would
    // even verify, but nothing is read through a link.
    let fan = photo.parent().unwrap().to_owned();
    let elsewhere = stick.tmp.path().join("elsewhere");
    std::fs::rename(&fan, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &fan).unwrap();
    stick.assert_refused(&fan, "a symbolic link");
}

#[test]
fn a_usb_manifest_that_is_a_pipe_or_a_link_to_dev_zero_is_refused_at_once() {
    let stick = Stick::with_version_1();
    stick.version_2();
    let manifest = stick.usb().join("manifest.json");
    replace_with_fifo(&manifest);
    stick.assert_refused(&manifest, "a named pipe (FIFO)");
    std::fs::remove_file(&manifest).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &manifest).unwrap();
    stick.assert_refused(&manifest, "a symbolic link");
}

#[test]
fn a_usb_object_larger_than_declared_is_read_no_further_than_declared() {
    let stick = Stick::with_version_1();
    let photo = stick.version_2();
    let declared = std::fs::metadata(&photo).unwrap().len();
    std::fs::write(&photo, vec![7u8; 64 * 1024 * 1024]).unwrap();
    match stick.sync() {
        Err(SyncError::Bundle(BundleError::Oversize { size, limit, what })) => {
            assert_eq!(limit, declared);
            assert!(what.contains(&photo.file_name().unwrap().to_string_lossy().to_string()));
            assert!(size > limit);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        stick.store.current().info.as_ref().map(|i| i.version),
        Some(1)
    );
}
