//! `/app/campaigns/:id`: one campaign, what it sends to whom and when, the buttons its
//! status allows (launch, pause, resume, cancel), its progress read again every two
//! seconds while it is scheduled or sending, once started its results (in
//! [`super::results`]), and its first sends, by status.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::results::Results;
use super::{is_moving, status_chip};
use crate::components::{ErrorBanner, FormErrors, LoadError, Loading};
use crate::gql::{ApiErrors, call};
use crate::ops::campaigns::{
    Campaign, CampaignDetail, CampaignProgress, CampaignSends, CancelCampaign, LaunchCampaign, PauseCampaign, Progress,
    ResumeCampaign, SendRow, campaign, campaign_progress, campaign_sends, cancel_campaign, launch_campaign,
    pause_campaign, resume_campaign,
};
use crate::ops::short_time;
use crate::pages::assets::enum_name;
use crate::session::{Loaded, load};

/// How often a scheduled or sending campaign is read again.
const POLL: Duration = Duration::from_secs(2);

/// The send statuses the table filters by, with their words.
const SEND_STATUSES: [(&str, &str); 6] = [
    ("QUEUED", "Queued"),
    ("SENDING", "Sending"),
    ("SENT", "Sent"),
    ("FAILED", "Failed"),
    ("CONTROL", "Control group"),
    ("SUPPRESSED", "Suppressed"),
];

type Data = campaign::ResponseData;

/// Why contacts were not sent to, in words (`NO_CONSENT`, `HARD_BOUNCE`, …).
pub(crate) fn reason_label(reason: &str) -> String {
    match reason {
        "NO_EMAIL" => "No email address".to_owned(),
        "NO_CONSENT" => "No consent to email".to_owned(),
        "CONSENT_DENIED" => "Refused email".to_owned(),
        "HARD_BOUNCE" => "Address bounced".to_owned(),
        "SOFT_BOUNCES" => "Bounced too often".to_owned(),
        "COMPLAINT" => "Reported as spam".to_owned(),
        "UNSUBSCRIBED" => "Unsubscribed".to_owned(),
        "MANUAL" => "Suppressed by hand".to_owned(),
        other => other.to_owned(),
    }
}

/// The share of the targeted contacts dealt with (sent, failed, held out or
/// suppressed), in percent.
pub(crate) fn done_percent(done: i64, targeted: i64) -> f64 {
    if targeted <= 0 {
        return 0.0;
    }
    (done as f64 * 100.0 / targeted as f64).clamp(0.0, 100.0)
}

/// The stacked bar's parts: each `(class, count)` as `(class, x, width)` in percent of
/// `targeted`, side by side from the left.
pub(crate) fn bar_parts(targeted: i64, parts: &[(&'static str, i64)]) -> Vec<(&'static str, f64, f64)> {
    let mut x = 0.0;
    let mut out = Vec::new();
    for (class, n) in parts {
        let width = done_percent(*n, targeted).min(100.0 - x);
        if width > 0.0 {
            out.push((*class, x, width));
            x += width;
        }
    }
    out
}

/// One campaign.
#[component]
pub fn CampaignPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = load(move || {
        let id = id();
        async move { call::<Campaign>(campaign::Variables { id }).await }
    });
    view! {
        <Title text="Campaign · Parley" />
        {move || match data.data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! {
                <header class="page-head">
                    <p class="muted"><A href="/app/campaigns">"Campaigns"</A>" /"</p>
                </header>
                <LoadError errors=e />
            }.into_any(),
            Some(Ok(d)) => view! { <Detail data=d loaded=data /> }.into_any(),
        }}
    }
}

