//! `/app/account`: your name, your password, your email verification.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use serde_json::{Value, json};

use crate::components::{Caller, ErrorBanner, Field, Form, Submit};
use crate::gql::call;
use crate::ops;
use crate::session::use_session;

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Account · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Your account"</h1>
            <p class="muted">"These settings are yours across every workspace."</p>
        </header>
        <ProfileForm />
        <EmailPanel />
        <PasswordForm />
    }
}

#[component]
fn ProfileForm() -> impl IntoView {
    let session = use_session();
    let name = RwSignal::new(String::new());
    // Fill the box once the user's name is known, without overwriting typing.
    Effect::new(move |filled: Option<bool>| {
        if filled == Some(true) {
            return true;
        }
        match session.frame.with(|f| f.as_ref().map(|f| f.me.name.clone())) {
            Some(current) => {
                name.set(current);
                true
            }
            None => false,
        }
    });
    let form = Form::new();
    let (errors, busy) = (form.errors, form.busy);
    let saved = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        saved.set(false);
        let variables = json!({ "name": name.get_untracked().trim() });
        form.send(Caller::SignedIn, ops::UPDATE_PROFILE, variables, &["name"], move |_: Value| {
            saved.set(true);
            session.reload_frame();
        });
    };
    view! {
        <section class="panel">
            <h2>"Profile"</h2>
            <form class="form form-narrow" data-testid="profile-form" on:submit=on_submit>
                <ErrorBanner errors=errors />
                <Field label="Name" name="name" value=name errors=errors testid="profile-name" autocomplete="name" />
                <Submit label="Save" busy_label="Saving…" busy=busy testid="profile-submit" />
                {move || saved.get().then(|| view! { <span class="saved" data-testid="profile-saved">"Saved."</span> })}
            </form>
        </section>
    }
}

#[component]
fn EmailPanel() -> impl IntoView {
    let session = use_session();
    let busy = RwSignal::new(false);
    let notice = RwSignal::new(None::<Result<String, String>>);
    let resend = move |_| {
        busy.set(true);
        notice.set(None);
        spawn_local(async move {
            let answer = call::<Value>(ops::RESEND_VERIFICATION, json!({})).await;
            busy.set(false);
            notice.set(Some(match answer {
                Ok(_) => Ok("We sent a new verification link. Check your inbox.".to_owned()),
                Err(e) => Err(e.summary()),
            }));
        });
    };
    let me = move || session.frame.with(|f| f.as_ref().map(|f| (f.me.email.clone(), f.me.email_verified)));
    view! {
        <section class="panel">
            <h2>"Email"</h2>
            {move || match me() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some((email, true)) => {
                    view! {
                        <p data-testid="email-status">
                            <strong>{email}</strong>
                            " "
                            <span class="status status-accepted">"verified"</span>
                        </p>
                    }
                        .into_any()
                }
                Some((email, false)) => {
                    view! {
                        <p data-testid="email-status">
                            <strong>{email}</strong>
                            " "
                            <span class="status status-pending">"not verified"</span>
                        </p>
                        <button
                            type="button"
                            class="btn btn-ghost"
                            data-testid="resend-verification"
                            disabled=move || busy.get() || !session.hydrated.get()
                            on:click=resend
                        >
                            {move || if busy.get() { "Sending…" } else { "Resend verification email" }}
                        </button>
                    }
                        .into_any()
                }
            }}
            {move || {
                notice
                    .get()
                    .map(|n| match n {
                        Ok(m) => view! { <div class="banner banner-success" data-testid="resend-ok">{m}</div> }.into_any(),
                        Err(m) => view! { <div class="banner banner-error" role="alert">{m}</div> }.into_any(),
                    })
            }}
        </section>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let form = Form::new();
    let (errors, busy) = (form.errors, form.busy);
    let saved = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        saved.set(false);
        if new.get_untracked() != repeat.get_untracked() {
            errors.set_field("repeatPassword", "The two new passwords differ.");
            return;
        }
        let variables = json!({
            "currentPassword": current.get_untracked(),
            "newPassword": new.get_untracked(),
        });
        form.send(
            Caller::SignedIn,
            ops::CHANGE_PASSWORD,
            variables,
            &["currentPassword", "newPassword"],
            move |_: Value| {
                current.set(String::new());
                new.set(String::new());
                repeat.set(String::new());
                saved.set(true);
            },
        );
    };
    view! {
        <section class="panel">
            <h2>"Password"</h2>
            <form class="form form-narrow" data-testid="password-form" on:submit=on_submit>
                <ErrorBanner errors=errors />
                <Field label="Current password" name="currentPassword" kind="password" value=current errors=errors autocomplete="current-password" />
                <Field label="New password" name="newPassword" kind="password" value=new errors=errors autocomplete="new-password" hint="At least 10 characters." />
                <Field label="Repeat new password" name="repeatPassword" kind="password" value=repeat errors=errors autocomplete="new-password" />
                <Submit label="Change password" busy_label="Saving…" busy=busy testid="password-submit" />
                {move || saved.get().then(|| view! { <span class="saved" data-testid="password-saved">"Password changed."</span> })}
            </form>
        </section>
    }
}
