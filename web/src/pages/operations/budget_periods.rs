//! The budget page's period view (a holder's figures in each month or quarter, with a
//! chart of budget, forecast, committed and actual) and its what-if panel (moves of
//! budget between lines, previewed before anything moves, then applied or sent for
//! approval).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{Pick, money};
use crate::components::{Caller, ErrorBanner, Field, Form, LoadError, Loading, Submit};
use crate::gql::call;
use crate::ops::budget_periods::{
    ApplyBudgetDraft, BudgetPeriods, CreateBudgetDraft, HolderLines, PreviewBudgetMoves, SetBudgetForecast,
    SetBudgetPhasing, apply_budget_draft, budget_periods, create_budget_draft, holder_lines, preview_budget_moves,
    set_budget_forecast, set_budget_phasing,
};
use crate::session::load;

/// The four series of the chart: (label, CSS class).
const SERIES: [(&str, &str); 4] =
    [("Budget", "bar-budget"), ("Forecast", "bar-forecast"), ("Committed", "bar-committed"), ("Actual", "bar-actual")];

fn n(s: &str) -> f64 {
    s.parse().unwrap_or(0.0)
}

/// One holder's figures per period: a chart and a table with a column per period.
#[component]
pub fn PeriodView(node: Signal<String>, name: Signal<String>, year: Signal<i64>) -> impl IntoView {
    let data = load(move || {
        let node = node.get();
        let year = year.get();
        async move {
            if node.is_empty() {
                return Ok(None);
            }
            call::<BudgetPeriods>(budget_periods::Variables { node, year }).await.map(Some)
        }
    });
    move || match data.data.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
        Some(Ok(None)) => ().into_any(),
        Some(Ok(Some(d))) => {
            let periods = d.budget_summary.periods;
            let currency = periods.first().map(|p| p.budgeted.currency_code.clone()).unwrap_or_default();
            let values: Vec<[f64; 4]> = periods
                .iter()
                .map(|p| [n(&p.budgeted.amount), n(&p.forecast.amount), n(&p.committed.amount), n(&p.actual.amount)])
                .collect();
            let top = values.iter().flatten().copied().fold(0.0_f64, f64::max).max(1.0);
            // 4 bars of 6 units and a gap of 6 per period; 100 units high.
            let width = periods.len() * 30;
            let rows: [(&str, &str, Vec<String>); 5] = [
                ("Budgeted", "period-budgeted", periods.iter().map(|p| p.budgeted.amount.clone()).collect()),
                ("Forecast", "period-forecast", periods.iter().map(|p| p.forecast.amount.clone()).collect()),
                ("Committed", "period-committed", periods.iter().map(|p| p.committed.amount.clone()).collect()),
                ("Actual", "period-actual", periods.iter().map(|p| p.actual.amount.clone()).collect()),
                ("Remaining", "period-remaining", periods.iter().map(|p| p.remaining.amount.clone()).collect()),
            ];
            view! {
                <section class="panel" data-testid="budget-periods">
                    <h2>{move || format!("{} by period", name.get())}</h2>
                    <p class="muted">{format!("Forecast for the year: {}", money(&d.budget_summary.forecast.amount, &currency))}</p>
                    <svg class="period-chart" data-testid="period-chart" viewBox=format!("0 0 {width} 110") preserveAspectRatio="none" role="img" aria-label="Budget, forecast, committed and actual by period">
                        {values.iter().enumerate().map(|(i, v)| {
                            (0..4).map(|k| {
                                let h = v[k] / top * 100.0;
                                let x = i * 30 + 3 + k * 6;
                                view! { <rect class=SERIES[k].1 x=x.to_string() y=format!("{:.2}", 100.0 - h) width="5" height=format!("{h:.2}")><title>{format!("{}: {}", SERIES[k].0, v[k])}</title></rect> }
                            }).collect_view()
                        }).collect_view()}
                    </svg>
                    <p class="chart-legend">
                        {SERIES.iter().map(|(l, c)| view! { <span class=format!("legend {c}")>{*l}</span> }).collect_view()}
                    </p>
                    <div class="table-scroll">
                        <table class="table period-table">
                            <thead><tr><th>{currency.clone()}</th>{periods.iter().map(|p| view! { <th>{p.label.clone()}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                {rows.into_iter().map(|(label, testid, cells)| view! {
                                    <tr data-testid=testid>
                                        <th>{label}</th>
                                        {cells.into_iter().map(|c| { let over = c.starts_with('-'); view! { <td class:overspent=over>{money(&c, "").trim_end().to_owned()}</td> } }).collect_view()}
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <ForecastEditor node=node on_saved=move || data.reload() />
                </section>
            }
            .into_any()
        }
    }
}

/// What the period editor writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Editing {
    /// What each period is expected to spend (empty: read from spending).
    Forecast,
    /// How each line is spread over the periods (adding up to the line).
    Spread,
}

/// `"1,234.50"` or `"1234.5"` as minor units (cents), for the running sum of a spread;
/// `None` for anything else.
fn cents(text: &str) -> Option<i64> {
    let t: String = text.trim().chars().filter(|c| *c != ',').collect();
    if t.is_empty() {
        return Some(0);
    }
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if frac.len() > 2 || whole.is_empty() && frac.is_empty() {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    whole.checked_mul(100)?.checked_add(if whole < 0 { -frac } else { frac })
}

/// A holder's own lines, one input per period: their forecasts (what is entered by
/// hand, empty where the forecast is read from spending, shown as the placeholder) or
/// how each is spread (every period filled, adding up to the line).
#[component]
fn ForecastEditor(node: Signal<String>, on_saved: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let lines = load(move || {
        let node = node.get();
        async move { call::<HolderLines>(holder_lines::Variables { node }).await }
    });
    let editing = RwSignal::new(Editing::Forecast);
    let saved = move || {
        lines.reload();
        on_saved();
    };
    move || match lines.data.get() {
        Some(Ok(d)) if !d.budget_lines.nodes.is_empty() => {
            let mode = editing.get();
            let labels: Vec<String> = d.budget_lines.nodes[0].periods.iter().map(|p| p.label.clone()).collect();
            view! {
                <div class="view-switch">
                    <button type="button" class="btn btn-ghost btn-small" class:active=move || editing.get() == Editing::Forecast data-testid="edit-forecast" on:click=move |_| editing.set(Editing::Forecast)>"Forecast by line"</button>
                    <button type="button" class="btn btn-ghost btn-small" class:active=move || editing.get() == Editing::Spread data-testid="edit-spread" on:click=move |_| editing.set(Editing::Spread)>"Spread by line"</button>
                </div>
                <div class="table-scroll">
                    <table class="table period-table forecast-table" data-testid=if mode == Editing::Forecast { "forecast-table" } else { "spread-table" }>
                        <thead><tr><th>"Line"</th>{labels.into_iter().map(|l| view! { <th>{l}</th> }).collect_view()}<th></th></tr></thead>
                        <tbody>
                            {d.budget_lines.nodes.into_iter().map(|line| {
                                let currency = line.amount.currency_code.clone();
                                let total = line.amount.amount.clone();
                                let cells: Vec<(RwSignal<String>, String)> = line.periods.iter().map(|p| match mode {
                                    Editing::Forecast => {
                                        let entered = if p.forecast_entered { p.forecast.amount.clone() } else { String::new() };
                                        (RwSignal::new(entered), p.forecast.amount.clone())
                                    }
                                    Editing::Spread => (RwSignal::new(p.budgeted.amount.clone()), String::new()),
                                }).collect();
                                let form = Form::new();
                                let id = line.id.clone();
                                let name = line.name.clone();
                                let values: Vec<RwSignal<String>> = cells.iter().map(|(v, _)| *v).collect();
                                let each = values.clone();
                                let sum = Signal::derive(move || each.iter().map(|v| cents(&v.get())).sum::<Option<i64>>());
                                let save = move |_| {
                                    if !form.start() {
                                        return;
                                    }
                                    let money = |a: String| set_budget_forecast::MoneyInput { amount: a, currency_code: currency.clone() };
                                    let typed: Vec<String> = values.iter().map(|v| v.get_untracked().trim().to_owned()).collect();
                                    match mode {
                                        Editing::Forecast => {
                                            let amounts = typed.into_iter().map(|a| (!a.is_empty()).then(|| money(a))).collect();
                                            let input = set_budget_forecast::SetBudgetForecastInput { budget_line_id: id.clone(), amounts };
                                            form.send::<SetBudgetForecast, _>(Caller::SignedIn, set_budget_forecast::Variables { input }, &[], move |_| saved());
                                        }
                                        Editing::Spread => {
                                            let amounts = typed
                                                .into_iter()
                                                .map(|a| set_budget_phasing::MoneyInput { amount: if a.is_empty() { "0".to_owned() } else { a }, currency_code: currency.clone() })
                                                .collect();
                                            let input = set_budget_phasing::SetBudgetPhasingInput { budget_line_id: id.clone(), amounts };
                                            form.send::<SetBudgetPhasing, _>(Caller::SignedIn, set_budget_phasing::Variables { input }, &[], move |_| saved());
                                        }
                                    }
                                };
                                let line_cents = cents(&total);
                                view! {
                                    <tr data-testid=if mode == Editing::Forecast { "forecast-row" } else { "spread-row" } data-name=name>
                                        <th>
                                            {line.name}
                                            {(mode == Editing::Spread).then(|| view! {
                                                <span class="muted spread-sum" data-testid="spread-sum" class:off=move || sum.get() != line_cents>
                                                    {move || match sum.get() {
                                                        Some(c) => format!("{}.{:02} of {}", c / 100, (c % 100).abs(), total),
                                                        None => format!("? of {total}"),
                                                    }}
                                                </span>
                                                {line.phased.then(|| view! { <span class="muted">" · spread by hand"</span> })}
                                            })}
                                            <ErrorBanner errors=form.errors />
                                        </th>
                                        {cells.into_iter().map(|(v, read)| view! {
                                            <td><input type="text" class="forecast-input" inputmode="decimal" placeholder=read prop:value=move || v.get() on:input=move |ev| v.set(event_target_value(&ev)) /></td>
                                        }).collect_view()}
                                        <td><button type="button" class="btn btn-ghost btn-small" data-testid=if mode == Editing::Forecast { "forecast-save" } else { "spread-save" } disabled=move || form.busy.get() on:click=save>"Save"</button></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}

/// One move as the panel holds it: from line, to line, amount.
#[derive(Clone, Debug, PartialEq)]
struct Move {
    from: String,
    to: String,
    amount: String,
}

/// What-if reallocation: moves added one by one, previewed, then applied.
#[component]
pub fn WhatIf(
    /// Budget lines as (ID, label).
    lines: Signal<Vec<(String, String)>>,
    currency: Signal<String>,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let moves = RwSignal::new(Vec::<Move>::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<preview_budget_moves::ResponseData>);
    let outcome = RwSignal::new(None::<String>);
    let add_form = Form::new();
    let run_form = Form::new();
    let label_of = move |id: &str| lines.get().into_iter().find(|(i, _)| i == id).map(|(_, l)| l).unwrap_or_default();
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !add_form.start() {
            return;
        }
        let m = Move {
            from: from.get_untracked(),
            to: to.get_untracked(),
            amount: amount.get_untracked().trim().to_owned(),
        };
        if m.from.is_empty() || m.to.is_empty() {
            add_form.errors.set_field("toBudgetLineId", "choose both lines");
            return;
        }
        if m.amount.is_empty() {
            add_form.errors.set_field("amount.amount", "is required");
            return;
        }
        moves.update(|all| all.push(m));
        amount.set(String::new());
        preview.set(None);
        outcome.set(None);
    };
    let inputs = move || moves.get_untracked().into_iter().map(|m| (m.from, m.to, m.amount)).collect::<Vec<_>>();
    let show = move |_| {
        if !run_form.start() {
            return;
        }
        let cur = currency.get_untracked();
        let moves = inputs()
            .into_iter()
            .map(|(f, t, a)| preview_budget_moves::BudgetMoveInput {
                from_budget_line_id: f,
                to_budget_line_id: t,
                amount: preview_budget_moves::MoneyInput { amount: a, currency_code: cur.clone() },
            })
            .collect();
        run_form.send::<PreviewBudgetMoves, _>(
            Caller::SignedIn,
            preview_budget_moves::Variables { moves },
            &[],
            move |d| {
                preview.set(Some(d));
            },
        );
    };
    let apply = move |_| {
        if !run_form.start() {
            return;
        }
        let cur = currency.get_untracked();
        let list = inputs()
            .into_iter()
            .map(|(f, t, a)| create_budget_draft::BudgetMoveInput {
                from_budget_line_id: f,
                to_budget_line_id: t,
                amount: create_budget_draft::MoneyInput { amount: a, currency_code: cur.clone() },
            })
            .collect();
        let draft_name = match name.get_untracked().trim() {
            "" => "What-if reallocation".to_owned(),
            given => given.to_owned(),
        };
        let input = create_budget_draft::CreateBudgetDraftInput { name: draft_name, moves: list };
        run_form.send::<CreateBudgetDraft, _>(
            Caller::SignedIn,
            create_budget_draft::Variables { input },
            &["name"],
            move |d| {
                run_form.send::<ApplyBudgetDraft, _>(
                    Caller::SignedIn,
                    apply_budget_draft::Variables { id: d.create_budget_draft.id },
                    &[],
                    move |a| {
                        let applied =
                            matches!(a.apply_budget_draft.status, apply_budget_draft::BudgetDraftStatus::APPLIED);
                        outcome.set(Some(if applied {
                            "Applied: the budget moved.".to_owned()
                        } else {
                            "Sent for approval: it moves once approved.".to_owned()
                        }));
                        moves.set(Vec::new());
                        preview.set(None);
                        on_change();
                    },
                );
            },
        );
    };
    view! {
        <section class="panel" data-testid="what-if">
            <h2>"What if…"</h2>
            <p class="muted">"Move budget between lines and see the effect before anything moves."</p>
            <form class="form form-row" data-testid="move-form" on:submit=add>
                <ErrorBanner errors=add_form.errors />
                <Pick label="From line" name="fromBudgetLineId" value=from options=lines errors=add_form.errors testid="move-from" />
                <Pick label="To line" name="toBudgetLineId" value=to options=lines errors=add_form.errors testid="move-to" />
                <Field label="Amount" name="amount.amount" value=amount errors=add_form.errors testid="move-amount" placeholder="500.00" />
                <Submit label="Add move" busy_label="Adding…" busy=add_form.busy testid="move-add" />
            </form>
            <ul class="moves" data-testid="moves">
                {move || moves.get().into_iter().enumerate().map(|(i, m)| view! {
                    <li data-testid="move">
                        {format!("{} → {}: {}", label_of(&m.from), label_of(&m.to), money(&m.amount, &currency.get()))}
                        " "
                        <button type="button" class="link-button" on:click=move |_| { moves.update(|all| { all.remove(i); }); preview.set(None); }>"Remove"</button>
                    </li>
                }).collect_view()}
            </ul>
            <ErrorBanner errors=run_form.errors />
            <Show when=move || !moves.get().is_empty()>
                <div class="form form-row">
                    <Field label="Name" name="name" value=name errors=run_form.errors testid="draft-name" placeholder="What-if reallocation" />
                    <button type="button" class="btn btn-ghost" data-testid="move-preview" disabled=move || run_form.busy.get() on:click=show>"Preview"</button>
                    <button type="button" class="btn btn-primary" data-testid="move-apply" disabled=move || run_form.busy.get() on:click=apply>"Apply"</button>
                </div>
            </Show>
            {move || outcome.get().map(|o| view! { <p class="banner banner-info" role="status" data-testid="draft-outcome">{o}</p> })}
            {move || preview.get().map(|p| {
                let e = p.preview_budget_moves;
                view! {
                    <div data-testid="move-effect">
                        {e.problems.iter().map(|m| view! { <p class="banner banner-error" data-testid="move-problem">{m.clone()}</p> }).collect_view()}
                        <table class="table">
                            <thead><tr><th>"Line"</th><th>"Amount before"</th><th>"after"</th><th>"Available before"</th><th>"after"</th></tr></thead>
                            <tbody>
                                {e.lines.into_iter().map(|l| {
                                    let c = l.amount_before.currency_code.clone();
                                    view! { <tr data-testid="effect-line">
                                        <td>{l.name}</td>
                                        <td>{money(&l.amount_before.amount, &c)}</td><td data-testid="effect-amount-after">{money(&l.amount_after.amount, &c)}</td>
                                        <td>{money(&l.available_before.amount, &c)}</td><td class:overspent=l.available_after.amount.starts_with('-')>{money(&l.available_after.amount, &c)}</td>
                                    </tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <table class="table">
                            <thead><tr><th>"Holder"</th><th>"Budgeted before"</th><th>"after"</th><th>"Remaining before"</th><th>"after"</th></tr></thead>
                            <tbody>
                                {e.nodes.into_iter().map(|h| {
                                    let c = h.budgeted_before.currency_code.clone();
                                    view! { <tr data-testid="effect-node">
                                        <td>{h.name}</td>
                                        <td>{money(&h.budgeted_before.amount, &c)}</td><td>{money(&h.budgeted_after.amount, &c)}</td>
                                        <td>{money(&h.remaining_before.amount, &c)}</td><td>{money(&h.remaining_after.amount, &c)}</td>
                                    </tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::cents;

    #[test]
    fn typed_amounts_add_up_in_cents() {
        assert_eq!(cents("1,234.5"), Some(123_450));
        assert_eq!(cents("0.05"), Some(5));
        assert_eq!(cents(""), Some(0));
        assert_eq!(cents("-2.50"), Some(-250));
        assert_eq!(cents("1.234"), None);
        assert_eq!(cents("abc"), None);
        assert_eq!(cents("."), None);
    }
}
