//! The signed-in frame: left navigation, workspace switcher, and the page beside it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::use_navigate;

use crate::components::{Caller, ErrorBanner, Field, Form, Submit};
use crate::gql::{self, call, call_public};
use crate::ops::WorkspaceKind;
use crate::ops::identity::{LogOut, log_out};
use crate::ops::workspaces::{CreateClient, Frame, WorkspaceRef, create_client, frame};
use crate::session::{Session, use_session};

/// Loads the frame for the current workspace, again whenever it changes.
fn load_frame(session: Session) {
    Effect::new(move |_| {
        let sent = session.workspace_id.get();
        session.frame_version.track();
        spawn_local(async move {
            match call::<Frame>(frame::Variables).await {
                Ok(frame) => {
                    if frame.workspace.kind == WorkspaceKind::Agency {
                        let id = frame.workspace.id.clone();
                        let clients: Vec<WorkspaceRef> =
                            frame.workspace.clients.iter().map(WorkspaceRef::from).collect();
                        session.agency_clients.update(|known| {
                            known.retain(|(agency, _)| *agency != id);
                            known.push((id, clients));
                        });
                    }
                    if sent.as_deref() != Some(frame.workspace.id.as_str()) {
                        // The server chose the workspace (none remembered yet): remember
                        // it without asking every page to load again.
                        gql::store_workspace(Some(&frame.workspace.id));
                        let id = frame.workspace.id.clone();
                        session.workspace_id.update_untracked(|w| *w = Some(id));
                    }
                    session.frame_error.set(None);
                    session.frame.set(Some(frame));
                }
                Err(e) if e.has_code("UNAUTHENTICATED") => {}
                Err(e) if sent.is_some() => {
                    // The remembered workspace is gone or no longer ours: fall back to
                    // the one the server picks.
                    gql::store_workspace(None);
                    session.workspace_id.set(None);
                    session.frame_error.set(Some(e.summary()));
                }
                Err(e) => session.frame_error.set(Some(e.summary())),
            }
        });
    });
}

/// The frame around every `/app` page.
#[component]
pub fn AppFrame() -> impl IntoView {
    let session = use_session();
    load_frame(session);
    let navigate = use_navigate();

    let log_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            let _ = call_public::<LogOut>(log_out::Variables).await;
            session.signed_out();
            navigate("/login", Default::default());
        });
    };

    let user_name = move || session.frame.with(|f| f.as_ref().map(|f| f.me.name.clone()));
    let user_email = move || session.frame.with(|f| f.as_ref().map(|f| f.me.email.clone()));
    let unverified = move || session.frame.with(|f| f.as_ref().is_some_and(|f| !f.me.email_verified));

    view! {
        <div class="app-shell">
            <aside class="sidebar" data-testid="sidebar">
                <A href="/app" attr:class="brand">
                    <span class="brand-mark">"P"</span>
                    "Parley"
                </A>
                <WorkspaceSwitcher />
                <nav class="nav" aria-label="Main">
                    <A href="/app" exact=true attr:data-testid="nav-dashboard">
                        "Dashboard"
                    </A>
                    <A href="/app/contacts" attr:data-testid="nav-contacts">
                        "Contacts"
                    </A>
                    <A href="/app/leads" attr:data-testid="nav-leads">
                        "Leads"
                    </A>
                    <A href="/app/segments" attr:data-testid="nav-segments">
                        "Segments"
                    </A>
                    <A href="/app/campaigns" attr:data-testid="nav-campaigns">
                        "Campaigns"
                    </A>
                    <A href="/app/email-templates" attr:data-testid="nav-templates">
                        "Templates"
                    </A>
                    <A href="/app/offers" attr:data-testid="nav-offers">
                        "Offers"
                    </A>
                    <A href="/app/points" attr:data-testid="nav-points">
                        "Interaction points"
                    </A>
                    <A href="/app/call-center" attr:data-testid="nav-call-center">
                        "Call center"
                    </A>
                    <A href="/app/optimization" attr:data-testid="nav-optimization">
                        "Optimization"
                    </A>
                    <A href="/app/triggers" attr:data-testid="nav-triggers">
                        "Triggers"
                    </A>
                    <A href="/app/journeys" attr:data-testid="nav-journeys">
                        "Journeys"
                    </A>
                    <A href="/app/analytics" attr:data-testid="nav-analytics">
                        "Analytics"
                    </A>
                    <A href="/app/insights" attr:data-testid="nav-insights">
                        "Insights"
                    </A>
                    <A href="/app/calendar" attr:data-testid="nav-calendar">
                        "Calendar"
                    </A>
                    <A href="/app/budget" attr:data-testid="nav-budget">
                        "Budget"
                    </A>
                    <A href="/app/spend" attr:data-testid="nav-spend">
                        "Spend"
                    </A>
                    <A href="/app/assets" attr:data-testid="nav-assets">
                        "Assets"
                    </A>
                    <A href="/app/approvals" attr:data-testid="nav-approvals">
                        "Approvals"
                    </A>
                    <A href="/app/workflows" attr:data-testid="nav-workflows">
                        "Workflows"
                    </A>
                    <A href="/app/tracking" attr:data-testid="nav-tracking">
                        "Tracking"
                    </A>
                    <A href="/app/team" attr:data-testid="nav-team">
                        "Team"
                    </A>
                    <A href="/app/api-keys" attr:data-testid="nav-api-keys">
                        "API keys"
                    </A>
                    <A href="/app/audit" attr:data-testid="nav-audit">
                        "Audit log"
                    </A>
                    <Show when=move || session.is_admin()>
                        <A href="/app/jobs" attr:data-testid="nav-jobs">
                            "Jobs"
                        </A>
                    </Show>
                    <A href="/app/account" attr:data-testid="nav-account">
                        "Account"
                    </A>
                </nav>
                <div class="sidebar-foot">
                    <div class="user" data-testid="current-user">
                        <span class="user-name">{user_name}</span>
                        <span class="user-email">{user_email}</span>
                    </div>
                    <button
                        type="button"
                        class="btn btn-ghost"
                        data-testid="logout"
                        disabled=move || !session.hydrated.get()
                        on:click=log_out
                    >
                        "Log out"
                    </button>
                </div>
            </aside>
            <main class="main">
                {move || {
                    session
                        .frame_error
                        .get()
                        .map(|m| view! { <div class="banner banner-error" role="alert">{m}</div> })
                }}
                {move || {
                    unverified()
                        .then(|| {
                            view! {
                                <div class="banner banner-info" data-testid="verify-reminder">
                                    "Please confirm your email address: we sent you a link. "
                                    <A href="/app/account">"Resend it"</A>
                                </div>
                            }
                        })
                }}
                <Outlet />
            </main>
        </div>
    }
}

