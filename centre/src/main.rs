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
    auth::{self, DEMO_DEVICE, DEMO_DEVICE_TOKEN, DEMO_PASSWORD, DEMO_USER},
    config::DEFAULT_LISTEN,
    install_accounts, open_store, serve,
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
    /// Prints the hex SHA-256 of a device token read from standard input, for `token_sha256`.
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
                if token == DEMO_DEVICE_TOKEN {
                    bail!("that is the demo token; make a real one with `centre hash-token --new`");
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
    let web = config.as_ref().map_or_else(
        centre::web::WebSettings::default,
        CentreConfig::web_settings,
    );
    let listen = listen
        .or_else(|| config.as_ref().and_then(|c| c.listen))
        .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("the default address parses"));
    let api_tokens = config
        .as_ref()
        .map_or_else(Vec::new, CentreConfig::api_tokens);
    let accounts = match config {
        Some(config) => Accounts::Configured(config),
        None => Accounts::Demo,
    };
    install_accounts(store.as_ref(), &accounts).await?;
    if accounts == Accounts::Demo {
        tracing::warn!(
            "DEMO MODE (no --config): staff account {DEMO_USER} / {DEMO_PASSWORD} and device \
             {DEMO_DEVICE} with token {DEMO_DEVICE_TOKEN} are installed; anyone who reads this \
             can log in. Use --config for real devices and accounts."
        );
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(
        "centre listening on http://{addr}, data in {}",
        data_dir.display()
    );
    if !api_tokens.is_empty() {
        tracing::info!("{} read-only API token(s) of the reports", api_tokens.len());
    }
    let state = AppState::new(store, Arc::new(clock::SystemWallClock), settings)
        .with_api_tokens(api_tokens)
        .with_web(web);
    let alerts = tokio::spawn(centre::web::run_alerts(state.clone()));
    serve(listener, state, shutdown_signal()).await?;
    alerts.abort();
    tracing::info!("centre stopped");
    Ok(())
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
