//! `/app/leads/:id` (the address escalation emails link to): one lead: its score with
//! fit and behaviour, grade, stage, owner, first-touch deadline and what it waits for;
//! why it scores what it does; its outcomes recorded; given to another member by hand
//! (owners and admins); and its history.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::activity::History;
use super::outcome::OutcomeActions;
use super::{Members, due_view, full_name, members, person, stage_chip};
use crate::components::{ErrorBanner, Form, Loading, Submit};
use crate::gql::call;
use crate::ops::leads::{AssignLead, Lead, LeadDetail, assign_lead, lead};
use crate::ops::short_time;
use crate::pages::decisions::{error_of, load_failed, send};
use crate::session::{Loaded, load, use_session};

/// One lead.
#[component]
pub fn LeadPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = load(move || {
        let id = id();
        async move { call::<Lead>(lead::Variables { id }).await.map(|d| d.lead) }
    });
    let people = load(|| async { Ok::<_, crate::gql::ApiErrors>(members().await) });
    view! {
        <Title text="Lead · Parley" />
        {move || match data.data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => load_failed(e, "/app/leads", "Leads").into_any(),
            Some(Ok(l)) => {
                let members = Signal::derive(move || people.data.with(|m| match m {
                    Some(Ok(m)) => m.clone(),
                    _ => Vec::new(),
                }));
                view! { <Detail lead=l loaded=data members=members /> }.into_any()
            }
        }}
    }
}

