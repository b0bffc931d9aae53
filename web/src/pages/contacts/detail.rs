//! `/app/contacts/:id`: one contact: who they are, their fields, consent per channel,
//! their history and journeys; merging a duplicate into them; erasing them on request.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use serde_json::{Map, Value};

use super::given;
use crate::components::{
    Caller, Chunk, ErrorBanner, Field, Form, FormErrors, LoadError, Loading, PagedTable, Submit, paged,
};
use crate::gql::call;
use crate::ops::contacts::{
    AttributeType, Channel, ConsentStatus, Contact, ContactByEmail, ContactDetail, ContactEvent, ContactEvents,
    EraseContact, ExportContact, FieldDef, MergeContacts, SetConsent, UpdateContact, UpdateContactFields, contact,
    contact_by_email, contact_events, erase_contact, export_contact, merge_contacts, set_consent, update_contact,
    update_contact_fields,
};
use crate::ops::short_time;
use crate::pages::journeys::contact::ContactJourneysPanel;
use crate::session::{Loaded, load};

/// The contact page.
#[component]
pub fn ContactPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let data = load(move || call::<Contact>(contact::Variables { id: id() }));
    view! {
        {move || match data.data.get() {
            None => view! { <Title text="Contact · Parley" /><Loading /> }.into_any(),
            Some(Err(e)) => {
                view! {
                    <Title text="Contact · Parley" />
                    <header class="page-head"><h1 data-testid="page-title">"Contact"</h1></header>
                    <LoadError errors=e />
                    <A href="/app/contacts">"Back to contacts"</A>
                }
                    .into_any()
            }
            Some(Ok(d)) => view! { <ContactView contact=d.contact fields=d.contact_fields.nodes data=data /> }.into_any(),
        }}
    }
}

#[component]
fn ContactView(contact: ContactDetail, fields: Vec<FieldDef>, data: Loaded<contact::ResponseData>) -> impl IntoView {
    let id = contact.id.clone();
    view! {
        <Title text=format!("{} · Contacts · Parley", contact.display_name) />
        <header class="page-head">
            <p class="muted"><A href="/app/contacts">"Contacts"</A>" /"</p>
            <h1 data-testid="page-title">{contact.display_name.clone()}</h1>
            <p class="muted">
                {format!("Added {} · last changed {}", short_time(&contact.created_at), short_time(&contact.updated_at))}
            </p>
        </header>
        <div class="columns">
            <div>
                <ProfileForm contact=contact.clone() data=data />
                <FieldsForm contact=contact.clone() fields=fields data=data />
            </div>
            <div>
                <ConsentPanel contact=contact.clone() data=data />
                <ContactJourneysPanel contact_id=id.clone() />
                <MergeForm id=id.clone() data=data />
                <EraseButton id=id.clone() />
            </div>
        </div>
        <Timeline id=id />
    }
}

/// Identities, names, time zone and tags.
#[component]
fn ProfileForm(contact: ContactDetail, data: Loaded<contact::ResponseData>) -> impl IntoView {
    let text = |v: &Option<String>| RwSignal::new(v.clone().unwrap_or_default());
    let (email, phone, external_id) = (text(&contact.email), text(&contact.phone), text(&contact.external_id));
    let (first, last, zone) = (text(&contact.first_name), text(&contact.last_name), text(&contact.time_zone));
    let tags = RwSignal::new(contact.tags.join(", "));
    let form = Form::new();
    let saved = RwSignal::new(false);
    let id = contact.id.clone();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        saved.set(false);
        let tag_list: Vec<String> =
            tags.get_untracked().split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
        let input = update_contact::ContactInput {
            email: given(&email),
            phone: given(&phone),
            external_id: given(&external_id),
            first_name: given(&first),
            last_name: given(&last),
            time_zone: given(&zone),
            attributes: None,
            tags: Some(tag_list),
            consents: None,
        };
        let fields = &["email", "phone", "externalId", "firstName", "lastName", "timeZone", "tags"];
        form.send::<UpdateContact, _>(
            Caller::SignedIn,
            update_contact::Variables { id: id.clone(), input },
            fields,
            move |_| {
                saved.set(true);
                data.reload();
            },
        );
    };
    let errors = form.errors;
    view! {
        <section class="panel">
            <h2>"Profile"</h2>
            <form class="form" data-testid="profile-form" on:submit=on_submit>
                <ErrorBanner errors=errors />
                <Field label="Email" name="email" value=email errors=errors testid="profile-email" optional=true />
                <Field label="Phone" name="phone" value=phone errors=errors testid="profile-phone" optional=true hint="With the country code: +44 20 7946 0000" />
                <Field label="External ID" name="externalId" value=external_id errors=errors testid="profile-external-id" optional=true hint="The contact's ID in your CRM or shop" />
                <Field label="First name" name="firstName" value=first errors=errors testid="profile-first-name" optional=true />
                <Field label="Last name" name="lastName" value=last errors=errors testid="profile-last-name" optional=true />
                <Field label="Time zone" name="timeZone" value=zone errors=errors testid="profile-time-zone" optional=true placeholder="Europe/London" />
                <Field label="Tags" name="tags" value=tags errors=errors testid="profile-tags" optional=true hint="Separated by commas" />
                <Submit label="Save profile" busy_label="Saving…" busy=form.busy testid="profile-submit" />
                {move || saved.get().then(|| view! { <span class="saved" data-testid="profile-saved">"Saved."</span> })}
            </form>
        </section>
    }
}

