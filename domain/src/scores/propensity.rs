//! Response-propensity models: how likely each contact is to do an event (a purchase,
//! a click: any response the history records) within a horizon of days.
//!
//! Training looks back one horizon: for every contact, features are read from the
//! history before that moment (events of the workspace's ten most common
//! types, and of all types, in the 7, 30 and 90 days before, and the contact's age,
//! each as `ln(1 + n)`) and the label is whether the event followed within the horizon.
//! A fifth of the contacts (fixed by their ID) are held out; a logistic regression
//! (`linfa-logistic`, L2-regularised, on standardised features) is fitted on the rest
//! and its area under the ROC curve measured on the held-out fifth. Scoring then
//! reads the same features as of now for every contact and writes the probability to
//! the model's field. Training samples at most [`MAX_TRAINING`] contacts.

use chrono::{DateTime, Duration, Utc};
use linfa::Dataset;
use linfa::traits::Fit as _;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::db::TenantOwned;
use crate::jobs::{self, ClaimedJob, NewJob, Progress, TrainModel};
use crate::page::{Page, PageArgs};
use crate::{
    AttributeKind, Audited, ContactId, Error, ModelStatus, Order, Parley, Permission, PropensityModelId, Result,
    TenantCtx, TenantTx, new_id, now, validate,
};
use entities::{attribute_definition as def, contact, contact_event, propensity_model as model};

/// A response-propensity model.
pub type PropensityModel = model::Model;

impl Audited for PropensityModel {
    fn audit_json(&self) -> Value {
        json!({ "name": self.name, "targetEvent": self.target_event, "horizonDays": self.horizon_days,
                "attribute": self.attribute, "status": self.status, "auc": self.auc })
    }
}

/// Most contacts a training reads (sampled by ID beyond that).
pub const MAX_TRAINING: u64 = 100_000;
/// Fewest contacts on each side (did the event, did not) a training needs.
pub const MIN_EACH: i64 = 20;
/// Event types with features of their own.
const TYPES: u64 = 10;
/// Days of the look-back windows.
const WINDOWS: [i64; 3] = [7, 30, 90];
/// Contacts read per batch.
const BATCH: u64 = 1_000;

/// A new model.
#[derive(Debug, Clone)]
pub struct NewModel {
    pub name: String,
    pub target_event: String,
    pub horizon_days: i32,
    /// The contact field its scores go to (a `NUMBER` field, defined if missing).
    pub attribute: String,
}

/// A fitted model, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// The event types with features of their own.
    pub types: Vec<String>,
    /// Feature names, in order.
    pub features: Vec<String>,
    pub means: Vec<f64>,
    pub scales: Vec<f64>,
    pub weights: Vec<f64>,
    pub intercept: f64,
}

impl Params {
    /// The probability for one contact's raw features.
    pub fn predict(&self, raw: &[f64]) -> f64 {
        let z: f64 = raw
            .iter()
            .zip(self.means.iter().zip(&self.scales))
            .zip(&self.weights)
            .map(|((x, (m, s)), w)| (x - m) / s * w)
            .sum::<f64>()
            + self.intercept;
        1.0 / (1.0 + (-z).exp())
    }
}

/// The fitted parameters of a trained model.
pub fn params(m: &PropensityModel) -> Option<Params> {
    m.params.clone().and_then(|p| serde_json::from_value(p).ok())
}

fn event_type(raw: &str) -> Result<String> {
    let t = raw.trim();
    if t.is_empty()
        || t.len() > 64
        || !t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
    {
        return Err(Error::invalid("targetEvent", "use 1 to 64 letters, digits and _ - . :"));
    }
    Ok(t.to_owned())
}

