//! The decisioning catalogue. `/app/offers`: the offers by status, and the form of a new
//! one (in [`offer_form`]); `/app/offers/:id` (in [`offer`]): one offer, edited into a
//! new version, its versions, retired; `/app/points` and `/app/points/:id` (in
//! [`points`] and [`point`]): the interaction points where offers are shown, their
//! settings, how they learn and what they have learnt (in [`learning`]), their treatment
//! rules, and a decision tried by hand (in [`try_decision`]); `/app/call-center` (in
//! [`call_center`]): an agent's next best offers for the caller, and their responses;
//! `/app/optimization` and `/app/optimization/:id` (in [`optimization`] and
//! [`optimization_run`]): contact optimization runs, started from a file of proposals
//! with their constraints, followed while they work, and what each chose and refused.

mod call_center;
mod learning;
mod offer;
mod offer_form;
mod optimization;
mod optimization_run;
mod point;
mod points;
mod try_decision;

pub use call_center::CallCenterPage;
pub use offer::OfferPage;
pub use optimization::OptimizationPage;
pub use optimization_run::OptimizationRunPage;
pub use point::PointPage;
pub use points::PointsPage;

use graphql_client::GraphQLQuery;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::{Chunk, Form, FormErrors, LoadError, PagedTable, paged};
use crate::gql::{ApiErrors, call};
use crate::ops::decisions::{Channel, OfferRow, Offers, offers};
use crate::pages::assets::enum_name;
use offer_form::{Mode, OfferForm};

/// The statuses the catalogue filters by, with their words.
const STATUSES: [(&str, &str); 4] =
    [("ACTIVE", "Active"), ("IN_APPROVAL", "In approval"), ("DRAFT", "Draft"), ("RETIRED", "Retired")];

/// An offer status's words.
pub(crate) fn status_label(status: &str) -> &'static str {
    STATUSES.iter().find(|(s, _)| *s == status).map_or("Unknown", |(_, l)| l)
}

/// The status chip of an offer (`data-status` carries the schema's name).
pub(crate) fn status_chip(status: &str) -> impl IntoView + use<> {
    let class = match status {
        "ACTIVE" => "status status-done",
        "IN_APPROVAL" => "status status-running",
        "DRAFT" => "status status-queued",
        _ => "status status-revoked",
    };
    view! {
        <span class=class data-testid="offer-status" data-status=status.to_owned()>
            {status_label(status)}
        </span>
    }
}

/// Channels as a marketer reads them, comma separated.
pub(crate) fn channel_list(channels: &[Channel]) -> String {
    channels.iter().map(|c| c.label()).collect::<Vec<_>>().join(", ")
}

/// The field of `fields` an error about `field` is shown under: the same one, else the
/// closest one containing it (`eligibility.all[0].op` under `eligibility`).
pub(crate) fn owner_field<'a>(field: &str, fields: &[&'a str]) -> Option<&'a str> {
    if let Some(f) = fields.iter().find(|f| **f == field) {
        return Some(f);
    }
    fields
        .iter()
        .filter(|f| field.starts_with(**f) && matches!(field.as_bytes().get(f.len()), Some(b'.' | b'[')))
        .max_by_key(|f| f.len())
        .copied()
}

/// Shows `e`: each `BAD_USER_INPUT` error under the field of `fields` that names or
/// contains it, everything else in the banner.
pub(crate) fn show_errors(errors: FormErrors, e: &ApiErrors, fields: &[&str]) {
    let mut placed = Vec::new();
    let mut other = Vec::new();
    for error in &e.0 {
        // The message names the field it is about (`eligibility.all[0].op is one of …`).
        let at = error
            .field
            .as_deref()
            .filter(|_| error.code.as_deref() == Some("BAD_USER_INPUT"))
            .and_then(|f| owner_field(f, fields));
        match at {
            Some(owner) => placed.push((owner, error.message.clone())),
            None => other.push(error.clone()),
        }
    }
    errors.show(&ApiErrors(other), &[]);
    for (field, message) in placed {
        errors.set_field(field, &message);
    }
}

/// Sends `Q` for `form` (already started): the answer to `done`, errors placed by
/// [`show_errors`].
pub(crate) fn send<Q, F>(form: Form, variables: Q::Variables, fields: &'static [&'static str], done: F)
where
    Q: GraphQLQuery + 'static,
    Q::Variables: 'static,
    F: FnOnce(Q::ResponseData) + 'static,
{
    let Form { errors, busy } = form;
    busy.set(true);
    spawn_local(async move {
        let answer = call::<Q>(variables).await;
        busy.set(false);
        match answer {
            Ok(data) => done(data),
            Err(e) => show_errors(errors, &e, fields),
        }
    });
}

