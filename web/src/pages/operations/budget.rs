//! `/app/budget`: a plan's programs and projects with budgeted, allocated, committed,
//! actual and remaining figures and a bar each, and the forms that add plans,
//! programs, projects and budget lines and allocate budget down the tree.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;

use super::budget_periods::{PeriodView, WhatIf};
use super::{Pick, choose_first, money};
use crate::components::{Caller, ErrorBanner, Field, Form, LoadError, Loading, Submit};
use crate::gql::call;
use crate::ops::budget::{
    AllocateBudget, BudgetTree, CreateBudgetLine, CreatePlan, CreateProgram, CreateProject, Figures, Plans,
    allocate_budget, budget_tree, create_budget_line, create_plan, create_program, create_project, figures, plans,
};
use crate::ops::spend::{BudgetLines, budget_lines};
use crate::session::{Loaded, load};

/// One row of the tree: a plan, program or project with its figures.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    id: String,
    name: String,
    kind: &'static str,
    figures: Figures,
}

/// A plan read for the page: its rows in tree order.
#[derive(Clone, Debug, PartialEq)]
struct Tree {
    currency: String,
    year: i64,
    rows: Vec<Row>,
}

fn tree(d: budget_tree::ResponseData) -> Tree {
    let mut rows =
        vec![Row { id: d.plan.id.clone(), name: d.plan.name.clone(), kind: "plan", figures: figures!(d.plan.budget) }];
    for p in &d.programs.nodes {
        rows.push(Row { id: p.id.clone(), name: p.name.clone(), kind: "program", figures: figures!(p.budget) });
        for j in d.projects.nodes.iter().filter(|j| j.program_id == p.id) {
            rows.push(Row { id: j.id.clone(), name: j.name.clone(), kind: "project", figures: figures!(j.budget) });
        }
    }
    Tree { currency: d.plan.currency, year: d.plan.fiscal_year, rows }
}

/// The budget page.
#[component]
pub fn BudgetPage() -> impl IntoView {
    let plans = load(|| call::<Plans>(plans::Variables));
    let chosen = RwSignal::new(String::new());
    // The first plan is shown until another is chosen.
    choose_first(chosen, move || match plans.data.get() {
        Some(Ok(d)) => d.plans.nodes.first().map(|p| p.id.clone()),
        _ => None,
    });
    let data = load(move || {
        let plan = chosen.get();
        async move {
            if plan.is_empty() {
                return Ok(None);
            }
            call::<BudgetTree>(budget_tree::Variables { plan }).await.map(|d| Some(tree(d)))
        }
    });
    let lines = load(|| call::<BudgetLines>(budget_lines::Variables));
    // The row whose periods are shown: (ID, name); the plan until another is clicked.
    let selected = RwSignal::new((String::new(), String::new()));
    Effect::new(move |_| {
        if let Some(Ok(Some(t))) = data.data.get()
            && let Some(first) = t.rows.first()
            && !t.rows.iter().any(|r| r.id == selected.get_untracked().0)
        {
            selected.set((first.id.clone(), first.name.clone()));
        }
    });
    let year = Signal::derive(move || match data.data.get() {
        Some(Ok(Some(t))) => t.year,
        _ => 0,
    });
    let currency = Signal::derive(move || match data.data.get() {
        Some(Ok(Some(t))) => t.currency,
        _ => String::new(),
    });
    let choices = line_choices(data, lines);
    let changed = move || {
        data.reload();
        lines.reload();
        plans.reload();
    };
    view! {
        <Title text="Budget · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Budget"</h1>
            <p class="muted">"Plans, programs and projects with what is budgeted, passed down, committed by purchase orders and spent."</p>
        </header>
        {move || match plans.data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
            Some(Ok(d)) => {
                let options: Vec<(String, String)> =
                    d.plans.nodes.iter().map(|p| (p.id.clone(), format!("{} ({})", p.name, p.fiscal_year))).collect();
                view! {
                    <section class="panel">
                        {if options.is_empty() {
                            view! { <p class="muted" data-testid="budget-no-plans">"No plans yet. Create the first below."</p> }.into_any()
                        } else {
                            view! {
                                <label class="field">
                                    <span class="field-label">"Plan"</span>
                                    <select data-testid="budget-plan" prop:value=move || chosen.get() on:change=move |ev| chosen.set(event_target_value(&ev))>
                                        {options.into_iter().map(|(v, l)| { let s = v.clone(); view! { <option value=v selected=move || chosen.get() == s>{l}</option> } }).collect_view()}
                                    </select>
                                </label>
                            }.into_any()
                        }}
                        <TreeTable data=data selected=selected />
                    </section>
                }.into_any()
            }
        }}
        <PeriodView node=Signal::derive(move || selected.get().0) name=Signal::derive(move || selected.get().1) year=year />
        <Show when=move || !chosen.get().is_empty()>
            <WhatIf lines=choices currency=currency on_change=changed />
        </Show>
        <BuildForms data=data choices=choices chosen=chosen on_change=changed />
        <CreatePlanForm on_created=move |id| { chosen.set(id); plans.reload(); } />
    }
}

