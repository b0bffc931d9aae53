//! `/app/call-center`: an agent on a call finds the caller among the contacts, sees what
//! happened with them lately, asks an interaction point (the phone's first) for the next
//! best offers, reads each offer's script (its creatives) to the caller, and records with
//! one click what the caller did with it; the response joins the caller's timeline.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;

use super::try_decision::mode_label;
use crate::components::{Chunk, ErrorBanner, Form, FormErrors, LoadError, Loading, Paged, PagedTable, paged};
use crate::gql::call;
use crate::ops::contacts::{ContactEvent, ContactEvents, ContactList, ContactRow, contact_events, contact_list};
use crate::ops::decisions::{
    AgentPoint, CallCenterPoints, Channel, Decide, DecidedOffer, Decision, Respond, call_center_points, decide, respond,
};
use crate::ops::{PageInfo, short_time};
use crate::pages::contacts::detail::event_label;
use crate::pages::contacts::given;
use crate::session::{Loaded, load};

/// The outcomes an agent records: the schema's name and the button's words.
pub(crate) const OUTCOMES: [(&str, &str); 4] =
    [("ACCEPTED", "Accepted"), ("REJECTED", "Rejected"), ("CLICKED", "Clicked"), ("CONVERTED", "Converted")];

/// An outcome's words (the schema's name when unknown).
pub(crate) fn outcome_label(outcome: &str) -> String {
    OUTCOMES.iter().find(|(o, _)| *o == outcome).map_or_else(|| outcome.to_owned(), |(_, l)| (*l).to_owned())
}

/// The outcome named `name` as the API takes it.
fn outcome_of(name: &str) -> respond::ResponseOutcome {
    match name {
        "ACCEPTED" => respond::ResponseOutcome::ACCEPTED,
        "REJECTED" => respond::ResponseOutcome::REJECTED,
        "CLICKED" => respond::ResponseOutcome::CLICKED,
        "CONVERTED" => respond::ResponseOutcome::CONVERTED,
        other => respond::ResponseOutcome::Other(other.to_owned()),
    }
}

/// The points an agent picks from: phone points (the call center's) first, each group in
/// the workspace's order.
pub(crate) fn phone_first(points: Vec<AgentPoint>) -> Vec<AgentPoint> {
    let (mut phone, other): (Vec<_>, Vec<_>) = points.into_iter().partition(|p| p.channel == Channel::Phone);
    phone.extend(other);
    phone
}

/// Whether an offer can be clicked at all: one of its creatives links somewhere.
pub(crate) fn clickable(o: &DecidedOffer) -> bool {
    o.offer.creatives.iter().any(|c| c.link.as_deref().is_some_and(|l| !l.trim().is_empty()))
}

/// A contact as an agent names them: their name, else email, else phone.
fn who(c: &ContactRow) -> String {
    [Some(c.display_name.clone()), c.email.clone(), c.phone.clone()]
        .into_iter()
        .flatten()
        .find(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "Unnamed contact".to_owned())
}

