//! Centralized decisioning (DEC-1 … DEC-3): every channel asks one brain which offers to
//! show a person, here and now. This part keeps what the brain decides among: the offer
//! catalogue (`offers`: versioned, retired rather than deleted), the interaction points
//! that ask (`points`: a channel's zone, how many offers one answer holds, a fallback,
//! the response window and how decisions learn) and the treatment rules that make
//! offers candidates at a point, for a segment or everyone (`rules`: an eligibility
//! expression over the contact and the request's context, and a marketer's weight).

pub mod arbitrate;
pub mod decide;
pub mod eligibility;
pub mod history;
pub mod live;
pub mod offers;
pub mod optimization;
pub mod optimize;
pub mod performance;
pub mod points;
pub mod rules;

pub use eligibility::Eligibility;
pub use entities::decisions::enums::OfferStatus;
pub use offers::{Creative, OfferInput};
pub use points::{LearningInput, PointInput};
pub use rules::RuleInput;

/// An offer of the catalogue.
pub type Offer = entities::offer::Model;
/// One saved version of an offer.
pub type OfferVersion = entities::offer_version::Model;
/// An interaction point.
pub type InteractionPoint = entities::interaction_point::Model;
/// A treatment rule.
pub type TreatmentRule = entities::treatment_rule::Model;

use serde_json::{Value, json};

use crate::Audited;

impl Audited for Offer {
    fn audit_json(&self) -> Value {
        json!({
            "code": self.code, "name": self.name, "status": self.status, "version": self.version,
            "channels": self.channels, "validFrom": self.valid_from, "validTo": self.valid_to,
            "currency": self.currency, "valueMinor": self.value_minor, "costMinor": self.cost_minor,
            "creatives": self.creatives, "attributes": self.attributes,
            "maxPerContact": self.max_per_contact, "maxPerContactDays": self.max_per_contact_days,
            "capacity": self.capacity,
        })
    }
}

impl Audited for OfferVersion {
    fn audit_json(&self) -> Value {
        json!({ "offer": self.offer_id, "version": self.version })
    }
}

impl Audited for InteractionPoint {
    fn audit_json(&self) -> Value {
        json!({
            "name": self.name, "channel": self.channel, "maxOffers": self.max_offers,
            "fallbackOffer": self.fallback_offer_id, "responseWindowSecs": self.response_window_secs,
            "holdoutBasisPoints": self.holdout_basis_points,
            "explorationBasisPoints": self.exploration_basis_points,
            "learnBySegment": self.learn_by_segment != 0,
        })
    }
}

impl Audited for TreatmentRule {
    fn audit_json(&self) -> Value {
        json!({
            "point": self.point_id, "segment": self.segment_id, "offers": self.offer_ids,
            "eligibility": self.eligibility, "weight": self.weight,
        })
    }
}
