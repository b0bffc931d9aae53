//! Consent per channel: whether a contact may be reached on it, where that came from
//! and when. The contact holds the current state; every change is also an event in
//! their history, so what was true at any time can be shown.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{ConsentChange, live, timeline};
use crate::{Contact, ContactId, Parley, Permission, Result, TenantCtx, TenantTx, now, validate};
use entities::contact;

/// A channel: one a contact can be reached on (and gives consent on), or one where they
/// come to the business (the web, a kiosk, a point of sale), where offers are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Channel {
    Email,
    Sms,
    Mail,
    Phone,
    Messaging,
    Web,
    Kiosk,
    PointOfSale,
}

impl Channel {
    /// The channels a contact gives or refuses consent on (the outbound ones).
    pub const CONSENTED: [Channel; 5] =
        [Channel::Email, Channel::Sms, Channel::Mail, Channel::Phone, Channel::Messaging];

    /// Every channel.
    pub const EVERY: [Channel; 8] = [
        Channel::Email,
        Channel::Sms,
        Channel::Mail,
        Channel::Phone,
        Channel::Messaging,
        Channel::Web,
        Channel::Kiosk,
        Channel::PointOfSale,
    ];

    /// The name stored and published (`EMAIL`).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "EMAIL",
            Channel::Sms => "SMS",
            Channel::Mail => "MAIL",
            Channel::Phone => "PHONE",
            Channel::Messaging => "MESSAGING",
            Channel::Web => "WEB",
            Channel::Kiosk => "KIOSK",
            Channel::PointOfSale => "POINT_OF_SALE",
        }
    }

    /// The channel named `raw` (`EMAIL`), if any.
    pub fn parse(raw: &str) -> Option<Channel> {
        Channel::EVERY.into_iter().find(|c| c.as_str() == raw)
    }

    /// Whether a contact gives consent on it.
    pub fn takes_consent(self) -> bool {
        Channel::CONSENTED.contains(&self)
    }

    /// Refuses a channel nobody gives consent on, naming `field`.
    pub fn consentable(self, field: &str) -> Result<Channel> {
        if self.takes_consent() {
            Ok(self)
        } else {
            Err(crate::Error::invalid(
                field,
                format!("is {}: consent is recorded for EMAIL, SMS, MAIL, PHONE and MESSAGING", self.as_str()),
            ))
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
    parse(&c.consents)
}

/// The consents a contact's `consents` column holds, channel by channel.
pub(crate) fn parse(stored: &Value) -> Vec<Consent> {
    let map: Map<String, Value> = stored.as_object().cloned().unwrap_or_default();
    Channel::CONSENTED
        .into_iter()
        .filter_map(|ch| serde_json::from_value::<Consent>(map.get(ch.as_str())?.clone()).ok())
        .collect()
}

/// Applies `changes` to `consents` at time `at`: a channel takes the new status unless it
/// holds it already. Answers the consents recorded (none: nothing changed).
pub(crate) fn record(consents: &mut Vec<Consent>, changes: &[ConsentChange], at: DateTime<Utc>) -> Vec<Consent> {
    let mut changed = Vec::new();
    for c in changes {
        if consents.iter().any(|k| k.channel == c.channel && k.status == c.status) {
            continue;
        }
        consents.retain(|k| k.channel != c.channel);
        let source = c.source.clone().unwrap_or_else(|| "api".to_owned());
        let recorded = Consent { channel: c.channel, status: c.status, source, recorded_at: at };
        consents.push(recorded.clone());
        changed.push(recorded);
    }
    changed
}

/// Appends a `consent_changed` event to `contact`'s history for each recorded consent.
pub(crate) async fn append_events(tx: &TenantTx<'_>, contact: ContactId, changed: Vec<Consent>) -> Result<()> {
    for c in changed {
        let props = json!({ "channel": c.channel, "status": c.status, "source": c.source });
        timeline::append(tx, contact, "consent_changed", props, c.recorded_at).await?;
    }
    Ok(())
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
    let channel = channel.consentable("channel")?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::EditContacts)?;
    let c = set_consent_in(&tx, id, channel, status, source).await?;
    tx.commit().await?;
    Ok(c)
}

/// [`set_consent`] inside a transaction (an unsubscribe link records consent too).
pub(crate) async fn set_consent_in(
    tx: &TenantTx<'_>,
    id: ContactId,
    channel: Channel,
    status: ConsentStatus,
    source: String,
) -> Result<Contact> {
    let c = live(tx, id).await?;
    let mut consents = consents_of(&c);
    let at = now();
    let change = ConsentChange { channel, status, source: Some(source) };
    let changed = record(&mut consents, &[change], at);
    if changed.is_empty() {
        return Ok(c);
    }
    let c = tx
        .update::<contact::Entity>("contact.consent_changed", c.id, |row| {
            row.consents = Set(stored(&consents));
            row.updated_at = Set(at);
            Ok(())
        })
        .await?;
    append_events(tx, c.id, changed).await?;
    Ok(c)
}
