//! Typed operations of `decisions.graphql`: the offer catalogue, interaction points and
//! their treatment rules, what they have learnt, decisions and the responses to them.

use super::*;

pub use super::contacts::{Channel, JSON};

super::operations!("src/ops/decisions.graphql":
    /// `Offers` in `decisions.graphql`.
    Offers,
    /// `Offer` in `decisions.graphql`.
    Offer,
    /// `CreateOffer` in `decisions.graphql`.
    CreateOffer,
    /// `UpdateOffer` in `decisions.graphql`.
    UpdateOffer,
    /// `RetireOffer` in `decisions.graphql`.
    RetireOffer,
    /// `PointSetup` in `decisions.graphql`.
    PointSetup,
    /// `InteractionPoints` in `decisions.graphql`.
    InteractionPoints,
    /// `InteractionPoint` in `decisions.graphql`.
    InteractionPoint,
    /// `CreateInteractionPoint` in `decisions.graphql`.
    CreateInteractionPoint,
    /// `UpdateInteractionPoint` in `decisions.graphql`.
    UpdateInteractionPoint,
    /// `ConfigureLearning` in `decisions.graphql`.
    ConfigureLearning,
    /// `CreateTreatmentRule` in `decisions.graphql`.
    CreateTreatmentRule,
    /// `UpdateTreatmentRule` in `decisions.graphql`.
    UpdateTreatmentRule,
    /// `DeleteTreatmentRule` in `decisions.graphql`.
    DeleteTreatmentRule,
    /// `Learning` in `decisions.graphql`.
    Learning,
    /// `Decide` in `decisions.graphql`.
    Decide,
    /// `Respond` in `decisions.graphql`.
    Respond,
    /// `CallCenterPoints` in `decisions.graphql`.
    CallCenterPoints,
);

/// One offer as the catalogue lists it.
pub type OfferRow = offers::OffersOffersNodes;
/// One offer as its page shows it.
pub type OfferDetail = offer::OfferOffer;
/// One interaction point as the list shows it.
pub type PointRow = interaction_points::InteractionPointsInteractionPointsNodes;
/// One interaction point as its page shows it.
pub type PointDetail = interaction_point::InteractionPointInteractionPoint;
/// One treatment rule of a point.
pub type RuleRow = interaction_point::InteractionPointInteractionPointRules;
/// What one offer has done at a point.
pub type Performance = learning::LearningOfferPerformance;
/// A point's learned decisions beside its holdout.
pub type Lift = learning::LearningPointLift;
/// A decision as answered.
pub type Decision = decide::DecideDecide;
/// One offer a decision shows, with its creatives.
pub type DecidedOffer = decide::DecideDecideOffers;
/// A point an agent may decide at.
pub type AgentPoint = call_center_points::CallCenterPointsInteractionPointsNodes;

super::page_info_from!(offers::OffersOffersPageInfo, interaction_points::InteractionPointsInteractionPointsPageInfo,);
super::connection_chunk!(
    offers::OffersOffers => OfferRow,
    interaction_points::InteractionPointsInteractionPoints => PointRow,
);
