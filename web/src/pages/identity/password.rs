//! Signed-out password recovery: ask for an emailed link, then choose a new password.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::auth::AuthCard;
use crate::components::{Caller, ErrorBanner, Field, Form, Submit};
use crate::gql::ApiErrors;
use crate::ops::identity::{RequestPasswordReset, ResetPassword, request_password_reset, reset_password};

/// `/forgot-password`: asks for a reset link. The answer is the same whether or not the
/// address has an account, so the page never tells which addresses are registered.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let form = Form::new();
    let (errors, busy) = (form.errors, form.busy);
    let sent = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let variables = request_password_reset::Variables { email: email.get_untracked().trim().to_owned() };
        form.send::<RequestPasswordReset, _>(Caller::Visitor, variables, &["email"], move |_| sent.set(true));
    };

    view! {
        <Title text="Forgot password · Parley" />
        <AuthCard title="Forgot your password?" subtitle="We'll email you a link to choose a new one.">
            {move || {
                if sent.get() {
                    view! {
                        <div class="banner banner-success" role="status" data-testid="forgot-sent">
                            "If an account exists for that address, we emailed a link. "
                            "It works once and expires in one hour."
                        </div>
                        <p class="muted">
                            "No email after a few minutes? Check your spam folder, or "
                            <button
                                type="button"
                                class="link-button"
                                data-testid="forgot-again"
                                on:click=move |_| sent.set(false)
                            >
                                "try again"
                            </button>
                            "."
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <form class="form" method="post" data-testid="forgot-form" on:submit=on_submit>
                            <ErrorBanner errors=errors />
                            <Field
                                label="Email"
                                name="email"
                                kind="email"
                                value=email
                                errors=errors
                                autocomplete="email"
                            />
                            <Submit label="Email me a link" busy_label="Sending…" busy=busy testid="forgot-submit" />
                        </form>
                    }
                        .into_any()
                }
            }}
            <p class="auth-switch">"Remembered it? " <A href="/login">"Log in"</A></p>
        </AuthCard>
    }
}

/// `/reset-password?token=…`: sets a new password with the emailed link. Every session
/// of the account ends, so the user logs in again afterwards.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let new_password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let form = Form::new();
    let (errors, busy) = (form.errors, form.busy);
    let done = RwSignal::new(None::<String>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let token = query.with_untracked(|q| q.get("token")).unwrap_or_default();
        if token.trim().is_empty() {
            errors.show(&ApiErrors::message("This link has no token. Open the link from the email again."), &[]);
            return;
        }
        let password = new_password.get_untracked();
        if password != confirm.get_untracked() {
            errors.set_field("confirmPassword", "The two passwords do not match.");
            return;
        }
        let variables =
            reset_password::Variables { input: reset_password::ResetPasswordInput { token, new_password: password } };
        form.send::<ResetPassword, _>(Caller::Visitor, variables, &["newPassword"], move |data| {
            new_password.set(String::new());
            confirm.set(String::new());
            done.set(Some(data.reset_password.email));
        });
    };

    view! {
        <Title text="Choose a new password · Parley" />
        <AuthCard title="Choose a new password" subtitle="Pick something you don't use anywhere else.">
            {move || match done.get() {
                Some(email) => {
                    view! {
                        <div class="banner banner-success" role="status" data-testid="reset-ok">
                            "The password for "
                            <strong>{email}</strong>
                            " is changed. For your safety every session was logged out."
                        </div>
                        <A href="/login" attr:class="btn btn-primary btn-block" attr:data-testid="reset-login">
                            "Log in with your new password"
                        </A>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <form class="form" method="post" data-testid="reset-form" on:submit=on_submit>
                            <ErrorBanner errors=errors />
                            <Field
                                label="New password"
                                name="newPassword"
                                kind="password"
                                value=new_password
                                errors=errors
                                autocomplete="new-password"
                                hint="At least 10 characters."
                            />
                            <Field
                                label="Confirm new password"
                                name="confirmPassword"
                                kind="password"
                                value=confirm
                                errors=errors
                                autocomplete="new-password"
                            />
                            <Submit label="Set new password" busy_label="Saving…" busy=busy testid="reset-submit" />
                        </form>
                        <p class="auth-switch">
                            "Link expired or already used? "
                            <A href="/forgot-password" attr:data-testid="reset-request-again">
                                "Ask for a new one"
                            </A>
                        </p>
                    }
                        .into_any()
                }
            }}
        </AuthCard>
    }
}