/// The call-center page.
#[component]
pub fn CallCenterPage() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let picked = RwSignal::new(None::<ContactRow>);
    let point = RwSignal::new(String::new());
    let decision = RwSignal::new(None::<Decision>);
    let contacts = paged(
        move |after| {
            let search = given(&search);
            async move {
                call::<ContactList>(contact_list::Variables { after, search }).await.map(|d| Chunk::from(d.contacts))
            }
        },
        |c: &ContactRow| c.id.clone(),
    );
    let timeline = paged(
        move |after| {
            let id = picked.get_untracked().map(|c| c.id);
            async move {
                match id {
                    None => Ok(Chunk { rows: Vec::new(), page: PageInfo::default(), total: 0 }),
                    Some(id) => call::<ContactEvents>(contact_events::Variables { id, after })
                        .await
                        .map(|d| Chunk::from(d.contact.events)),
                }
            }
        },
        |e: &ContactEvent| e.id.clone(),
    );
    let points = load(|| async { call::<CallCenterPoints>(call_center_points::Variables).await });
    // The phone's first point is chosen until the agent picks another.
    Effect::new(move |_| {
        if let Some(Ok(d)) = points.data.get()
            && point.with_untracked(String::is_empty)
            && let Some(first) = phone_first(d.interaction_points.nodes).into_iter().next()
        {
            point.set(first.id);
        }
    });
    let pick = move |c: ContactRow| {
        picked.set(Some(c));
        decision.set(None);
        timeline.restart();
    };
    let empty = Signal::derive(move || {
        if search.with(|s| s.trim().is_empty()) {
            "No contacts yet.".to_owned()
        } else {
            "No contact matches this search.".to_owned()
        }
    });
    view! {
        <Title text="Call center · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Call center"</h1>
            <p class="muted">
                "Find the caller, see what happened with them lately, and offer what suits them best now. "
                <A href="/app/points">"Interaction points"</A>
            </p>
        </header>
        <section class="panel" data-testid="cc-find">
            <div class="panel-head">
                <h2>"Find the caller"</h2>
                <input
                    type="search"
                    class="search"
                    placeholder="Search by name, email, phone or ID"
                    data-testid="cc-search"
                    prop:value=move || search.get()
                    on:input=move |ev| {
                        search.set(event_target_value(&ev));
                        contacts.restart();
                    }
                />
            </div>
            <PagedTable
                list=contacts
                head=&["Name", "Email", "Phone", ""]
                row=move |c: ContactRow| {
                    let chosen = c.id.clone();
                    let is_picked = move || picked.with(|p| p.as_ref().is_some_and(|p| p.id == chosen));
                    let selected = is_picked.clone();
                    let row = c.clone();
                    view! {
                        <tr data-testid="cc-contact" data-id=c.id.clone() data-email=c.email.clone().unwrap_or_default()
                            class:selected=selected>
                            <td>{who(&c)}</td>
                            <td>{c.email.clone().unwrap_or_default()}</td>
                            <td>{c.phone.clone().unwrap_or_default()}</td>
                            <td>
                                <button type="button" class="btn btn-ghost btn-small" data-testid="cc-pick"
                                    disabled=is_picked on:click=move |_| pick(row.clone())>"Talk to"</button>
                            </td>
                        </tr>
                    }
                }
                empty=empty
                testid="cc-contacts"
            />
        </section>
        {move || picked.get().map(|c| view! {
            <Caller contact=c points=points point=point decision=decision timeline=timeline />
        })}
    }
}

