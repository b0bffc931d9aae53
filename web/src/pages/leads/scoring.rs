//! Scoring models: the list (the one leads are scored by marked) and the form of a new
//! model or a change to one: a name, the rules as JSON, how fast behaviour points fade
//! and the MQL and SQL thresholds. Refusals are shown under the box they name.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::lead::points;
use super::setup::{int, json_box, refuse};
use crate::components::{ErrorBanner, Field, Form, LoadError, Loading, Submit};
use crate::gql::call;
use crate::ops::lead_setup::{
    CreateLeadScoringModel, LeadScoringModels, ScoringModel, UpdateLeadScoringModel, create_lead_scoring_model,
    lead_scoring_models, update_lead_scoring_model,
};
use crate::ops::short_time;
use crate::pages::decisions::send;
use crate::session::load;

const FIELDS: &[&str] = &["name", "rules", "halfLifeDays", "mqlThreshold", "sqlThreshold"];

const RULES_EXAMPLE: &str = r#"{
  "fit": [{"when": {"attribute": "plan", "op": "eq", "value": "pro"}, "points": 30, "reason": "On the pro plan"}],
  "behaviour": [{"event": "page_view", "where": [{"property": "path", "op": "eq", "value": "/pricing"}], "points": 10, "reason": "Visited pricing"}]
}"#;

/// The draft of a model as typed.
#[derive(Clone, Copy)]
struct Draft {
    name: RwSignal<String>,
    rules: RwSignal<String>,
    half_life: RwSignal<String>,
    mql: RwSignal<String>,
    sql: RwSignal<String>,
}

impl Draft {
    fn fill(&self, m: Option<&ScoringModel>) {
        self.name.set(m.map(|m| m.name.clone()).unwrap_or_default());
        self.rules.set(m.map(|m| serde_json::to_string_pretty(&m.rules).unwrap_or_default()).unwrap_or_default());
        self.half_life.set(m.map_or_else(|| "14".to_owned(), |m| points(m.half_life_days)));
        self.mql.set(m.map_or_else(|| "20".to_owned(), |m| m.mql_threshold.to_string()));
        self.sql.set(m.map_or_else(|| "50".to_owned(), |m| m.sql_threshold.to_string()));
    }
}

