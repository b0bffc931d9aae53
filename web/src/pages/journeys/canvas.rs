//! A published version's steps laid out left to right: a column per distance from the
//! start (breadth first), each step a box with what it does, where it leads and how
//! many contacts entered it, wait at it, went on from it and left there. Older
//! versions are chosen from a list; the counts are read again on "Refresh".

use leptos::prelude::*;
use serde_json::Value;

use super::definition::{Names, kind_label, step_summary};
use crate::components::{LoadError, Loading};
use crate::gql::call;
use crate::ops::journeys::{JourneySteps, StepCounts, journey_steps};
use crate::session::load;

/// The steps' columns: each step's index in `steps` (id, the steps it leads to),
/// grouped by how many steps from `start` it first is; steps not reached from the start
/// make a last column.
pub(crate) fn columns(start: &str, steps: &[(String, Vec<String>)]) -> Vec<Vec<usize>> {
    let index = |id: &str| steps.iter().position(|(s, _)| s == id);
    let mut depth: Vec<Option<usize>> = vec![None; steps.len()];
    let mut queue = std::collections::VecDeque::new();
    if let Some(first) = index(start)
        && let Some(d) = depth.get_mut(first)
    {
        *d = Some(0);
        queue.push_back(first);
    }
    while let Some(i) = queue.pop_front() {
        let here = depth.get(i).copied().flatten().unwrap_or(0);
        for to in steps.get(i).map(|(_, next)| next.as_slice()).unwrap_or_default() {
            if let Some(j) = index(to)
                && let Some(d @ None) = depth.get_mut(j)
            {
                *d = Some(here + 1);
                queue.push_back(j);
            }
        }
    }
    let deepest = depth.iter().flatten().max().map_or(0, |d| d + 1);
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); deepest];
    let mut unreached = Vec::new();
    for (i, d) in depth.iter().enumerate() {
        match d.and_then(|d| out.get_mut(d)) {
            Some(column) => column.push(i),
            None => unreached.push(i),
        }
    }
    if !unreached.is_empty() {
        out.push(unreached);
    }
    out
}

