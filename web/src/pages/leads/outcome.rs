//! One-click outcomes on an open lead: Contacted and Qualified at once; Won asks for the
//! revenue (amount and currency) and Lost for a reason in a small form beside the
//! buttons. A refusal is shown under the box it names (`revenue`, `reason`), anything
//! else above the buttons.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::components::{ErrorBanner, Form};
use crate::ops::leads::{LeadOutcome, LeadStage, RecordLeadOutcome, record_lead_outcome};
use crate::pages::decisions::{error_of, send};
use crate::session::use_session;

/// The fields an outcome's refusal may name.
const FIELDS: &[&str] = &["revenue", "reason"];

/// The outcome buttons of lead `lead_id`, at `stage`; `done` runs once one is recorded.
#[component]
pub(crate) fn OutcomeActions(lead_id: String, stage: LeadStage, done: Callback<()>) -> impl IntoView {
    let session = use_session();
    let form = Form::new();
    let errors = form.errors;
    // The outcome whose details are being asked for (Won or Lost).
    let asking = RwSignal::new(None::<LeadOutcome>);
    let amount = RwSignal::new(String::new());
    let currency = RwSignal::new("EUR".to_owned());
    let reason = RwSignal::new(String::new());
    let lead_id = StoredValue::new(lead_id);
    let record = move |outcome: LeadOutcome| {
        if !form.start() {
            return;
        }
        let revenue = (outcome == LeadOutcome::Won && !amount.get_untracked().trim().is_empty()).then(|| {
            record_lead_outcome::MoneyInput {
                amount: amount.get_untracked().trim().replace(',', "."),
                currency_code: currency.get_untracked().trim().to_uppercase(),
            }
        });
        let why = Some(reason.get_untracked().trim().to_owned()).filter(|r| !r.is_empty());
        let input = record_lead_outcome::LeadOutcomeInput {
            lead_id: lead_id.get_value(),
            outcome,
            revenue,
            reason: why.filter(|_| outcome == LeadOutcome::Lost),
        };
        send::<RecordLeadOutcome, _>(form, record_lead_outcome::Variables { input }, FIELDS, move |_| {
            let _ = asking.try_set(None);
            done.run(());
        });
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(outcome) = asking.get_untracked() {
            record(outcome);
        }
    };
    let disabled = move || form.busy.get() || !session.hydrated.get();
    let button = move |outcome: LeadOutcome, class: &'static str| {
        let testid = format!("outcome-{}", outcome.as_str().to_lowercase());
        view! {
            <button type="button" class=class data-testid=testid disabled=disabled
                on:click=move |_| match outcome {
                    LeadOutcome::Won | LeadOutcome::Lost => {
                        errors.clear();
                        asking.set(Some(outcome));
                    }
                    _ => record(outcome),
                }>
                {outcome.label()}
            </button>
        }
    };
    let untouched = matches!(stage, LeadStage::New | LeadStage::Mql | LeadStage::Sql);
    view! {
        <div class="lead-outcomes" data-testid="lead-outcomes">
            <ErrorBanner errors=errors />
            <div class="confirm">
                {untouched.then(|| button(LeadOutcome::Contacted, "btn btn-ghost btn-small"))}
                {(stage != LeadStage::Qualified).then(|| button(LeadOutcome::Qualified, "btn btn-ghost btn-small"))}
                {button(LeadOutcome::Won, "btn btn-ghost btn-small")}
                {button(LeadOutcome::Lost, "btn btn-ghost btn-small")}
            </div>
            {move || asking.get().map(|outcome| view! {
                <form class="lead-inline" data-testid=format!("outcome-{}-form", outcome.as_str().to_lowercase()) on:submit=submit>
                    {if outcome == LeadOutcome::Won {
                        view! {
                            <label class="field" class:invalid=move || errors.field("revenue").is_some()>
                                <span class="field-label">"Revenue"</span>
                                <input type="text" inputmode="decimal" data-testid="outcome-amount" placeholder="1200.00"
                                    prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev)) />
                                {error_of(errors, "revenue".to_owned())}
                            </label>
                            <label class="field">
                                <span class="field-label">"Currency"</span>
                                <input type="text" maxlength="3" size="4" data-testid="outcome-currency" placeholder="EUR"
                                    prop:value=move || currency.get() on:input=move |ev| currency.set(event_target_value(&ev)) />
                            </label>
                        }.into_any()
                    } else {
                        view! {
                            <label class="field" class:invalid=move || errors.field("reason").is_some()>
                                <span class="field-label">"Why was it lost?"</span>
                                <input type="text" data-testid="outcome-reason" placeholder="Chose a competitor"
                                    prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                                {error_of(errors, "reason".to_owned())}
                            </label>
                        }.into_any()
                    }}
                    <div class="confirm">
                        <button type="submit" class="btn btn-primary btn-small" data-testid="outcome-confirm" disabled=disabled>
                            {move || if form.busy.get() { "Saving…".to_owned() } else { format!("Record {}", outcome.label().to_lowercase()) }}
                        </button>
                        <button type="button" class="btn btn-ghost btn-small" data-testid="outcome-cancel"
                            on:click=move |_| { errors.clear(); asking.set(None); }>"Cancel"</button>
                    </div>
                </form>
            })}
        </div>
    }
}
