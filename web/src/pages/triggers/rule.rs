//! `/app/triggers/:id`: one trigger rule: what it watches for in words and as JSON,
//! whether it is watching (paused and resumed here), how often it fired and how many
//! contacts it waits on, edited with the rule form or deleted once confirmed, and the
//! contacts it fired for, newest first.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::definition::Draft;
use super::form::{Choices, Mode, RuleForm};
use super::summary::summary;
use super::{segment_name, status_chip};
use crate::components::{Chunk, ConfirmDelete, FormErrors, Loading, PagedTable, paged};
use crate::gql::call;
use crate::ops::short_time;
use crate::ops::triggers::{
    DeleteTriggerRule, FiringRow, PauseTriggerRule, ResumeTriggerRule, RuleDetail, TriggerFirings, TriggerRule,
    TriggerRuleStatus, delete_trigger_rule, pause_trigger_rule, resume_trigger_rule, trigger_firings, trigger_rule,
};
use crate::pages::decisions::load_failed;
use crate::session::{Loaded, load};

type Data = trigger_rule::ResponseData;

/// One trigger rule.
#[component]
pub fn TriggerRulePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = load(move || {
        let id = id();
        async move { call::<TriggerRule>(trigger_rule::Variables { id }).await }
    });
    view! {
        <Title text="Trigger rule · Parley" />
        {move || match data.data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => load_failed(e, "/app/triggers", "Trigger rules").into_any(),
            Some(Ok(d)) => view! { <Detail data=d loaded=data /> }.into_any(),
        }}
    }
}

#[component]
fn Detail(data: Data, loaded: Loaded<Data>) -> impl IntoView {
    let r: RuleDetail = data.trigger_rule;
    let choices = Choices {
        fields: data.contact_fields.nodes.into_iter().map(|f| (f.key, f.label)).collect(),
        segments: data.segments.nodes.into_iter().map(|s| (s.id, s.name)).collect(),
    };
    let line = summary(&r.definition, |id| segment_name(&choices.segments, id));
    let json = serde_json::to_string_pretty(&r.definition).unwrap_or_default();
    let draft = Draft::of(&r.name, r.kind, &r.definition);
    let editing = RwSignal::new(false);
    let done = Callback::new(move |()| {
        editing.set(false);
        loaded.reload();
    });
    // The counts come again with the first page of firings, so a refresh updates both
    // in one answer without drawing the page afresh.
    let counts = RwSignal::new((r.firing_count, r.waiting_count));
    let rule_id = r.id.clone();
    let firings = paged(
        move |after| {
            let rule_id = rule_id.clone();
            let first = after.is_none();
            async move {
                call::<TriggerFirings>(trigger_firings::Variables { rule_id, after }).await.map(|d| {
                    if first {
                        counts.set((d.trigger_rule.firing_count, d.trigger_rule.waiting_count));
                    }
                    Chunk::from(d.trigger_firings)
                })
            }
        },
        |f: &FiringRow| f.id.clone(),
    );
    let refresh = move |_| firings.reload();
    let edit_choices = StoredValue::new(choices);
    let edit_draft = StoredValue::new(draft);
    let edit_id = r.id.clone();
    view! {
        <header class="page-head">
            <p class="muted"><A href="/app/triggers">"Trigger rules"</A>" /"</p>
            <h1 data-testid="page-title">{r.name.clone()} " " {status_chip(r.status)}</h1>
            <p class="muted">
                <span data-testid="trigger-kind-label">{r.kind.label()}</span>
                " · "
                <span data-testid="trigger-summary">{line}</span>
            </p>
            <p class="muted">
                {format!("Created {} UTC · changed {} UTC", short_time(&r.created_at), short_time(&r.updated_at))}
            </p>
        </header>
        <section class="panel" data-testid="trigger-overview">
            <div class="panel-head">
                <h2>"Definition"</h2>
                <Actions id=r.id.clone() status=r.status loaded=loaded editing=editing />
            </div>
            <p>
                "Fired "
                <strong data-testid="trigger-firing-count">{move || counts.get().0}</strong>
                {move || if counts.get().0 == 1 { " time" } else { " times" }}
                " · waiting on "
                <strong data-testid="trigger-waiting-count">{move || counts.get().1}</strong>
                {move || if counts.get().1 == 1 { " contact" } else { " contacts" }}
            </p>
            <pre class="snippet" data-testid="trigger-definition">{json}</pre>
        </section>
        {move || editing.get().then(|| view! {
            <section class="panel" data-testid="trigger-edit">
                <h2>"Edit"</h2>
                <p class="muted">"A new definition starts afresh: contacts it was waiting on are forgotten."</p>
                <RuleForm mode=Mode::Edit { id: edit_id.clone(), done } initial=edit_draft.get_value()
                    choices=edit_choices.get_value() />
            </section>
        })}
        <section class="panel" data-testid="trigger-firings">
            <div class="panel-head">
                <h2>"Firings"</h2>
                <button type="button" class="btn btn-ghost btn-small" data-testid="firings-refresh" on:click=refresh>
                    "Refresh"
                </button>
            </div>
            <PagedTable
                list=firings
                head=&["Contact", "Fired", "Events"]
                row=firing_row
                empty=Signal::derive(|| "It has not fired yet.".to_owned())
                testid="firings"
            />
        </section>
    }
}

