//! Routing rules, in the order they are tried: which leads each takes, how it picks
//! among its reps, their capacity, the first-touch deadline and whom a miss is escalated
//! to; added, changed and deleted. Territories are asked for only for TERRITORY.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::Members;
use super::setup::{int, json_box, member_select, optional_int, optional_json, refuse};
use crate::components::{ErrorBanner, Field, Form, FormErrors, LoadError, Loading, Submit};
use crate::gql::call;
use crate::ops::lead_setup::{
    CreateRoutingRule, DeleteRoutingRule, RoutingRule, RoutingRules, RoutingStrategy, UpdateRoutingRule,
    create_routing_rule, delete_routing_rule, routing_rules, update_routing_rule,
};
use crate::pages::decisions::{error_of, send, show_errors};
use crate::session::load;

const FIELDS: &[&str] = &[
    "name",
    "priority",
    "condition",
    "strategy",
    "repIds",
    "capacity",
    "slaMinutes",
    "escalateToId",
    "territoryAttribute",
    "territories",
];

/// A rule as typed.
#[derive(Clone, Copy)]
struct Draft {
    name: RwSignal<String>,
    priority: RwSignal<String>,
    condition: RwSignal<String>,
    strategy: RwSignal<RoutingStrategy>,
    reps: RwSignal<Vec<String>>,
    capacity: RwSignal<String>,
    sla: RwSignal<String>,
    escalate_to: RwSignal<String>,
    attribute: RwSignal<String>,
    territories: RwSignal<String>,
}

impl Draft {
    fn new() -> Self {
        let d = Draft {
            name: RwSignal::new(String::new()),
            priority: RwSignal::new(String::new()),
            condition: RwSignal::new(String::new()),
            strategy: RwSignal::new(RoutingStrategy::RoundRobin),
            reps: RwSignal::new(Vec::new()),
            capacity: RwSignal::new(String::new()),
            sla: RwSignal::new(String::new()),
            escalate_to: RwSignal::new(String::new()),
            attribute: RwSignal::new(String::new()),
            territories: RwSignal::new(String::new()),
        };
        d.fill(None);
        d
    }

    fn fill(&self, r: Option<&RoutingRule>) {
        let text = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        let json = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
        self.name.set(r.map(|r| r.name.clone()).unwrap_or_default());
        self.priority.set(r.map_or_else(|| "100".to_owned(), |r| r.priority.to_string()));
        self.condition.set(r.map_or_else(|| "{}".to_owned(), |r| json(&r.condition)));
        self.strategy.set(r.map_or(RoutingStrategy::RoundRobin, |r| r.strategy));
        self.reps.set(r.map(|r| r.rep_ids.clone()).unwrap_or_default());
        self.capacity.set(text(r.and_then(|r| r.capacity)));
        self.sla.set(text(r.and_then(|r| r.sla_minutes)));
        self.escalate_to.set(r.and_then(|r| r.escalate_to.as_ref().map(|u| u.id.clone())).unwrap_or_default());
        self.attribute.set(r.and_then(|r| r.territory_attribute.clone()).unwrap_or_default());
        let territories = r.map(|r| &r.territories).filter(|t| t.as_object().is_some_and(|o| !o.is_empty()));
        self.territories.set(territories.map(json).unwrap_or_default());
    }
}

