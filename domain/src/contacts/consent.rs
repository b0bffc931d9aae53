//! Consent per channel: whether a contact may be reached on it, where that came from
//! and when. The contact holds the current state; every change is also an event in
//! their history, so what was true at any time can be shown.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{live, timeline};
use crate::{Contact, ContactId, Parley, Permission, Result, TenantCtx, now, validate};
use entities::contact;

/// A channel a contact can be reached on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Channel {
    Email,
    Sms,
    Mail,
    Phone,
    Messaging,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 5] = [Channel::Email, Channel::Sms, Channel::Mail, Channel::Phone, Channel::Messaging];

    /// The name stored and published (`EMAIL`).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "EMAIL",
            Channel::Sms => "SMS",
            Channel::Mail => "MAIL",
            Channel::Phone => "PHONE",
            Channel::Messaging => "MESSAGING",
        }
    }
}

/// Where a contact's consent on a channel stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConsentStatus {
    /// May be contacted.
    Granted,
    /// Asked not to be; nothing is sent.
    Denied,
    /// Asked to be, not yet confirmed (double opt-in); nothing is sent yet.
    Pending,
}

/// A contact's consent on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub channel: Channel,
    pub status: ConsentStatus,
    /// Where it came from (`signup form`, `import`, `unsubscribe link`).
    pub source: String,
    pub recorded_at: DateTime<Utc>,
}

/// The contact's consent, channel by channel (channels never recorded are absent).
pub fn consents_of(c: &Contact) -> Vec<Consent> {
    let map: Map<String, Value> = c.consents.as_object().cloned().unwrap_or_default();
    Channel::ALL
        .into_iter()
        .filter_map(|ch| serde_json::from_value::<Consent>(map.get(ch.as_str())?.clone()).ok())
        .collect()
}

/// The consents as stored.
pub(crate) fn stored(consents: &[Consent]) -> Value {
    Value::Object(consents.iter().map(|c| (c.channel.as_str().to_owned(), json!(c))).collect())
}

/// Records a contact's consent on `channel`; the same status again changes nothing.
pub async fn set_consent(
    ctx: &TenantCtx,
    p: &Parley,
    id: ContactId,
    channel: Channel,
    status: ConsentStatus,
    source: &str,
) -> Result<Contact> {
    let source = validate::name("source", source, 200)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::EditContacts)?;
    let c = live(&tx, id).await?;
    let mut consents = consents_of(&c);
    if consents.iter().any(|k| k.channel == channel && k.status == status) {
        tx.commit().await?;
        return Ok(c);
    }
    consents.retain(|k| k.channel != channel);
    let at = now();
    consents.push(Consent { channel, status, source: source.clone(), recorded_at: at });
    let c = tx
        .update::<contact::Entity>("contact.consent_changed", c.id, |row| {
            row.consents = Set(stored(&consents));
            row.updated_at = Set(at);
            Ok(())
        })
        .await?;
    let props = json!({ "channel": channel, "status": status, "source": source });
    timeline::append(&tx, c.id, "consent_changed", props, at).await?;
    tx.commit().await?;
    Ok(c)
}
