//! `/app/points`: the interaction points where offers are shown (a web page's banner, a
//! kiosk, the call center's script), and the form of a new one; the same form edits a
//! point on its own page.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::{error_of, send};
use crate::components::{Chunk, ErrorBanner, Field, Form, LoadError, Loading, PagedTable, Submit, paged};
use crate::gql::call;
use crate::ops::decisions::{
    Channel, CreateInteractionPoint, InteractionPoints, PointRow, PointSetup, UpdateInteractionPoint,
    create_interaction_point, interaction_points, point_setup, update_interaction_point,
};
use crate::session::load;

/// The input fields the server may name in an error, each shown under its control.
const FIELDS: &[&str] = &["name", "channel", "maxOffers", "fallbackOfferId", "responseWindow"];

/// An active offer a point may fall back on: ID, code, name, channels.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Choice {
    pub id: String,
    pub code: String,
    pub name: String,
    pub channels: Vec<Channel>,
}

/// A point's settings as they stand.
#[derive(Clone, Debug, Default)]
pub(crate) struct Settings {
    pub name: String,
    pub channel: Option<Channel>,
    pub max_offers: i64,
    pub fallback: Option<String>,
    pub window: String,
}

/// What the point form does when saved.
#[derive(Clone)]
pub(crate) enum PointMode {
    /// Adds a point, then opens it.
    New,
    /// Changes point `id`, then `saved` runs.
    Edit { id: String, saved: Callback<()> },
}

/// The interaction points.
#[component]
pub fn PointsPage() -> impl IntoView {
    let setup = load(|| call::<PointSetup>(point_setup::Variables));
    let list = paged(
        move |after| async move {
            call::<InteractionPoints>(interaction_points::Variables { after })
                .await
                .map(|d| Chunk::from(d.interaction_points))
        },
        |p: &PointRow| p.id.clone(),
    );
    view! {
        <Title text="Interaction points · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Interaction points"</h1>
            <p class="muted">
                "Where offers are shown: each point picks the best eligible offers from its treatment rules, falling back on one offer when none is eligible."
                " "
                <A href="/app/offers" attr:data-testid="offers-link">"Offers"</A>
            </p>
        </header>
        <section class="panel">
            <h2>"All points"</h2>
            <PagedTable
                list=list
                head=&["Point", "Channel", "Max offers", "Response window", "Holdout", "Rules"]
                row=point_row
                empty=Signal::derive(|| "No interaction points yet: add the first one below.".to_owned())
                testid="points"
            />
        </section>
        <section class="panel" data-testid="point-new">
            <h2>"New interaction point"</h2>
            {move || match setup.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(d)) => {
                    let offers = d
                        .offers
                        .nodes
                        .into_iter()
                        .map(|o| Choice { id: o.id, code: o.code, name: o.name, channels: o.channels })
                        .collect();
                    view! { <PointForm mode=PointMode::New settings=Settings::default() offers=offers /> }.into_any()
                }
            }}
        </section>
    }
}

fn point_row(p: PointRow) -> impl IntoView {
    let name = p.name.clone();
    view! {
        <tr data-testid="point-row" data-name=name>
            <td><A href=format!("/app/points/{}", p.id) attr:data-testid="point-link">{p.name}</A></td>
            <td data-testid="point-channel">{p.channel.label()}</td>
            <td class="num">{p.max_offers}</td>
            <td class="nowrap">{p.response_window}</td>
            <td class="num">{format!("{}%", p.holdout_percent)}</td>
            <td class="num" data-testid="point-rules">{p.rules.len()}</td>
        </tr>
    }
}

