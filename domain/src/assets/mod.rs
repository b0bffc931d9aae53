//! Assets under review (OPS-5, e-proofing): images, PDFs and HTML emails uploaded in
//! versions, comments pinned to a point or a page of one version, and the approval of
//! a version (never of the asset: a later version starts its own review).
//!
//! Files are kept as [`crate::files`] keeps every upload (in chunks, in the database);
//! what a file is comes from its first bytes, never from its name.

mod sniff;

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder};
use serde_json::json;
use tokio::io::AsyncRead;

pub use self::sniff::sniff;
use crate::approvals::person_of;
use crate::approvals::requests::{self, Outcome, Subject};
use crate::db::TenantOwned;
use crate::files::{self, StoredFile};
use crate::page::{Page, PageArgs};
use crate::{Audited, Error, Order, Parley, Permission, Result, Role, TenantCtx, TenantTx, new_id, now, validate};
use entities::assets::enums::{AssetKind, AssetVersionState as State};
use entities::ids::{AssetCommentId, AssetId, AssetVersionId, ProjectId};
use entities::{asset, asset_comment, asset_version, program, project};

/// An asset.
pub type Asset = asset::Model;
/// One version of an asset.
pub type Version = asset_version::Model;
/// A comment on a version.
pub type Comment = asset_comment::Model;

/// The largest version accepted (the workspace's upload limit applies too).
pub const MAX_BYTES: u64 = 100 << 20;

/// How much of the width or height a pin coordinate counts in (ten-thousandths).
pub const PIN_SCALE: f64 = 10_000.0;

impl Audited for Asset {
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "name": self.name, "project": self.project_id, "kind": self.kind, "versions": self.versions,
            "state": self.state, "approvedVersion": self.approved_version_id,
        })
    }
}

impl Audited for Version {
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "asset": self.asset_id, "number": self.number, "file": self.file_name, "contentType": self.content_type,
            "sizeBytes": self.size_bytes, "state": self.state, "approval": self.approval_id,
        })
    }
}

impl Audited for Comment {
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "version": self.version_id, "body": self.body, "x": self.pin_x, "y": self.pin_y, "page": self.page,
            "resolved": self.resolved_at.is_some(),
        })
    }
}

/// A new asset's description.
#[derive(Debug, Clone, Default)]
pub struct NewAsset {
    pub name: String,
    pub description: String,
    pub project: Option<ProjectId>,
}

/// An uploaded file: its name as the uploader's machine called it, and its bytes.
pub struct Upload<R> {
    pub file_name: String,
    pub content: R,
    /// The most bytes it may hold.
    pub max_bytes: u64,
}

/// A file stored for a version, before the version exists.
struct Stored {
    file: StoredFile,
    kind: AssetKind,
    content_type: &'static str,
}

/// Reads what the upload is from its first bytes (refusing what is none of an image, a
/// PDF or HTML before storing anything), then stores it.
async fn store<R: AsyncRead + Unpin>(ctx: &TenantCtx, p: &Parley, mut up: Upload<R>) -> Result<Stored> {
    let mut head = Vec::with_capacity(sniff::HEAD);
    files::fill(&mut up.content, &mut head, sniff::HEAD).await?;
    let (kind, content_type) = sniff(&head)?;
    let name = files::clean_name(&up.file_name, "asset");
    let (file, _) = files::store(ctx, p, &name, "asset", head, up.content, up.max_bytes).await?;
    Ok(Stored { file, kind, content_type })
}

/// Keeps the stored file when `written` succeeded; removes it otherwise (nothing refers
/// to it then).
async fn keep_or_remove<T>(ctx: &TenantCtx, p: &Parley, stored: &Stored, written: Result<T>) -> Result<T> {
    if written.is_err()
        && let Err(e) = files::remove(ctx, p, stored.file.id).await
    {
        tracing::warn!(error = %e, "an asset file was left behind, referred to by nothing");
    }
    written
}

fn version_row(
    id: AssetVersionId,
    asset: AssetId,
    number: i32,
    stored: &Stored,
    note: String,
    ctx: &TenantCtx,
) -> asset_version::ActiveModel {
    asset_version::ActiveModel {
        id: Set(id),
        asset_id: Set(asset),
        number: Set(number),
        file_id: Set(stored.file.id),
        file_name: Set(stored.file.name.clone()),
        kind: Set(stored.kind),
        content_type: Set(stored.content_type.to_owned()),
        size_bytes: Set(stored.file.size_bytes),
        note: Set(note),
        state: Set(State::Draft),
        approval_id: Set(None),
        created_by: Set(ctx.actor().id().unwrap_or_default()),
        author_label: Set(ctx.actor().label()),
        requester: Set(None),
        decided_at: Set(None),
        created_at: Set(now()),
        ..Default::default()
    }
}

