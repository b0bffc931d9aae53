//! Schema migrations: one module per change, portable between SQLite and PostgreSQL.
//! PostgreSQL-only extras (the runtime role, grants, row-level security) sit behind a
//! backend check in the same migration.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_foundation;
mod m20261123_000002_password_resets;
mod m20261129_000003_two_factor;
mod m20261202_000004_identity_hardening;
mod m20261202_000005_grant_hardening;
mod m20261202_000006_job_progress;
mod m20261206_000007_contacts;
mod m20261206_000008_tracking;
mod m20261206_000009_imports;
mod m20261206_000010_segments;
mod m20261206_000011_scores;
mod m20261206_000012_score_schedules;
mod m20261206_000013_marketing_ops;
mod m20261206_000014_workflows;
mod m20261206_000015_budget_periods;
mod m20261207_000016_assets;
mod m20261207_000017_campaigns;
mod m20261207_000018_table_statistics;
mod m20261207_000019_decisions;
mod m20261207_000020_offer_limits;
mod m20261207_000021_optimization_runs;
mod m20261207_000022_offer_approvals;
mod m20261208_000023_triggers;
mod m20261208_000024_journeys;
mod m20261209_000025_leads;
mod pg;
pub mod schema;

/// All migrations of Parley, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261123_000002_password_resets::Migration),
            Box::new(m20261129_000003_two_factor::Migration),
            Box::new(m20261202_000004_identity_hardening::Migration),
            Box::new(m20261202_000005_grant_hardening::Migration),
            Box::new(m20261202_000006_job_progress::Migration),
            Box::new(m20261206_000007_contacts::Migration),
            Box::new(m20261206_000008_tracking::Migration),
            Box::new(m20261206_000009_imports::Migration),
            Box::new(m20261206_000010_segments::Migration),
            Box::new(m20261206_000011_scores::Migration),
            Box::new(m20261206_000012_score_schedules::Migration),
            Box::new(m20261206_000013_marketing_ops::Migration),
            Box::new(m20261206_000014_workflows::Migration),
            Box::new(m20261206_000015_budget_periods::Migration),
            Box::new(m20261207_000016_assets::Migration),
            Box::new(m20261207_000017_campaigns::Migration),
            Box::new(m20261207_000018_table_statistics::Migration),
            Box::new(m20261207_000019_decisions::Migration),
            Box::new(m20261207_000020_offer_limits::Migration),
            Box::new(m20261207_000021_optimization_runs::Migration),
            Box::new(m20261207_000022_offer_approvals::Migration),
            Box::new(m20261208_000023_triggers::Migration),
            Box::new(m20261208_000024_journeys::Migration),
            Box::new(m20261209_000025_leads::Migration),
        ]
    }
}

/// Every table owned by a tenant (keyed `(tenant_id, id)`, walled by row-level
/// security on PostgreSQL). New ones are made with [`schema::create_tenant_table`],
/// which refuses a table missing here; the RLS story checks the database against this
/// list, and the domain checks its tenant-scoped entities against it.
pub const TENANT_TABLES: &[&str] = &[
    "memberships",
    "invitations",
    "api_keys",
    "audit_log",
    "jobs",
    "contacts",
    "contact_events",
    "attribute_definitions",
    "tracking_keys",
    "visitors",
    "stored_files",
    "file_chunks",
    "contact_imports",
    "import_rejections",
    "contact_exports",
    "segments",
    "segment_members",
    "score_runs",
    "propensity_models",
    "product_affinities",
    "score_schedules",
    "plans",
    "programs",
    "projects",
    "cost_centers",
    "vendors",
    "budget_lines",
    "purchase_orders",
    "purchase_order_lines",
    "invoices",
    "invoice_charges",
    "approval_rules",
    "approvals",
    "approval_decisions",
    "approval_delegations",
    "workflow_templates",
    "workflows",
    "workflow_tasks",
    "task_comments",
    "budget_drafts",
    "assets",
    "asset_versions",
    "asset_comments",
    "sending_domains",
    "email_templates",
    "campaigns",
    "campaign_sends",
    "email_suppressions",
    "inbound_messages",
    "contact_policies",
    "offers",
    "offer_versions",
    "interaction_points",
    "treatment_rules",
    "decisions",
    "offer_responses",
    "offer_stats",
    "optimization_runs",
    "trigger_rules",
    "trigger_firings",
    "trigger_timers",
    "trigger_cursors",
    "trigger_members",
    "journeys",
    "journey_versions",
    "journey_enrolments",
    "journey_visits",
    "journey_runs",
    "lead_scoring_models",
    "sales_reps",
    "routing_rules",
    "leads",
    "lead_activities",
    "lead_webhooks",
    "lead_runs",
];

/// Name of the PostgreSQL login role the running server uses; it can neither bypass
/// row-level security nor alter tables.
pub const APP_ROLE: &str = "parley_app";
