//! Typed operations of `calendar.graphql`.

use super::*;

super::operations!("src/ops/calendar.graphql":
    /// `CalendarPlans` in `calendar.graphql`.
    CalendarPlans,
    /// `Calendar` in `calendar.graphql`.
    Calendar,
);
