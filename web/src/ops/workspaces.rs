//! Typed operations of `workspaces.graphql`.

use super::*;

super::operations!("src/ops/workspaces.graphql":
    /// `Frame` in `workspaces.graphql`.
    Frame,
    /// `CreateClient` in `workspaces.graphql`.
    CreateClient,
    /// `Dashboard` in `workspaces.graphql`.
    Dashboard,
);

/// What the app frame needs: who is signed in and where they are working.
pub type FrameData = frame::ResponseData;

/// A workspace as lists and the switcher show it, whichever field it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceRef {
    /// Its global ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Business, agency or client.
    pub kind: WorkspaceKind,
}

// The frame reads the same three fields in three places; each is its own generated type.
macro_rules! workspace_ref_from {
    ($($ty:ty),+) => {$(
        impl From<&$ty> for WorkspaceRef {
            fn from(w: &$ty) -> Self {
                Self { id: w.id.clone(), name: w.name.clone(), kind: w.kind }
            }
        }
    )+};
}
workspace_ref_from!(frame::FrameMeMembershipsWorkspace, frame::FrameWorkspaceClients, frame::FrameWorkspace);
