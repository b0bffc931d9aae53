//! `/app/approvals`: the requests waiting for a decision (approve, reject or ask for
//! changes, with a comment), and for owners and admins the rules that raise them.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{Pick, money};
use crate::components::{
    Caller, Chunk, ErrorBanner, Field, Form, FormErrors, LoadError, Loading, Paged, PagedTable, RoleSelect, Submit,
    paged,
};
use crate::gql::call;
use crate::ops::approvals::{
    Approval, ApprovalRules, Approvals, CreateApprovalRule, DecideApproval, DeleteApprovalRule, approval_rules,
    approvals, create_approval_rule, decide_approval, delete_approval_rule,
};
use crate::ops::{Role, short_time};
use crate::session::{load, use_session};

/// The approvals page.
#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let inbox = paged(
        |after| async move { call::<Approvals>(approvals::Variables { after }).await.map(|d| Chunk::from(d.approvals)) },
        |a: &Approval| a.id.clone(),
    );
    let errors = FormErrors::new();
    let session = use_session();
    view! {
        <Title text="Approvals · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Approvals"</h1>
            <p class="muted">"Requests waiting for a decision. Nobody decides their own request; every decision is kept in the audit trail."</p>
        </header>
        <section class="panel">
            <h2>"Waiting for a decision"</h2>
            <ErrorBanner errors=errors />
            <PagedTable
                list=inbox
                head=&["Request", "Amount", "Step", "Asked", "Decision"]
                row=move |a| approval_row(a, inbox, errors)
                empty="Nothing is waiting for a decision."
                testid="approvals"
            />
        </section>
        <Show when=move || session.is_admin()>
            <RulesPanel />
        </Show>
    }
}

fn approval_row(a: Approval, inbox: Paged<Approval>, errors: FormErrors) -> impl IntoView {
    let comment = RwSignal::new(String::new());
    let id = a.id.clone();
    let step = a.steps.get(usize::try_from(a.current_step - 1).unwrap_or(0)).map(|s| {
        format!(
            "{} of {} · {} {}",
            a.current_step,
            a.steps.len(),
            if matches!(s.mode, approvals::ApprovalMode::ALL) { "every" } else { "one" },
            s.role.label().to_lowercase()
        )
    });
    let decide = move |decision: decide_approval::ApprovalDecisionKind| {
        let input = decide_approval::DecideApprovalInput {
            approval_id: id.clone(),
            decision,
            comment: comment.get_untracked(),
        };
        inbox.act::<DecideApproval>(decide_approval::Variables { input }, errors);
    };
    let (d1, d2, d3) = (decide.clone(), decide.clone(), decide);
    view! {
        <tr data-testid="approval-row">
            <td data-testid="approval-summary">
                {a.summary.clone()}
                // What is asked about is looked at before it is decided.
                {match a.object_type {
                    approvals::ApprovalObjectType::ASSET_VERSION => Some("assets"),
                    approvals::ApprovalObjectType::CAMPAIGN => Some("campaigns"),
                    approvals::ApprovalObjectType::OFFER => Some("offers"),
                    _ => None,
                }.map(|page| view! {
                    " " <a href=format!("/app/{page}/{}", a.object_id) data-testid="approval-open">"Open"</a>
                })}
            </td>
            <td>{a.amount.as_ref().map(|m| money(&m.amount, &m.currency_code)).unwrap_or_default()}</td>
            <td class="muted">{step.unwrap_or_default()}</td>
            <td class="muted nowrap">{short_time(&a.created_at)}</td>
            <td class="actions">
                {if a.can_decide {
                    view! {
                        <input type="text" placeholder="Comment" data-testid="approval-comment" prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev)) />
                        <button type="button" class="btn btn-primary btn-small" data-testid="approval-approve" on:click=move |_| d1(decide_approval::ApprovalDecisionKind::APPROVE)>"Approve"</button>
                        <button type="button" class="btn btn-ghost btn-small" data-testid="approval-changes" on:click=move |_| d2(decide_approval::ApprovalDecisionKind::REQUEST_CHANGES)>"Ask for changes"</button>
                        <button type="button" class="btn btn-ghost btn-small" data-testid="approval-reject" on:click=move |_| d3(decide_approval::ApprovalDecisionKind::REJECT)>"Reject"</button>
                    }.into_any()
                } else {
                    view! { <span class="muted" data-testid="approval-waiting">"Waiting for others"</span> }.into_any()
                }}
            </td>
        </tr>
    }
}

