//! Email campaigns. `/app/campaigns`: the campaigns by status, and the builder of a new
//! one (in [`builder`]); `/app/campaigns/:id` (in [`detail`]): one campaign, launched,
//! paused, resumed or cancelled, its progress followed live, and once started what it
//! caused (in [`results`]); `/app/email-templates`
//! and `/app/email-templates/:id` (in [`templates`] and [`editor`]): the templates,
//! written in MJML and previewed as a chosen contact would receive them; `/app/sending`
//! (in [`sending`]): the sending domains with their DKIM records, the inbound address
//! for bounces, the suppression list, and the contact policy (in [`policy`]).

mod builder;
mod detail;
mod editor;
mod policy;
pub(crate) mod results;
mod sending;
mod templates;

pub use detail::CampaignPage;
pub use editor::EmailTemplatePage;
pub use sending::SendingPage;
pub use templates::EmailTemplatesPage;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::{Chunk, FormErrors, PagedTable, paged};
use crate::gql::call;
use crate::ops::campaigns::{CampaignRow, Campaigns, campaigns};
use crate::ops::short_time;
use crate::pages::assets::enum_name;
use builder::NewCampaign;

/// Every campaign status, in the order a campaign goes through them.
pub(crate) const STATUSES: [&str; 7] =
    ["DRAFT", "IN_APPROVAL", "SCHEDULED", "RUNNING", "PAUSED", "COMPLETED", "CANCELLED"];

/// A campaign status's class suffix and words.
pub(crate) fn status_label(status: &str) -> (&'static str, &'static str) {
    match status {
        "DRAFT" => ("draft", "Draft"),
        "IN_APPROVAL" => ("in-approval", "In approval"),
        "SCHEDULED" => ("scheduled", "Scheduled"),
        "RUNNING" => ("running", "Sending"),
        "PAUSED" => ("paused", "Paused"),
        "COMPLETED" => ("completed", "Completed"),
        "CANCELLED" => ("cancelled", "Cancelled"),
        _ => ("unknown", "Unknown"),
    }
}

/// The status chip of a campaign (`data-status` carries the schema's name).
pub(crate) fn status_chip(status: &str) -> impl IntoView + use<> {
    let (class, label) = status_label(status);
    view! {
        <span class=format!("status campaign-{class}") data-testid="campaign-status" data-status=status.to_owned()>
            {label}
        </span>
    }
}

/// Whether a campaign in `status` is sending, or about to: its page follows it live.
pub(crate) fn is_moving(status: &str) -> bool {
    matches!(status, "SCHEDULED" | "RUNNING")
}

/// The error of one field under it, if the form has one (`data-testid="error-<field>"`).
pub(crate) fn field_error(errors: FormErrors, field: &'static str) -> impl IntoView {
    move || {
        errors.field(field).map(|m| view! { <span class="field-error" data-testid=format!("error-{field}")>{m}</span> })
    }
}

/// The campaigns page.
#[component]
pub fn CampaignsPage() -> impl IntoView {
    let status = RwSignal::new(String::new());
    let list = paged(
        move |after| {
            let status = Some(status.get_untracked())
                .filter(|s| !s.is_empty())
                .and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok());
            async move { call::<Campaigns>(campaigns::Variables { status, after }).await.map(|d| Chunk::from(d.campaigns)) }
        },
        |c: &CampaignRow| c.id.clone(),
    );
    let empty = Signal::derive(move || {
        if status.with(String::is_empty) {
            "No campaigns yet: build the first one below.".to_owned()
        } else {
            format!("No campaign is {}.", status_label(&status.get()).1.to_lowercase())
        }
    });
    view! {
        <Title text="Campaigns · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Campaigns"</h1>
            <p class="muted">
                "Emails to the contacts of your segments and lists who agreed to receive them, each personalised, sent at the time you choose."
                " "
                <A href="/app/email-templates" attr:data-testid="templates-link">"Templates"</A>
                " · "
                <A href="/app/sending" attr:data-testid="sending-link">"Sending domains, suppressions and contact policy"</A>
            </p>
        </header>
        <section class="panel">
            <div class="panel-head">
                <h2>"All campaigns"</h2>
                <label class="field field-inline">
                    <span class="field-label">"Status"</span>
                    <select
                        data-testid="campaigns-status"
                        on:change=move |ev| {
                            status.set(event_target_value(&ev));
                            list.restart();
                        }
                    >
                        <option value="">"Any"</option>
                        {STATUSES.into_iter().map(|s| view! { <option value=s>{status_label(s).1}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <PagedTable
                list=list
                head=&["Campaign", "Status", "Sent / targeted", "Created"]
                row=campaign_row
                empty=empty
                testid="campaigns"
            />
        </section>
        <NewCampaign />
    }
}

fn campaign_row(c: CampaignRow) -> impl IntoView {
    let status = enum_name(&c.status);
    // Before launch nobody is targeted yet: a dash says so better than "0 / 0".
    let counts = if status == "DRAFT" && c.progress.targeted == 0 {
        "—".to_owned()
    } else {
        format!("{} / {}", c.progress.sent, c.progress.targeted)
    };
    view! {
        <tr data-testid="campaign-row" data-status=status.clone()>
            <td><A href=format!("/app/campaigns/{}", c.id) attr:data-testid="campaign-link">{c.name}</A></td>
            <td>{status_chip(&status)}</td>
            <td class="num" data-testid="campaign-counts">{counts}</td>
            <td class="muted nowrap">{short_time(&c.created_at)}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_words_and_only_sending_ones_are_followed() {
        assert_eq!(status_label("IN_APPROVAL"), ("in-approval", "In approval"));
        assert_eq!(status_label("RUNNING").1, "Sending");
        assert_eq!(status_label("SOMETHING_NEW").1, "Unknown");
        assert!(STATUSES.iter().all(|s| status_label(s).1 != "Unknown"));
        let followed: Vec<&str> = STATUSES.into_iter().filter(|s| is_moving(s)).collect();
        assert_eq!(followed, ["SCHEDULED", "RUNNING"]);
    }
}
