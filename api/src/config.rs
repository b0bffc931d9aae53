//! Configuration: defaults < `parley.toml` < environment, then checked.

use std::path::{Path, PathBuf};

use domain::Secret;
use serde::Deserialize;

/// Everything the binary can be told.
#[derive(Debug, Clone)]
pub struct Config {
    /// Owner database URL (migrations run with it).
    pub database_url: String,
    /// Runtime database URL (PostgreSQL: the `parley_app` role).
    pub database_app_url: Option<String>,
    /// Password of the derived runtime role.
    pub database_app_password: Option<Secret>,
    /// Listen address.
    pub http_addr: String,
    /// Base URL users reach Parley at (links in emails).
    pub public_url: String,
    /// Where the embedded database and generated secrets live.
    pub data_dir: PathBuf,
    /// Access-token signing key.
    pub jwt_secret: Secret,
    /// Keys sealing the secrets kept in the database (current first).
    pub secrets_key: domain::sealed::Keys,
    /// SMTP server (`smtp://host:port`) or a development outbox (`file:///dir`).
    pub smtp_url: String,
    /// From header of Parley's own emails.
    pub mail_from: String,
    /// The built web assets (`site/`, with `pkg/web.js` and `pkg/web_bg.wasm`).
    pub site_root: PathBuf,
    /// `json` for structured logs, else human-readable.
    pub log_format: String,
    /// Stripe secret key (billing).
    pub stripe_secret_key: Option<Secret>,
    /// Stripe webhook signing secret.
    pub stripe_webhook_secret: Option<Secret>,
    /// Stripe API base URL (a local fake in tests).
    pub stripe_api_base: String,
    /// Whether this is a production deployment (then secrets must be given).
    pub production: bool,
    /// First retry delay of a failed job, in milliseconds.
    pub job_backoff_ms: u64,
    /// Sign-ups allowed from one address per 15 minutes.
    pub signups_per_ip: i32,
    /// How long a worker holds a claimed job before others may take it, in milliseconds.
    pub job_lease_ms: u64,
    /// Invitations one workspace may send per hour.
    pub invitations_per_hour: u32,
    /// Proxies (CIDRs) whose `X-Forwarded-For` / `Forwarded` headers name the client;
    /// from anywhere else the socket's address is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Most operations one GraphQL batch may hold.
    pub graphql_max_batch: usize,
    /// Largest import upload, in MiB.
    pub import_max_mib: u64,
    /// Rows an import writes per transaction.
    pub import_batch_rows: usize,
    /// How far behind the present event detection reads, in milliseconds.
    pub detection_lag_ms: u64,
    /// How long a spent refresh token still continues its session, in milliseconds.
    pub refresh_reuse_leeway_ms: u64,
    /// Failed log-ins per account and address per window before a lock.
    pub login_max_failures: i32,
    /// First wait of the account-wide log-in budget, in milliseconds (then doubling).
    pub login_account_delay_ms: u64,
    /// Campaign messages one worker hands to the SMTP server at once (its pool size).
    pub email_connections: usize,
    /// Campaign messages to one destination domain at once.
    pub email_domain_concurrency: usize,
    /// Campaign messages to one destination domain per second (0: no limit).
    pub email_domain_rate: u32,
    /// Campaign sends claimed per batch.
    pub email_batch: u64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    database_app_url: Option<String>,
    database_app_password: Option<String>,
    http_addr: Option<String>,
    public_url: Option<String>,
    data_dir: Option<PathBuf>,
    jwt_secret: Option<String>,
    secrets_key: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    site_root: Option<PathBuf>,
    log_format: Option<String>,
    stripe_secret_key: Option<String>,
    stripe_webhook_secret: Option<String>,
    stripe_api_base: Option<String>,
    env: Option<String>,
}

/// A configuration problem, naming the setting.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {setting}: {message}")]
pub struct ConfigError {
    /// The setting (environment name).
    pub setting: String,
    /// What is wrong.
    pub message: String,
}

fn err(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError { setting: setting.into(), message: message.into() }
}

