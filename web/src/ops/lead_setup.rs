//! Typed operations of `lead_setup.graphql`: scoring models, routing rules, sales reps
//! and the CRM webhook.

use super::*;

pub use super::contacts::JSON;
pub use super::leads::{LeadVisibility, RoutingStrategy};

super::operations!("src/ops/lead_setup.graphql":
    /// `LeadScoringModels` in `lead_setup.graphql`.
    LeadScoringModels,
    /// `RoutingRules` in `lead_setup.graphql`.
    RoutingRules,
    /// `SalesReps` in `lead_setup.graphql`.
    SalesReps,
    /// `LeadWebhook` in `lead_setup.graphql`.
    LeadWebhook,
    /// `CreateLeadScoringModel` in `lead_setup.graphql`.
    CreateLeadScoringModel,
    /// `UpdateLeadScoringModel` in `lead_setup.graphql`.
    UpdateLeadScoringModel,
    /// `CreateRoutingRule` in `lead_setup.graphql`.
    CreateRoutingRule,
    /// `UpdateRoutingRule` in `lead_setup.graphql`.
    UpdateRoutingRule,
    /// `DeleteRoutingRule` in `lead_setup.graphql`.
    DeleteRoutingRule,
    /// `SetSalesRep` in `lead_setup.graphql`.
    SetSalesRep,
    /// `SetSalesRepAway` in `lead_setup.graphql`.
    SetSalesRepAway,
    /// `RemoveSalesRep` in `lead_setup.graphql`.
    RemoveSalesRep,
    /// `SetLeadWebhook` in `lead_setup.graphql`.
    SetLeadWebhook,
    /// `DeleteLeadWebhook` in `lead_setup.graphql`.
    DeleteLeadWebhook,
);

/// One scoring model.
pub type ScoringModel = lead_scoring_models::LeadScoringModelsLeadScoringModelsNodes;
/// One routing rule.
pub type RoutingRule = routing_rules::RoutingRulesRoutingRules;
/// One sales rep.
pub type SalesRep = sales_reps::SalesRepsSalesRepsNodes;
