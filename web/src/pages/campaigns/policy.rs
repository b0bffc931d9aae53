//! The workspace's contact policy on `/app/sending`: how many emails, messages and
//! offers one contact may get within a window, and the quiet hours when nothing is
//! sent. Saving replaces the whole policy: what is left empty is off.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::components::{Caller, ErrorBanner, Field, Form, LoadError, Loading};
use crate::gql::call;
use crate::ops::campaigns::{ContactPolicy, PolicyDetail, SetContactPolicy, contact_policy, set_contact_policy};
use crate::session::{Loaded, load};

/// The input fields the server may name in an error, each shown under its control.
const FIELDS: &[&str] = &[
    "emailMax",
    "emailWindowDays",
    "allMax",
    "allWindowDays",
    "quietStart",
    "quietEnd",
    "offerMax",
    "offerWindowDays",
];

/// A cap typed: nothing (off), or a whole number; else why not.
pub(crate) fn parse_cap(typed: &str) -> Result<Option<i64>, &'static str> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>().map(Some).map_err(|_| "is a whole number")
}

/// The contact policy panel.
#[component]
pub(crate) fn ContactPolicyPanel() -> impl IntoView {
    let data = load(|| call::<ContactPolicy>(contact_policy::Variables));
    // Kept here: saving reloads the policy, which makes the form anew.
    let saved = RwSignal::new(false);
    view! {
        <section class="panel" data-testid="contact-policy">
            <h2>"Contact policy"</h2>
            <p class="muted">
                "How often one contact may be reached, and when not. A cap is a maximum with its window in days; leave both empty for no cap."
            </p>
            {move || match data.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(d)) => view! { <PolicyForm policy=d.contact_policy loaded=data saved=saved /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn PolicyForm(
    policy: PolicyDetail,
    loaded: Loaded<contact_policy::ResponseData>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let form = Form::new();
    let errors = form.errors;
    let typed = |n: Option<i64>| RwSignal::new(n.map(|n| n.to_string()).unwrap_or_default());
    let email_max = typed(policy.email_max);
    let email_days = typed(policy.email_window_days);
    let all_max = typed(policy.all_max);
    let all_days = typed(policy.all_window_days);
    let offer_max = typed(policy.offer_max);
    let offer_days = typed(policy.offer_window_days);
    let quiet_start = RwSignal::new(policy.quiet_start.unwrap_or_default());
    let quiet_end = RwSignal::new(policy.quiet_end.unwrap_or_default());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        saved.set(false);
        let mut fine = true;
        let mut cap = |value: RwSignal<String>, field: &str| match parse_cap(&value.get_untracked()) {
            Ok(n) => n,
            Err(why) => {
                errors.set_field(field, why);
                fine = false;
                None
            }
        };
        let email_max = cap(email_max, "emailMax");
        let email_window_days = cap(email_days, "emailWindowDays");
        let all_max = cap(all_max, "allMax");
        let all_window_days = cap(all_days, "allWindowDays");
        let offer_max = cap(offer_max, "offerMax");
        let offer_window_days = cap(offer_days, "offerWindowDays");
        if !fine {
            return;
        }
        let time = |value: RwSignal<String>| Some(value.get_untracked().trim().to_owned()).filter(|t| !t.is_empty());
        let input = set_contact_policy::ContactPolicyInput {
            email_max,
            email_window_days,
            all_max,
            all_window_days,
            quiet_start: time(quiet_start),
            quiet_end: time(quiet_end),
            offer_max,
            offer_window_days,
        };
        form.send::<SetContactPolicy, _>(
            Caller::SignedIn,
            set_contact_policy::Variables { input },
            FIELDS,
            move |_| {
                saved.set(true);
                loaded.reload();
            },
        );
    };
    view! {
        <form class="form email-form" data-testid="policy-form" on:submit=submit>
            <ErrorBanner errors=errors />
            <div class="form-row">
                <Field label="Emails at most" name="emailMax" value=email_max errors=errors kind="number"
                    testid="policy-email-max" optional=true hint="Most emails one contact gets (1 to 1,000)." />
                <Field label="…within days" name="emailWindowDays" value=email_days errors=errors kind="number"
                    testid="policy-email-days" optional=true hint="1 to 365, with the maximum." />
            </div>
            <div class="form-row">
                <Field label="Messages at most" name="allMax" value=all_max errors=errors kind="number"
                    testid="policy-all-max" optional=true hint="Most messages one contact gets on every channel together (1 to 1,000)." />
                <Field label="…within days" name="allWindowDays" value=all_days errors=errors kind="number"
                    testid="policy-all-days" optional=true hint="1 to 365, with the maximum." />
            </div>
            <div class="form-row">
                <Field label="Offers at most" name="offerMax" value=offer_max errors=errors kind="number"
                    testid="policy-offer-max" optional=true
                    hint="Most offers decided for one contact at every interaction point and on every channel together, so the same person is not worn out by offers from the website, the call center and email at once (1 to 1,000)." />
                <Field label="…within days" name="offerWindowDays" value=offer_days errors=errors kind="number"
                    testid="policy-offer-days" optional=true hint="1 to 365, with the maximum. Once the cap is reached, decisions for that contact show no offer until the window moves on." />
            </div>
            <div class="form-row">
                <Field label="Quiet from" name="quietStart" value=quiet_start errors=errors kind="time"
                    testid="policy-quiet-start" optional=true hint="In each contact's time zone; nothing is sent from then…" />
                <Field label="…until" name="quietEnd" value=quiet_end errors=errors kind="time"
                    testid="policy-quiet-end" optional=true hint="…until then (the next day when earlier)." />
            </div>
            <div>
                <crate::components::Submit label="Save policy" busy_label="Saving…" busy=form.busy testid="policy-submit" />
                {move || saved.get().then(|| view! { <span class="muted" data-testid="policy-saved">" Saved."</span> })}
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cap_is_a_whole_number_or_nothing() {
        assert_eq!(parse_cap(" "), Ok(None));
        assert_eq!(parse_cap(" 3 "), Ok(Some(3)));
        assert!(parse_cap("three").is_err());
        assert!(parse_cap("1.5").is_err());
    }
}
