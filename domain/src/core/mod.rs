//! The small core every area stands on: who acts ([`ctx`]), the database and its
//! tenant-scoped transactions ([`db`]), errors, paging and sealed secrets.

pub(crate) mod bulk;
pub mod ctx;
pub mod db;
pub mod error;
pub(crate) mod node;
pub mod page;
pub mod sealed;
pub mod tx;
