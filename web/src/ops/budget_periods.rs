//! Typed operations of `budget_periods.graphql`.

super::operations!("src/ops/budget_periods.graphql":
    /// `BudgetPeriods` in `budget_periods.graphql`.
    BudgetPeriods,
    /// `PreviewBudgetMoves` in `budget_periods.graphql`.
    PreviewBudgetMoves,
    /// `CreateBudgetDraft` in `budget_periods.graphql`.
    CreateBudgetDraft,
    /// `ApplyBudgetDraft` in `budget_periods.graphql`.
    ApplyBudgetDraft,
    /// `HolderLines` in `budget_periods.graphql`.
    HolderLines,
    /// `SetBudgetForecast` in `budget_periods.graphql`.
    SetBudgetForecast,
    /// `SetBudgetPhasing` in `budget_periods.graphql`.
    SetBudgetPhasing,
);
