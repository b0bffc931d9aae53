//! `/app/leads/setup`: how leads are scored (in [`super::scoring`]), who gets them and
//! by when (in [`super::routing`] and [`super::reps`]), and where lead changes are
//! posted (in [`super::webhook`]); with the small form helpers those sections share.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::reps::RepsSection;
use super::routing::RoutingSection;
use super::scoring::ScoringSection;
use super::webhook::WebhookSection;
use super::{Members, members};
use crate::components::FormErrors;
use crate::gql::ApiErrors;
use crate::pages::decisions::error_of;
use crate::session::load;

/// A whole number typed in `field`'s box: `None` when left empty; else why not.
pub(crate) fn optional_int(typed: &str, field: &str) -> Result<Option<i64>, (String, String)> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>().map(Some).map_err(|_| (field.to_owned(), format!("{field} is a whole number")))
}

/// A whole number typed in `field`'s box, which must not be empty.
pub(crate) fn int(typed: &str, field: &str) -> Result<i64, (String, String)> {
    optional_int(typed, field)?.ok_or_else(|| (field.to_owned(), format!("{field} is required")))
}

/// JSON typed in `field`'s box: `None` when left empty; else why not.
pub(crate) fn optional_json(typed: &str, field: &str) -> Result<Option<serde_json::Value>, (String, String)> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(typed).map(Some).map_err(|e| (field.to_owned(), format!("{field} is not valid JSON: {e}")))
}

/// Shows a check made in the browser under its field.
pub(crate) fn refuse(errors: FormErrors, (field, message): (String, String)) {
    errors.set_field(&field, &message);
}

/// A JSON text area for `field`, with its errors under it (`error-<field>`).
pub(crate) fn json_box(
    label: &'static str,
    field: &'static str,
    testid: &'static str,
    value: RwSignal<String>,
    errors: FormErrors,
    placeholder: &'static str,
    hint: &'static str,
) -> impl IntoView {
    view! {
        <label class="field" class:invalid=move || errors.field(field).is_some()>
            <span class="field-label">{label}</span>
            <textarea rows="5" class="code" spellcheck="false" data-testid=testid placeholder=placeholder
                aria-invalid=move || if errors.field(field).is_some() { "true" } else { "false" }
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
            <span class="field-hint">{hint}</span>
            {error_of(errors, field.to_owned())}
        </label>
    }
}

/// A select of the workspace's members for `field` (the empty choice first).
pub(crate) fn member_select(
    label: &'static str,
    field: &'static str,
    testid: &'static str,
    value: RwSignal<String>,
    members: Signal<Members>,
    errors: FormErrors,
    blank: &'static str,
) -> impl IntoView {
    view! {
        <label class="field" class:invalid=move || errors.field(field).is_some()>
            <span class="field-label">{label}</span>
            <select data-testid=testid prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="">{blank}</option>
                {move || members.get().into_iter().map(|(id, n)| {
                    // Selected here too: the list's value is set before its options exist.
                    let selected = value.get_untracked() == id;
                    view! { <option value=id selected=selected>{n}</option> }
                }).collect_view()}
            </select>
            {error_of(errors, field.to_owned())}
        </label>
    }
}

/// Scoring, routing, reps and the webhook.
#[component]
pub fn LeadSetupPage() -> impl IntoView {
    let people = load(|| async { Ok::<_, ApiErrors>(members().await) });
    let members = Signal::derive(move || {
        people.data.with(|m| match m {
            Some(Ok(m)) => m.clone(),
            _ => Vec::new(),
        })
    });
    view! {
        <Title text="Lead setup · Parley" />
        <header class="page-head">
            <p class="muted"><A href="/app/leads" attr:data-testid="leads-link">"Leads"</A>" /"</p>
            <h1 data-testid="page-title">"Scoring, routing and reps"</h1>
            <p class="muted">
                "How leads are scored (profile fit plus behaviour that fades), which rep each is given to and how soon they must reach out, and where every change is posted for your CRM."
            </p>
        </header>
        <ScoringSection />
        <RoutingSection members=members />
        <RepsSection members=members />
        <WebhookSection />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_numbers_and_json_are_checked_in_the_browser() {
        assert_eq!(optional_int(" ", "capacity"), Ok(None));
        assert_eq!(int("30", "slaMinutes"), Ok(30));
        assert!(matches!(int("", "priority"), Err((f, _)) if f == "priority"));
        assert!(
            matches!(optional_json("{fit: 1}", "rules"), Err((f, m)) if f == "rules" && m.starts_with("rules is not valid JSON"))
        );
        assert_eq!(optional_json("{}", "rules"), Ok(Some(serde_json::json!({}))));
    }
}
