//! SeaORM entities of Parley: plain data, one module per table, no behaviour.
//!
//! Global tables (`users`, `workspaces`, `refresh_tokens`, `email_verifications`,
//! `password_resets`, `login_throttles`, `login_addresses`, `user_totps`, `recovery_codes`) describe identity and the tenants themselves; every other table is
//! owned by a tenant and keyed `(tenant_id, id)`.

pub mod api_key;
pub mod assets;
pub mod attribute_definition;
pub mod audit_entry;
pub mod campaigns;
pub mod contact;
pub mod contact_event;
pub mod contact_export;
pub mod contact_import;
pub mod decisions;
pub mod email_verification;
pub mod enums;
pub mod file_chunk;
pub mod ids;
pub mod import_rejection;
pub mod invitation;
pub mod job;
pub mod journeys;
pub mod leads;
pub mod login_address;
pub mod login_throttle;
pub mod membership;
pub mod ops;
pub mod password_reset;
pub mod product_affinity;
pub mod propensity_model;
pub mod recovery_code;
pub mod refresh_token;
pub mod score_run;
pub mod score_schedule;
pub mod segment;
pub mod segment_member;
pub mod stored_file;
pub mod tracking_key;
pub mod triggers;
pub mod user;
pub mod user_totp;
pub mod visitor;
pub mod workspace;

pub use assets::{asset, asset_comment, asset_version};
pub use campaigns::{
    campaign, campaign_send, contact_policy, email_suppression, email_template, inbound_message, sending_domain,
};
pub use decisions::{
    decision, interaction_point, offer, offer_response, offer_stat, offer_version, optimization_run, treatment_rule,
};
pub use journeys::{journey, journey_enrolment, journey_run, journey_version, journey_visit};
pub use leads::{lead, lead_activity, lead_run, lead_scoring_model, lead_webhook, routing_rule, sales_rep};
pub use ops::{
    approval, approval_decision, approval_delegation, approval_rule, budget_draft, budget_line, cost_center, invoice,
    invoice_charge, plan, program, project, purchase_order, purchase_order_line, task_comment, vendor, workflow,
    workflow_task, workflow_template,
};
pub use triggers::{trigger_cursor, trigger_firing, trigger_member, trigger_rule, trigger_timer};