#[component]
fn Detail(data: Data, loaded: Loaded<Data>) -> impl IntoView {
    let c: CampaignDetail = data.campaign;
    let names: Vec<(String, String)> = data.segments.nodes.into_iter().map(|s| (s.id, s.name)).collect();
    let name_of = |id: &String| {
        names.iter().find(|(s, _)| s == id).map_or_else(|| "A removed segment".to_owned(), |(_, n)| n.clone())
    };
    let included: Vec<String> = c.segment_ids.iter().map(name_of).collect();
    let excluded: Vec<String> = c.exclude_segment_ids.iter().map(name_of).collect();
    let status = enum_name(&c.status);
    let errors = FormErrors::new();
    let progress = RwSignal::new(None::<Result<Progress, ApiErrors>>);
    let sends_version = RwSignal::new(0u32);
    follow(c.id.clone(), status.clone(), progress, sends_version, loaded);
    let from =
        if c.from_name.is_empty() { c.from_address.clone() } else { format!("{} <{}>", c.from_name, c.from_address) };
    let schedule = match (&c.schedule_at, &c.local_time) {
        (None, None) => "As soon as it is launched (and approved).".to_owned(),
        (Some(at), None) => format!("From {} UTC.", short_time(at)),
        (None, Some(t)) => format!("At {t} in each contact's time zone, from launch."),
        (Some(at), Some(t)) => format!("From {} UTC, at {t} in each contact's time zone.", short_time(at)),
    };
    let timeline: Vec<(&str, String)> = [
        ("Created", Some(c.created_at.clone())),
        ("Launched", c.launched_at.clone()),
        ("Started", c.started_at.clone()),
        ("Finished", c.completed_at.clone()),
    ]
    .into_iter()
    .filter_map(|(label, at)| at.map(|at| (label, format!("{} UTC", short_time(&at)))))
    .collect();
    view! {
        <header class="page-head">
            <p class="muted"><A href="/app/campaigns">"Campaigns"</A>" /"</p>
            <h1 data-testid="page-title">{c.name.clone()} " " {status_chip(&status)}</h1>
        </header>
        <section class="panel">
            <ErrorBanner errors=errors />
            <Actions id=c.id.clone() status=status.clone() approval=c.approval_id.is_some() loaded=loaded errors=errors />
            <dl class="facts" data-testid="campaign-facts">
                <dt>"Sent to"</dt>
                <dd data-testid="campaign-audience">{included.into_iter().map(|n| view! { <span class="chip">{n}</span> }).collect_view()}</dd>
                {(!excluded.is_empty()).then(|| view! {
                    <dt>"Leaving out"</dt>
                    <dd data-testid="campaign-excluded">{excluded.into_iter().map(|n| view! { <span class="chip chip-muted">{n}</span> }).collect_view()}</dd>
                })}
                <dt>"Template"</dt>
                <dd data-testid="campaign-template">
                    <A href=format!("/app/email-templates/{}", c.template.id)>{c.template.name.clone()}</A>
                    <span class="muted">{format!(" · subject “{}”", c.template.subject)}</span>
                </dd>
                <dt>"From"</dt>
                <dd data-testid="campaign-from">{from}</dd>
                <dt>"Control group"</dt>
                <dd>{format!("{}% held out at random", c.control_group_percent)}</dd>
                <dt>"Schedule"</dt>
                <dd data-testid="campaign-schedule">{schedule}</dd>
                {timeline.into_iter().map(|(label, at)| view! { <dt>{label}</dt><dd class="muted">{at}</dd> }).collect_view()}
            </dl>
        </section>
        <section class="panel" data-testid="campaign-progress">
            <h2>"Progress"</h2>
            {move || match progress.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(p)) => progress_view(p).into_any(),
            }}
        </section>
        {c.started_at.is_some().then(|| view! { <Results id=c.id.clone() /> })}
        <Sends id=c.id.clone() version=sends_version />
    }
}

/// Reads the progress now and, while the campaign is scheduled or sending, every
/// [`POLL`]; the sends are read again with it. When the status moves on, the whole
/// page is read again (its buttons and dates change with it).
fn follow(
    id: String,
    status: String,
    progress: RwSignal<Option<Result<Progress, ApiErrors>>>,
    sends: RwSignal<u32>,
    loaded: Loaded<Data>,
) {
    let round = RwSignal::new(0u32);
    Effect::new(move |_| {
        let n = round.get();
        let (id, status) = (id.clone(), status.clone());
        let read = move || {
            spawn_local(async move {
                let answer = call::<CampaignProgress>(campaign_progress::Variables { id }).await;
                let now = answer.as_ref().ok().map(|d| enum_name(&d.campaign.status));
                // The page was left (or drawn anew) meanwhile: nothing more to follow.
                if progress.try_set(Some(answer.map(|d| d.campaign))).is_some() {
                    return;
                }
                match now {
                    Some(now) if now != status => loaded.reload(),
                    _ if is_moving(&status) => {
                        if n > 0 {
                            let _ = sends.try_update(|v| *v = v.wrapping_add(1));
                        }
                        let _ = round.try_update(|r| *r = r.wrapping_add(1));
                    }
                    _ => {}
                }
            });
        };
        if n == 0 { read() } else { set_timeout(read, POLL) }
    });
}

