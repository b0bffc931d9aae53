//! `/app/optimization/:id`: one optimization run, followed while it works, then what it
//! chose: the figures, the constraints as it ran them, the proposals refused by reason,
//! what each campaign and channel got, the rows rejected and the chosen proposals to
//! download.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::load_failed;
use super::offer::thousands;
use super::optimization::{POLL, is_moving, run_status_chip};
use crate::components::Loading;
use crate::gql::call;
use crate::ops::optimization::optimization_run::{
    self, OptimizationRunOptimizationRunConstraints as Constraints, OptimizationRunOptimizationRunRefusals as Refusal,
    OptimizationRunOptimizationRunRejections as Rejection,
};
use crate::ops::optimization::{Channel, OptimizationRun, RunDetail, Share};
use crate::ops::short_time;
use crate::pages::assets::enum_name;
use crate::session::load;

/// Why proposals were refused, in words, by the reason's schema name.
pub(crate) fn refusal_text(reason: &str) -> &str {
    match reason {
        "NO_CONSENT" => "The contact refused consent on the proposal's channel",
        "NO_VALUE" => "Worth nothing or less",
        "PER_CONTACT" => "The contact already has the most offers the period allows",
        "OFFER_LIMIT" => "The contact has had the offer as often as the offer allows",
        "OFFER_CAPACITY" => "The offer's capacity is used up",
        "CHANNEL_CAPACITY" => "The channel's capacity is used up",
        "BUDGET" => "Past the budget",
        "EXCLUSION" => "The contact gets another offer that excludes it",
        other => other,
    }
}

/// What a run's job is doing, in words, by the stage's schema name.
fn stage_text(stage: &str) -> &'static str {
    match stage {
        "QUEUED" => "Waiting for a worker",
        "READING" => "Reading the proposals, finding contacts and offers",
        "OPTIMIZING" => "Counting what contacts were shown and choosing",
        "WRITING" => "Writing the chosen proposals",
        "DONE" => "Finished",
        _ => "At work",
    }
}

/// The most offers per contact as the run obeyed it, and where it came from.
pub(crate) fn per_contact_text(max: Option<i64>, from: &str) -> String {
    match max {
        None => "No limit".to_owned(),
        Some(m) => {
            let noun = if m == 1 { "offer" } else { "offers" };
            let source = if from == "POLICY" { ", from the contact policy" } else { "" };
            format!("At most {} {noun} per contact{source}", thousands(m))
        }
    }
}

/// A file's size as people read it.
fn size_text(bytes: f64) -> String {
    if bytes < 1024.0 {
        format!("{bytes} bytes")
    } else if bytes < 1024.0 * 1024.0 {
        format!("{:.1} KB", bytes / 1024.0)
    } else {
        format!("{:.1} MB", bytes / (1024.0 * 1024.0))
    }
}

/// One run.
#[component]
pub fn OptimizationRunPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = load(move || {
        let id = id();
        async move { call::<OptimizationRun>(optimization_run::Variables { id }).await }
    });
    // Follows the run while it works: reads it again every second until it ends.
    Effect::new(move |_| {
        let moving = data.data.with(|d| matches!(d, Some(Ok(d)) if is_moving(&enum_name(&d.optimization_run.status))));
        if moving {
            set_timeout(move || data.reload(), POLL);
        }
    });
    view! {
        <Title text="Optimization run · Parley" />
        {move || match data.data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => load_failed(e, "/app/optimization", "Optimization").into_any(),
            Some(Ok(d)) => detail(d.optimization_run).into_any(),
        }}
    }
}

