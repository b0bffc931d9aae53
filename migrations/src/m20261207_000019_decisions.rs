//! Centralized decisioning (DEC-1 … DEC-7): the offer catalogue with every version an
//! offer had, the interaction points that ask for offers, the treatment rules that say
//! which offers are candidates where, for whom; every decision with what it showed, the
//! responses to it, and what has been learnt of each offer at each point.

use sea_orm_migration::prelude::*;

use crate::schema::{create_tenant_table, id, index, int, json, short, text, text_null, ts, ts_null, uuid, uuid_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000019_decisions"
    }
}

const TABLES: [&str; 7] = [
    "offer_stats",
    "offer_responses",
    "decisions",
    "treatment_rules",
    "interaction_points",
    "offer_versions",
    "offers",
];

fn big(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).big_integer().not_null().to_owned()
}

fn double(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).double().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let offers = vec![
            ColumnDef::new(id("code")).string_len(40).not_null().to_owned(),
            text("name"),
            short("status"),
            int("version"),
            json("channels"),
            ts_null("valid_from"),
            ts_null("valid_to"),
            short("currency"),
            big("value_minor"),
            big("cost_minor"),
            json("creatives"),
            json("attributes"),
            uuid("created_by"),
            ts("created_at"),
            ts("updated_at"),
            ts_null("retired_at"),
        ];
        create_tenant_table(manager, "offers", offers, None).await?;
        let versions = vec![uuid("offer_id"), int("version"), json("content"), uuid("created_by"), ts("created_at")];
        create_tenant_table(manager, "offer_versions", versions, None).await?;
        let points = vec![
            text("name"),
            short("channel"),
            int("max_offers"),
            uuid_null("fallback_offer_id"),
            big("response_window_secs"),
            int("holdout_basis_points"),
            int("exploration_basis_points"),
            uuid("created_by"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "interaction_points", points, None).await?;
        let rules = vec![
            uuid("point_id"),
            uuid_null("segment_id"),
            json("offer_ids"),
            json("eligibility"),
            double("weight"),
            uuid("created_by"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "treatment_rules", rules, None).await?;
        let decisions = vec![
            uuid("point_id"),
            uuid_null("contact_id"),
            text_null("anonymous_id"),
            json("context"),
            short("mode"),
            json("offers"),
            ts("created_at"),
        ];
        create_tenant_table(manager, "decisions", decisions, None).await?;
        let responses = vec![
            uuid("decision_id"),
            uuid("offer_id"),
            uuid("point_id"),
            uuid_null("contact_id"),
            short("outcome"),
            ColumnDef::new(id("revenue_minor")).big_integer().null().to_owned(),
            ColumnDef::new(id("currency")).string_len(16).null().to_owned(),
            int("learned"),
            ts("responded_at"),
        ];
        create_tenant_table(manager, "offer_responses", responses, None).await?;
        let stats = vec![uuid("point_id"), uuid("offer_id"), big("trials"), big("successes"), ts("updated_at")];
        create_tenant_table(manager, "offer_stats", stats, None).await?;
        for (table, name, cols, unique) in [
            ("offers", "offers_code", &["tenant_id", "code"][..], true),
            ("offers", "offers_status", &["tenant_id", "status"][..], false),
            ("offer_versions", "offer_versions_number", &["tenant_id", "offer_id", "version"][..], true),
            ("interaction_points", "interaction_points_name", &["tenant_id", "name"][..], true),
            ("treatment_rules", "treatment_rules_point", &["tenant_id", "point_id"][..], false),
            ("decisions", "decisions_contact", &["tenant_id", "contact_id", "created_at"][..], false),
            ("decisions", "decisions_point", &["tenant_id", "point_id", "created_at"][..], false),
            ("offer_responses", "offer_responses_once", &["tenant_id", "decision_id", "offer_id", "outcome"][..], true),
            ("offer_stats", "offer_stats_pair", &["tenant_id", "point_id", "offer_id"][..], true),
        ] {
            manager.create_index(index(table, name, cols, unique)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in TABLES {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
