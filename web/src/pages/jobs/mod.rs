//! `/app/jobs`: the workspace's background jobs (emails, imports, …) for owners and
//! admins, filtered by state, a page at a time; dead jobs can be put back on the queue.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

use crate::components::{Chunk, ErrorBanner, FormErrors, PagedTable, paged};
use crate::gql::call;
use crate::ops::jobs::{Job, JobProgress, Jobs, RetryJob, jobs, retry_job};
use crate::ops::{JobState, short_time};

/// The jobs page.
#[component]
pub fn JobsPage() -> impl IntoView {
    // The state filter: empty for all states, else a `JobState` value.
    let filter = RwSignal::new(String::new());
    // Errors from retrying a job.
    let action_errors = FormErrors::new();
    let jobs = paged(
        move |after| {
            let state = JobState::parse(&filter.get_untracked());
            async move { call::<Jobs>(jobs::Variables { state, after }).await.map(|d| Chunk::from(d.jobs)) }
        },
        |job: &Job| job.id.clone(),
    );
    // Another filter reads the list from its first page.
    Effect::watch(
        move || filter.get(),
        move |_, _, _| {
            action_errors.clear();
            jobs.restart();
        },
        false,
    );
    let forbidden = move || jobs.refused_with("FORBIDDEN");

    let retry = move |id: String, retrying: RwSignal<bool>| {
        action_errors.clear();
        retrying.set(true);
        spawn_local(async move {
            let answer = call::<RetryJob>(retry_job::Variables { id }).await;
            let _ = retrying.try_set(false);
            match answer {
                Ok(data) => {
                    let job = Job::from(data.retry_job);
                    jobs.rows.update(|list| {
                        if let Some(row) = list.iter_mut().find(|j| j.id == job.id) {
                            *row = job;
                        }
                    });
                }
                Err(e) => action_errors.show(&e, &[]),
            }
        });
    };

    let filter_button = move |value: &'static str, label: &'static str| {
        let testid = if value.is_empty() {
            "jobs-filter-all".to_owned()
        } else {
            format!("jobs-filter-{}", value.to_lowercase())
        };
        let active = move || filter.with(|f| f == value);
        view! {
            <button
                type="button"
                class="segment"
                class:active=active
                aria-pressed=move || if active() { "true" } else { "false" }
                data-testid=testid
                on:click=move |_| {
                    if !active() {
                        filter.set(value.to_owned());
                    }
                }
            >
                {label}
            </button>
        }
    };
    let empty = Signal::derive(move || match filter.get().as_str() {
        "" => "No background jobs yet.".to_owned(),
        state => format!("No {} jobs.", JobState::parse(state).map_or("such", JobState::label).to_lowercase()),
    });

    view! {
        <Title text="Jobs · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Background jobs"</h1>
            <p class="muted">
                "Emails, imports and other work Parley does for this workspace in the background."
                {move || jobs.total.get().map(|t| format!(" {t} {}.", if t == 1 { "job" } else { "jobs" }))}
            </p>
        </header>
        <section class="panel">
            <Show
                when=move || !forbidden()
                fallback=|| {
                    view! {
                        <div class="banner banner-info" data-testid="jobs-forbidden">
                            "Only owners and admins of this workspace can see its background jobs."
                        </div>
                    }
                }
            >
                <div class="toolbar">
                    <div class="segmented" role="group" aria-label="Filter by state" data-testid="jobs-filter">
                        {std::iter::once(("", "All"))
                            .chain(JobState::ALL.map(|s| (s.as_str(), s.label())))
                            .map(|(value, label)| filter_button(value, label))
                            .collect_view()}
                    </div>
                </div>
                <ErrorBanner errors=action_errors />
                <PagedTable
                    list=jobs
                    head=&["Kind", "State", "Attempts", "Run at", "Finished", "Last error", ""]
                    row=move |job| job_row(job, retry)
                    empty=empty
                    testid="jobs"
                />
            </Show>
        </section>
    }
}

/// A long job's progress: a bar when the total is known, else the count so far.
fn job_progress(p: JobProgress) -> impl IntoView {
    let label = match p.total {
        Some(t) => format!("{} of {t}", p.done),
        None => format!("{} done", p.done),
    };
    let bar = p.percent().map(|pc| view! { <progress max="100" value=pc.to_string()></progress> });
    let title = label.clone();
    view! {
        <div class="job-progress" data-testid="job-progress" title=title>
            {bar}
            <span class="muted">{label}</span>
        </div>
    }
}

/// One job in the table; dead jobs get a "Retry" button.
fn job_row(job: Job, retry: impl Fn(String, RwSignal<bool>) + Copy + 'static) -> impl IntoView {
    let retrying = RwSignal::new(false);
    let dead = job.state == JobState::Dead;
    let id = job.id.clone();
    let state = job.state.as_str().to_lowercase();
    view! {
        <tr data-testid="job-row" data-job-id=job.id.clone() data-job-state=job.state.as_str()>
            <td><code>{job.kind.clone()}</code></td>
            <td>
                <span class=format!("status status-{state}") data-testid="job-state">
                    {job.state.label()}
                </span>
                {job.progress.clone().map(job_progress)}
            </td>
            <td class="nowrap" data-testid="job-attempts">{format!("{}/{}", job.attempts, job.max_attempts)}</td>
            <td class="muted nowrap">{short_time(&job.run_at)}</td>
            <td class="muted nowrap">{job.finished_at.as_deref().map(short_time).unwrap_or_else(|| "—".into())}</td>
            <td class="job-error" title=job.last_error.clone() data-testid="job-last-error">
                {job.last_error.clone().unwrap_or_else(|| "—".into())}
            </td>
            <td class="actions">
                {dead
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="btn btn-ghost btn-small"
                                data-testid="job-retry"
                                disabled=move || retrying.get()
                                on:click=move |_| retry(id.clone(), retrying)
                            >
                                {move || if retrying.get() { "Retrying…" } else { "Retry" }}
                            </button>
                        }
                    })}
            </td>
        </tr>
    }
}
