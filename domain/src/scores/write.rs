//! Writing scores to contacts: the fields they go in (defined on first use, refused
//! when the workspace already has a field of that name with another type), values
//! patched onto many contacts in one statement, and values taken off contacts that
//! no longer have a score.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, QueryFilter, QueryOrder, QuerySelect, Statement, Value as Db};
use serde_json::Value;

use crate::db::TenantOwned;
use crate::{AttributeKind, ContactId, Error, Result, TenantTx};
use entities::contact;

/// A contact field a score is written to.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub key: String,
    pub kind: AttributeKind,
    pub currency: Option<String>,
    pub options: Vec<String>,
}

/// Defines the fields that are missing; a field of the same key with another type (or
/// currency) stops the run, naming it.
pub(crate) async fn ensure(tx: &TenantTx<'_>, fields: &[Field]) -> Result<()> {
    let defs = crate::contacts::fields::all(tx).await?;
    for f in fields {
        match defs.iter().find(|d| d.key == f.key) {
            Some(d) if d.kind == f.kind && (f.kind != AttributeKind::Money || d.currency == f.currency) => {}
            Some(d) => {
                let want = match &f.currency {
                    Some(c) => format!("{:?} in {c}", f.kind),
                    None => format!("{:?}", f.kind),
                };
                return Err(Error::Conflict(format!(
                    "the contact field {} is a {:?} field; scores need it as {}: rename or delete that field first",
                    f.key,
                    d.kind,
                    want.to_uppercase()
                )));
            }
            None => {
                crate::contacts::fields::define_with(tx, &f.key, f.kind, f.currency.clone(), f.options.clone()).await?;
            }
        }
    }
    Ok(())
}

/// Merges each `(contact, values)` object into that contact's attributes.
pub(crate) async fn patch(tx: &TenantTx<'_>, rows: &[(ContactId, Value)]) -> Result<()> {
    let backend = tx.get_database_backend();
    for chunk in rows.chunks(1_000) {
        match backend {
            DbBackend::Postgres => {
                let mut values: Vec<Db> = vec![tx.tenant_id().into()];
                let mut tuples = Vec::with_capacity(chunk.len());
                for (id, v) in chunk {
                    tuples.push(format!("(${}::uuid, ${}::jsonb)", values.len() + 1, values.len() + 2));
                    values.push((*id).into());
                    values.push(v.clone().into());
                }
                let sql = format!(
                    "UPDATE contacts AS c SET attributes = c.attributes || v.patch FROM (VALUES {}) AS v(id, patch) \
                     WHERE c.tenant_id = $1 AND c.id = v.id",
                    tuples.join(", ")
                );
                tx.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
            }
            _ => {
                let sql =
                    "UPDATE contacts SET attributes = json_patch(attributes, ?3) WHERE tenant_id = ?1 AND id = ?2";
                for (id, v) in chunk {
                    let values: [Db; 3] = [tx.tenant_id().into(), (*id).into(), v.to_string().into()];
                    tx.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
                }
            }
        }
    }
    Ok(())
}

/// SQL: whether a contact holds a value for `key` (checked `[a-z][a-z0-9_]*`).
fn holds(backend: DbBackend, key: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("attributes ? '{key}'"),
        _ => format!("json_type(attributes, '$.{key}') IS NOT NULL"),
    }
}

/// Up to `limit` contacts after `after` (in ID order) that hold a value for `key`.
pub(crate) async fn holders(
    tx: &TenantTx<'_>,
    key: &str,
    after: Option<ContactId>,
    limit: u64,
) -> Result<Vec<ContactId>> {
    let mut q = contact::Entity::scoped(tx.ctx()).filter(Expr::cust(holds(tx.get_database_backend(), key)));
    if let Some(a) = after {
        q = q.filter(contact::Column::Id.gt(a));
    }
    Ok(q.select_only()
        .column(contact::Column::Id)
        .order_by_asc(contact::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(tx)
        .await?)
}

/// Takes `keys` (each checked `[a-z][a-z0-9_]*`) off the contacts `ids`.
pub(crate) async fn remove(tx: &TenantTx<'_>, ids: &[ContactId], keys: &[&str]) -> Result<()> {
    let backend = tx.get_database_backend();
    if ids.is_empty() || keys.is_empty() {
        return Ok(());
    }
    debug_assert!(keys.iter().all(|k| k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')));
    let set = match backend {
        DbBackend::Postgres => format!("attributes{}", keys.iter().map(|k| format!(" - '{k}'")).collect::<String>()),
        _ => format!(
            "json_remove(attributes, {})",
            keys.iter().map(|k| format!("'$.{k}'")).collect::<Vec<_>>().join(", ")
        ),
    };
    for chunk in ids.chunks(1_000) {
        let mut values: Vec<Db> = vec![tx.tenant_id().into()];
        let marks: Vec<String> = chunk
            .iter()
            .map(|id| {
                values.push((*id).into());
                format!("${}", values.len())
            })
            .collect();
        let sql =
            format!("UPDATE contacts SET attributes = {set} WHERE tenant_id = $1 AND id IN ({})", marks.join(", "));
        tx.execute_raw(Statement::from_sql_and_values(backend, crate::db::sql_for(backend, &sql), values)).await?;
    }
    Ok(())
}