async fn check_attribute(tx: &TenantTx<'_>, raw: &str, me: Option<PropensityModelId>) -> Result<String> {
    let key = crate::contacts::fields::check_key(raw, "attribute")?;
    if super::KEYS.contains(&key.as_str()) {
        return Err(Error::invalid("attribute", "is written by the score runs: choose another name"));
    }
    let taken = model::Entity::scoped(tx.ctx()).filter(model::Column::Attribute.eq(&key)).one(tx).await?;
    if let Some(other) = taken.filter(|m| Some(m.id) != me) {
        return Err(Error::invalid("attribute", format!("model “{}” writes it already", other.name)));
    }
    match def::Entity::scoped(tx.ctx()).filter(def::Column::Key.eq(&key)).one(tx).await? {
        Some(d) if d.kind != AttributeKind::Number => Err(Error::invalid(
            "attribute",
            format!("is a {} field already; scores need a NUMBER field", format!("{:?}", d.kind).to_uppercase()),
        )),
        Some(_) => Ok(key),
        None => {
            crate::contacts::fields::define(tx, &key, AttributeKind::Number, None).await?;
            Ok(key)
        }
    }
}

/// Defines a model (it scores nothing until trained).
pub async fn create(ctx: &TenantCtx, p: &Parley, new: NewModel) -> Result<PropensityModel> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageScores)?;
    let name = validate::name("name", &new.name, 100)?;
    let target = event_type(&new.target_event)?;
    if !(1..=365).contains(&new.horizon_days) {
        return Err(Error::invalid("horizonDays", "must be 1 to 365 days"));
    }
    let attribute = check_attribute(&tx, &new.attribute, None).await?;
    let t = now();
    let row = model::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        target_event: Set(target),
        horizon_days: Set(new.horizon_days),
        attribute: Set(attribute),
        status: Set(ModelStatus::Draft),
        job_id: Set(None),
        auc: Set(None),
        training_contacts: Set(0),
        holdout_contacts: Set(0),
        positives: Set(0),
        contacts_scored: Set(0),
        contacts_total: Set(0),
        params: Set(None),
        error: Set(None),
        trained_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let m = tx.create("propensity_model.created", row).await?;
    tx.commit().await?;
    Ok(m)
}

/// Starts training (and then scoring) a model, unless it is training already.
pub async fn train(ctx: &TenantCtx, p: &Parley, id: PropensityModelId) -> Result<PropensityModel> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageScores)?;
    let m = tx.find::<model::Entity>(id).await?;
    if m.status == ModelStatus::Training {
        return Err(Error::Conflict("the model is training already".into()));
    }
    let job = NewJob::of(&TrainModel { model_id: id }).key(format!("train:{id}:{}", now().timestamp_millis()));
    let job_id = jobs::enqueue_in_returning(&tx, p, ctx, job).await?;
    let m = tx
        .update::<model::Entity>("propensity_model.training", id, |m| {
            m.status = Set(ModelStatus::Training);
            m.job_id = Set(Some(job_id));
            m.contacts_scored = Set(0);
            m.contacts_total = Set(0);
            m.error = Set(None);
            m.updated_at = Set(now());
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(m)
}

/// Deletes a model and takes its scores off the contacts (the field stays).
pub async fn delete(ctx: &TenantCtx, p: &Parley, id: PropensityModelId) -> Result<PropensityModel> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageScores)?;
    let m = tx.find::<model::Entity>(id).await?;
    crate::contacts::fields::remove_values(&tx, &m.attribute).await?;
    let m = tx.delete::<model::Entity>("propensity_model.deleted", m).await?;
    tx.commit().await?;
    Ok(m)
}

/// One model.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: PropensityModelId) -> Result<PropensityModel> {
    p.find::<model::Entity>(ctx, Permission::ReadContacts, id).await
}

/// The workspace's models, oldest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<PropensityModel>> {
    p.page::<model::Entity>(ctx, Permission::ReadContacts, Order::Oldest, args).await
}

/// The feature names for `types`.
fn feature_names(types: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for t in types.iter().map(String::as_str).chain(["any event"]) {
        out.extend(WINDOWS.iter().map(|d| format!("{t} in {d} days")));
    }
    out.push("days since added".into());
    out
}

/// The event types with features of their own: the most common in the 90 days before `at`.
async fn common_types(tx: &TenantTx<'_>, at: DateTime<Utc>) -> Result<Vec<String>> {
    let from = at - Duration::days(WINDOWS[2]);
    let rows: Vec<(String, i64)> = contact_event::Entity::scoped(tx.ctx())
        .filter(contact_event::Column::ContactId.is_not_null())
        .filter(contact_event::Column::OccurredAt.gte(from))
        .filter(contact_event::Column::OccurredAt.lt(at))
        .select_only()
        .column(contact_event::Column::Kind)
        .column_as(Expr::from(Func::count(Expr::col(contact_event::Column::Id))), "n")
        .group_by(contact_event::Column::Kind)
        .order_by_desc(Expr::from(Func::count(Expr::col(contact_event::Column::Id))))
        .order_by_asc(contact_event::Column::Kind)
        .limit(TYPES)
        .into_tuple()
        .all(tx)
        .await?;
    Ok(rows.into_iter().map(|(k, _)| k).collect())
}

