//! A lead added by hand on the sales page: an email and a name; the contact is found
//! by its email or created, scored at once and routed by the background workers.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::components::{ErrorBanner, Field, Form, Submit};
use crate::ops::leads::{CaptureLead, capture_lead};
use crate::pages::decisions::send;

/// The add-lead form; `done` runs once a lead is captured.
#[component]
pub(crate) fn CaptureForm(done: Callback<()>) -> impl IntoView {
    let form = Form::new();
    let email = RwSignal::new(String::new());
    let first_name = RwSignal::new(String::new());
    let last_name = RwSignal::new(String::new());
    let added = RwSignal::new(None::<String>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        added.set(None);
        let typed = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty());
        let input = capture_lead::CaptureLeadInput {
            contact_id: None,
            email: typed(email),
            first_name: typed(first_name),
            last_name: typed(last_name),
            attributes: None,
            source: Some("Added on the sales page".to_owned()),
        };
        let who = email.get_untracked().trim().to_owned();
        send::<CaptureLead, _>(
            form,
            capture_lead::Variables { input },
            &["email", "firstName", "lastName", "contactId"],
            move |d| {
                let _ = added.try_set(Some(format!("{who} added as a lead ({}).", d.capture_lead.stage.label())));
                for s in [email, first_name, last_name] {
                    let _ = s.try_set(String::new());
                }
                done.run(());
            },
        );
    };
    view! {
        <form class="form lead-form" data-testid="lead-form" on:submit=submit>
            <ErrorBanner errors=form.errors />
            {move || added.get().map(|m| view! { <div class="banner banner-success" data-testid="lead-added">{m}</div> })}
            <div class="form-row">
                <Field label="Email" name="email" value=email errors=form.errors kind="email" testid="lead-email" placeholder="ada@example.com" />
                <Field label="First name" name="firstName" value=first_name errors=form.errors testid="lead-first-name" optional=true />
                <Field label="Last name" name="lastName" value=last_name errors=form.errors testid="lead-last-name" optional=true />
            </div>
            <p class="field-hint">"An existing contact with this email becomes the lead (its open lead, if it has one); otherwise the contact is created."</p>
            <div>
                <Submit label="Add lead" busy_label="Adding…" busy=form.busy testid="lead-submit" />
            </div>
        </form>
    }
}
