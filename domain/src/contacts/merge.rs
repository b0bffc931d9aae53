//! Merging two contacts that are one person: the history of both, one contact after.

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::consent::{consents_of, stored};
use super::{attributes_of, live, tags_of, timeline};
use crate::{Contact, ContactId, Error, Parley, Permission, Result, TenantCtx, now};
use entities::{contact, contact_event};

/// Merges `source` into `target`. The target keeps what it has and gains what only the
/// source had (identities, names, time zone, field values), the tags of both and, per
/// channel, the consent recorded last; every event of the source becomes the target's.
/// The source stays as a pointer to the target, so its ID still finds the person.
pub async fn merge(ctx: &TenantCtx, p: &Parley, target: ContactId, source: ContactId) -> Result<Contact> {
    // Decisions held by this node are written first, so their history moves too.
    crate::decisions::live::flush_for_read(p).await;
    if target == source {
        return Err(Error::invalid("sourceId", "is the contact to merge into"));
    }
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::EditContacts)?;
    let t = live(&tx, target).await?;
    let s = live(&tx, source).await?;
    let at = now();

    // The source lets go of its identities first: they are unique in the workspace.
    tx.update::<contact::Entity>("contact.merged_away", s.id, |row| {
        row.email = Set(None);
        row.phone = Set(None);
        row.external_id = Set(None);
        row.merged_into = Set(Some(t.id));
        row.updated_at = Set(at);
        Ok(())
    })
    .await?;
    // Pointers to the source now point to the target, and its history moves over.
    contact::Entity::update_many()
        .col_expr(contact::Column::MergedInto, Expr::value(t.id))
        .filter(contact::Column::TenantId.eq(tx.tenant_id()))
        .filter(contact::Column::MergedInto.eq(s.id))
        .exec(&tx)
        .await?;
    entities::visitor::Entity::update_many()
        .col_expr(entities::visitor::Column::ContactId, Expr::value(t.id))
        .filter(entities::visitor::Column::TenantId.eq(tx.tenant_id()))
        .filter(entities::visitor::Column::ContactId.eq(s.id))
        .exec(&tx)
        .await?;
    crate::segments::carry_members(&tx, s.id, t.id).await?;
    contact_event::Entity::update_many()
        .col_expr(contact_event::Column::ContactId, Expr::value(t.id))
        .filter(contact_event::Column::TenantId.eq(tx.tenant_id()))
        .filter(contact_event::Column::ContactId.eq(s.id))
        .exec(&tx)
        .await?;

    let mut attributes = attributes_of(&s);
    attributes.extend(attributes_of(&t));
    let mut tags = tags_of(&t);
    tags.extend(tags_of(&s));
    let tags = super::identity::tags("tags", &tags)?;
    let mut consents = consents_of(&t);
    for c in consents_of(&s) {
        match consents.iter_mut().find(|k| k.channel == c.channel) {
            Some(k) if k.recorded_at >= c.recorded_at => {}
            Some(k) => *k = c,
            None => consents.push(c),
        }
    }
    let merged = tx
        .update::<contact::Entity>("contact.merged", t.id, |row| {
            row.email = Set(t.email.clone().or(s.email.clone()));
            row.phone = Set(t.phone.clone().or(s.phone.clone()));
            row.external_id = Set(t.external_id.clone().or(s.external_id.clone()));
            row.first_name = Set(t.first_name.clone().or(s.first_name.clone()));
            row.last_name = Set(t.last_name.clone().or(s.last_name.clone()));
            row.time_zone = Set(t.time_zone.clone().or(s.time_zone.clone()));
            row.attributes = Set(serde_json::Value::Object(attributes));
            row.tags = Set(json!(tags));
            row.consents = Set(stored(&consents));
            row.updated_at = Set(at);
            Ok(())
        })
        .await?;
    timeline::append(&tx, t.id, "contact_merged", json!({ "mergedContactId": s.id }), at).await?;
    tx.commit().await?;
    Ok(merged)
}