#[component]
fn TreeTable(data: Loaded<Option<Tree>>, selected: RwSignal<(String, String)>) -> impl IntoView {
    move || {
        match data.data.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
        Some(Ok(None)) => ().into_any(),
        Some(Ok(Some(t))) => view! {
            <table class="table budget-tree" data-testid="budget-tree">
                <thead><tr>
                    <th>{format!("{} · {}", t.year, t.currency)}</th><th>"Budgeted"</th><th>"Allocated"</th><th>"Committed"</th><th>"Actual"</th><th>"Remaining"</th><th>"Used"</th>
                </tr></thead>
                <tbody>
                    {t.rows.into_iter().map(|r| {
                        let f = r.figures;
                        let used = f.used_percent();
                        let over = f.remaining.starts_with('-');
                        let name = r.name.clone();
                        let pick = (r.id.clone(), r.name.clone());
                        let id = r.id.clone();
                        view! {
                            <tr data-testid="budget-row" data-kind=r.kind data-name=name class=format!("budget-{}", r.kind)
                                class:selected=move || selected.get().0 == id title="Show its periods"
                                on:click=move |_| selected.set(pick.clone())>
                                <td class="budget-name">{r.name}</td>
                                <td data-testid="budget-budgeted">{money(&f.budgeted, &f.currency)}</td>
                                <td data-testid="budget-allocated">{money(&f.allocated, &f.currency)}</td>
                                <td data-testid="budget-committed">{money(&f.committed, &f.currency)}</td>
                                <td data-testid="budget-actual">{money(&f.actual, &f.currency)}</td>
                                <td data-testid="budget-remaining" class:overspent=over>{money(&f.remaining, &f.currency)}</td>
                                <td class="budget-bar"><meter min="0" max="100" low="80" high="95" optimum="0" value=format!("{used:.0}") title=format!("{used:.0}% committed or spent")></meter></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }.into_any(),
    }
    }
}

/// The plan's programs and projects as (ID, label) choices, plan first.
fn holders(data: Loaded<Option<Tree>>) -> Signal<Vec<(String, String)>> {
    Signal::derive(move || match data.data.get() {
        Some(Ok(Some(t))) => t
            .rows
            .into_iter()
            .map(|r| {
                let indent = match r.kind {
                    "plan" => "",
                    "program" => "  ",
                    _ => "    ",
                };
                (r.id, format!("{indent}{} ({})", r.name, r.kind))
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// The plan's budget lines as (ID, label) choices: holder, name and what is left.
fn line_choices(
    data: Loaded<Option<Tree>>,
    lines: Loaded<budget_lines::ResponseData>,
) -> Signal<Vec<(String, String)>> {
    Signal::derive(move || match (lines.data.get(), data.data.get()) {
        (Some(Ok(l)), Some(Ok(Some(t)))) => l
            .budget_lines
            .nodes
            .into_iter()
            .filter(|b| t.rows.iter().any(|r| r.id == b.node_id))
            .map(|b| {
                let holder = t.rows.iter().find(|r| r.id == b.node_id).map(|r| r.name.clone()).unwrap_or_default();
                (
                    b.id,
                    format!("{} · {} · {} left", holder, b.name, money(&b.available.amount, &b.amount.currency_code)),
                )
            })
            .collect(),
        _ => Vec::new(),
    })
}

#[component]
fn BuildForms(
    data: Loaded<Option<Tree>>,
    choices: Signal<Vec<(String, String)>>,
    chosen: RwSignal<String>,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let currency = move || match data.data.get() {
        Some(Ok(Some(t))) => t.currency,
        _ => String::new(),
    };
    let programs = Signal::derive(move || match data.data.get() {
        Some(Ok(Some(t))) => t.rows.into_iter().filter(|r| r.kind == "program").map(|r| (r.id, r.name)).collect(),
        _ => Vec::new(),
    });
    let holders = holders(data);
    let line_choices = choices;

    // A program.
    let program_name = RwSignal::new(String::new());
    let program_form = Form::new();
    let add_program = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !program_form.start() {
            return;
        }
        let input = create_program::CreateProgramInput {
            plan_id: chosen.get_untracked(),
            name: program_name.get_untracked(),
            starts_on: None,
            ends_on: None,
            work: create_program::WorkInput { owner_id: None, objectives: None, tags: None, status: None },
        };
        program_form.send::<CreateProgram, _>(
            Caller::SignedIn,
            create_program::Variables { input },
            &["name"],
            move |_| {
                program_name.set(String::new());
                on_change();
            },
        );
    };

    // A project.
    let project_program = RwSignal::new(String::new());
    let project_name = RwSignal::new(String::new());
    let project_start = RwSignal::new(String::new());
    let project_form = Form::new();
    let add_project = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !project_form.start() {
            return;
        }
        let input = create_project::CreateProjectInput {
            program_id: project_program.get_untracked(),
            name: project_name.get_untracked(),
            starts_on: project_start.get_untracked(),
            ends_on: None,
            work: create_project::WorkInput { owner_id: None, objectives: None, tags: None, status: None },
        };
        project_form.send::<CreateProject, _>(
            Caller::SignedIn,
            create_project::Variables { input },
            &["programId", "name", "startsOn"],
            move |_| {
                project_name.set(String::new());
                on_change();
            },
        );
    };

    // A budget line.
    let line_holder = RwSignal::new(String::new());
    let line_name = RwSignal::new(String::new());
    let line_amount = RwSignal::new(String::new());
    let line_forbid = RwSignal::new(true);
    let line_form = Form::new();
    let add_line = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !line_form.start() {
            return;
        }
        let input = create_budget_line::CreateBudgetLineInput {
            node_id: line_holder.get_untracked(),
            name: line_name.get_untracked(),
            amount: create_budget_line::MoneyInput { amount: line_amount.get_untracked(), currency_code: currency() },
            overspend: if line_forbid.get_untracked() {
                create_budget_line::Overspend::FORBID
            } else {
                create_budget_line::Overspend::ALLOW
            },
            fiscal_year: None,
        };
        line_form.send::<CreateBudgetLine, _>(
            Caller::SignedIn,
            create_budget_line::Variables { input },
            &["nodeId", "name", "amount.amount", "amount.currencyCode"],
            move |_| {
                line_name.set(String::new());
                line_amount.set(String::new());
                on_change();
            },
        );
    };

    // An allocation.
    let from_line = RwSignal::new(String::new());
    let to_node = RwSignal::new(String::new());
    let alloc_amount = RwSignal::new(String::new());
    let alloc_form = Form::new();
    let allocate = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !alloc_form.start() {
            return;
        }
        let input = allocate_budget::AllocateBudgetInput {
            from_budget_line_id: from_line.get_untracked(),
            to_node_id: to_node.get_untracked(),
            amount: allocate_budget::MoneyInput { amount: alloc_amount.get_untracked(), currency_code: currency() },
            name: None,
        };
        alloc_form.send::<AllocateBudget, _>(
            Caller::SignedIn,
            allocate_budget::Variables { input },
            &["fromBudgetLineId", "toNodeId", "amount.amount"],
            move |_| {
                alloc_amount.set(String::new());
                on_change();
            },
        );
    };

    view! {
        <Show when=move || !chosen.get().is_empty()>
            <div class="grid-2">
                <section class="panel">
                    <h2>"Add a program"</h2>
                    <form class="form" data-testid="program-form" on:submit=add_program>
                        <ErrorBanner errors=program_form.errors />
                        <Field label="Name" name="name" value=program_name errors=program_form.errors testid="program-name" placeholder="Brand awareness" />
                        <Submit label="Add program" busy_label="Adding…" busy=program_form.busy testid="program-submit" />
                    </form>
                    <h2>"Add a project"</h2>
                    <form class="form" data-testid="project-form" on:submit=add_project>
                        <ErrorBanner errors=project_form.errors />
                        <Pick label="Program" name="programId" value=project_program options=programs errors=project_form.errors testid="project-program" />
                        <Field label="Name" name="name" value=project_name errors=project_form.errors testid="project-name" placeholder="Spring launch" />
                        <Field label="Starts on" name="startsOn" kind="date" value=project_start errors=project_form.errors testid="project-starts" />
                        <Submit label="Add project" busy_label="Adding…" busy=project_form.busy testid="project-submit" />
                    </form>
                </section>
                <section class="panel">
                    <h2>"Add a budget line"</h2>
                    <form class="form" data-testid="line-form" on:submit=add_line>
                        <ErrorBanner errors=line_form.errors />
                        <Pick label="Held by" name="nodeId" value=line_holder options=holders errors=line_form.errors testid="line-holder" />
                        <Field label="Name" name="name" value=line_name errors=line_form.errors testid="line-name" placeholder="Paid media" />
                        <Field label="Amount" name="amount.amount" value=line_amount errors=line_form.errors testid="line-amount" placeholder="25000.00" />
                        <label class="field field-check">
                            <input type="checkbox" data-testid="line-forbid" prop:checked=move || line_forbid.get() on:change=move |ev| line_forbid.set(event_target_checked(&ev)) />
                            <span>"Refuse spending past this line"</span>
                        </label>
                        <Submit label="Add line" busy_label="Adding…" busy=line_form.busy testid="line-submit" />
                    </form>
                    <h2>"Allocate"</h2>
                    <form class="form" data-testid="allocate-form" on:submit=allocate>
                        <ErrorBanner errors=alloc_form.errors />
                        <Pick label="From line" name="fromBudgetLineId" value=from_line options=line_choices errors=alloc_form.errors testid="allocate-from" />
                        <Pick label="To" name="toNodeId" value=to_node options=holders errors=alloc_form.errors testid="allocate-to" />
                        <Field label="Amount" name="amount.amount" value=alloc_amount errors=alloc_form.errors testid="allocate-amount" />
                        <Submit label="Allocate" busy_label="Allocating…" busy=alloc_form.busy testid="allocate-submit" />
                    </form>
                </section>
            </div>
        </Show>
    }
}

#[component]
fn CreatePlanForm(on_created: impl Fn(String) + Copy + Send + Sync + 'static) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let year = RwSignal::new(String::new());
    let currency = RwSignal::new("EUR".to_owned());
    let form = Form::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let Ok(fiscal_year) = year.get_untracked().trim().parse::<i64>() else {
            form.errors.set_field("fiscalYear", "is a year, like 2027");
            return;
        };
        let input = create_plan::CreatePlanInput {
            name: name.get_untracked(),
            fiscal_year,
            currency_code: currency.get_untracked(),
            period_kind: create_plan::PeriodKind::MONTH,
            start_month: None,
            work: create_plan::WorkInput { owner_id: None, objectives: None, tags: None, status: None },
        };
        form.send::<CreatePlan, _>(
            Caller::SignedIn,
            create_plan::Variables { input },
            &["name", "fiscalYear", "currencyCode"],
            move |d| {
                name.set(String::new());
                on_created(d.create_plan.id);
            },
        );
    };
    view! {
        <section class="panel">
            <h2>"Create a plan"</h2>
            <form class="form form-row" data-testid="plan-form" on:submit=on_submit>
                <ErrorBanner errors=form.errors />
                <Field label="Name" name="name" value=name errors=form.errors testid="plan-name" placeholder="Marketing plan" />
                <Field label="Fiscal year" name="fiscalYear" value=year errors=form.errors testid="plan-year" placeholder="2027" />
                <Field label="Currency" name="currencyCode" value=currency errors=form.errors testid="plan-currency" />
                <Submit label="Create plan" busy_label="Creating…" busy=form.busy testid="plan-submit" />
            </form>
        </section>
    }
}
