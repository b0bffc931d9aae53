//! Marketing operations: plans, programs and projects; cost centers and vendors;
//! budget lines; purchase orders and invoices; approval rules, requests and decisions.

pub mod approval;
pub mod approval_decision;
pub mod approval_delegation;
pub mod approval_rule;
pub mod budget_draft;
pub mod budget_line;
pub mod cost_center;
pub mod enums;
pub mod invoice;
pub mod invoice_charge;
pub mod plan;
pub mod program;
pub mod project;
pub mod purchase_order;
pub mod purchase_order_line;
pub mod task_comment;
pub mod vendor;
pub mod workflow;
pub mod workflow_task;
pub mod workflow_template;
