//! Typed operations of `leads.graphql` (the sales page and a lead's page) and
//! `lead_setup.graphql` (in [`super::lead_setup`]), with the enums their pages share.

use super::*;

pub use super::contacts::JSON;

super::operations!("src/ops/leads.graphql":
    /// `Leads` in `leads.graphql`.
    Leads,
    /// `Lead` in `leads.graphql`.
    Lead,
    /// `LeadMembers` in `leads.graphql`.
    LeadMembers,
    /// `CaptureLead` in `leads.graphql`.
    CaptureLead,
    /// `RecordLeadOutcome` in `leads.graphql`.
    RecordLeadOutcome,
    /// `AssignLead` in `leads.graphql`.
    AssignLead,
);

/// One lead as the sales page lists it.
pub type LeadRow = leads::LeadsLeadsNodes;
/// The open leads counted, for the sales page's header.
pub type LeadCounts = leads::LeadsLeadCounts;
/// One lead as its page shows it.
pub type LeadDetail = lead::LeadLead;
/// One change in a lead's history.
pub type LeadActivity = lead::LeadLeadActivities;

super::page_info_from!(leads::LeadsLeadsPageInfo);
super::connection_chunk!(leads::LeadsLeads => LeadRow);

/// Declares a schema enum the UI shares between operations: its variants with their
/// schema names and words, `ALL`, `as_str`, `parse` and `label`.
macro_rules! schema_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A value this build of the UI does not know yet (a newer server).
            #[serde(other)]
            Unknown,
        }

        impl $name {
            /// Every value, in the order forms list them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The schema's name (as form controls and `data-*` attributes carry it).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Unknown => "UNKNOWN",
                }
            }

            /// The value named `name`, if it is one.
            pub fn parse(name: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == name)
            }

            /// The value as people read it.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                    $name::Unknown => "Unknown",
                }
            }
        }
    };
}

schema_enum!(
    /// Where a lead is in the sales process.
    LeadStage {
        /// Captured, below the MQL threshold.
        New = "NEW" / "New",
        /// Marketing-qualified: routed to sales.
        Mql = "MQL" / "MQL",
        /// Sales-qualified by score.
        Sql = "SQL" / "SQL",
        /// A rep reached out.
        Contacted = "CONTACTED" / "Contacted",
        /// A rep qualified it.
        Qualified = "QUALIFIED" / "Qualified",
        /// Won (closed).
        Won = "WON" / "Won",
        /// Lost (closed).
        Lost = "LOST" / "Lost",
    }
);

schema_enum!(
    /// An outcome a rep records.
    LeadOutcome {
        /// Reached out (stops the first-touch deadline).
        Contacted = "CONTACTED" / "Contacted",
        /// Qualified the lead.
        Qualified = "QUALIFIED" / "Qualified",
        /// Won, with revenue (closes it).
        Won = "WON" / "Won",
        /// Lost, with a reason (closes it).
        Lost = "LOST" / "Lost",
    }
);

schema_enum!(
    /// How a routing rule picks among its reps.
    RoutingStrategy {
        /// In turn.
        RoundRobin = "ROUND_ROBIN" / "Round robin",
        /// Shares by the reps' weights.
        Weighted = "WEIGHTED" / "Weighted",
        /// By a contact field's value.
        Territory = "TERRITORY" / "Territory",
    }
);

schema_enum!(
    /// Which leads a Sales member sees.
    LeadVisibility {
        /// The leads they hold.
        Own = "OWN" / "Their own leads",
        /// Their team's.
        Team = "TEAM" / "Their team's leads",
        /// Every lead.
        All = "ALL" / "Every lead",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_go_both_ways() {
        for s in LeadStage::ALL {
            assert_eq!(LeadStage::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).ok(), Some(serde_json::Value::String(s.as_str().to_owned())));
        }
        assert_eq!(serde_json::to_value(RoutingStrategy::RoundRobin).ok(), Some("ROUND_ROBIN".into()));
        let later: Result<LeadStage, _> = serde_json::from_str(r#""NURTURE""#);
        assert_eq!(later.ok(), Some(LeadStage::Unknown));
    }
}
