//! `kiosk content …` (the centre's publisher tool) and `kiosk sync` (the device side).

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use content::{
    BuildOptions, ContentLimits, ContentStore, PublicKey, SecretKey, SyncOutcome, build, verify_dir,
};

/// The publisher's subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ContentCommand {
    /// Generate an Ed25519 signing key (KEY) and its public half (KEY.pub).
    Keygen {
        /// Where the private key goes.
        #[arg(long)]
        out: PathBuf,
    },
    /// Build and sign a bundle from editable sources.
    Build {
        /// The sources: TOML/Markdown guides and notices, CSV directory, images.
        src_dir: PathBuf,
        /// The private signing key.
        #[arg(long)]
        key: PathBuf,
        /// The output: plain static files for any web server or USB stick.
        #[arg(long)]
        out: PathBuf,
        /// Version number (default: `version` in bundle.toml, else the signing time in seconds).
        #[arg(long)]
        version: Option<u64>,
        /// Days until the bundle expires (default: bundle.toml's `expires` or `expires_days`, else 45).
        #[arg(long)]
        expires_days: Option<u32>,
        /// Delete files of earlier bundles from the output directory.
        #[arg(long)]
        prune: bool,
        /// Also write the bundle as one pack file (how the default content is embedded).
        #[arg(long)]
        pack: Option<PathBuf>,
        /// A release build: refused while `content check --release` lists open items.
        #[arg(long)]
        release: bool,
        /// Then upload the signed bundle to the district centre at this URL
        /// (`https://centre.example:8480`), which publishes it at `/content/`.
        #[arg(long)]
        upload: Option<String>,
        /// The publisher token for --upload, one line (default: the CENTRE_PUBLISHER_TOKEN variable).
        #[arg(long, requires = "upload")]
        token_file: Option<PathBuf>,
        /// The centre's certificate or CA (PEM), the only one trusted for an https:// --upload.
        #[arg(long, requires = "upload")]
        ca_file: Option<PathBuf>,
    },
    /// List what keeps the sources from a release: 〔待核实〕 marks, sample records, empty required
    /// fields, guides without a sign-off, each with file and line. With --release, exit non-zero while
    /// any remains (development builds keep working with them).
    Check {
        /// The sources.
        src_dir: PathBuf,
        /// Fail when anything is open.
        #[arg(long)]
        release: bool,
    },
    /// Verify a built bundle against a public key.
    Verify {
        /// The bundle directory.
        dist_dir: PathBuf,
        /// The public key.
        #[arg(long)]
        pubkey: PathBuf,
    },
    /// Recovery on the device (`content/README.md`, "Recovery"): forget the installed content, the
    /// highest version, the epoch and the time floor, and show the embedded default again, so that the
    /// centre's next bundle is accepted whatever a bad bundle did. Set the clock first. Reads
    /// `--config` for the data directory; the outbox is kept.
    Reset,
}

/// Arguments of `kiosk sync`.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// Run one sync with the configured source and exit: 0 when applied or unchanged, non-zero with the reason.
    #[arg(long)]
    pub once: bool,
}

