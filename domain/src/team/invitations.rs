//! Invitations by email, and their acceptance (signing up if the person is new).

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::Order;
use crate::audit::{Change, record};
use crate::crypto::{hash_password, random_token, sha256_hex};
use crate::ctx::role_rank;
use crate::db::{Scope, TenantOwned};
use crate::identity::accounts::Client;
use crate::identity::accounts::member_json;
use crate::identity::auth::{Session, issue_session};
use crate::jobs::{InvitationEmail, NewJob, enqueue_in};
use crate::mail::{self, Email};
use crate::page::{Page, PageArgs};
use crate::validate::{self, Email as EmailAddr};
use crate::{
    Actor, Error, Invitation, InvitationStatus, Parley, Permission, Result, Role, TenantCtx, dur, new_id, now, proof,
};
use crate::{InvitationId, TypedId, UserId, WorkspaceId};
use entities::{invitation, membership, user, workspace};

fn inv_json(i: &Invitation) -> serde_json::Value {
    serde_json::json!({ "email": i.email, "role": i.role, "status": i.status })
}

/// Invites `email` to the workspace with `role`; a background job emails the link.
/// Inviting someone again replaces their pending invitation.
pub async fn invite(ctx: &TenantCtx, p: &Parley, email: &str, role: Role) -> Result<Invitation> {
    let txn = p.tenant_tx(ctx).await?;
    txn.require(Permission::ManageMembers)?;
    let email = EmailAddr::parse("email", email)?;
    if role_rank(role) > role_rank(txn.role()) {
        return Err(Error::forbidden("you cannot invite with a role above your own"));
    }
    // Every invitation row stays (replaced ones as revoked), so the rows of the last
    // hour count each email this workspace asked Parley to send.
    let sent = invitation::Entity::scoped(ctx)
        .filter(invitation::Column::CreatedAt.gt(now() - chrono::Duration::hours(1)))
        .count(&txn)
        .await?;
    if sent >= u64::from(p.settings().invitations_per_hour) {
        return Err(Error::RateLimited(
            "this workspace has sent too many invitations this hour; try again later".into(),
        ));
    }
    if let Some(u) = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&txn).await?
        && membership::Entity::scoped(ctx).filter(membership::Column::UserId.eq(u.id)).one(&txn).await?.is_some()
    {
        return Err(Error::Conflict("this person is already a member".into()));
    }
    invitation::Entity::update_many()
        .col_expr(invitation::Column::Status, sea_orm::sea_query::Expr::value(InvitationStatus::Revoked))
        .filter(invitation::Column::TenantId.eq(ctx.tenant_id()))
        .filter(invitation::Column::Email.eq(email.as_str()))
        .filter(invitation::Column::Status.eq(InvitationStatus::Pending))
        .exec(&txn)
        .await?;
    let t = now();
    let inv = invitation::ActiveModel {
        tenant_id: Set(ctx.tenant_id()),
        id: Set(new_id()),
        email: Set(email.as_str().to_owned()),
        role: Set(role),
        // The real link is made when the email is sent (see `prepare_invitation_email`).
        token_hash: Set(sha256_hex(&random_token())),
        status: Set(InvitationStatus::Pending),
        invited_by: Set(ctx.actor().id().unwrap_or_default()),
        created_at: Set(t),
        expires_at: Set(t + dur(p.settings().invitation_ttl)),
        accepted_at: Set(None),
    }
    .insert(&txn)
    .await?;
    record(&txn, ctx, Change::new("invitation.created", inv.id).after(inv_json(&inv))).await?;
    enqueue_in(&txn, p, ctx, NewJob::of(&InvitationEmail { invitation_id: inv.id }).key(format!("invite:{}", inv.id)))
        .await?;
    txn.commit().await?;
    Ok(inv)
}

