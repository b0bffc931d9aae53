//! Sales reps: the members who take leads, with their team, weight, capacity, working
//! hours, whether they are away, their manager and which leads they see; set, marked
//! away or back, and removed (their open leads go to others).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::setup::{json_box, member_select, optional_int, optional_json, refuse};
use super::{Members, person};
use crate::components::{ErrorBanner, Field, Form, FormErrors, LoadError, Loading, Submit};
use crate::gql::call;
use crate::ops::lead_setup::{
    LeadVisibility, RemoveSalesRep, SalesRep, SalesReps, SetSalesRep, SetSalesRepAway, remove_sales_rep, sales_reps,
    set_sales_rep, set_sales_rep_away,
};
use crate::pages::decisions::{error_of, send, show_errors};
use crate::session::load;

const FIELDS: &[&str] = &["userId", "team", "weight", "capacity", "hours", "away", "managerId", "sees"];

/// A rep as typed.
#[derive(Clone, Copy)]
struct Draft {
    user: RwSignal<String>,
    team: RwSignal<String>,
    weight: RwSignal<String>,
    capacity: RwSignal<String>,
    hours: RwSignal<String>,
    away: RwSignal<bool>,
    manager: RwSignal<String>,
    sees: RwSignal<LeadVisibility>,
}

impl Draft {
    fn new() -> Self {
        Draft {
            user: RwSignal::new(String::new()),
            team: RwSignal::new(String::new()),
            weight: RwSignal::new("1".to_owned()),
            capacity: RwSignal::new(String::new()),
            hours: RwSignal::new(String::new()),
            away: RwSignal::new(false),
            manager: RwSignal::new(String::new()),
            sees: RwSignal::new(LeadVisibility::Own),
        }
    }

    fn fill(&self, r: Option<&SalesRep>) {
        self.user.set(r.map(|r| r.user_id.clone()).unwrap_or_default());
        self.team.set(r.and_then(|r| r.team.clone()).unwrap_or_default());
        self.weight.set(r.map_or_else(|| "1".to_owned(), |r| r.weight.to_string()));
        self.capacity.set(r.and_then(|r| r.capacity).map(|c| c.to_string()).unwrap_or_default());
        let hours = r.and_then(|r| r.hours.as_ref()).filter(|h| !h.is_null());
        self.hours.set(hours.map(|h| serde_json::to_string_pretty(h).unwrap_or_default()).unwrap_or_default());
        self.away.set(r.is_some_and(|r| r.away));
        self.manager.set(r.and_then(|r| r.manager.as_ref().map(|m| m.id.clone())).unwrap_or_default());
        self.sees.set(r.map_or(LeadVisibility::Own, |r| r.sees));
    }
}

