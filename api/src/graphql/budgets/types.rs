//! Budget lines with their figures, and a holder's roll-up.

use async_graphql::{Enum, ID, Object};
use chrono::{DateTime, Utc};

use crate::graphql::ids::{global_id, parse_any};
use crate::graphql::money::Money;
use crate::graphql::node::NodeObject;
use domain::plans::NodeRef;

/// Whether spending may go past a budget line.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::Overspend")]
pub enum Overspend {
    /// Allowed; the line's remainder goes negative.
    Allow,
    /// Refused: approvals and invoices that would take the line below zero fail with `CONFLICT`.
    Forbid,
}

/// What holds a budget line.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::BudgetNodeKind")]
pub enum BudgetNodeKind {
    Plan,
    Program,
    Project,
    CostCenter,
}

/// The holder a global ID names (a plan, program, project or cost center).
pub(crate) fn node_ref(field: &str, id: &ID) -> domain::Result<NodeRef> {
    let Some((kind, uuid)) = parse_any(id) else {
        return Err(domain::Error::invalid(field, "is not a valid ID"));
    };
    Ok(match kind.as_str() {
        "Plan" => NodeRef::Plan(uuid.into()),
        "Program" => NodeRef::Program(uuid.into()),
        "Project" => NodeRef::Project(uuid.into()),
        "CostCenter" => NodeRef::CostCenter(uuid.into()),
        _ => return Err(domain::Error::invalid(field, "is not a plan, program, project or cost center")),
    })
}

/// A budget line with what has happened to it.
pub struct BudgetLine(pub domain::budgets::Line);

impl NodeObject for BudgetLine {
    fn node_id(&self) -> Self::Id {
        self.0.line.id
    }
}

impl BudgetLine {
    fn money(&self, minor: i64) -> Money {
        Money::of(minor, &self.0.line.currency)
    }
}

#[Object]
impl BudgetLine {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn name(&self) -> &str {
        &self.0.line.name
    }
    /// The plan, program, project or cost center holding it.
    async fn node_id(&self) -> ID {
        let type_name = match self.0.line.node_kind {
            domain::BudgetNodeKind::Plan => "Plan",
            domain::BudgetNodeKind::Program => "Program",
            domain::BudgetNodeKind::Project => "Project",
            domain::BudgetNodeKind::CostCenter => "CostCenter",
        };
        global_id(type_name, self.0.line.node_id)
    }
    async fn node_kind(&self) -> BudgetNodeKind {
        self.0.line.node_kind.into()
    }
    async fn fiscal_year(&self) -> i32 {
        self.0.line.fiscal_year
    }
    async fn amount(&self) -> Money {
        self.money(self.0.line.amount)
    }
    async fn overspend(&self) -> Overspend {
        self.0.line.overspend.into()
    }
    /// The line it was allocated from.
    async fn parent_id(&self) -> Option<ID> {
        self.0.line.parent_id.map(|p| global_id("BudgetLine", p.into()))
    }
    /// Carved from it into lines below.
    async fn allocated(&self) -> Money {
        self.money(self.0.figures.allocated)
    }
    /// Approved, not yet invoiced purchase order amounts charged to it.
    async fn committed(&self) -> Money {
        self.money(self.0.figures.committed)
    }
    /// Invoices charged to it.
    async fn actual(&self) -> Money {
        self.money(self.0.figures.actual)
    }
    /// What is left for new allocations and spending (negative once overspent).
    async fn available(&self) -> Money {
        self.money(self.0.available())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.line.created_at
    }
}

/// A holder's budget figures for one fiscal year.
pub struct BudgetSummary(pub domain::budgets::Summary);

impl BudgetSummary {
    fn money(&self, minor: i64) -> Money {
        Money::of(minor, &self.0.currency)
    }
}

#[Object]
impl BudgetSummary {
    /// Its own lines, those allocated to it included.
    async fn budgeted(&self) -> Money {
        self.money(self.0.totals.budgeted)
    }
    /// What it passed down to lines below it.
    async fn allocated(&self) -> Money {
        self.money(self.0.totals.allocated)
    }
    /// Approved, not yet invoiced purchase orders on it and below it.
    async fn committed(&self) -> Money {
        self.money(self.0.totals.committed)
    }
    /// Invoices on it and below it.
    async fn actual(&self) -> Money {
        self.money(self.0.totals.actual)
    }
    /// `budgeted − committed − actual`.
    async fn remaining(&self) -> Money {
        self.money(self.0.totals.remaining())
    }
}