fn description(raw: &str) -> Result<String> {
    let d = raw.trim();
    if d.chars().count() > 2_000 {
        return Err(Error::invalid("description", "is longer than 2,000 characters"));
    }
    Ok(d.to_owned())
}

/// Uploads a new asset: its first version is `upload`.
pub async fn create<R: AsyncRead + Unpin>(
    ctx: &TenantCtx,
    p: &Parley,
    new: NewAsset,
    upload: Upload<R>,
) -> Result<(Asset, Version)> {
    let name = validate::name("name", &new.name, 200)?;
    let desc = description(&new.description)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    if let Some(id) = new.project {
        tx.find::<project::Entity>(id).await?;
    }
    tx.commit().await?;
    let stored = store(ctx, p, upload).await?;
    let written = async {
        let tx = p.tenant_tx(ctx).await?;
        let t = now();
        let (id, vid): (AssetId, AssetVersionId) = (new_id(), new_id());
        let mut version = version_row(vid, id, 1, &stored, String::new(), ctx);
        version.requester = Set(person_of(&tx).await?);
        let row = asset::ActiveModel {
            id: Set(id),
            name: Set(name),
            description: Set(desc),
            project_id: Set(new.project),
            kind: Set(stored.kind),
            versions: Set(1),
            latest_version_id: Set(vid),
            state: Set(State::Draft),
            approved_version_id: Set(None),
            created_by: Set(ctx.actor().id().unwrap_or_default()),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        };
        let asset = tx.create("asset.created", row).await?;
        let version = tx.create("asset.version_uploaded", version).await?;
        tx.commit().await?;
        Ok((asset, version))
    }
    .await;
    keep_or_remove(ctx, p, &stored, written).await
}

