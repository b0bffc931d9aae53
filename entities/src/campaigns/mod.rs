//! Campaigns and email: sending domains, templates, campaigns, their sends, the
//! suppression list and the messages that come back.

pub mod campaign;
pub mod campaign_send;
pub mod contact_policy;
pub mod email_suppression;
pub mod email_template;
pub mod enums;
pub mod inbound_message;
pub mod sending_domain;
