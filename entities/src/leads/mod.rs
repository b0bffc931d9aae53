//! Leads: contacts in a sales process, the models that score them, the reps and rules
//! that route them, each lead's activity and the CRM webhook.

pub mod lead;
pub mod lead_activity;
pub mod lead_run;
pub mod lead_scoring_model;
pub mod lead_webhook;
pub mod routing_rule;
pub mod sales_rep;
