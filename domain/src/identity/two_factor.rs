//! Two-factor log-in with an authenticator app (TOTP, RFC 6238: HMAC-SHA-1, six digits,
//! 30-second steps, one step of clock drift either way) and one-time recovery codes.
//!
//! Turning it on takes two steps, so nobody locks themself out: [`start_setup`] makes a
//! secret for the user's app, and [`confirm_setup`] switches it on only once a code from
//! that app checks out, handing back recovery codes (shown once, stored hashed). From
//! then on [`crate::identity::accounts::log_in`] asks for a code after the password. A code is
//! accepted once (RFC 6238 §5.2), and wrong codes count as failed log-ins.

use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use totp_rs::{Builder, Secret, Totp};

use crate::crypto::sha256_hex;
use crate::db::Scope;
use crate::identity::accounts::Client;
use crate::identity::security::{self, Notice};
use crate::sealed::Keys;
use crate::{Error, Parley, Result, new_id, now, proof};
use crate::{UserCtx, UserId};
use entities::{recovery_code, user_totp};

/// How many recovery codes a user gets.
pub const RECOVERY_CODES: usize = 10;
/// Shown in authenticator apps beside the account.
const ISSUER: &str = "Parley";
/// Letters and digits that cannot be mistaken for one another when copied by hand.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// What the user adds to their authenticator app.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The shared secret, base32, for typing into the app.
    pub secret: String,
    /// The `otpauth://` URI (what a QR code would hold).
    pub uri: String,
}

/// How the second factor of a log-in went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SecondFactor {
    /// The account has no second factor.
    NotNeeded,
    /// A fresh code from the app was given.
    Passed,
    /// An unused recovery code was given (and is now spent).
    PassedWithRecoveryCode,
    /// The account has one, and no code came with the log-in.
    Missing,
    /// The code was wrong, expired, or already used.
    Wrong,
}

/// What a TOTP secret is sealed for: its owner, so a sealed secret copied onto another
/// account's row does not open.
fn purpose(user_id: UserId) -> String {
    format!("totp:{user_id}")
}

/// The app's generator for a stored (sealed) secret.
fn stored_totp(keys: &Keys, row: &user_totp::Model) -> Result<Totp> {
    totp(&keys.open(&purpose(row.user_id), &row.secret)?)
}

fn totp(secret: &str) -> Result<Totp> {
    let secret = Secret::try_from_base32(secret).map_err(|e| Error::internal(format!("stored TOTP secret: {e}")))?;
    Builder::new().with_secret(secret).build().map_err(|e| Error::internal(format!("TOTP: {e}")))
}

fn unix_now() -> u64 {
    u64::try_from(now().timestamp()).unwrap_or(0)
}

/// Percent-encodes one part of the `otpauth://` URI.
fn encode(part: &str) -> String {
    url::form_urlencoded::byte_serialize(part.as_bytes()).collect::<String>().replace('+', "%20")
}

/// A recovery code as the user reads it: `xxxxx-xxxxx`.
fn new_recovery_code() -> String {
    let mut rng = rand::rng();
    let mut pick = || char::from(RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())]);
    let first: String = (0..5).map(|_| pick()).collect();
    let second: String = (0..5).map(|_| pick()).collect();
    format!("{first}-{second}")
}

/// The form a recovery code is hashed in: lower case, without spaces or dashes.
fn normalize_recovery_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Whether the user has two-factor log-in turned on.
pub async fn enabled(user: &UserCtx, p: &Parley) -> Result<bool> {
    let user_id = user.id();
    let row = user_totp::Entity::find_by_id(user_id).one(p.db().global()).await?;
    Ok(row.is_some_and(|r| r.enabled_at.is_some()))
}

