//! The customer scores (a run's tiles, RFM groups and grid, refreshed and followed
//! live) and the products bought together.

use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::figures::{group_blurb, heat, money, percent, share};
use crate::components::{ErrorBanner, FormErrors, LoadError, Loading};
use crate::gql::call;
use crate::ops::scores::{
    Affinity, AlsoBought, Cell, RefreshScores, Run, RunState, Schedule, ScoreEvery, ScoreOverview, ScoreRun,
    SetScoreSchedule, also_bought, refresh_scores, score_overview, score_run, set_score_schedule,
};
use crate::ops::short_time;
use crate::session::{Loaded, load, use_session};

/// What the page reads first: the runs and the top pairs.
#[derive(Clone, Debug, PartialEq)]
pub struct Overview {
    /// The newest completed run, whose figures are on the contacts.
    pub latest: Option<Run>,
    /// The newest run of any status.
    pub newest: Option<Run>,
    /// The pairs most customers bought together.
    pub pairs: Vec<Affinity>,
    /// When the scores refresh on their own (none: by hand only).
    pub schedule: Option<Schedule>,
}

/// Loads the overview after hydration, again on `reload()`.
pub fn load_overview() -> Loaded<Overview> {
    load(|| async {
        call::<ScoreOverview>(score_overview::Variables).await.map(|d| Overview {
            latest: d.latest_score_run.map(Run::from),
            newest: d.score_runs.nodes.into_iter().next().map(Run::from),
            pairs: d.product_pairs.into_iter().map(Affinity::from).collect(),
            schedule: d.score_schedule.map(Schedule::from),
        })
    })
}

/// How often a run in progress is read again.
const POLL: Duration = Duration::from_millis(1000);

/// Refresh the scores, follow the run, and read what the latest run found.
#[component]
pub fn CustomerScores(overview: Loaded<Overview>) -> impl IntoView {
    let session = use_session();
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    // The newest run of any status: from the overview, a refresh, or a poll.
    let current: RwSignal<Option<Run>> = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(Ok(o)) = overview.data.get() {
            current.set(o.newest);
        }
    });
    // Follows a run in progress: reads it again every second until it ends, then the
    // overview (whose latest run it now is). One poll at a time.
    let polling = StoredValue::new(false);
    Effect::new(move |_| {
        let Some(id) = current.with(|r| r.as_ref().filter(|r| r.state.is_busy()).map(|r| r.id.clone())) else {
            return;
        };
        if polling.get_value() {
            return;
        }
        polling.set_value(true);
        set_timeout(
            move || {
                spawn_local(async move {
                    let answer = call::<ScoreRun>(score_run::Variables { id: id.clone() }).await;
                    let _ = polling.try_set_value(false);
                    let still_following = current.try_with_untracked(|r| r.as_ref().is_some_and(|r| r.id == id));
                    if still_following != Some(true) {
                        // Another run took its place meanwhile (another workspace): follow that one.
                        let _ = current.try_update(|_| ());
                        return;
                    }
                    match answer {
                        Ok(d) => {
                            let run = Run::from(d.score_run);
                            let ended = !run.state.is_busy();
                            current.set(Some(run));
                            if ended {
                                overview.reload();
                            }
                        }
                        Err(e) => errors.show(&e, &[]),
                    }
                });
            },
            POLL,
        );
    });
    let running = move || current.with(|r| r.as_ref().is_some_and(|r| r.state.is_busy()));
    let refresh = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        errors.clear();
        spawn_local(async move {
            let answer = call::<RefreshScores>(refresh_scores::Variables).await;
            busy.set(false);
            match answer {
                Ok(d) => current.set(Some(Run::from(d.refresh_scores))),
                // A run started elsewhere (CONFLICT) is said so, and followed.
                Err(e) => {
                    errors.show(&e, &[]);
                    if e.has_code("CONFLICT") {
                        overview.reload();
                    }
                }
            }
        });
    };
    view! {
        <section class="panel" data-testid="customer-scores">
            <div class="panel-head">
                <div>
                    <h2>"Customer scores"</h2>
                    <p class="muted">
                        "Each customer's recency, frequency and spend (RFM), group and lifetime value, from their purchase events: written to their contact fields for segments to use."
                    </p>
                </div>
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="scores-refresh"
                    disabled=move || busy.get() || running() || !session.hydrated.get()
                    on:click=refresh
                >
                    {move || if running() { "Scoring…" } else { "Refresh scores" }}
                </button>
            </div>
            <ErrorBanner errors=errors />
            <ScheduleControl overview=overview />
            {move || current.get().map(run_state)}
            {move || match overview.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(Overview { latest: None, .. })) => view! {
                    <p class="muted empty" data-testid="scores-empty">
                        "No scores yet: record purchase events, then refresh."
                    </p>
                }
                .into_any(),
                Some(Ok(Overview { latest: Some(run), .. })) => figures(run).into_any(),
            }}
        </section>
    }
}