/// Everything about the caller picked: their timeline, and the offers for them.
#[component]
fn Caller(
    contact: ContactRow,
    points: Loaded<call_center_points::ResponseData>,
    point: RwSignal<String>,
    decision: RwSignal<Option<Decision>>,
    timeline: Paged<ContactEvent>,
) -> impl IntoView {
    let form = Form::new();
    let errors = form.errors;
    let contact_id = contact.id.clone();
    let ask = move |_| {
        if !form.start() {
            return;
        }
        let point_id = point.get_untracked();
        if point_id.is_empty() {
            errors.set_field("pointId", "Choose an interaction point first.");
            return;
        }
        let input = decide::DecideInput {
            point_id,
            contact_id: Some(contact_id.clone()),
            email: None,
            external_id: None,
            anonymous_id: None,
            context: None,
            count: None,
            explain: false,
        };
        super::send::<Decide, _>(form, decide::Variables { input }, &["pointId"], move |d| {
            decision.set(Some(d.decide));
            timeline.reload();
        });
    };
    view! {
        <section class="panel" data-testid="cc-caller" data-id=contact.id.clone()>
            <h2 data-testid="cc-caller-name">{who(&contact)}</h2>
            <p class="muted">
                {[contact.email.clone(), contact.phone.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ")}
                " "
                <A href=format!("/app/contacts/{}", contact.id)>"Open the contact"</A>
            </p>
            <div class="form form-row">
                <ErrorBanner errors=errors />
                <label class="field" class:invalid=move || errors.field("pointId").is_some()>
                    <span class="field-label">"Interaction point"</span>
                    {move || match points.data.get() {
                        None => view! { <Loading /> }.into_any(),
                        Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                        Some(Ok(d)) if d.interaction_points.nodes.is_empty() => view! {
                            <p class="muted" data-testid="cc-no-points">
                                "No interaction point yet: " <A href="/app/points">"add one"</A> " first."
                            </p>
                        }.into_any(),
                        Some(Ok(d)) => view! {
                            <select data-testid="cc-point" prop:value=move || point.get()
                                on:change=move |ev| point.set(event_target_value(&ev))>
                                {phone_first(d.interaction_points.nodes).into_iter().map(|p| {
                                    let label = format!("{} · {}", p.name, p.channel.label());
                                    view! { <option value=p.id.clone() data-channel=p.channel.as_str()>{label}</option> }
                                }).collect_view()}
                            </select>
                        }.into_any(),
                    }}
                    <span class="field-hint">"Phone points, the call center's, come first."</span>
                    {super::error_of(errors, "pointId".to_owned())}
                </label>
                <button type="button" class="btn btn-primary" data-testid="cc-decide"
                    disabled=move || form.busy.get() || point.with(String::is_empty) on:click=ask>
                    {move || if form.busy.get() { "Deciding…" } else { "Next best offers" }}
                </button>
            </div>
            {move || decision.get().map(|d| offers_view(d, timeline))}
        </section>
        <section class="panel" data-testid="cc-timeline">
            <h2>"Recent history"</h2>
            <PagedTable
                list=timeline
                head=&["When", "What", "Details"]
                row=|e: ContactEvent| view! {
                    <tr data-testid="cc-event" data-kind=e.kind.clone()>
                        <td class="muted nowrap">{short_time(&e.occurred_at)}</td>
                        <td data-testid="cc-event-kind">{event_label(&e.kind)}</td>
                        <td class="muted"><code>{e.properties.to_string()}</code></td>
                    </tr>
                }
                empty="Nothing has happened with this contact yet."
                testid="cc-events"
            />
        </section>
    }
}

fn offers_view(d: Decision, timeline: Paged<ContactEvent>) -> impl IntoView {
    let decision_id = d.id.clone();
    let none = d.offers.is_empty();
    view! {
        <div data-testid="cc-decision" data-decision=d.id.clone() data-mode=d.mode.clone()>
            <p class="muted" data-testid="cc-mode">{mode_label(&d.mode)}</p>
            {none.then(|| view! { <p class="muted" data-testid="cc-no-offers">"Nothing to offer this caller at this point."</p> })}
            <div class="cards">
                {d.offers.into_iter().map(|o| view! {
                    <OfferCard decision=decision_id.clone() offer=o timeline=timeline />
                }).collect_view()}
            </div>
        </div>
    }
}

/// One offer to read to the caller, with its outcome buttons.
#[component]
fn OfferCard(decision: String, offer: DecidedOffer, timeline: Paged<ContactEvent>) -> impl IntoView {
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let recorded = RwSignal::new(Vec::<String>::new());
    let outcomes: Vec<(&str, &str)> =
        OUTCOMES.into_iter().filter(|(o, _)| *o != "CLICKED" || clickable(&offer)).collect();
    let offer_id = offer.offer.id.clone();
    let record = move |outcome: &'static str| {
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        busy.set(true);
        let input = respond::RespondInput {
            decision_id: decision.clone(),
            offer_id: offer_id.clone(),
            outcome: outcome_of(outcome),
            revenue: None,
        };
        spawn_local(async move {
            let answer = call::<Respond>(respond::Variables { input }).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(r) => {
                    let said = r.respond.outcome;
                    let _ = recorded.try_update(|list| {
                        if !list.contains(&said) {
                            list.push(said);
                        }
                    });
                    timeline.reload();
                }
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    let o = offer.offer;
    view! {
        <div class="card" data-testid="cc-offer" data-code=o.code.clone() data-rank=offer.rank.to_string()>
            <span class="card-label">{format!("#{} · {}", offer.rank, o.code)}</span>
            <p class="card-value card-value-text" data-testid="cc-offer-name">{o.name.clone()}</p>
            {o.creatives.into_iter().map(|c| view! {
                <div class="creative" data-testid="cc-creative">
                    <strong data-testid="cc-creative-title">{c.title}</strong>
                    <span data-testid="cc-creative-body">{c.body}</span>
                    {c.link.map(|l| {
                        let href = l.clone();
                        view! { <a href=href target="_blank" rel="noopener">{l}</a> }
                    })}
                </div>
            }).collect_view()}
            <div class="confirm" data-testid="cc-outcomes">
                {outcomes.into_iter().map(|(outcome, label)| {
                    let done = move || recorded.with(|r| r.iter().any(|x| x == outcome));
                    let record = record.clone();
                    view! {
                        <button type="button" data-testid="cc-respond" data-outcome=outcome
                            class=move || if done() { "btn btn-primary btn-small" } else { "btn btn-ghost btn-small" }
                            disabled=move || busy.get() || done()
                            on:click=move |_| record(outcome)>{label}</button>
                    }
                }).collect_view()}
            </div>
            {move || {
                let said = recorded.get();
                (!said.is_empty()).then(|| view! {
                    <p class="card-note" data-testid="cc-outcome">
                        {format!("Recorded: {}", said.iter().map(|s| outcome_label(s)).collect::<Vec<_>>().join(", "))}
                    </p>
                })
            }}
            <ErrorBanner errors=errors />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(name: &str, channel: Channel) -> AgentPoint {
        AgentPoint { id: name.to_owned(), name: name.to_owned(), channel, max_offers: 1 }
    }

    #[test]
    fn phone_points_come_first() {
        let all = vec![point("banner", Channel::Web), point("calls", Channel::Phone), point("kiosk", Channel::Kiosk)];
        let names: Vec<String> = phone_first(all).into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["calls", "banner", "kiosk"]);
        assert_eq!(outcome_label("ACCEPTED"), "Accepted");
        assert_eq!(outcome_label("LATER"), "LATER");
    }
}
