//! `loaxa user add|list`, `loaxa token create|list|revoke` and `loaxa setup-link`: accounts
//! from the server's shell, for the IT person (and for scripts that need an API token).
//! It decides nothing about accounts itself: the rules are `station::accounts`', the rows the store's.

use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use chrono::Utc;
use loaxa::model::{Role, TokenScope};
use loaxa::station::accounts::{self, AccountsError, NewAccount};
use loaxa::store::{Store, users};

/// `loaxa user ...`
#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Thêm người dùng; mật khẩu đọc từ stdin / add a user; the password is read from stdin.
    Add {
        /// Tên đăng nhập / login name (a–z, 0–9, . - _).
        name: String,
        /// Vai trò / role: admin, approver, editor, operator.
        #[arg(long)]
        role: Role,
        /// Họ tên hiển thị / name shown on pages (default: the login name).
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Liệt kê người dùng / list users.
    List,
}

/// `loaxa token ...`
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Tạo mã API cho script / create an API token for scripts; printed once.
    Create {
        /// Người dùng sở hữu mã / the user the token acts as.
        #[arg(long)]
        user: String,
        /// Ghi chú / what the token is for.
        #[arg(long, default_value = "script")]
        label: String,
        /// Phạm vi / what it may do: role (all the user's role allows), cap (only post CAP
        /// alerts), read (only read).
        #[arg(long, default_value = "role")]
        scope: TokenScope,
    },
    /// Liệt kê mã API (không hiện mã) / list API tokens (never their secrets).
    List,
    /// Thu hồi một mã API / revoke an API token: scripts using it are refused from now on.
    Revoke {
        /// Số của mã, cột đầu của `loaxa token list` / the token's id, first column of
        /// `loaxa token list`.
        id: i64,
    },
}

fn open(config_path: Option<&Path>) -> Result<Store> {
    let loaded = super::load_config(config_path)?;
    Ok(Store::open(&loaded.config.database_path())?)
}

/// Run a `user` subcommand.
pub fn run_user(config_path: Option<&Path>, command: UserCommand) -> Result<ExitCode> {
    let store = open(config_path)?;
    match command {
        UserCommand::Add {
            name,
            role,
            display_name,
        } => {
            let new = NewAccount {
                display_name: display_name.unwrap_or_else(|| name.clone()),
                name,
                role,
                password: read_password()?,
            };
            let user = accounts::create_user(&store, "cli", &new)?;
            println!("{}\t{}\t{}", user.id, user.name, user.role);
        }
        UserCommand::List => {
            for u in store.with(|c| Ok(users::list(c)?))? {
                let state = if u.active { "" } else { "\t(khoá / disabled)" };
                println!(
                    "{}\t{}\t{}\t{}{state}",
                    u.id, u.name, u.role, u.display_name
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Run a `token` subcommand.
pub fn run_token(config_path: Option<&Path>, command: TokenCommand) -> Result<ExitCode> {
    let store = open(config_path)?;
    match command {
        TokenCommand::Create { user, label, scope } => {
            let token = accounts::create_token(&store, "cli", &user, &label, scope).map_err(
                |e| match e {
                    AccountsError::NoSuchUser(_) => anyhow!("{e} (see `loaxa user list`)"),
                    e => e.into(),
                },
            )?;
            println!("{token}");
            eprintln!(
                "Lưu mã này ngay: nó không được hiện lại. / Keep this token now: it is not shown again."
            );
        }
        TokenCommand::List => {
            println!("id\tuser\tlabel\tscope\tcreated\tlast_used\trevoked");
            for t in accounts::tokens(&store, None)? {
                let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.user_name,
                    t.label,
                    t.scope,
                    t.created_at,
                    or_dash(t.last_used_at),
                    or_dash(t.revoked_at)
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let t = accounts::revoke_token(&store, "cli", id, Utc::now())?;
            println!(
                "đã thu hồi mã {id} ({}, {}) / revoked token {id} ({}, {})",
                t.user_name, t.label, t.user_name, t.label
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `loaxa setup-link`: a new one-time link that creates the first administrator (the one
/// printed before stops working), while no account exists.
pub fn run_setup_link(config_path: Option<&Path>) -> Result<ExitCode> {
    let loaded = super::load_config(config_path)?;
    let store = Store::open(&loaded.config.database_path())?;
    let Some(path) = accounts::first_run_link(&store, Utc::now())? else {
        bail!(
            "đã có tài khoản nên không cần liên kết tạo quản trị: thêm người bằng `loaxa user add`, hoặc đặt lại mật khẩu ở trang Người dùng / an account exists already, so no setup link is needed: add people with `loaxa user add`, or reset a password on the Users page"
        );
    };
    super::serve::print_first_run_link(&loaded.config.web, &path);
    Ok(ExitCode::SUCCESS)
}

/// The password from stdin: typed at a prompt, or piped by a script (first line).
fn read_password() -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!(
            "Mật khẩu / password (≥ {} ký tự/chars): ",
            loaxa::accounts::MIN_PASSWORD_CHARS
        );
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!(
            "hãy nhập mật khẩu trên stdin, ví dụ: echo 'mật khẩu dài' | loaxa user add ... / give the password on stdin, e.g. echo 'a long passphrase' | loaxa user add ..."
        );
    }
    Ok(password)
}
