//! The systemd notification protocol (`sd_notify(3)`): newline-separated `KEY=VALUE` lines in one
//! datagram to the unix socket named by `NOTIFY_SOCKET` (a path, or `@name` in the abstract
//! namespace). The message text and the environment parsing are pure; [`Notifier`] only sends.

use std::{
    os::unix::net::UnixDatagram,
    path::{Path, PathBuf},
    time::Duration,
};

/// One state to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyState {
    /// `READY=1`: start-up is finished (the UI shows its first frame).
    Ready,
    /// `WATCHDOG=1`: a keepalive.
    Watchdog,
    /// `STOPPING=1`: shutting down.
    Stopping,
    /// `STATUS=…`: a one-line status shown by `systemctl status`.
    Status(String),
}

impl NotifyState {
    /// The protocol line (no newline; newlines in a status become spaces).
    pub fn line(&self) -> String {
        match self {
            Self::Ready => "READY=1".to_owned(),
            Self::Watchdog => "WATCHDOG=1".to_owned(),
            Self::Stopping => "STOPPING=1".to_owned(),
            Self::Status(text) => format!("STATUS={}", text.replace(['\n', '\r'], " ")),
        }
    }
}

/// The datagram for `states`: one line each, newline-terminated.
pub fn message(states: &[NotifyState]) -> String {
    states.iter().map(|s| s.line() + "\n").collect()
}

/// How often to send keepalives: half of `WATCHDOG_USEC`, when the watchdog is on for this process
/// (`WATCHDOG_PID` unset or equal to `pid`). `None`: no watchdog, or a malformed value.
pub fn keepalive_interval(
    watchdog_usec: Option<&str>,
    watchdog_pid: Option<&str>,
    pid: u32,
) -> Option<Duration> {
    if let Some(for_pid) = watchdog_pid
        && for_pid.trim().parse::<u32>().ok() != Some(pid)
    {
        return None;
    }
    let usec: u64 = watchdog_usec?.trim().parse().ok()?;
    (usec > 0).then(|| Duration::from_micros(usec / 2))
}

/// Why a notification could not be sent.
#[derive(Debug, thiserror::Error)]
#[error("cannot notify the service manager at {socket}: {source}")]
pub struct NotifyError {
    /// The socket as named in `NOTIFY_SOCKET`.
    pub socket: String,
    /// The cause.
    pub source: std::io::Error,
}

/// Where notifications go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyTarget {
    /// A socket file.
    Path(PathBuf),
    /// A socket in the abstract namespace (`@name` in `NOTIFY_SOCKET`).
    Abstract(String),
}

impl NotifyTarget {
    /// Parses a `NOTIFY_SOCKET` value; `None` for an empty one.
    pub fn parse(value: &str) -> Option<Self> {
        match value.strip_prefix('@') {
            Some("") => None,
            Some(name) => Some(Self::Abstract(name.to_owned())),
            None if value.is_empty() => None,
            None => Some(Self::Path(PathBuf::from(value))),
        }
    }
}

impl std::fmt::Display for NotifyTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Path(p) => write!(f, "{}", p.display()),
            Self::Abstract(name) => write!(f, "@{name}"),
        }
    }
}

/// Sends notifications to one socket.
#[derive(Debug)]
pub struct Notifier {
    target: NotifyTarget,
    socket: UnixDatagram,
}

impl Notifier {
    /// A notifier for the socket at `path` (tests pass their own socket here).
    pub fn to_path(path: &Path) -> Result<Self, NotifyError> {
        Self::new(NotifyTarget::Path(path.to_owned()))
    }

    /// A notifier for `target`.
    pub fn new(target: NotifyTarget) -> Result<Self, NotifyError> {
        let socket = UnixDatagram::unbound().map_err(|source| NotifyError {
            socket: target.to_string(),
            source,
        })?;
        Ok(Self { target, socket })
    }

    /// The notifier `NOTIFY_SOCKET` names, if any (not under systemd: `None`).
    pub fn from_env() -> Option<Result<Self, NotifyError>> {
        let value = std::env::var("NOTIFY_SOCKET").ok()?;
        NotifyTarget::parse(&value).map(Self::new)
    }

    /// Sends `states` in one datagram.
    pub fn send(&self, states: &[NotifyState]) -> Result<(), NotifyError> {
        let text = message(states);
        let err = |source| NotifyError {
            socket: self.target.to_string(),
            source,
        };
        match &self.target {
            NotifyTarget::Path(path) => self.socket.send_to(text.as_bytes(), path).map_err(err)?,
            NotifyTarget::Abstract(name) => {
                use std::os::linux::net::SocketAddrExt as _;
                let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())
                    .map_err(err)?;
                self.socket
                    .send_to_addr(text.as_bytes(), &addr)
                    .map_err(err)?
            }
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_newline_separated_lines() {
        assert_eq!(
            message(&[
                NotifyState::Ready,
                NotifyState::Status("up\nand running".into())
            ]),
            "READY=1\nSTATUS=up and running\n"
        );
        assert_eq!(message(&[NotifyState::Watchdog]), "WATCHDOG=1\n");
        assert_eq!(NotifyState::Stopping.line(), "STOPPING=1");
    }

    #[test]
    fn the_keepalive_interval_is_half_the_watchdog_timeout() {
        assert_eq!(
            keepalive_interval(Some("20000000"), None, 42),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            keepalive_interval(Some("20000000"), Some("42"), 42),
            Some(Duration::from_secs(10))
        );
        assert_eq!(keepalive_interval(Some("20000000"), Some("7"), 42), None);
        assert_eq!(keepalive_interval(Some("0"), None, 42), None);
        assert_eq!(keepalive_interval(Some("soon"), None, 42), None);
        assert_eq!(keepalive_interval(None, None, 42), None);
    }

    #[test]
    fn notify_socket_values_parse() {
        assert_eq!(
            NotifyTarget::parse("/run/systemd/notify"),
            Some(NotifyTarget::Path("/run/systemd/notify".into()))
        );
        assert_eq!(
            NotifyTarget::parse("@sd-notify"),
            Some(NotifyTarget::Abstract("sd-notify".into()))
        );
        assert_eq!(NotifyTarget::parse(""), None);
        assert_eq!(NotifyTarget::parse("@"), None);
    }
}
