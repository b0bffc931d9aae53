//! Leads for sales. `/app/leads`: the open leads counted (open, mine, due, overdue,
//! waiting for a rep), filtered, in a table with one-click outcomes per open lead (in
//! [`outcome`]) and a lead added by hand (in [`capture`]); `/app/leads/:id` (in
//! [`lead`]): one lead, why it scores what it does, its outcomes, its owner changed by
//! hand and its history (in [`activity`]); `/app/leads/setup` (in [`setup`]): the
//! scoring models (in [`scoring`]), routing rules (in [`routing`]), sales reps (in
//! [`reps`]) and the CRM webhook (in [`webhook`]).

mod activity;
mod capture;
mod lead;
mod outcome;
mod reps;
mod routing;
mod scoring;
mod setup;
mod webhook;

pub use lead::LeadPage;
pub use setup::LeadSetupPage;

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::{Chunk, PagedTable, paged};
use crate::gql::call;
use crate::ops::leads::{LeadCounts, LeadMembers, LeadRow, LeadStage, Leads, lead_members, leads};
use crate::ops::short_time;
use capture::CaptureForm;
use outcome::OutcomeActions;

/// How often the list is read again while a lead is being routed.
const POLL: Duration = Duration::from_millis(1000);
/// How many reads in a row that waiting may take (a minute or so).
const MAX_POLLS: u32 = 60;

/// The stage chip of a lead (`data-stage` carries the schema's name).
pub(crate) fn stage_chip(stage: LeadStage) -> impl IntoView + use<> {
    let class = match stage {
        LeadStage::New => "status status-draft",
        LeadStage::Mql | LeadStage::Sql => "status status-queued",
        LeadStage::Contacted | LeadStage::Qualified => "status status-running",
        LeadStage::Won => "status status-done",
        LeadStage::Lost => "status status-closed",
        LeadStage::Unknown => "status",
    };
    view! { <span class=class data-testid="lead-stage" data-stage=stage.as_str()>{stage.label()}</span> }
}

/// A person as a table shows them: the name, else the email.
pub(crate) fn person(name: &str, email: &str) -> String {
    if name.trim().is_empty() { email.to_owned() } else { name.to_owned() }
}

/// A contact's full name, if it has one.
pub(crate) fn full_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let name = [first, last].into_iter().flatten().map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>();
    (!name.is_empty()).then(|| name.join(" "))
}

/// The first-touch deadline with its overdue mark; a dash when there is none.
pub(crate) fn due_view(due: Option<String>, overdue: bool, open: bool) -> impl IntoView + use<> {
    let text = match (&due, open) {
        (Some(at), true) => format!("{} UTC", short_time(at)),
        _ => "—".to_owned(),
    };
    view! {
        <span data-testid="lead-due" data-due=due.unwrap_or_default()>{text}</span>
        {(overdue && open).then(|| view! { " " <span class="status status-dead" data-testid="lead-overdue">"Overdue"</span> })}
    }
}

/// The workspace's members as `(user ID, name)`, for the selects that pick one.
pub(crate) type Members = Vec<(String, String)>;

/// Reads the workspace's members (none when the reader may not list them).
pub(crate) async fn members() -> Members {
    match call::<LeadMembers>(lead_members::Variables).await {
        Ok(d) => d.members.nodes.into_iter().map(|m| (m.user.id, person(&m.user.name, &m.user.email))).collect(),
        Err(_) => Vec::new(),
    }
}

/// Which leads the list shows, by whom they are held or when they are due.
const VIEWS: [(&str, &str); 5] =
    [("all", "All"), ("mine", "My leads"), ("due", "Due"), ("overdue", "Overdue"), ("unassigned", "Unassigned")];

/// Whether a lead is still being handed to a rep by the background workers.
fn being_routed(r: &LeadRow) -> bool {
    r.open && r.owner.is_none() && r.waiting.is_none() && r.stage != LeadStage::New
}