fn detail(run: RunDetail) -> impl IntoView {
    let status = enum_name(&run.status);
    let stage = enum_name(&run.stage);
    let moving = is_moving(&status);
    let pc = (run.progress * 100.0).round().clamp(0.0, 100.0);
    let money = |m: &str, c: &str| format!("{m} {c}");
    let card = |label: &'static str, testid: &'static str, value: String| {
        view! {
            <div class="card">
                <div class="card-label">{label}</div>
                <div class="card-value" data-testid=testid>{value}</div>
            </div>
        }
    };
    let finished = run.finished_at.as_ref().map(|at| format!(" · finished {} UTC", short_time(at)));
    view! {
        <header class="page-head">
            <p class="muted"><A href="/app/optimization">"Optimization"</A>" /"</p>
            <h1 data-testid="page-title">{run.name.clone()} " " {run_status_chip(&status)}</h1>
            <p class="muted">
                <span data-testid="run-file-name">{run.file_name.clone()}</span>
                {format!(" · {} · started {} UTC", size_text(run.size_bytes), short_time(&run.created_at))}
                {finished}
            </p>
        </header>
        {moving.then(|| view! {
            <section class="panel" data-testid="run-working">
                <p><span data-testid="run-stage" data-stage=stage.clone()>{stage_text(&stage)}</span>{format!(" · {pc}%")}</p>
                <progress max="100" value=pc.to_string() data-testid="run-progress"></progress>
            </section>
        })}
        {run.error.clone().map(|e| view! {
            <div class="banner banner-error" role="alert" data-testid="run-error">{format!("The run failed: {e}")}</div>
        })}
        <div class="cards" data-testid="run-figures">
            {card("Rows read", "run-rows-read", thousands(run.rows_read))}
            {card("Rejected", "run-rows-rejected", thousands(run.rows_rejected))}
            {card("Proposals", "run-proposals", thousands(run.proposals))}
            {card("Chosen", "run-chosen", thousands(run.chosen))}
            {card("Total value", "run-total-value", money(&run.total_value.amount, &run.total_value.currency_code))}
            {card("Total cost", "run-total-cost", money(&run.total_cost.amount, &run.total_cost.currency_code))}
        </div>
        {run.download_url.clone().map(|url| view! {
            <section class="panel">
                <a class="btn btn-primary" href=url data-testid="run-download" download="">"Download the chosen proposals (CSV)"</a>
                <span class="field-hint">" One line a chosen proposal: its line in your file, the contact, offer, campaign, channel, value and cost."</span>
            </section>
        })}
        {run.constraints.clone().map(constraints_panel)}
        <section class="panel">
            <h2>"Refused"</h2>
            {refusals(run.refusals.clone())}
        </section>
        <div class="grid-2">
            <section class="panel">
                <h2>"By campaign"</h2>
                {shares(run.campaigns.clone(), "run-campaigns", "Campaign", |n| {
                    if n.is_empty() { "No campaign".to_owned() } else { n.to_owned() }
                })}
            </section>
            <section class="panel">
                <h2>"By channel"</h2>
                {shares(run.channels.clone(), "run-channels", "Channel", |n| {
                    Channel::parse(&n.to_uppercase()).map_or_else(|| n.to_owned(), |c| c.label().to_owned())
                })}
            </section>
        </div>
        <section class="panel">
            <h2>"Rejected rows"</h2>
            {rejections(run.rejections.clone(), run.rows_rejected)}
        </section>
    }
}

