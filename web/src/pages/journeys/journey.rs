//! `/app/journeys/:id`: one journey: its state and version, published, paused and
//! resumed or deleted once confirmed; its draft edited with the step builder (open
//! while the draft is unpublished, where publishing's refusals are shown under the
//! step at fault); its steps laid out with their counts, version by version; its
//! contacts, a contact enrolled by email, and contacts moved from an older version.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::canvas::Canvas;
use super::definition::{Draft, Names, owner};
use super::enrolments::{EnrolForm, Enrolments, MigrateForm};
use super::form::{JourneyForm, Mode};
use super::{choices_of, entry_label, status_chip};
use crate::components::{ConfirmDelete, FormErrors};
use crate::gql::{ApiErrors, call};
use crate::ops::journeys::{
    DeleteJourney, Journey, JourneyDetail, JourneyStatus, JourneyWebhookSecret, PauseJourney, PublishJourney,
    ResumeJourney, delete_journey, journey, journey_webhook_secret, pause_journey, publish_journey, resume_journey,
};
use crate::ops::short_time;
use crate::pages::decisions::load_failed;
use crate::pages::triggers::form::place;
use crate::session::{Loaded, load};

type Data = journey::ResponseData;

/// One journey.
#[component]
pub fn JourneyPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = load(move || {
        let id = id();
        async move { call::<Journey>(journey::Variables { id }).await }
    });
    view! {
        <Title text="Journey · Parley" />
        {move || match data.data.get() {
            None => view! { <crate::components::Loading /> }.into_any(),
            Some(Err(e)) => load_failed(e, "/app/journeys", "Journeys").into_any(),
            Some(Ok(d)) => view! { <Detail data=d loaded=data /> }.into_any(),
        }}
    }
}

/// Whether the draft is worth publishing.
fn publishable(j: &JourneyDetail) -> bool {
    j.status == JourneyStatus::Draft || j.has_unpublished_changes
}