fn progress_view(p: Progress) -> impl IntoView {
    let q = p.progress;
    if enum_name(&p.status) == "DRAFT" && q.targeted == 0 {
        return view! {
            <p class="muted empty" data-testid="progress-none">"Nothing sent yet: its audience is chosen when it is launched."</p>
        }
        .into_any();
    }
    let done = q.sent + q.failed + q.control_group + q.suppressed;
    let parts = bar_parts(
        q.targeted,
        &[
            ("bar-sent", q.sent),
            ("bar-failed", q.failed),
            ("bar-control", q.control_group),
            ("bar-suppressed", q.suppressed),
        ],
    );
    let percent = done_percent(done, q.targeted);
    let tile = |label: &'static str, testid: &'static str, n: i64| {
        view! {
            <div class="tile">
                <span class="muted">{label}</span>
                <strong data-testid=testid>{n}</strong>
            </div>
        }
    };
    view! {
        <div class="campaign-bar-box">
            <svg class="campaign-bar" data-testid="progress-bar" viewBox="0 0 100 4" preserveAspectRatio="none" role="img"
                aria-label=format!("{percent:.0}% done")>
                <rect class="bar-track" x="0" y="0" width="100" height="4" />
                {parts.into_iter().map(|(class, x, width)| view! {
                    <rect class=class x=format!("{x:.3}") y="0" width=format!("{width:.3}") height="4" />
                }).collect_view()}
            </svg>
            <p class="muted" data-testid="progress-summary">
                {format!("{percent:.0}% done: {done} of {} contacts sent to, failed, held out or suppressed.", q.targeted)}
                {(q.sending > 0).then(|| format!(" {} being handed to the mail server.", q.sending))}
            </p>
        </div>
        <div class="tiles campaign-tiles">
            {tile("Targeted", "progress-targeted", q.targeted)}
            {tile("Control group", "progress-control", q.control_group)}
            <div class="tile">
                <span class="muted">"Suppressed"</span>
                <strong data-testid="progress-suppressed">{q.suppressed}</strong>
                <ul class="reasons" data-testid="suppressed-reasons">
                    {q.suppressed_by.into_iter().map(|r| view! {
                        <li data-testid="suppressed-reason">{format!("{}: {}", reason_label(&r.reason), r.count)}</li>
                    }).collect_view()}
                </ul>
            </div>
            {tile("Queued", "progress-queued", q.queued + q.sending)}
            {tile("Sent", "progress-sent", q.sent)}
            {tile("Failed", "progress-failed", q.failed)}
        </div>
    }
    .into_any()
}

/// What a person can do to a campaign.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Act {
    Launch,
    Pause,
    Resume,
    Cancel,
}

impl Act {
    /// The button's test ID suffix.
    fn name(self) -> &'static str {
        match self {
            Act::Launch => "launch",
            Act::Pause => "pause",
            Act::Resume => "resume",
            Act::Cancel => "cancel",
        }
    }

    /// Runs it on campaign `id`.
    async fn run(self, id: String) -> Result<(), ApiErrors> {
        match self {
            Act::Launch => call::<LaunchCampaign>(launch_campaign::Variables { id }).await.map(drop),
            Act::Pause => call::<PauseCampaign>(pause_campaign::Variables { id }).await.map(drop),
            Act::Resume => call::<ResumeCampaign>(resume_campaign::Variables { id }).await.map(drop),
            Act::Cancel => call::<CancelCampaign>(cancel_campaign::Variables { id }).await.map(drop),
        }
    }
}

