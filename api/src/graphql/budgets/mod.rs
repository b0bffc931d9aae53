//! Budget lines, allocation down the plan tree, and the roll-up of any holder.

mod drafts;
mod mutation;
mod query;
mod types;

pub use drafts::{BudgetDraft, BudgetDraftsMutation, BudgetDraftsQuery};
pub use mutation::BudgetsMutation;
pub use query::BudgetsQuery;
pub use types::*;
