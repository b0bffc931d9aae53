//! The GraphQL schema: thin resolvers that authenticate, call one domain function,
//! and map the answer. Errors carry `extensions.code` (and `field` for bad input).
//!
//! One folder per area with its query, mutation and types; the roots merge them. Lists
//! go through [`connection::list`] and every type with a global ID through the registry
//! in [`node`].

mod analytics;
mod api_keys;
mod approvals;
mod assets;
mod audit;
mod budgets;
mod campaigns;
mod connection;
mod contacts;
mod context;
mod date;
mod decisions;
mod identity;
mod ids;
mod imports;
mod jobs;
mod journeys;
mod leads;
mod loaders;
mod money;
mod node;
mod plans;
mod scores;
mod segments;
mod spend;
mod team;
mod tracking;
mod triggers;
mod workflows;
mod workspaces;

use async_graphql::{EmptySubscription, MergedObject, Schema};

pub(crate) use context::tenant_of;
pub use context::{RequestAuth, WEB_CLIENT_HEADER};

/// The UUID inside a global ID of type `type_name` (`field` names it in errors).
pub(crate) fn id_in(type_name: &str, field: &str, raw: &str) -> domain::Result<uuid::Uuid> {
    ids::parse(type_name, field, &async_graphql::ID(raw.to_owned()))
}
pub use node::NODE_TYPES;

/// The global ID of object `id` of `type_name`.
pub(crate) fn global_id_of(type_name: &str, id: uuid::Uuid) -> String {
    ids::global_id(type_name, id).0
}

// Root of all reads. The order of the areas is the order of the published fields.
// (Plain comments here: a doc comment on a merged root becomes its published
// description, and the published schema has none.)
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    identity::IdentityQuery,
    workspaces::WorkspacesQuery,
    team::TeamQuery,
    api_keys::ApiKeysQuery,
    audit::AuditQuery,
    jobs::JobsQuery,
    contacts::ContactsQuery,
    imports::ImportsQuery,
    tracking::TrackingQuery,
    segments::SegmentsQuery,
    analytics::AnalyticsQuery,
    scores::ScoresQuery,
    plans::PlansQuery,
    budgets::BudgetsQuery,
    budgets::BudgetDraftsQuery,
    spend::SpendQuery,
    approvals::ApprovalsQuery,
    workflows::WorkflowsQuery,
    assets::AssetsQuery,
    campaigns::CampaignsQuery,
    decisions::DecisionsQuery,
    decisions::OptimizationQuery,
    triggers::TriggersQuery,
    journeys::JourneysQuery,
    leads::LeadsQuery,
    node::NodeQuery,
);

// Root of all writes.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    identity::IdentityMutation,
    workspaces::WorkspacesMutation,
    team::TeamMutation,
    api_keys::ApiKeysMutation,
    jobs::JobsMutation,
    contacts::ContactsMutation,
    imports::ImportsMutation,
    tracking::TrackingMutation,
    segments::SegmentsMutation,
    scores::ScoresMutation,
    plans::PlansMutation,
    budgets::BudgetsMutation,
    budgets::BudgetDraftsMutation,
    spend::SpendMutation,
    approvals::ApprovalsMutation,
    workflows::WorkflowsMutation,
    assets::AssetsMutation,
    campaigns::CampaignsMutation,
    decisions::DecisionsMutation,
    decisions::OptimizationMutation,
    triggers::TriggersMutation,
    journeys::JourneysMutation,
    leads::LeadsMutation,
);

/// Parley's schema type.
pub type ParleySchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Deepest query accepted; introspection (GraphiQL, code generators) needs about 15.
pub const MAX_DEPTH: usize = 20;
/// Most complex query accepted.
pub const MAX_COMPLEXITY: usize = 5_000;

/// Deepest nesting of brackets (`{`, `[`, `(`) a query's text may have. The GraphQL
/// parser descends recursively into nested values, so a literal nested a few hundred
/// deep (a segment rule written inline, say) would exhaust a worker thread's stack and
/// take the whole process down before any limit of the schema applies; documents are
/// measured first. Introspection nests about 15 deep, a segment rule at its own limit
/// about 45.
pub const MAX_NESTING: usize = 64;

/// How deeply brackets nest in a GraphQL document, outside strings and comments.
pub fn nesting(doc: &str) -> usize {
    let mut chars = doc.chars().peekable();
    let (mut depth, mut deepest) = (0usize, 0usize);
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '"' => {
                let block = match chars.next_if_eq(&'"') {
                    // `""`, an empty string.
                    Some(_) if chars.next_if_eq(&'"').is_none() => continue,
                    Some(_) => true,
                    None => false,
                };
                let mut quotes = 0;
                while let Some(c) = chars.next() {
                    match (block, c) {
                        (_, '\\') => {
                            chars.next();
                            quotes = 0;
                        }
                        (false, '"') => break,
                        (true, '"') => {
                            quotes += 1;
                            if quotes == 3 {
                                break;
                            }
                        }
                        _ => quotes = 0,
                    }
                }
            }
            '{' | '[' | '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            '}' | ']' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Builds the schema around the domain handle.
pub fn schema(parley: domain::Parley) -> ParleySchema {
    Schema::build(QueryRoot::default(), MutationRoot::default(), EmptySubscription)
        .data(parley)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The SDL as published in `api/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(QueryRoot::default(), MutationRoot::default(), EmptySubscription).finish().sdl()
}