fn constraints_panel(c: Constraints) -> impl IntoView {
    let capacity = if c.channel_capacity.is_empty() {
        "No limit".to_owned()
    } else {
        c.channel_capacity
            .iter()
            .map(|cc| format!("{}: {}", cc.channel.label(), thousands(cc.capacity)))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let budget =
        c.budget.as_ref().map_or_else(|| "No budget".to_owned(), |b| format!("{} {}", b.amount, b.currency_code));
    let exclusions = (!c.exclusions.is_empty()).then(|| {
        c.exclusions
            .iter()
            .map(|g| view! { <span class="chip" data-testid="run-exclusion">{g.join(" or ")}</span> })
            .collect_view()
    });
    view! {
        <section class="panel">
            <h2>"Constraints"</h2>
            <dl class="facts" data-testid="run-constraints">
                <dt>"Per contact"</dt>
                <dd data-testid="run-max-per-contact" data-from=c.max_per_contact_from.clone()>
                    {per_contact_text(c.max_per_contact, &c.max_per_contact_from)}
                </dd>
                <dt>"Period"</dt>
                <dd data-testid="run-period">
                    {if c.period_days == 1 { "The last day".to_owned() } else { format!("The last {} days", thousands(c.period_days)) }}
                </dd>
                <dt>"Channel capacity"</dt>
                <dd data-testid="run-channel-capacity">{capacity}</dd>
                <dt>"Budget"</dt>
                <dd data-testid="run-budget">{budget}</dd>
                <dt>"Excluding each other"</dt>
                <dd data-testid="run-exclusions">{exclusions.map_or_else(|| "Nothing".into_any(), IntoAny::into_any)}</dd>
            </dl>
        </section>
    }
}

fn refusals(list: Vec<Refusal>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted empty" data-testid="refusals-empty">"No proposal was refused."</p> }.into_any();
    }
    view! {
        <table class="table" data-testid="refusals">
            <thead><tr><th>"Why"</th><th>"Proposals"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|r| view! {
                    <tr data-testid="refusal-row" data-reason=r.reason.clone()>
                        <td data-testid="refusal-reason">{refusal_text(&r.reason).to_owned()}</td>
                        <td class="num" data-testid="refusal-count">{thousands(r.count)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn shares(list: Vec<Share>, testid: &'static str, what: &'static str, name: fn(&str) -> String) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted empty">"Nothing yet."</p> }.into_any();
    }
    view! {
        <table class="table" data-testid=testid>
            <thead><tr><th>{what}</th><th>"Chosen"</th><th>"Value"</th><th>"Cost"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|s| view! {
                    <tr data-testid="share-row" data-name=s.name.clone()>
                        <td data-testid="share-name">{name(&s.name)}</td>
                        <td class="num nowrap" data-testid="share-chosen">
                            {format!("{} of {}", thousands(s.chosen), thousands(s.proposals))}
                        </td>
                        <td class="num nowrap">{format!("{} {}", s.value.amount, s.value.currency_code)}</td>
                        <td class="num nowrap">{format!("{} {}", s.cost.amount, s.cost.currency_code)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn rejections(list: Vec<Rejection>, total: i64) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted empty" data-testid="rejections-empty">"No row was rejected."</p> }.into_any();
    }
    let more = (total > list.len() as i64).then(|| {
        view! { <p class="muted">{format!("The first {} of {} rejected rows.", list.len(), thousands(total))}</p> }
    });
    view! {
        {more}
        <table class="table" data-testid="rejections">
            <thead><tr><th>"Line"</th><th>"Column"</th><th>"Why"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|r| view! {
                    <tr data-testid="rejection-row">
                        <td class="num" data-testid="rejection-line">{r.line}</td>
                        <td data-testid="rejection-column">
                            {if r.column.is_empty() { "The whole row".to_owned() } else { r.column }}
                        </td>
                        <td data-testid="rejection-reason">{r.reason}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_per_contact_limit_says_where_it_came_from() {
        assert_eq!(per_contact_text(Some(1), "RUN"), "At most 1 offer per contact");
        assert_eq!(per_contact_text(Some(3), "POLICY"), "At most 3 offers per contact, from the contact policy");
        assert_eq!(per_contact_text(None, "NONE"), "No limit");
    }

    #[test]
    fn every_refusal_reason_reads_as_words() {
        for reason in [
            "NO_CONSENT",
            "NO_VALUE",
            "PER_CONTACT",
            "OFFER_LIMIT",
            "OFFER_CAPACITY",
            "CHANNEL_CAPACITY",
            "BUDGET",
            "EXCLUSION",
        ] {
            assert_ne!(refusal_text(reason), reason);
        }
        assert_eq!(refusal_text("SOMETHING_NEW"), "SOMETHING_NEW");
        assert_eq!(size_text(512.0), "512 bytes");
        assert_eq!(size_text(2048.0), "2.0 KB");
    }
}
