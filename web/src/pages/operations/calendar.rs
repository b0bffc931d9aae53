//! `/app/calendar`: a plan's projects across the months of its fiscal year (a bar per
//! project from its start to its end, grouped by program, coloured by status), or the
//! same projects as a list; both filtered by status, tag and dates.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{choose_first, day_number};
use crate::components::{LoadError, Loading};
use crate::gql::call;
use crate::ops::calendar::{Calendar, CalendarPlans, calendar, calendar_plans};
use crate::session::load;
use calendar::WorkStatus;

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/// Width of the name column and of one month, in SVG units.
const LABEL: i64 = 200;
const MONTH: i64 = 60;
const ROW: i64 = 24;

fn status_name(s: &WorkStatus) -> &'static str {
    match s {
        WorkStatus::PLANNED => "planned",
        WorkStatus::ACTIVE => "active",
        WorkStatus::DONE => "done",
        WorkStatus::CANCELLED => "cancelled",
        WorkStatus::Other(_) => "other",
    }
}

/// The first day of each of the thirteen month boundaries of a fiscal year.
fn boundaries(year: i64, start_month: i64) -> Vec<(String, i64)> {
    (0..13)
        .map(|i| {
            let m0 = start_month - 1 + i;
            let (y, m) = (year + m0 / 12, m0 % 12 + 1);
            (format!("{} {y}", MONTHS[(m - 1) as usize]), day_number(&format!("{y}-{m:02}-01")))
        })
        .collect()
}