#[component]
fn Detail(data: Data, loaded: Loaded<Data>) -> impl IntoView {
    let choices = choices_of!(data, journey::SegmentKind::STATIC);
    let j: JourneyDetail = data.journey;
    let draft_errors = FormErrors::new();
    let editing = RwSignal::new(publishable(&j));
    let done = Callback::new(move |()| {
        editing.set(false);
        loaded.reload();
    });
    let names =
        Names { lists: choices.lists.clone(), templates: choices.templates.clone(), members: choices.members.clone() };
    // The trigger rule or segment the latest version enrols from, by name.
    let latest = j.versions.iter().find(|v| v.version == j.version).map(|v| &v.definition["entry"]);
    let named = |key: &str, all: &[(String, String)]| {
        let id = latest.and_then(|e| e[key].as_str())?;
        Some(all.iter().find(|(x, _)| x == id).map_or_else(|| "(removed)".to_owned(), |(_, n)| n.clone()))
    };
    let entry_name = named("trigger", &choices.rules).or_else(|| named("segment", &choices.segments));
    let edit_choices = StoredValue::new(choices);
    let edit_draft = StoredValue::new(Draft::of(&j.name, &j.draft));
    let id = j.id.clone();
    // Counts and contacts are read again after an enrolment or a move, and on "Refresh".
    let refresh = RwSignal::new(0u32);
    let on_change = Callback::new(move |()| refresh.update(|n| *n = n.wrapping_add(1)));
    let versions: Vec<(i64, serde_json::Value)> =
        j.versions.iter().map(|v| (v.version, v.definition.clone())).collect();
    let older: Vec<i64> = j.versions.iter().map(|v| v.version).filter(|v| *v < j.version).collect();
    let published = j.version > 0;
    let calls_webhooks = std::iter::once(&j.draft).chain(j.versions.iter().map(|v| &v.definition)).any(has_webhook);
    view! {
        <Title text=format!("{} · Journeys · Parley", j.name) />
        <header class="page-head">
            <p class="muted"><A href="/app/journeys">"Journeys"</A>" /"</p>
            <h1 data-testid="page-title">{j.name.clone()} " " {status_chip(j.status)}</h1>
            <p class="muted">
                {if published { format!("Version {} · ", j.version) } else { "Not published yet".to_owned() }}
                {published.then(|| view! {
                    <span data-testid="journey-entry">{entry_label(j.entry_kind.as_deref())}</span>
                })}
                {published.then_some(entry_name).flatten().map(|n| view! {
                    ": " <span data-testid="journey-entry-name">{n}</span>
                })}
                {j.has_unpublished_changes.then(|| view! {
                    " · " <span class="chip" data-testid="journey-unpublished">"Unpublished changes"</span>
                })}
            </p>
            <p class="muted">
                {format!("Created {} UTC · changed {} UTC", short_time(&j.created_at), short_time(&j.updated_at))}
            </p>
            <Actions journey=j.clone() loaded=loaded editing=editing draft_errors=draft_errors />
        </header>
        {move || editing.get().then(|| view! {
            <section class="panel" data-testid="journey-draft">
                <h2>"Draft"</h2>
                <p class="muted">"Saved changes wait here until you publish them as the next version; contacts already in the journey keep their version."</p>
                <JourneyForm mode=Mode::Edit { id: id.clone(), done } initial=edit_draft.get_value()
                    choices=edit_choices.get_value() errors=draft_errors />
            </section>
        })}
        {calls_webhooks.then(|| view! { <WebhookSecret id=j.id.clone() /> })}
        {published.then(|| view! {
            <Canvas id=j.id.clone() latest=j.version versions=versions names=names refresh=refresh on_refresh=on_change />
            <section class="panel" data-testid="journey-people">
                <h2>"Contacts"</h2>
                <EnrolForm journey_id=j.id.clone() done=on_change />
                {(!older.is_empty()).then(|| view! {
                    <MigrateForm journey_id=j.id.clone() latest=j.version older=older.clone() done=on_change />
                })}
                <Enrolments journey_id=j.id.clone() refresh=refresh />
            </section>
        })}
    }
}

/// Whether definition `d` has a webhook step.
fn has_webhook(d: &serde_json::Value) -> bool {
    d["steps"].as_array().is_some_and(|steps| steps.iter().any(|s| s["kind"] == "webhook"))
}

/// The secret the journey's webhook steps sign with, in a disclosure, with how to
/// check a signature; nothing for those who may not edit the journey.
#[component]
fn WebhookSecret(id: String) -> impl IntoView {
    let secret = load(move || {
        let id = id.clone();
        async move { call::<JourneyWebhookSecret>(journey_webhook_secret::Variables { id }).await }
    });
    move || {
        secret.data.get().and_then(Result::ok).map(|d| {
            view! {
                <details class="panel" data-testid="journey-webhook-secret">
                    <summary>"Webhook secret"</summary>
                    <p><code class="secret" data-testid="journey-webhook-secret-value">{d.journey.webhook_secret}</code></p>
                    <p class="field-hint">"Verify Parley-Signature: t=…,v1=… as HMAC-SHA256 of \"t.body\" with this secret."</p>
                </details>
            }
        })
    }
}

/// Shows a refusal to publish: the parts of the draft it names under their controls
/// (opening the draft), the rest in the actions' banner.
fn refused(e: &ApiErrors, errors: FormErrors, draft_errors: FormErrors, editing: RwSignal<bool>) {
    let about_draft = |f: &Option<String>| f.as_deref().is_some_and(|f| f == "name" || f.starts_with("definition"));
    let (draft, other): (Vec<_>, Vec<_>) = e.0.iter().cloned().partition(|x| about_draft(&x.field));
    if !draft.is_empty() {
        editing.set(true);
        place(draft_errors, &ApiErrors(draft), owner);
    }
    if !other.is_empty() {
        errors.show(&ApiErrors(other), &[]);
    }
}

