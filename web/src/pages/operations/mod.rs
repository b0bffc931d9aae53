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

/// Chooses the ID `first` reads (the first of a loaded list) while nothing is chosen, so
/// a page opens on something rather than on an empty picker.
fn choose_first(chosen: RwSignal<String>, first: impl Fn() -> Option<String> + 'static) {
    Effect::new(move |_| {
        if let Some(id) = first()
            && chosen.get_untracked().is_empty()
        {
            chosen.set(id);
        }
    });
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (0 when it is not one). Written here
/// rather than pulling a date crate into the wasm bundle for one subtraction
/// (the days-from-civil algorithm).
fn day_number(date: &str) -> i64 {
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<i64>().unwrap_or(0));
    let (y, m, d) = (parts.next().unwrap_or(1970), parts.next().unwrap_or(1), parts.next().unwrap_or(1));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

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
    use super::{day_number, money};

    #[test]
    fn amounts_are_grouped_and_kept_exact() {
        assert_eq!(money("25000.50", "EUR"), "25,000.50 EUR");
        assert_eq!(money("-1234567.05", "EUR"), "-1,234,567.05 EUR");
        assert_eq!(money("100", "JPY"), "100 JPY");
        assert_eq!(money("0.00", "EUR"), "0.00 EUR");
    }

    #[test]
    fn days_count_across_months_and_leap_years() {
        assert_eq!(day_number("1970-01-01"), 0);
        assert_eq!(day_number("2027-03-01") - day_number("2027-02-28"), 1);
        assert_eq!(day_number("2028-03-01") - day_number("2028-02-28"), 2);
        assert_eq!(day_number("2027-01-01") - day_number("2026-01-01"), 365);
    }
}
