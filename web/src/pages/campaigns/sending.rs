//! `/app/sending`: the domains campaigns are sent from, each with the DKIM record to
//! publish in its DNS; the workspace's inbound address for bounces and complaints; and
//! the suppression list, kept by the bounces and complaints read there or by hand; and
//! the contact policy (in [`super::policy`]).

use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;

use super::detail::reason_label;
use super::policy::ContactPolicyPanel;
use crate::components::{
    Caller, Chunk, ErrorBanner, Field, Form, FormErrors, LoadError, Loading, Paged, PagedTable, Submit, paged,
};
use crate::gql::{call, copy_text};
use crate::ops::campaigns::{
    AddSendingDomain, DomainRow, EmailSuppressions, RemoveSendingDomain, SendingDomains, SuppressEmail, SuppressionRow,
    UnsuppressEmail, add_sending_domain, email_suppressions, remove_sending_domain, sending_domains, suppress_email,
    unsuppress_email,
};
use crate::ops::short_time;
use crate::pages::assets::enum_name;
use crate::session::{Loaded, load};

type Data = sending_domains::ResponseData;

/// The sending page.
#[component]
pub fn SendingPage() -> impl IntoView {
    let data = load(|| call::<SendingDomains>(sending_domains::Variables));
    view! {
        <Title text="Sending · Parley" />
        <header class="page-head">
            <p class="muted"><A href="/app/campaigns">"Campaigns"</A>" /"</p>
            <h1 data-testid="page-title">"Sending domains and suppressions"</h1>
            <p class="muted">"Where campaigns are sent from, the addresses they are never sent to, and how often one contact may be reached."</p>
        </header>
        {move || match data.data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
            Some(Ok(d)) => view! { <Domains data=d loaded=data /> }.into_any(),
        }}
        <Suppressions />
        <ContactPolicyPanel />
    }
}

#[component]
fn Domains(data: Data, loaded: Loaded<Data>) -> impl IntoView {
    let errors = FormErrors::new();
    let domains = data.sending_domains.nodes;
    let inbound = data.workspace.inbound_email_url;
    view! {
        <section class="panel" data-testid="sending-domains">
            <h2>"Sending domains"</h2>
            <p class="muted">
                "Campaigns are signed with DKIM for the domain they are sent from. Publish each domain's record in its DNS as a TXT record, so mail providers can check the signature."
            </p>
            <ErrorBanner errors=errors />
            {if domains.is_empty() {
                view! { <p class="muted empty" data-testid="domains-empty">"No sending domains yet: add the first one below."</p> }.into_any()
            } else {
                domains.into_iter().map(|d| domain_card(d, loaded, errors)).collect_view().into_any()
            }}
            <AddDomain loaded=loaded />
        </section>
        {inbound.map(|url| view! {
            <section class="panel" data-testid="inbound">
                <h2>"Bounces and complaints"</h2>
                <p class="muted">
                    "Bounce messages, delivery reports and spam complaints posted to this address (as raw messages) keep the suppression list below up to date. Point the return-path mailbox of your sending domains at it. Keep it secret."
                </p>
                <div class="copy-line">
                    <code class="secret" data-testid="inbound-url">{url.clone()}</code>
                    <CopyButton text=url testid="inbound-copy" />
                </div>
            </section>
        })}
    }
}