/// The buttons the status allows, and what waits on whom.
#[component]
fn Actions(id: String, status: String, approval: bool, loaded: Loaded<Data>, errors: FormErrors) -> impl IntoView {
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let id = StoredValue::new(id);
    let act = move |action: Act| {
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        busy.set(true);
        let id = id.get_value();
        spawn_local(async move {
            let answer = action.run(id).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(()) => loaded.reload(),
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    let button = move |action: Act, label: &'static str, primary: bool| {
        view! {
            <button type="button" class=if primary { "btn btn-primary" } else { "btn btn-ghost" }
                data-testid=format!("campaign-{}", action.name()) disabled=move || busy.get() on:click=move |_| act(action)>
                {label}
            </button>
        }
    };
    let cancel = move || {
        view! {
            <button type="button" class="btn btn-ghost" data-testid="campaign-cancel" disabled=move || busy.get()
                on:click=move |_| confirming.set(true)>
                "Cancel campaign"
            </button>
        }
    };
    let (note, buttons) = match status.as_str() {
        "DRAFT" => (
            "A draft: nothing is sent until it is launched. Launching asks for approval when a rule wants one, else it is scheduled.",
            view! { {button(Act::Launch, "Launch", true)} }.into_any(),
        ),
        "IN_APPROVAL" => (
            if approval {
                "Waiting for its approvers: it is scheduled once they approve it."
            } else {
                "Waiting for its approvers."
            },
            view! { <A href="/app/approvals" attr:class="btn btn-ghost">"Approvals"</A> {cancel()} }.into_any(),
        ),
        "SCHEDULED" => (
            "Scheduled: sending starts at its time. Pausing holds it; cancelling stops it for good.",
            view! { {button(Act::Pause, "Pause", false)} {cancel()} }.into_any(),
        ),
        "RUNNING" => (
            "Sending now, batch by batch. Pausing stops after the batch in flight.",
            view! { {button(Act::Pause, "Pause", false)} {cancel()} }.into_any(),
        ),
        "PAUSED" => (
            "Paused: resuming carries on where it stopped.",
            view! { {button(Act::Resume, "Resume", true)} {cancel()} }.into_any(),
        ),
        "COMPLETED" => ("Finished: every targeted contact was dealt with.", ().into_any()),
        "CANCELLED" => ("Cancelled: nobody else receives it.", ().into_any()),
        _ => ("", ().into_any()),
    };
    view! {
        <div class="campaign-actions">
            <p class="muted" data-testid="campaign-note">{note}</p>
            <div class="actions">{buttons}</div>
        </div>
        {move || confirming.get().then(|| view! {
            <div class="banner banner-error confirm" data-testid="cancel-confirm">
                "Cancel this campaign for good? Contacts not sent to yet will not receive it. "
                <button type="button" class="btn btn-danger btn-small" data-testid="cancel-yes"
                    on:click=move |_| { confirming.set(false); act(Act::Cancel) }>"Cancel it"</button>
                " "
                <button type="button" class="btn btn-ghost btn-small" data-testid="cancel-no" on:click=move |_| confirming.set(false)>"Keep it"</button>
            </div>
        })}
    }
}

/// The campaign's first sends, of one status or all.
#[component]
fn Sends(id: String, version: RwSignal<u32>) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let id = StoredValue::new(id);
    let sends = load(move || {
        version.track();
        let status = Some(filter.get())
            .filter(|s| !s.is_empty())
            .and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok());
        let id = id.get_value();
        async move { call::<CampaignSends>(campaign_sends::Variables { id, status }).await.map(|d| d.campaign.sends) }
    });
    view! {
        <section class="panel">
            <div class="panel-head">
                <h2>"Sends"</h2>
                <label class="field field-inline">
                    <span class="field-label">"Status"</span>
                    <select data-testid="sends-status" on:change=move |ev| filter.set(event_target_value(&ev))>
                        <option value="">"Any"</option>
                        {SEND_STATUSES.into_iter().map(|(s, l)| view! { <option value=s>{l}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            {move || match sends.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(s)) if s.nodes.is_empty() => view! {
                    <p class="muted empty" data-testid="sends-empty">"No sends here yet: they appear once sending starts."</p>
                }.into_any(),
                Some(Ok(s)) => {
                    let shown = s.nodes.len();
                    view! {
                        <table class="table" data-testid="sends-table">
                            <thead><tr><th>"Email"</th><th>"Status"</th><th>"Reason"</th><th>"Attempts"</th><th>"Sent"</th></tr></thead>
                            <tbody>{s.nodes.into_iter().map(send_row).collect_view()}</tbody>
                        </table>
                        {(s.total_count > shown as i64).then(|| view! {
                            <p class="muted field-hint">{format!("The first {shown} of {}.", s.total_count)}</p>
                        })}
                    }.into_any()
                }
            }}
        </section>
    }
}

fn send_row(s: SendRow) -> impl IntoView {
    let status = enum_name(&s.status);
    let label = SEND_STATUSES.iter().find(|(k, _)| *k == status).map_or("Unknown", |(_, l)| *l);
    view! {
        <tr data-testid="send-row" data-status=status.clone()>
            <td>{s.email.unwrap_or_default()}</td>
            <td><span class=format!("status send-{}", status.to_lowercase())>{label}</span></td>
            <td class="muted">{s.reason.map(|r| reason_label(&r)).unwrap_or_default()}</td>
            <td class="num">{s.attempts}</td>
            <td class="muted nowrap">{s.sent_at.map(|t| short_time(&t)).unwrap_or_default()}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_splits_what_is_done_from_the_left() {
        assert_eq!(done_percent(3, 4), 75.0);
        assert_eq!(done_percent(5, 0), 0.0, "nobody targeted yet");
        let parts = bar_parts(4, &[("sent", 2), ("failed", 0), ("control", 1)]);
        assert_eq!(parts, vec![("sent", 0.0, 50.0), ("control", 50.0, 25.0)]);
        let over = bar_parts(2, &[("sent", 2), ("failed", 1)]);
        assert_eq!(over, vec![("sent", 0.0, 100.0)], "never wider than the bar");
    }

    #[test]
    fn reasons_read_as_words() {
        assert_eq!(reason_label("CONSENT_DENIED"), "Refused email");
        assert_eq!(reason_label("SOMETHING_NEW"), "SOMETHING_NEW");
    }
}
