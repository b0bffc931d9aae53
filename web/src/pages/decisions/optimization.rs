//! `/app/optimization`: the workspace's contact optimization runs, newest first, and the
//! form that starts one: a CSV file of proposed contacts and offers with the constraints
//! the choice obeys (per contact, per channel, a budget, offers that exclude each other).

use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::offer::thousands;
use super::{error_of, show_errors};
use crate::components::{Chunk, ErrorBanner, Form, FormErrors, PagedTable, Submit, paged};
use crate::gql::{ChosenFile, call, chosen_file, upload};
use crate::ops::optimization::start_optimization::{self, ChannelCapacityInput, MoneyInput, OptimizationInput};
use crate::ops::optimization::{Channel, OptimizationRuns, RunRow, StartOptimization, optimization_runs};
use crate::ops::short_time;
use crate::pages::assets::enum_name;

/// How often a list or a run still at work is read again.
pub(crate) const POLL: Duration = Duration::from_millis(1000);

/// The input fields the server may name in an error, each shown under its control.
const FIELDS: &[&str] =
    &["file", "name", "maxPerContact", "periodDays", "channelCapacity", "budget", "currencyCode", "exclusions"];

/// Whether a run with this status is still at work (and its page should follow it).
pub(crate) fn is_moving(status: &str) -> bool {
    matches!(status, "QUEUED" | "RUNNING")
}

/// The status chip of a run (`data-status` carries the schema's name).
pub(crate) fn run_status_chip(status: &str) -> impl IntoView + use<> {
    let (class, label) = match status {
        "QUEUED" => ("queued", "Queued"),
        "RUNNING" => ("running", "Running"),
        "COMPLETED" => ("done", "Completed"),
        "FAILED" => ("dead", "Failed"),
        _ => ("queued", "Unknown"),
    };
    view! {
        <span class=format!("status status-{class}") data-testid="run-status" data-status=status.to_owned()>
            {label}
        </span>
    }
}

/// A whole number typed: nothing, or a number; else why not. Ranges are the server's
/// to check, so its message is the one people read.
pub(crate) fn parse_whole(typed: &str) -> Result<Option<i64>, &'static str> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>().map(Some).map_err(|_| "is a whole number")
}

/// The offer codes of one exclusion group, as typed with commas (codes are upper case).
pub(crate) fn parse_group(typed: &str) -> Vec<String> {
    typed.split(',').map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty()).collect()
}

/// The optimization runs and a new one.
#[component]
pub fn OptimizationPage() -> impl IntoView {
    let list = paged(
        move |after| async move {
            call::<OptimizationRuns>(optimization_runs::Variables { after })
                .await
                .map(|d| Chunk::from(d.optimization_runs))
        },
        |r: &RunRow| r.id.clone(),
    );
    // Follows running work: reads the list again while any run moves.
    Effect::new(move |_| {
        if list.rows.with(|rows| rows.iter().any(|r| is_moving(&enum_name(&r.status)))) {
            set_timeout(move || list.reload(), POLL);
        }
    });
    view! {
        <Title text="Optimization · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Contact optimization"</h1>
            <p class="muted">
                "Campaigns propose contacts and offers; a run chooses the proposals worth the most within your limits: how many offers one contact gets, what each channel can carry, the budget and offers that exclude each other. Contacts' consent and each offer's own limits are obeyed as in real-time decisions."
                " "
                <A href="/app/offers" attr:data-testid="offers-link">"Offers"</A>
            </p>
        </header>
        <section class="panel">
            <h2>"Runs"</h2>
            <PagedTable
                list=list
                head=&["Name", "File", "Status", "Chosen", "Total value", "Started"]
                row=run_row
                empty=Signal::derive(|| "No runs yet: start the first one below.".to_owned())
                testid="runs"
            />
        </section>
        <section class="panel" data-testid="run-new">
            <h2>"New run"</h2>
            <NewRun />
        </section>
    }
}

fn run_row(r: RunRow) -> impl IntoView {
    let status = enum_name(&r.status);
    view! {
        <tr data-testid="run-row" data-status=status.clone()>
            <td><A href=format!("/app/optimization/{}", r.id) attr:data-testid="run-link">{r.name}</A></td>
            <td data-testid="run-file">{r.file_name}</td>
            <td>{run_status_chip(&status)}</td>
            <td class="num nowrap" data-testid="run-row-chosen">
                {format!("{} of {}", thousands(r.chosen), thousands(r.proposals))}
            </td>
            <td class="num nowrap" data-testid="run-row-value">
                {format!("{} {}", r.total_value.amount, r.total_value.currency_code)}
            </td>
            <td class="muted nowrap">{short_time(&r.created_at)}</td>
        </tr>
    }
}

/// One channel's capacity as typed.
#[derive(Clone, Copy)]
struct CapacityRow {
    key: u32,
    channel: RwSignal<String>,
    capacity: RwSignal<String>,
}

/// One exclusion group as typed.
#[derive(Clone, Copy)]
struct GroupRow {
    key: u32,
    codes: RwSignal<String>,
}

