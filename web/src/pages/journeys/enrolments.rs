//! A journey's contacts: the table (newest first, filtered by where they stand, each
//! with the path it took on request, taken out by hand), a contact enrolled by email,
//! and contacts moved from an older version to the latest.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::components::{Chunk, ErrorBanner, Field, Form, FormErrors, PagedTable, Submit, paged};
use crate::gql::call;
use crate::ops::contacts::{ContactByEmail, contact_by_email};
use crate::ops::journeys::{
    EnrolContact, EnrolmentRow, EnrolmentStatus, JourneyEnrolments, MigrateJourneyContacts, RemoveFromJourney,
    enrol_contact, journey_enrolments, migrate_journey_contacts, remove_from_journey,
};
use crate::ops::short_time;

/// The chip of where a contact stands (`data-status` carries the schema's name).
pub(crate) fn enrolment_chip(status: EnrolmentStatus) -> impl IntoView + use<> {
    let class = match status {
        EnrolmentStatus::Active => "status status-running",
        EnrolmentStatus::Waiting => "status status-queued",
        EnrolmentStatus::Completed => "status status-done",
        EnrolmentStatus::Exited | EnrolmentStatus::Unknown => "status status-draft",
    };
    view! {
        <span class=class data-testid="enrolment-status" data-status=status.as_str()>{status.label()}</span>
    }
}

/// The journey's contacts, read again whenever `refresh` changes.
#[component]
pub(crate) fn Enrolments(journey_id: String, refresh: RwSignal<u32>) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let list = paged(
        move |after| {
            let id = journey_id.clone();
            let status = EnrolmentStatus::parse(&status.get_untracked());
            async move {
                call::<JourneyEnrolments>(journey_enrolments::Variables { id, status, after })
                    .await
                    .map(|d| Chunk::from(d.journey.enrolments))
            }
        },
        |e: &EnrolmentRow| e.id.clone(),
    );
    Effect::new(move |seen: Option<u32>| {
        let now = refresh.get();
        if seen.is_some() {
            list.reload();
        }
        now
    });
    let empty = Signal::derive(move || {
        if status.with(String::is_empty) {
            "No contacts in this journey yet.".to_owned()
        } else {
            "No contacts stand there.".to_owned()
        }
    });
    view! {
        <div class="panel-head">
            <h3>"In the journey"</h3>
            <label class="field field-inline">
                <span class="field-label">"Showing"</span>
                <select data-testid="enrolment-filter" prop:value=move || status.get()
                    on:change=move |ev| {
                        status.set(event_target_value(&ev));
                        list.restart();
                    }>
                    <option value="">"Everyone"</option>
                    {EnrolmentStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                </select>
            </label>
        </div>
        {move || errors.banner().map(|m| view! { <div class="banner banner-error" role="alert" data-testid="enrolment-error">{m}</div> })}
        <PagedTable
            list=list
            head=&["Contact", "Status", "Step", "Version", "Entered", ""]
            row=move |e| enrolment_row(e, list, errors)
            empty=empty
            testid="enrolments"
        />
    }
}

