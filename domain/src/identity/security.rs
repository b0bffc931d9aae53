//! Security notices: a person hears by email of every change to how their account is
//! protected (and of attempts to sign up with their address), queued in the same
//! transaction as the change.

use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::UserId;
use crate::identity::auth::{session_workspace, set_tenant_scope};
use crate::jobs::{NewJob, SecurityNotice, enqueue_in};
use crate::mail::{self, Email};
use crate::{Actor, Parley, Result, Role, TenantCtx, User, new_id};

/// What happened to the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// Two-factor log-in was turned on.
    TwoFactorOn,
    /// Two-factor log-in was turned off.
    TwoFactorOff,
    /// New recovery codes replaced the old ones.
    RecoveryCodesReplaced,
    /// A recovery code was used to log in.
    RecoveryCodeUsed {
        /// Codes still unused.
        left: u64,
    },
    /// The password was changed.
    PasswordChanged,
    /// The password was reset by an emailed link.
    PasswordReset,
    /// The login email moved to another address (told to the old one).
    EmailChanged {
        /// The new address.
        to: String,
    },
    /// An API key was created by this person.
    ApiKeyCreated {
        /// The key's name.
        name: String,
    },
    /// Someone tried to sign up with this address, which already has an account.
    SignUpAttempted,
}

impl Notice {
    fn describe(&self) -> String {
        match self {
            Notice::TwoFactorOn => "two-factor log-in was turned on".into(),
            Notice::TwoFactorOff => "two-factor log-in was turned off".into(),
            Notice::RecoveryCodesReplaced => "new recovery codes replaced your old ones".into(),
            Notice::RecoveryCodeUsed { left } => format!("a recovery code was used to log in ({left} left)"),
            Notice::PasswordChanged => "your password was changed".into(),
            Notice::PasswordReset => "your password was reset with an emailed link".into(),
            Notice::EmailChanged { to } => format!("your login email was changed to {to}"),
            Notice::ApiKeyCreated { name } => format!("you created the API key \"{name}\""),
            Notice::SignUpAttempted => {
                "someone tried to sign up with this address, which already has a Parley account; \
                 to get in, log in or reset your password"
                    .into()
            }
        }
    }
}

/// Queues `notice` to `user` (at `to`, or their address) inside `conn`'s transaction.
/// The job belongs to the person's first workspace (jobs are owned by tenants); on
/// PostgreSQL this points the transaction's tenant scope there, so call it last.
pub(crate) async fn notify_in<C: ConnectionTrait>(
    conn: &C,
    p: &Parley,
    user: &User,
    to: Option<&str>,
    notice: Notice,
) -> Result<()> {
    let Ok(ws) = session_workspace(p, conn, user.id, None).await else {
        // No workspace left: nobody to queue the notice for.
        return Ok(());
    };
    set_tenant_scope(conn, ws.id).await?;
    let ctx = TenantCtx::new(ws.id, Actor::User { id: user.id, email: user.email.clone() }, Role::Viewer);
    notify_ctx_in(conn, p, &ctx, user.id, to.unwrap_or(&user.email), notice).await
}

/// Queues `notice` for `user_id` at `to` in `ctx`'s workspace, inside `conn`.
pub(crate) async fn notify_ctx_in<C: ConnectionTrait>(
    conn: &C,
    p: &Parley,
    ctx: &TenantCtx,
    user_id: UserId,
    to: &str,
    notice: Notice,
) -> Result<()> {
    // Notices anyone can trigger (a sign-up with someone else's address) go out at most
    // once a day, so they cannot be used to flood an inbox.
    let key = match notice {
        Notice::SignUpAttempted => format!("notice:signup:{user_id}:{}", crate::now().format("%Y-%m-%d")),
        _ => format!("notice:{}", new_id::<Uuid>()),
    };
    let payload = SecurityNotice { user_id, to: to.to_owned(), notice };
    enqueue_in(conn, p, ctx, NewJob::of(&payload).key(key)).await?;
    Ok(())
}

/// Composes a queued notice (the worker sends it).
pub async fn prepare_notice(p: &Parley, job: &SecurityNotice) -> Result<Email> {
    let name = crate::identity::accounts::user_by_id(p, job.user_id).await.map(|u| u.name).unwrap_or_default();
    let link = format!("{}/account", p.settings().public_url);
    Ok(mail::security_notice(&job.to, if name.is_empty() { "there" } else { &name }, &job.notice.describe(), &link))
}