/// The text a field's input shows for a stored value.
fn shown(f: &FieldDef, v: Option<&Value>) -> String {
    let Some(v) = v else { return String::new() };
    match (f.kind, v) {
        (AttributeType::Money, Value::Object(m)) => {
            let amount = m.get("amount").and_then(Value::as_i64).unwrap_or(0);
            let places = u32::try_from(f.currency_decimals.unwrap_or(2)).unwrap_or(2);
            let scale = 10i64.pow(places);
            let sign = if amount < 0 { "-" } else { "" };
            match places {
                0 => format!("{amount}"),
                p => format!("{sign}{}.{:0width$}", amount.abs() / scale, amount.abs() % scale, width = p as usize),
            }
        }
        (_, Value::Array(items)) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// The workspace's contact fields, each with an input for its type. Only fields whose
/// text changed are sent; an emptied one is removed.
#[component]
fn FieldsForm(contact: ContactDetail, fields: Vec<FieldDef>, data: Loaded<contact::ResponseData>) -> impl IntoView {
    let stored: Map<String, Value> = contact.attributes.as_object().cloned().unwrap_or_default();
    let inputs: Vec<(FieldDef, String, RwSignal<String>)> = fields
        .into_iter()
        .map(|f| {
            let text = shown(&f, stored.get(&f.key));
            let value = RwSignal::new(text.clone());
            (f, text, value)
        })
        .collect();
    let sent = StoredValue::new(inputs.iter().map(|(f, t, v)| (f.key.clone(), t.clone(), *v)).collect::<Vec<_>>());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let id = contact.id.clone();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        saved.set(false);
        let mut changes = Map::new();
        let mut names = Vec::new();
        sent.with_value(|s| {
            for (key, before, value) in s {
                names.push(format!("attributes.{key}"));
                let now = value.get_untracked().trim().to_owned();
                if &now != before {
                    changes.insert(key.clone(), if now.is_empty() { Value::Null } else { Value::String(now) });
                }
            }
        });
        if changes.is_empty() {
            saved.set(true);
            return;
        }
        busy.set(true);
        let variables = update_contact_fields::Variables { id: id.clone(), attributes: Value::Object(changes) };
        spawn_local(async move {
            let answer = call::<UpdateContactFields>(variables).await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    saved.set(true);
                    data.reload();
                }
                Err(e) => {
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    errors.show(&e, &names);
                }
            }
        });
    };
    let empty = inputs.is_empty();
    view! {
        <section class="panel">
            <h2>"Fields"</h2>
            {empty.then(|| view! {
                <p class="muted" data-testid="fields-empty">
                    "This workspace has no contact fields yet. "
                    <A href="/app/contact-fields">"Define some"</A>
                </p>
            })}
            <form class="form" data-testid="fields-form" on:submit=on_submit class:hidden=empty>
                <ErrorBanner errors=errors />
                {inputs.into_iter().map(|(f, _, value)| view! { <AttributeInput field=f value=value errors=errors /> }).collect_view()}
                <Submit label="Save fields" busy_label="Saving…" busy=busy testid="fields-submit" />
                {move || saved.get().then(|| view! { <span class="saved" data-testid="fields-saved">"Saved."</span> })}
            </form>
        </section>
    }
}

