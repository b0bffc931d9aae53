//! `/app/api-keys`: keys for developers, the secret shown once.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{
    Caller, Chunk, ErrorBanner, Field, Form, FormErrors, Paged, PagedTable, RoleSelect, Submit, paged,
};
use crate::gql::call;
use crate::ops::api_keys::{ApiKey, ApiKeys, CreateApiKey, RevokeApiKey, api_keys, create_api_key, revoke_api_key};
use crate::ops::{Role, short_time};

/// The API keys page.
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let keys = paged(
        |after| async move { call::<ApiKeys>(api_keys::Variables { after }).await.map(|d| Chunk::from(d.api_keys)) },
        |k: &ApiKey| k.id.clone(),
    );
    let revoke_errors = FormErrors::new();
    view! {
        <Title text="API keys · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"API keys"</h1>
            <p class="muted">
                "Keys let your website, CRM or scripts use Parley's GraphQL API as this workspace."
            </p>
        </header>
        <CreateKeyForm keys=keys />
        <section class="panel">
            <h2>"Keys"</h2>
            <ErrorBanner errors=revoke_errors />
            <PagedTable
                list=keys
                head=&["Name", "Key", "Role", "Created", "Last used", ""]
                row=move |k| key_row(k, keys, revoke_errors)
                empty="No keys yet."
                testid="api-keys"
            />
        </section>
    }
}

fn key_row(k: ApiKey, keys: Paged<ApiKey>, errors: FormErrors) -> impl IntoView {
    let id = k.id.clone();
    let revoked = k.revoked_at.is_some();
    view! {
        <tr data-testid="api-key-row" class:revoked=revoked>
            <td>{k.name}</td>
            <td><code>{format!("{}…", k.prefix)}</code></td>
            <td>{k.role.label()}</td>
            <td class="muted">{short_time(&k.created_at)}</td>
            <td class="muted">{k.last_used_at.as_deref().map(short_time).unwrap_or_else(|| "never".into())}</td>
            <td class="actions">
                {if revoked {
                    view! { <span class="status status-revoked">"revoked"</span> }.into_any()
                } else {
                    view! {
                        <button
                            type="button"
                            class="btn btn-ghost btn-small"
                            data-testid="api-key-revoke"
                            on:click={move |_| keys.act::<RevokeApiKey>(revoke_api_key::Variables { id: id.clone() }, errors)}
                        >
                            "Revoke"
                        </button>
                    }
                        .into_any()
                }}
            </td>
        </tr>
    }
}

/// Name a key, pick its role, and see its secret once.
#[component]
fn CreateKeyForm(keys: Paged<ApiKey>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let role = RwSignal::new("MARKETER".to_owned());
    let form = Form::new();
    let (errors, busy) = (form.errors, form.busy);
    let secret = RwSignal::new(None::<(String, String)>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        secret.set(None);
        let variables = create_api_key::Variables {
            name: name.get_untracked().trim().to_owned(),
            role: Role::parse(&role.get_untracked()).unwrap_or(Role::Unknown),
        };
        form.send::<CreateApiKey, _>(
            Caller::SignedIn,
            variables,
            &["name", "role"],
            move |data: create_api_key::ResponseData| {
                name.set(String::new());
                let created = data.create_api_key;
                secret.set(Some((created.api_key.name, created.secret)));
                keys.reload();
            },
        );
    };
    view! {
        <section class="panel">
            <h2>"Create a key"</h2>
            <form class="form form-row" data-testid="api-key-form" on:submit=on_submit>
                <ErrorBanner errors=errors />
                <Field label="Name" name="name" value=name errors=errors testid="api-key-name" placeholder="Website tracking" />
                <RoleSelect value=role errors=errors testid="api-key-role" without_owner=true />
                <Submit label="Create key" busy_label="Creating…" busy=busy testid="api-key-submit" />
            </form>
            {move || {
                secret
                    .get()
                    .map(|(key_name, value)| {
                        view! {
                            <div class="secret-box" data-testid="api-key-secret-box">
                                <p>
                                    <strong>"Copy the secret for “" {key_name} "” now."</strong>
                                    " It is shown only this once; Parley keeps only a fingerprint of it."
                                </p>
                                <code class="secret" data-testid="api-key-secret">{value}</code>
                                <button type="button" class="btn btn-ghost btn-small" data-testid="api-key-secret-dismiss" on:click=move |_| secret.set(None)>
                                    "I have stored it"
                                </button>
                            </div>
                        }
                    })
            }}
        </section>
    }
}
