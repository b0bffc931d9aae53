//! Typed operations of `segments.graphql`.

pub use super::contacts::{AttributeType, Channel, ConsentStatus, JSON};
use super::*;

super::operations!("src/ops/segments.graphql":
    /// `Segments` in `segments.graphql`.
    Segments,
    /// `SegmentSetup` in `segments.graphql`.
    SegmentSetup,
    /// `PreviewSegment` in `segments.graphql`.
    PreviewSegment,
    /// `Segment` in `segments.graphql`.
    Segment,
    /// `CreateSegment` in `segments.graphql`.
    CreateSegment,
    /// `UpdateSegment` in `segments.graphql`.
    UpdateSegment,
    /// `DeleteSegment` in `segments.graphql`.
    DeleteSegment,
    /// `ExportSegment` in `segments.graphql`.
    ExportSegment,
);

/// One segment as the list shows it.
pub type SegmentRow = segments::SegmentsSegmentsNodes;
super::connection_chunk!(segments::SegmentsSegments => SegmentRow);
super::page_info_from!(segments::SegmentsSegmentsPageInfo);
