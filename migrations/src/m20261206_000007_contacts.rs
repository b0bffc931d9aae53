//! Contacts (INS-1): contacts with their identities, custom attributes, consent and
//! tags; the workspace's attribute definitions; and contact events, the history every
//! channel appends to.

use sea_orm_migration::prelude::*;

use crate::schema::{create_tenant_table, index, json, short, text, text_null, ts, uuid_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000007_contacts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let contact_cols = vec![
            text_null("email"),
            text_null("phone"),
            text_null("external_id"),
            text_null("first_name"),
            text_null("last_name"),
            text_null("time_zone"),
            json("attributes"),
            json("tags"),
            json("consents"),
            uuid_null("merged_into"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "contacts", contact_cols, None).await?;
        // Identities are unique in a workspace (NULLs, a contact without one, are not
        // equal to each other on either database).
        for (name, col) in
            [("contacts_email", "email"), ("contacts_phone", "phone"), ("contacts_external_id", "external_id")]
        {
            manager.create_index(index("contacts", name, &["tenant_id", col], true)).await?;
        }

        let event_cols = vec![
            uuid_null("contact_id"),
            text_null("anonymous_id"),
            text("kind"),
            json("properties"),
            ts("occurred_at"),
            ts("received_at"),
        ];
        create_tenant_table(manager, "contact_events", event_cols, None).await?;
        let by_contact =
            index("contact_events", "contact_events_contact", &["tenant_id", "contact_id", "occurred_at"], false);
        manager.create_index(by_contact).await?;
        let by_visitor = index("contact_events", "contact_events_anonymous", &["tenant_id", "anonymous_id"], false);
        manager.create_index(by_visitor).await?;

        let attribute_cols =
            vec![text("key"), text("label"), short("kind"), json("options"), text_null("currency"), ts("created_at")];
        create_tenant_table(manager, "attribute_definitions", attribute_cols, None).await?;
        manager
            .create_index(index("attribute_definitions", "attribute_definitions_key", &["tenant_id", "key"], true))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["attribute_definitions", "contact_events", "contacts"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