/// The routing rules and their form.
#[component]
pub(crate) fn RoutingSection(members: Signal<Members>) -> impl IntoView {
    let data = load(|| async { call::<RoutingRules>(routing_rules::Variables).await });
    let form = Form::new();
    let errors = form.errors;
    let row_errors = FormErrors::new();
    let editing = RwSignal::new(None::<String>);
    let d = Draft::new();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let territory = d.strategy.get_untracked() == RoutingStrategy::Territory;
        let checked = (|| {
            let priority = int(&d.priority.get_untracked(), "priority")?;
            let condition = optional_json(&d.condition.get_untracked(), "condition")?.unwrap_or(serde_json::json!({}));
            let capacity = optional_int(&d.capacity.get_untracked(), "capacity")?;
            let sla = optional_int(&d.sla.get_untracked(), "slaMinutes")?;
            let territories =
                if territory { optional_json(&d.territories.get_untracked(), "territories")? } else { None };
            Ok::<_, (String, String)>((priority, condition, capacity, sla, territories))
        })();
        let (priority, condition, capacity, sla_minutes, territories) = match checked {
            Ok(v) => v,
            Err(e) => return refuse(errors, e),
        };
        let name = d.name.get_untracked().trim().to_owned();
        let rep_ids = d.reps.get_untracked();
        let escalate_to_id = Some(d.escalate_to.get_untracked()).filter(|s| !s.is_empty());
        let territory_attribute =
            Some(d.attribute.get_untracked().trim().to_owned()).filter(|s| territory && !s.is_empty());
        let strategy = d.strategy.get_untracked();
        let saved = move || {
            d.fill(None);
            editing.set(None);
            data.reload();
        };
        macro_rules! input {
            ($module:ident) => {
                $module::RoutingRuleInput {
                    name,
                    priority,
                    condition,
                    strategy,
                    rep_ids,
                    capacity,
                    sla_minutes,
                    escalate_to_id,
                    territory_attribute,
                    territories,
                }
            };
        }
        match editing.get_untracked() {
            None => {
                let variables = create_routing_rule::Variables { input: input!(create_routing_rule) };
                send::<CreateRoutingRule, _>(form, variables, FIELDS, move |_| saved());
            }
            Some(id) => {
                let variables = update_routing_rule::Variables { id, input: input!(update_routing_rule) };
                send::<UpdateRoutingRule, _>(form, variables, FIELDS, move |_| saved());
            }
        }
    };
    let edit = move |r: &RoutingRule| {
        errors.clear();
        d.fill(Some(r));
        editing.set(Some(r.id.clone()));
    };
    let delete = move |id: String| {
        row_errors.clear();
        leptos::task::spawn_local(async move {
            match call::<DeleteRoutingRule>(delete_routing_rule::Variables { id }).await {
                Ok(_) => data.reload(),
                Err(e) => show_errors(row_errors, &e, &[]),
            }
        });
    };
    view! {
        <section class="panel" data-testid="routing-rules">
            <h2>"Routing rules"</h2>
            <p class="muted">"Tried in priority order (lowest first): the first whose condition holds gives the lead to one of its reps."</p>
            <ErrorBanner errors=row_errors />
            {move || match data.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(r)) if r.routing_rules.is_empty() => {
                    view! { <p class="muted empty" data-testid="rules-empty">"No routing rules yet: leads wait for one."</p> }.into_any()
                }
                Some(Ok(r)) => view! {
                    <table class="table" data-testid="rules-table">
                        <thead><tr><th>"Priority"</th><th>"Rule"</th><th>"Strategy"</th><th>"Reps"</th><th>"Capacity"</th><th>"First touch"</th><th>"Escalate to"</th><th></th></tr></thead>
                        <tbody>
                            {r.routing_rules.into_iter().map(|r| rule_row(r, edit, delete)).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <h3>{move || if editing.get().is_some() { "Change the rule" } else { "New rule" }}</h3>
            <form class="form lead-form" data-testid="rule-form" on:submit=submit>
                <ErrorBanner errors=errors />
                <div class="form-row">
                    <Field label="Name" name="name" value=d.name errors=errors testid="rule-name" placeholder="Inbound Europe" />
                    <Field label="Priority" name="priority" value=d.priority errors=errors kind="number" testid="rule-priority"
                        hint="Lower is tried first." />
                    <label class="field" class:invalid=move || errors.field("strategy").is_some()>
                        <span class="field-label">"Strategy"</span>
                        <select data-testid="rule-strategy" prop:value=move || d.strategy.get().as_str()
                            on:change=move |ev| d.strategy.set(RoutingStrategy::parse(&event_target_value(&ev)).unwrap_or(RoutingStrategy::RoundRobin))>
                            {RoutingStrategy::ALL.iter().map(|s| {
                                let selected = d.strategy.get_untracked() == *s;
                                view! { <option value=s.as_str() selected=selected>{s.label()}</option> }
                            }).collect_view()}
                        </select>
                        {error_of(errors, "strategy".to_owned())}
                    </label>
                </div>
                <fieldset class="field" data-testid="rule-reps" class:invalid=move || errors.field("repIds").is_some()>
                    <legend class="field-label">"Reps (in turn order)"</legend>
                    <div class="checks">
                        {move || members.get().into_iter().map(|(id, n)| {
                            let value = id.clone();
                            let on = move || d.reps.with(|r| r.contains(&id));
                            view! {
                                <label class="check">
                                    <input type="checkbox" data-testid="rule-rep" value=value.clone() data-name=n.clone()
                                        prop:checked=on
                                        on:change=move |ev| {
                                            let checked = event_target_checked(&ev);
                                            let v = value.clone();
                                            d.reps.update(|r| {
                                                r.retain(|x| *x != v);
                                                if checked { r.push(v); }
                                            });
                                        } />
                                    " " {n}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                    {error_of(errors, "repIds".to_owned())}
                </fieldset>
                <div class="form-row">
                    <Field label="Capacity" name="capacity" value=d.capacity errors=errors kind="number" testid="rule-capacity" optional=true
                        hint="The most open leads a rep holds under it." />
                    <Field label="First touch within (minutes)" name="slaMinutes" value=d.sla errors=errors kind="number" testid="rule-sla" optional=true
                        hint="Past it the lead is escalated and given to another rep." />
                    {member_select("Escalate to", "escalateToId", "rule-escalate", d.escalate_to, members, errors, "No one")}
                </div>
                {json_box("Which leads (JSON)", "condition", "rule-condition", d.condition, errors,
                    "{\"attribute\": \"country\", \"op\": \"in\", \"value\": [\"DE\", \"AT\"]}",
                    "The segment rule language over the contact; {} takes every lead.")}
                {move || (d.strategy.get() == RoutingStrategy::Territory).then(|| view! {
                    <div class="form-row" data-testid="rule-territory">
                        <Field label="Territory field" name="territoryAttribute" value=d.attribute errors=errors testid="rule-territory-attribute"
                            placeholder="country" hint="The contact field whose value picks the rep." />
                    </div>
                    {json_box("Territories (JSON)", "territories", "rule-territories", d.territories, errors,
                        "{\"<rep's user ID>\": [\"DE\", \"AT\"]}", "Each rep's values (compared without case).")}
                })}
                <div>
                    {move || if editing.get().is_some() {
                        view! { <Submit label="Save rule" busy_label="Saving…" busy=form.busy testid="rule-save" /> }.into_any()
                    } else {
                        view! { <Submit label="Add rule" busy_label="Adding…" busy=form.busy testid="rule-submit" /> }.into_any()
                    }}
                    {move || editing.get().is_some().then(|| view! {
                        " "
                        <button type="button" class="btn btn-ghost" data-testid="rule-edit-cancel"
                            on:click=move |_| { errors.clear(); d.fill(None); editing.set(None); }>"Cancel"</button>
                    })}
                </div>
            </form>
        </section>
    }
}

fn rule_row(
    r: RoutingRule,
    edit: impl Fn(&RoutingRule) + Copy + Send + Sync + 'static,
    delete: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let reps = r.reps.iter().map(|u| super::person(&u.name, &u.email)).collect::<Vec<_>>().join(", ");
    let missing = r.rep_ids.len().saturating_sub(r.reps.len());
    let escalate = r.escalate_to.as_ref().map(|u| super::person(&u.name, &u.email));
    let attribute = r.territory_attribute.clone();
    let confirming = RwSignal::new(false);
    let id = r.id.clone();
    let rule = StoredValue::new(r.clone());
    view! {
        <tr data-testid="rule-row" data-name=r.name.clone()>
            <td class="num" data-testid="rule-row-priority">{r.priority}</td>
            <td data-testid="rule-row-name">{r.name.clone()}</td>
            <td data-testid="rule-row-strategy" data-strategy=r.strategy.as_str()>
                {r.strategy.label()}
                {attribute.map(|a| format!(" by {a}"))}
            </td>
            <td data-testid="rule-row-reps">
                {reps}
                {(missing > 0).then(|| format!(" (+{missing} former)"))}
            </td>
            <td class="num">{r.capacity.map_or_else(|| "—".to_owned(), |c| c.to_string())}</td>
            <td class="nowrap" data-testid="rule-row-sla">{r.sla_minutes.map_or_else(|| "—".to_owned(), |m| format!("{m} min"))}</td>
            <td data-testid="rule-row-escalate">{escalate.unwrap_or_else(|| "—".to_owned())}</td>
            <td class="nowrap">
                <button type="button" class="btn btn-ghost btn-small" data-testid="rule-edit"
                    on:click=move |_| rule.with_value(|r| edit(r))>"Edit"</button>
                " "
                {move || {
                    let id = id.clone();
                    if confirming.get() {
                        view! {
                            <span class="confirm" data-testid="rule-delete-confirmation">
                                "Delete this rule?"
                                <button type="button" class="btn btn-danger btn-small" data-testid="rule-delete-confirm"
                                    on:click=move |_| delete(id.clone())>"Delete"</button>
                                <button type="button" class="btn btn-ghost btn-small" data-testid="rule-delete-cancel"
                                    on:click=move |_| confirming.set(false)>"Cancel"</button>
                            </span>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="btn btn-ghost btn-small" data-testid="rule-delete"
                                on:click=move |_| confirming.set(true)>"Delete"</button>
                        }.into_any()
                    }
                }}
            </td>
        </tr>
    }
}
