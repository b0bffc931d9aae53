//! `/app/contact-fields`: the custom fields this workspace keeps about its contacts.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::{Caller, Chunk, ErrorBanner, Field, Form, FormErrors, Paged, PagedTable, Submit, paged};
use crate::gql::call;
use crate::ops::contacts::{
    AttributeType, ContactFields, CreateContactField, DeleteContactField, FieldRow, contact_fields,
    create_contact_field, delete_contact_field,
};

/// The contact fields page.
#[component]
pub fn ContactFieldsPage() -> impl IntoView {
    let list = paged(
        |after| async move {
            call::<ContactFields>(contact_fields::Variables { after }).await.map(|d| Chunk::from(d.contact_fields))
        },
        |f: &FieldRow| f.id.clone(),
    );
    let errors = FormErrors::new();
    view! {
        <Title text="Contact fields · Parley" />
        <header class="page-head">
            <p class="muted"><A href="/app/contacts">"Contacts"</A>" /"</p>
            <h1 data-testid="page-title">"Contact fields"</h1>
            <p class="muted">"What you keep about each contact beyond name, email and phone: a loyalty tier, a birthday, lifetime spend."</p>
        </header>
        <NewFieldForm list=list />
        <section class="panel">
            <h2>"Fields"</h2>
            <ErrorBanner errors=errors />
            <PagedTable
                list=list
                head=&["Label", "Key", "Type", "Values", ""]
                row=move |f| field_row(f, list, errors)
                empty="No fields yet."
                testid="contact-fields"
            />
        </section>
    }
}

fn field_row(f: FieldRow, list: Paged<FieldRow>, errors: FormErrors) -> impl IntoView {
    let values = match f.kind {
        AttributeType::Enum => f.options.join(", "),
        AttributeType::Money => f.currency.clone().unwrap_or_default(),
        _ => String::new(),
    };
    let id = f.id.clone();
    view! {
        <tr data-testid="contact-field-row">
            <td>{f.label}</td>
            <td><code>{f.key}</code></td>
            <td>{f.kind.label()}</td>
            <td class="muted">{values}</td>
            <td class="actions">
                <button
                    type="button"
                    class="btn btn-ghost btn-small"
                    data-testid="contact-field-delete"
                    title="Removes the field and every contact's value for it"
                    on:click={move |_| list.act::<DeleteContactField>(delete_contact_field::Variables { id: id.clone() }, errors)}
                >
                    "Delete"
                </button>
            </td>
        </tr>
    }
}

/// Defines a field: key, label, type, and the options or currency its type needs.
#[component]
fn NewFieldForm(list: Paged<FieldRow>) -> impl IntoView {
    let (key, label) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let kind = RwSignal::new(AttributeType::String.as_str().to_owned());
    let (options, currency) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let form = Form::new();
    let is = move |k: AttributeType| kind.get() == k.as_str();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let kind = AttributeType::parse(&kind.get_untracked()).unwrap_or(AttributeType::Unknown);
        let chosen: Vec<String> = match kind {
            AttributeType::Enum => {
                options.get_untracked().split(',').map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect()
            }
            _ => Vec::new(),
        };
        let currency = (kind == AttributeType::Money).then(|| currency.get_untracked().trim().to_owned());
        let input = create_contact_field::CreateContactFieldInput {
            key: key.get_untracked().trim().to_owned(),
            label: label.get_untracked().trim().to_owned(),
            kind,
            options: chosen,
            currency,
        };
        form.send::<CreateContactField, _>(
            Caller::SignedIn,
            create_contact_field::Variables { input },
            &["key", "label", "kind", "options", "currency"],
            move |_| {
                key.set(String::new());
                label.set(String::new());
                options.set(String::new());
                list.reload();
            },
        );
    };
    view! {
        <section class="panel">
            <h2>"Add a field"</h2>
            <form class="form form-row" data-testid="contact-field-form" on:submit=on_submit>
                <ErrorBanner errors=form.errors />
                <Field label="Label" name="label" value=label errors=form.errors testid="contact-field-label" placeholder="Loyalty tier" />
                <Field label="Key" name="key" value=key errors=form.errors testid="contact-field-key" placeholder="loyalty_tier" />
                <label class="field">
                    <span class="field-label">"Type"</span>
                    <select data-testid="contact-field-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                        {AttributeType::ALL.iter().map(|k| view! { <option value=k.as_str() selected=move || is(*k)>{k.label()}</option> }).collect_view()}
                    </select>
                </label>
                <Show when=move || is(AttributeType::Enum)>
                    <Field label="Options" name="options" value=options errors=form.errors testid="contact-field-options" hint="Separated by commas" />
                </Show>
                <Show when=move || is(AttributeType::Money)>
                    <Field label="Currency" name="currency" value=currency errors=form.errors testid="contact-field-currency" placeholder="EUR" />
                </Show>
                <Submit label="Add field" busy_label="Adding…" busy=form.busy testid="contact-field-submit" />
            </form>
        </section>
    }
}
