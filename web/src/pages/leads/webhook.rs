//! The CRM webhook: where every lead change is posted, set with a new signing secret
//! (shown once, with how to check `Parley-Signature`), and removed.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::{ErrorBanner, Field, Form, FormErrors, LoadError, Loading, Submit};
use crate::gql::call;
use crate::ops::lead_setup::{
    DeleteLeadWebhook, LeadWebhook, SetLeadWebhook, delete_lead_webhook, lead_webhook, set_lead_webhook,
};
use crate::ops::short_time;
use crate::pages::decisions::{send, show_errors};
use crate::session::load;

/// The webhook, its form and its secret once set.
#[component]
pub(crate) fn WebhookSection() -> impl IntoView {
    let data = load(|| async { call::<LeadWebhook>(lead_webhook::Variables).await });
    let form = Form::new();
    let url = RwSignal::new(String::new());
    let secret = RwSignal::new(None::<String>);
    let delete_errors = FormErrors::new();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        secret.set(None);
        let variables = set_lead_webhook::Variables { url: url.get_untracked().trim().to_owned() };
        send::<SetLeadWebhook, _>(form, variables, &["url"], move |d| {
            let _ = secret.try_set(Some(d.set_lead_webhook.secret));
            let _ = url.try_set(String::new());
            data.reload();
        });
    };
    let delete = move |_| {
        delete_errors.clear();
        spawn_local(async move {
            match call::<DeleteLeadWebhook>(delete_lead_webhook::Variables).await {
                Ok(_) => {
                    let _ = secret.try_set(None);
                    data.reload();
                }
                Err(e) => show_errors(delete_errors, &e, &[]),
            }
        });
    };
    view! {
        <section class="panel" data-testid="lead-webhook">
            <h2>"CRM webhook"</h2>
            <p class="muted">"Every lead change (captured, scored into a new stage, assigned, escalated, an outcome) is posted as JSON to this URL, retried until it is received."</p>
            <ErrorBanner errors=delete_errors />
            {move || match data.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(d)) => match d.lead_webhook {
                    None => view! { <p class="muted empty" data-testid="webhook-empty">"No webhook: lead changes are not posted anywhere."</p> }.into_any(),
                    Some(h) => view! {
                        <dl class="facts">
                            <dt>"Posting to"</dt>
                            <dd><code data-testid="webhook-url">{h.url}</code></dd>
                            <dt>"State"</dt>
                            <dd data-testid="webhook-state">{if h.active { "Active" } else { "Stopped" }}{format!(" · since {} UTC", short_time(&h.created_at))}</dd>
                        </dl>
                        <p>
                            <button type="button" class="btn btn-danger btn-small" data-testid="webhook-delete" on:click=delete>"Stop posting"</button>
                        </p>
                    }.into_any(),
                },
            }}
            {move || secret.get().map(|s| view! {
                <div class="secret-box" data-testid="webhook-secret-box">
                    <p>
                        <strong>"Copy the signing secret now."</strong>
                        " It is shown only this once. Every post carries a "
                        <code>"Parley-Signature: t=…,v1=…"</code>
                        " header: the HMAC-SHA256 of \"{t}.{body}\" under this secret. Check it before trusting the body."
                    </p>
                    <code class="secret" data-testid="webhook-secret">{s}</code>
                    <button type="button" class="btn btn-ghost btn-small" data-testid="webhook-secret-dismiss"
                        on:click=move |_| secret.set(None)>"I have stored it"</button>
                </div>
            })}
            <form class="form lead-form" data-testid="webhook-form" on:submit=submit>
                <ErrorBanner errors=form.errors />
                <div class="form-row">
                    <Field label="URL" name="url" value=url errors=form.errors kind="url" testid="webhook-url-input"
                        placeholder="https://crm.example.com/parley" hint="https (http only to localhost). Setting it again makes a new secret." />
                </div>
                <div>
                    <Submit label="Save webhook" busy_label="Saving…" busy=form.busy testid="webhook-submit" />
                </div>
            </form>
        </section>
    }
}
