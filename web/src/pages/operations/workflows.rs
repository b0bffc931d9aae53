//! `/app/workflows`: a project's workflows as a board (tasks by status, started and
//! completed in dependency order) or a timeline (each task's dates as a bar), starting
//! a workflow from a template, and a template builder (tasks with durations,
//! dependencies and approval steps).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

use super::{Pick, choose_first, day_number};
use crate::components::{Caller, ErrorBanner, Field, Form, FormErrors, LoadError, Loading, Submit};
use crate::gql::call;
use crate::ops::short_time;
use crate::ops::workflows::{
    AssignTask, CommentOnTask, CompleteTask, CreateWorkflowTemplate, StartTask, StartWorkflow, Task, Workflow,
    WorkflowSetup, Workflows, assign_task, comment_on_task, complete_task, create_workflow_template, start_task,
    start_workflow, workflow_setup, workflows,
};
use crate::session::{Loaded, load};
use workflows::TaskStatus;

/// The workflows page.
#[component]
pub fn WorkflowsPage() -> impl IntoView {
    let setup = load(|| call::<WorkflowSetup>(workflow_setup::Variables));
    let project = RwSignal::new(String::new());
    choose_first(project, move || match setup.data.get() {
        Some(Ok(d)) => d.projects.nodes.first().map(|p| p.id.clone()),
        _ => None,
    });
    let list = load(move || {
        let p = project.get();
        async move {
            if p.is_empty() {
                return Ok(Vec::new());
            }
            call::<Workflows>(workflows::Variables { project: Some(p) }).await.map(|d| d.workflows.nodes)
        }
    });
    let projects = Signal::derive(move || match setup.data.get() {
        Some(Ok(d)) => {
            d.projects.nodes.into_iter().map(|p| (p.id, format!("{} (from {})", p.name, p.starts_on))).collect()
        }
        _ => Vec::new(),
    });
    let templates = Signal::derive(move || match setup.data.get() {
        Some(Ok(d)) => d
            .workflow_templates
            .nodes
            .into_iter()
            .map(|t| (t.id, format!("{} · {} tasks", t.name, t.tasks.len())))
            .collect(),
        _ => Vec::new(),
    });
    let members = Signal::derive(move || match setup.data.get() {
        Some(Ok(d)) => d
            .members
            .nodes
            .into_iter()
            .map(|m| (m.user.id, if m.user.name.is_empty() { m.user.email } else { m.user.name }))
            .collect(),
        _ => Vec::new(),
    });
    let errors = FormErrors::new();
    view! {
        <Title text="Workflows · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Workflows"</h1>
            <p class="muted">"Standard steps for every project: tasks dated from the project's start, each starting when the ones it waits for are done."</p>
        </header>
        <section class="panel">
            {move || match setup.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(d)) if d.projects.nodes.is_empty() => view! {
                    <p class="muted" data-testid="workflows-no-projects">"No projects yet: add one on the Budget page."</p>
                }.into_any(),
                Some(Ok(_)) => view! {
                    <Pick label="Project" name="projectId" value=project options=projects errors=errors testid="workflow-project" />
                }.into_any(),
            }}
            <ErrorBanner errors=errors />
            <WorkflowList list=list errors=errors members=members />
        </section>
        <StartForm project=project templates=templates on_started=move || list.reload() />
        <TemplateForm on_created=move || setup.reload() />
    }
}

