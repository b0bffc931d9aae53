//! Typed operations of `journeys.graphql`: journeys, their versions and step counts,
//! and the contacts in them, with the two states their pages share.

use super::*;

pub use super::contacts::JSON;

super::operations!("src/ops/journeys.graphql":
    /// `Journeys` in `journeys.graphql`.
    Journeys,
    /// `JourneySetup` in `journeys.graphql`.
    JourneySetup,
    /// `Journey` in `journeys.graphql`.
    Journey,
    /// `JourneyWebhookSecret` in `journeys.graphql`.
    JourneyWebhookSecret,
    /// `JourneySteps` in `journeys.graphql`.
    JourneySteps,
    /// `JourneyEnrolments` in `journeys.graphql`.
    JourneyEnrolments,
    /// `ContactJourneys` in `journeys.graphql`.
    ContactJourneys,
    /// `CreateJourney` in `journeys.graphql`.
    CreateJourney,
    /// `UpdateJourney` in `journeys.graphql`.
    UpdateJourney,
    /// `PublishJourney` in `journeys.graphql`.
    PublishJourney,
    /// `PauseJourney` in `journeys.graphql`.
    PauseJourney,
    /// `ResumeJourney` in `journeys.graphql`.
    ResumeJourney,
    /// `DeleteJourney` in `journeys.graphql`.
    DeleteJourney,
    /// `EnrolContact` in `journeys.graphql`.
    EnrolContact,
    /// `RemoveFromJourney` in `journeys.graphql`.
    RemoveFromJourney,
    /// `MigrateJourneyContacts` in `journeys.graphql`.
    MigrateJourneyContacts,
);

/// One journey as the list shows it.
pub type JourneyRow = journeys::JourneysJourneysNodes;
/// One journey as its page shows it.
pub type JourneyDetail = journey::JourneyJourney;
/// One step of a version with its counts.
pub type StepCounts = journey_steps::JourneyStepsJourneySteps;
/// One contact's way through a journey.
pub type EnrolmentRow = journey_enrolments::JourneyEnrolmentsJourneyEnrolmentsNodes;
/// One journey a contact is or was in.
pub type ContactJourney = contact_journeys::ContactJourneysContactJourneys;

super::page_info_from!(
    journeys::JourneysJourneysPageInfo,
    journey_enrolments::JourneyEnrolmentsJourneyEnrolmentsPageInfo,
);
super::connection_chunk!(
    journeys::JourneysJourneys => JourneyRow,
    journey_enrolments::JourneyEnrolmentsJourneyEnrolments => EnrolmentRow,
);

/// A journey's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JourneyStatus {
    /// Never published.
    Draft,
    /// Enrolling and moving contacts.
    Active,
    /// Contacts stay where they are until it resumes.
    Paused,
    /// A state this build of the UI does not know yet (a newer server).
    #[serde(other)]
    Unknown,
}

impl JourneyStatus {
    /// The schema's name for the state (`PAUSED`), as pages mark their elements with it.
    pub fn as_str(self) -> &'static str {
        match self {
            JourneyStatus::Draft => "DRAFT",
            JourneyStatus::Active => "ACTIVE",
            JourneyStatus::Paused => "PAUSED",
            JourneyStatus::Unknown => "UNKNOWN",
        }
    }

    /// The state as a marketer reads it.
    pub fn label(self) -> &'static str {
        match self {
            JourneyStatus::Draft => "Draft",
            JourneyStatus::Active => "Active",
            JourneyStatus::Paused => "Paused",
            JourneyStatus::Unknown => "Unknown",
        }
    }
}

/// Where a contact stands in a journey.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EnrolmentStatus {
    /// Moving on now.
    Active,
    /// In a wait step.
    Waiting,
    /// Went through to an end.
    Completed,
    /// Taken out: an exit step, the goal met, removed by hand.
    Exited,
    /// A state this build of the UI does not know yet.
    #[serde(other)]
    Unknown,
}

impl EnrolmentStatus {
    /// Every state the enrolments table filters by.
    pub const ALL: [EnrolmentStatus; 4] =
        [EnrolmentStatus::Active, EnrolmentStatus::Waiting, EnrolmentStatus::Completed, EnrolmentStatus::Exited];

    /// The schema's name for the state (`WAITING`), as controls carry it.
    pub fn as_str(self) -> &'static str {
        match self {
            EnrolmentStatus::Active => "ACTIVE",
            EnrolmentStatus::Waiting => "WAITING",
            EnrolmentStatus::Completed => "COMPLETED",
            EnrolmentStatus::Exited => "EXITED",
            EnrolmentStatus::Unknown => "UNKNOWN",
        }
    }

    /// The state named `name`, if it is one.
    pub fn parse(name: &str) -> Option<EnrolmentStatus> {
        EnrolmentStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The state as a marketer reads it.
    pub fn label(self) -> &'static str {
        match self {
            EnrolmentStatus::Active => "Moving on",
            EnrolmentStatus::Waiting => "Waiting",
            EnrolmentStatus::Completed => "Completed",
            EnrolmentStatus::Exited => "Exited",
            EnrolmentStatus::Unknown => "Unknown",
        }
    }
}
