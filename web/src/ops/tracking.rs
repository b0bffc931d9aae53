//! Typed operations of `tracking.graphql`.

use super::*;

super::operations!("src/ops/tracking.graphql":
    /// `TrackingKey` in `tracking.graphql`.
    TrackingKey,
    /// `RotateTrackingKey` in `tracking.graphql`.
    RotateTrackingKey,
);
