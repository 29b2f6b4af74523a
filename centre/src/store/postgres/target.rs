//! The `postgres://` URL: parsed into the client's configuration with the centre's settings added
//! (durable commits, a connect timeout, an application name), described for error messages, and
//! quoted without its password.

use std::{path::Path, time::Duration};

use tokio_postgres::{Config, config::Host};

use crate::error::StoreError;

/// How long connecting may take before it fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a URL without a host connects: the Debian server's socket directory when it exists.
const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";

/// Parses `url` (`postgres://USER:PASSWORD@HOST:PORT/DATABASE?…` or `postgres:///DATABASE?host=DIR`)
/// and adds the centre's settings: `synchronous_commit=on` for every session (an answer is given only
/// after the commit is on disk), a connect timeout and the application name, unless the URL sets them.
pub(super) fn config(url: &str) -> Result<Config, StoreError> {
    let mut config: Config = url
        .parse()
        .map_err(|err: tokio_postgres::Error| StoreError::Url {
            url: redact(url),
            reason: err.to_string(),
        })?;
    if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
        if Path::new(DEFAULT_SOCKET_DIR).is_dir() {
            config.host_path(DEFAULT_SOCKET_DIR);
        } else {
            config.host("localhost");
        }
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("centre");
    }
    let options = match config.get_options() {
        Some(options) if !options.trim().is_empty() => {
            format!("{options} -c synchronous_commit=on")
        }
        _ => "-c synchronous_commit=on".to_owned(),
    };
    config.options(&options);
    Ok(config)
}

/// `host H port P database D user U`, for error messages: never the password.
pub(super) fn describe(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
    let user = config.get_user().unwrap_or("(the system user)");
    format!(
        "host {} port {} database {} user {}",
        if hosts.is_empty() {
            "(none)".to_owned()
        } else {
            hosts.join(",")
        },
        if ports.is_empty() {
            "5432".to_owned()
        } else {
            ports.join(",")
        },
        config.get_dbname().unwrap_or(user),
        user,
    )
}

/// The URL with its password, in the user part or as a `password=` parameter, replaced by `***`.
pub(super) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "postgres://…".to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{hosts}"),
            None => format!("{userinfo}@{hosts}"),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<&str> = query
                .split('&')
                .map(|pair| {
                    if pair.starts_with("password=") {
                        "password=***"
                    } else {
                        pair
                    }
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_never_quoted() {
        assert_eq!(
            redact("postgres://centre:s3cret@db.example:5433/centre"),
            "postgres://centre:***@db.example:5433/centre"
        );
        assert_eq!(
            redact("postgresql://centre@db/centre?password=s3cret&sslmode=disable"),
            "postgresql://centre@db/centre?password=***&sslmode=disable"
        );
        assert_eq!(
            redact("postgres:///postgres?host=/tmp/x&port=5&user=postgres"),
            "postgres:///postgres?host=/tmp/x&port=5&user=postgres"
        );
        assert_eq!(redact("no scheme s3cret"), "postgres://…");
    }

    #[test]
    fn the_target_names_host_port_database_and_user_but_not_the_password() {
        let config = config("postgres://centre:s3cret@db.example:5433/reports").unwrap();
        let target = describe(&config);
        assert_eq!(
            target,
            "host db.example port 5433 database reports user centre"
        );
        assert_eq!(config.get_options(), Some("-c synchronous_commit=on"));
        let config = config_of("postgres:///postgres?host=/tmp/pg&port=54329&user=postgres");
        assert_eq!(
            describe(&config),
            "host /tmp/pg port 54329 database postgres user postgres"
        );
    }

    fn config_of(url: &str) -> Config {
        config(url).unwrap()
    }

    #[test]
    fn a_malformed_url_is_refused_without_its_password() {
        let err = config("postgres://centre:s3cret@db/centre?port=none")
            .unwrap_err()
            .to_string();
        assert!(err.contains("centre:***@db"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
    }
}
