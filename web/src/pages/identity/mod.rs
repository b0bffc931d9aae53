//! Signing up, in and out, emailed links (verification, password reset, invitations),
//! and the account page.

pub mod account;
pub mod auth;
pub mod password;
