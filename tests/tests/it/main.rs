//! Black-box stories: the real router over HTTP, a real SMTP server, SQLite and
//! PostgreSQL. One test binary for the whole suite (linking is the expensive part).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod pg_cluster;
mod smtp;
mod support;

mod accounts;
mod agencies;
mod analytics;
mod api_keys;
mod assets;
mod audit;
mod budget_periods;
mod campaigns;
mod contacts;
mod decisions;
mod faults;
mod grants;
mod graphql_surface;
mod hardening;
mod identity;
mod imports;
mod invitations;
mod jobs;
mod jobs_progress;
mod journeys;
mod leads;
mod members;
mod operations;
mod ops;
mod optimization;
mod rls;
mod scores;
mod segments;
mod tenancy;
mod tokens;
mod tracking;
mod triggers;
mod two_factor;
mod units;
