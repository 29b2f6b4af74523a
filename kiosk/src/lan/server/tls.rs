//! HTTPS for the LAN service: a rustls server configuration from the PEM files of `[lan.tls]`.
//!
//! The certificate is the device's own (or one issued by the centre's CA); kiosks that talk to the queue
//! host pin it with `[ui] queue_host_ca_file` (see `docs/TLS.md`). HTTP/1.1 only: the pages and
//! the API need nothing more, and it keeps one code path for limits and timeouts.

use std::{path::Path, sync::Arc};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject as _};

/// Why the certificate or key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file is missing, unreadable or holds nothing usable.
    #[error("[lan.tls] {what} {path}: {reason}")]
    File {
        /// `cert_file` or `key_file`.
        what: &'static str,
        /// The file.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// rustls refused the pair (e.g. the key does not match the certificate).
    #[error("[lan.tls] the certificate and key cannot be used: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Loads the certificate chain and key into an acceptor.
pub fn acceptor(cert_file: &Path, key_file: &Path) -> Result<tokio_rustls::TlsAcceptor, TlsError> {
    let file_error = |what, path: &Path, reason: String| TlsError::File {
        what,
        path: path.display().to_string(),
        reason,
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_file)
        .map_err(|e| file_error("cert_file", cert_file, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| file_error("cert_file", cert_file, e.to_string()))?;
    if certs.is_empty() {
        return Err(file_error(
            "cert_file",
            cert_file,
            "no CERTIFICATE block".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key_file)
        .map_err(|e| file_error("key_file", key_file, e.to_string()))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(certs, key)?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