/// A number of points with one decimal when it has one (`12`, `7.5`).
pub(crate) fn points(p: f64) -> String {
    let rounded = (p * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 { format!("{rounded:.0}") } else { format!("{rounded:.1}") }
}

#[component]
fn Detail(lead: LeadDetail, loaded: Loaded<LeadDetail>, members: Signal<Members>) -> impl IntoView {
    let session = use_session();
    let l = lead;
    let (email, name) = match &l.contact {
        Some(c) => (c.email.clone().unwrap_or_default(), full_name(c.first_name.as_deref(), c.last_name.as_deref())),
        None => (String::new(), None),
    };
    let title = name.clone().unwrap_or_else(|| if email.is_empty() { "Lead".to_owned() } else { email.clone() });
    let done = Callback::new(move |()| loaded.reload());
    let owner = l.owner.as_ref().map(|o| person(&o.name, &o.email));
    let outcome = match (&l.revenue, &l.lost_reason) {
        (Some(m), _) => Some(format!("Won: {} {}", m.amount, m.currency_code)),
        (None, Some(r)) => Some(format!("Lost: {r}")),
        _ => l.outcome.map(|o| o.label().to_owned()),
    };
    let contact_link = l.contact.as_ref().map(|c| format!("/app/contacts/{}", c.id));
    view! {
        <Title text=format!("{title} · Leads · Parley") />
        <header class="page-head">
            <p class="muted"><A href="/app/leads">"Leads"</A>" /"</p>
            <h1 data-testid="page-title">{title.clone()} " " {stage_chip(l.stage)}</h1>
            <p class="muted">
                {(!email.is_empty()).then(|| view! { <span data-testid="lead-email">{email.clone()}</span> " · " })}
                <span data-testid="lead-state" data-open=l.open.to_string()>{if l.open { "Open" } else { "Closed" }}</span>
                {format!(" · captured {} UTC", short_time(&l.created_at))}
                {l.closed_at.as_ref().map(|c| format!(" · closed {} UTC", short_time(c)))}
                {contact_link.map(|href| view! { " · " <A href=href attr:data-testid="lead-contact-link">"Contact"</A> })}
            </p>
        </header>
        <section class="panel" data-testid="lead-facts">
            <h2>"Where it stands"</h2>
            <dl class="facts">
                <dt>"Score"</dt>
                <dd>
                    <strong data-testid="lead-score">{l.score}</strong>
                    " (fit " <span data-testid="lead-fit">{l.fit_score}</span>
                    ", behaviour " <span data-testid="lead-behaviour">{points(l.behaviour_score)}</span> ")"
                </dd>
                <dt>"Grade"</dt>
                <dd data-testid="lead-grade">{l.grade.clone()}</dd>
                <dt>"Stage"</dt>
                <dd>{stage_chip(l.stage)}</dd>
                <dt>"Owner"</dt>
                <dd data-testid="lead-owner" data-owner=l.owner.as_ref().map(|o| o.email.clone()).unwrap_or_default()>
                    {owner.unwrap_or_else(|| "No one yet".to_owned())}
                    {l.team.clone().map(|t| format!(" · team {t}"))}
                </dd>
                <dt>"First touch due"</dt>
                <dd>{due_view(l.sla_due_at.clone(), l.overdue, l.open)}</dd>
                {l.waiting.clone().map(|w| view! {
                    <dt>"Waiting"</dt>
                    <dd data-testid="lead-waiting">{w}</dd>
                })}
                {l.routing_rule.clone().map(|r| view! {
                    <dt>"Routed by"</dt>
                    <dd data-testid="lead-rule">{r.name}</dd>
                })}
                {(l.escalations > 0).then(|| view! {
                    <dt>"Escalations"</dt>
                    <dd data-testid="lead-escalations">{l.escalations}</dd>
                })}
                <dt>"Source"</dt>
                <dd data-testid="lead-source">{l.source.clone()}{l.source_ref.clone().map(|r| format!(" · {r}"))}</dd>
                {outcome.map(|o| view! {
                    <dt>"Outcome"</dt>
                    <dd data-testid="lead-outcome">{o}</dd>
                })}
            </dl>
            {l.open.then(|| view! {
                <h3>"Record an outcome"</h3>
                <OutcomeActions lead_id=l.id.clone() stage=l.stage done=done />
            })}
            {move || (l.open && session.is_admin()).then(|| view! {
                <AssignForm lead_id=l.id.clone() current=l.owner.as_ref().map(|o| o.id.clone()) members=members done=done />
            })}
        </section>
        <section class="panel" data-testid="lead-reasons">
            <h2>"Why it scores " {l.score}</h2>
            {if l.reasons.is_empty() {
                view! { <p class="muted empty" data-testid="reasons-empty">"Nothing scored yet: without a scoring model every lead goes straight to sales."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="reasons-table">
                        <thead><tr><th>"Kind"</th><th>"Reason"</th><th>"Points"</th><th>"Times"</th></tr></thead>
                        <tbody>
                            {l.reasons.iter().map(|r| view! {
                                <tr data-testid="reason-row">
                                    <td data-testid="reason-kind">{if r.kind == "FIT" { "Fit" } else { "Behaviour" }}</td>
                                    <td data-testid="reason-text">{r.reason.clone()}</td>
                                    <td class="num" data-testid="reason-points">{points(r.points)}</td>
                                    <td class="num" data-testid="reason-count">{r.count}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <History activities=l.activities.clone() members=members />
    }
}

/// Gives the lead to a member by hand.
#[component]
fn AssignForm(lead_id: String, current: Option<String>, members: Signal<Members>, done: Callback<()>) -> impl IntoView {
    let form = Form::new();
    let errors = form.errors;
    let chosen = RwSignal::new(current.clone().unwrap_or_default());
    let lead_id = StoredValue::new(lead_id);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let owner_id = chosen.get_untracked();
        if owner_id.is_empty() {
            errors.set_field("ownerId", "Choose a member.");
            return;
        }
        let variables = assign_lead::Variables { lead_id: lead_id.get_value(), owner_id };
        send::<AssignLead, _>(form, variables, &["ownerId"], move |_| done.run(()));
    };
    view! {
        <form class="lead-inline" data-testid="assign-form" on:submit=submit>
            <ErrorBanner errors=errors />
            <label class="field" class:invalid=move || errors.field("ownerId").is_some()>
                <span class="field-label">"Give it to"</span>
                <select data-testid="assign-owner" prop:value=move || chosen.get()
                    on:change=move |ev| chosen.set(event_target_value(&ev))>
                    <option value="">"Choose a member…"</option>
                    {move || members.get().into_iter().map(|(id, n)| {
                        let selected = chosen.get_untracked() == id;
                        view! { <option value=id selected=selected>{n}</option> }
                    }).collect_view()}
                </select>
                {error_of(errors, "ownerId".to_owned())}
            </label>
            <div>
                <Submit label="Assign" busy_label="Assigning…" busy=form.busy testid="assign-submit" />
            </div>
        </form>
    }
}