/// Where a step leads, each way labelled (`("timeout", "reminder")`); `None` for the
/// end of the journey.
fn ways(step: &Value) -> Vec<(String, Option<String>)> {
    let to = |key: &str| step[key].as_str().map(str::to_owned);
    match step["kind"].as_str().unwrap_or_default() {
        "exit" => Vec::new(),
        "waitFor" => vec![(String::new(), to("next")), ("no event".to_owned(), to("timeoutNext"))],
        "branch" => vec![("yes".to_owned(), to("yes")), ("no".to_owned(), to("no"))],
        "split" => step["paths"]
            .as_array()
            .map(|paths| {
                paths
                    .iter()
                    .map(|p| {
                        (format!("{}%", p["percent"].as_u64().unwrap_or(0)), p["next"].as_str().map(str::to_owned))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        _ => vec![(String::new(), to("next"))],
    }
}

fn ways_text(step: &Value) -> String {
    let all = ways(step);
    if all.is_empty() {
        return String::new();
    }
    all.into_iter()
        .map(|(label, to)| {
            let to = to.unwrap_or_else(|| "end".to_owned());
            if label.is_empty() { format!("→ {to}") } else { format!("{label} → {to}") }
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// One step's box.
fn step_box(s: StepCounts, definition: &Value, names: &Names) -> impl IntoView + use<> {
    let found = definition["steps"].as_array().and_then(|all| all.iter().find(|x| x["id"] == s.id.as_str()));
    let fallback = serde_json::json!({ "kind": s.kind });
    let step = found.unwrap_or(&fallback);
    let summary = step_summary(step, names);
    let leads = ways_text(step);
    let is_start = definition["start"] == s.id.as_str();
    view! {
        <div class="journey-box" class:journey-box-start=is_start data-testid=format!("step-{}", s.id) data-kind=s.kind.clone()>
            <div class="journey-box-head">
                <strong data-testid="step-id">{s.id.clone()}</strong>
                <span class="muted" data-testid="step-kind">{kind_label(&s.kind).to_owned()}</span>
            </div>
            <div data-testid="step-summary">{summary}</div>
            {(!leads.is_empty()).then(|| view! { <div class="muted" data-testid="step-leads">{leads}</div> })}
            <dl class="journey-counts">
                <div><dt>"Entered"</dt><dd data-testid="step-entered">{s.entered}</dd></div>
                <div><dt>"Waiting"</dt><dd data-testid="step-waiting">{s.waiting}</dd></div>
                <div><dt>"Went on"</dt><dd data-testid="step-completed">{s.completed}</dd></div>
                <div><dt>"Left"</dt><dd data-testid="step-exited">{s.exited}</dd></div>
            </dl>
        </div>
    }
}

/// The steps of the chosen version with their counts.
#[component]
pub(crate) fn Canvas(
    id: String,
    latest: i64,
    /// Every published version with its definition, newest first.
    versions: Vec<(i64, Value)>,
    /// The lists steps add to, the templates they send and the members they tell, by
    /// name.
    names: Names,
    /// Changes when the counts should be read again.
    refresh: RwSignal<u32>,
    /// Asks for counts and contacts to be read again.
    on_refresh: Callback<()>,
) -> impl IntoView {
    let version = RwSignal::new(latest);
    let steps = load(move || {
        refresh.track();
        let variables = journey_steps::Variables { id: id.clone(), version: Some(version.get()) };
        async move { call::<JourneySteps>(variables).await }
    });
    let numbers: Vec<i64> = versions.iter().map(|(v, _)| *v).collect();
    let definitions = StoredValue::new(versions);
    let names = StoredValue::new(names);
    let drawn = move || match steps.data.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
        Some(Ok(d)) => {
            let shown = version.get_untracked();
            let definition = definitions
                .with_value(|all| all.iter().find(|(v, _)| *v == shown).map(|(_, d)| d.clone()).unwrap_or(Value::Null));
            let start = definition["start"].as_str().unwrap_or_default().to_owned();
            let graph: Vec<(String, Vec<String>)> =
                d.journey.steps.iter().map(|s| (s.id.clone(), s.next.clone())).collect();
            let layout = columns(&start, &graph);
            let mut slots: Vec<Option<StepCounts>> = d.journey.steps.into_iter().map(Some).collect();
            let last = layout.len().saturating_sub(1);
            layout
                .into_iter()
                .enumerate()
                .map(|(n, column)| {
                    let boxes = column
                        .into_iter()
                        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
                        .map(|s| names.with_value(|n| step_box(s, &definition, n)))
                        .collect_view();
                    view! {
                        <div class="journey-column" data-testid="journey-column">{boxes}</div>
                        {(n < last).then(|| view! { <div class="journey-arrow" aria-hidden="true">"→"</div> })}
                    }
                })
                .collect_view()
                .into_any()
        }
    };
    view! {
        <section class="panel" data-testid="journey-canvas">
            <div class="panel-head">
                <h2>"Steps"</h2>
                <div class="actions">
                    <label class="field field-inline">
                        <span class="field-label">"Version"</span>
                        <select data-testid="canvas-version" prop:value=move || version.get().to_string()
                            on:change=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<i64>() {
                                    version.set(v);
                                }
                            }>
                            {numbers.into_iter().map(|v| view! {
                                <option value=v.to_string() selected=v == latest>
                                    {if v == latest { format!("{v} (latest)") } else { v.to_string() }}
                                </option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="button" class="btn btn-ghost btn-small" data-testid="journey-refresh"
                        on:click=move |_| on_refresh.run(())>"Refresh"</button>
                </div>
            </div>
            <div class="journey-canvas">{drawn}</div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        edges.iter().map(|(id, next)| ((*id).to_owned(), next.iter().map(|n| (*n).to_owned()).collect())).collect()
    }

    #[test]
    fn steps_stand_in_columns_by_distance_from_the_start() {
        let g = graph(&[("tag", &["done"]), ("wait", &["tag", "done"]), ("done", &[]), ("lost", &[])]);
        assert_eq!(columns("wait", &g), vec![vec![1], vec![0, 2], vec![3]]);
        // A loop back to the start does not move it.
        let g = graph(&[("a", &["b"]), ("b", &["a"])]);
        assert_eq!(columns("a", &g), vec![vec![0], vec![1]]);
        assert_eq!(columns("none", &g), vec![vec![0, 1]]);
    }

    #[test]
    fn each_way_out_is_named() {
        let step = serde_json::json!({ "kind": "waitFor", "next": "tag" });
        assert_eq!(ways_text(&step), "→ tag · no event → end");
        assert_eq!(ways_text(&serde_json::json!({ "kind": "exit" })), "");
        assert_eq!(ways_text(&serde_json::json!({ "kind": "email", "next": "wait" })), "→ wait");
    }
}
