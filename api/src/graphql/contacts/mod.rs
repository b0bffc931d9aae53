//! Contacts: the workspace's customers and prospects, their fields, consent and history.

mod mutation;
mod query;
mod types;

pub use mutation::{ConsentInput, ContactsMutation};
pub use query::ContactsQuery;
pub use types::*;