/// The sales page.
#[component]
pub fn LeadsPage() -> impl IntoView {
    let view_of = RwSignal::new("all");
    let state = RwSignal::new("open".to_owned());
    let counts = RwSignal::new(None::<LeadCounts>);
    let list = paged(
        move |after| {
            let who = view_of.get_untracked();
            let open = match state.get_untracked().as_str() {
                "open" => Some(true),
                "closed" => Some(false),
                _ => None,
            };
            let on = |v: &str| (who == v).then_some(true);
            let variables = leads::Variables {
                after,
                open,
                mine: on("mine"),
                due: on("due"),
                overdue: on("overdue"),
                unassigned: on("unassigned"),
            };
            async move {
                call::<Leads>(variables).await.map(|d| {
                    let _ = counts.try_set(Some(d.lead_counts));
                    Chunk::from(d.leads)
                })
            }
        },
        |r: &LeadRow| r.id.clone(),
    );
    // Leads just captured are routed in the background: read again until they have a rep.
    let polls = StoredValue::new(0u32);
    Effect::new(move |_| {
        if list.rows.with(|rows| rows.iter().any(being_routed)) && polls.get_value() < MAX_POLLS {
            polls.update_value(|n| *n += 1);
            set_timeout(move || list.reload(), POLL);
        } else {
            polls.set_value(0);
        }
    });
    let done = Callback::new(move |()| list.reload());
    let filter_button = move |(value, label): (&'static str, &'static str)| {
        let active = move || view_of.get() == value;
        view! {
            <button type="button" class="segment" class:active=active
                aria-pressed=move || if active() { "true" } else { "false" }
                data-testid=format!("leads-filter-{value}")
                on:click=move |_| if !active() { view_of.set(value); list.restart(); }>
                {label}
            </button>
        }
    };
    let empty = Signal::derive(move || match (view_of.get(), state.get().as_str()) {
        ("all", "open") => {
            "No open leads: add one below, or capture them from forms, trigger rules and journeys.".to_owned()
        }
        ("all", _) => "No leads here.".to_owned(),
        _ => "No leads match this filter.".to_owned(),
    });
    view! {
        <Title text="Leads · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Leads"</h1>
            <p class="muted">
                "Contacts worth a sales conversation: scored, routed to a rep with a first-touch deadline, and worked to won or lost. "
                <A href="/app/leads/setup" attr:data-testid="leads-setup-link">"Scoring, routing and reps"</A>
            </p>
        </header>
        <Counts counts=counts />
        <section class="panel">
            <div class="toolbar">
                <div class="segmented" role="group" aria-label="Filter leads" data-testid="leads-filter">
                    {VIEWS.into_iter().map(filter_button).collect_view()}
                </div>
                <label class="field field-inline">
                    <span class="field-label">"Show"</span>
                    <select data-testid="leads-state" on:change=move |ev| { state.set(event_target_value(&ev)); list.restart(); }>
                        <option value="open" selected=true>"Open"</option>
                        <option value="closed">"Closed"</option>
                        <option value="any">"Open and closed"</option>
                    </select>
                </label>
            </div>
            <PagedTable
                list=list
                head=&["Contact", "Score", "Grade", "Stage", "Owner", "First touch due", ""]
                row=move |r| lead_row(r, done)
                empty=empty
                testid="leads"
            />
        </section>
        <section class="panel" data-testid="lead-new">
            <h2>"Add lead"</h2>
            <CaptureForm done=done />
        </section>
    }
}

/// The open leads counted.
#[component]
fn Counts(counts: RwSignal<Option<LeadCounts>>) -> impl IntoView {
    let tile = move |label: &'static str, testid: &'static str, get: fn(&LeadCounts) -> i64| {
        view! {
            <div class="tile">
                <span class="muted">{label}</span>
                <strong data-testid=testid>
                    {move || counts.with(|c| c.as_ref().map_or_else(|| "…".to_owned(), |c| get(c).to_string()))}
                </strong>
            </div>
        }
    };
    view! {
        <section class="tiles" data-testid="lead-counts">
            {tile("Open", "count-open", |c| c.open)}
            {tile("Mine", "count-mine", |c| c.mine)}
            {tile("Due", "count-due", |c| c.due)}
            {tile("Overdue", "count-overdue", |c| c.overdue)}
            {tile("Waiting for a rep", "count-unassigned", |c| c.unassigned)}
        </section>
    }
}

fn lead_row(r: LeadRow, done: Callback<()>) -> impl IntoView {
    let (email, name) = match &r.contact {
        Some(c) => (c.email.clone().unwrap_or_default(), full_name(c.first_name.as_deref(), c.last_name.as_deref())),
        None => (String::new(), None),
    };
    let shown =
        if email.is_empty() { name.clone().unwrap_or_else(|| "(no contact)".to_owned()) } else { email.clone() };
    let owner = match &r.owner {
        Some(o) => person(&o.name, &o.email),
        None if r.open => r.waiting.clone().map_or_else(|| "Routing…".to_owned(), |w| format!("Waiting: {w}")),
        None => "—".to_owned(),
    };
    let closed_with = r.revenue.as_ref().map(|m| format!("{} {}", m.amount, m.currency_code));
    view! {
        <tr data-testid="lead-row" data-email=email.clone() data-stage=r.stage.as_str() data-open=r.open.to_string()>
            <td>
                <A href=format!("/app/leads/{}", r.id) attr:data-testid="lead-link">{shown}</A>
                {name.filter(|_| !email.is_empty()).map(|n| view! { <div class="muted" data-testid="lead-name">{n}</div> })}
            </td>
            <td class="num" data-testid="lead-score">{r.score}</td>
            <td data-testid="lead-grade">{r.grade.clone()}</td>
            <td>{stage_chip(r.stage)}</td>
            <td data-testid="lead-owner" data-owner=r.owner.as_ref().map(|o| o.email.clone()).unwrap_or_default()>{owner}</td>
            <td class="nowrap">{due_view(r.sla_due_at.clone(), r.overdue, r.open)}</td>
            <td>
                {if r.open {
                    view! { <OutcomeActions lead_id=r.id.clone() stage=r.stage done=done /> }.into_any()
                } else {
                    view! { <span class="muted" data-testid="lead-closed">{closed_with.unwrap_or_else(|| "Closed".to_owned())}</span> }.into_any()
                }}
            </td>
        </tr>
    }
}
