//! Campaigns and email (EXE-1, EXE-2): sending domains with their DKIM keys, email
//! templates, campaigns, one send record per campaign and contact (the natural key of a
//! send, written with the state change that makes it), the suppression list, and the
//! raw messages that come back (bounces, feedback reports).

use sea_orm_migration::prelude::*;

use crate::schema::{
    create_tenant_table, index, int, int_null, json, short, text, text_null, ts, ts_null, uuid, uuid_null,
};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000017_campaigns"
    }
}

const TABLES: [&str; 7] = [
    "contact_policies",
    "inbound_messages",
    "email_suppressions",
    "campaign_sends",
    "campaigns",
    "email_templates",
    "sending_domains",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let domains = vec![
            text("domain"),
            text("dkim_selector"),
            text("dkim_private_key"),
            text("dkim_public_key"),
            uuid("created_by"),
            ts("created_at"),
        ];
        create_tenant_table(manager, "sending_domains", domains, None).await?;
        let templates = vec![
            text("name"),
            text("subject"),
            text("mjml"),
            text("text"),
            text("html"),
            uuid("created_by"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "email_templates", templates, None).await?;
        let campaigns = vec![
            text("name"),
            short("status"),
            uuid("template_id"),
            json("variants"),
            uuid("sending_domain_id"),
            text("from_address"),
            text("from_name"),
            json("segment_ids"),
            json("exclude_segment_ids"),
            int("control_basis_points"),
            ts_null("schedule_at"),
            text_null("local_time"),
            uuid_null("project_id"),
            uuid_null("budget_line_id"),
            uuid_null("approval_id"),
            uuid_null("job_id"),
            int("runs"),
            uuid("created_by"),
            uuid_null("launched_by"),
            ts_null("launched_at"),
            ts_null("started_at"),
            ts_null("completed_at"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "campaigns", campaigns, None).await?;
        let sends = vec![
            uuid("campaign_id"),
            uuid("contact_id"),
            text_null("email"),
            short("status"),
            ColumnDef::new(Alias::new("reason")).string_len(24).null().to_owned(),
            int("variant"),
            int("attempts"),
            ts_null("not_before"),
            text_null("last_error"),
            text_null("message_id"),
            ts_null("sent_at"),
            ts_null("opened_at"),
            ts_null("clicked_at"),
            int("opens"),
            int("clicks"),
            ColumnDef::new(Alias::new("bounce")).string_len(8).null().to_owned(),
            ts_null("bounced_at"),
            ts_null("unsubscribed_at"),
            ts_null("complained_at"),
            ts("created_at"),
        ];
        create_tenant_table(manager, "campaign_sends", sends, None).await?;
        let suppressions = vec![
            text("email"),
            ColumnDef::new(Alias::new("reason")).string_len(16).null().to_owned(),
            int("soft_bounces"),
            text("detail"),
            uuid_null("send_id"),
            ts_null("suppressed_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "email_suppressions", suppressions, None).await?;
        let inbound = vec![
            short("kind"),
            short("outcome"),
            uuid_null("send_id"),
            text("recipient"),
            text("detail"),
            text("raw"),
            ts("received_at"),
        ];
        create_tenant_table(manager, "inbound_messages", inbound, None).await?;
        let policies = vec![
            int_null("email_max"),
            int_null("email_window_days"),
            int_null("all_max"),
            int_null("all_window_days"),
            text_null("quiet_start"),
            text_null("quiet_end"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "contact_policies", policies, None).await?;
        // A purchase order may be for a campaign: its cost, beside what the campaign caused.
        manager
            .alter_table(
                Table::alter().table(Alias::new("purchase_orders")).add_column(uuid_null("campaign_id")).to_owned(),
            )
            .await?;
        for (table, name, cols, unique) in [
            ("purchase_orders", "purchase_orders_campaign", &["tenant_id", "campaign_id"][..], false),
            ("sending_domains", "sending_domains_domain", &["tenant_id", "domain"][..], true),
            ("email_templates", "email_templates_name", &["tenant_id", "name"][..], true),
            ("campaigns", "campaigns_status", &["tenant_id", "status"][..], false),
            ("campaign_sends", "campaign_sends_contact", &["tenant_id", "campaign_id", "contact_id"][..], true),
            // Claims read a campaign's queued sends in ID order, a batch at a time.
            ("campaign_sends", "campaign_sends_status", &["tenant_id", "campaign_id", "status", "id"][..], false),
            ("campaign_sends", "campaign_sends_of_contact", &["tenant_id", "contact_id"][..], false),
            ("email_suppressions", "email_suppressions_email", &["tenant_id", "email"][..], true),
            ("inbound_messages", "inbound_messages_received", &["tenant_id", "received_at"][..], false),
            ("contact_policies", "contact_policies_one", &["tenant_id"][..], true),
        ] {
            manager.create_index(index(table, name, cols, unique)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("purchase_orders_campaign").table(Alias::new("purchase_orders")).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter().table(Alias::new("purchase_orders")).drop_column(Alias::new("campaign_id")).to_owned(),
            )
            .await?;
        for t in TABLES {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