/// One contact field's input: a choice for yes/no and option fields, text otherwise.
#[component]
fn AttributeInput(field: FieldDef, value: RwSignal<String>, errors: FormErrors) -> impl IntoView {
    let name = format!("attributes.{}", field.key);
    let testid = format!("attr-{}", field.key);
    let message = Signal::derive({
        let name = name.clone();
        move || errors.field(&name)
    });
    let hint = match field.kind {
        AttributeType::Date => "YYYY-MM-DD".to_owned(),
        AttributeType::Money => format!("Amount in {}", field.currency.clone().unwrap_or_default()),
        AttributeType::List => "Separated by commas".to_owned(),
        _ => String::new(),
    };
    let choices: Option<Vec<(String, String)>> = match field.kind {
        AttributeType::Boolean => Some(vec![("true".into(), "Yes".into()), ("false".into(), "No".into())]),
        AttributeType::Enum => Some(field.options.iter().map(|o| (o.clone(), o.clone())).collect()),
        _ => None,
    };
    let control = match choices {
        Some(choices) => view! {
            <select name=name.clone() data-testid=testid prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="">"—"</option>
                {choices.into_iter().map(|(v, label)| {
                    let selected = v.clone();
                    view! { <option value=v selected=move || value.get() == selected>{label}</option> }
                }).collect_view()}
            </select>
        }.into_any(),
        None => view! {
            <input
                type=if field.kind == AttributeType::Number { "number" } else { "text" }
                step="any"
                name=name.clone()
                data-testid=testid
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        }.into_any(),
    };
    view! {
        <label class="field" class:invalid=move || message.with(Option::is_some)>
            <span class="field-label">{field.label.clone()}" "<span class="muted">{format!("({})", field.kind.label())}</span></span>
            {control}
            {(!hint.is_empty()).then(|| view! { <span class="field-hint">{hint}</span> })}
            {move || message.get().map(|m| view! { <span class="field-error" data-testid=format!("error-attr-{}", field.key)>{m}</span> })}
        </label>
    }
}

/// Consent per channel, and a form to record a change.
#[component]
fn ConsentPanel(contact: ContactDetail, data: Loaded<contact::ResponseData>) -> impl IntoView {
    let channel = RwSignal::new(Channel::Email.as_str().to_owned());
    let status = RwSignal::new(ConsentStatus::Granted.as_str().to_owned());
    let source = RwSignal::new("web app".to_owned());
    let form = Form::new();
    let id = contact.id.clone();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let input = set_consent::SetConsentInput {
            contact_id: id.clone(),
            channel: Channel::parse(&channel.get_untracked()).unwrap_or(Channel::Unknown),
            status: ConsentStatus::parse(&status.get_untracked()).unwrap_or(ConsentStatus::Unknown),
            source: source.get_untracked().trim().to_owned(),
        };
        form.send::<SetConsent, _>(Caller::SignedIn, set_consent::Variables { input }, &["source"], move |_| {
            data.reload()
        });
    };
    let rows = Channel::CONSENTED
        .iter()
        .map(|ch| {
            let c = contact.consents.iter().find(|c| c.channel == *ch);
            let (label, detail) = match c {
                Some(c) => (c.status.label(), format!("{} · {}", c.source, short_time(&c.recorded_at))),
                None => ("Not recorded", String::new()),
            };
            view! {
                <tr data-testid="consent-row" data-channel=ch.as_str()>
                    <td>{ch.label()}</td>
                    <td class="nowrap" data-testid="consent-status">{label}</td>
                    <td class="muted">{detail}</td>
                </tr>
            }
        })
        .collect_view();
    let select = |value: RwSignal<String>, options: Vec<(&'static str, &'static str)>, testid: &'static str| {
        view! {
            <select data-testid=testid prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                {options.into_iter().map(|(v, l)| view! { <option value=v selected=move || value.get() == v>{l}</option> }).collect_view()}
            </select>
        }
    };
    view! {
        <section class="panel">
            <h2>"Consent"</h2>
            <table class="table" data-testid="consent-table"><tbody>{rows}</tbody></table>
            <form class="form form-row" data-testid="consent-form" on:submit=on_submit>
                <ErrorBanner errors=form.errors />
                {select(channel, Channel::CONSENTED.iter().map(|c| (c.as_str(), c.label())).collect(), "consent-channel")}
                {select(status, ConsentStatus::ALL.iter().map(|c| (c.as_str(), c.label())).collect(), "consent-choice")}
                <Field label="Source" name="source" value=source errors=form.errors testid="consent-source" />
                <Submit label="Record" busy_label="Recording…" busy=form.busy testid="consent-submit" />
            </form>
        </section>
    }
}

