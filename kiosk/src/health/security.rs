//! Counters of what the LAN service refused: logins, lockouts and connections. `/metrics` shows them
//! (see [`SecurityCounters::render`]); they hold no address, window PIN or token.

use std::{
    fmt::Write as _,
    sync::atomic::{AtomicU64, Ordering},
};

/// Which login failure budget refused or locked (see `lan::auth::budget`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LockScope {
    /// One address for one window.
    SourceWindow,
    /// One address.
    Source,
    /// One window.
    Window,
}

impl LockScope {
    /// The label used in logs and `/metrics`.
    pub fn label(self) -> &'static str {
        match self {
            Self::SourceWindow => "source_window",
            Self::Source => "source",
            Self::Window => "window",
        }
    }
}

/// Counters shared by the LAN service and `/metrics`.
#[derive(Debug, Default)]
pub struct SecurityCounters {
    login_failures: AtomicU64,
    refused_logins: AtomicU64,
    busy_logins: AtomicU64,
    lockouts_source_window: AtomicU64,
    lockouts_source: AtomicU64,
    lockouts_window: AtomicU64,
    unlocks: AtomicU64,
    locked_now: AtomicU64,
    connections_open: AtomicU64,
    connections_refused: AtomicU64,
    connections_timed_out: AtomicU64,
    foreign_hosts: AtomicU64,
}

fn add(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

impl SecurityCounters {
    /// A wrong PIN.
    pub fn login_failed(&self) {
        add(&self.login_failures);
    }

    /// A login refused by an exhausted budget, without a PIN check.
    pub fn refused(&self) {
        add(&self.refused_logins);
    }

    /// A login refused because the PIN check pool was full.
    pub fn busy(&self) {
        add(&self.busy_logins);
    }

    /// A budget locked.
    pub fn lockout(&self, scope: LockScope) {
        add(match scope {
            LockScope::SourceWindow => &self.lockouts_source_window,
            LockScope::Source => &self.lockouts_source,
            LockScope::Window => &self.lockouts_window,
        });
    }

    /// A lock ended.
    pub fn unlock(&self) {
        add(&self.unlocks);
    }

    /// Budgets locked right now.
    pub fn set_locked(&self, n: usize) {
        self.locked_now
            .store(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// A connection was accepted.
    pub fn connection_opened(&self) {
        add(&self.connections_open);
    }

    /// An accepted connection ended.
    pub fn connection_closed(&self) {
        self.connections_open.fetch_sub(1, Ordering::Relaxed);
    }

    /// A connection was closed at once: too many from its address or in all.
    pub fn connection_refused(&self) {
        add(&self.connections_refused);
    }

    /// A connection sent no complete request (or TLS handshake) in time.
    pub fn connection_timed_out(&self) {
        add(&self.connections_timed_out);
    }

    /// A request named a host this service does not answer for (DNS rebinding).
    pub fn foreign_host(&self) {
        add(&self.foreign_hosts);
    }

    /// Connections open right now.
    pub fn open_connections(&self) -> u64 {
        self.connections_open.load(Ordering::Relaxed)
    }

    /// Logins refused by a budget so far.
    pub fn refused_logins(&self) -> u64 {
        self.refused_logins.load(Ordering::Relaxed)
    }

    /// The counters in the Prometheus text format.
    pub fn render(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut o = String::new();
        let mut family = |name: &str, kind: &str, help: &str, samples: &[(&str, u64)]| {
            let _ = writeln!(o, "# HELP {name} {help}");
            let _ = writeln!(o, "# TYPE {name} {kind}");
            for (labels, v) in samples {
                let _ = writeln!(o, "{name}{labels} {v}");
            }
        };
        family(
            "kiosk_lan_login_failures_total",
            "counter",
            "Staff logins with a wrong PIN.",
            &[("", get(&self.login_failures))],
        );
        family(
            "kiosk_lan_login_refused_total",
            "counter",
            "Staff logins refused without a PIN check: budget exhausted (locked) or check pool full (busy).",
            &[
                ("{reason=\"locked\"}", get(&self.refused_logins)),
                ("{reason=\"busy\"}", get(&self.busy_logins)),
            ],
        );
        family(
            "kiosk_lan_login_lockouts_total",
            "counter",
            "Login budgets that locked, by budget.",
            &[
                (
                    "{scope=\"source_window\"}",
                    get(&self.lockouts_source_window),
                ),
                ("{scope=\"source\"}", get(&self.lockouts_source)),
                ("{scope=\"window\"}", get(&self.lockouts_window)),
            ],
        );
        family(
            "kiosk_lan_login_unlocks_total",
            "counter",
            "Login locks that ended.",
            &[("", get(&self.unlocks))],
        );
        family(
            "kiosk_lan_login_locked",
            "gauge",
            "Login budgets locked now.",
            &[("", get(&self.locked_now))],
        );
        family(
            "kiosk_lan_connections_open",
            "gauge",
            "LAN connections open now.",
            &[("", get(&self.connections_open))],
        );
        family(
            "kiosk_lan_connections_refused_total",
            "counter",
            "LAN connections closed at once: over the per-address or total limit.",
            &[("", get(&self.connections_refused))],
        );
        family(
            "kiosk_lan_connections_timed_out_total",
            "counter",
            "LAN connections closed for sending no complete request or handshake in time.",
            &[("", get(&self.connections_timed_out))],
        );
        family(
            "kiosk_lan_foreign_host_total",
            "counter",
            "Requests refused for naming a host this service does not answer for.",
            &[("", get(&self.foreign_hosts))],
        );
        o
    }
}
