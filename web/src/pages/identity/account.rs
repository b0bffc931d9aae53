//! `/app/account`: your name, your email verification, your password, two-factor log-in.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

use crate::components::{Caller, ErrorBanner, Field, Form, Loading, Submit};
use crate::gql::call;
use crate::ops::grouped_secret;
use crate::ops::identity::{
    ChangeEmail, ChangePassword, ConfirmTwoFactor, DisableTwoFactor, RegenerateRecoveryCodes, ResendVerification,
    StartTwoFactor, TwoFactorSetup, TwoFactorStatus, UpdateProfile, change_email, change_password, confirm_two_factor,
    disable_two_factor, regenerate_recovery_codes, resend_verification, start_two_factor, two_factor_status,
    update_profile,
};
use crate::session::{load, use_session};

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
        <TwoFactorPanel />
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
        let variables = update_profile::Variables { name: name.get_untracked().trim().to_owned() };
        form.send::<UpdateProfile, _>(Caller::SignedIn, variables, &["name"], move |_| {
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
            let answer = call::<ResendVerification>(resend_verification::Variables).await;
            busy.set(false);
            notice.set(Some(match answer {
                Ok(_) => Ok("We sent a new verification link. Check your inbox.".to_owned()),
                Err(e) => Err(e.summary()),
            }));
        });
    };
    let me = move || session.frame.with(|f| f.as_ref().map(|f| (f.me.email.clone(), f.me.email_verified)));
    let new_email = RwSignal::new(String::new());
    let current = RwSignal::new(String::new());
    let form = Form::new();
    let changed = RwSignal::new(false);
    let change = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        changed.set(false);
        let variables = change_email::Variables {
            new_email: new_email.get_untracked().trim().to_owned(),
            current_password: current.get_untracked(),
        };
        form.send::<ChangeEmail, _>(Caller::SignedIn, variables, &["newEmail", "currentPassword"], move |_| {
            new_email.set(String::new());
            current.set(String::new());
            changed.set(true);
            session.reload_frame();
        });
    };
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
            <form class="form form-narrow" data-testid="email-form" on:submit=change>
                <ErrorBanner errors=form.errors />
                <Field label="New email" name="newEmail" kind="email" value=new_email errors=form.errors autocomplete="email" testid="email-new" />
                <Field label="Current password" name="currentPassword" kind="password" value=current errors=form.errors autocomplete="current-password" testid="email-password" hint="The new address gets a link to confirm it; the old one is told of the change." />
                <Submit label="Change email" busy_label="Saving…" busy=form.busy testid="email-submit" />
                {move || changed.get().then(|| view! { <span class="saved" data-testid="email-saved">"Email changed. Check the new inbox for the link."</span> })}
            </form>
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
        let variables =
            change_password::Variables { current_password: current.get_untracked(), new_password: new.get_untracked() };
        form.send::<ChangePassword, _>(Caller::SignedIn, variables, &["currentPassword", "newPassword"], move |_| {
            current.set(String::new());
            new.set(String::new());
            repeat.set(String::new());
            saved.set(true);
        });
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

