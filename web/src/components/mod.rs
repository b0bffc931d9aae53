//! Small building blocks shared by the pages: form fields with inline errors, banners,
//! and (in `loading`) what a page shows while its data loads, fails or pages on.

mod loading;
mod paged;

pub use loading::{LoadError, LoadMore, Loading};
pub use paged::{Chunk, Paged, PagedTable, paged};

use graphql_client::GraphQLQuery;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::gql::{ApiErrors, call, call_public};
use crate::ops::Role;
use crate::session::use_session;

/// The errors a form shows: one message per field, anything else in a banner.
#[derive(Clone, Copy)]
pub struct FormErrors {
    banner: RwSignal<Option<String>>,
    fields: RwSignal<Vec<(String, String)>>,
}

impl FormErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self { banner: RwSignal::new(None), fields: RwSignal::new(Vec::new()) }
    }

    /// Clears every message (before submitting again).
    pub fn clear(&self) {
        self.banner.set(None);
        self.fields.set(Vec::new());
    }

    /// Puts each `BAD_USER_INPUT` error next to its field when the form shows that
    /// field (`fields`), and everything else in the banner.
    pub fn show(&self, errors: &ApiErrors, fields: &[&str]) {
        let mut by_field = Vec::new();
        let mut other = Vec::new();
        for error in &errors.0 {
            match error.field.as_deref() {
                Some(field) if error.code.as_deref() == Some("BAD_USER_INPUT") && fields.contains(&field) => {
                    by_field.push((field.to_owned(), error.message.clone()));
                }
                _ => other.push(error.message.clone()),
            }
        }
        self.fields.set(by_field);
        self.banner.set((!other.is_empty()).then(|| other.join("; ")));
    }

    /// Shows a message that belongs to one field (checks made in the browser).
    pub fn set_field(&self, field: &str, message: &str) {
        self.fields.update(|f| f.push((field.to_owned(), message.to_owned())));
    }

    /// The message for `field`, if any (reactive).
    pub fn field(&self, field: &str) -> Option<String> {
        self.fields.with(|f| f.iter().find(|(name, _)| name == field).map(|(_, message)| message.clone()))
    }

    /// The banner message, if any (reactive).
    pub fn banner(&self) -> Option<String> {
        self.banner.get()
    }
}

impl Default for FormErrors {
    fn default() -> Self {
        Self::new()
    }
}

/// Whom an operation is sent as.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// The signed-in user (an expired session is refreshed, else the browser logs in again).
    SignedIn,
    /// A signed-out visitor (sign-up, log-in, emailed links).
    Visitor,
}

/// One form's submission: busy while its operation runs (a second submit is ignored),
/// errors placed next to their fields or in the banner.
#[derive(Clone, Copy)]
pub struct Form {
    /// What the form shows.
    pub errors: FormErrors,
    /// True while the operation runs.
    pub busy: RwSignal<bool>,
}

impl Form {
    /// An idle form without errors.
    pub fn new() -> Self {
        Self { errors: FormErrors::new(), busy: RwSignal::new(false) }
    }

    /// Starts a submission: false while one is still running; else the old errors go.
    pub fn start(&self) -> bool {
        if self.busy.get_untracked() {
            return false;
        }
        self.errors.clear();
        true
    }

    /// Sends operation `Q` as `caller`; the answer goes to `done`, errors to the fields
    /// named in `fields` (the rest to the banner).
    pub fn send<Q, F>(&self, caller: Caller, variables: Q::Variables, fields: &'static [&'static str], done: F)
    where
        Q: GraphQLQuery + 'static,
        Q::Variables: 'static,
        F: FnOnce(Q::ResponseData) + 'static,
    {
        let Form { errors, busy } = *self;
        busy.set(true);
        spawn_local(async move {
            let answer = match caller {
                Caller::SignedIn => call::<Q>(variables).await,
                Caller::Visitor => call_public::<Q>(variables).await,
            };
            busy.set(false);
            match answer {
                Ok(data) => done(data),
                Err(e) => errors.show(&e, fields),
            }
        });
    }
}

impl Default for Form {
    fn default() -> Self {
        Self::new()
    }
}

