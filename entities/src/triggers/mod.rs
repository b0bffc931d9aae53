//! Event detection: trigger rules, their firings, durable timers, the detection cursor
//! and segment membership as last seen.

pub mod trigger_cursor;
pub mod trigger_firing;
pub mod trigger_member;
pub mod trigger_rule;
pub mod trigger_timer;