/// Publish, pause or resume, edit, and delete (once confirmed), with the refusals'
/// banner.
#[component]
fn Actions(
    journey: JourneyDetail,
    loaded: Loaded<Data>,
    editing: RwSignal<bool>,
    draft_errors: FormErrors,
) -> impl IntoView {
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let navigate = use_navigate();
    let id = StoredValue::new(journey.id.clone());
    let status = journey.status;
    let can_publish = publishable(&journey);
    // Runs one action: ignored while another runs; the refusal goes to `refused`.
    let act = move |answer: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ApiErrors>>>>,
                    ok: Box<dyn FnOnce()>,
                    refused: Box<dyn FnOnce(ApiErrors)>| {
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        busy.set(true);
        spawn_local(async move {
            let answer = answer.await;
            let _ = busy.try_set(false);
            match answer {
                Ok(()) => ok(),
                Err(e) => refused(e),
            }
        });
    };
    let show = move |e: ApiErrors| errors.show(&e, &[]);
    let publish = move |_| {
        draft_errors.clear();
        let id = id.get_value();
        act(
            Box::pin(async move { call::<PublishJourney>(publish_journey::Variables { id }).await.map(|_| ()) }),
            Box::new(move || loaded.reload()),
            Box::new(move |e| refused(&e, errors, draft_errors, editing)),
        );
    };
    let toggle = move |_| {
        let id = id.get_value();
        let answer = async move {
            if status == JourneyStatus::Paused {
                call::<ResumeJourney>(resume_journey::Variables { id }).await.map(|_| ())
            } else {
                call::<PauseJourney>(pause_journey::Variables { id }).await.map(|_| ())
            }
        };
        act(Box::pin(answer), Box::new(move || loaded.reload()), Box::new(show));
    };
    let delete = Callback::new(move |()| {
        let id = id.get_value();
        let navigate = navigate.clone();
        act(
            Box::pin(async move { call::<DeleteJourney>(delete_journey::Variables { id }).await.map(|_| ()) }),
            Box::new(move || navigate("/app/journeys", Default::default())),
            Box::new(show),
        );
    });
    let runs = matches!(status, JourneyStatus::Active | JourneyStatus::Paused);
    view! {
        <div class="actions confirm" data-testid="journey-actions">
            {move || if confirming.get() {
                view! {
                    <ConfirmDelete question="Delete this journey, its versions and its contacts' paths?"
                        prefix="journey" busy=busy confirm=delete confirming=confirming />
                }.into_any()
            } else {
                view! {
                    {can_publish.then(|| view! {
                        <button type="button" class="btn btn-primary btn-small" data-testid="journey-publish"
                            disabled=move || busy.get() on:click=publish>
                            {move || if busy.get() { "Publishing…" } else { "Publish" }}
                        </button>
                    })}
                    {runs.then(|| view! {
                        <button type="button" class="btn btn-ghost btn-small"
                            data-testid=if status == JourneyStatus::Paused { "journey-resume" } else { "journey-pause" }
                            disabled=move || busy.get() on:click=toggle>
                            {if status == JourneyStatus::Paused { "Resume" } else { "Pause" }}
                        </button>
                    })}
                    <button type="button" class="btn btn-ghost btn-small" data-testid="journey-edit-toggle"
                        on:click=move |_| editing.update(|e| *e = !*e)>"Edit draft"</button>
                    <button type="button" class="btn btn-ghost btn-small" data-testid="journey-delete"
                        on:click=move |_| {
                            errors.clear();
                            confirming.set(true);
                        }>"Delete"</button>
                }.into_any()
            }}
            {move || errors.banner().map(|m| view! {
                <div class="banner banner-error" role="alert" data-testid="journey-action-error">{m}</div>
            })}
        </div>
    }
}