/// How often the scores refresh on their own, and when next.
#[component]
fn ScheduleControl(overview: Loaded<Overview>) -> impl IntoView {
    let session = use_session();
    let errors = FormErrors::new();
    let saving = RwSignal::new(false);
    let schedule: RwSignal<Option<Schedule>> = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(Ok(o)) = overview.data.get() {
            schedule.set(o.schedule);
        }
    });
    let change = move |ev: leptos::ev::Event| {
        let every = ScoreEvery::parse(&event_target_value(&ev));
        saving.set(true);
        errors.clear();
        spawn_local(async move {
            let answer = call::<SetScoreSchedule>(set_score_schedule::Variables { every }).await;
            saving.set(false);
            match answer {
                Ok(d) => schedule.set(d.set_score_schedule.map(Schedule::from)),
                Err(e) => {
                    errors.show(&e, &[]);
                    // The select shows what holds, not what was refused.
                    schedule.update(|_| ());
                }
            }
        });
    };
    view! {
        <div class="score-schedule">
            <label for="scores-schedule">"Refresh on their own"</label>
            <select
                id="scores-schedule"
                data-testid="scores-schedule"
                prop:value=move || schedule.with(|s| ScoreEvery::value(s.as_ref().map(|s| s.every)))
                on:change=change
                disabled=move || saving.get() || !session.hydrated.get()
            >
                <option value="">"No, by hand"</option>
                <option value="DAILY">"Every day"</option>
                <option value="WEEKLY">"Every week"</option>
            </select>
            {move || {
                schedule
                    .get()
                    .map(|s| {
                        view! {
                            <span class="muted" data-testid="scores-next-run">
                                {format!("Next run {}", short_time(&s.next_run_at))}
                            </span>
                        }
                    })
            }}
            <ErrorBanner errors=errors />
        </div>
    }
}

/// A run in progress (with how far it got) or one that failed (with why).
fn run_state(run: Run) -> impl IntoView {
    match run.state {
        RunState::Queued | RunState::Running => {
            let value = (run.contacts_total > 0).then(|| run.contacts_scored.to_string());
            let of = if run.contacts_total > 0 {
                format!("{} of {} customers scored", run.contacts_scored, run.contacts_total)
            } else if run.state == RunState::Queued {
                "waiting for a worker…".to_owned()
            } else {
                format!("{} purchases read", run.purchases_read)
            };
            view! {
                <div class="run-progress" data-testid="score-run-progress">
                    <span class="status status-running" data-testid="score-run-status">{run.state.label()}</span>
                    <progress max=run.contacts_total.max(1).to_string() value=value></progress>
                    <span class="muted">{of}</span>
                </div>
            }
            .into_any()
        }
        RunState::Failed => view! {
            <div class="banner banner-error" role="alert" data-testid="score-run-error">
                {format!(
                    "The refresh of {} failed: {}",
                    short_time(&run.created_at),
                    run.error.unwrap_or_else(|| "no reason was given".to_owned()),
                )}
            </div>
        }
        .into_any(),
        RunState::Completed | RunState::Unknown => ().into_any(),
    }
}

