//! Who someone is: sign-up, log-in, sessions, the account, two-factor log-in, password
//! and email changes.

mod mutation;
mod query;
mod session;
mod types;

pub use mutation::IdentityMutation;
pub use query::IdentityQuery;
pub(crate) use session::{client, payload};
pub use types::*;
