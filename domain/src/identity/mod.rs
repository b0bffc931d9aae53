//! Identity: accounts, sessions and credentials, the second factor, throttles on
//! every secret check, and the security notices that tell a person what changed.

pub mod accounts;
pub mod auth;
pub(crate) mod proof;
pub mod security;
pub(crate) mod throttle;
pub mod two_factor;