/// Finds a duplicate by email and merges it into this contact.
#[component]
fn MergeForm(id: String, data: Loaded<contact::ResponseData>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let form = Form::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let (errors, busy, target) = (form.errors, form.busy, id.clone());
        let address = email.get_untracked().trim().to_owned();
        busy.set(true);
        spawn_local(async move {
            let found = call::<ContactByEmail>(contact_by_email::Variables { email: address }).await;
            let answer = match found {
                Ok(d) if d.contact_by_identity.id == target => {
                    busy.set(false);
                    errors.set_field("email", "is this contact's own email");
                    return;
                }
                Ok(d) => {
                    let vars = merge_contacts::Variables { target_id: target, source_id: d.contact_by_identity.id };
                    call::<MergeContacts>(vars).await.map(|_| ())
                }
                Err(e) if e.has_code("NOT_FOUND") => {
                    busy.set(false);
                    errors.set_field("email", "no other contact has this email");
                    return;
                }
                Err(e) => Err(e),
            };
            busy.set(false);
            match answer {
                Ok(()) => {
                    email.set(String::new());
                    data.reload();
                }
                Err(e) => errors.show(&e, &["email"]),
            }
        });
    };
    view! {
        <section class="panel">
            <h2>"Merge a duplicate"</h2>
            <p class="muted">"The other contact's history, consent and fields join this one; this contact's values win."</p>
            <form class="form form-row" data-testid="merge-form" on:submit=on_submit>
                <ErrorBanner errors=form.errors />
                <Field label="Duplicate's email" name="email" value=email errors=form.errors testid="merge-email" />
                <Submit label="Merge into this contact" busy_label="Merging…" busy=form.busy testid="merge-submit" />
            </form>
        </section>
    }
}

/// Exports everything held about the contact, or erases them after a second click.
#[component]
fn EraseButton(id: String) -> impl IntoView {
    let asked = RwSignal::new(false);
    let errors = FormErrors::new();
    let exported = RwSignal::new(None::<String>);
    let export_id = id.clone();
    let export = move |_| {
        let id = export_id.clone();
        spawn_local(async move {
            match call::<ExportContact>(export_contact::Variables { id }).await {
                Ok(d) => exported.set(Some(serde_json::to_string_pretty(&d.export_contact).unwrap_or_default())),
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    let navigate = use_navigate();
    let erase = move |_| {
        let (id, navigate) = (id.clone(), navigate.clone());
        spawn_local(async move {
            match call::<EraseContact>(erase_contact::Variables { id }).await {
                Ok(_) => navigate("/app/contacts", Default::default()),
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    view! {
        <section class="panel panel-danger">
            <h2>"Privacy"</h2>
            <p class="muted">"For a privacy request: export everything held about this contact, or erase them and their whole history (this cannot be undone)."</p>
            <ErrorBanner errors=errors />
            <button type="button" class="btn btn-ghost" data-testid="export-contact" on:click=export>"Export data"</button>
            {move || exported.get().map(|json| view! { <pre class="snippet" data-testid="export-json">{json}</pre> })}
            {move || if asked.get() {
                let erase = erase.clone();
                view! {
                    <button type="button" class="btn btn-danger" data-testid="erase-confirm" on:click=erase>"Erase for good"</button>
                    <button type="button" class="btn btn-ghost" on:click=move |_| asked.set(false)>"Keep"</button>
                }.into_any()
            } else {
                view! { <button type="button" class="btn btn-ghost" data-testid="erase-contact" on:click=move |_| asked.set(true)>"Erase contact…"</button> }.into_any()
            }}
        </section>
    }
}

/// What happened, in words.
pub(crate) fn event_label(kind: &str) -> String {
    match kind {
        "consent_changed" => "Consent changed".into(),
        "contact_merged" => "Merged with a duplicate".into(),
        "offer_presented" => "Offer shown".into(),
        "offer_responded" => "Responded to an offer".into(),
        other => other.replace('_', " "),
    }
}

/// The contact's history, newest first.
#[component]
fn Timeline(id: String) -> impl IntoView {
    let list = paged(
        move |after| {
            let id = id.clone();
            async move {
                let d = call::<ContactEvents>(contact_events::Variables { id, after }).await?;
                Ok(Chunk::from(d.contact.events))
            }
        },
        |e: &ContactEvent| e.id.clone(),
    );
    view! {
        <section class="panel">
            <h2>"History"</h2>
            <PagedTable
                list=list
                head=&["When", "What", "Details"]
                row=|e: ContactEvent| view! {
                    <tr data-testid="event-row">
                        <td class="muted nowrap">{short_time(&e.occurred_at)}</td>
                        <td data-testid="event-kind">{event_label(&e.kind)}</td>
                        <td class="muted"><code>{e.properties.to_string()}</code></td>
                    </tr>
                }
                empty="Nothing has happened with this contact yet."
                testid="events"
            />
        </section>
    }
}