impl Config {
    /// Loads from `parley.toml` (or `PARLEY_CONFIG`) and the environment.
    pub fn load() -> Result<Config, ConfigError> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let path = env("PARLEY_CONFIG").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("parley.toml"));
        let file = if path.exists() {
            let text =
                std::fs::read_to_string(&path).map_err(|e| err("PARLEY_CONFIG", format!("{}: {e}", path.display())))?;
            toml::from_str::<FileConfig>(&text).map_err(|e| err("PARLEY_CONFIG", format!("{}: {e}", path.display())))?
        } else {
            FileConfig::default()
        };
        Self::from_sources(file, env)
    }

    /// Loads from the environment alone (tests pass their own lookup).
    pub fn from_env_fn(env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        Self::from_sources(FileConfig::default(), env)
    }

    fn from_sources(file: FileConfig, env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let production = env("PARLEY_ENV").or(file.env).is_some_and(|e| e == "production");
        let data_dir =
            env("PARLEY_DATA_DIR").map(PathBuf::from).or(file.data_dir).unwrap_or_else(|| PathBuf::from("data"));
        let http_addr = env("PARLEY_HTTP_ADDR").or(file.http_addr).unwrap_or_else(|| "127.0.0.1:8080".into());
        http_addr.parse::<std::net::SocketAddr>().map_err(|e| err("PARLEY_HTTP_ADDR", e.to_string()))?;
        let public_url = env("PARLEY_PUBLIC_URL").or(file.public_url).unwrap_or_else(|| format!("http://{http_addr}"));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(err("PARLEY_PUBLIC_URL", "must start with http:// or https://"));
        }
        let database_url = match env("PARLEY_DATABASE_URL").or(file.database_url) {
            Some(u) => u,
            None => format!("sqlite://{}?mode=rwc", data_dir.join("parley.db").display()),
        };
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(err("PARLEY_DATABASE_URL", "must be a sqlite: or postgres:// URL"));
        }
        let jwt_secret = match env("PARLEY_JWT_SECRET").or(file.jwt_secret) {
            Some(s) if s.len() < 32 => return Err(err("PARLEY_JWT_SECRET", "must be at least 32 characters")),
            Some(s) => Some(Secret::new(s)),
            None if production => return Err(err("PARLEY_JWT_SECRET", "is required in production")),
            None => None,
        };
        let jwt_secret = match jwt_secret {
            Some(s) => s,
            None => dev_secret(&data_dir)?,
        };
        let secrets_key = match env("PARLEY_SECRETS_KEY").or(file.secrets_key) {
            Some(raw) => domain::sealed::Keys::parse(&raw).map_err(|e| err("PARLEY_SECRETS_KEY", e))?,
            None if production => return Err(err("PARLEY_SECRETS_KEY", "is required in production")),
            None => dev_sealing_keys(&data_dir)?,
        };
        let smtp_url = env("PARLEY_SMTP_URL")
            .or(file.smtp_url)
            .unwrap_or_else(|| format!("file://{}", absolute(&data_dir.join("outbox")).display()));
        Ok(Config {
            database_url,
            database_app_url: env("PARLEY_DATABASE_APP_URL").or(file.database_app_url),
            database_app_password: env("PARLEY_DATABASE_APP_PASSWORD").or(file.database_app_password).map(Secret::new),
            http_addr,
            public_url,
            data_dir,
            jwt_secret,
            secrets_key,
            smtp_url,
            mail_from: env("PARLEY_MAIL_FROM")
                .or(file.mail_from)
                .unwrap_or_else(|| "Parley <no-reply@parley.localhost>".into()),
            site_root: env("PARLEY_SITE_ROOT")
                .map(PathBuf::from)
                .or(file.site_root)
                .unwrap_or_else(|| PathBuf::from("site")),
            log_format: env("PARLEY_LOG_FORMAT").or(file.log_format).unwrap_or_else(|| "text".into()),
            stripe_secret_key: env("PARLEY_STRIPE_SECRET_KEY").or(file.stripe_secret_key).map(Secret::new),
            stripe_webhook_secret: env("PARLEY_STRIPE_WEBHOOK_SECRET").or(file.stripe_webhook_secret).map(Secret::new),
            stripe_api_base: env("PARLEY_STRIPE_API_BASE")
                .or(file.stripe_api_base)
                .unwrap_or_else(|| "https://api.stripe.com".into()),
            production,
            // Every number is bounded here, so a typo (a lease of years, a zero limit)
            // is refused at start instead of overflowing a timestamp later.
            job_backoff_ms: bounded(&env, "PARLEY_JOB_BACKOFF_MS", 2000, 1, HOUR_MS)?,
            signups_per_ip: bounded(&env, "PARLEY_SIGNUPS_PER_IP", 30, 1, 1_000_000)?,
            job_lease_ms: bounded(&env, "PARLEY_JOB_LEASE_MS", 60_000, 100, 24 * HOUR_MS)?,
            invitations_per_hour: bounded(&env, "PARLEY_INVITATIONS_PER_HOUR", 50, 1, 100_000)?,
            trusted_proxies: trusted_proxies(env("PARLEY_TRUSTED_PROXIES"))?,
            graphql_max_batch: bounded(&env, "PARLEY_GRAPHQL_MAX_BATCH", 10, 1, 100)?,
            import_max_mib: bounded(&env, "PARLEY_IMPORT_MAX_MIB", 1024, 1, 64 * 1024)?,
            import_batch_rows: bounded(&env, "PARLEY_IMPORT_BATCH_ROWS", 1000, 10, 10_000)?,
            detection_lag_ms: bounded(&env, "PARLEY_DETECTION_LAG_MS", 250, 0, 10_000)?,
            refresh_reuse_leeway_ms: bounded(&env, "PARLEY_REFRESH_LEEWAY_MS", 20_000, 0, 300_000)?,
            login_max_failures: bounded(&env, "PARLEY_LOGIN_MAX_FAILURES", 5, 1, 1000)?,
            login_account_delay_ms: bounded(&env, "PARLEY_LOGIN_ACCOUNT_DELAY_MS", 1000, 1, 15 * 60 * 1000)?,
            email_connections: bounded(&env, "PARLEY_EMAIL_CONNECTIONS", 16, 1, 500)?,
            email_domain_concurrency: bounded(&env, "PARLEY_EMAIL_DOMAIN_CONCURRENCY", 8, 1, 500)?,
            email_domain_rate: bounded(&env, "PARLEY_EMAIL_DOMAIN_RATE", 0, 0, 100_000)?,
            email_batch: bounded(&env, "PARLEY_EMAIL_BATCH", 200, 1, 5_000)?,
        })
    }

    /// The database settings for the domain.
    pub fn db(&self) -> domain::DbConfig {
        let mut c = domain::DbConfig::new(self.database_url.clone());
        c.app_url = self.database_app_url.clone();
        c.app_password = self.database_app_password.as_ref().map(|s| s.expose().to_owned());
        c
    }

    /// Where and how the workers send email.
    pub fn mailer(&self) -> workers::MailerConfig {
        workers::MailerConfig {
            url: self.smtp_url.clone(),
            from: self.mail_from.clone(),
            limits: workers::SendingLimits {
                connections: self.email_connections,
                per_domain: self.email_domain_concurrency,
                per_domain_rate: std::num::NonZeroU32::new(self.email_domain_rate),
                batch: self.email_batch,
            },
        }
    }

    /// The domain settings.
    pub fn settings(&self) -> domain::Settings {
        let mut s = domain::Settings::new(self.jwt_secret.clone(), self.public_url.clone());
        s.secrets = self.secrets_key.clone();
        s.job_backoff_base = std::time::Duration::from_millis(self.job_backoff_ms);
        s.signups_per_ip = self.signups_per_ip;
        s.job_lease = std::time::Duration::from_millis(self.job_lease_ms);
        s.invitations_per_hour = self.invitations_per_hour;
        s.import_max_bytes = self.import_max_mib << 20;
        s.import_batch_rows = self.import_batch_rows;
        s.detection_lag = std::time::Duration::from_millis(self.detection_lag_ms);
        s.refresh_reuse_leeway = std::time::Duration::from_millis(self.refresh_reuse_leeway_ms);
        s.login_max_failures = self.login_max_failures;
        s.login_account_delay = std::time::Duration::from_millis(self.login_account_delay_ms);
        s
    }
}