/// The raw features of `contacts` (ID and when added) as of `at`.
async fn features(
    tx: &TenantTx<'_>,
    contacts: &[(ContactId, DateTime<Utc>)],
    at: DateTime<Utc>,
    types: &[String],
) -> Result<Vec<Vec<f64>>> {
    let width = (types.len() + 1) * WINDOWS.len() + 1;
    let mut counts = vec![vec![0i64; width - 1]; contacts.len()];
    let ids: Vec<ContactId> = contacts.iter().map(|(id, _)| *id).collect();
    let within = |d: i64| {
        let hit =
            sea_orm::sea_query::ExprTrait::gte(Expr::col(contact_event::Column::OccurredAt), at - Duration::days(d));
        Expr::from(Func::sum(Expr::case(hit, Expr::val(1i32)).finally(Expr::val(0i32))))
    };
    let rows: Vec<(Option<ContactId>, String, i64, i64, i64)> = contact_event::Entity::scoped(tx.ctx())
        .filter(contact_event::Column::ContactId.is_in(ids.clone()))
        .filter(contact_event::Column::OccurredAt.gte(at - Duration::days(WINDOWS[2])))
        .filter(contact_event::Column::OccurredAt.lt(at))
        .select_only()
        .column(contact_event::Column::ContactId)
        .column(contact_event::Column::Kind)
        .column_as(within(WINDOWS[0]), "d0")
        .column_as(within(WINDOWS[1]), "d1")
        .column_as(within(WINDOWS[2]), "d2")
        .group_by(contact_event::Column::ContactId)
        .group_by(contact_event::Column::Kind)
        .into_tuple()
        .all(tx)
        .await?;
    for (contact, kind, d0, d1, d2) in rows {
        let Some(i) = contact.and_then(|c| ids.binary_search(&c).ok()) else { continue };
        let any = types.len() * WINDOWS.len();
        for (w, n) in [d0, d1, d2].into_iter().enumerate() {
            counts[i][any + w] += n;
            if let Some(t) = types.iter().position(|t| *t == kind) {
                counts[i][t * WINDOWS.len() + w] += n;
            }
        }
    }
    Ok(contacts
        .iter()
        .zip(counts)
        .map(|((_, added), c)| {
            let mut f: Vec<f64> = c.into_iter().map(|n| (n as f64).ln_1p()).collect();
            f.push(((at - *added).num_days().max(0) as f64).ln_1p());
            f
        })
        .collect())
}