/// Owners and admins: the rules, and a form for a new one (purchase orders or budget
/// changes, from an amount, within a program or a cost center, with a deadline).
#[component]
fn RulesPanel() -> impl IntoView {
    let rules = load(|| call::<ApprovalRules>(approval_rules::Variables));
    let min = RwSignal::new(String::new());
    let currency = RwSignal::new("EUR".to_owned());
    let role = RwSignal::new("APPROVER".to_owned());
    let every = RwSignal::new(false);
    let object = RwSignal::new("PURCHASE_ORDER".to_owned());
    let program = RwSignal::new(String::new());
    let cost_center = RwSignal::new(String::new());
    let hours = RwSignal::new(String::new());
    let programs = Signal::derive(move || match rules.data.get() {
        Some(Ok(d)) => d.programs.nodes.into_iter().map(|p| (p.id, p.name)).collect(),
        _ => Vec::new(),
    });
    let cost_centers = Signal::derive(move || match rules.data.get() {
        Some(Ok(d)) => d.cost_centers.nodes.into_iter().map(|c| (c.id, c.name)).collect(),
        _ => Vec::new(),
    });
    let objects = Signal::derive(|| {
        vec![
            ("PURCHASE_ORDER".to_owned(), "Purchase orders".to_owned()),
            ("BUDGET_CHANGE".to_owned(), "Budget changes".to_owned()),
            ("ASSET_VERSION".to_owned(), "Asset versions".to_owned()),
            ("CAMPAIGN".to_owned(), "Campaigns".to_owned()),
            ("OFFER".to_owned(), "Offers (from their cost)".to_owned()),
        ]
    });
    let form = Form::new();
    let delete_errors = FormErrors::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let min = min.get_untracked();
        let deadline_hours = match hours.get_untracked().trim() {
            "" => None,
            h => match h.parse::<i64>() {
                Ok(h) => Some(h),
                Err(_) => {
                    form.errors.set_field("deadlineHours", "is a whole number of hours");
                    return;
                }
            },
        };
        let some = |s: String| (!s.is_empty()).then_some(s);
        let input = create_approval_rule::CreateApprovalRuleInput {
            object_type: match object.get_untracked().as_str() {
                "BUDGET_CHANGE" => create_approval_rule::ApprovalObjectType::BUDGET_CHANGE,
                "ASSET_VERSION" => create_approval_rule::ApprovalObjectType::ASSET_VERSION,
                "CAMPAIGN" => create_approval_rule::ApprovalObjectType::CAMPAIGN,
                "OFFER" => create_approval_rule::ApprovalObjectType::OFFER,
                _ => create_approval_rule::ApprovalObjectType::PURCHASE_ORDER,
            },
            program_id: some(program.get_untracked()),
            cost_center_id: some(cost_center.get_untracked()),
            min_amount: (!min.trim().is_empty()).then(|| create_approval_rule::MoneyInput {
                amount: min.clone(),
                currency_code: currency.get_untracked(),
            }),
            approver_role: Role::parse(&role.get_untracked()).unwrap_or(Role::Unknown),
            mode: if every.get_untracked() {
                create_approval_rule::ApprovalMode::ALL
            } else {
                create_approval_rule::ApprovalMode::ANY
            },
            deadline_hours,
        };
        form.send::<CreateApprovalRule, _>(
            Caller::SignedIn,
            create_approval_rule::Variables { input },
            &[
                "minAmount.amount",
                "minAmount.currencyCode",
                "approverRole",
                "programId",
                "costCenterId",
                "deadlineHours",
            ],
            move |_| rules.reload(),
        );
    };
    let delete = move |id: String| {
        delete_errors.clear();
        leptos::task::spawn_local(async move {
            match call::<DeleteApprovalRule>(delete_approval_rule::Variables { id }).await {
                Ok(_) => rules.reload(),
                Err(e) => delete_errors.show(&e, &[]),
            }
        });
    };
    view! {
        <section class="panel">
            <h2>"Approval rules"</h2>
            <ErrorBanner errors=delete_errors />
            {move || match rules.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(d)) if d.approval_rules.nodes.is_empty() => view! { <p class="muted" data-testid="rules-none">"No rules: purchase orders are approved when they are submitted, budget changes applied at once if the budget allows, asset versions approved when submitted, campaigns scheduled when launched and offers used as soon as they are saved."</p> }.into_any(),
                Some(Ok(d)) => view! {
                    <ol class="rules" data-testid="rules">
                        {d.approval_rules.nodes.iter().cloned().map(|r| {
                            let what = match r.object_type {
                                approval_rules::ApprovalObjectType::BUDGET_CHANGE => "Budget changes",
                                approval_rules::ApprovalObjectType::ASSET_VERSION => "Asset versions",
                                approval_rules::ApprovalObjectType::CAMPAIGN => "Campaigns",
                                approval_rules::ApprovalObjectType::OFFER => "Offers",
                                _ => "Purchase orders",
                            };
                            let name_in = |id: &Option<String>, names: &[(String, String)]| id.as_ref().and_then(|i| names.iter().find(|(n, _)| n == i)).map(|(_, l)| l.clone());
                            let programs: Vec<(String, String)> = d.programs.nodes.iter().map(|p| (p.id.clone(), p.name.clone())).collect();
                            let centers: Vec<(String, String)> = d.cost_centers.nodes.iter().map(|c| (c.id.clone(), c.name.clone())).collect();
                            let within = [name_in(&r.program_id, &programs), name_in(&r.cost_center_id, &centers)].into_iter().flatten().map(|n| format!(" in {n}")).collect::<String>();
                            let deadline = r.deadline_hours.map(|h| format!(", within {h} h")).unwrap_or_default();
                            let from = r.min_amount.map(|m| format!("from {}", money(&m.amount, &m.currency_code))).unwrap_or_else(|| "always".into());
                            let who = if matches!(r.mode, approval_rules::ApprovalMode::ALL) { "every" } else { "one" };
                            let id = r.id.clone();
                            view! {
                                <li data-testid="rule-row">
                                    {format!("{what}{within} {from}: {who} {}{deadline}", r.approver_role.label().to_lowercase())}
                                    " "
                                    <button type="button" class="btn btn-ghost btn-small" data-testid="rule-delete" on:click=move |_| delete(id.clone())>"Remove"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any(),
            }}
            <form class="form form-row" data-testid="rule-form" on:submit=on_submit>
                <ErrorBanner errors=form.errors />
                <Pick label="For" name="objectType" value=object options=objects errors=form.errors testid="rule-object" />
                <Pick label="Within program" name="programId" value=program options=programs errors=form.errors testid="rule-program" />
                <Pick label="Within cost center" name="costCenterId" value=cost_center options=cost_centers errors=form.errors testid="rule-cost-center" />
                <Field label="From amount" name="minAmount.amount" value=min errors=form.errors testid="rule-min" optional=true placeholder="1000.00" />
                <Field label="Currency" name="minAmount.currencyCode" value=currency errors=form.errors testid="rule-currency" />
                <RoleSelect value=role errors=form.errors testid="rule-role" without_owner=true />
                <label class="field field-check">
                    <input type="checkbox" data-testid="rule-every" prop:checked=move || every.get() on:change=move |ev| every.set(event_target_checked(&ev)) />
                    <span>"Every member with the role must approve"</span>
                </label>
                <Field label="Deadline (hours)" name="deadlineHours" value=hours errors=form.errors testid="rule-hours" optional=true placeholder="48" />
                <Submit label="Add rule" busy_label="Adding…" busy=form.busy testid="rule-submit" />
            </form>
        </section>
    }
}
