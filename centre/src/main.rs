//! `centre`: the district centre's server. `centre serve` runs it; `centre hash-token` and
//! `centre hash-password` make the hashes the configuration file holds.

use std::{
    io::BufRead as _,
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use anyhow::{Context as _, bail};
use centre::{
    Accounts, ApiSettings, AppState, CentreConfig,
    api::content::{
        ContentService, DEFAULT_UPLOAD_MAX_MIB, DEMO_PUBLISHER, DEMO_PUBLISHER_TOKEN, Publisher,
    },
    app_with_content,
    auth::{self, DEMO_DEVICE, DEMO_DEVICE_TOKEN, DEMO_PASSWORD, DEMO_USER},
    config::DEFAULT_LISTEN,
    install_accounts, open_store,
    publications::PublicationLog,
    published::PublishedContent,
    serve_app, tls,
};
use clap::{Parser, Subcommand};

/// The district centre's server of the Qianjiang legal service network.
#[derive(Parser)]
#[command(name = "centre", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Receives what kiosks send and serves the staff API. Without --config: a demo.
    Serve {
        /// The TOML configuration (devices, staff accounts, settings).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The data directory (default: the configuration's `data_dir`, else ./centre-data).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Where to listen (default: the configuration's `listen`, else 127.0.0.1:8480).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// `sqlite:PATH` or `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (default: centre.sqlite3
        /// in the data directory).
        #[arg(long)]
        database: Option<String>,
    },
    /// Prints the hex SHA-256 of a device or publisher token read from standard input, for
    /// `token_sha256`.
    HashToken {
        /// Make a new random token and print it with its hash instead of reading one.
        #[arg(long)]
        new: bool,
    },
    /// Prints the argon2id hash of a password read from standard input, for `password_hash`.
    HashPassword,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve {
            config,
            data_dir,
            listen,
            database,
        } => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the runtime")?;
            runtime.block_on(run(config.as_deref(), data_dir, listen, database))
        }
        Command::HashToken { new } => {
            if new {
                let token = auth::new_token();
                println!("token = {token}");
                println!("token_sha256 = \"{}\"", auth::token_sha256(&token));
            } else {
                let token = read_line("token")?;
                if token == DEMO_DEVICE_TOKEN || token == DEMO_PUBLISHER_TOKEN {
                    bail!("that is a demo token; make a real one with `centre hash-token --new`");
                }
                println!("{}", auth::token_sha256(&token));
            }
            Ok(())
        }
        Command::HashPassword => {
            let password = read_line("password")?;
            println!("{}", auth::hash_password(&password)?);
            Ok(())
        }
    }
}

/// One line of standard input without its line end; refused when empty.
fn read_line(what: &str) -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .with_context(|| format!("reading the {what} from standard input"))?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    if line.is_empty() {
        bail!("no {what} on standard input");
    }
    Ok(line)
}