/// Which of `ids` did `event` in `[from, to)`.
async fn responded(
    tx: &TenantTx<'_>,
    ids: &[ContactId],
    event: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ContactId>> {
    let mut out: Vec<ContactId> = contact_event::Entity::scoped(tx.ctx())
        .filter(contact_event::Column::ContactId.is_in(ids.to_vec()))
        .filter(contact_event::Column::Kind.eq(event))
        .filter(contact_event::Column::OccurredAt.gte(from))
        .filter(contact_event::Column::OccurredAt.lt(to))
        .select_only()
        .column(contact_event::Column::ContactId)
        .distinct()
        .into_tuple::<Option<ContactId>>()
        .all(tx)
        .await?
        .into_iter()
        .flatten()
        .collect();
    out.sort_unstable();
    Ok(out)
}

/// The next batch of live contacts after `after`, with when each was added.
async fn contacts_after(tx: &TenantTx<'_>, after: Option<ContactId>) -> Result<Vec<(ContactId, DateTime<Utc>)>> {
    let mut q = contact::Entity::scoped(tx.ctx()).filter(contact::Column::MergedInto.is_null());
    if let Some(a) = after {
        q = q.filter(contact::Column::Id.gt(a));
    }
    Ok(q.select_only()
        .column(contact::Column::Id)
        .column(contact::Column::CreatedAt)
        .order_by_asc(contact::Column::Id)
        .limit(BATCH)
        .into_tuple()
        .all(tx)
        .await?)
}

/// Whether a contact is among those held out of training (a fifth, fixed by its ID).
fn held_out(id: ContactId) -> bool {
    use entities::ids::TypedId;
    id.uuid().as_u128().is_multiple_of(5)
}

/// Whether a contact is in the training sample when `rate` per thousand are read.
fn sampled(id: ContactId, rate: u128) -> bool {
    use entities::ids::TypedId;
    (id.uuid().as_u128() >> 16) % 1000 < rate
}

/// The area under the ROC curve of `(score, label)` pairs: the chance that a random
/// positive scores above a random negative, ties counting one half (the Mann–Whitney
/// statistic, from ranks). linfa's ROC reads scores as `f32` and sorts them the other
/// way up, so the exact figure is computed here.
pub fn auc(scored: &[(f64, bool)]) -> f64 {
    let mut s: Vec<(f64, bool)> = scored.to_vec();
    s.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut rank_sum, mut positives) = (0.0, 0.0);
    let mut i = 0;
    while i < s.len() {
        let mut j = i;
        while j < s.len() && s[j].0 == s[i].0 {
            j += 1;
        }
        // Ranks i+1 ..= j share their mean.
        let mean = (i + 1 + j) as f64 / 2.0;
        for x in &s[i..j] {
            if x.1 {
                rank_sum += mean;
                positives += 1.0;
            }
        }
        i = j;
    }
    let negatives = s.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return 0.5;
    }
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

/// A model's training figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub params: Params,
    pub auc: f64,
    pub training: i64,
    pub holdout: i64,
    pub positives: i64,
}

/// Fits `rows` (features, label, held out); `Err` says why it cannot.
pub fn fit(
    rows: &[(Vec<f64>, bool, bool)],
    names: Vec<String>,
    types: Vec<String>,
    event: &str,
    horizon: i32,
) -> Result<Fit> {
    let positives = rows.iter().filter(|r| r.1).count() as i64;
    let negatives = rows.len() as i64 - positives;
    let short = |what: &str| {
        Error::invalid(
            "targetEvent",
            format!(
                "not enough history to learn from: {what} (found {positives} contacts who did {event} within {horizon} days of a moment one horizon ago, {negatives} who did not; each needs {MIN_EACH})"
            ),
        )
    };
    if positives < MIN_EACH || negatives < MIN_EACH {
        return Err(short("too few contacts on one side"));
    }
    let (train, hold): (Vec<_>, Vec<_>) = rows.iter().partition(|r| !r.2);
    if !(train.iter().any(|r| r.1)
        && train.iter().any(|r| !r.1)
        && hold.iter().any(|r| r.1)
        && hold.iter().any(|r| !r.1))
    {
        return Err(short("the held-out contacts need both kinds"));
    }
    let width = names.len();
    let n = train.len() as f64;
    let mut means = vec![0.0; width];
    for r in &train {
        for (m, x) in means.iter_mut().zip(&r.0) {
            *m += x / n;
        }
    }
    let mut scales = vec![0.0; width];
    for r in &train {
        for ((s, x), m) in scales.iter_mut().zip(&r.0).zip(&means) {
            *s += (x - m).powi(2) / n;
        }
    }
    let scales: Vec<f64> = scales.into_iter().map(|v| if v.sqrt() > 1e-9 { v.sqrt() } else { 1.0 }).collect();
    let matrix = |set: &[&(Vec<f64>, bool, bool)]| -> Array2<f64> {
        let mut a = Array2::<f64>::zeros((set.len(), width));
        for (i, r) in set.iter().enumerate() {
            for (j, x) in r.0.iter().enumerate() {
                a[[i, j]] = (x - means[j]) / scales[j];
            }
        }
        a
    };
    let x = matrix(&train);
    let y: Array1<bool> = train.iter().map(|r| r.1).collect();
    let fitted = LogisticRegression::default()
        .alpha(0.1)
        .max_iterations(200)
        .fit(&Dataset::new(x, y))
        .map_err(|e| Error::invalid("targetEvent", format!("the model could not be fitted: {e}")))?;
    // linfa's probability is of the more frequent class; turned, when that is "did
    // not respond", into the probability of responding.
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    let params = Params {
        types,
        features: names,
        means,
        scales,
        weights: fitted.params().iter().map(|w| w * sign).collect(),
        intercept: fitted.intercept() * sign,
    };
    let scored: Vec<(f64, bool)> = hold.iter().map(|r| (params.predict(&r.0), r.1)).collect();
    let auc = auc(&scored);
    Ok(Fit { params, auc, training: train.len() as i64, holdout: hold.len() as i64, positives })
}

