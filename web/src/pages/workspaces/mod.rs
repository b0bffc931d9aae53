//! The workspace's own pages (the dashboard; client workspaces live in the frame's switcher).

pub mod dashboard;