/// The form of a new run: the file, then its constraints; opens the run once started.
#[component]
fn NewRun() -> impl IntoView {
    let form = Form::new();
    let errors: FormErrors = form.errors;
    let navigate = use_navigate();
    let file: RwSignal<Option<ChosenFile>, LocalStorage> = RwSignal::new_local(None);
    let name = RwSignal::new(String::new());
    let max_per_contact = RwSignal::new(String::new());
    let period_days = RwSignal::new(String::new());
    let budget = RwSignal::new(String::new());
    let currency = RwSignal::new("EUR".to_owned());
    let capacities: RwSignal<Vec<CapacityRow>> = RwSignal::new(Vec::new());
    let groups: RwSignal<Vec<GroupRow>> = RwSignal::new(Vec::new());
    let next = StoredValue::new(0u32);
    let key = move || {
        let k = next.get_value();
        next.set_value(k.wrapping_add(1));
        k
    };
    let add_capacity = move |_| {
        let row = CapacityRow {
            key: key(),
            channel: RwSignal::new(Channel::Email.as_str().to_owned()),
            capacity: RwSignal::new(String::new()),
        };
        capacities.update(|rows| rows.push(row));
    };
    let add_group = move |_| {
        let row = GroupRow { key: key(), codes: RwSignal::new(String::new()) };
        groups.update(|rows| rows.push(row));
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let Some(chosen) = file.get_untracked() else {
            errors.set_field("file", "Choose the CSV file of proposals.");
            return;
        };
        let whole = |typed: RwSignal<String>, field: &str| {
            parse_whole(&typed.get_untracked()).map_err(|why| errors.set_field(field, why))
        };
        let (Ok(max_per_contact), Ok(period_days)) =
            (whole(max_per_contact, "maxPerContact"), whole(period_days, "periodDays"))
        else {
            return;
        };
        let mut channel_capacity = Vec::new();
        for row in capacities.get_untracked() {
            let Ok(Some(capacity)) = parse_whole(&row.capacity.get_untracked()) else {
                errors.set_field("channelCapacity", "needs a whole number for each channel");
                return;
            };
            let channel = Channel::parse(&row.channel.get_untracked()).unwrap_or(Channel::Email);
            channel_capacity.push(ChannelCapacityInput { channel, capacity });
        }
        let currency_code = currency.get_untracked().trim().to_uppercase();
        let budget = Some(budget.get_untracked().trim().replace(',', "."))
            .filter(|a| !a.is_empty())
            .map(|amount| MoneyInput { amount, currency_code: currency_code.clone() });
        let input = OptimizationInput {
            name: Some(name.get_untracked().trim().to_owned()).filter(|n| !n.is_empty()),
            max_per_contact,
            period_days,
            channel_capacity,
            budget,
            currency_code: Some(currency_code).filter(|c| !c.is_empty()),
            exclusions: groups
                .get_untracked()
                .iter()
                .map(|g| parse_group(&g.codes.get_untracked()))
                .filter(|g| !g.is_empty())
                .collect(),
        };
        let Form { errors, busy } = form;
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let answer = upload::<StartOptimization>(start_optimization::Variables { file: (), input }, &chosen).await;
            busy.set(false);
            match answer {
                Ok(d) => navigate(&format!("/app/optimization/{}", d.start_optimization.id), Default::default()),
                Err(e) => show_errors(errors, &e, FIELDS),
            }
        });
    };
    let invalid = move |field: &'static str| move || errors.field(field).is_some();
    view! {
        <form class="form optimization-form" data-testid="run-form" on:submit=submit>
            <ErrorBanner errors=errors />
            <label class="field" class:invalid=invalid("file")>
                <span class="field-label">"Proposals (CSV file)"</span>
                <input type="file" accept=".csv,.txt,text/csv" data-testid="run-file-input"
                    on:change=move |ev| file.set(chosen_file(&ev).map(|(f, _, _)| f)) />
                <span class="field-hint">
                    "One proposal a line, the first line naming the columns: "
                    <code>"contact"</code>" (a contact's ID, email or external ID), "
                    <code>"offer"</code>" (the offer's code) and "<code>"value"</code>
                    " (what the proposal is expected to be worth); optionally "<code>"campaign"</code>", "
                    <code>"channel"</code>" (else the offer's first) and "<code>"cost"</code>" (else the offer's)."
                </span>
                {error_of(errors, "file".to_owned())}
            </label>
            <label class="field" class:invalid=invalid("name")>
                <span class="field-label">"Name (optional)"</span>
                <input type="text" data-testid="run-name" placeholder="Spring campaigns"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                {error_of(errors, "name".to_owned())}
            </label>
            <div class="form-row">
                <label class="field" class:invalid=invalid("maxPerContact")>
                    <span class="field-label">"Most offers per contact (optional)"</span>
                    <input type="number" data-testid="run-max-per-contact"
                        prop:value=move || max_per_contact.get() on:input=move |ev| max_per_contact.set(event_target_value(&ev)) />
                    <span class="field-hint">"1 to 100, counting what each contact was shown in the period. Left empty, the workspace's contact policy sets it, if it caps offers."</span>
                    {error_of(errors, "maxPerContact".to_owned())}
                </label>
                <label class="field" class:invalid=invalid("periodDays")>
                    <span class="field-label">"Period in days (optional)"</span>
                    <input type="number" data-testid="run-period-days"
                        prop:value=move || period_days.get() on:input=move |ev| period_days.set(event_target_value(&ev)) />
                    <span class="field-hint">"1 to 365. Left empty, the contact policy's window, else 30 days."</span>
                    {error_of(errors, "periodDays".to_owned())}
                </label>
            </div>
            <div class="form-row">
                <label class="field" class:invalid=move || invalid("budget")() || invalid("currencyCode")()>
                    <span class="field-label">"Budget (optional)"</span>
                    <input type="text" inputmode="decimal" data-testid="run-budget" placeholder="5000.00"
                        prop:value=move || budget.get() on:input=move |ev| budget.set(event_target_value(&ev)) />
                    <span class="field-hint">"Most total cost of the chosen proposals."</span>
                    {error_of(errors, "budget".to_owned())}
                </label>
                <label class="field" class:invalid=invalid("currencyCode")>
                    <span class="field-label">"Currency"</span>
                    <input type="text" maxlength="3" data-testid="run-currency"
                        prop:value=move || currency.get() on:input=move |ev| currency.set(event_target_value(&ev)) />
                    <span class="field-hint">"Of the file's values and costs and of the budget (ISO 4217, like EUR)."</span>
                    {error_of(errors, "currencyCode".to_owned())}
                </label>
            </div>
            <fieldset class="field" data-testid="run-capacities" class:invalid=invalid("channelCapacity")>
                <legend class="field-label">"Channel capacity"</legend>
                <For each=move || capacities.get() key=|r| r.key let:row>
                    <div class="form-row" data-testid="capacity-row">
                        <label class="field">
                            <span class="field-label">"Channel"</span>
                            <select data-testid="capacity-channel" on:change=move |ev| row.channel.set(event_target_value(&ev))>
                                {Channel::ALL.iter().copied().map(|c| view! {
                                    <option value=c.as_str() selected=move || row.channel.get() == c.as_str()>{c.label()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="field">
                            <span class="field-label">"Most chosen"</span>
                            <input type="number" data-testid="capacity-count"
                                prop:value=move || row.capacity.get() on:input=move |ev| row.capacity.set(event_target_value(&ev)) />
                        </label>
                        <button type="button" class="btn btn-ghost btn-small" data-testid="capacity-remove"
                            on:click=move |_| capacities.update(|rows| rows.retain(|r| r.key != row.key))>"Remove"</button>
                    </div>
                </For>
                <div>
                    <button type="button" class="btn btn-ghost btn-small" data-testid="capacity-add" on:click=add_capacity>
                        "Add a channel"
                    </button>
                </div>
                <span class="field-hint">"How many proposals a channel can carry in this run (a call center's calls, say); channels left out have no limit."</span>
                {error_of(errors, "channelCapacity".to_owned())}
            </fieldset>
            <fieldset class="field" data-testid="run-exclusions" class:invalid=invalid("exclusions")>
                <legend class="field-label">"Offers that exclude each other"</legend>
                <For each=move || groups.get() key=|g| g.key let:group>
                    <div class="form-row" data-testid="exclusion-row">
                        <label class="field">
                            <span class="field-label">"Offer codes, separated by commas"</span>
                            <input type="text" data-testid="exclusion-codes" placeholder="GOLD-CARD, SILVER-CARD"
                                prop:value=move || group.codes.get() on:input=move |ev| group.codes.set(event_target_value(&ev)) />
                        </label>
                        <button type="button" class="btn btn-ghost btn-small" data-testid="exclusion-remove"
                            on:click=move |_| groups.update(|rows| rows.retain(|g| g.key != group.key))>"Remove"</button>
                    </div>
                </For>
                <div>
                    <button type="button" class="btn btn-ghost btn-small" data-testid="exclusion-add" on:click=add_group>
                        "Add a group"
                    </button>
                </div>
                <span class="field-hint">"One contact gets at most one offer of each group."</span>
                {error_of(errors, "exclusions".to_owned())}
            </fieldset>
            <div>
                <Submit label="Start the run" busy_label="Uploading…" busy=form.busy testid="run-submit" />
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_whole_or_nothing() {
        assert_eq!(parse_whole(" "), Ok(None));
        assert_eq!(parse_whole(" 0 "), Ok(Some(0)));
        assert_eq!(parse_whole("12"), Ok(Some(12)));
        assert!(parse_whole("1.5").is_err());
    }

    #[test]
    fn exclusion_groups_are_upper_case_codes() {
        assert_eq!(parse_group("a, b ,,gold-card"), ["A", "B", "GOLD-CARD"]);
        assert!(parse_group(" , ").is_empty());
    }

    #[test]
    fn only_queued_and_running_runs_move() {
        assert!(is_moving("QUEUED") && is_moving("RUNNING"));
        assert!(!is_moving("COMPLETED") && !is_moving("FAILED"));
    }
}
