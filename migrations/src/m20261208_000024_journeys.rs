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

        // A journey's email step sends through a campaign of its own (one per step, never
        // completed); its sends name the enrolment, once each.
        for (table, col) in [("campaigns", "journey_id"), ("campaign_sends", "enrolment_id")] {
            let add = Table::alter().table(Alias::new(table)).add_column(uuid_null(col)).to_owned();
            manager.alter_table(add).await?;
        }
        let add = Table::alter().table(Alias::new("campaigns")).add_column(text_null("journey_step")).to_owned();
        manager.alter_table(add).await?;
        // A contact is targeted once by a campaign, and once per enrolment by a journey's.
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX campaign_sends_contact").await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX campaign_sends_contact ON campaign_sends (tenant_id, campaign_id, contact_id) \
             WHERE enrolment_id IS NULL",
        )
        .await?;
        manager
            .create_index(index(
                "campaign_sends",
                "campaign_sends_enrolment",
                &["tenant_id", "enrolment_id", "campaign_id"],
                true,
            ))
            .await?;

        // One row per workspace: when its journeys' last run started.
        create_tenant_table(manager, "journey_runs", vec![ts("started_at")], None).await?;
        manager.create_index(index("journey_runs", "journey_runs_one", &["tenant_id"], true)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX campaign_sends_enrolment").await?;
        db.execute_unprepared("DROP INDEX campaign_sends_contact").await?;
        db.execute_unprepared("DELETE FROM campaign_sends WHERE enrolment_id IS NOT NULL").await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX campaign_sends_contact ON campaign_sends (tenant_id, campaign_id, contact_id)",
        )
        .await?;
        for (table, col) in
            [("campaigns", "journey_id"), ("campaigns", "journey_step"), ("campaign_sends", "enrolment_id")]
        {
            let drop = Table::alter().table(Alias::new(table)).drop_column(Alias::new(col)).to_owned();
            manager.alter_table(drop).await?;
        }
        for t in ["journey_runs", "journey_visits", "journey_enrolments", "journey_versions", "journeys"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
