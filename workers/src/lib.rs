//! Parley's job runtime and job handlers.
//!
//! The queue is our own table rather than `apalis`: fairness across tenants (a fair
//! share per tenant in every claim), row-level security (the claim is the one
//! cross-tenant statement, and each handler then runs in its job's tenant), and
//! idempotency keys written in the same transaction as the change that enqueues the
//! job are the core of the design, and they live in `domain::jobs` beside the tenancy
//! walls. This crate drives that queue: claim, run handlers, record outcomes, reap
//! expired leases, schedule recurring work, and release leases on shutdown.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod campaigns;
pub mod handlers;
pub mod mailer;
mod runtime;
mod webhooks;

pub use campaigns::SendingLimits;
pub use mailer::{Mailer, MailerConfig};
pub use runtime::{BatchReport, Runtime, RuntimeConfig};
