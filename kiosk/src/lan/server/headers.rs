//! What every response of the LAN service carries, and which `Host` it answers.
//!
//! - **Host check (DNS rebinding):** a web page on the internet can make a browser on the LAN resolve
//!   its own name to the kiosk's address and then read the answers as same-origin. Requests are answered
//!   only when `Host` is an IP address, `localhost`, the host of `[lan] public_url` or one of
//!   `[lan] allowed_hosts`; anything else gets 421.
//! - **Security headers:** a Content-Security-Policy allowing only the service's own scripts, styles
//!   and connections, no framing (`frame-ancestors 'none'`, `X-Frame-Options: DENY`), no referrer (the
//!   phone page's URL is the ticket's capability), `nosniff`.

use std::{net::IpAddr, sync::Arc};

use axum::{
    Router,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::health::SecurityCounters;

/// The host names (besides IP addresses and `localhost`) requests may name.
#[derive(Debug, Clone, Default)]
pub struct HostPolicy {
    names: Arc<Vec<String>>,
}

impl HostPolicy {
    /// Allows `names` (case-insensitive, without port) besides IP addresses and `localhost`.
    pub fn new(names: impl IntoIterator<Item = String>) -> Self {
        Self {
            names: Arc::new(
                names
                    .into_iter()
                    .map(|n| n.trim().trim_end_matches('.').to_ascii_lowercase())
                    .filter(|n| !n.is_empty())
                    .collect(),
            ),
        }
    }

    /// Whether a `Host` header value is answered.
    pub fn allows(&self, host: &str) -> bool {
        let name = strip_port(host.trim()).trim_end_matches('.');
        if name.is_empty() {
            return false;
        }
        if name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok()
        {
            return true;
        }
        let name = name.to_ascii_lowercase();
        name == "localhost" || self.names.contains(&name)
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port` without the port.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

/// The host of a URL such as `https://kiosk-1.lan:8443/x`.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = strip_port(authority);
    (!host.is_empty()).then(|| host.to_owned())
}

/// The Content-Security-Policy of every response.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Wraps `router` with the host check and the security headers.
pub fn secure(router: Router, hosts: HostPolicy, counters: Arc<SecurityCounters>) -> Router {
    router.layer(axum::middleware::from_fn(
        move |req: Request, next: Next| {
            let hosts = hosts.clone();
            let counters = Arc::clone(&counters);
            async move {
                let host = req
                    .headers()
                    .get(header::HOST)
                    .map(|h| h.to_str().unwrap_or(""))
                    .or_else(|| req.uri().host());
                if let Some(host) = host
                    && !hosts.allows(host)
                {
                    counters.foreign_host();
                    return (
                    StatusCode::MISDIRECTED_REQUEST,
                    "此设备不为该主机名提供服务 / this device does not answer for that host name",
                )
                    .into_response();
                }
                let mut resp: Response = next.run(req).await;
                let h = resp.headers_mut();
                h.insert(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(CONTENT_SECURITY_POLICY),
                );
                h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
                h.insert(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                );
                h.insert(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                );
                resp
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_that_are_answered() {
        let p = HostPolicy::new(["Kiosk-1.lan".to_owned()]);
        for ok in [
            "192.168.1.10:8080",
            "192.168.1.10",
            "[::1]:8080",
            "[fe80::1]",
            "localhost:8080",
            "kiosk-1.lan",
            "KIOSK-1.LAN.:80",
        ] {
            assert!(p.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "",
            "kiosk-1.lan.evil",
            "1.2.3.4.nip.io",
        ] {
            assert!(!p.allows(bad), "{bad}");
        }
    }

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host("https://kiosk-1.lan:8443/t/x").as_deref(),
            Some("kiosk-1.lan")
        );
        assert_eq!(
            url_host("http://192.168.1.10:8080").as_deref(),
            Some("192.168.1.10")
        );
        assert_eq!(url_host("[::1]"), None);
    }
}