/// Shown status: a pending invitation past its date reads as expired.
pub fn shown_status(i: &Invitation) -> &'static str {
    match i.status {
        InvitationStatus::Pending if i.expires_at <= now() => "EXPIRED",
        InvitationStatus::Pending => "PENDING",
        InvitationStatus::Accepted => "ACCEPTED",
        InvitationStatus::Revoked => "REVOKED",
    }
}

/// The workspace's invitations, newest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<Invitation>> {
    p.page::<invitation::Entity>(ctx, Permission::ReadWorkspace, Order::Newest, args).await
}

/// One invitation of the workspace.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: InvitationId) -> Result<Invitation> {
    p.find::<invitation::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// Revokes a pending invitation; its link stops working.
pub async fn revoke(ctx: &TenantCtx, p: &Parley, id: InvitationId) -> Result<Invitation> {
    let txn = p.tenant_tx(ctx).await?;
    txn.require(Permission::ManageMembers)?;
    let i = invitation::Entity::secure_find(ctx, id, &txn).await?;
    if i.status != InvitationStatus::Pending {
        return Err(Error::Conflict("only a pending invitation can be revoked".into()));
    }
    let before = inv_json(&i);
    let mut am: invitation::ActiveModel = i.into();
    am.status = Set(InvitationStatus::Revoked);
    let i = am.update(&txn).await?;
    record(&txn, ctx, Change::new("invitation.revoked", i.id).before(before).after(inv_json(&i))).await?;
    txn.commit().await?;
    Ok(i)
}

/// Composes the invitation email with a fresh link (the previous link stops working);
/// `None` when the invitation is no longer pending.
pub async fn prepare_invitation_email(ctx: &TenantCtx, p: &Parley, id: InvitationId) -> Result<Option<Email>> {
    let txn = p.tenant_tx(ctx).await?;
    let i = invitation::Entity::secure_find(ctx, id, &txn).await?;
    if i.status != InvitationStatus::Pending || i.expires_at <= now() {
        return Ok(None);
    }
    let ws = workspace::Entity::find_by_id(ctx.tenant_id()).one(&txn).await?.ok_or(Error::NotFound)?;
    let inviter =
        user::Entity::find_by_id(i.invited_by).one(&txn).await?.map(|u| u.name).unwrap_or_else(|| "A colleague".into());
    let secret = random_token();
    let (to, role) = (i.email.clone(), i.role);
    let mut am: invitation::ActiveModel = i.into();
    am.token_hash = Set(sha256_hex(&secret));
    am.update(&txn).await?;
    txn.commit().await?;
    // The token names its workspace so acceptance can scope its lookup.
    let token = format!("{}.{secret}", ctx.tenant_id().uuid().simple());
    let link = format!("{}/accept-invitation?token={token}", p.settings().public_url);
    Ok(Some(mail::invitation(&to, &ws.name, &inviter, &format!("{role:?}").to_lowercase(), &link)))
}

/// What the invitee fills in.
#[derive(Debug, Clone, Default)]
pub struct Accept {
    /// The token from the link.
    pub token: String,
    /// A new password (new account) or the existing account's password (not needed
    /// when that account is the one signed in).
    pub password: Option<String>,
    /// The person's name (new account).
    pub name: Option<String>,
    /// The code from the authenticator app (or a recovery code), when the existing
    /// account has two-factor log-in on.
    pub totp_code: Option<String>,
    /// The account signed in on this request, if any.
    pub signed_in: Option<UserId>,
}

