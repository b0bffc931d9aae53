//! Writing contacts, their consent, merges and erasure, and contact fields.

use async_graphql::{Context, ID, InputObject, Json, MaybeUndefined, Object};
use domain::contacts::{ContactChanges, Edit};

use super::{AttributeType, Channel, ConsentStatus, Contact, ContactField, EraseContactPayload, UpsertContactPayload};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::{Registered, id_of};

/// A contact's fields to write. Left out: unchanged; `null`: removed.
#[derive(InputObject, Default)]
pub struct ContactInput {
    pub email: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub external_id: MaybeUndefined<String>,
    pub first_name: MaybeUndefined<String>,
    pub last_name: MaybeUndefined<String>,
    pub time_zone: MaybeUndefined<String>,
    /// Contact field values by key; a `null` value removes one.
    pub attributes: Option<Json<serde_json::Map<String, serde_json::Value>>>,
    /// The contact's whole set of tags.
    pub tags: Option<Vec<String>>,
    /// Consent to record, channel by channel.
    pub consents: Option<Vec<ConsentInput>>,
}

/// Consent on one channel, given with a contact.
#[derive(InputObject)]
pub struct ConsentInput {
    pub channel: Channel,
    pub status: ConsentStatus,
    /// Where it came from (`signup form`, `import`…); `api` when left out.
    pub source: Option<String>,
}

fn edit(v: MaybeUndefined<String>) -> Edit<String> {
    match v {
        MaybeUndefined::Undefined => Edit::Keep,
        MaybeUndefined::Null => Edit::Clear,
        MaybeUndefined::Value(s) => Edit::Set(s),
    }
}

impl From<ContactInput> for ContactChanges {
    fn from(i: ContactInput) -> Self {
        ContactChanges {
            email: edit(i.email),
            phone: edit(i.phone),
            external_id: edit(i.external_id),
            first_name: edit(i.first_name),
            last_name: edit(i.last_name),
            time_zone: edit(i.time_zone),
            attributes: i.attributes.map(|a| a.0).unwrap_or_default(),
            tags: i.tags,
            consents: i
                .consents
                .unwrap_or_default()
                .into_iter()
                .map(|c| domain::contacts::ConsentChange {
                    channel: c.channel.into(),
                    status: c.status.into(),
                    source: c.source,
                })
                .collect(),
        }
    }
}

/// A consent to record.
#[derive(InputObject)]
pub struct SetConsentInput {
    pub contact_id: ID,
    pub channel: Channel,
    pub status: ConsentStatus,
    /// Where it came from (`signup form`, `phone call`…).
    pub source: String,
}

/// Two contacts that are one person.
#[derive(InputObject)]
pub struct MergeContactsInput {
    /// The contact that stays.
    pub target_id: ID,
    /// The contact merged into it.
    pub source_id: ID,
}

/// A new contact field.
#[derive(InputObject)]
pub struct CreateContactFieldInput {
    /// Lower-case letters, digits and `_`, starting with a letter (`loyalty_tier`).
    pub key: String,
    pub label: String,
    pub kind: AttributeType,
    /// The allowed values of an `ENUM` field.
    #[graphql(default)]
    pub options: Vec<String>,
    /// The currency of a `MONEY` field (ISO 4217).
    pub currency: Option<String>,
}

/// Changes to a contact field (its key and type stay).
#[derive(InputObject)]
pub struct UpdateContactFieldInput {
    pub label: Option<String>,
    /// The allowed values of an `ENUM` field.
    pub options: Option<Vec<String>>,
}

/// Contact writes.
#[derive(Default)]
pub struct ContactsMutation;

#[Object]
impl ContactsMutation {
    /// Adds a contact; it needs an email, a phone or an external ID, none of them
    /// another contact's.
    async fn create_contact(&self, ctx: &Context<'_>, input: ContactInput) -> async_graphql::Result<Contact> {
        let t = tenant(ctx).await?;
        Ok(Contact(domain::contacts::create(t, parley(ctx)?, input.into()).await.gql(ctx)?))
    }

    /// Changes a contact's fields.
    async fn update_contact(&self, ctx: &Context<'_>, id: ID, input: ContactInput) -> async_graphql::Result<Contact> {
        let id = id_of::<Contact>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Contact(domain::contacts::update(t, parley(ctx)?, id, input.into()).await.gql(ctx)?))
    }

    /// Updates the contact these identities point to (external ID, then email, then
    /// phone), or adds one: sending the same data twice changes nothing.
    async fn upsert_contact(
        &self,
        ctx: &Context<'_>,
        input: ContactInput,
    ) -> async_graphql::Result<UpsertContactPayload> {
        let t = tenant(ctx).await?;
        let (c, created) = domain::contacts::upsert(t, parley(ctx)?, input.into()).await.gql(ctx)?;
        Ok(UpsertContactPayload { contact: Contact(c), created })
    }

    /// Records a contact's consent on a channel.
    async fn set_consent(&self, ctx: &Context<'_>, input: SetConsentInput) -> async_graphql::Result<Contact> {
        let id = id_of::<Contact>("contactId", &input.contact_id).gql(ctx)?;
        let t = tenant(ctx).await?;
        let (channel, status) = (input.channel.into(), input.status.into());
        let c = domain::contacts::set_consent(t, parley(ctx)?, id, channel, status, &input.source).await.gql(ctx)?;
        Ok(Contact(c))
    }

    /// Merges the source contact into the target, keeping the history of both.
    async fn merge_contacts(&self, ctx: &Context<'_>, input: MergeContactsInput) -> async_graphql::Result<Contact> {
        let target = id_of::<Contact>("targetId", &input.target_id).gql(ctx)?;
        let source = id_of::<Contact>("sourceId", &input.source_id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Contact(domain::contacts::merge(t, parley(ctx)?, target, source).await.gql(ctx)?))
    }

    /// Everything held about a contact, as one JSON document (a privacy request's
    /// answer); the export is recorded in the audit trail.
    async fn export_contact(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Json<serde_json::Value>> {
        let id = id_of::<Contact>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Json(domain::contacts::export(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Erases a contact and their whole history (a privacy request); cannot be undone.
    async fn erase_contact(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<EraseContactPayload> {
        let id = id_of::<Contact>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        domain::contacts::erase(t, parley(ctx)?, id).await.gql(ctx)?;
        Ok(EraseContactPayload { erased_contact_id: crate::graphql::ids::global_id(Contact::TYPE_NAME, id.into()) })
    }

    /// Defines a contact field.
    async fn create_contact_field(
        &self,
        ctx: &Context<'_>,
        input: CreateContactFieldInput,
    ) -> async_graphql::Result<ContactField> {
        let t = tenant(ctx).await?;
        let new = domain::contacts::fields::NewField {
            key: input.key,
            label: input.label,
            kind: input.kind.into(),
            options: input.options,
            currency: input.currency,
        };
        Ok(ContactField(domain::contacts::fields::create(t, parley(ctx)?, new).await.gql(ctx)?))
    }

    /// Renames a contact field or changes its options.
    async fn update_contact_field(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateContactFieldInput,
    ) -> async_graphql::Result<ContactField> {
        let id = id_of::<ContactField>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        let f = domain::contacts::fields::update(t, parley(ctx)?, id, input.label, input.options).await.gql(ctx)?;
        Ok(ContactField(f))
    }

    /// Removes a contact field and every contact's value for it.
    async fn delete_contact_field(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ContactField> {
        let id = id_of::<ContactField>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(ContactField(domain::contacts::fields::delete(t, parley(ctx)?, id).await.gql(ctx)?))
    }
}
