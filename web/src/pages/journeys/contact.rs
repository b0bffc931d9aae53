//! The journeys a contact is or was in, for the contact's page: each journey named with
//! a link, where the contact stands in it and since when.

use leptos::prelude::*;
use leptos_router::components::A;

use super::enrolments::enrolment_chip;
use crate::components::{LoadError, Loading};
use crate::gql::call;
use crate::ops::journeys::{ContactJourney, ContactJourneys, contact_journeys};
use crate::ops::short_time;
use crate::session::load;

/// The contact's journeys, newest first.
#[component]
pub fn ContactJourneysPanel(contact_id: String) -> impl IntoView {
    let data = load(move || call::<ContactJourneys>(contact_journeys::Variables { contact_id: contact_id.clone() }));
    let row = |e: ContactJourney| {
        view! {
            <tr data-testid="contact-journey-row">
                <td><A href=format!("/app/journeys/{}", e.journey.id) attr:data-testid="contact-journey-link">{e.journey.name}</A></td>
                <td>{enrolment_chip(e.status)}</td>
                <td data-testid="contact-journey-step">{e.step}</td>
                <td class="nowrap muted">{format!("{} UTC", short_time(&e.entered_at))}</td>
            </tr>
        }
    };
    view! {
        <section class="panel" data-testid="contact-journeys">
            <h2>"Journeys"</h2>
            {move || match data.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(d)) if d.contact_journeys.is_empty() => view! {
                    <p class="muted empty" data-testid="contact-journeys-empty">"Not in any journey."</p>
                }.into_any(),
                Some(Ok(d)) => view! {
                    <table class="table">
                        <thead><tr><th>"Journey"</th><th>"Status"</th><th>"Step"</th><th>"Entered"</th></tr></thead>
                        <tbody>{d.contact_journeys.into_iter().map(row).collect_view()}</tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}
