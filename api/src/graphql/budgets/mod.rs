//! Budget lines, allocation down the plan tree, and the roll-up of any holder.

mod mutation;
mod query;
mod types;

pub use mutation::BudgetsMutation;
pub use query::BudgetsQuery;
pub use types::*;
