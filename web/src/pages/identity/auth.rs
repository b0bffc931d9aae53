//! Pages a signed-out visitor uses: sign up, log in, verify email, accept invitation
//! (password reset lives in `password.rs`).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::{Caller, ErrorBanner, Field, Form, Submit};
use crate::gql::{ApiErrors, call_public};
use crate::ops::WorkspaceKind;
use crate::ops::identity::{AcceptInvitation, LogIn, SignUp, accept_invitation, log_in, sign_up};
use crate::session::use_session;

/// The card every signed-out page sits in.
#[component]
pub(crate) fn AuthCard(title: &'static str, subtitle: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="auth-page">
            <div class="auth-card">
                <div class="brand brand-large">
                    <span class="brand-mark">"P"</span>
                    "Parley"
                </div>
                <h1>{title}</h1>
                <p class="muted">{subtitle}</p>
                {children()}
            </div>
        </div>
    }
}

/// `/signup`: a new user and their first workspace. Sign-up itself opens no session (it
/// answers the same whether or not the address has an account), so the page logs in
/// with the same email and password next; when that is refused (the address belonged
/// to someone already, who has been emailed) it says to check the inbox, and nothing
/// more.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let workspace_name = RwSignal::new(String::new());
    let kind = RwSignal::new("BUSINESS".to_owned());
    let form = Form::new();
    let (errors, busy) = (form.errors, form.busy);
    // The address an email went to, once the log-in after signing up was refused.
    let sent_to = RwSignal::new(None::<String>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let input = sign_up::SignUpInput {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            name: name.get_untracked().trim().to_owned(),
            workspace_name: workspace_name.get_untracked().trim().to_owned(),
            workspace_kind: WorkspaceKind::parse(&kind.get_untracked()).unwrap_or(WorkspaceKind::Business),
        };
        let variables = sign_up::Variables { input };
        let navigate = navigate.clone();
        form.send::<SignUp, _>(
            Caller::Visitor,
            variables,
            &["email", "password", "name", "workspaceName", "workspaceKind"],
            move |data| {
                let sent = data.sign_up.email;
                busy.set(true);
                spawn_local(async move {
                    let input =
                        log_in::LogInInput { email: sent.clone(), password: password.get_untracked(), totp_code: None };
                    let answer = call_public::<LogIn>(log_in::Variables { input }).await;
                    busy.set(false);
                    match answer {
                        Ok(data) => {
                            session.signed_in(&data.log_in.workspace.id);
                            navigate("/app", Default::default());
                        }
                        Err(_) => sent_to.set(Some(sent)),
                    }
                });
            },
        );
    };

    let kind_option = move |value: &'static str, title: &'static str, blurb: &'static str| {
        view! {
            <label class="kind-option" class:chosen=move || kind.get() == value>
                <input
                    type="radio"
                    name="workspaceKind"
                    value=value
                    data-testid=format!("kind-{}", value.to_lowercase())
                    prop:checked=move || kind.get() == value
                    checked=value == "BUSINESS"
                    on:change=move |_| kind.set(value.to_owned())
                />
                <span class="kind-title">{title}</span>
                <span class="kind-blurb">{blurb}</span>
            </label>
        }
    };

    view! {
        <Title text="Sign up · Parley" />
        <AuthCard title="Create your workspace" subtitle="Start planning campaigns with your team.">
            <Show when=move || sent_to.get().is_some()>
                <div class="banner banner-success" role="status" data-testid="signup-check-inbox">
                    <strong>"Check your inbox."</strong>
                    " We sent an email to "
                    <strong>{move || sent_to.get().unwrap_or_default()}</strong>
                    " with what to do next. Already have an account? "
                    <A href="/login">"Log in"</A>
                    " or "
                    <A href="/forgot-password">"reset your password"</A>
                    "."
                </div>
            </Show>
            <form
                class="form"
                method="post"
                data-testid="signup-form"
                on:submit=on_submit
                prop:hidden=move || sent_to.get().is_some()
            >
                <ErrorBanner errors=errors />
                <Field label="Your name" name="name" value=name errors=errors autocomplete="name" />
                <Field label="Work email" name="email" kind="email" value=email errors=errors autocomplete="email" />
                <Field
                    label="Password"
                    name="password"
                    kind="password"
                    value=password
                    errors=errors
                    autocomplete="new-password"
                    hint="At least 10 characters."
                />
                <Field label="Workspace name" name="workspaceName" value=workspace_name errors=errors autocomplete="organization" />
                <fieldset class="field kind-choice">
                    <legend class="field-label">"Workspace type"</legend>
                    <div class="kind-options">
                        {kind_option("BUSINESS", "Business", "One brand, one team.")}
                        {kind_option("AGENCY", "Agency", "Run workspaces for your clients.")}
                    </div>
                    {move || errors.field("workspaceKind").map(|m| view! { <span class="field-error">{m}</span> })}
                </fieldset>
                <Submit label="Create workspace" busy_label="Creating…" busy=busy testid="signup-submit" />
            </form>
            <p class="auth-switch">"Already have an account? " <A href="/login">"Log in"</A></p>
        </AuthCard>
    }
}