/// The calendar page.
#[component]
pub fn CalendarPage() -> impl IntoView {
    let plans = load(|| call::<CalendarPlans>(calendar_plans::Variables));
    let chosen = RwSignal::new(String::new());
    choose_first(chosen, move || match plans.data.get() {
        Some(Ok(d)) => d.plans.nodes.first().map(|p| p.id.clone()),
        _ => None,
    });
    let status = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let as_list = RwSignal::new(false);
    let data = load(move || {
        let plan = chosen.get();
        let some = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let filter = calendar::WorkFilterInput {
            status: match status.get().as_str() {
                "PLANNED" => Some(WorkStatus::PLANNED),
                "ACTIVE" => Some(WorkStatus::ACTIVE),
                "DONE" => Some(WorkStatus::DONE),
                "CANCELLED" => Some(WorkStatus::CANCELLED),
                _ => None,
            },
            owner_id: None,
            tag: some(tag.get()),
            from: some(from.get()),
            until: some(until.get()),
        };
        async move {
            if plan.is_empty() {
                return Ok(None);
            }
            call::<Calendar>(calendar::Variables { plan, filter: Some(filter) }).await.map(Some)
        }
    });
    let year_of = move || match (plans.data.get(), chosen.get()) {
        (Some(Ok(d)), id) => d.plans.nodes.into_iter().find(|p| p.id == id).map(|p| (p.fiscal_year, p.start_month)),
        _ => None,
    };
    view! {
        <Title text="Calendar · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Calendar"</h1>
            <p class="muted">"A plan's projects across its year, by program, or as a list."</p>
        </header>
        <section class="panel">
            {move || match plans.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(d)) if d.plans.nodes.is_empty() => view! { <p class="muted" data-testid="calendar-no-plans">"No plans yet: create one on the Budget page."</p> }.into_any(),
                Some(Ok(d)) => view! {
                    <div class="form form-row calendar-filters">
                        <label class="field">
                            <span class="field-label">"Plan"</span>
                            <select data-testid="calendar-plan" prop:value=move || chosen.get() on:change=move |ev| chosen.set(event_target_value(&ev))>
                                {d.plans.nodes.into_iter().map(|p| { let v = p.id.clone(); view! { <option value=p.id selected=move || chosen.get() == v>{format!("{} ({})", p.name, p.fiscal_year)}</option> } }).collect_view()}
                            </select>
                        </label>
                        <label class="field">
                            <span class="field-label">"Status"</span>
                            <select data-testid="calendar-status" on:change=move |ev| status.set(event_target_value(&ev))>
                                <option value="">"Any"</option>
                                <option value="PLANNED">"Planned"</option>
                                <option value="ACTIVE">"Active"</option>
                                <option value="DONE">"Done"</option>
                                <option value="CANCELLED">"Cancelled"</option>
                            </select>
                        </label>
                        <label class="field">
                            <span class="field-label">"Tag"</span>
                            <input type="text" data-testid="calendar-tag" placeholder="launch" prop:value=move || tag.get() on:change=move |ev| tag.set(event_target_value(&ev)) />
                        </label>
                        <label class="field">
                            <span class="field-label">"From"</span>
                            <input type="date" data-testid="calendar-from" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev)) />
                        </label>
                        <label class="field">
                            <span class="field-label">"Until"</span>
                            <input type="date" data-testid="calendar-until" prop:value=move || until.get() on:change=move |ev| until.set(event_target_value(&ev)) />
                        </label>
                    </div>
                    <div class="view-switch">
                        <button type="button" class="btn btn-ghost btn-small" class:active=move || !as_list.get() data-testid="calendar-view-calendar" on:click=move |_| as_list.set(false)>"Calendar"</button>
                        <button type="button" class="btn btn-ghost btn-small" class:active=move || as_list.get() data-testid="calendar-view-list" on:click=move |_| as_list.set(true)>"List"</button>
                    </div>
                }.into_any(),
            }}
            {move || match data.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(None)) => ().into_any(),
                Some(Ok(Some(d))) => {
                    let programs = d.programs.nodes;
                    let mut projects = d.projects.nodes;
                    // By program, in the programs' order, then by start.
                    let rank = |id: &str| programs.iter().position(|p| p.id == id).unwrap_or(usize::MAX);
                    projects.sort_by(|a, b| rank(&a.program_id).cmp(&rank(&b.program_id)).then(a.starts_on.cmp(&b.starts_on)));
                    let program_of = |id: &str| programs.iter().find(|p| p.id == id).map(|p| p.name.clone()).unwrap_or_default();
                    let count = d.projects.total_count;
                    if projects.is_empty() {
                        return view! { <p class="muted" data-testid="calendar-empty">"No project matches."</p> }.into_any();
                    }
                    if as_list.get() {
                        view! {
                            <table class="table" data-testid="calendar-list">
                                <thead><tr><th>"Project"</th><th>"Program"</th><th>"Status"</th><th>"Starts"</th><th>"Ends"</th><th>"Tags"</th></tr></thead>
                                <tbody>
                                    {projects.into_iter().map(|p| view! {
                                        <tr data-testid="calendar-row" data-name=p.name.clone()>
                                            <td>{p.name.clone()}</td>
                                            <td>{program_of(&p.program_id)}</td>
                                            <td><span class=format!("badge status-{}", status_name(&p.status))>{status_name(&p.status)}</span></td>
                                            <td>{p.starts_on}</td>
                                            <td>{p.ends_on.unwrap_or_else(|| "–".into())}</td>
                                            <td>{p.tags.join(", ")}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p class="muted">{format!("{count} project(s)")}</p>
                        }.into_any()
                    } else {
                        let Some((year, start_month)) = year_of() else { return ().into_any() };
                        let marks = boundaries(year, start_month);
                        let (first, last) = (marks[0].1, marks[12].1);
                        let span = (last - first).max(1);
                        let x = move |day: i64| LABEL + (day.clamp(first, last) - first) * MONTH * 12 / span;
                        let height = 28 + ROW * projects.len() as i64;
                        let width = LABEL + MONTH * 12;
                        view! {
                            <div class="calendar" data-testid="calendar">
                                <svg viewBox=format!("0 0 {width} {height}") role="img" aria-label="Projects across the fiscal year">
                                    {marks.iter().take(12).enumerate().map(|(i, (label, _))| {
                                        let left = LABEL + MONTH * i as i64;
                                        view! {
                                            <line class="calendar-grid" x1=left.to_string() y1="0" x2=left.to_string() y2=height.to_string() />
                                            <text class="calendar-month" x=(left + 4).to_string() y="14">{label.clone()}</text>
                                        }
                                    }).collect_view()}
                                    {projects.into_iter().enumerate().map(|(i, p)| {
                                        let y = 24 + ROW * i as i64;
                                        let start = day_number(&p.starts_on);
                                        // Without an end, a month from its start.
                                        let end = p.ends_on.as_deref().map(day_number).unwrap_or(start + 30) + 1;
                                        let (x1, x2) = (x(start), x(end).max(x(start) + 3));
                                        let status = status_name(&p.status);
                                        let label = format!("{} · {}", program_of(&p.program_id), p.name);
                                        view! {
                                            <g data-testid="calendar-bar" data-name=p.name.clone() data-status=status>
                                                <text class="timeline-label" x="4" y=(y + 14).to_string()>{label}</text>
                                                <rect class=format!("calendar-bar calendar-{status}") x=x1.to_string() y=(y + 4).to_string() width=(x2 - x1).to_string() height="14" rx="3">
                                                    <title>{format!("{}: {} – {}", p.name, p.starts_on, p.ends_on.clone().unwrap_or_else(|| "open".into()))}</title>
                                                </rect>
                                            </g>
                                        }
                                    }).collect_view()}
                                </svg>
                            </div>
                        }.into_any()
                    }
                }
            }}
        </section>
    }
}
