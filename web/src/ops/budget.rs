//! Typed operations of `budget.graphql`, and the budget figures the pages draw.

use super::*;

super::operations!("src/ops/budget.graphql":
    /// `Plans` in `budget.graphql`.
    Plans,
    /// `CreatePlan` in `budget.graphql`.
    CreatePlan,
    /// `BudgetTree` in `budget.graphql`.
    BudgetTree,
    /// `CreateProgram` in `budget.graphql`.
    CreateProgram,
    /// `CreateProject` in `budget.graphql`.
    CreateProject,
    /// `CreateBudgetLine` in `budget.graphql`.
    CreateBudgetLine,
    /// `AllocateBudget` in `budget.graphql`.
    AllocateBudget,
);

/// A holder's budget figures, as the page shows them (decimal strings in `currency`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Figures {
    pub currency: String,
    pub budgeted: String,
    pub allocated: String,
    pub committed: String,
    pub actual: String,
    pub remaining: String,
}

impl Figures {
    /// Spent and committed as a share of the budget, 0–100 (for the bar).
    pub fn used_percent(&self) -> f64 {
        let n = |s: &str| s.parse::<f64>().unwrap_or(0.0);
        let budget = n(&self.budgeted);
        if budget <= 0.0 { 0.0 } else { ((n(&self.committed) + n(&self.actual)) / budget * 100.0).clamp(0.0, 100.0) }
    }
}

/// [`Figures`] from any of the operation's `budget { … }` selections (each has its own type).
macro_rules! figures {
    ($b:expr) => {{
        let b = &$b;
        $crate::ops::budget::Figures {
            currency: b.budgeted.currency_code.clone(),
            budgeted: b.budgeted.amount.clone(),
            allocated: b.allocated.amount.clone(),
            committed: b.committed.amount.clone(),
            actual: b.actual.amount.clone(),
            remaining: b.remaining.amount.clone(),
        }
    }};
}
pub(crate) use figures;