async fn fail(ctx: &TenantCtx, p: &Parley, id: PropensityModelId, error: String) -> Result<()> {
    let tx = p.tenant_tx(ctx).await?;
    tx.update::<model::Entity>("propensity_model.failed", id, |m| {
        m.status = Set(ModelStatus::Failed);
        m.error = Set(Some(error));
        m.updated_at = Set(now());
        Ok(())
    })
    .await?;
    tx.commit().await
}

/// Trains model `id` for `job`, then scores every contact; false when another worker
/// took the job over. Too little history marks the model failed with the reason.
pub async fn run(p: &Parley, worker: &str, job: &ClaimedJob, id: PropensityModelId) -> Result<bool> {
    match run_inner(p, worker, job, id).await {
        Err(Error::NotFound) => Ok(true),
        Err(e @ (Error::Conflict(_) | Error::Invalid { .. })) => {
            let msg = match e {
                Error::Invalid { message, .. } => message,
                e => e.to_string(),
            };
            fail(&job.ctx, p, id, msg).await?;
            Ok(true)
        }
        other => other,
    }
}

async fn run_inner(p: &Parley, worker: &str, job: &ClaimedJob, id: PropensityModelId) -> Result<bool> {
    let ctx = &job.ctx;
    let tx = p.tenant_tx(ctx).await?;
    let m = tx.find::<model::Entity>(id).await?;
    let at = now();
    let cutoff = at - Duration::days(i64::from(m.horizon_days));
    let types = common_types(&tx, cutoff).await?;
    let population = contact::Entity::scoped(ctx).filter(contact::Column::MergedInto.is_null()).count(&tx).await?;
    tx.commit().await?;
    let rate = u128::from((MAX_TRAINING * 1000).div_ceil(population.max(1)).min(1000));

    // Training rows: features as of one horizon ago, and whether the event followed.
    let mut rows: Vec<(Vec<f64>, bool, bool)> = Vec::new();
    let mut after = None;
    loop {
        let tx = p.tenant_tx(ctx).await?;
        let batch = contacts_after(&tx, after).await?;
        after = batch.last().map(|(id, _)| *id);
        let picked: Vec<(ContactId, DateTime<Utc>)> =
            batch.iter().copied().filter(|(id, _)| sampled(*id, rate)).collect();
        let ids: Vec<ContactId> = picked.iter().map(|(id, _)| *id).collect();
        if !picked.is_empty() {
            let f = features(&tx, &picked, cutoff, &types).await?;
            let yes = responded(&tx, &ids, &m.target_event, cutoff, at).await?;
            rows.extend(f.into_iter().zip(&ids).map(|(f, id)| (f, yes.binary_search(id).is_ok(), held_out(*id))));
        }
        tx.commit().await?;
        if (batch.len() as u64) < BATCH {
            break;
        }
    }
    let fit = fit(&rows, feature_names(&types), types, &m.target_event, m.horizon_days)?;
    drop(rows);

    // Scores: the same features as of now, for every live contact.
    let total = {
        let tx = p.tenant_tx(ctx).await?;
        let n = contact::Entity::scoped(ctx).filter(contact::Column::MergedInto.is_null()).count(&tx).await?;
        tx.commit().await?;
        i64::try_from(n).unwrap_or(i64::MAX)
    };
    let mut after = None;
    let mut done = 0i64;
    loop {
        let tx = p.tenant_tx(ctx).await?;
        let batch = contacts_after(&tx, after).await?;
        after = batch.last().map(|(id, _)| *id);
        let f = features(&tx, &batch, at, &fit.params.types).await?;
        let scores: Vec<(ContactId, Value)> = batch
            .iter()
            .zip(f)
            .map(|((id, _), f)| {
                let s = (fit.params.predict(&f) * 10_000.0).round() / 10_000.0;
                (*id, json!({ m.attribute.as_str(): s }))
            })
            .collect();
        super::write::patch(&tx, &scores).await?;
        done += scores.len() as i64;
        model::Entity::update_many()
            .col_expr(model::Column::ContactsScored, Expr::value(done))
            .col_expr(model::Column::ContactsTotal, Expr::value(total.max(done)))
            .filter(model::Column::TenantId.eq(ctx.tenant_id()))
            .filter(model::Column::Id.eq(id))
            .exec(&tx)
            .await?;
        if !jobs::report_in(&tx, p, worker, job, Progress { done, total: Some(total.max(done)) }, None).await? {
            return Ok(false);
        }
        tx.commit().await?;
        if (batch.len() as u64) < BATCH {
            break;
        }
    }

    let tx = p.tenant_tx(ctx).await?;
    tx.update::<model::Entity>("propensity_model.trained", id, |row| {
        row.status = Set(ModelStatus::Ready);
        row.auc = Set(Some(fit.auc));
        row.training_contacts = Set(fit.training);
        row.holdout_contacts = Set(fit.holdout);
        row.positives = Set(fit.positives);
        row.contacts_scored = Set(done);
        row.contacts_total = Set(done);
        row.params = Set(Some(serde_json::to_value(&fit.params).map_err(Error::internal)?));
        row.error = Set(None);
        row.trained_at = Set(Some(at));
        row.updated_at = Set(now());
        Ok(())
    })
    .await?;
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Contacts whose single feature is high mostly respond; the fit finds it and
    /// ranks held-out contacts well.
    #[test]
    fn a_signal_in_the_features_is_learned_and_measured_on_held_out_contacts() {
        let mut rows = Vec::new();
        for i in 0..400u32 {
            let x = f64::from(i % 10);
            // Responds when x is high, with a little noise (every 7th flips).
            let y = (x >= 5.0) != (i % 7 == 0);
            rows.push((vec![x, 1.0], y, i % 5 == 0));
        }
        let f = fit(&rows, vec!["x".into(), "flat".into()], vec![], "purchase", 30).unwrap();
        assert!(f.auc > 0.8, "auc {}", f.auc);
        assert_eq!((f.training, f.holdout), (320, 80));
        assert!(f.params.weights[0] > 0.0);
        assert_eq!(f.params.scales[1], 1.0, "a constant feature is not scaled by zero");
        assert!(f.params.predict(&[9.0, 1.0]) > f.params.predict(&[1.0, 1.0]));

        // Most respond this time: the probability is still of responding.
        let most: Vec<_> = rows.iter().map(|(x, _, h)| (x.clone(), x[0] >= 2.0, *h)).collect();
        let f = fit(&most, vec!["x".into(), "flat".into()], vec![], "purchase", 30).unwrap();
        assert!(f.auc > 0.9 && f.params.weights[0] > 0.0, "{f:?}");
        assert!(f.params.predict(&[9.0, 1.0]) > 0.5 && f.params.predict(&[0.0, 1.0]) < 0.5);
    }

    #[test]
    fn auc_is_the_chance_a_positive_outranks_a_negative() {
        assert_eq!(auc(&[(0.9, true), (0.1, false)]), 1.0);
        assert_eq!(auc(&[(0.1, true), (0.9, false)]), 0.0);
        assert_eq!(auc(&[(0.5, true), (0.5, false)]), 0.5);
        // Positives at 0.8 and 0.4, negatives at 0.6 and 0.2: 3 of 4 pairs in order.
        assert_eq!(auc(&[(0.8, true), (0.6, false), (0.4, true), (0.2, false)]), 0.75);
    }

    #[test]
    fn too_little_history_is_refused_with_the_counts() {
        let rows: Vec<(Vec<f64>, bool, bool)> = (0..50).map(|i| (vec![1.0], i < 5, i % 5 == 0)).collect();
        let e = fit(&rows, vec!["x".into()], vec![], "purchase", 30).unwrap_err();
        assert!(e.to_string().contains("found 5 contacts who did purchase"), "{e}");
    }
}
