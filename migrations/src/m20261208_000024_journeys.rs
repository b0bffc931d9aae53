//! Journeys (EXE-5): a workspace's journeys with their draft, the versions published
//! (never changed once published), each contact's enrolment (the step it is at and
//! when it moves on) and each step it entered (its path, and the canvas's counts).

use sea_orm_migration::prelude::*;

use crate::schema::{create_tenant_table, index, int, json, short, text, text_null, ts, ts_null, uuid, uuid_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000024_journeys"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let journeys = vec![
            text("name"),
            json("draft"),
            short("status"),
            int("version"),
            text_null("entry_kind"),
            uuid_null("entry_ref"),
            json("watches"),
            uuid("created_by"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "journeys", journeys, None).await?;
        manager.create_index(index("journeys", "journeys_name", &["tenant_id", "name"], true)).await?;

        let versions =
            vec![uuid("journey_id"), int("version"), json("definition"), uuid("published_by"), ts("published_at")];
        create_tenant_table(manager, "journey_versions", versions, None).await?;
        manager
            .create_index(index(
                "journey_versions",
                "journey_versions_one",
                &["tenant_id", "journey_id", "version"],
                true,
            ))
            .await?;

        let enrolments = vec![
            uuid("journey_id"),
            int("version"),
            uuid("contact_id"),
            text("source"),
            short("status"),
            text("step"),
            ts("since"),
            ts_null("wake_at"),
            text_null("exit_reason"),
            ts("entered_at"),
            ts_null("finished_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "journey_enrolments", enrolments, None).await?;
        for (name, cols, unique) in [
            ("journey_enrolments_source", &["tenant_id", "journey_id", "source"][..], true),
            ("journey_enrolments_due", &["tenant_id", "wake_at"][..], false),
            ("journey_enrolments_contact", &["tenant_id", "contact_id", "journey_id"][..], false),
            ("journey_enrolments_journey", &["tenant_id", "journey_id", "status"][..], false),
        ] {
            manager.create_index(index("journey_enrolments", name, cols, unique)).await?;
        }

        let visits = vec![
            uuid("enrolment_id"),
            uuid("journey_id"),
            int("version"),
            text("step"),
            ts("entered_at"),
            ts_null("left_at"),
            text_null("outcome"),
            text_null("note"),
        ];
        create_tenant_table(manager, "journey_visits", visits, None).await?;
        for (name, cols) in [
            ("journey_visits_enrolment", &["tenant_id", "enrolment_id", "entered_at"][..]),
            ("journey_visits_step", &["tenant_id", "journey_id", "version", "step"][..]),
        ] {
            manager.create_index(index("journey_visits", name, cols, false)).await?;
        }

        // One row per workspace: when its journeys' last run started.
        create_tenant_table(manager, "journey_runs", vec![ts("started_at")], None).await?;
        manager.create_index(index("journey_runs", "journey_runs_one", &["tenant_id"], true)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["journey_runs", "journey_visits", "journey_enrolments", "journey_versions", "journeys"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