/// Pause or resume, edit, and delete (once confirmed), with the refusals' banner.
#[component]
fn Actions(id: String, status: TriggerRuleStatus, loaded: Loaded<Data>, editing: RwSignal<bool>) -> impl IntoView {
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let navigate = use_navigate();
    let id = StoredValue::new(id);
    let paused = status == TriggerRuleStatus::Paused;
    let toggle = move |_| {
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        busy.set(true);
        let id = id.get_value();
        spawn_local(async move {
            let answer = if paused {
                call::<ResumeTriggerRule>(resume_trigger_rule::Variables { id }).await.map(|_| ())
            } else {
                call::<PauseTriggerRule>(pause_trigger_rule::Variables { id }).await.map(|_| ())
            };
            let _ = busy.try_set(false);
            match answer {
                Ok(()) => loaded.reload(),
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    let delete = Callback::new(move |()| {
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        busy.set(true);
        let id = id.get_value();
        let navigate = navigate.clone();
        spawn_local(async move {
            let answer = call::<DeleteTriggerRule>(delete_trigger_rule::Variables { id }).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(_) => navigate("/app/triggers", Default::default()),
                Err(e) => errors.show(&e, &[]),
            }
        });
    });
    view! {
        <div class="actions confirm">
            {move || if confirming.get() {
                view! {
                    <ConfirmDelete question="Delete this rule and its firings?" prefix="trigger" busy=busy
                        confirm=delete confirming=confirming />
                }.into_any()
            } else {
                view! {
                    <button type="button" class="btn btn-ghost btn-small"
                        data-testid=if paused { "trigger-resume" } else { "trigger-pause" }
                        disabled=move || busy.get() on:click=toggle>
                        {if paused { "Resume" } else { "Pause" }}
                    </button>
                    <button type="button" class="btn btn-ghost btn-small" data-testid="trigger-edit-toggle"
                        on:click=move |_| editing.update(|e| *e = !*e)>"Edit"</button>
                    <button type="button" class="btn btn-ghost btn-small" data-testid="trigger-delete"
                        on:click=move |_| {
                            errors.clear();
                            confirming.set(true);
                        }>"Delete"</button>
                }.into_any()
            }}
            {move || errors.banner().map(|m| view! {
                <div class="banner banner-error" role="alert" data-testid="trigger-action-error">{m}</div>
            })}
        </div>
    }
}

fn firing_row(f: FiringRow) -> impl IntoView {
    let events = f.event_ids.len();
    let contact = match f.contact {
        Some(c) => {
            let name = [c.first_name.unwrap_or_default(), c.last_name.unwrap_or_default()].join(" ").trim().to_owned();
            let shown =
                c.email.clone().unwrap_or_else(|| if name.is_empty() { "A contact".to_owned() } else { name.clone() });
            view! {
                <A href=format!("/app/contacts/{}", c.id) attr:data-testid="firing-contact">{shown}</A>
                {(!name.is_empty() && c.email.is_some()).then(|| view! { <span class="muted">{format!(" · {name}")}</span> })}
            }
            .into_any()
        }
        None => view! { <span class="muted" data-testid="firing-contact">"A deleted contact"</span> }.into_any(),
    };
    view! {
        <tr data-testid="firing-row">
            <td>{contact}</td>
            <td class="nowrap" data-testid="firing-time">{format!("{} UTC", short_time(&f.fired_at))}</td>
            <td class="num" data-testid="firing-events">
                {if events == 0 { "None (a change)".to_owned() } else { events.to_string() }}
            </td>
        </tr>
    }
}