/// Makes a new secret for the user's authenticator app (replacing an unconfirmed one),
/// once the current password proves it is the user (a stolen access token alone must
/// not be able to tie the account to someone else's app). Nothing changes at log-in
/// until [`confirm_setup`].
pub async fn start_setup(user: &UserCtx, p: &Parley, password: &str, client: &Client) -> Result<Setup> {
    let user_id = user.id();
    let user = crate::identity::accounts::user_by_id(p, user_id).await?;
    proof::current_password(p, &user, password, "password", client).await?;
    let bytes: [u8; 20] = rand::rng().random();
    let secret = Secret::from(bytes).to_base32();
    let sealed = p.settings().secrets.seal(&purpose(user_id), &secret)?;
    let txn = p.db().begin(Scope { user: Some(user_id), ..Default::default() }).await?;
    match user_totp::Entity::find_by_id(user_id).one(&txn).await? {
        Some(row) if row.enabled_at.is_some() => {
            return Err(Error::Conflict("two-factor log-in is already on; turn it off first to change apps".into()));
        }
        Some(row) => {
            let mut row: user_totp::ActiveModel = row.into();
            row.secret = Set(sealed);
            row.created_at = Set(now());
            row.update(&txn).await?;
        }
        None => {
            user_totp::ActiveModel {
                user_id: Set(user_id),
                secret: Set(sealed),
                created_at: Set(now()),
                enabled_at: Set(None),
                last_step: Set(0),
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    let label = format!("{ISSUER}:{}", user.email);
    let uri = format!(
        "otpauth://totp/{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period=30",
        encode(&label),
        encode(ISSUER)
    );
    Ok(Setup { secret, uri })
}

/// Turns two-factor log-in on once `code` from the user's app matches the secret of
/// [`start_setup`]; returns the recovery codes, which are not shown again.
pub async fn confirm_setup(user: &UserCtx, p: &Parley, code: &str, client: &Client) -> Result<Vec<String>> {
    let user_id = user.id();
    let code = code.trim();
    if code.is_empty() {
        return Err(Error::invalid("code", "enter the 6-digit code your app shows"));
    }
    let user = crate::identity::accounts::user_by_id(p, user_id).await?;
    let attempt = proof::begin(p, &user.email, client).await?;
    let txn = p.db().begin(Scope { user: Some(user_id), ..Default::default() }).await?;
    let row = user_totp::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or_else(|| Error::invalid("code", "start the set-up first"))?;
    if row.enabled_at.is_some() {
        return Err(Error::Conflict("two-factor log-in is already on".into()));
    }
    let step = stored_totp(&p.settings().secrets, &row)?
        .check(code, unix_now())
        .ok_or_else(|| Error::invalid("code", "does not match; enter the code your app shows now"))?;
    let mut active: user_totp::ActiveModel = row.into();
    active.enabled_at = Set(Some(now()));
    active.last_step = Set(i64::try_from(step).unwrap_or(i64::MAX));
    active.update(&txn).await?;
    let codes = replace_recovery_codes(&txn, user_id).await?;
    security::notify_in(&txn, p, &user, None, Notice::TwoFactorOn).await?;
    txn.commit().await?;
    attempt.succeeded(p).await?;
    tracing::info!(user = %user_id, "two-factor log-in turned on");
    Ok(codes)
}

async fn replace_recovery_codes(txn: &impl ConnectionTrait, user_id: UserId) -> Result<Vec<String>> {
    recovery_code::Entity::delete_many().filter(recovery_code::Column::UserId.eq(user_id)).exec(txn).await?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let t = now();
    let rows = codes.iter().map(|c| recovery_code::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id),
        code_hash: Set(sha256_hex(&normalize_recovery_code(c))),
        created_at: Set(t),
        used_at: Set(None),
    });
    recovery_code::Entity::insert_many(rows).exec(txn).await?;
    Ok(codes)
}

/// Turns two-factor log-in off (the password proves it is the user), dropping the
/// secret and every recovery code.
pub async fn disable(user: &UserCtx, p: &Parley, password: &str, client: &Client) -> Result<()> {
    let user_id = user.id();
    let user = crate::identity::accounts::user_by_id(p, user_id).await?;
    proof::current_password(p, &user, password, "password", client).await?;
    let txn = p.db().begin(Scope { user: Some(user_id), ..Default::default() }).await?;
    user_totp::Entity::delete_by_id(user_id).exec(&txn).await?;
    recovery_code::Entity::delete_many().filter(recovery_code::Column::UserId.eq(user_id)).exec(&txn).await?;
    security::notify_in(&txn, p, &user, None, Notice::TwoFactorOff).await?;
    txn.commit().await?;
    tracing::info!(user = %user_id, "two-factor log-in turned off");
    Ok(())
}

/// Spends `digits`, a code from the app, for `row`'s user: true when it matches a step
/// after the last one accepted, which it then becomes. The update is conditional, so
/// two requests racing with one code cannot both pass.
async fn spend_code(txn: &impl ConnectionTrait, keys: &Keys, row: &user_totp::Model, digits: &str) -> Result<bool> {
    let Some(step) = stored_totp(keys, row)?.check(digits, unix_now()) else {
        return Ok(false);
    };
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    let spent = user_totp::Entity::update_many()
        .col_expr(user_totp::Column::LastStep, Expr::value(step))
        .filter(user_totp::Column::UserId.eq(row.user_id))
        .filter(user_totp::Column::LastStep.lt(step))
        .exec(txn)
        .await?;
    Ok(spent.rows_affected == 1)
}

/// Checks the second factor of a log-in whose password was right, inside its
/// transaction. A code from the app is spent by [`spend_code`], a recovery code by
/// marking it used (conditionally too).
pub(crate) async fn check(
    txn: &impl ConnectionTrait,
    keys: &Keys,
    user_id: UserId,
    code: Option<&str>,
) -> Result<SecondFactor> {
    let Some(row) = user_totp::Entity::find_by_id(user_id).one(txn).await?.filter(|r| r.enabled_at.is_some()) else {
        return Ok(SecondFactor::NotNeeded);
    };
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(SecondFactor::Missing);
    };
    if code.chars().all(|c| c.is_ascii_digit() || c == ' ') {
        let digits: String = code.chars().filter(char::is_ascii_digit).collect();
        let passed = spend_code(txn, keys, &row, &digits).await?;
        return Ok(if passed { SecondFactor::Passed } else { SecondFactor::Wrong });
    }
    let used = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(now()))
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::CodeHash.eq(sha256_hex(&normalize_recovery_code(code))))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    if used.rows_affected == 1 {
        tracing::info!(user = %user_id, "logged in with a recovery code");
        return Ok(SecondFactor::PassedWithRecoveryCode);
    }
    Ok(SecondFactor::Wrong)
}

