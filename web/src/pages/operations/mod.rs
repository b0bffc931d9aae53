//! Marketing operations: `/app/budget` (plans, their programs and projects with budget
//! figures, and the forms that build them), `/app/spend` (purchase orders and
//! invoices), `/app/approvals` (the inbox, and the rules for admins) and
//! `/app/workflows` (a project's workflows as a board or a timeline, and templates) and
//! `/app/calendar` (a plan's projects on its year, or as a filtered list).

mod approvals;
mod budget;
mod budget_periods;
mod calendar;
mod spend;
mod workflows;

pub use approvals::ApprovalsPage;
pub use budget::BudgetPage;
pub use calendar::CalendarPage;
pub use spend::SpendPage;
pub use workflows::WorkflowsPage;

use leptos::prelude::*;

use crate::components::FormErrors;

/// A labelled select bound to `value`, its options read from `options` (value, label),
/// with the error for `name` beneath it.
#[component]
fn Pick(
    label: &'static str,
    /// The GraphQL input field it fills, to place errors.
    name: &'static str,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    errors: FormErrors,
    testid: &'static str,
) -> impl IntoView {
    let message = move || errors.field(name);
    view! {
        <label class="field" class:invalid=move || message().is_some()>
            <span class="field-label">{label}</span>
            <select data-testid=testid prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="">"Choose…"</option>
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(v, l)| {
                            let selected = v.clone();
                            view! { <option value=v selected=move || value.get() == selected>{l}</option> }
                        })
                        .collect_view()
                }}
            </select>
            {move || message().map(|m| view! { <span class="field-error" data-testid=format!("error-{name}")>{m}</span> })}
        </label>
    }
}

/// `"12500.5"` as `12,500.50 EUR`-style text: thousands grouped, the amount as the
/// server wrote it (exact to the minor unit).
fn money(amount: &str, currency: &str) -> String {
    let (sign, digits) = amount.strip_prefix('-').map_or(("", amount), |d| ("-", d));
    let (whole, frac) = digits.split_once('.').map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f} {currency}"),
        None => format!("{sign}{grouped} {currency}"),
    }
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn amounts_are_grouped_and_kept_exact() {
        assert_eq!(money("25000.50", "EUR"), "25,000.50 EUR");
        assert_eq!(money("-1234567.05", "EUR"), "-1,234,567.05 EUR");
        assert_eq!(money("100", "JPY"), "100 JPY");
        assert_eq!(money("0.00", "EUR"), "0.00 EUR");
    }
}
