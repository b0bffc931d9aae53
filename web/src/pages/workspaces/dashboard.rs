//! `/app`: where a marketer lands: the workspace at a glance.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::{LoadError, Loading};
use crate::gql::call;
use crate::ops::workspaces::{Dashboard, dashboard};
use crate::ops::{InvitationStatus, WorkspaceKind};
use crate::session::{load, use_session};

/// The dashboard page.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let session = use_session();
    let stats = load(|| call::<Dashboard>(dashboard::Variables));
    let greeting = move || {
        session.frame.with(|f| match f {
            Some(f) => format!("Welcome, {}", f.me.name),
            None => "Welcome".to_owned(),
        })
    };
    let workspace = move || session.frame.with(|f| f.as_ref().map(|f| f.workspace.clone()));

    view! {
        <Title text="Dashboard · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">{greeting}</h1>
            <p class="muted">"Here is how your workspace is set up."</p>
        </header>
        <div class="cards">
            <div class="card" data-testid="card-workspace">
                <div class="card-label">"Workspace"</div>
                {move || match workspace() {
                    Some(ws) => {
                        view! {
                            <div class="card-value card-value-text">{ws.name.clone()}</div>
                            <div class="card-note">
                                {ws.kind.label()}
                                {move || {
                                    session
                                        .current_role()
                                        .map(|r| format!(" · you are {}", r.label().to_lowercase()))
                                }}
                            </div>
                        }
                            .into_any()
                    }
                    None => view! { <Loading /> }.into_any(),
                }}
            </div>
            {move || match stats.data.get() {
                None => view! { <div class="card"><Loading /></div> }.into_any(),
                Some(Err(e)) => {
                    view! { <div class="card"><LoadError errors=e /></div> }
                        .into_any()
                }
                Some(Ok(d)) => {
                    let pending = d.invitations.nodes.iter().filter(|i| i.status == InvitationStatus::Pending).count();
                    let active_keys = d.api_keys.nodes.iter().filter(|k| k.revoked_at.is_none()).count();
                    view! {
                        <A href="/app/team" attr:class="card card-link">
                            <div class="card-label">"Team members"</div>
                            <div class="card-value" data-testid="stat-members">
                                {d.members.total_count}
                            </div>
                            <div class="card-note">{format!("{pending} pending invitation(s)")}</div>
                        </A>
                        <A href="/app/api-keys" attr:class="card card-link">
                            <div class="card-label">"Active API keys"</div>
                            <div class="card-value" data-testid="stat-api-keys">{active_keys}</div>
                            <div class="card-note">"For your developers and integrations"</div>
                        </A>
                    }
                        .into_any()
                }
            }}
            {move || {
                workspace()
                    .filter(|w| w.kind == WorkspaceKind::Agency)
                    .map(|w| {
                        view! {
                            <div class="card" data-testid="card-clients">
                                <div class="card-label">"Clients"</div>
                                <div class="card-value">{w.clients.len()}</div>
                                <div class="card-note">"Add clients from the workspace menu on the left."</div>
                            </div>
                        }
                    })
            }}
        </div>
        <section class="panel">
            <h2>"Next steps"</h2>
            <ul class="checklist">
                <li><A href="/app/team">"Invite your team"</A>" and give each person the role they need."</li>
                <li><A href="/app/api-keys">"Create an API key"</A>" to connect your website or CRM."</li>
                <li><A href="/app/audit">"Review the audit log"</A>" to see who changed what."</li>
            </ul>
        </section>
    }
}