/// The settings of a point: new, or edited on its page.
#[component]
pub(crate) fn PointForm(mode: PointMode, settings: Settings, offers: Vec<Choice>) -> impl IntoView {
    let form = Form::new();
    let errors = form.errors;
    let editing = matches!(mode, PointMode::Edit { .. });
    let name = RwSignal::new(settings.name);
    let channel = RwSignal::new(settings.channel.unwrap_or(Channel::Web).as_str().to_owned());
    let max_offers =
        RwSignal::new(if settings.max_offers > 0 { settings.max_offers.to_string() } else { String::new() });
    let fallback = RwSignal::new(settings.fallback.unwrap_or_default());
    let window = RwSignal::new(settings.window);
    let navigate = use_navigate();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let typed_max = max_offers.get_untracked();
        let max = if typed_max.trim().is_empty() {
            None
        } else {
            let Ok(n) = typed_max.trim().parse::<i64>() else {
                errors.set_field("maxOffers", "is a whole number from 1 to 20");
                return;
            };
            Some(n)
        };
        let channel = Channel::parse(&channel.get_untracked()).unwrap_or(Channel::Unknown);
        let name = name.get_untracked().trim().to_owned();
        let fallback = Some(fallback.get_untracked()).filter(|f| !f.is_empty());
        let window = Some(window.get_untracked().trim().to_owned()).filter(|w| !w.is_empty());
        match &mode {
            PointMode::New => {
                let input = create_interaction_point::InteractionPointInput {
                    name,
                    channel,
                    max_offers: max,
                    fallback_offer_id: fallback,
                    response_window: window,
                };
                let navigate = navigate.clone();
                send::<CreateInteractionPoint, _>(
                    form,
                    create_interaction_point::Variables { input },
                    FIELDS,
                    move |d| navigate(&format!("/app/points/{}", d.create_interaction_point.id), Default::default()),
                );
            }
            PointMode::Edit { id, saved } => {
                let input = update_interaction_point::InteractionPointInput {
                    name,
                    channel,
                    max_offers: max,
                    fallback_offer_id: fallback,
                    response_window: window,
                };
                let saved = *saved;
                let variables = update_interaction_point::Variables { id: id.clone(), input };
                send::<UpdateInteractionPoint, _>(form, variables, FIELDS, move |_| saved.run(()));
            }
        }
    };
    let offers = StoredValue::new(offers);
    // Only the offers shown on the chosen channel may be its fallback.
    let fallback_options = move || {
        let on = Channel::parse(&channel.get()).unwrap_or(Channel::Unknown);
        offers
            .get_value()
            .into_iter()
            .filter(|o| o.channels.contains(&on) || fallback.get_untracked() == o.id)
            .map(|o| {
                let selected = fallback.get_untracked() == o.id;
                view! { <option value=o.id.clone() selected=selected>{format!("{} · {}", o.code, o.name)}</option> }
            })
            .collect_view()
    };
    let (label, testid_prefix) = if editing { ("Save settings", "point-save") } else { ("Add point", "point-submit") };
    view! {
        <form class="form point-form" data-testid="point-form" on:submit=submit>
            <ErrorBanner errors=errors />
            <div class="form-row">
                <Field label="Name" name="name" value=name errors=errors testid="point-name" placeholder="Checkout banner" />
                <label class="field" class:invalid=move || errors.field("channel").is_some()>
                    <span class="field-label">"Channel"</span>
                    <select data-testid="point-channel-select" prop:value=move || channel.get()
                        on:change=move |ev| channel.set(event_target_value(&ev))>
                        {Channel::ALL.iter().map(|c| view! {
                            <option value=c.as_str() selected=channel.get_untracked() == c.as_str()>{c.label()}</option>
                        }).collect_view()}
                    </select>
                    {error_of(errors, "channel".to_owned())}
                </label>
                <Field label="Max offers" name="maxOffers" value=max_offers errors=errors testid="point-max-offers"
                    kind="number" optional=true placeholder="1" hint="How many offers one answer holds (1 to 20)." />
            </div>
            <div class="form-row">
                <label class="field" class:invalid=move || errors.field("fallbackOfferId").is_some()>
                    <span class="field-label">"Fallback offer (optional)"</span>
                    <select data-testid="point-fallback" prop:value=move || fallback.get()
                        on:change=move |ev| fallback.set(event_target_value(&ev))>
                        <option value="">"None"</option>
                        {fallback_options}
                    </select>
                    <span class="field-hint">"An active offer on the point's channel, shown when no rule's offer is eligible."</span>
                    {error_of(errors, "fallbackOfferId".to_owned())}
                </label>
                <Field label="Response window" name="responseWindow" value=window errors=errors testid="point-window"
                    optional=true placeholder="PT24H" hint="How long after a presentation a response still counts (ISO 8601, PT1M to P90D)." />
            </div>
            <div>
                <Submit label=label busy_label="Saving…" busy=form.busy testid=testid_prefix />
            </div>
        </form>
    }
}
