//! Predictive scores (INS-6): runs of the RFM, lifetime-value and affinity job with
//! what they found, response-propensity models with their training figures, and the
//! products bought together.

use sea_orm_migration::prelude::*;

use crate::schema::{create_tenant_table, id, index, int, json_null, short, text, text_null, ts, ts_null, uuid_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000011_scores"
    }
}

fn big(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).big_integer().not_null().default(0).to_owned()
}

fn real(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).double().not_null().default(0.0).to_owned()
}

fn real_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).double().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let run_cols = vec![
            uuid_null("job_id"),
            short("status"),
            big("purchases_read"),
            big("contacts_scored"),
            big("contacts_total"),
            big("products"),
            json_null("summary"),
            text_null("error"),
            ts("created_at"),
            ts_null("finished_at"),
        ];
        create_tenant_table(manager, "score_runs", run_cols, None).await?;

        let model_cols = vec![
            text("name"),
            text("target_event"),
            int("horizon_days"),
            text("attribute"),
            short("status"),
            uuid_null("job_id"),
            real_null("auc"),
            big("training_contacts"),
            big("holdout_contacts"),
            big("positives"),
            big("contacts_scored"),
            big("contacts_total"),
            json_null("params"),
            text_null("error"),
            ts_null("trained_at"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "propensity_models", model_cols, None).await?;
        // Two models never write the same contact attribute.
        let attribute = index("propensity_models", "propensity_models_attribute", &["tenant_id", "attribute"], true);
        manager.create_index(attribute).await?;

        let affinity_cols = vec![
            text("product"),
            text("other"),
            big("together"),
            big("buyers"),
            real("confidence"),
            real("lift"),
            ts("computed_at"),
        ];
        create_tenant_table(manager, "product_affinities", affinity_cols, None).await?;
        let pair = index("product_affinities", "product_affinities_pair", &["tenant_id", "product", "other"], true);
        manager.create_index(pair).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["product_affinities", "propensity_models", "score_runs"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