/// A labelled input bound to `value`, with its error shown beneath it.
#[component]
pub fn Field(
    /// What the user reads above the box.
    label: &'static str,
    /// The GraphQL input field this box fills (camelCase), used to place errors.
    name: &'static str,
    /// The text typed so far.
    value: RwSignal<String>,
    /// The form's errors.
    errors: FormErrors,
    /// `type` of the input.
    #[prop(default = "text")]
    kind: &'static str,
    /// `autocomplete` hint for browsers and password managers.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// `data-testid`, defaulting to `field-<name>`.
    #[prop(optional)]
    testid: Option<&'static str>,
    /// A short help line under the box.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// Placeholder text.
    #[prop(optional)]
    placeholder: Option<&'static str>,
    /// May be left empty.
    #[prop(optional)]
    optional: bool,
) -> impl IntoView {
    let message = move || errors.field(name);
    let testid = testid.map(str::to_owned).unwrap_or_else(|| format!("field-{name}"));
    let error_testid = format!("error-{name}");
    view! {
        <label class="field" class:invalid=move || message().is_some()>
            <span class="field-label">{label}</span>
            <input
                type=kind
                name=name
                autocomplete=autocomplete
                placeholder=placeholder
                required=!optional
                data-testid=testid
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {hint.map(|h| view! { <span class="field-hint">{h}</span> })}
            {move || {
                message()
                    .map(|m| {
                        view! {
                            <span class="field-error" data-testid=error_testid.clone()>
                                {m}
                            </span>
                        }
                    })
            }}
        </label>
    }
}

/// A role picker bound to `value`.
#[component]
pub fn RoleSelect(
    /// The chosen role (UPPER_CASE).
    value: RwSignal<String>,
    /// The form's errors (field `role`).
    errors: FormErrors,
    /// `data-testid`.
    testid: &'static str,
    /// Label text.
    #[prop(default = "Role")]
    label: &'static str,
    /// Leave OWNER out (API keys and invitations rarely need it).
    #[prop(optional)]
    without_owner: bool,
) -> impl IntoView {
    let message = move || errors.field("role");
    view! {
        <label class="field" class:invalid=move || message().is_some()>
            <span class="field-label">{label}</span>
            <select
                name="role"
                data-testid=testid
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {Role::ALL
                    .into_iter()
                    .filter(|r| !(without_owner && *r == Role::Owner))
                    .map(|r| {
                        view! {
                            <option value=r.as_str() selected=move || value.get() == r.as_str()>
                                {r.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            {move || message().map(|m| view! { <span class="field-error">{m}</span> })}
        </label>
    }
}

/// The banner for errors that belong to no field.
#[component]
pub fn ErrorBanner(errors: FormErrors) -> impl IntoView {
    move || {
        errors.banner().map(|m| {
            view! {
                <div class="banner banner-error" role="alert" data-testid="form-error">
                    {m}
                </div>
            }
        })
    }
}

/// A submit button that stays disabled until the page has hydrated and while busy.
#[component]
pub fn Submit(
    /// Button text.
    label: &'static str,
    /// Text while the request runs.
    busy_label: &'static str,
    /// True while the request runs.
    busy: RwSignal<bool>,
    /// `data-testid`.
    testid: &'static str,
) -> impl IntoView {
    let session = use_session();
    view! {
        <button
            type="submit"
            class="btn btn-primary"
            data-testid=testid
            disabled=move || busy.get() || !session.hydrated.get()
        >
            {move || if busy.get() { busy_label } else { label }}
        </button>
    }
}

/// The question asked before a deletion, with "Delete" (disabled while `busy`) and
/// "Cancel". Test IDs: `{prefix}-delete-confirmation`, `{prefix}-delete-confirm` and
/// `{prefix}-delete-cancel`.
#[component]
pub fn ConfirmDelete(
    /// What is deleted, as a question.
    question: &'static str,
    /// Prefix of the test IDs (`trigger`).
    prefix: &'static str,
    /// True while the deletion runs.
    busy: RwSignal<bool>,
    /// Deletes.
    confirm: Callback<()>,
    /// Set to false on "Cancel".
    confirming: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <span class="confirm" data-testid=format!("{prefix}-delete-confirmation")>
            {question}
            " "
            <button type="button" class="btn btn-danger btn-small" data-testid=format!("{prefix}-delete-confirm")
                disabled=move || busy.get() on:click=move |_| confirm.run(())>
                {move || if busy.get() { "Deleting…" } else { "Delete" }}
            </button>
            <button type="button" class="btn btn-ghost btn-small" data-testid=format!("{prefix}-delete-cancel")
                on:click=move |_| confirming.set(false)>"Cancel"</button>
        </span>
    }
}
