//! Who is signed in, which workspace they work in, and loading data for a page.
//!
//! Nothing here runs a request on the server: effects only run in the browser, after
//! hydration, so a server-rendered page and its hydrated twin start out identical.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::gql::{self, ApiErrors};
use crate::ops::Role;
use crate::ops::workspaces::{FrameData, WorkspaceRef};

/// The signed-in session, shared by every page through context.
#[derive(Clone, Copy)]
pub struct Session {
    /// True once the app has hydrated in the browser (buttons stay disabled before).
    pub hydrated: RwSignal<bool>,
    /// The workspace id requests are made in (`X-Parley-Workspace`).
    pub workspace_id: RwSignal<Option<String>>,
    /// The signed-in user and current workspace, once loaded.
    pub frame: RwSignal<Option<FrameData>>,
    /// Why the frame could not be loaded, if it could not.
    pub frame_error: RwSignal<Option<String>>,
    /// Bumped to reload the frame after a change it shows (a new client, a new name).
    pub frame_version: RwSignal<u32>,
    /// Client workspaces last seen for each agency, so the switcher keeps listing them
    /// while the user works inside one of the clients.
    pub agency_clients: RwSignal<Vec<(String, Vec<WorkspaceRef>)>>,
}

impl Session {
    /// A session for this page load; in the browser it starts in the remembered workspace.
    pub fn new() -> Self {
        Self {
            hydrated: RwSignal::new(false),
            workspace_id: RwSignal::new(gql::stored_workspace()),
            frame: RwSignal::new(None),
            frame_error: RwSignal::new(None),
            frame_version: RwSignal::new(0),
            agency_clients: RwSignal::new(Vec::new()),
        }
    }

    /// Switches to another workspace without reloading the page.
    pub fn switch_to(&self, id: &str) {
        if self.workspace_id.get_untracked().as_deref() == Some(id) {
            return;
        }
        gql::store_workspace(Some(id));
        self.workspace_id.set(Some(id.to_owned()));
    }

    /// Starts working in the workspace (its id) a sign-up, log-in or accepted invitation gave.
    pub fn signed_in(&self, workspace_id: &str) {
        gql::store_workspace(Some(workspace_id));
        self.frame.set(None);
        self.frame_error.set(None);
        self.workspace_id.set(Some(workspace_id.to_owned()));
    }

    /// Forgets the workspace and the user after logging out.
    pub fn signed_out(&self) {
        gql::store_workspace(None);
        self.frame.set(None);
        self.agency_clients.set(Vec::new());
        self.workspace_id.set(None);
    }

    /// Asks the frame (user, workspace, switcher) to load again.
    pub fn reload_frame(&self) {
        self.frame_version.update(|v| *v = v.wrapping_add(1));
    }

    /// The user's role in the current workspace (`myRole`), once known.
    pub fn current_role(&self) -> Option<Role> {
        self.frame.with(|f| f.as_ref().map(|f| f.my_role))
    }

    /// Whether the user is an owner or admin of the current workspace (reactive; false
    /// until the frame has loaded).
    pub fn is_admin(&self) -> bool {
        self.current_role().is_some_and(Role::is_admin)
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

/// The session provided by the app root.
pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_default()
}

/// Data a page loads in the browser for the current workspace.
pub struct Loaded<T: Send + Sync + 'static> {
    /// `None` while loading, then the answer.
    pub data: RwSignal<Option<Result<T, ApiErrors>>>,
    version: RwSignal<u32>,
}

impl<T: Send + Sync + 'static> Clone for Loaded<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Loaded<T> {}

impl<T: Send + Sync + 'static> Loaded<T> {
    /// Loads again (after a change), keeping the old data on screen meanwhile.
    pub fn reload(&self) {
        self.version.update(|v| *v = v.wrapping_add(1));
    }
}

/// Runs `fetch` after hydration, again whenever the workspace changes or on `reload()`.
/// Answers that arrive after a newer request was started are dropped.
pub fn load<T, F, Fut>(fetch: F) -> Loaded<T>
where
    T: Send + Sync + 'static,
    F: Fn() -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiErrors>> + 'static,
{
    let session = use_session();
    let data = RwSignal::new(None);
    let version = RwSignal::new(0u32);
    let latest = Rc::new(Cell::new(0u64));
    Effect::new(move |previous: Option<Option<String>>| {
        let workspace = session.workspace_id.get();
        version.track();
        if previous.is_some_and(|p| p != workspace) {
            data.set(None);
        }
        let ticket = latest.get().wrapping_add(1);
        latest.set(ticket);
        let latest = Rc::clone(&latest);
        let request = fetch();
        spawn_local(async move {
            let answer = request.await;
            if latest.get() == ticket {
                let _ = data.try_set(Some(answer));
            }
        });
        workspace
    });
    Loaded { data, version }
}