fn domain_card(d: DomainRow, loaded: Loaded<Data>, errors: FormErrors) -> impl IntoView {
    let id = d.id.clone();
    let remove = move |_| {
        errors.clear();
        let id = id.clone();
        spawn_local(async move {
            match call::<RemoveSendingDomain>(remove_sending_domain::Variables { id }).await {
                Ok(_) => loaded.reload(),
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    view! {
        <article class="domain-card" data-testid="domain-row" data-domain=d.domain.clone()>
            <header class="pane-head">
                <h3 data-testid="domain-name">{d.domain.clone()}</h3>
                <span class="muted">{format!("Selector {} · added {}", d.dkim_selector, short_time(&d.created_at))}</span>
                <button type="button" class="btn btn-ghost btn-small" data-testid="domain-remove" on:click=remove>"Remove"</button>
            </header>
            <dl class="dns-record">
                <dt>"Type"</dt>
                <dd><code>"TXT"</code></dd>
                <dt>"Name"</dt>
                <dd class="copy-line">
                    <code class="secret" data-testid="dkim-name">{d.dkim_record_name.clone()}</code>
                    <CopyButton text=d.dkim_record_name testid="dkim-name-copy" />
                </dd>
                <dt>"Value"</dt>
                <dd class="copy-line">
                    <code class="secret" data-testid="dkim-value">{d.dkim_record_value.clone()}</code>
                    <CopyButton text=d.dkim_record_value testid="dkim-value-copy" />
                </dd>
            </dl>
        </article>
    }
}

#[component]
fn AddDomain(loaded: Loaded<Data>) -> impl IntoView {
    let form = Form::new();
    let domain = RwSignal::new(String::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        form.send::<AddSendingDomain, _>(
            Caller::SignedIn,
            add_sending_domain::Variables { domain: domain.get_untracked() },
            &["domain"],
            move |_| {
                domain.set(String::new());
                loaded.reload();
            },
        );
    };
    view! {
        <form class="form form-row" data-testid="domain-form" on:submit=submit>
            <ErrorBanner errors=form.errors />
            <Field label="Add a domain" name="domain" value=domain errors=form.errors testid="domain-input"
                placeholder="news.example.com" hint="A domain you control; a subdomain keeps campaign mail apart from your own." />
            <Submit label="Add domain" busy_label="Adding…" busy=form.busy testid="domain-submit" />
        </form>
    }
}

/// Copies `text` to the clipboard, saying whether it worked.
#[component]
fn CopyButton(text: String, testid: &'static str) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let text = StoredValue::new(text);
    let copy = move |_| {
        let text = text.get_value();
        spawn_local(async move {
            let done = copy_text(&text).await;
            if copied.try_set(Some(done)).is_none() {
                set_timeout(
                    move || {
                        let _ = copied.try_set(None);
                    },
                    Duration::from_secs(2),
                );
            }
        });
    };
    view! {
        <button type="button" class="btn btn-ghost btn-small" data-testid=testid on:click=copy>
            {move || match copied.get() {
                Some(true) => "Copied",
                Some(false) => "Select it to copy",
                None => "Copy",
            }}
        </button>
    }
}

/// The suppression list, with an address added or taken off by hand.
#[component]
fn Suppressions() -> impl IntoView {
    let list = paged(
        |after| async move {
            call::<EmailSuppressions>(email_suppressions::Variables { after })
                .await
                .map(|d| Chunk::from(d.email_suppressions))
        },
        |s: &SuppressionRow| s.id.clone(),
    );
    let errors = FormErrors::new();
    view! {
        <section class="panel" data-testid="suppressions">
            <h2>"Suppression list"</h2>
            <p class="muted">"Campaigns skip these addresses: they bounced, complained, unsubscribed or were added by hand."</p>
            <SuppressForm list=list />
            <ErrorBanner errors=errors />
            <PagedTable
                list=list
                head=&["Email", "Why", "Note", "Soft bounces", "Since", ""]
                row=move |s| suppression_row(s, list, errors)
                empty="Nobody is suppressed."
                testid="suppressions"
            />
        </section>
    }
}

fn suppression_row(s: SuppressionRow, list: Paged<SuppressionRow>, errors: FormErrors) -> impl IntoView {
    let email = s.email.clone();
    let remove = move |_| list.act::<UnsuppressEmail>(unsuppress_email::Variables { email: email.clone() }, errors);
    let why = s.reason.as_ref().map_or_else(|| "Not suppressed yet".to_owned(), |r| reason_label(&enum_name(r)));
    view! {
        <tr data-testid="suppression-row">
            <td data-testid="suppression-email">{s.email}</td>
            <td><span class="chip">{why}</span></td>
            <td class="muted">{s.detail}</td>
            <td class="num">{s.soft_bounces}</td>
            <td class="muted nowrap">{short_time(s.suppressed_at.as_deref().unwrap_or(&s.updated_at))}</td>
            <td class="actions">
                <button type="button" class="btn btn-ghost btn-small" data-testid="suppression-remove"
                    on:click=remove>
                    "Take off the list"
                </button>
            </td>
        </tr>
    }
}

#[component]
fn SuppressForm(list: Paged<SuppressionRow>) -> impl IntoView {
    let form = Form::new();
    let email = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let input = suppress_email::SuppressEmailInput { email: email.get_untracked(), note: note.get_untracked() };
        form.send::<SuppressEmail, _>(
            Caller::SignedIn,
            suppress_email::Variables { input },
            &["email", "note"],
            move |_| {
                email.set(String::new());
                note.set(String::new());
                list.reload();
            },
        );
    };
    view! {
        <form class="form form-row" data-testid="suppress-form" on:submit=submit>
            <ErrorBanner errors=form.errors />
            <Field label="Email" name="email" kind="email" value=email errors=form.errors testid="suppress-email" placeholder="someone@example.com" />
            <Field label="Note" name="note" value=note errors=form.errors testid="suppress-note" optional=true placeholder="Asked by phone" />
            <Submit label="Suppress" busy_label="Adding…" busy=form.busy testid="suppress-submit" />
        </form>
    }
}
