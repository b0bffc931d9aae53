//! Journeys: graphs of steps contacts go through one by one. `/app/journeys`: the
//! workspace's journeys with their state and version; `/app/journeys/new`: the step
//! builder (in [`form`], its definition built in [`definition`]);
//! `/app/journeys/:id` (in [`journey`]): one journey, published, paused and resumed,
//! its draft edited, its steps laid out with their counts (in [`canvas`]) and its
//! contacts (in [`enrolments`]). A contact's page lists their journeys (in [`contact`]).

mod canvas;
pub(crate) mod contact;
mod definition;
mod enrolments;
mod form;
mod journey;

pub use journey::JourneyPage;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::{Chunk, LoadError, Loading, PagedTable, paged};
use crate::gql::call;
use crate::ops::journeys::{JourneyRow, JourneySetup, JourneyStatus, Journeys, journey_setup, journeys};
use crate::ops::short_time;
use crate::session::load;
use definition::Draft;
use form::{JourneyForm, Mode};

/// The state chip of a journey (`data-status` carries the schema's name).
pub(crate) fn status_chip(status: JourneyStatus) -> impl IntoView + use<> {
    let class = match status {
        JourneyStatus::Active => "status status-done",
        JourneyStatus::Paused => "status status-queued",
        JourneyStatus::Draft | JourneyStatus::Unknown => "status status-draft",
    };
    view! {
        <span class=class data-testid="journey-status" data-status=status.as_str()>
            {status.label()}
        </span>
    }
}

/// What enrols contacts, in words (`TRIGGER`: "Trigger rule").
pub(crate) fn entry_label(kind: Option<&str>) -> &'static str {
    match kind {
        Some("TRIGGER") => "Trigger rule",
        Some("SEGMENT") => "Segment",
        Some("MANUAL") => "Manual",
        _ => "Not published",
    }
}

/// The builder's choices out of the answer of a query that reads them.
macro_rules! choices_of {
    ($d:expr, $kind:path) => {
        $crate::pages::journeys::form::Choices {
            rules: $d.trigger_rules.nodes.into_iter().map(|r| (r.id, r.name)).collect(),
            fields: $d.contact_fields.nodes.into_iter().map(|f| (f.key, f.label)).collect(),
            segments: $d.segments.nodes.iter().map(|s| (s.id.clone(), s.name.clone())).collect(),
            lists: $d.segments.nodes.into_iter().filter(|s| matches!(s.kind, $kind)).map(|s| (s.id, s.name)).collect(),
            templates: $d.email_templates.nodes.into_iter().map(|t| (t.id, t.name)).collect(),
            domains: $d.sending_domains.nodes.into_iter().map(|s| (s.id, s.domain)).collect(),
            members: $d
                .members
                .nodes
                .into_iter()
                .map(|m| {
                    let name = if m.user.name.trim().is_empty() { m.user.email } else { m.user.name };
                    (m.user.id, name)
                })
                .collect(),
        }
    };
}
pub(crate) use choices_of;

/// The journeys.
#[component]
pub fn JourneysPage() -> impl IntoView {
    let list = paged(
        move |after| async move { call::<Journeys>(journeys::Variables { after }).await.map(|d| Chunk::from(d.journeys)) },
        |j: &JourneyRow| j.id.clone(),
    );
    view! {
        <Title text="Journeys · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Journeys"</h1>
            <p class="muted">
                "Paths contacts go through one step at a time: waits, waits for an event, branches on a rule, random splits, fields set, lists joined, emails sent and team members told. Contacts enter by hand, when a trigger rule fires or when they come into a segment; a published journey keeps running its version while you edit the next one."
            </p>
        </header>
        <section class="panel">
            <div class="panel-head">
                <h2>"All journeys"</h2>
                <A href="/app/journeys/new" attr:class="btn btn-primary" attr:data-testid="journey-new-link">"New journey"</A>
            </div>
            <PagedTable
                list=list
                head=&["Journey", "Status", "Version", "Entry", "Changed"]
                row=journey_row
                empty=Signal::derive(|| "No journeys yet: start with “New journey”.".to_owned())
                testid="journeys"
            />
        </section>
    }
}

fn journey_row(j: JourneyRow) -> impl IntoView {
    let name = j.name.clone();
    view! {
        <tr data-testid="journey-row" data-name=name>
            <td><A href=format!("/app/journeys/{}", j.id) attr:data-testid="journey-link">{j.name}</A></td>
            <td>
                {status_chip(j.status)}
                {j.has_unpublished_changes.then(|| view! { " " <span class="chip" data-testid="journey-unpublished">"Unpublished changes"</span> })}
            </td>
            <td class="num" data-testid="journey-version">{j.version}</td>
            <td data-testid="journey-entry">{entry_label(j.entry_kind.as_deref())}</td>
            <td class="nowrap muted">{format!("{} UTC", short_time(&j.updated_at))}</td>
        </tr>
    }
}

/// A new journey, built step by step.
#[component]
pub fn JourneyNewPage() -> impl IntoView {
    let setup = load(|| call::<JourneySetup>(journey_setup::Variables));
    view! {
        <Title text="New journey · Parley" />
        <header class="page-head">
            <p class="muted"><A href="/app/journeys">"Journeys"</A>" /"</p>
            <h1 data-testid="page-title">"New journey"</h1>
            <p class="muted">"It is saved as a draft; publishing checks that every step can be reached and starts it."</p>
        </header>
        <section class="panel" data-testid="journey-new">
            {move || match setup.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(d)) => {
                    let choices = choices_of!(d, journey_setup::SegmentKind::STATIC);
                    view! { <JourneyForm mode=Mode::New initial=Draft::default() choices=choices /> }.into_any()
                }
            }}
        </section>
    }
}
