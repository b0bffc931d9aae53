//! Contacts, their consent and history, and the workspace's contact fields.

use async_graphql::{Context, Enum, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::{NodeObject, node_object};

/// The type of a contact field, which decides the values it holds.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::AttributeKind")]
pub enum AttributeType {
    /// Text.
    String,
    /// A number.
    Number,
    /// True or false.
    Boolean,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// Money: `{"amount": minor units, "currency": "EUR"}` in the field's currency.
    Money,
    /// One of the field's options.
    Enum,
    /// A list of short texts.
    List,
}

/// A channel: one a contact can be reached on and gives consent on (`EMAIL`, `SMS`,
/// `MAIL`, `PHONE` — the call center too — and `MESSAGING`), or one where they come to
/// the business and offers are shown (`WEB`, `KIOSK`, `POINT_OF_SALE`).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::contacts::Channel")]
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

/// Where a contact's consent on a channel stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::contacts::ConsentStatus")]
pub enum ConsentStatus {
    /// May be contacted.
    Granted,
    /// Asked not to be; nothing is sent.
    Denied,
    /// Asked to be, not yet confirmed; nothing is sent yet.
    Pending,
}

/// A contact's consent on one channel.
#[derive(SimpleObject)]
pub struct Consent {
    pub channel: Channel,
    pub status: ConsentStatus,
    /// Where it came from (a form, an import, an unsubscribe link).
    pub source: String,
    pub recorded_at: DateTime<Utc>,
}

impl From<domain::contacts::Consent> for Consent {
    fn from(c: domain::contacts::Consent) -> Self {
        Consent { channel: c.channel.into(), status: c.status.into(), source: c.source, recorded_at: c.recorded_at }
    }
}

/// A customer or prospect of the workspace.
pub struct Contact(pub domain::Contact);

impl NodeObject for Contact {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

#[Object]
impl Contact {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    /// Lower-cased; unique in the workspace.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// E.164 (`+441632960961`); unique in the workspace.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// The contact's ID in another system; unique in the workspace.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }
    /// Whether campaigns skip the email address, and why (null: they do not).
    async fn email_suppression(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::campaigns::EmailSuppression>> {
        let Some(email) = self.0.email.as_deref() else { return Ok(None) };
        let t = tenant(ctx).await?;
        let s = domain::campaigns::suppressions::status_of(t, parley(ctx)?, email).await.gql(ctx)?;
        Ok(s.filter(|s| s.reason.is_some()).map(crate::graphql::campaigns::EmailSuppression))
    }
    /// Temporary delivery failures of the email address counted toward suppression.
    async fn soft_bounce_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        let Some(email) = self.0.email.as_deref() else { return Ok(0) };
        let t = tenant(ctx).await?;
        let s = domain::campaigns::suppressions::status_of(t, parley(ctx)?, email).await.gql(ctx)?;
        Ok(s.map_or(0, |s| s.soft_bounces))
    }
    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }
    /// The full name, else the first identity: what lists show.
    async fn display_name(&self) -> String {
        domain::contacts::display_name(&self.0)
    }
    /// IANA time zone (`Europe/Paris`).
    async fn time_zone(&self) -> Option<&str> {
        self.0.time_zone.as_deref()
    }
    /// Values of the workspace's contact fields, by field key.
    async fn attributes(&self) -> Json<serde_json::Map<String, serde_json::Value>> {
        Json(domain::contacts::attributes_of(&self.0))
    }
    async fn tags(&self) -> Vec<String> {
        domain::contacts::tags_of(&self.0)
    }
    /// Consent on each channel recorded so far.
    async fn consents(&self) -> Vec<Consent> {
        domain::contacts::consents_of(&self.0).into_iter().map(Consent::from).collect()
    }
    /// The contact's history, newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<ContactEvent>> {
        let id = self.0.id;
        list(ctx, first, after, move |t, p, args| domain::contacts::timeline::events(t, p, id, args), ContactEvent)
            .await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

node_object! {
    /// One event in a contact's history.
    ContactEvent(domain::ContactEvent) {
        /// What happened (`page_view`, `purchase`, `consent_changed`, `contact_merged`…).
        kind: String,
        occurred_at: DateTime<Utc>,
        received_at: DateTime<Utc>,
    }
    extra {
        /// What the event carried.
        async fn properties(&self) -> Json<serde_json::Value> {
            Json(self.0.properties.clone())
        }
    }
}

node_object! {
    /// A custom field of the workspace's contacts.
    ContactField(domain::ContactField) {
        /// The key its values go under in `Contact.attributes`.
        key: String,
        label: String,
        kind: AttributeType,
        /// The currency of a `MONEY` field.
        currency: Option<String>,
        created_at: DateTime<Utc>,
    }
    extra {
        /// The allowed values of an `ENUM` field.
        async fn options(&self) -> Vec<String> {
            domain::contacts::fields::options_of(&self.0)
        }
        /// How many decimals the currency of a `MONEY` field has (2 for EUR, 0 for JPY).
        async fn currency_decimals(&self) -> Option<i32> {
            self.0.currency.as_deref().map(|c| domain::money::decimals(c) as i32)
        }
    }
}

/// A contact written by `upsertContact`, and whether it is new.
#[derive(SimpleObject)]
pub struct UpsertContactPayload {
    pub contact: Contact,
    /// True when no contact had these identities and one was made.
    pub created: bool,
}

/// What `eraseContact` erased.
#[derive(SimpleObject)]
pub struct EraseContactPayload {
    /// The erased contact's ID; it no longer finds anything.
    pub erased_contact_id: async_graphql::ID,
}
