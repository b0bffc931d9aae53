//! Proving who you are: the password and the second factor, behind one throttle.
//!
//! Every check of a password or a code (log-in, accepting an invitation as an existing
//! account, changing the password or the email, turning two-factor log-in on or off,
//! new recovery codes) reserves an attempt first, under three keys:
//!
//! - the account at this address (`login:<email>|<address>`): a few attempts per
//!   window, then locked. A stranger elsewhere cannot fill the owner's budget.
//! - the address (`login-ip:<address>`): a high bar, so one machine cannot try many
//!   accounts; an office behind one address stays well under it.
//! - the account from anywhere (`login:<email>`), only for addresses the account has
//!   not logged in from before: after a free allowance each attempt doubles the wait
//!   before the next, so guesses spread over many addresses slow to a crawl while the
//!   owner, at an address they have used, is not kept out.

use sea_orm::{ActiveValue::Set, EntityTrait, sea_query::OnConflict};

use crate::crypto::{sha256_hex, verify_dummy, verify_password};
use crate::identity::accounts::Client;
use crate::throttle::{self, Limit};
use crate::{Error, Parley, Result, User, now};
use entities::login_address;

/// How long an address stays known to an account after a log-in from it.
const KNOWN_FOR: chrono::Duration = chrono::Duration::days(90);

/// An attempt whose budget is reserved; [`Attempt::succeeded`] gives it back.
#[derive(Debug)]
pub(crate) struct Attempt {
    pair: String,
    address: String,
    account: Option<String>,
    known_key: String,
}

/// Reserves one attempt to prove to be the owner of `email` from `client`'s address;
/// `RateLimited` when any budget is spent. Call it before looking anything up.
pub(crate) async fn begin(p: &Parley, email: &str, client: &Client) -> Result<Attempt> {
    let s = p.settings();
    let ip = client.address();
    let db = p.db();
    let address = format!("login-ip:{ip}");
    throttle::reserve(db, &address, Limit::Window { max: s.login_max_failures_per_ip, window: s.login_window }).await?;
    let pair = format!("login:{email}|{ip}");
    throttle::reserve(db, &pair, Limit::Window { max: s.login_max_failures, window: s.login_window }).await?;
    let known_key = sha256_hex(&format!("{email}|{ip}"));
    let known = login_address::Entity::find_by_id(known_key.clone())
        .one(db.global())
        .await?
        .is_some_and(|k| k.last_seen_at > now() - KNOWN_FOR);
    let account = if known {
        None
    } else {
        let key = format!("login:{email}");
        throttle::reserve(
            db,
            &key,
            Limit::Growing {
                free: s.login_max_failures.saturating_mul(2),
                window: s.login_window,
                first: s.login_account_delay,
                cap: s.login_window,
            },
        )
        .await?;
        Some(key)
    };
    Ok(Attempt { pair, address, account, known_key })
}

impl Attempt {
    /// The attempt proved the person: forget this address's failures for the account,
    /// give back the other reservations, and remember the address.
    pub(crate) async fn succeeded(self, p: &Parley) -> Result<()> {
        let conn = p.db().global();
        throttle::clear(conn, &self.pair).await?;
        throttle::release(conn, &self.address).await?;
        if let Some(account) = &self.account {
            throttle::release(conn, account).await?;
        }
        login_address::Entity::insert(login_address::ActiveModel {
            key: Set(self.known_key),
            last_seen_at: Set(now()),
        })
        .on_conflict(
            OnConflict::column(login_address::Column::Key).update_column(login_address::Column::LastSeenAt).to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
        Ok(())
    }
}

/// Checks `password` against the account found for an email (or a throwaway hash when
/// there is none, so both cost the same time), after [`begin`] reserved the attempt.
pub(crate) async fn password_matches(user: Option<&User>, password: &str) -> Result<bool> {
    match user {
        Some(u) => verify_password(password.to_owned(), u.password_hash.clone()).await,
        None => verify_dummy(password.to_owned()).await.map(|_| false),
    }
}

/// Proves that the signed-in `user` knows their password (before a sensitive change);
/// a wrong one answers `BAD_USER_INPUT` on `field` and counts against the budget.
pub(crate) async fn current_password(
    p: &Parley,
    user: &User,
    password: &str,
    field: &'static str,
    client: &Client,
) -> Result<()> {
    if password.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    let attempt = begin(p, &user.email, client).await?;
    if !password_matches(Some(user), password).await? {
        return Err(Error::invalid(field, "is wrong"));
    }
    attempt.succeeded(p).await
}
