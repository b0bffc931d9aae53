//! Segments (INS-4): saved rules over a workspace's contacts and static lists with
//! their members; an index for the event conditions segment rules ask about.

use sea_orm_migration::prelude::*;

use crate::schema::{create_tenant_table, index, json_null, short, text, ts, uuid};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000010_segments"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let segment_cols = vec![text("name"), short("kind"), json_null("rule"), ts("created_at"), ts("updated_at")];
        create_tenant_table(manager, "segments", segment_cols, None).await?;

        let member_cols = vec![uuid("segment_id"), uuid("contact_id"), ts("added_at")];
        create_tenant_table(manager, "segment_members", member_cols, None).await?;
        let once = index("segment_members", "segment_members_once", &["tenant_id", "segment_id", "contact_id"], true);
        manager.create_index(once).await?;
        // Erasure and merges find a contact's memberships.
        let by_contact = index("segment_members", "segment_members_contact", &["tenant_id", "contact_id"], false);
        manager.create_index(by_contact).await?;

        // A rule's event condition counts one contact's events of one type since a time.
        let by_kind = index(
            "contact_events",
            "contact_events_contact_kind",
            &["tenant_id", "contact_id", "kind", "occurred_at"],
            false,
        );
        manager.create_index(by_kind).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop().name("contact_events_contact_kind").table(Alias::new("contact_events")).to_owned(),
            )
            .await?;
        for t in ["segment_members", "segments"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
