//! `/app/contacts`: the workspace's customers and prospects, searched and added here;
//! each opens on its own page (`detail`); `fields` defines their custom fields.

pub mod detail;
pub mod fields;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::{Caller, Chunk, ErrorBanner, Field, Form, PagedTable, Submit, paged};
use crate::gql::call;
use crate::ops::contacts::{ContactList, ContactRow, CreateContact, contact_list, create_contact};
use crate::ops::short_time;

/// Text of an optional input: `None` when blank.
pub(crate) fn given(s: &RwSignal<String>) -> Option<String> {
    let v = s.get_untracked().trim().to_owned();
    (!v.is_empty()).then_some(v)
}

/// The contacts page.
#[component]
pub fn ContactsPage() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let list = paged(
        move |after| {
            let search = given(&search);
            async move {
                call::<ContactList>(contact_list::Variables { after, search }).await.map(|d| Chunk::from(d.contacts))
            }
        },
        |c: &ContactRow| c.id.clone(),
    );
    let empty = Signal::derive(move || {
        if search.with(|s| s.trim().is_empty()) {
            "No contacts yet. Add the first one above.".to_owned()
        } else {
            "No contact matches this search.".to_owned()
        }
    });
    view! {
        <Title text="Contacts · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Contacts"</h1>
            <p class="muted">
                "Everyone your workspace talks to, with their consent and history."
                {move || list.total.get().map(|t| format!(" {t} in all."))}
                " "
                <A href="/app/contact-fields" attr:data-testid="contact-fields-link">"Contact fields"</A>
                " · "
                <A href="/app/imports" attr:data-testid="imports-link">"Import and export"</A>
            </p>
        </header>
        <AddContactForm />
        <section class="panel">
            <div class="panel-head">
                <h2>"All contacts"</h2>
                <input
                    type="search"
                    class="search"
                    placeholder="Search by name, email, phone or ID"
                    data-testid="contact-search"
                    prop:value=move || search.get()
                    on:input=move |ev| {
                        search.set(event_target_value(&ev));
                        list.restart();
                    }
                />
            </div>
            <PagedTable
                list=list
                head=&["Name", "Email", "Phone", "Tags", "Added"]
                row=contact_row
                empty=empty
                testid="contacts"
            />
        </section>
    }
}

fn contact_row(c: ContactRow) -> impl IntoView {
    view! {
        <tr data-testid="contact-row">
            <td>
                <A href=format!("/app/contacts/{}", c.id) attr:data-testid="contact-link">{c.display_name}</A>
            </td>
            <td>{c.email.unwrap_or_default()}</td>
            <td class="nowrap">{c.phone.unwrap_or_default()}</td>
            <td>{c.tags.into_iter().map(|t| view! { <span class="chip">{t}</span> }).collect_view()}</td>
            <td class="muted nowrap">{short_time(&c.created_at)}</td>
        </tr>
    }
}

/// Adds a contact by email or phone, then opens it.
#[component]
fn AddContactForm() -> impl IntoView {
    let (email, phone, first, last) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let form = Form::new();
    let navigate = use_navigate();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let input = create_contact::ContactInput {
            email: given(&email),
            phone: given(&phone),
            external_id: None,
            first_name: given(&first),
            last_name: given(&last),
            time_zone: None,
            attributes: None,
            tags: None,
            consents: None,
        };
        let navigate = navigate.clone();
        form.send::<CreateContact, _>(
            Caller::SignedIn,
            create_contact::Variables { input },
            &["email", "phone", "firstName", "lastName"],
            move |d| navigate(&format!("/app/contacts/{}", d.create_contact.id), Default::default()),
        );
    };
    view! {
        <section class="panel">
            <h2>"Add a contact"</h2>
            <form class="form form-row" data-testid="contact-form" on:submit=on_submit>
                <ErrorBanner errors=form.errors />
                <Field label="Email" name="email" value=email errors=form.errors testid="contact-email" optional=true placeholder="ann@example.com" />
                <Field label="Phone" name="phone" value=phone errors=form.errors testid="contact-phone" optional=true placeholder="+44 20 7946 0000" />
                <Field label="First name" name="firstName" value=first errors=form.errors testid="contact-first-name" optional=true />
                <Field label="Last name" name="lastName" value=last errors=form.errors testid="contact-last-name" optional=true />
                <Submit label="Add contact" busy_label="Adding…" busy=form.busy testid="contact-submit" />
            </form>
        </section>
    }
}
