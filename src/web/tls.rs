//! HTTPS's certificate: loading the one the admin gives (`web.tls_cert`, `web.tls_key`),
//! making one for this Pi (`loaxa tls init`: its host name, `NAME.local` and its addresses),
//! and its SHA-256 fingerprint, which staff compare with what their browser shows before they
//! trust it (the log, `loaxa tls show` and the settings page print it).
//!
//! Owns the files and rustls' server config; serving connections is `server`'s. It never listens on
//! a socket.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use tokio_rustls::TlsAcceptor;

use crate::config::WebConfig;

/// Years a certificate `loaxa tls init` makes stays valid.
const VALID_YEARS: i64 = 10;

/// Why HTTPS cannot start, or a certificate cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file holds no certificate or key in PEM form.
    #[error(
        "{path}: không có {what} dạng PEM — kiểm tra web.tls_cert / web.tls_key, hoặc chạy `loaxa tls init` / no {what} in PEM form — check web.tls_cert / web.tls_key, or run `loaxa tls init`"
    )]
    NoPem {
        /// The file.
        path: PathBuf,
        /// `certificate` or `private key`.
        what: &'static str,
    },
    /// rustls refused the pair (a key that is not the certificate's, an unsupported kind).
    #[error(
        "chứng chỉ và khoá không dùng được cùng nhau: {0} — tạo lại bằng `loaxa tls init` / the certificate and key cannot be used together: {0} — make new ones with `loaxa tls init`"
    )]
    Refused(String),
    /// Making a certificate failed.
    #[error("không tạo được chứng chỉ / cannot make the certificate: {0}")]
    Make(String),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> TlsError + '_ {
    move |source| TlsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The HTTPS acceptor for `config`'s certificate, and its fingerprint.
pub fn acceptor(config: &WebConfig) -> Result<(TlsAcceptor, String), TlsError> {
    let certs = certificates(&config.tls_cert)?;
    let fingerprint = fingerprint(&certs[0]);
    let key = PrivateKeyDer::from_pem_file(&config.tls_key)
        .map_err(|e| pem_error(e, &config.tls_key, "private key"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Refused(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| TlsError::Refused(e.to_string()))?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((TlsAcceptor::from(Arc::new(server)), fingerprint))
}

/// The SHA-256 fingerprint of the certificate in the PEM file at `path`.
pub fn fingerprint_of(path: &Path) -> Result<String, TlsError> {
    Ok(fingerprint(&certificates(path)?[0]))
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_error(e, path, "certificate"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(e, path, "certificate"))?;
    if certs.is_empty() {
        return Err(TlsError::NoPem {
            path: path.to_path_buf(),
            what: "certificate",
        });
    }
    Ok(certs)
}

fn pem_error(e: rustls::pki_types::pem::Error, path: &Path, what: &'static str) -> TlsError {
    match e {
        rustls::pki_types::pem::Error::Io(source) => TlsError::Io {
            path: path.to_path_buf(),
            source,
        },
        _ => TlsError::NoPem {
            path: path.to_path_buf(),
            what,
        },
    }
}

/// `AB:CD:…`, as browsers show a certificate's SHA-256 fingerprint.
pub fn fingerprint(cert: &CertificateDer<'_>) -> String {
    Sha256::digest(cert.as_ref())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A certificate made for this machine.
#[derive(Debug, Clone)]
pub struct Made {
    /// The certificate file.
    pub cert: PathBuf,
    /// The private key file (readable by its owner only).
    pub key: PathBuf,
    /// The names and addresses it is valid for.
    pub names: Vec<String>,
    /// Its SHA-256 fingerprint.
    pub fingerprint: String,
}

/// Make a self-signed certificate for `names` (host names and IP addresses) in `dir`, as
/// `cert.pem` and `key.pem`, replacing any there.
pub fn make_certificate(dir: &Path, names: &[String]) -> Result<Made, TlsError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut params =
        rcgen::CertificateParams::new(names.to_vec()).map_err(|e| TlsError::Make(e.to_string()))?;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(365 * VALID_YEARS);
    let host = names.first().map_or("loaxa", String::as_str);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, format!("Loa Xã {host}"));
    let key = rcgen::KeyPair::generate().map_err(|e| TlsError::Make(e.to_string()))?;
    let cert = params
        .self_signed(&key)
        .map_err(|e| TlsError::Make(e.to_string()))?;
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    write_private(&key_path, key.serialize_pem().as_bytes())?;
    std::fs::write(&cert_path, cert.pem()).map_err(io(&cert_path))?;
    Ok(Made {
        fingerprint: fingerprint(cert.der()),
        cert: cert_path,
        key: key_path,
        names: names.to_vec(),
    })
}

/// Write `bytes` to `path` readable and writable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), TlsError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

/// The names browsers may reach this machine by: its host name, `NAME.local` (mDNS),
/// `localhost`, and the addresses of its network interfaces.
pub fn this_machine_names() -> Vec<String> {
    let mut names = Vec::new();
    if let Ok(host) = nix::unistd::gethostname()
        && let Some(host) = host.to_str().filter(|h| !h.is_empty())
    {
        names.push(host.to_string());
        if !host.contains('.') {
            names.push(format!("{host}.local"));
        }
    }
    names.push("localhost".into());
    let mut addresses: Vec<IpAddr> = vec![IpAddr::from([127, 0, 0, 1])];
    if let Ok(interfaces) = nix::ifaddrs::getifaddrs() {
        for a in interfaces.filter_map(|i| i.address) {
            let ip = match (a.as_sockaddr_in(), a.as_sockaddr_in6()) {
                (Some(v4), _) => IpAddr::from(v4.ip()),
                (_, Some(v6)) if !v6.ip().is_unicast_link_local() => IpAddr::from(v6.ip()),
                _ => continue,
            };
            if !addresses.contains(&ip) {
                addresses.push(ip);
            }
        }
    }
    names.extend(addresses.iter().map(IpAddr::to_string));
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_certificate_loads_and_its_fingerprint_is_stable() {
        let dir = tempfile::tempdir().unwrap();
        let made = make_certificate(dir.path(), &["loa-xa".into(), "127.0.0.1".into()]).unwrap();
        let config = WebConfig {
            tls_cert: made.cert.clone(),
            tls_key: made.key.clone(),
            ..WebConfig::default()
        };
        let (_, fingerprint) = acceptor(&config).unwrap();
        assert_eq!(fingerprint, made.fingerprint);
        assert_eq!(fingerprint_of(&made.cert).unwrap(), made.fingerprint);
        assert_eq!(fingerprint.len(), 32 * 3 - 1);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&made.key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key is its owner's only");
    }

    #[test]
    fn a_missing_or_wrong_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate").unwrap();
        let e = fingerprint_of(&junk).unwrap_err();
        assert!(e.to_string().contains("junk.pem"), "{e}");
        let e = fingerprint_of(&dir.path().join("none.pem")).unwrap_err();
        assert!(matches!(e, TlsError::Io { .. }), "{e}");
    }

    #[test]
    fn this_machine_is_named_by_loopback_at_least() {
        let names = this_machine_names();
        assert!(names.contains(&"127.0.0.1".to_string()), "{names:?}");
        assert!(names.contains(&"localhost".to_string()), "{names:?}");
    }
}