/// Two-factor log-in: off → set up (secret, first code) → recovery codes → on → off again.
#[component]
fn TwoFactorPanel() -> impl IntoView {
    let status = load(|| call::<TwoFactorStatus>(two_factor_status::Variables));
    let setup = RwSignal::new(None::<TwoFactorSetup>);
    let recovery = RwSignal::new(None::<Vec<String>>);
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let start_form = Form::new();
    let confirm_form = Form::new();
    let disable_form = Form::new();
    let renew_form = Form::new();
    let renew_code = RwSignal::new(String::new());
    let renew_password = RwSignal::new(String::new());
    let start_password = RwSignal::new(String::new());

    let start = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !start_form.start() {
            return;
        }
        let variables = start_two_factor::Variables { password: start_password.get_untracked() };
        start_form.send::<StartTwoFactor, _>(Caller::SignedIn, variables, &["password"], move |d| {
            start_password.set(String::new());
            setup.set(Some(d.start_two_factor_setup));
        });
    };
    let confirm = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !confirm_form.start() {
            return;
        }
        let variables = confirm_two_factor::Variables { code: code.get_untracked().trim().to_owned() };
        confirm_form.send::<ConfirmTwoFactor, _>(Caller::SignedIn, variables, &["code"], move |d| {
            code.set(String::new());
            setup.set(None);
            recovery.set(Some(d.confirm_two_factor_setup.recovery_codes));
            status.reload();
        });
    };
    let disable = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !disable_form.start() {
            return;
        }
        let variables = disable_two_factor::Variables { password: password.get_untracked() };
        disable_form.send::<DisableTwoFactor, _>(Caller::SignedIn, variables, &["password"], move |_| {
            password.set(String::new());
            recovery.set(None);
            status.reload();
        });
    };
    let renew = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !renew_form.start() {
            return;
        }
        let variables = regenerate_recovery_codes::Variables {
            password: renew_password.get_untracked(),
            code: renew_code.get_untracked().trim().to_owned(),
        };
        renew_form.send::<RegenerateRecoveryCodes, _>(Caller::SignedIn, variables, &["password", "code"], move |d| {
            renew_code.set(String::new());
            renew_password.set(String::new());
            recovery.set(Some(d.regenerate_recovery_codes.recovery_codes));
            status.reload();
        });
    };
    let enabled =
        move || status.data.with(|d| d.as_ref().and_then(|r| r.as_ref().ok()).and_then(|s| s.me.two_factor_enabled));

    view! {
        <section class="panel" data-testid="two-factor">
            <h2>"Two-factor log-in"</h2>
            <p class="muted">"After your password, log-in also asks for a code from an authenticator app on your phone."</p>
            {move || recovery.get().map(|codes| view! {
                <div class="banner banner-success" data-testid="recovery-codes">
                    <p>
                        <strong>"Two-factor log-in is on. "</strong>
                        "Keep these recovery codes somewhere safe: each works once if you lose your phone, and they are not shown again."
                    </p>
                    <ul class="recovery-codes">
                        {codes.into_iter().map(|c| view! { <li><code data-testid="recovery-code">{c}</code></li> }).collect_view()}
                    </ul>
                    <button type="button" class="btn btn-ghost btn-small" data-testid="recovery-codes-done" on:click=move |_| recovery.set(None)>
                        "I have saved them"
                    </button>
                </div>
            })}
            {move || match (enabled(), setup.get()) {
                (None, _) => view! { <Loading /> }.into_any(),
                (Some(true), _) => {
                    let left = status.data.with(|d| d.as_ref().and_then(|r| r.as_ref().ok()).and_then(|s| s.me.recovery_codes_left)).unwrap_or(0);
                    view! {
                        <p data-testid="two-factor-status">
                            <span class="status status-accepted">"on"</span>
                            {format!(" {left} recovery {} left.", if left == 1 { "code" } else { "codes" })}
                        </p>
                        <form class="form form-narrow" data-testid="recovery-renew-form" on:submit=renew>
                            <ErrorBanner errors=renew_form.errors />
                            <Field label="Your password" name="password" kind="password" value=renew_password errors=renew_form.errors autocomplete="current-password" testid="recovery-renew-password" />
                            <Field label="Code from the app" name="code" value=renew_code errors=renew_form.errors autocomplete="one-time-code" testid="recovery-renew-code" hint="New recovery codes replace the old ones." />
                            <Submit label="New recovery codes" busy_label="Making codes…" busy=renew_form.busy testid="recovery-renew" />
                        </form>
                        <form class="form form-narrow" data-testid="two-factor-disable-form" on:submit=disable>
                            <ErrorBanner errors=disable_form.errors />
                            <Field label="Your password" name="password" kind="password" value=password errors=disable_form.errors autocomplete="current-password" testid="two-factor-password" />
                            <Submit label="Turn off two-factor log-in" busy_label="Turning off…" busy=disable_form.busy testid="two-factor-disable" />
                        </form>
                    }
                        .into_any()
                }
                (Some(false), None) => view! {
                    <p data-testid="two-factor-status"><span class="status status-pending">"off"</span></p>
                    <form class="form form-narrow" data-testid="two-factor-start-form" on:submit=start>
                        <ErrorBanner errors=start_form.errors />
                        <Field label="Your password" name="password" kind="password" value=start_password errors=start_form.errors autocomplete="current-password" testid="two-factor-start-password" hint="Your password proves it is you before the account is tied to an app." />
                        <Submit label="Set up two-factor log-in" busy_label="Starting…" busy=start_form.busy testid="two-factor-start" />
                    </form>
                }
                    .into_any(),
                (Some(false), Some(s)) => view! {
                    <ol class="steps">
                        <li>
                            "Add Parley to your authenticator app with this key: "
                            <code class="secret" data-testid="two-factor-secret" data-secret=s.secret.clone()>{grouped_secret(&s.secret)}</code>
                            " (or open " <a href=s.otpauth_uri.clone() data-testid="two-factor-uri">"this link"</a> " on your phone)."
                        </li>
                        <li>"Enter the 6-digit code the app shows."</li>
                    </ol>
                    <form class="form form-narrow" data-testid="two-factor-confirm-form" on:submit=confirm>
                        <ErrorBanner errors=confirm_form.errors />
                        <Field label="Code from the app" name="code" value=code errors=confirm_form.errors autocomplete="one-time-code" testid="two-factor-code" />
                        <Submit label="Turn on" busy_label="Checking…" busy=confirm_form.busy testid="two-factor-confirm" />
                    </form>
                }
                    .into_any(),
            }}
        </section>
    }
}