const HOUR_MS: u64 = 3_600_000;

/// A comma-separated list of CIDRs (a bare address means just that address).
fn trusted_proxies(raw: Option<String>) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    let Some(raw) = raw else { return Ok(Vec::new()) };
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>().or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from)).map_err(|_| {
                err("PARLEY_TRUSTED_PROXIES", format!("{s:?} is not an address or CIDR (like 10.0.0.0/8)"))
            })
        })
        .collect()
}

/// A whole number between `min` and `max` (inclusive), or `default` when unset.
fn bounded<T>(env: &impl Fn(&str) -> Option<String>, key: &str, default: T, min: T, max: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    let Some(v) = env(key) else { return Ok(default) };
    let range = || format!("must be a whole number from {min} to {max}");
    let n: T = v.trim().parse().map_err(|_| err(key, range()))?;
    if n < min || n > max {
        return Err(err(key, format!("{} (got {n})", range())));
    }
    Ok(n)
}

fn absolute(p: &Path) -> PathBuf {
    std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())
}

/// In development the sealing key is generated once and kept in the data directory,
/// beside (not inside) the database, like the signing key.
fn dev_sealing_keys(data_dir: &Path) -> Result<domain::sealed::Keys, ConfigError> {
    let path = data_dir.join("secrets-key");
    if let Ok(s) = std::fs::read_to_string(&path) {
        return domain::sealed::Keys::parse(s.trim())
            .map_err(|e| err("PARLEY_DATA_DIR", format!("{}: {e}", path.display())));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| err("PARLEY_DATA_DIR", format!("{}: {e}", data_dir.display())))?;
    let key = domain::sealed::Keys::generate("dev1");
    std::fs::write(&path, &key).map_err(|e| err("PARLEY_DATA_DIR", format!("{}: {e}", path.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    domain::sealed::Keys::parse(&key).map_err(|e| err("PARLEY_SECRETS_KEY", e))
}

/// In development a signing key is generated once and kept in the data directory.
fn dev_secret(data_dir: &Path) -> Result<Secret, ConfigError> {
    let path = data_dir.join("jwt-secret");
    if let Ok(s) = std::fs::read_to_string(&path)
        && s.trim().len() >= 32
    {
        return Ok(Secret::new(s.trim()));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| err("PARLEY_DATA_DIR", format!("{}: {e}", data_dir.display())))?;
    let secret = domain::crypto::random_token();
    std::fs::write(&path, &secret).map_err(|e| err("PARLEY_DATA_DIR", format!("{}: {e}", path.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(Secret::new(secret))
}