fn enrolment_row(e: EnrolmentRow, list: crate::components::Paged<EnrolmentRow>, errors: FormErrors) -> impl IntoView {
    let open = RwSignal::new(false);
    let contact = match &e.contact {
        Some(c) => {
            let name = [c.first_name.clone().unwrap_or_default(), c.last_name.clone().unwrap_or_default()]
                .join(" ")
                .trim()
                .to_owned();
            let shown = c.email.clone().unwrap_or_else(|| if name.is_empty() { "A contact".to_owned() } else { name });
            view! { <A href=format!("/app/contacts/{}", c.id) attr:data-testid="enrolment-contact">{shown}</A> }
                .into_any()
        }
        None => view! { <span class="muted" data-testid="enrolment-contact">"An erased contact"</span> }.into_any(),
    };
    let in_it = matches!(e.status, EnrolmentStatus::Active | EnrolmentStatus::Waiting);
    let id = e.id.clone();
    let remove = move |_| list.act::<RemoveFromJourney>(remove_from_journey::Variables { id: id.clone() }, errors);
    let until = e.wake_at.as_deref().map(|w| format!(" until {} UTC", short_time(w)));
    let reason = e.exit_reason.clone().map(|r| format!(" ({r})"));
    let path = e.path.clone();
    view! {
        <tr data-testid="enrolment-row">
            <td>{contact}</td>
            <td>{enrolment_chip(e.status)}<span class="muted">{reason}</span></td>
            <td data-testid="enrolment-step">{e.step.clone()}<span class="muted">{until}</span></td>
            <td class="num">{e.version}</td>
            <td class="nowrap">{format!("{} UTC", short_time(&e.entered_at))}</td>
            <td>
                <button type="button" class="btn btn-ghost btn-small" data-testid="enrolment-details"
                    on:click=move |_| open.update(|o| *o = !*o)>
                    {move || if open.get() { "Hide path" } else { "Path" }}
                </button>
                {in_it.then(|| view! {
                    " "
                    <button type="button" class="btn btn-ghost btn-small" data-testid="enrolment-remove" on:click=remove>
                        "Take out"
                    </button>
                })}
                {move || open.get().then(|| view! {
                    <ol class="journey-path" data-testid="enrolment-path">
                        {path.clone().into_iter().map(|v| {
                            let left = v.left_at.as_deref().map_or_else(|| "here now".to_owned(), |l| format!("left {} UTC", short_time(l)));
                            view! {
                                <li data-testid="path-visit" data-step=v.step.clone()>
                                    <strong>{v.step.clone()}</strong>
                                    <span class="muted">{format!(" · entered {} UTC · {left}", short_time(&v.entered_at))}</span>
                                    {v.outcome.map(|o| view! { <span class="muted">{format!(" · {}", o.to_lowercase())}</span> })}
                                    {v.note.map(|n| view! { <div data-testid="path-note">{n}</div> })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                })}
            </td>
        </tr>
    }
}

/// Enrols the contact with an email, showing why when it may not enter.
#[component]
pub(crate) fn EnrolForm(journey_id: String, done: Callback<()>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let form = Form::new();
    let enrolled = RwSignal::new(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        enrolled.set(None);
        let (errors, busy, journey_id) = (form.errors, form.busy, journey_id.clone());
        let address = email.get_untracked().trim().to_owned();
        busy.set(true);
        spawn_local(async move {
            let found = call::<ContactByEmail>(contact_by_email::Variables { email: address.clone() }).await;
            let answer = match found {
                Ok(d) => {
                    let contact_id = d.contact_by_identity.id;
                    call::<EnrolContact>(enrol_contact::Variables { journey_id, contact_id }).await
                }
                Err(e) if e.has_code("NOT_FOUND") => {
                    busy.set(false);
                    errors.set_field("email", "is no contact's email");
                    return;
                }
                Err(e) => Err(e),
            };
            busy.set(false);
            match answer {
                Ok(d) => {
                    email.set(String::new());
                    enrolled.set(Some(format!("{address} entered at step {}.", d.enrol_contact.step)));
                    done.run(());
                }
                Err(e) => {
                    // The refusal names the contact: it belongs under the email box.
                    let named = e.0.iter().find(|x| x.field.as_deref() == Some("contactId"));
                    match named {
                        Some(x) => errors.set_field("email", &x.message),
                        None => errors.show(&e, &[]),
                    }
                }
            }
        });
    };
    view! {
        <form class="form form-row" data-testid="enrol-form" on:submit=on_submit>
            <ErrorBanner errors=form.errors />
            <Field label="Enrol a contact by email" name="email" value=email errors=form.errors testid="enrol-email"
                kind="email" placeholder="pat@example.com" />
            <Submit label="Enrol" busy_label="Enrolling…" busy=form.busy testid="enrol-submit" />
            {move || enrolled.get().map(|m| view! { <span class="saved" data-testid="enrol-done">{m}</span> })}
        </form>
    }
}

/// Moves the contacts of an older version to the latest, each to the step of the same
/// ID (those whose step is gone leave the journey).
#[component]
pub(crate) fn MigrateForm(journey_id: String, latest: i64, older: Vec<i64>, done: Callback<()>) -> impl IntoView {
    let from = RwSignal::new(older.first().copied().unwrap_or(0));
    let form = Form::new();
    let result = RwSignal::new(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        result.set(None);
        let variables =
            migrate_journey_contacts::Variables { id: journey_id.clone(), from_version: from.get_untracked() };
        form.send::<MigrateJourneyContacts, _>(crate::components::Caller::SignedIn, variables, &[], move |d| {
            let m = d.migrate_journey_contacts;
            result.set(Some(format!("{} moved to version {latest}, {} left the journey.", m.moved, m.left)));
            done.run(());
        });
    };
    view! {
        <form class="form form-row" data-testid="migrate-form" on:submit=on_submit>
            <ErrorBanner errors=form.errors />
            <label class="field">
                <span class="field-label">"Contacts still on version"</span>
                <select data-testid="migrate-from" prop:value=move || from.get().to_string()
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<i64>() {
                            from.set(v);
                        }
                    }>
                    {older.into_iter().map(|v| view! { <option value=v.to_string()>{v}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="btn btn-ghost" data-testid="migrate-submit" disabled=move || form.busy.get()>
                {move || format!("Move contacts from version {} to {latest}", from.get())}
            </button>
            {move || result.get().map(|m| view! { <span class="saved" data-testid="migrate-result">{m}</span> })}
        </form>
    }
}