/// Uploads the next version of an asset (it starts as a draft; earlier versions keep
/// their state and comments).
pub async fn add_version<R: AsyncRead + Unpin>(
    ctx: &TenantCtx,
    p: &Parley,
    id: AssetId,
    note: &str,
    upload: Upload<R>,
) -> Result<Version> {
    let note = note.trim().to_owned();
    if note.chars().count() > 2_000 {
        return Err(Error::invalid("note", "is longer than 2,000 characters"));
    }
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    tx.find::<asset::Entity>(id).await?;
    tx.commit().await?;
    let stored = store(ctx, p, upload).await?;
    let written = async {
        let tx = p.tenant_tx(ctx).await?;
        // Locked, so two uploads at once take numbers one after the other.
        let asset = tx.lock::<asset::Entity>(id).await?;
        let number = asset.versions + 1;
        let mut row = version_row(new_id(), asset.id, number, &stored, note, ctx);
        row.requester = Set(person_of(&tx).await?);
        let version = tx.create("asset.version_uploaded", row).await?;
        tx.update::<asset::Entity>("asset.updated", asset.id, |am| {
            am.versions = Set(number);
            am.latest_version_id = Set(version.id);
            am.kind = Set(version.kind);
            am.state = Set(State::Draft);
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
        tx.commit().await?;
        Ok(version)
    }
    .await;
    keep_or_remove(ctx, p, &stored, written).await
}

/// Changes to an asset; what is left out stays.
#[derive(Debug, Clone, Default)]
pub struct AssetChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    /// `Some(None)` takes it off its project.
    pub project: Option<Option<ProjectId>>,
}

/// Renames an asset, describes it, or moves it to another project.
pub async fn update(ctx: &TenantCtx, p: &Parley, id: AssetId, c: AssetChanges) -> Result<Asset> {
    let name = c.name.as_deref().map(|n| validate::name("name", n, 200)).transpose()?;
    let desc = c.description.as_deref().map(description).transpose()?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    if let Some(Some(project)) = c.project {
        tx.find::<project::Entity>(project).await?;
    }
    let a = tx
        .update::<asset::Entity>("asset.updated", id, |am| {
            if let Some(n) = name {
                am.name = Set(n);
            }
            if let Some(d) = desc {
                am.description = Set(d);
            }
            if let Some(project) = c.project {
                am.project_id = Set(project);
            }
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(a)
}

/// Sets a version's state, and its asset's where it is the latest (and the asset's
/// approved version where it is approved and newer than the one before).
async fn set_state(
    tx: &TenantTx<'_>,
    v: &Version,
    state: State,
    action: &str,
    edit: impl FnOnce(&mut asset_version::ActiveModel),
) -> Result<Version> {
    let v = tx
        .update::<asset_version::Entity>(action, v.id, |am| {
            am.state = Set(state);
            edit(am);
            Ok(())
        })
        .await?;
    let asset = tx.lock::<asset::Entity>(v.asset_id).await?;
    let newer_approval = match (state, asset.approved_version_id) {
        (State::Approved, None) => true,
        (State::Approved, Some(before)) => tx.find::<asset_version::Entity>(before).await?.number < v.number,
        _ => false,
    };
    if asset.latest_version_id == v.id || newer_approval {
        tx.update::<asset::Entity>("asset.updated", asset.id, |am| {
            if asset.latest_version_id == v.id {
                am.state = Set(state);
            }
            if newer_approval {
                am.approved_version_id = Set(Some(v.id));
            }
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
    }
    Ok(v)
}

/// Asks for a version's approval under the workspace's asset rules: `IN_REVIEW` with an
/// approval request, or `APPROVED` at once where no rule applies. A version in review
/// or already decided (approved or rejected) is not asked again (`CONFLICT`).
pub async fn request_approval(ctx: &TenantCtx, p: &Parley, id: AssetVersionId) -> Result<Version> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let v = tx.lock::<asset_version::Entity>(id).await?;
    if !matches!(v.state, State::Draft | State::ChangesRequested) {
        return Err(Error::Conflict(format!(
            "version {} is {}; only a draft or a version sent back for changes is submitted for approval",
            v.number,
            state_words(v.state)
        )));
    }
    let asset = tx.find::<asset::Entity>(v.asset_id).await?;
    let mut places = Vec::new();
    if let Some(project) = asset.project_id {
        let project = tx.find::<project::Entity>(project).await?;
        places.push(tx.find::<program::Entity>(project.program_id).await?.id.into());
    }
    let requester = person_of(&tx).await?;
    let subject = Subject {
        object_type: entities::ops::enums::ApprovalObject::AssetVersion,
        object_id: v.id.into(),
        amount: None,
        summary: format!("Asset '{}', version {}", asset.name, v.number),
        requester,
        places,
    };
    let out = match requests::request_in(&tx, p, subject).await? {
        None => {
            set_state(&tx, &v, State::Approved, "asset.version_approved", |am| {
                am.decided_at = Set(Some(now()));
                am.requester = Set(requester);
            })
            .await?
        }
        Some(a) => {
            set_state(&tx, &v, State::InReview, "asset.version_submitted", |am| {
                am.approval_id = Set(Some(a.id));
                am.requester = Set(requester);
                am.decided_at = Set(None);
            })
            .await?
        }
    };
    tx.commit().await?;
    Ok(out)
}

fn state_words(s: State) -> &'static str {
    match s {
        State::Draft => "a draft",
        State::InReview => "in review",
        State::Approved => "approved",
        State::Rejected => "rejected",
        State::ChangesRequested => "sent back for changes",
    }
}

/// What an approval's outcome does to its version.
pub(crate) async fn decided_in(tx: &TenantTx<'_>, id: AssetVersionId, outcome: Outcome) -> Result<()> {
    let v = tx.lock::<asset_version::Entity>(id).await?;
    if v.state != State::InReview {
        return Ok(());
    }
    let (state, action) = match outcome {
        Outcome::Approved => (State::Approved, "asset.version_approved"),
        Outcome::Rejected => (State::Rejected, "asset.version_rejected"),
        Outcome::Returned => (State::ChangesRequested, "asset.version_returned"),
    };
    set_state(tx, &v, state, action, |am| am.decided_at = Set(Some(now()))).await?;
    Ok(())
}

/// A comment to add to a version.
#[derive(Debug, Clone, Default)]
pub struct NewComment {
    pub body: String,
    /// Where it is pinned, as fractions of the width and height (0 to 1, from the top
    /// left); both or neither.
    pub x: Option<f64>,
    pub y: Option<f64>,
    /// The page it is about (from 1).
    pub page: Option<i32>,
}

fn pin(field: &str, v: f64) -> Result<i32> {
    if !v.is_finite() || !(0.0..=1.0).contains(&v) {
        return Err(Error::invalid(field, "is a fraction of the version's size, from 0 to 1"));
    }
    Ok((v * PIN_SCALE).round() as i32)
}

/// Comments on a version (anyone but a viewer: reviewers comment too).
pub async fn comment(ctx: &TenantCtx, p: &Parley, id: AssetVersionId, c: NewComment) -> Result<Comment> {
    let body = c.body.trim().to_owned();
    if body.is_empty() {
        return Err(Error::invalid("body", "is required"));
    }
    if body.chars().count() > 4_000 {
        return Err(Error::invalid("body", "is longer than 4,000 characters"));
    }
    let (x, y) = match (c.x, c.y) {
        (Some(x), Some(y)) => (Some(pin("x", x)?), Some(pin("y", y)?)),
        (None, None) => (None, None),
        (Some(_), None) => return Err(Error::invalid("y", "is needed with x: a pin has both")),
        (None, Some(_)) => return Err(Error::invalid("x", "is needed with y: a pin has both")),
    };
    if c.page.is_some_and(|n| !(1..=100_000).contains(&n)) {
        return Err(Error::invalid("page", "counts from 1"));
    }
    let tx = p.tenant_tx(ctx).await?;
    if tx.role() == Role::Viewer {
        return Err(Error::forbidden("viewers only see"));
    }
    let v = tx.find::<asset_version::Entity>(id).await?;
    let row = asset_comment::ActiveModel {
        id: Set(new_id()),
        asset_id: Set(v.asset_id),
        version_id: Set(v.id),
        author: Set(ctx.actor().id().unwrap_or_default()),
        author_label: Set(ctx.actor().label()),
        body: Set(body),
        pin_x: Set(x),
        pin_y: Set(y),
        page: Set(c.page),
        resolved_at: Set(None),
        resolved_by: Set(None),
        created_at: Set(now()),
        ..Default::default()
    };
    let out = tx.create("asset.commented", row).await?;
    tx.commit().await?;
    Ok(out)
}

/// Marks a comment resolved (or open again).
pub async fn resolve_comment(ctx: &TenantCtx, p: &Parley, id: AssetCommentId, resolved: bool) -> Result<Comment> {
    let tx = p.tenant_tx(ctx).await?;
    if tx.role() == Role::Viewer {
        return Err(Error::forbidden("viewers only see"));
    }
    let c = tx
        .update::<asset_comment::Entity>(
            if resolved { "asset.comment_resolved" } else { "asset.comment_reopened" },
            id,
            |am| {
                am.resolved_at = Set(resolved.then(now));
                am.resolved_by = Set(resolved.then(|| ctx.actor().id().unwrap_or_default()));
                Ok(())
            },
        )
        .await?;
    tx.commit().await?;
    Ok(c)
}

/// Which assets to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub project: Option<ProjectId>,
    /// The state of their latest version.
    pub state: Option<State>,
    /// Words their name contains.
    pub search: Option<String>,
}

/// Assets, newest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, f: Filter, args: PageArgs) -> Result<Page<Asset>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let mut q = <asset::Entity as sea_orm::EntityTrait>::find();
    if let Some(id) = f.project {
        q = q.filter(asset::Column::ProjectId.eq(tx.find::<project::Entity>(id).await?.id));
    }
    if let Some(s) = f.state {
        q = q.filter(asset::Column::State.eq(s));
    }
    if let Some(words) = f.search.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        let pattern = LikeExpr::new(format!("%{}%", crate::db::like_lower(words))).escape('\\');
        q = q.filter(Expr::expr(Func::lower(Expr::col(asset::Column::Name))).like(pattern));
    }
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// One asset.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: AssetId) -> Result<Asset> {
    p.find::<asset::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// One version.
pub async fn get_version(ctx: &TenantCtx, p: &Parley, id: AssetVersionId) -> Result<Version> {
    p.find::<asset_version::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// One comment.
pub async fn get_comment(ctx: &TenantCtx, p: &Parley, id: AssetCommentId) -> Result<Comment> {
    p.find::<asset_comment::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// An asset's versions, newest first.
pub async fn versions(ctx: &TenantCtx, p: &Parley, id: AssetId) -> Result<Vec<Version>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let asset = tx.find::<asset::Entity>(id).await?;
    let out = asset_version::Entity::scoped(ctx)
        .filter(asset_version::Column::AssetId.eq(asset.id))
        .order_by_desc(asset_version::Column::Number)
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(out)
}

/// A version's comments, oldest first.
pub async fn comments(ctx: &TenantCtx, p: &Parley, id: AssetVersionId) -> Result<Vec<Comment>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let v = tx.find::<asset_version::Entity>(id).await?;
    let out = asset_comment::Entity::scoped(ctx)
        .filter(asset_comment::Column::VersionId.eq(v.id))
        .order_by_asc(asset_comment::Column::Id)
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(out)
}

/// A version and its bytes, read chunk by chunk.
pub async fn content(
    ctx: &TenantCtx,
    p: &Parley,
    id: AssetVersionId,
) -> Result<(Version, impl futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + Unpin + 'static)> {
    let v = get_version(ctx, p, id).await?;
    let stream = files::stream(ctx.clone(), p.clone(), v.file_id, 0);
    Ok((v, stream))
}
