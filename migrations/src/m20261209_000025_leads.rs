//! Leads (EXE-8): contacts in a sales process, the scoring models that grade them,
//! the sales reps and routing rules that hand them out, each lead's activity (which
//! the CRM webhook delivers) and the webhook itself.

use sea_orm_migration::prelude::*;

use crate::schema::{
    big, big_null, create_tenant_table, index, int, int_null, json, json_null, short, text, text_null, ts, ts_null,
    uuid, uuid_null,
};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261209_000025_leads"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let models = vec![
            text("name"),
            json("rules"),
            big("half_life_secs"),
            int("mql_threshold"),
            int("sql_threshold"),
            short("status"),
            uuid("created_by"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "lead_scoring_models", models, None).await?;
        manager
            .create_index(index("lead_scoring_models", "lead_scoring_models_name", &["tenant_id", "name"], true))
            .await?;

        let reps = vec![
            uuid("user_id"),
            text_null("team"),
            int("weight"),
            int_null("capacity"),
            json_null("hours"),
            ts_null("away_since"),
            uuid_null("manager_id"),
            short("sees"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "sales_reps", reps, None).await?;
        manager.create_index(index("sales_reps", "sales_reps_user", &["tenant_id", "user_id"], true)).await?;

        let rules = vec![
            text("name"),
            int("priority"),
            json("condition"),
            short("strategy"),
            json("rep_ids"),
            text_null("territory_attribute"),
            json("territories"),
            int_null("capacity"),
            int_null("sla_minutes"),
            uuid_null("escalate_to"),
            short("status"),
            big("turn"),
            uuid("created_by"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "routing_rules", rules, None).await?;
        manager.create_index(index("routing_rules", "routing_rules_name", &["tenant_id", "name"], true)).await?;

        let leads = vec![
            uuid("contact_id"),
            short("status"),
            short("stage"),
            short("source"),
            text_null("source_ref"),
            uuid_null("model_id"),
            int("fit"),
            big("behaviour_milli"),
            big("half_life_secs"),
            ts("scored_at"),
            short("grade"),
            json("reasons"),
            uuid_null("owner_id"),
            uuid_null("rule_id"),
            text_null("team"),
            ts_null("assigned_at"),
            ts_null("sla_due_at"),
            ts_null("touched_at"),
            int("escalations"),
            ts_null("route_at"),
            text_null("waiting"),
            short("outcome"),
            big_null("revenue_minor"),
            text_null("currency"),
            text_null("lost_reason"),
            ts("created_at"),
            ts("updated_at"),
            ts_null("closed_at"),
        ];
        create_tenant_table(manager, "leads", leads, None).await?;
        for (name, cols) in [
            ("leads_route", &["tenant_id", "route_at"][..]),
            ("leads_sla", &["tenant_id", "sla_due_at"][..]),
            ("leads_owner", &["tenant_id", "owner_id", "status"][..]),
            ("leads_contact", &["tenant_id", "contact_id"][..]),
        ] {
            manager.create_index(index("leads", name, cols, false)).await?;
        }
        // One open lead per contact.
        manager
            .get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX leads_open ON leads (tenant_id, contact_id) WHERE status = 'OPEN'")
            .await?;

        let activities = vec![
            uuid("lead_id"),
            short("kind"),
            json("detail"),
            uuid_null("actor_id"),
            text("actor"),
            ts("at"),
            short("delivery"),
            int("attempts"),
            text_null("delivery_error"),
            ts_null("delivered_at"),
        ];
        create_tenant_table(manager, "lead_activities", activities, None).await?;
        manager
            .create_index(index("lead_activities", "lead_activities_lead", &["tenant_id", "lead_id", "at"], false))
            .await?;

        // One row per workspace: when its lead routing last started.
        create_tenant_table(manager, "lead_runs", vec![ts("started_at")], None).await?;
        manager.create_index(index("lead_runs", "lead_runs_one", &["tenant_id"], true)).await?;

        let hooks = vec![text("url"), text("secret_sealed"), short("status"), ts("created_at"), ts("updated_at")];
        create_tenant_table(manager, "lead_webhooks", hooks, None).await?;
        manager.create_index(index("lead_webhooks", "lead_webhooks_one", &["tenant_id"], true)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "lead_runs",
            "lead_webhooks",
            "lead_activities",
            "leads",
            "routing_rules",
            "sales_reps",
            "lead_scoring_models",
        ] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
