//! Centralized decisioning: the offer catalogue and its versions, interaction points
//! and treatment rules.

pub mod decision;
pub mod enums;
pub mod interaction_point;
pub mod offer;
pub mod offer_response;
pub mod offer_stat;
pub mod offer_version;
pub mod optimization_run;
pub mod treatment_rule;