/// Runs a publisher subcommand, or the device's recovery (which reads `config`).
pub fn run_content(config: Option<&Path>, command: ContentCommand) -> anyhow::Result<()> {
    match command {
        ContentCommand::Reset => reset(config),
        ContentCommand::Check { src_dir, release } => {
            let open = content::open_items(&src_dir)?;
            for item in &open {
                println!("{item}");
            }
            if open.is_empty() {
                println!("releasable: no open item");
            } else if release {
                anyhow::bail!("not releasable: {} open item(s)", open.len());
            } else {
                println!(
                    "{} open item(s): fine for development, refused for a release",
                    open.len()
                );
            }
            Ok(())
        }
        ContentCommand::Keygen { out } => {
            anyhow::ensure!(
                !out.exists(),
                "{} exists: refusing to overwrite a key",
                out.display()
            );
            let key = SecretKey::generate();
            write_private(&out, &key.to_file_text())?;
            let pub_path = public_path(&out);
            std::fs::write(&pub_path, format!("{}\n", key.public()))
                .with_context(|| format!("cannot write {}", pub_path.display()))?;
            println!("private key: {} (keep it offline)", out.display());
            println!(
                "public key:  {} (id {})",
                pub_path.display(),
                key.public().id()
            );
            println!(
                "trust it on devices with: trusted_keys = [\"{}\"]",
                key.public()
            );
            Ok(())
        }
        ContentCommand::Build {
            src_dir,
            key,
            out,
            version,
            expires_days,
            prune,
            pack,
            release,
            upload,
            token_file,
            ca_file,
        } => {
            let key = SecretKey::read(&key)?;
            let options = BuildOptions {
                version,
                expires_days,
                created: None,
                prune,
                pack,
                release,
            };
            let report = build(&src_dir, &key, &out, &options)?;
            println!(
                "bundle version {} → {}: {} files, {} bytes, expires {}",
                report.version,
                out.display(),
                report.files,
                report.bytes,
                report.expires.to_rfc3339()
            );
            for (collection, count) in &report.records {
                println!("  {collection}: {count}");
            }
            if let Some(centre) = upload {
                let receipt = content::upload::upload_dir(
                    &out,
                    &key.public(),
                    &centre,
                    token_file.as_deref(),
                    ca_file.as_deref(),
                )?;
                println!(
                    "uploaded to {centre}: version {} published by {} ({} files, {} bytes)",
                    receipt.version, receipt.publisher, receipt.files, receipt.bytes
                );
            }
            Ok(())
        }
        ContentCommand::Verify { dist_dir, pubkey } => {
            let key = PublicKey::read(&pubkey)?;
            let verified = verify_dir(&dist_dir, &[key], &ContentLimits::default())?;
            let m = &verified.manifest;
            println!(
                "OK: version {} \"{}\", signed by {} at {}, expires {}, {} files, {} bytes",
                m.version,
                m.title,
                verified.key_id,
                m.created.to_rfc3339(),
                m.expires.to_rfc3339(),
                verified.files.len(),
                verified.total_bytes()
            );
            Ok(())
        }
    }
}

fn reset(config: Option<&Path>) -> anyhow::Result<()> {
    let kiosk_config = super::load_config(config)?;
    let data_dir = super::data_dir(&kiosk_config)?;
    let store = ContentStore::open(&data_dir, &kiosk_config.content)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let report = runtime
        .block_on(store.reset_to_default())
        .context("resetting the content")?;
    let show = |v: Option<u64>| v.map_or("none".to_owned(), |v| v.to_string());
    println!(
        "content reset: forgot version {} (previous {}), highest version {}, epoch {}, time floor {}",
        show(report.forgotten_version),
        show(report.forgotten_previous),
        report.highest_version,
        report.epoch,
        report
            .time_floor
            .map_or("none".to_owned(), |t| t.to_rfc3339())
    );
    println!(
        "now showing: {}; the next bundle from the centre is accepted (restart the kiosk service)",
        show(report.now_showing)
    );
    Ok(())
}

/// Runs `kiosk sync`.
pub fn run_sync(config: Option<&Path>, args: SyncArgs) -> anyhow::Result<()> {
    let kiosk_config = super::load_config(config)?;
    let content_config = kiosk_config.content.clone();
    let data_dir = super::data_dir(&kiosk_config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let store = ContentStore::open(&data_dir, &content_config)?;
    if !args.once {
        let outbox = content::Outbox::open(&data_dir, &content_config, &kiosk_config.site.name)?;
        let _delivery = outbox.spawn(runtime.handle());
        let _sync = store.spawn_sync(runtime.handle(), Some(outbox));
        runtime
            .block_on(tokio::signal::ctrl_c())
            .context("waiting for Ctrl-C")?;
        return Ok(());
    }
    let attempts = runtime.block_on(store.sync_once());
    anyhow::ensure!(
        !attempts.is_empty(),
        "no content source configured: set content.source_url or content.usb_path (with a bundle on the stick)"
    );
    let mut failures = Vec::new();
    for attempt in attempts {
        match attempt.result {
            Ok(report) => match report.outcome {
                SyncOutcome::Applied { from, to } => println!(
                    "{}: applied version {to} (was {}); {} requests, {} bytes, {} files",
                    attempt.origin,
                    from.map_or("none".to_owned(), |v| v.to_string()),
                    report.requests,
                    report.bytes,
                    report.files
                ),
                SyncOutcome::Unchanged { version } => println!(
                    "{}: unchanged (version {version}); {} requests, {} bytes",
                    attempt.origin, report.requests, report.bytes
                ),
            },
            Err(err) => failures.push(format!("{}: {err}", attempt.origin)),
        }
    }
    anyhow::ensure!(
        failures.is_empty(),
        "sync failed, the last good content stays: {}",
        failures.join("; ")
    );
    Ok(())
}

fn public_path(private: &Path) -> PathBuf {
    let mut name = private.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}