/// `/login`.
#[component]
pub fn LogInPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let totp_code = RwSignal::new(String::new());
    let form = Form::new();
    let (errors, busy) = (form.errors, form.busy);
    // Accounts with two-factor log-in are asked for a code once the password is right;
    // from then on the code box stays.
    let needs_code = RwSignal::new(false);
    Effect::new(move |_| {
        if errors.field("totpCode").is_some() {
            needs_code.set(true);
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let code = totp_code.get_untracked();
        let code = code.trim();
        let input = log_in::LogInInput {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            totp_code: (!code.is_empty()).then(|| code.to_owned()),
        };
        let variables = log_in::Variables { input };
        let navigate = navigate.clone();
        form.send::<LogIn, _>(Caller::Visitor, variables, &["email", "password", "totpCode"], move |data| {
            session.signed_in(&data.log_in.workspace.id);
            navigate("/app", Default::default());
        });
    };

    view! {
        <Title text="Log in · Parley" />
        <AuthCard title="Welcome back" subtitle="Log in to your Parley workspace.">
            <form class="form" method="post" data-testid="login-form" on:submit=on_submit>
                <ErrorBanner errors=errors />
                <Field label="Email" name="email" kind="email" value=email errors=errors autocomplete="email" />
                <Field
                    label="Password"
                    name="password"
                    kind="password"
                    value=password
                    errors=errors
                    autocomplete="current-password"
                />
                <Show when=move || needs_code.get()>
                    <Field
                        label="Authentication code"
                        name="totpCode"
                        value=totp_code
                        errors=errors
                        autocomplete="one-time-code"
                        hint="The 6-digit code from your authenticator app, or one of your recovery codes."
                    />
                </Show>
                <p class="form-aside">
                    <A href="/forgot-password" attr:data-testid="forgot-password-link">
                        "Forgot your password?"
                    </A>
                </p>
                <Submit label="Log in" busy_label="Logging in…" busy=busy testid="login-submit" />
            </form>
            <p class="auth-switch">"New to Parley? " <A href="/signup">"Create a workspace"</A></p>
        </AuthCard>
    }
}

#[derive(Clone, PartialEq)]
enum Verification {
    Verified(String),
    Failed(String),
}

/// `/email-verified?email=…` (or `?failed=…`): where the emailed link (`/verify-email`,
/// verified by the server on the GET itself) lands.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let query = use_query_map();
    let state = Signal::derive(move || {
        query.with(|q| match (q.get("email"), q.get("failed")) {
            (Some(email), _) if !email.is_empty() => Verification::Verified(email),
            (_, Some(why)) if !why.is_empty() => Verification::Failed(format!("This link did not work: {why}.")),
            _ => Verification::Failed(
                "This page shows the result of a verification link: open the link from the email again.".into(),
            ),
        })
    });

    view! {
        <Title text="Verify email · Parley" />
        <AuthCard title="Verify your email" subtitle="One click to confirm it's you.">
            <div data-testid="verify-status">
                {move || match state.get() {
                    Verification::Verified(email) => {
                        view! {
                            <div class="banner banner-success" data-testid="verify-ok">
                                <strong>{email}</strong>
                                " is verified."
                            </div>
                            <A href="/app">"Go to your workspace"</A>
                        }
                            .into_any()
                    }
                    Verification::Failed(message) => {
                        view! {
                            <div class="banner banner-error" role="alert" data-testid="verify-failed">
                                {message}
                            </div>
                            <p class="muted">
                                "You can ask for a new link from your account page."
                            </p>
                            <A href="/app/account">"Account settings"</A>
                        }
                            .into_any()
                    }
                }}
            </div>
        </AuthCard>
    }
}

/// `/accept-invitation?token=…`: joins a workspace, creating the account if needed.
#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let totp_code = RwSignal::new(String::new());
    let form = Form::new();
    let (errors, busy) = (form.errors, form.busy);
    // An existing account with two-factor log-in proves itself as at log-in: the code
    // box appears once the password is right.
    let needs_code = RwSignal::new(false);
    Effect::new(move |_| {
        if errors.field("totpCode").is_some() {
            needs_code.set(true);
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let token = query.with_untracked(|q| q.get("token")).unwrap_or_default();
        if token.is_empty() {
            errors.show(
                &ApiErrors::message("This invitation link has no token. Open the link from the email again."),
                &[],
            );
            return;
        }
        let code = totp_code.get_untracked();
        let code = code.trim();
        let variables = accept_invitation::Variables {
            token,
            password: password.get_untracked(),
            name: name.get_untracked().trim().to_owned(),
            totp_code: (!code.is_empty()).then(|| code.to_owned()),
        };
        let navigate = navigate.clone();
        form.send::<AcceptInvitation, _>(Caller::Visitor, variables, &["name", "password", "totpCode"], move |data| {
            session.signed_in(&data.accept_invitation.workspace.id);
            navigate("/app", Default::default());
        });
    };

    view! {
        <Title text="Join workspace · Parley" />
        <AuthCard title="Join your team" subtitle="Choose your name and a password to accept the invitation.">
            <form class="form" method="post" data-testid="accept-form" on:submit=on_submit>
                <ErrorBanner errors=errors />
                <Field label="Your name" name="name" value=name errors=errors autocomplete="name" />
                <Field
                    label="Password"
                    name="password"
                    kind="password"
                    value=password
                    errors=errors
                    autocomplete="new-password"
                    hint="If you already have an account, use its password."
                />
                <Show when=move || needs_code.get()>
                    <Field
                        label="Authentication code"
                        name="totpCode"
                        value=totp_code
                        errors=errors
                        autocomplete="one-time-code"
                        hint="Your account has two-factor log-in: the 6-digit code from your authenticator app, or a recovery code."
                    />
                </Show>
                <Submit label="Accept invitation" busy_label="Joining…" busy=busy testid="accept-submit" />
            </form>
        </AuthCard>
    }
}