#[component]
fn WorkflowList(
    list: Loaded<Vec<Workflow>>,
    errors: FormErrors,
    members: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let timeline = RwSignal::new(false);
    view! {
        <div class="view-switch">
            <button type="button" class="btn btn-ghost btn-small" class:active=move || !timeline.get() data-testid="view-board" on:click=move |_| timeline.set(false)>"Board"</button>
            <button type="button" class="btn btn-ghost btn-small" class:active=move || timeline.get() data-testid="view-timeline" on:click=move |_| timeline.set(true)>"Timeline"</button>
        </div>
        {move || match list.data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
            Some(Ok(w)) if w.is_empty() => view! { <p class="muted" data-testid="workflows-empty">"No workflow for this project yet."</p> }.into_any(),
            Some(Ok(w)) => w.into_iter().map(|wf| {
                let body = if timeline.get() { timeline_view(&wf).into_any() } else { board(&wf, list, errors, members).into_any() };
                view! {
                    <article class="workflow" data-testid="workflow">
                        <h3>{wf.name.clone()} " " <span class="muted">{format!("from {}", wf.starts_on)}</span></h3>
                        {body}
                    </article>
                }
            }).collect_view().into_any(),
        }}
    }
}

fn status_of(s: &TaskStatus) -> (&'static str, &'static str) {
    match s {
        TaskStatus::WAITING => ("waiting", "Waiting"),
        TaskStatus::READY => ("ready", "Ready"),
        TaskStatus::IN_PROGRESS => ("in-progress", "In progress"),
        TaskStatus::DONE => ("done", "Done"),
        TaskStatus::Other(_) => ("unknown", "Unknown"),
    }
}

fn act(id: String, complete: bool, list: Loaded<Vec<Workflow>>, errors: FormErrors) {
    errors.clear();
    spawn_local(async move {
        let answer = if complete {
            call::<CompleteTask>(complete_task::Variables { id }).await.map(|_| ())
        } else {
            call::<StartTask>(start_task::Variables { id }).await.map(|_| ())
        };
        if let Err(e) = answer {
            errors.show(&e, &[]);
        }
        list.reload();
    });
}

