//! Typed operations of `triggers.graphql`: trigger rules (event detection) and their
//! firings, with the two enums their pages share.

use super::*;

pub use super::contacts::JSON;

super::operations!("src/ops/triggers.graphql":
    /// `TriggerRules` in `triggers.graphql`.
    TriggerRules,
    /// `TriggerSetup` in `triggers.graphql`.
    TriggerSetup,
    /// `TriggerRule` in `triggers.graphql`.
    TriggerRule,
    /// `TriggerFirings` in `triggers.graphql`.
    TriggerFirings,
    /// `CreateTriggerRule` in `triggers.graphql`.
    CreateTriggerRule,
    /// `UpdateTriggerRule` in `triggers.graphql`.
    UpdateTriggerRule,
    /// `PauseTriggerRule` in `triggers.graphql`.
    PauseTriggerRule,
    /// `ResumeTriggerRule` in `triggers.graphql`.
    ResumeTriggerRule,
    /// `DeleteTriggerRule` in `triggers.graphql`.
    DeleteTriggerRule,
);

/// One rule as the list shows it.
pub type RuleRow = trigger_rules::TriggerRulesTriggerRulesNodes;
/// One rule as its page shows it.
pub type RuleDetail = trigger_rule::TriggerRuleTriggerRule;
/// One firing of a rule.
pub type FiringRow = trigger_firings::TriggerFiringsTriggerFiringsNodes;

super::page_info_from!(
    trigger_rules::TriggerRulesTriggerRulesPageInfo,
    trigger_firings::TriggerFiringsTriggerFiringsPageInfo,
);
super::connection_chunk!(
    trigger_rules::TriggerRulesTriggerRules => RuleRow,
    trigger_firings::TriggerFiringsTriggerFirings => FiringRow,
);

/// What a rule watches for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TriggerKind {
    /// An event happened (with property conditions).
    Event,
    /// An event not followed by another within a time.
    Sequence,
    /// An event's amount over (or under) a number.
    Threshold,
    /// Several events within a window.
    Count,
    /// A contact field changed.
    Attribute,
    /// A contact came into a segment.
    SegmentEntered,
    /// A contact left a segment.
    SegmentLeft,
    /// A kind this build of the UI does not know yet (a newer server).
    #[serde(other)]
    Unknown,
}

impl TriggerKind {
    /// Every kind a rule can be written as, in the order the form lists them.
    pub const ALL: [TriggerKind; 7] = [
        TriggerKind::Event,
        TriggerKind::Sequence,
        TriggerKind::Threshold,
        TriggerKind::Count,
        TriggerKind::Attribute,
        TriggerKind::SegmentEntered,
        TriggerKind::SegmentLeft,
    ];

    /// The schema's name for the kind (`SEGMENT_ENTERED`), as form controls carry it.
    pub fn as_str(self) -> &'static str {
        match self {
            TriggerKind::Event => "EVENT",
            TriggerKind::Sequence => "SEQUENCE",
            TriggerKind::Threshold => "THRESHOLD",
            TriggerKind::Count => "COUNT",
            TriggerKind::Attribute => "ATTRIBUTE",
            TriggerKind::SegmentEntered => "SEGMENT_ENTERED",
            TriggerKind::SegmentLeft => "SEGMENT_LEFT",
            TriggerKind::Unknown => "UNKNOWN",
        }
    }

    /// The kind named `name` (`COUNT`), if it is one.
    pub fn parse(name: &str) -> Option<TriggerKind> {
        TriggerKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The kind as a marketer reads it.
    pub fn label(self) -> &'static str {
        match self {
            TriggerKind::Event => "Event",
            TriggerKind::Sequence => "Not followed by",
            TriggerKind::Threshold => "Threshold",
            TriggerKind::Count => "Count",
            TriggerKind::Attribute => "Field changed",
            TriggerKind::SegmentEntered => "Entered segment",
            TriggerKind::SegmentLeft => "Left segment",
            TriggerKind::Unknown => "Unknown",
        }
    }
}

/// Whether a rule is watching.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TriggerRuleStatus {
    /// Watching events and changes.
    Active,
    /// Reading nothing until resumed.
    Paused,
    /// A status this build of the UI does not know yet.
    #[serde(other)]
    Unknown,
}

impl TriggerRuleStatus {
    /// The schema's name for the status (`PAUSED`), as pages mark their elements with it.
    pub fn as_str(self) -> &'static str {
        match self {
            TriggerRuleStatus::Active => "ACTIVE",
            TriggerRuleStatus::Paused => "PAUSED",
            TriggerRuleStatus::Unknown => "UNKNOWN",
        }
    }

    /// The status as a marketer reads it.
    pub fn label(self) -> &'static str {
        match self {
            TriggerRuleStatus::Active => "Active",
            TriggerRuleStatus::Paused => "Paused",
            TriggerRuleStatus::Unknown => "Unknown",
        }
    }
}
