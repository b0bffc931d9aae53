//! Settings the rules depend on (token lifetimes, throttles, job retries).

use std::fmt;
use std::time::Duration;

/// A secret value whose `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(**redacted**)")
    }
}

/// Knobs of the domain, with production defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Key that signs access tokens (HS256).
    pub jwt_secret: Secret,
    /// Keys that seal secrets stored in the database (TOTP secrets, …).
    pub secrets: crate::sealed::Keys,
    /// Base URL links in emails point to, without a trailing slash.
    pub public_url: String,
    /// Lifetime of an access token.
    pub access_ttl: Duration,
    /// Lifetime of a refresh token.
    pub refresh_ttl: Duration,
    /// How long after a refresh token is spent presenting it again still continues the
    /// session (two tabs refreshing at once) instead of revoking the family.
    pub refresh_reuse_leeway: Duration,
    /// Lifetime of an invitation link.
    pub invitation_ttl: Duration,
    /// Lifetime of an email verification link.
    pub verification_ttl: Duration,
    /// Failed log-ins per account inside `login_window` before `RATE_LIMITED`.
    pub login_max_failures: i32,
    /// The first wait the account-wide budget imposes once its free attempts are spent
    /// (for addresses the account has not logged in from); it doubles with each attempt.
    pub login_account_delay: Duration,
    /// Failed log-ins per client address inside `login_window` before `RATE_LIMITED`.
    pub login_max_failures_per_ip: i32,
    /// Sign-ups from one client address inside `login_window` (an office signs up
    /// and invites colleagues; a script does not get far).
    pub signups_per_ip: i32,
    /// The window failed log-ins are counted in, and how long a lock lasts.
    pub login_window: Duration,
    /// First retry delay of a failed job; doubles each attempt.
    pub job_backoff_base: Duration,
    /// Longest retry delay.
    pub job_backoff_max: Duration,
    /// How long a claimed job is leased to its worker.
    pub job_lease: Duration,
    /// Attempts before a job is dead.
    pub job_max_attempts: i32,
    /// Invitations one workspace may send per hour (an office inviting a handful a
    /// minute passes; a script spamming addresses from a workspace does not).
    pub invitations_per_hour: u32,
    /// Largest file an import may upload.
    pub import_max_bytes: u64,
    /// Rows an import reads, writes and commits at a time (with its position in the
    /// file): what a worker killed mid-way does again at most.
    pub import_batch_rows: usize,
    /// Soft bounces (temporary failures reported back) after which an address is
    /// suppressed.
    pub soft_bounce_limit: i32,
    /// How far behind the present event detection reads: the longest a transaction
    /// writing events may take without detection skipping them.
    pub detection_lag: Duration,
}

impl Settings {
    /// Defaults around a signing key and public URL.
    pub fn new(jwt_secret: Secret, public_url: impl Into<String>) -> Self {
        // A key for this process alone until configuration names the kept one.
        let secrets = crate::sealed::Keys::random("ephemeral");
        Settings {
            jwt_secret,
            secrets,
            public_url: public_url.into().trim_end_matches('/').to_owned(),
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            refresh_reuse_leeway: Duration::from_secs(20),
            invitation_ttl: Duration::from_secs(7 * 24 * 3600),
            verification_ttl: Duration::from_secs(3 * 24 * 3600),
            login_max_failures: 5,
            login_max_failures_per_ip: 100,
            login_account_delay: Duration::from_secs(1),
            login_window: Duration::from_secs(15 * 60),
            signups_per_ip: 30,
            job_backoff_base: Duration::from_secs(2),
            job_backoff_max: Duration::from_secs(15 * 60),
            job_lease: Duration::from_secs(60),
            job_max_attempts: 12,
            invitations_per_hour: 50,
            import_max_bytes: 1 << 30,
            import_batch_rows: 1_000,
            soft_bounce_limit: 3,
            detection_lag: Duration::from_millis(250),
        }
    }
}