fn board(
    wf: &Workflow,
    list: Loaded<Vec<Workflow>>,
    errors: FormErrors,
    members: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let columns = [TaskStatus::WAITING, TaskStatus::READY, TaskStatus::IN_PROGRESS, TaskStatus::DONE];
    let tasks = wf.tasks.clone();
    view! {
        <div class="board" data-testid="board">
            {columns.into_iter().map(|col| {
                let (class, label) = status_of(&col);
                let cards: Vec<Task> = tasks.iter().filter(|t| t.status == col).cloned().collect();
                view! {
                    <div class=format!("board-column board-{class}") data-testid=format!("column-{class}")>
                        <h4>{label} " " <span class="muted">{cards.len()}</span></h4>
                        {cards.into_iter().map(|t| task_card(t, list, errors, members)).collect_view()}
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

/// A task on the board: its dates, who has it, its comments, and the next step.
fn task_card(
    t: Task,
    list: Loaded<Vec<Workflow>>,
    errors: FormErrors,
    members: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let (start_id, done_id, assign_id, comment_id) = (t.id.clone(), t.id.clone(), t.id.clone(), t.id.clone());
    let can_start = t.status == TaskStatus::READY;
    let can_complete = matches!(t.status, TaskStatus::READY | TaskStatus::IN_PROGRESS);
    let assignee = t.assignee_id.clone().unwrap_or_default();
    let assign = move |ev: leptos::ev::Event| {
        errors.clear();
        let (id, to) = (assign_id.clone(), event_target_value(&ev));
        spawn_local(async move {
            let assignee = Some(to).filter(|t| !t.is_empty());
            if let Err(e) = call::<AssignTask>(assign_task::Variables { id, assignee }).await {
                errors.show(&e, &[]);
            }
            list.reload();
        });
    };
    let body = RwSignal::new(String::new());
    let comment = move |ev: SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let (id, text) = (comment_id.clone(), body.get_untracked());
        spawn_local(async move {
            match call::<CommentOnTask>(comment_on_task::Variables { id, body: text }).await {
                Ok(_) => {
                    body.set(String::new());
                    list.reload();
                }
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    let count = t.comments.len();
    view! {
        <div class="task-card" data-testid="task-card" data-name=t.name.clone()>
            <strong>{t.name.clone()}</strong>
            {t.approval.then(|| view! { <span class="status status-submitted">"approval"</span> })}
            <div class="muted">{format!("{} → {}", t.starts_on, t.due_on)}</div>
            <select class="task-assignee" data-testid="task-assignee" aria-label="Assigned to" on:change=assign>
                <option value="">"Nobody"</option>
                {move || members.get().into_iter().map(|(id, name)| {
                    let chosen = id == assignee;
                    view! { <option value=id selected=chosen>{name}</option> }
                }).collect_view()}
            </select>
            <details class="task-comments" data-testid="task-comments">
                <summary>{if count == 1 { "1 comment".to_owned() } else { format!("{count} comments") }}</summary>
                <ul>
                    {t.comments.iter().map(|c| view! {
                        <li data-testid="task-comment">{c.body.clone()} <span class="muted">{format!(" — {} · {}", c.author, short_time(&c.created_at))}</span></li>
                    }).collect_view()}
                </ul>
                <form on:submit=comment>
                    <input type="text" data-testid="task-comment-text" placeholder="Add a comment" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev)) />
                    <button type="submit" class="btn btn-ghost btn-small" data-testid="task-comment-submit">"Comment"</button>
                </form>
            </details>
            <div class="actions">
                {can_start.then(|| view! { <button type="button" class="btn btn-ghost btn-small" data-testid="task-start" on:click=move |_| act(start_id.clone(), false, list, errors)>"Start"</button> })}
                {can_complete.then(|| view! { <button type="button" class="btn btn-primary btn-small" data-testid="task-complete" on:click=move |_| act(done_id.clone(), true, list, errors)>"Complete"</button> })}
            </div>
        </div>
    }
}

/// Each task as a bar over the workflow's days (SVG: its geometry is attributes, which
/// the page's style policy allows).
fn timeline_view(wf: &Workflow) -> impl IntoView {
    const WIDTH: f64 = 640.0;
    const ROW: f64 = 26.0;
    let first = wf.tasks.iter().map(|t| day_number(&t.starts_on)).min().unwrap_or(0);
    let last = wf.tasks.iter().map(|t| day_number(&t.due_on)).max().unwrap_or(first).max(first + 1);
    let scale = WIDTH / (last - first) as f64;
    let height = ROW * wf.tasks.len() as f64;
    view! {
        <div class="timeline" data-testid="timeline">
            <svg viewBox=format!("0 0 {} {height}", WIDTH + 180.0) width="100%" role="img" aria-label="Tasks over time">
                {wf.tasks.iter().enumerate().map(|(i, t)| {
                    let (class, _) = status_of(&t.status);
                    let x = 180.0 + (day_number(&t.starts_on) - first) as f64 * scale;
                    let w = ((day_number(&t.due_on) - day_number(&t.starts_on)).max(0) as f64 * scale).max(3.0);
                    let y = i as f64 * ROW;
                    view! {
                        <g data-testid="timeline-task" data-name=t.name.clone()>
                            <text x="0" y=format!("{}", y + 17.0) class="timeline-label">{t.name.clone()}</text>
                            <rect x=format!("{x:.1}") y=format!("{}", y + 5.0) width=format!("{w:.1}") height="16" rx="3" class=format!("timeline-bar timeline-{class}")>
                                <title>{format!("{}: {} → {}", t.name, t.starts_on, t.due_on)}</title>
                            </rect>
                        </g>
                    }
                }).collect_view()}
            </svg>
        </div>
    }
}

#[component]
fn StartForm(
    project: RwSignal<String>,
    #[prop(into)] templates: Signal<Vec<(String, String)>>,
    on_started: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let template = RwSignal::new(String::new());
    let form = Form::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let input = start_workflow::StartWorkflowInput {
            template_id: template.get_untracked(),
            project_id: project.get_untracked(),
        };
        form.send::<StartWorkflow, _>(
            Caller::SignedIn,
            start_workflow::Variables { input },
            &["templateId", "projectId"],
            move |_| on_started(),
        );
    };
    view! {
        <section class="panel">
            <h2>"Start a workflow for this project"</h2>
            <form class="form form-row" data-testid="workflow-start-form" on:submit=on_submit>
                <ErrorBanner errors=form.errors />
                <Pick label="Template" name="templateId" value=template options=templates errors=form.errors testid="workflow-template" />
                <Submit label="Start" busy_label="Starting…" busy=form.busy testid="workflow-start" />
            </form>
        </section>
    }
}

/// One task row of the template builder, each field its own signal so typing does not
/// redraw the rows.
#[derive(Clone, Copy)]
struct Row {
    key: RwSignal<String>,
    name: RwSignal<String>,
    days: RwSignal<String>,
    depends: RwSignal<String>,
    approval: RwSignal<bool>,
}

impl Row {
    fn new() -> Self {
        Row {
            key: RwSignal::new(String::new()),
            name: RwSignal::new(String::new()),
            days: RwSignal::new("1".to_owned()),
            depends: RwSignal::new(String::new()),
            approval: RwSignal::new(false),
        }
    }
}

#[component]
fn TemplateForm(on_created: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let rows = RwSignal::new(vec![Row::new()]);
    let form = Form::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let mut tasks = Vec::new();
        for (i, r) in rows.get_untracked().into_iter().enumerate() {
            let Ok(days) = r.days.get_untracked().trim().parse::<i64>() else {
                let message = format!("task {}: the duration is a whole number of days", i + 1);
                form.errors.show(&crate::gql::ApiErrors::message(message), &[]);
                return;
            };
            tasks.push(create_workflow_template::TemplateTaskInput {
                key: r.key.get_untracked(),
                name: r.name.get_untracked(),
                duration_days: days,
                depends_on: r
                    .depends
                    .get_untracked()
                    .split([',', ' '])
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned)
                    .collect(),
                role: None,
                approval: r.approval.get_untracked(),
            });
        }
        let input = create_workflow_template::CreateWorkflowTemplateInput {
            name: name.get_untracked(),
            description: String::new(),
            tasks,
        };
        form.send::<CreateWorkflowTemplate, _>(
            Caller::SignedIn,
            create_workflow_template::Variables { input },
            &["name"],
            move |_| {
                name.set(String::new());
                rows.set(vec![Row::new()]);
                on_created();
            },
        );
    };
    view! {
        <section class="panel">
            <h2>"New template"</h2>
            <form class="form" data-testid="template-form" on:submit=on_submit>
                <ErrorBanner errors=form.errors />
                <Field label="Name" name="name" value=name errors=form.errors testid="template-name" placeholder="Product launch" />
                <table class="table template-tasks">
                    <thead><tr><th>"Key"</th><th>"Task"</th><th>"Days"</th><th>"Waits for (keys)"</th><th>"Approval"</th></tr></thead>
                    <tbody>
                        {move || rows.get().into_iter().map(|r| view! {
                            <tr data-testid="template-task">
                                <td><input type="text" data-testid="template-task-key" prop:value=move || r.key.get() on:input=move |ev| r.key.set(event_target_value(&ev)) /></td>
                                <td><input type="text" data-testid="template-task-name" prop:value=move || r.name.get() on:input=move |ev| r.name.set(event_target_value(&ev)) /></td>
                                <td><input type="text" data-testid="template-task-days" prop:value=move || r.days.get() on:input=move |ev| r.days.set(event_target_value(&ev)) /></td>
                                <td><input type="text" data-testid="template-task-depends" prop:value=move || r.depends.get() on:input=move |ev| r.depends.set(event_target_value(&ev)) /></td>
                                <td><input type="checkbox" data-testid="template-task-approval" prop:checked=move || r.approval.get() on:change=move |ev| r.approval.set(event_target_checked(&ev)) /></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <button type="button" class="btn btn-ghost btn-small" data-testid="template-add-task" on:click=move |_| rows.update(|r| r.push(Row::new()))>"Add a task"</button>
                <Submit label="Save template" busy_label="Saving…" busy=form.busy testid="template-submit" />
            </form>
        </section>
    }
}