/// The error of one field under it, if the form has one (`data-testid="error-<field>"`).
pub(crate) fn error_of(errors: FormErrors, field: String) -> impl IntoView {
    move || {
        errors
            .field(&field)
            .map(|m| view! { <span class="field-error" data-testid=format!("error-{field}")>{m}</span> })
    }
}

/// What an API refusal says when the thing is not in this workspace.
pub(crate) fn load_failed(e: ApiErrors, back: &'static str, back_label: &'static str) -> impl IntoView {
    let missing = e.has_code("NOT_FOUND");
    view! {
        <header class="page-head">
            <p class="muted"><A href=back>{back_label}</A>" /"</p>
            {missing.then(|| view! { <h1 data-testid="page-title">"Not found"</h1> })}
        </header>
        <LoadError errors=e />
    }
}

/// The offer catalogue.
#[component]
pub fn OffersPage() -> impl IntoView {
    let status = RwSignal::new(String::new());
    let list = paged(
        move |after| {
            let status = Some(status.get_untracked())
                .filter(|s| !s.is_empty())
                .and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok());
            async move { call::<Offers>(offers::Variables { status, after }).await.map(|d| Chunk::from(d.offers)) }
        },
        |o: &OfferRow| o.id.clone(),
    );
    let empty = Signal::derive(move || {
        if status.with(String::is_empty) {
            "No offers yet: add the first one below.".to_owned()
        } else {
            format!("No offer is {}.", status_label(&status.get()).to_lowercase())
        }
    });
    view! {
        <Title text="Offers · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Offers"</h1>
            <p class="muted">
                "The catalogue of what the interaction points may offer: what each is worth and costs, where and when it may be shown, and how."
                " "
                <A href="/app/points" attr:data-testid="points-link">"Interaction points"</A>
            </p>
        </header>
        <section class="panel">
            <div class="panel-head">
                <h2>"Catalogue"</h2>
                <label class="field field-inline">
                    <span class="field-label">"Status"</span>
                    <select
                        data-testid="offers-status"
                        on:change=move |ev| {
                            status.set(event_target_value(&ev));
                            list.restart();
                        }
                    >
                        <option value="">"All"</option>
                        {STATUSES.into_iter().map(|(s, l)| view! { <option value=s>{l}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <PagedTable
                list=list
                head=&["Code", "Name", "Channels", "Value", "Status", "Version"]
                row=offer_row
                empty=empty
                testid="offers"
            />
        </section>
        <section class="panel" data-testid="offer-new">
            <h2>"New offer"</h2>
            <OfferForm mode=Mode::New initial=None />
        </section>
    }
}

fn offer_row(o: OfferRow) -> impl IntoView {
    let status = enum_name(&o.status);
    let code = o.code.clone();
    view! {
        <tr data-testid="offer-row" data-code=code data-status=status.clone()>
            <td><A href=format!("/app/offers/{}", o.id) attr:data-testid="offer-link">{o.code}</A></td>
            <td data-testid="offer-name">{o.name}</td>
            <td data-testid="offer-channels">{channel_list(&o.channels)}</td>
            <td class="num nowrap" data-testid="offer-value">{format!("{} {}", o.value.amount, o.value.currency_code)}</td>
            <td>{status_chip(&status)}</td>
            <td class="num" data-testid="offer-row-version">{format!("v{}", o.version)}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_errors_go_under_the_field_that_holds_them() {
        let fields = ["eligibility", "offerIds", "creatives[0].link", "creatives"];
        assert_eq!(owner_field("eligibility", &fields), Some("eligibility"));
        assert_eq!(owner_field("eligibility.all[0].op", &fields), Some("eligibility"));
        assert_eq!(owner_field("offerIds[0]", &fields), Some("offerIds"));
        assert_eq!(owner_field("creatives[0].link", &fields), Some("creatives[0].link"));
        assert_eq!(owner_field("creatives[1].link", &fields), Some("creatives"));
        assert_eq!(owner_field("eligibilityX", &fields), None);
        assert_eq!(owner_field("code", &fields), None);
    }
}
