//! Event detection (INS-7): a workspace's trigger rules, what each fired for whom (and
//! on which events), the durable timers of rules that wait for something not to
//! happen, where detection stands in the event stream, and who was in a rule's segment
//! when last looked at.

use sea_orm_migration::prelude::*;

use crate::schema::{create_tenant_table, index, json, short, text, ts, ts_null, uuid, uuid_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000023_triggers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let rules = vec![
            text("name"),
            json("definition"),
            short("kind"),
            short("status"),
            // When a segment rule last took stock of its segment's members (null: not
            // yet; nobody fires before it has).
            ts_null("baseline_at"),
            uuid("created_by"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "trigger_rules", rules, None).await?;
        manager.create_index(index("trigger_rules", "trigger_rules_name", &["tenant_id", "name"], true)).await?;

        let firings = vec![
            uuid("rule_id"),
            uuid("contact_id"),
            // What makes a firing the same one again: the event it fired on, or the
            // timer's first event; a second pass over the same events adds nothing.
            text("dedupe"),
            json("events"),
            ts("fired_at"),
        ];
        create_tenant_table(manager, "trigger_firings", firings, None).await?;
        for (name, cols, unique) in [
            ("trigger_firings_once", &["tenant_id", "rule_id", "dedupe"][..], true),
            ("trigger_firings_rule", &["tenant_id", "rule_id", "id"][..], false),
            ("trigger_firings_contact", &["tenant_id", "contact_id", "fired_at"][..], false),
        ] {
            manager.create_index(index("trigger_firings", name, cols, unique)).await?;
        }

        let timers = vec![uuid("rule_id"), uuid("contact_id"), uuid("event_id"), ts("started_at"), ts("due_at")];
        create_tenant_table(manager, "trigger_timers", timers, None).await?;
        manager
            .create_index(index("trigger_timers", "trigger_timers_one", &["tenant_id", "rule_id", "contact_id"], true))
            .await?;
        manager.create_index(index("trigger_timers", "trigger_timers_due", &["tenant_id", "due_at"], false)).await?;

        // One row per workspace: the last event detection has read, and when it last
        // looked at changed contacts and lists.
        let cursors = vec![uuid_null("last_event_id"), ts("contacts_seen_at"), ts("updated_at")];
        create_tenant_table(manager, "trigger_cursors", cursors, None).await?;
        manager.create_index(index("trigger_cursors", "trigger_cursors_one", &["tenant_id"], true)).await?;

        let members = vec![uuid("rule_id"), uuid("contact_id"), ts("since")];
        create_tenant_table(manager, "trigger_members", members, None).await?;
        manager
            .create_index(index(
                "trigger_members",
                "trigger_members_one",
                &["tenant_id", "rule_id", "contact_id"],
                true,
            ))
            .await?;

        // Contacts changed since a moment, for rules on attributes and segments.
        let changed = index("contacts", "contacts_updated", &["tenant_id", "updated_at"], false);
        manager.create_index(changed.clone().if_not_exists().to_owned()).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("contacts_updated").table(Alias::new("contacts")).to_owned()).await?;
        for t in ["trigger_members", "trigger_cursors", "trigger_timers", "trigger_firings", "trigger_rules"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