/// One workspace in the switcher.
fn workspace_button(session: Session, ws: WorkspaceRef, nested: bool) -> impl IntoView {
    let id = ws.id.clone();
    let is_current = {
        let id = id.clone();
        move || session.workspace_id.with(|w| w.as_deref() == Some(id.as_str()))
    };
    view! {
        <li class:nested=nested>
            <button
                type="button"
                class="ws-option"
                class:active=is_current.clone()
                aria-current=move || if is_current() { Some("true") } else { None }
                data-testid="workspace-option"
                data-ws-id=ws.id.clone()
                data-ws-kind=ws.kind.as_str()
                on:click=move |_| session.switch_to(&id)
            >
                <span class="ws-name">{ws.name.clone()}</span>
                <span class="ws-kind">{ws.kind.label()}</span>
            </button>
        </li>
    }
}

/// The workspaces the user can work in, with clients nested under their agency.
fn switcher_entries(session: Session) -> Vec<(WorkspaceRef, Vec<WorkspaceRef>)> {
    let known = session.agency_clients.get();
    session.frame.with(|frame| {
        let Some(frame) = frame else {
            return Vec::new();
        };
        let nested: Vec<&str> = known.iter().flat_map(|(_, clients)| clients.iter().map(|c| c.id.as_str())).collect();
        let mut seen: Vec<String> = Vec::new();
        let mut entries = Vec::new();
        let mut add = |ws: &WorkspaceRef, entries: &mut Vec<(WorkspaceRef, Vec<WorkspaceRef>)>| {
            if seen.contains(&ws.id) || nested.contains(&ws.id.as_str()) {
                return;
            }
            seen.push(ws.id.clone());
            let clients = known.iter().find(|(agency, _)| *agency == ws.id).map(|(_, c)| c.clone()).unwrap_or_default();
            entries.push((ws.clone(), clients));
        };
        for membership in &frame.me.memberships {
            add(&WorkspaceRef::from(&membership.workspace), &mut entries);
        }
        add(&WorkspaceRef::from(&frame.workspace), &mut entries);
        entries
    })
}

/// The workspace switcher: current workspace, the others, and "new client" for agencies.
#[component]
fn WorkspaceSwitcher() -> impl IntoView {
    let session = use_session();
    let current = move || session.frame.with(|f| f.as_ref().map(|f| WorkspaceRef::from(&f.workspace)));
    let is_agency = move || current().is_some_and(|w| w.kind == WorkspaceKind::Agency);

    view! {
        <section class="switcher" data-testid="workspace-switcher">
            <div class="switcher-label">"Workspace"</div>
            {move || match current() {
                Some(ws) => {
                    view! {
                        <div
                            class="switcher-current"
                            data-testid="current-workspace"
                            data-ws-id=ws.id.clone()
                            data-ws-kind=ws.kind.as_str()
                        >
                            <span class="ws-name">{ws.name.clone()}</span>
                            <span class=format!("badge badge-{}", ws.kind.as_str().to_lowercase())>
                                {ws.kind.label()}
                            </span>
                        </div>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <div class="switcher-current placeholder" data-testid="current-workspace">
                            <span class="ws-name muted">"Loading…"</span>
                        </div>
                    }
                        .into_any()
                }
            }}
            <ul class="ws-list">
                {move || {
                    switcher_entries(session)
                        .into_iter()
                        .map(|(ws, clients)| {
                            view! {
                                {workspace_button(session, ws, false)}
                                {clients
                                    .into_iter()
                                    .map(|c| workspace_button(session, c, true))
                                    .collect_view()}
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <Show when=is_agency>
                <CreateClientForm />
            </Show>
        </section>
    }
}

/// Agencies add client workspaces here.
#[component]
fn CreateClientForm() -> impl IntoView {
    let session = use_session();
    let name = RwSignal::new(String::new());
    let form = Form::new();
    let (errors, busy) = (form.errors, form.busy);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let variables = create_client::Variables { name: name.get_untracked().trim().to_owned() };
        form.send::<CreateClient, _>(Caller::SignedIn, variables, &["name"], move |_| {
            name.set(String::new());
            session.reload_frame();
        });
    };
    view! {
        <form class="form compact create-client" data-testid="create-client-form" on:submit=on_submit>
            <ErrorBanner errors=errors />
            <Field
                label="New client"
                name="name"
                value=name
                errors=errors
                testid="create-client-name"
                placeholder="Client name"
            />
            <Submit label="Create client" busy_label="Creating…" busy=busy testid="create-client-submit" />
        </form>
    }
}
