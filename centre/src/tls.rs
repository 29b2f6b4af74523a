//! HTTPS for the centre: a rustls server configuration from the PEM files of `[tls]`.
//!
//! The certificate is the centre's own (self-signed, or issued by a CA of the district); kiosks pin it
//! (or the CA) with `[content] ca_file`, publishers with `kiosk content build … --ca-file` (see
//! `docs/TLS.md`). The same approach as the kiosk's LAN service: one crypto provider (aws-lc-rs) for
//! the whole workspace, TLS 1.2 and 1.3, no client certificates.

use std::{path::Path, sync::Arc};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject as _};

/// Why the certificate or key cannot be used. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file is missing, unreadable or holds nothing usable.
    #[error("[tls] {what} {path}: {reason}")]
    File {
        /// `cert_file` or `key_file`.
        what: &'static str,
        /// The file.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// rustls refused the pair (e.g. the key does not match the certificate).
    #[error("[tls] the certificate {cert} and key {key} cannot be used together: {source}")]
    Pair {
        /// The certificate file.
        cert: String,
        /// The key file.
        key: String,
        /// What rustls said.
        #[source]
        source: rustls::Error,
    },
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
            "holds no CERTIFICATE block".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key_file)
        .map_err(|e| file_error("key_file", key_file, e.to_string()))?;
    let pair = |source| TlsError::Pair {
        cert: cert_file.display().to_string(),
        key: key_file.display().to_string(),
        source,
    };
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(pair)?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(pair)?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