/// The sales reps and their form.
#[component]
pub(crate) fn RepsSection(members: Signal<Members>) -> impl IntoView {
    let data = load(|| async { call::<SalesReps>(sales_reps::Variables).await });
    let form = Form::new();
    let errors = form.errors;
    let row_errors = FormErrors::new();
    let d = Draft::new();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let user_id = d.user.get_untracked();
        if user_id.is_empty() {
            return refuse(errors, ("userId".to_owned(), "Choose a member.".to_owned()));
        }
        let checked = (|| {
            let weight = optional_int(&d.weight.get_untracked(), "weight")?.unwrap_or(1);
            let capacity = optional_int(&d.capacity.get_untracked(), "capacity")?;
            let hours = optional_json(&d.hours.get_untracked(), "hours")?;
            Ok::<_, (String, String)>((weight, capacity, hours))
        })();
        let (weight, capacity, hours) = match checked {
            Ok(v) => v,
            Err(e) => return refuse(errors, e),
        };
        let input = set_sales_rep::SalesRepInput {
            user_id,
            team: Some(d.team.get_untracked().trim().to_owned()).filter(|t| !t.is_empty()),
            weight,
            capacity,
            hours,
            away: d.away.get_untracked(),
            manager_id: Some(d.manager.get_untracked()).filter(|m| !m.is_empty()),
            sees: d.sees.get_untracked(),
        };
        send::<SetSalesRep, _>(form, set_sales_rep::Variables { input }, FIELDS, move |_| {
            d.fill(None);
            data.reload();
        });
    };
    let act = move |away: Option<bool>, user_id: String| {
        row_errors.clear();
        spawn_local(async move {
            let answer = match away {
                Some(away) => {
                    call::<SetSalesRepAway>(set_sales_rep_away::Variables { user_id, away }).await.map(|_| ())
                }
                None => call::<RemoveSalesRep>(remove_sales_rep::Variables { user_id }).await.map(|_| ()),
            };
            match answer {
                Ok(()) => data.reload(),
                Err(e) => show_errors(row_errors, &e, &[]),
            }
        });
    };
    let edit = move |r: &SalesRep| {
        errors.clear();
        d.fill(Some(r));
    };
    view! {
        <section class="panel" data-testid="sales-reps">
            <h2>"Sales reps"</h2>
            <p class="muted">"Members who take leads. A member named in a routing rule takes leads too, with the defaults; set them up here to change their share, capacity or hours."</p>
            <ErrorBanner errors=row_errors />
            {move || match data.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(r)) if r.sales_reps.nodes.is_empty() => {
                    view! { <p class="muted empty" data-testid="reps-empty">"No sales reps set up yet."</p> }.into_any()
                }
                Some(Ok(r)) => view! {
                    <table class="table" data-testid="reps-table">
                        <thead><tr><th>"Rep"</th><th>"Team"</th><th>"Weight"</th><th>"Capacity"</th><th>"Sees"</th><th>"Manager"</th><th>"Open leads"</th><th>"Away"</th><th></th></tr></thead>
                        <tbody>
                            {r.sales_reps.nodes.into_iter().map(|r| rep_row(r, edit, act)).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <h3>"Set up a rep"</h3>
            <form class="form lead-form" data-testid="rep-form" on:submit=submit>
                <ErrorBanner errors=errors />
                <div class="form-row">
                    {member_select("Member", "userId", "rep-user", d.user, members, errors, "Choose a member…")}
                    <Field label="Team" name="team" value=d.team errors=errors testid="rep-team" optional=true placeholder="EMEA" />
                    <Field label="Weight" name="weight" value=d.weight errors=errors kind="number" testid="rep-weight" optional=true
                        hint="Share of a weighted rule's leads (1–100)." />
                    <Field label="Capacity" name="capacity" value=d.capacity errors=errors kind="number" testid="rep-capacity" optional=true
                        hint="The most open leads they hold." />
                </div>
                <div class="form-row">
                    {member_select("Manager", "managerId", "rep-manager", d.manager, members, errors, "No manager")}
                    <label class="field" class:invalid=move || errors.field("sees").is_some()>
                        <span class="field-label">"Sees (with the Sales role)"</span>
                        <select data-testid="rep-sees" prop:value=move || d.sees.get().as_str()
                            on:change=move |ev| d.sees.set(LeadVisibility::parse(&event_target_value(&ev)).unwrap_or(LeadVisibility::Own))>
                            {LeadVisibility::ALL.iter().map(|v| {
                                let selected = d.sees.get_untracked() == *v;
                                view! { <option value=v.as_str() selected=selected>{v.label()}</option> }
                            }).collect_view()}
                        </select>
                        {error_of(errors, "sees".to_owned())}
                    </label>
                    <label class="field field-check">
                        <input type="checkbox" data-testid="rep-away" prop:checked=move || d.away.get()
                            on:change=move |ev| d.away.set(event_target_checked(&ev)) />
                        " Away (their open leads go to others)"
                    </label>
                </div>
                {json_box("Working hours (JSON, optional)", "hours", "rep-hours", d.hours, errors,
                    "{\"zone\": \"Europe/Berlin\", \"days\": [1,2,3,4,5], \"from\": \"09:00\", \"to\": \"17:00\"}",
                    "Leads come to them only within these hours. Empty: always.")}
                <div>
                    <Submit label="Save rep" busy_label="Saving…" busy=form.busy testid="rep-submit" />
                </div>
            </form>
        </section>
    }
}

fn rep_row(
    r: SalesRep,
    edit: impl Fn(&SalesRep) + Copy + Send + Sync + 'static,
    act: impl Fn(Option<bool>, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let name = r.user.as_ref().map_or_else(|| "A former member".to_owned(), |u| person(&u.name, &u.email));
    let manager = r.manager.as_ref().map_or_else(|| "—".to_owned(), |u| person(&u.name, &u.email));
    let (away_id, remove_id) = (r.user_id.clone(), r.user_id.clone());
    let away = r.away;
    let rep = StoredValue::new(r.clone());
    view! {
        <tr data-testid="rep-row" data-user=r.user_id.clone() data-away=away.to_string()>
            <td data-testid="rep-name">{name}</td>
            <td>{r.team.clone().unwrap_or_else(|| "—".to_owned())}</td>
            <td class="num">{r.weight}</td>
            <td class="num">{r.capacity.map_or_else(|| "—".to_owned(), |c| c.to_string())}</td>
            <td>{r.sees.label()}</td>
            <td>{manager}</td>
            <td class="num" data-testid="rep-open-leads">{r.open_leads}</td>
            <td>{if away { view! { <span class="status status-pending" data-testid="rep-away-chip">"Away"</span> }.into_any() } else { view! { <span class="muted">"No"</span> }.into_any() }}</td>
            <td class="nowrap">
                <button type="button" class="btn btn-ghost btn-small" data-testid="rep-edit"
                    on:click=move |_| rep.with_value(|r| edit(r))>"Edit"</button>
                " "
                <button type="button" class="btn btn-ghost btn-small" data-testid="rep-toggle-away"
                    on:click=move |_| act(Some(!away), away_id.clone())>{if away { "Back" } else { "Mark away" }}</button>
                " "
                <button type="button" class="btn btn-ghost btn-small" data-testid="rep-remove"
                    on:click=move |_| act(None, remove_id.clone())>"Remove"</button>
            </td>
        </tr>
    }
}