/// The scoring models and their form.
#[component]
pub(crate) fn ScoringSection() -> impl IntoView {
    let data = load(|| async { call::<LeadScoringModels>(lead_scoring_models::Variables).await });
    let form = Form::new();
    let errors = form.errors;
    let editing = RwSignal::new(None::<String>);
    let d = Draft {
        name: RwSignal::new(String::new()),
        rules: RwSignal::new(String::new()),
        half_life: RwSignal::new("14".to_owned()),
        mql: RwSignal::new("20".to_owned()),
        sql: RwSignal::new("50".to_owned()),
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let rules = match serde_json::from_str::<serde_json::Value>(&d.rules.get_untracked()) {
            Ok(v) => v,
            Err(_) if d.rules.with_untracked(|r| r.trim().is_empty()) => {
                return refuse(
                    errors,
                    ("rules".to_owned(), "rules is required: {\"fit\": […], \"behaviour\": […]}".to_owned()),
                );
            }
            Err(e) => return refuse(errors, ("rules".to_owned(), format!("rules is not valid JSON: {e}"))),
        };
        let half_life_days = match d.half_life.get_untracked().trim().replace(',', ".").parse::<f64>() {
            Ok(h) => h,
            Err(_) => {
                return refuse(errors, ("halfLifeDays".to_owned(), "halfLifeDays is a number of days".to_owned()));
            }
        };
        let (mql, sql) =
            match (int(&d.mql.get_untracked(), "mqlThreshold"), int(&d.sql.get_untracked(), "sqlThreshold")) {
                (Ok(m), Ok(s)) => (m, s),
                (Err(e), _) | (_, Err(e)) => return refuse(errors, e),
            };
        let name = d.name.get_untracked().trim().to_owned();
        let saved = move || {
            d.fill(None);
            editing.set(None);
            data.reload();
        };
        match editing.get_untracked() {
            None => {
                let input = create_lead_scoring_model::LeadScoringModelInput {
                    name,
                    rules,
                    half_life_days,
                    mql_threshold: mql,
                    sql_threshold: sql,
                };
                send::<CreateLeadScoringModel, _>(
                    form,
                    create_lead_scoring_model::Variables { input },
                    FIELDS,
                    move |_| saved(),
                );
            }
            Some(id) => {
                let input = update_lead_scoring_model::LeadScoringModelInput {
                    name,
                    rules,
                    half_life_days,
                    mql_threshold: mql,
                    sql_threshold: sql,
                };
                send::<UpdateLeadScoringModel, _>(
                    form,
                    update_lead_scoring_model::Variables { id, input },
                    FIELDS,
                    move |_| saved(),
                );
            }
        }
    };
    let edit = move |m: &ScoringModel| {
        errors.clear();
        d.fill(Some(m));
        editing.set(Some(m.id.clone()));
    };
    view! {
        <section class="panel" data-testid="scoring-models">
            <h2>"Scoring models"</h2>
            <p class="muted">"Leads are scored by the active model (the latest one added). Without one, every captured lead goes straight to sales."</p>
            {move || match data.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(r)) if r.lead_scoring_models.nodes.is_empty() => {
                    view! { <p class="muted empty" data-testid="models-empty">"No scoring model yet."</p> }.into_any()
                }
                Some(Ok(r)) => view! {
                    <table class="table" data-testid="models-table">
                        <thead><tr><th>"Model"</th><th>"MQL from"</th><th>"SQL from"</th><th>"Half-life"</th><th>"Rules"</th><th>"Changed"</th><th></th></tr></thead>
                        <tbody>
                            {r.lead_scoring_models.nodes.into_iter().map(|m| {
                                let count = |k: &str| m.rules.get(k).and_then(|v| v.as_array()).map_or(0, Vec::len);
                                let rules = format!("{} fit, {} behaviour", count("fit"), count("behaviour"));
                                let model = StoredValue::new(m.clone());
                                view! {
                                    <tr data-testid="model-row" data-name=m.name.clone() data-active=m.active.to_string()>
                                        <td>
                                            <span data-testid="model-name">{m.name.clone()}</span>
                                            {m.active.then(|| view! { " " <span class="status status-done" data-testid="model-active">"Active"</span> })}
                                        </td>
                                        <td class="num">{m.mql_threshold}</td>
                                        <td class="num">{m.sql_threshold}</td>
                                        <td class="nowrap">{format!("{} days", points(m.half_life_days))}</td>
                                        <td>{rules}</td>
                                        <td class="nowrap muted">{format!("{} UTC", short_time(&m.updated_at))}</td>
                                        <td>
                                            <button type="button" class="btn btn-ghost btn-small" data-testid="model-edit"
                                                on:click=move |_| model.with_value(edit)>"Edit"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <h3>{move || if editing.get().is_some() { "Change the model" } else { "New model" }}</h3>
            <form class="form lead-form" data-testid="model-form" on:submit=submit>
                <ErrorBanner errors=errors />
                <div class="form-row">
                    <Field label="Name" name="name" value=d.name errors=errors testid="model-name-input" placeholder="Inbound" />
                    <Field label="Half-life (days)" name="halfLifeDays" value=d.half_life errors=errors testid="model-half-life"
                        hint="Behaviour points halve every this many days." />
                    <Field label="MQL from" name="mqlThreshold" value=d.mql errors=errors kind="number" testid="model-mql"
                        hint="Score from which a lead goes to sales." />
                    <Field label="SQL from" name="sqlThreshold" value=d.sql errors=errors kind="number" testid="model-sql" />
                </div>
                {json_box("Rules (JSON)", "rules", "model-rules", d.rules, errors, RULES_EXAMPLE,
                    "fit: points for who the contact is (\"when\" in the segment rule language); behaviour: points per event (with optional \"where\" conditions) or per trigger rule firing.")}
                <div>
                    {move || if editing.get().is_some() {
                        view! { <Submit label="Save model" busy_label="Saving…" busy=form.busy testid="model-save" /> }.into_any()
                    } else {
                        view! { <Submit label="Add model" busy_label="Adding…" busy=form.busy testid="model-submit" /> }.into_any()
                    }}
                    {move || editing.get().is_some().then(|| view! {
                        " "
                        <button type="button" class="btn btn-ghost" data-testid="model-edit-cancel"
                            on:click=move |_| { errors.clear(); d.fill(None); editing.set(None); }>"Cancel"</button>
                    })}
                </div>
            </form>
        </section>
    }
}
