//! One module per page (or group of small pages).

pub mod account;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod frame;
pub mod jobs;
pub mod password;
pub mod team;
