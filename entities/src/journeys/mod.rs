//! Journeys: a workspace's journeys, their published versions (immutable), each
//! contact's way through one (an enrolment) and each step it entered (a visit).

pub mod journey;
pub mod journey_enrolment;
pub mod journey_run;
pub mod journey_version;
pub mod journey_visit;