/// Accepts an invitation: joins the workspace with the invited role, creating the
/// account if the address has none (it is verified by the link itself). An existing
/// account proves itself as at log-in (password and, when on, the second factor,
/// through the same throttle) unless it is the one signed in. Each link works once.
pub async fn accept(p: &Parley, input: Accept, client: &Client) -> Result<Session> {
    let bad = || Error::invalid("token", "the invitation is invalid, used, revoked or expired");
    let (tenant, secret) = input.token.trim().split_once('.').ok_or_else(bad)?;
    let tenant = WorkspaceId::from(Uuid::try_parse(tenant).map_err(|_| bad())?);
    let hash = sha256_hex(secret);

    let txn = p.db().begin(Scope::tenant(tenant)).await?;
    let inv = invitation::Entity::scoped_to(tenant)
        .filter(invitation::Column::TokenHash.eq(hash.clone()))
        .one(&txn)
        .await?
        .ok_or_else(bad)?;
    let existing = user::Entity::find().filter(user::Column::Email.eq(inv.email.clone())).one(&txn).await?;
    txn.commit().await?;
    if inv.status != InvitationStatus::Pending || inv.expires_at <= now() {
        return Err(bad());
    }
    let password = input.password.as_deref().unwrap_or("");
    let mut attempt = None;
    let new_user = match &existing {
        Some(u) if input.signed_in == Some(u.id) => None,
        Some(u) => {
            if password.is_empty() {
                return Err(Error::invalid("password", "enter this account's password, or log in first"));
            }
            let a = proof::begin(p, &u.email, client).await?;
            if !proof::password_matches(Some(u), password).await? {
                return Err(Error::invalid("password", "is not this account's password"));
            }
            attempt = Some(a);
            None
        }
        None => {
            let password = validate::password("password", password)?;
            let name = validate::name("name", input.name.as_deref().unwrap_or(""), 100)?;
            Some((name, hash_password(password).await?))
        }
    };

    let t = now();
    let txn = p.db().begin(Scope::tenant(tenant)).await?;
    // Claim the invitation first: of two concurrent acceptances, one wins.
    let claimed = invitation::Entity::update_many()
        .col_expr(invitation::Column::Status, sea_orm::sea_query::Expr::value(InvitationStatus::Accepted))
        .col_expr(invitation::Column::AcceptedAt, sea_orm::sea_query::Expr::value(t))
        .filter(invitation::Column::TenantId.eq(tenant))
        .filter(invitation::Column::Id.eq(inv.id))
        .filter(invitation::Column::Status.eq(InvitationStatus::Pending))
        .filter(invitation::Column::TokenHash.eq(hash))
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(bad());
    }
    let u = match (existing, new_user) {
        (Some(u), _) => {
            if attempt.is_some() {
                crate::identity::accounts::second_factor(&txn, p, &u, input.totp_code.as_deref()).await?;
            }
            u
        }
        (None, Some((name, password_hash))) => {
            user::ActiveModel {
                id: Set(new_id()),
                email: Set(inv.email.clone()),
                name: Set(name),
                password_hash: Set(password_hash),
                email_verified_at: Set(Some(t)),
                created_at: Set(t),
                updated_at: Set(t),
            }
            .insert(&txn)
            .await?
        }
        (None, None) => return Err(Error::internal("invitation acceptance lost its new user")),
    };
    let ctx = TenantCtx::new(tenant, Actor::User { id: u.id, email: u.email.clone() }, inv.role);
    if membership::Entity::scoped_to(tenant).filter(membership::Column::UserId.eq(u.id)).one(&txn).await?.is_some() {
        return Err(Error::Conflict("you are already a member of this workspace".into()));
    }
    let m = membership::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(new_id()),
        user_id: Set(u.id),
        role: Set(inv.role),
        via_agency_id: Set(None),
        created_at: Set(t),
    }
    .insert(&txn)
    .await?;
    record(&txn, &ctx, Change::new("invitation.accepted", inv.id)).await?;
    record(&txn, &ctx, Change::new("member.added", m.id).after(member_json(&m))).await?;
    let ws = workspace::Entity::find_by_id(tenant).one(&txn).await?.ok_or(Error::NotFound)?;
    let session = issue_session(p, &txn, u, ws, None).await?;
    txn.commit().await?;
    if let Some(a) = attempt {
        a.succeeded(p).await?;
    }
    Ok(session)
}
