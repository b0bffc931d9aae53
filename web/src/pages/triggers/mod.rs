//! Event detection. `/app/triggers`: the workspace's trigger rules, each with what it
//! watches for in one line, whether it is watching and how often it fired, and the form
//! of a new one (in [`form`], its definition built in [`definition`] and summarised in
//! [`summary`]);
//! `/app/triggers/:id` (in [`rule`]): one rule, its definition, paused and resumed,
//! edited with the same form or deleted, and the contacts it fired for.

pub(crate) mod definition;
pub(crate) mod form;
mod rule;
pub(crate) mod summary;

pub use rule::TriggerRulePage;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::{Chunk, LoadError, Loading, PagedTable, paged};
use crate::gql::call;
use crate::ops::triggers::{RuleRow, TriggerRuleStatus, TriggerRules, TriggerSetup, trigger_rules, trigger_setup};
use crate::session::load;
use definition::Draft;
use form::{Choices, Mode, RuleForm};
use summary::summary;

/// The status chip of a rule (`data-status` carries the schema's name).
pub(crate) fn status_chip(status: TriggerRuleStatus) -> impl IntoView + use<> {
    let class = match status {
        TriggerRuleStatus::Active => "status status-done",
        TriggerRuleStatus::Paused => "status status-queued",
        TriggerRuleStatus::Unknown => "status",
    };
    view! {
        <span class=class data-testid="trigger-status" data-status=status.as_str()>
            {status.label()}
        </span>
    }
}

/// The name of segment `id` among `segments`, if it is one.
pub(crate) fn segment_name(segments: &[(String, String)], id: &str) -> Option<String> {
    segments.iter().find(|(s, _)| s == id).map(|(_, n)| n.clone())
}

/// The trigger rules and a new one.
#[component]
pub fn TriggerRulesPage() -> impl IntoView {
    let setup = load(|| call::<TriggerSetup>(trigger_setup::Variables));
    let list = paged(
        move |after| async move {
            call::<TriggerRules>(trigger_rules::Variables { after }).await.map(|d| Chunk::from(d.trigger_rules))
        },
        |r: &RuleRow| r.id.clone(),
    );
    // Segment rules are summarised by the segment's name, once the segments are read.
    let segments = Signal::derive(move || {
        setup.data.with(|d| match d {
            Some(Ok(d)) => d.segments.nodes.iter().map(|s| (s.id.clone(), s.name.clone())).collect(),
            _ => Vec::new(),
        })
    });
    view! {
        <Title text="Trigger rules · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Trigger rules"</h1>
            <p class="muted">
                "Rules that watch what contacts do and what changes about them: an event, an event not followed by another, an amount over a threshold, several events in a window, a field changed, a segment entered or left. Each time one holds for a contact, it fires."
            </p>
        </header>
        <section class="panel">
            <h2>"All rules"</h2>
            <PagedTable
                list=list
                head=&["Rule", "Kind", "Watches for", "Status", "Fired", "Waiting"]
                row=move |r| rule_row(r, segments)
                empty=Signal::derive(|| "No trigger rules yet: add the first one below.".to_owned())
                testid="triggers"
            />
        </section>
        <section class="panel" data-testid="trigger-new">
            <h2>"New rule"</h2>
            {move || match setup.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(d)) => {
                    let choices = Choices {
                        fields: d.contact_fields.nodes.into_iter().map(|f| (f.key, f.label)).collect(),
                        segments: d.segments.nodes.into_iter().map(|s| (s.id, s.name)).collect(),
                    };
                    view! { <RuleForm mode=Mode::New initial=Draft::default() choices=choices /> }.into_any()
                }
            }}
        </section>
    }
}

fn rule_row(r: RuleRow, segments: Signal<Vec<(String, String)>>) -> impl IntoView {
    let definition = r.definition.clone();
    let line = move || segments.with(|s| summary(&definition, |id| segment_name(s, id)));
    let name = r.name.clone();
    view! {
        <tr data-testid="trigger-row" data-name=name data-kind=r.kind.as_str()>
            <td><A href=format!("/app/triggers/{}", r.id) attr:data-testid="trigger-link">{r.name}</A></td>
            <td data-testid="trigger-kind-label">{r.kind.label()}</td>
            <td data-testid="trigger-summary">{line}</td>
            <td>{status_chip(r.status)}</td>
            <td class="num" data-testid="trigger-firings">{r.firing_count}</td>
            <td class="num" data-testid="trigger-waiting">{r.waiting_count}</td>
        </tr>
    }
}