/// Replaces every recovery code with fresh ones (after some were used, or when the
/// old list may have been seen); the current password and a current code from the app
/// prove it is the user, both through the log-in throttle.
pub async fn regenerate_recovery_codes(
    user: &UserCtx,
    p: &Parley,
    password: &str,
    code: &str,
    client: &Client,
) -> Result<Vec<String>> {
    let user_id = user.id();
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Err(Error::invalid("code", "enter the 6-digit code your app shows"));
    }
    if password.is_empty() {
        return Err(Error::invalid("password", "is required"));
    }
    let user = crate::identity::accounts::user_by_id(p, user_id).await?;
    let attempt = proof::begin(p, &user.email, client).await?;
    if !proof::password_matches(Some(&user), password).await? {
        return Err(Error::invalid("password", "is wrong"));
    }
    let txn = p.db().begin(Scope { user: Some(user_id), ..Default::default() }).await?;
    let row = user_totp::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .filter(|r| r.enabled_at.is_some())
        .ok_or_else(|| Error::Conflict("two-factor log-in is off".into()))?;
    if !spend_code(&txn, &p.settings().secrets, &row, &digits).await? {
        return Err(Error::invalid("code", "does not match, or was already used; enter the code your app shows now"));
    }
    let codes = replace_recovery_codes(&txn, user_id).await?;
    security::notify_in(&txn, p, &user, None, Notice::RecoveryCodesReplaced).await?;
    txn.commit().await?;
    attempt.succeeded(p).await?;
    Ok(codes)
}

/// Seals every stored TOTP secret that is still in the clear or sealed under an older
/// key with the current key (run at start, after migrations); answers how many.
pub async fn reseal_secrets(p: &Parley) -> Result<u64> {
    let keys = &p.settings().secrets;
    let mut n = 0;
    for row in user_totp::Entity::find().all(p.db().global()).await? {
        if !keys.needs_reseal(&row.secret) {
            continue;
        }
        let plain = keys.open(&purpose(row.user_id), &row.secret)?;
        let sealed = keys.seal(&purpose(row.user_id), &plain)?;
        user_totp::Entity::update_many()
            .col_expr(user_totp::Column::Secret, Expr::value(sealed))
            .filter(user_totp::Column::UserId.eq(row.user_id))
            .filter(user_totp::Column::Secret.eq(row.secret.clone()))
            .exec(p.db().global())
            .await?;
        n += 1;
    }
    Ok(n)
}

/// Recovery codes the user has not used yet.
pub async fn recovery_codes_left(user: &UserCtx, p: &Parley) -> Result<u64> {
    let user_id = user.id();
    codes_left(p.db().global(), user_id).await
}

pub(crate) async fn codes_left(conn: &impl ConnectionTrait, user_id: UserId) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(conn)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_read_well_and_normalize() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(code.as_bytes()[5], b'-');
        assert!(code.chars().filter(|c| *c != '-').all(|c| RECOVERY_ALPHABET.contains(&(c as u8))));
        assert_eq!(normalize_recovery_code(" ABCDE-fghjk "), "abcdefghjk");
        assert_ne!(new_recovery_code(), new_recovery_code());
    }

    #[test]
    fn the_rfc_6238_test_vector_checks_out() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 in eight digits, 287082 in six.
        let secret = Secret::from(*b"12345678901234567890").to_base32();
        let t = totp(&secret);
        let Ok(t) = t else { unreachable!("{t:?}") };
        assert_eq!(t.generate(59).to_string(), "287082");
        assert_eq!(t.check("287082", 59), Some(1));
        assert_eq!(t.check("287082", 59 + 30), Some(1), "one step of drift is allowed");
        assert_eq!(t.check("287082", 59 + 90), None);
    }

    #[test]
    fn otpauth_parts_are_encoded() {
        assert_eq!(encode("Parley:ann+1@example.com"), "Parley%3Aann%2B1%40example.com");
        assert_eq!(encode("A B"), "A%20B");
    }
}