async fn run(
    config_path: Option<&Path>,
    data_dir: Option<PathBuf>,
    listen: Option<SocketAddr>,
    database: Option<String>,
) -> anyhow::Result<()> {
    let config = config_path.map(CentreConfig::load).transpose()?;
    let data_dir = data_dir
        .or_else(|| config.as_ref().and_then(|c| c.data_dir.clone()))
        .unwrap_or_else(|| PathBuf::from("centre-data"));
    create_private_dir(&data_dir)?;
    let database = database.or_else(|| config.as_ref().and_then(|c| c.database.clone()));
    let store = open_store(database.as_deref(), &data_dir).await?;
    let settings = config
        .as_ref()
        .map_or_else(ApiSettings::default, |c| ApiSettings {
            online_window: Duration::from_secs(c.online_window_secs),
            session_ttl: Duration::from_secs(u64::from(c.session_hours) * 3600),
            ..ApiSettings::default()
        });
    let content = content_service(config.as_ref(), database.as_deref(), &data_dir)?;
    let tls = match config.as_ref().and_then(|c| c.tls.as_ref()) {
        Some(entry) => Some(tls::acceptor(&entry.cert_file, &entry.key_file)?),
        None => None,
    };
    let mut web = config.as_ref().map_or_else(
        centre::web::WebSettings::default,
        CentreConfig::web_settings,
    );
    // Served over HTTPS by [tls]: the session cookie is `Secure`.
    web.secure_cookies |= tls.is_some();
    let listen = listen
        .or_else(|| config.as_ref().and_then(|c| c.listen))
        .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("the default address parses"));
    let api_tokens = config
        .as_ref()
        .map_or_else(Vec::new, CentreConfig::api_tokens);
    let secret_file = config
        .as_ref()
        .and_then(|c| c.bookings.as_ref())
        .and_then(|b| b.secret_file.clone())
        .unwrap_or_else(|| data_dir.join("booking-secret"));
    let keys =
        centre::booking::BookingKeys::load_or_create(&secret_file).map_err(anyhow::Error::msg)?;
    let bookings = match &config {
        Some(config) => config.booking_settings(keys),
        None => centre::booking::BookingSettings::demo(auth::DEMO_SITE, keys),
    };
    if !bookings.sites.is_empty() {
        tracing::info!(
            "bookings at {} site(s): the phone pages at /book, reminders through the simulated \
             channel (recorded in {})",
            bookings.sites.len(),
            data_dir.join("booking-messages.jsonl").display()
        );
    }
    let key_file = config
        .as_ref()
        .and_then(|c| c.applications.as_ref())
        .and_then(|a| a.key_file.clone())
        .unwrap_or_else(|| data_dir.join(centre::applications::DEFAULT_KEY_FILE));
    let application_keys = centre::applications::ApplicationKeys::load_or_create(&key_file)?;
    tracing::info!(
        "applications: sealed to the public key {} (GET /api/v1/applications/key; the private key \
         is {}: back it up, stored applications cannot be read without it)",
        application_keys.public_key().to_hex(),
        key_file.display()
    );
    // Where phones reach the centre (the advice's and the phone upload's QR codes).
    let (roster, public_url) = match &config {
        Some(config) => (
            config
                .roster()
                .map_err(|(key, reason)| anyhow::anyhow!("{key}: {reason}"))?,
            config.public_url(),
        ),
        None => (centre::calls::Roster::default(), None),
    };
    let accounts = match config {
        Some(config) => Accounts::Configured(config),
        None => Accounts::Demo,
    };
    install_accounts(store.as_ref(), &accounts).await?;
    if accounts == Accounts::Demo {
        tracing::warn!(
            "DEMO MODE (no --config): staff account {DEMO_USER} / {DEMO_PASSWORD} and device \
             {DEMO_DEVICE} with token {DEMO_DEVICE_TOKEN} are installed, publisher \
             {DEMO_PUBLISHER} with token {DEMO_PUBLISHER_TOKEN} may upload bundles signed with the \
             development key; anyone who reads this can log in and publish. Use --config for real \
             devices, accounts, publishers and keys."
        );
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(
        "centre listening on {scheme}://{addr}, data in {}",
        data_dir.display()
    );
    if !api_tokens.is_empty() {
        tracing::info!("{} read-only API token(s) of the reports", api_tokens.len());
    }
    let state = AppState::new(store, Arc::new(clock::SystemWallClock), settings)
        .with_api_tokens(api_tokens)
        .with_web(web)
        .with_bookings(bookings)
        .with_calls(roster, None)
        .with_public_url(public_url)
        .with_applications(application_keys);
    let alerts = tokio::spawn(centre::web::run_alerts(state.clone()));
    // Reminders and no-shows every 30 s; the only channel so far records the messages.
    let channel = Arc::new(centre::booking::SimulatedChannel::with_file(
        data_dir.join("booking-messages.jsonl"),
    ));
    let reminders = tokio::spawn(centre::booking::reminders::run(
        state.clone(),
        channel,
        Duration::from_secs(30),
    ));
    serve_app(
        listener,
        app_with_content(state, content),
        tls,
        shutdown_signal(),
    )
    .await?;
    alerts.abort();
    reminders.abort();
    tracing::info!("centre stopped");
    Ok(())
}

/// The published content (`DATA_DIR/content`), its publication log, publishers and keys: the
/// configuration's, or for the demo the development key and the demo publisher.
fn content_service(
    config: Option<&CentreConfig>,
    database: Option<&str>,
    data_dir: &Path,
) -> anyhow::Result<ContentService> {
    let (keys, publishers, max_mib) = match config {
        Some(config) => (
            config.content_keys(),
            config
                .publishers
                .iter()
                .map(|p| Publisher {
                    name: p.name.clone(),
                    token_sha256: p.token_sha256.to_ascii_lowercase(),
                })
                .collect(),
            config.content_upload_max_mib,
        ),
        None => (
            vec![
                content::DEV_PUBLIC_KEY
                    .trim()
                    .parse()
                    .map_err(|e: String| anyhow::anyhow!("the development key: {e}"))?,
            ],
            vec![Publisher {
                name: DEMO_PUBLISHER.into(),
                token_sha256: auth::token_sha256(DEMO_PUBLISHER_TOKEN),
            }],
            DEFAULT_UPLOAD_MAX_MIB,
        ),
    };
    if keys.is_empty() || publishers.is_empty() {
        tracing::warn!(
            "content uploads are refused until content_keys and [[publishers]] are configured"
        );
    }
    let published = PublishedContent::open(&data_dir.join("content"), keys)?;
    match published.current() {
        Some(bundle) => tracing::info!(
            "serving content version {} ({:?}) at /content/",
            bundle.info.version,
            bundle.info.title
        ),
        None => tracing::info!("no content bundle published yet: /content/manifest.json is 404"),
    }
    let log = PublicationLog::open(&PublicationLog::path_for(database, data_dir))?;
    let max_bytes = usize::try_from(max_mib * 1024 * 1024).unwrap_or(usize::MAX);
    Ok(ContentService::new(
        Arc::new(published),
        log,
        publishers,
        Arc::new(clock::SystemWallClock),
        max_bytes,
    ))
}

/// Creates the data directory with mode 0700 (it holds complaints with telephone numbers).
fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("creating the data directory {}", dir.display()))?;
    }
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(err) => {
            tracing::error!("cannot watch SIGTERM: {err}");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
