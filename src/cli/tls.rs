//! `loaxa tls`: the certificate HTTPS uses. `init` makes one for this Pi (its host name,
//! `NAME.local`, `localhost` and its addresses) and prints the lines to put in `[web]`;
//! `show` prints the configured one's SHA-256 fingerprint, which staff compare with what their
//! browser shows before trusting it. Parsing and printing only; the certificate work is
//! `web::tls`'s.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use loaxa::web::tls;

/// `loaxa tls ...`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Tạo chứng chỉ HTTPS cho máy này / make an HTTPS certificate for this machine.
    Init {
        /// Thư mục lưu / where to write cert.pem and key.pem (default: DATA_DIR/tls).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Tên hoặc địa chỉ thêm / more names or addresses it is valid for (repeatable).
        #[arg(long = "name", value_name = "NAME")]
        names: Vec<String>,
    },
    /// Dấu vân tay của chứng chỉ đang dùng / the configured certificate's fingerprint.
    Show,
}

/// Run a `tls` subcommand.
pub fn run(config_path: Option<&Path>, command: Command) -> Result<ExitCode> {
    let config = super::load_config(config_path)?.config;
    match command {
        Command::Init { dir, names } => {
            let dir = dir.unwrap_or_else(|| config.data_dir.join("tls"));
            let mut all = tls::this_machine_names();
            for n in names {
                if !all.contains(&n) {
                    all.push(n);
                }
            }
            let made = tls::make_certificate(&dir, &all)?;
            println!(
                "Đã tạo chứng chỉ / made the certificate: {}",
                made.cert.display()
            );
            println!("Dùng cho / valid for: {}", made.names.join(", "));
            println!("SHA-256: {}", made.fingerprint);
            println!();
            println!("Thêm vào loaxa.toml rồi khởi động lại / add to loaxa.toml, then restart:");
            println!("[web]");
            println!("tls_cert = \"{}\"", made.cert.display());
            println!("tls_key = \"{}\"", made.key.display());
        }
        Command::Show => {
            if !config.web.tls() {
                anyhow::bail!(
                    "HTTPS chưa bật (web.tls_cert trống) — chạy `loaxa tls init` / HTTPS is off (web.tls_cert is empty) — run `loaxa tls init`"
                );
            }
            println!("{}", tls::fingerprint_of(&config.web.tls_cert)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