/// What a completed run found: tiles, the RFM groups and the grid.
fn figures(run: Run) -> impl IntoView {
    let currency = run.currency.clone();
    let cur = move || currency.clone();
    let customers = run.customers();
    let when = run.finished_at.as_deref().map(short_time).unwrap_or_default();
    let other_currency = (run.purchases_other_currency > 0).then(|| {
        view! {
            <p class="muted" data-testid="scores-other-currency">
                {format!(
                    "{} purchases in other currencies are left out of the amounts.",
                    run.purchases_other_currency
                )}
            </p>
        }
    });
    view! {
        <p class="muted" data-testid="scores-when">
            {format!(
                "Scored {when} from {} purchases of {} products.",
                run.purchases_read,
                run.products,
            )}
        </p>
        <div class="tiles">
            <div class="tile"><span class="muted">"Customers"</span><strong data-testid="kpi-customers">{customers}</strong></div>
            <div class="tile"><span class="muted">"Revenue"</span><strong class="amount" data-testid="kpi-revenue">{money(run.revenue, cur().as_deref())}</strong></div>
            <div class="tile"><span class="muted">"Average order"</span><strong class="amount" data-testid="kpi-aov">{money(run.average_order_value, cur().as_deref())}</strong></div>
            <div class="tile">
                <span class="muted">"Average lifetime value"</span>
                <strong class="amount" data-testid="kpi-ltv">{money(run.average_lifetime_value, cur().as_deref())}</strong>
                <span class="muted">{format!("over an expected {:.1} years", run.lifetime_years)}</span>
            </div>
            <div class="tile">
                <span class="muted">"Yearly churn"</span>
                <strong data-testid="kpi-churn">{percent(run.churn_rate)}</strong>
                <span class="muted">"customers a year without buying"</span>
            </div>
        </div>
        {other_currency}
        <div class="rfm-layout">
            <div>
                <h3>"Groups"</h3>
                <table class="table" data-testid="rfm-groups">
                    <thead><tr><th>"Group"</th><th class="num">"Customers"</th><th>"Share"</th><th class="num">"Revenue"</th></tr></thead>
                    <tbody>
                        {run.groups.into_iter().map(|g| {
                            let part = share(g.customers, customers);
                            view! {
                                <tr data-testid="rfm-group" data-group=g.name.clone() class:muted=g.customers == 0>
                                    <td>
                                        <strong data-testid="rfm-group-name">{g.name.clone()}</strong>
                                        <div class="hint">{group_blurb(&g.name)}</div>
                                    </td>
                                    <td class="num" data-testid="rfm-group-customers">{g.customers}</td>
                                    <td class="share-cell">
                                        <progress max="100" value=format!("{:.0}", part * 100.0)></progress>
                                        " "
                                        <span data-testid="rfm-group-share">{percent(part)}</span>
                                    </td>
                                    <td class="num nowrap" data-testid="rfm-group-revenue">{money(g.revenue, cur().as_deref())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="rfm-grid-box">
                <h3>"Recency × frequency"</h3>
                {grid(run.grid)}
            </div>
        </div>
    }
}

/// One cell as drawn: its frequency score, customers and group.
type GridCell = (i64, i64, String);

/// The 5 × 5 grid of customers by recency (rows, most recent on top) and frequency
/// (columns, most orders on the right), shaded by how many are in each cell.
fn grid(cells: Vec<Cell>) -> impl IntoView {
    let cell = |r: i64, f: i64| {
        let c = cells.iter().find(|c| c.recency == r && c.frequency == f);
        (f, c.map_or(0, |c| c.customers), c.map(|c| c.group.clone()).unwrap_or_default())
    };
    let max = cells.iter().map(|c| c.customers).max().unwrap_or(0);
    let rows: Vec<(i64, Vec<GridCell>)> = (1..=5).rev().map(|r| (r, (1..=5).map(|f| cell(r, f)).collect())).collect();
    view! {
        <table class="rfm-grid" data-testid="rfm-grid">
            <thead>
                <tr>
                    <th class="muted">"Recency ↓ / orders →"</th>
                    {(1..=5).map(|f| view! { <th>{f}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|(r, row)| view! {
                    <tr>
                        <th>{r}</th>
                        {row.into_iter().map(|(f, n, group)| {
                            let title = format!("{group}: {n} {}", if n == 1 { "customer" } else { "customers" });
                            view! {
                                <td
                                    class=heat(n, max)
                                    data-testid="rfm-cell"
                                    data-recency=r.to_string()
                                    data-frequency=f.to_string()
                                    title=title
                                >
                                    {n}
                                </td>
                            }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <p class="hint">"Rows: recency score, 5 bought most recently. Columns: frequency score, 5 ordered most often."</p>
    }
}

/// The products most customers bought together, and what buyers of one product also bought.
#[component]
pub fn BoughtTogether(overview: Loaded<Overview>) -> impl IntoView {
    let session = use_session();
    let product = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let found: RwSignal<Option<(String, Vec<Affinity>)>> = RwSignal::new(None);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let asked = product.get_untracked().trim().to_owned();
        if asked.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        errors.clear();
        spawn_local(async move {
            let answer = call::<AlsoBought>(also_bought::Variables { product: asked.clone() }).await;
            busy.set(false);
            match answer {
                Ok(d) => found.set(Some((asked, d.also_bought.into_iter().map(Affinity::from).collect()))),
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    let products = move || {
        overview.data.with(|d| {
            let mut names: Vec<String> = match d {
                Some(Ok(o)) => o.pairs.iter().flat_map(|p| [p.product.clone(), p.other.clone()]).collect(),
                _ => Vec::new(),
            };
            names.sort();
            names.dedup();
            names
        })
    };
    view! {
        <section class="panel" data-testid="bought-together">
            <h2>"Bought together"</h2>
            <p class="muted">"Products the same customers bought, as of the latest score run: for cross-sell emails and recommendations. Lift above 1 means buyers of the first are likelier than anyone to buy the second."</p>
            {move || match overview.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(_)) => ().into_any(),
                Some(Ok(o)) if o.pairs.is_empty() => view! {
                    <p class="muted empty" data-testid="pairs-empty">"No products bought together by two or more customers yet."</p>
                }
                .into_any(),
                Some(Ok(o)) => view! {
                    <table class="table" data-testid="pairs">
                        <thead><tr><th>"Product"</th><th>"Bought with"</th><th class="num">"Customers"</th><th class="num">"Confidence"</th><th class="num">"Lift"</th></tr></thead>
                        <tbody>
                            {o.pairs.into_iter().map(|p| view! {
                                <tr data-testid="pair-row">
                                    <td data-testid="pair-product">{p.product}</td>
                                    <td data-testid="pair-other">{p.other}</td>
                                    <td class="num" data-testid="pair-together">{p.together}</td>
                                    <td class="num" data-testid="pair-confidence" title=format!("of {} buyers", p.buyers)>{percent(p.confidence)}</td>
                                    <td class="num" data-testid="pair-lift">{format!("×{:.2}", p.lift)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any(),
            }}
            <form class="form form-row" data-testid="also-bought-form" on:submit=on_submit>
                <ErrorBanner errors=errors />
                <label class="field">
                    <span class="field-label">"Customers who bought"</span>
                    <input
                        type="text"
                        list="insights-products"
                        placeholder="a product or SKU"
                        data-testid="also-bought-product"
                        prop:value=move || product.get()
                        on:input=move |ev| product.set(event_target_value(&ev))
                    />
                </label>
                <datalist id="insights-products">
                    {move || products().into_iter().map(|p| view! { <option value=p></option> }).collect_view()}
                </datalist>
                <button
                    type="submit"
                    class="btn btn-ghost"
                    data-testid="also-bought-submit"
                    disabled=move || busy.get() || !session.hydrated.get()
                >
                    "also bought…"
                </button>
            </form>
            {move || found.get().map(|(asked, rows)| also_bought_list(asked, rows))}
        </section>
    }
}

/// What buyers of `asked` also bought.
fn also_bought_list(asked: String, rows: Vec<Affinity>) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <p class="muted empty" data-testid="also-bought-empty">
                {format!("Nothing yet: no other product was bought by two or more customers who bought {asked}.")}
            </p>
        }
        .into_any();
    }
    view! {
        <h3>{format!("Customers who bought {asked} also bought")}</h3>
        <table class="table" data-testid="also-bought">
            <thead><tr><th>"Product"</th><th class="num">"Customers"</th><th class="num">"Of its buyers"</th><th class="num">"Lift"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|a| view! {
                    <tr data-testid="also-bought-row">
                        <td data-testid="also-bought-other">{a.other}</td>
                        <td class="num" data-testid="also-bought-together">{a.together}</td>
                        <td class="num" data-testid="also-bought-confidence">{percent(a.confidence)}</td>
                        <td class="num" data-testid="also-bought-lift">{format!("×{:.2}", a.lift)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
