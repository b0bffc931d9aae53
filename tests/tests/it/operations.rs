//! Marketing operations: a year of plans, budgets and spend rolling up to the cent,
//! approval rules with thresholds, steps, all/any and delegation, fifty concurrent
//! approvals that never overspend a line, bad input named by field, and another
//! workspace that sees none of it.

use serde_json::{Value, json};

use crate::on_both;
use crate::support::*;

/// The data of a query that must succeed.
async fn run(app: &TestApp, who: &As, q: &str, vars: Value) -> Value {
    ok(app.gql(who, q, vars).await)
}

fn eur(amount: &str) -> Value {
    json!({ "amount": amount, "currencyCode": "EUR" })
}

/// The global ID at `path` of a mutation's answer.
fn id(v: &Value, field: &str) -> String {
    v[field]["id"].as_str().unwrap_or_else(|| panic!("{field} has an id: {v}")).to_owned()
}

pub async fn plan(app: &TestApp, who: &As, year: i32) -> String {
    let q = "mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }";
    let i =
        json!({ "name": format!("Plan {year}"), "fiscalYear": year, "currencyCode": "EUR", "periodKind": "QUARTER" });
    id(&run(app, who, q, json!({ "i": i })).await, "createPlan")
}

pub async fn program(app: &TestApp, who: &As, plan: &str, name: &str) -> String {
    let q = "mutation($i: CreateProgramInput!) { createProgram(input: $i) { id } }";
    id(&run(app, who, q, json!({ "i": { "planId": plan, "name": name } })).await, "createProgram")
}

pub async fn project(app: &TestApp, who: &As, program: &str, name: &str) -> String {
    let q = "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }";
    let i = json!({ "programId": program, "name": name, "startsOn": "2027-03-01" });
    id(&run(app, who, q, json!({ "i": i })).await, "createProject")
}

const LINE: &str = "mutation($i: CreateBudgetLineInput!) { createBudgetLine(input: $i) { id } }";
const ALLOCATE: &str =
    "mutation($i: AllocateBudgetInput!) { allocateBudget(input: $i) { id nodeId parentId amount { amount } } }";
const ORDER: &str = "mutation($i: CreatePurchaseOrderInput!) { createPurchaseOrder(input: $i) { id status } }";
const SUBMIT: &str = "mutation($id: ID!) { submitPurchaseOrder(id: $id) { id status approval { id state } } }";
const INVOICE: &str = "mutation($i: RecordInvoiceInput!) { recordInvoice(input: $i) { id amount { amount } } }";
const SUMMARY: &str = "query($n: ID!, $y: Int!) { budgetSummary(nodeId: $n, fiscalYear: $y) {
    budgeted { amount currencyCode } allocated { amount } committed { amount } actual { amount } remaining { amount } } }";
const DECIDE: &str = "mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { id state currentStep } }";

pub async fn line(app: &TestApp, who: &As, node: &str, amount: &str, overspend: &str) -> String {
    let i = json!({ "nodeId": node, "name": "Media", "amount": eur(amount), "overspend": overspend });
    id(&run(app, who, LINE, json!({ "i": i })).await, "createBudgetLine")
}

pub async fn allocate(app: &TestApp, who: &As, from: &str, to: &str, amount: &str) -> String {
    let i = json!({ "fromBudgetLineId": from, "toNodeId": to, "amount": eur(amount) });
    let v = run(app, who, ALLOCATE, json!({ "i": i })).await;
    assert_eq!(v["allocateBudget"]["nodeId"], to, "the new line is held by the node allocated to");
    assert_eq!(v["allocateBudget"]["parentId"], from, "and names its parent line");
    id(&v, "allocateBudget")
}

pub async fn order(app: &TestApp, who: &As, lines: &[(&str, &str)]) -> String {
    let lines: Vec<Value> =
        lines.iter().map(|(l, a)| json!({ "budgetLineId": l, "amount": eur(a), "description": "ads" })).collect();
    let v = run(app, who, ORDER, json!({ "i": { "vendor": "Acme Media", "lines": lines } })).await;
    assert_eq!(v["createPurchaseOrder"]["status"], "DRAFT");
    id(&v, "createPurchaseOrder")
}

async fn submit(app: &TestApp, who: &As, po: &str) -> Value {
    app.gql(who, SUBMIT, json!({ "id": po })).await
}

async fn invoice(app: &TestApp, who: &As, po: &str, amount: &str, reference: &str) -> Value {
    app.gql(who, INVOICE, json!({ "i": { "purchaseOrderId": po, "amount": eur(amount), "reference": reference } }))
        .await
}

/// `[budgeted, allocated, committed, actual, remaining]` of a node for 2027.
async fn summary(app: &TestApp, who: &As, node: &str) -> [String; 5] {
    let s = run(app, who, SUMMARY, json!({ "n": node, "y": 2027 })).await["budgetSummary"].clone();
    assert_eq!(s["budgeted"]["currencyCode"], "EUR");
    ["budgeted", "allocated", "committed", "actual", "remaining"].map(|k| s[k]["amount"].as_str().unwrap().to_owned())
}

fn figures(f: [&str; 5]) -> [String; 5] {
    f.map(str::to_owned)
}

async fn a_year_of_plans_budgets_and_spend_rolls_up_to_the_cent(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let plan = plan(&app, &me, 2027).await;
    let (a, b) = (program(&app, &me, &plan, "Brand").await, program(&app, &me, &plan, "Demand").await);
    let (a1, a2, b1) = (
        project(&app, &me, &a, "Spring launch").await,
        project(&app, &me, &a, "Summer").await,
        project(&app, &me, &b, "Webinars").await,
    );

    let top = line(&app, &me, &plan, "100000.00", "FORBID").await;
    let la = allocate(&app, &me, &top, &a, "40000").await;
    let lb = allocate(&app, &me, &top, &b, "30000.00").await;
    let la1 = allocate(&app, &me, &la, &a1, "15000.50").await;
    let la2 = allocate(&app, &me, &la, &a2, "10000").await;
    let lb1 = allocate(&app, &me, &lb, &b1, "12000").await;

    // Never more than a line has available, and only below its holder.
    let over = app
        .gql(&me, ALLOCATE, json!({ "i": { "fromBudgetLineId": top, "toNodeId": a, "amount": eur("30000.01") } }))
        .await;
    assert_eq!(code(&over).as_deref(), Some("CONFLICT"), "{over}");
    let sideways =
        app.gql(&me, ALLOCATE, json!({ "i": { "fromBudgetLineId": la, "toNodeId": b1, "amount": eur("1") } })).await;
    assert_eq!(
        (code(&sideways).as_deref(), field(&sideways).as_deref()),
        (Some("BAD_USER_INPUT"), Some("toNodeId")),
        "{sideways}"
    );
    let up =
        app.gql(&me, ALLOCATE, json!({ "i": { "fromBudgetLineId": la1, "toNodeId": a, "amount": eur("1") } })).await;
    assert_eq!(field(&up).as_deref(), Some("toNodeId"), "not upwards: {up}");

    // Spend: a purchase order over two projects, approved at once (no rule applies).
    let po1 = order(&app, &me, &[(&la1, "5000.25"), (&la2, "2000")]).await;
    let s = submit(&app, &me, &po1).await;
    assert_eq!(ok(s)["submitPurchaseOrder"]["status"], "APPROVED");
    let inv = invoice(&app, &me, &po1, "3000", "INV-1").await;
    assert_eq!(ok(inv)["recordInvoice"]["amount"]["amount"], "3000.00");
    let again = invoice(&app, &me, &po1, "1", "INV-1").await;
    assert_eq!(code(&again).as_deref(), Some("CONFLICT"), "the same invoice twice: {again}");

    // B1's line is spent to the cent by one order; another cent is refused.
    let po2 = order(&app, &me, &[(&lb1, "12000.00")]).await;
    assert_eq!(ok(submit(&app, &me, &po2).await)["submitPurchaseOrder"]["status"], "APPROVED");
    let po3 = order(&app, &me, &[(&lb1, "0.01")]).await;
    let refused = submit(&app, &me, &po3).await;
    assert_eq!(code(&refused).as_deref(), Some("CONFLICT"), "{refused}");
    let still = run(&app, &me, "query($id: ID!) { purchaseOrder(id: $id) { status } }", json!({ "id": po3 })).await;
    assert_eq!(still["purchaseOrder"]["status"], "DRAFT", "a refused approval leaves the order as it was");
    // Within the 5 % tolerance of the order, but past a FORBID line with nothing left.
    let past = invoice(&app, &me, &po2, "12600", "B-1").await;
    assert_eq!(code(&past).as_deref(), Some("CONFLICT"), "{past}");
    let beyond = invoice(&app, &me, &po2, "12600.01", "B-1").await;
    assert_eq!(
        (code(&beyond).as_deref(), field(&beyond).as_deref()),
        (Some("BAD_USER_INPUT"), Some("amount.amount")),
        "{beyond}"
    );
    ok(invoice(&app, &me, &po2, "12000", "B-1").await);
    let draft_invoice = invoice(&app, &me, &po3, "0.01", "X").await;
    assert_eq!(code(&draft_invoice).as_deref(), Some("CONFLICT"), "a draft takes no invoice: {draft_invoice}");

    // The figures, computed by hand.
    assert_eq!(summary(&app, &me, &a1).await, figures(["15000.50", "0.00", "2000.25", "3000.00", "10000.25"]));
    assert_eq!(summary(&app, &me, &a2).await, figures(["10000.00", "0.00", "2000.00", "0.00", "8000.00"]));
    assert_eq!(summary(&app, &me, &a).await, figures(["40000.00", "25000.50", "4000.25", "3000.00", "32999.75"]));
    assert_eq!(summary(&app, &me, &b1).await, figures(["12000.00", "0.00", "0.00", "12000.00", "0.00"]));
    assert_eq!(summary(&app, &me, &b).await, figures(["30000.00", "12000.00", "0.00", "12000.00", "18000.00"]));
    assert_eq!(summary(&app, &me, &plan).await, figures(["100000.00", "70000.00", "4000.25", "15000.00", "80999.75"]));
    let lines = run(&app, &me, "query($n: ID!) { budgetLines(nodeId: $n) { totalCount nodes { id available { amount } committed { amount } } } }", json!({ "n": a1 })).await;
    assert_eq!(lines["budgetLines"]["nodes"][0]["available"]["amount"], "10000.25");
    let planned =
        run(&app, &me, "query($id: ID!) { plan(id: $id) { budget { remaining { amount } } } }", json!({ "id": plan }))
            .await;
    assert_eq!(planned["plan"]["budget"]["remaining"]["amount"], "80999.75", "the plan's own figures agree");

    // Closing the first order releases what was never invoiced.
    let closed =
        run(&app, &me, "mutation($id: ID!) { closePurchaseOrder(id: $id) { status } }", json!({ "id": po1 })).await;
    assert_eq!(closed["closePurchaseOrder"]["status"], "CLOSED");
    assert_eq!(summary(&app, &me, &a1).await, figures(["15000.50", "0.00", "0.00", "3000.00", "12000.50"]));
    assert_eq!(summary(&app, &me, &plan).await, figures(["100000.00", "70000.00", "0.00", "15000.00", "85000.00"]));

    // A line still charged or allocated from cannot be deleted.
    let del = "mutation($id: ID!) { deleteBudgetLine(id: $id) }";
    assert_eq!(code(&app.gql(&me, del, json!({ "id": la1 })).await).as_deref(), Some("CONFLICT"));
    assert_eq!(code(&app.gql(&me, del, json!({ "id": la })).await).as_deref(), Some("CONFLICT"));
    let spare = line(&app, &me, &a2, "1", "ALLOW").await;
    assert_eq!(run(&app, &me, del, json!({ "id": spare })).await["deleteBudgetLine"], spare);

    // The trail holds each step.
    let trail = run(&app, &me, "{ auditLog(first: 100) { nodes { action } } }", json!({})).await;
    let actions: Vec<&str> =
        trail["auditLog"]["nodes"].as_array().unwrap().iter().filter_map(|n| n["action"].as_str()).collect();
    for a in [
        "plan.created",
        "budget_line.allocated",
        "purchase_order.approved",
        "invoice.recorded",
        "purchase_order.closed",
        "budget_line.deleted",
    ] {
        assert!(actions.contains(&a), "{a} is in the trail: {actions:?}");
    }
}

async fn bad_money_and_bad_references_are_named(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let plan = plan(&app, &me, 2027).await;
    let prog = program(&app, &me, &plan, "P").await;
    for (amount, currency, field_name) in [
        ("-5", "EUR", "amount.amount"),
        ("0", "EUR", "amount.amount"),
        ("1.234", "EUR", "amount.amount"),
        ("99999999999999999999", "EUR", "amount.amount"),
        ("12,50", "EUR", "amount.amount"),
        ("10", "EURO", "amount.currencyCode"),
        ("10", "USD", "amount.currencyCode"),
    ] {
        let i = json!({ "nodeId": prog, "name": "x", "amount": { "amount": amount, "currencyCode": currency } });
        let r = app.gql(&me, LINE, json!({ "i": i })).await;
        assert_eq!(
            (code(&r).as_deref(), field(&r).as_deref()),
            (Some("BAD_USER_INPUT"), Some(field_name)),
            "{amount} {currency}: {r}"
        );
    }
    let bad_plan = app
        .gql(
            &me,
            "mutation { createPlan(input: {name: \"x\", fiscalYear: 1999, currencyCode: \"EUR\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(field(&bad_plan).as_deref(), Some("fiscalYear"));
    let bad_month = app.gql(&me, "mutation { createPlan(input: {name: \"x\", fiscalYear: 2027, currencyCode: \"EUR\", startMonth: 13}) { id } }", json!({})).await;
    assert_eq!(field(&bad_month).as_deref(), Some("startMonth"));
    let q = "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }";
    let backwards = app
        .gql(
            &me,
            q,
            json!({ "i": { "programId": prog, "name": "x", "startsOn": "2027-05-01", "endsOn": "2027-04-01" } }),
        )
        .await;
    assert_eq!(field(&backwards).as_deref(), Some("endsOn"));
    let not_a_node =
        app.gql(&me, LINE, json!({ "i": { "nodeId": owner.user_id, "name": "x", "amount": eur("1") } })).await;
    assert_eq!(field(&not_a_node).as_deref(), Some("nodeId"), "a user holds no budget: {not_a_node}");

    // A cost center keeps its own currency and needs a year; an order never mixes currencies.
    let cc = run(
        &app,
        &me,
        "mutation { createCostCenter(input: {name: \"Events\", code: \"ev-1\", currencyCode: \"USD\"}) { id code } }",
        json!({}),
    )
    .await;
    assert_eq!(cc["createCostCenter"]["code"], "EV-1");
    let cc = id(&cc, "createCostCenter");
    let dup = app
        .gql(
            &me,
            "mutation { createCostCenter(input: {name: \"Other\", code: \"EV-1\", currencyCode: \"USD\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(field(&dup).as_deref(), Some("code"));
    let usd = json!({ "amount": "500", "currencyCode": "USD" });
    let no_year = app.gql(&me, LINE, json!({ "i": { "nodeId": cc, "name": "x", "amount": usd } })).await;
    assert_eq!(field(&no_year).as_deref(), Some("fiscalYear"));
    let cc_line = id(
        &run(&app, &me, LINE, json!({ "i": { "nodeId": cc, "name": "x", "amount": usd, "fiscalYear": 2027 } })).await,
        "createBudgetLine",
    );
    let eur_line = line(&app, &me, &prog, "100", "ALLOW").await;
    let mixed = app
        .gql(
            &me,
            ORDER,
            json!({ "i": { "vendor": "V", "lines": [
        { "budgetLineId": eur_line, "amount": eur("10") }, { "budgetLineId": cc_line, "amount": usd } ] } }),
        )
        .await;
    assert_eq!(field(&mixed).as_deref(), Some("lines[1].amount.currencyCode"), "{mixed}");
    let wrong_line = app
        .gql(&me, ORDER, json!({ "i": { "vendor": "V", "lines": [{ "budgetLineId": cc_line, "amount": eur("10") }] } }))
        .await;
    assert_eq!(field(&wrong_line).as_deref(), Some("lines[0].amount.currencyCode"), "{wrong_line}");
    let empty = app.gql(&me, ORDER, json!({ "i": { "vendor": "V", "lines": [] } })).await;
    assert_eq!(field(&empty).as_deref(), Some("lines"));
    let cc_summary = run(&app, &me, SUMMARY, json!({ "n": cc, "y": 2027 })).await;
    assert_eq!(cc_summary["budgetSummary"]["budgeted"], json!({ "amount": "500.00", "currencyCode": "USD" }));
    let wrong_year = app.gql(&me, SUMMARY, json!({ "n": plan, "y": 2026 })).await;
    assert_eq!(field(&wrong_year).as_deref(), Some("fiscalYear"));

    // Roles: a viewer only sees, an analyst reads figures, a marketer cannot set rules.
    let token = app.invite(&me, "viewer.ops@example.com", "VIEWER").await;
    let viewer = ok(app.accept(&token).await)["acceptInvitation"]["accessToken"].as_str().unwrap().to_owned();
    let viewer = As::token(&viewer).in_ws(&owner.workspace_id);
    let denied = app
        .gql(
            &viewer,
            "mutation($p: ID!) { createProgram(input: {planId: $p, name: \"x\"}) { id } }",
            json!({ "p": plan }),
        )
        .await;
    assert_eq!(code(&denied).as_deref(), Some("FORBIDDEN"));
    assert_eq!(summary(&app, &viewer, &prog).await[0], "100.00", "a viewer sees the figures");
    let rule = app
        .gql(
            &viewer,
            "mutation { createApprovalRule(input: {objectType: PURCHASE_ORDER, approverRole: APPROVER}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&rule).as_deref(), Some("FORBIDDEN"));
}

/// A member with `role`: their session in the owner's workspace, and their user ID.
pub async fn member(app: &TestApp, owner: &Account, email: &str, role: &str) -> (As, String) {
    let token = app.invite(&owner.auth(), email, role).await;
    let joined = ok(app.accept(&token).await);
    let t = joined["acceptInvitation"]["accessToken"].as_str().unwrap().to_owned();
    (As::token(&t).in_ws(&owner.workspace_id), joined["acceptInvitation"]["user"]["id"].as_str().unwrap().to_owned())
}

async fn decide(app: &TestApp, who: &As, approval: &str, decision: &str, comment: &str) -> Value {
    app.gql(who, DECIDE, json!({ "i": { "approvalId": approval, "decision": decision, "comment": comment } })).await
}

async fn status(app: &TestApp, who: &As, po: &str) -> String {
    let v = run(app, who, "query($id: ID!) { purchaseOrder(id: $id) { status } }", json!({ "id": po })).await;
    v["purchaseOrder"]["status"].as_str().unwrap().to_owned()
}

async fn approval_rules_with_thresholds_steps_all_any_and_delegation(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let (approver, approver_id) = member(&app, &owner, "approver@example.com", "APPROVER").await;
    let (admin1, _) = member(&app, &owner, "admin1@example.com", "ADMIN").await;
    let (admin2, admin2_id) = member(&app, &owner, "admin2@example.com", "ADMIN").await;
    let (marketer, _) = member(&app, &owner, "marketer@example.com", "MARKETER").await;
    let rule =
        "mutation($i: CreateApprovalRuleInput!) { createApprovalRule(input: $i) { id minAmount { amount } mode } }";
    let r1 = run(&app, &me, rule, json!({ "i": { "objectType": "PURCHASE_ORDER", "minAmount": eur("1000"), "approverRole": "APPROVER", "mode": "ANY" } })).await;
    assert_eq!(r1["createApprovalRule"]["minAmount"]["amount"], "1000.00");
    run(&app, &me, rule, json!({ "i": { "objectType": "PURCHASE_ORDER", "minAmount": eur("10000"), "approverRole": "ADMIN", "mode": "ALL" } })).await;
    let denied =
        app.gql(&marketer, rule, json!({ "i": { "objectType": "PURCHASE_ORDER", "approverRole": "APPROVER" } })).await;
    assert_eq!(code(&denied).as_deref(), Some("FORBIDDEN"), "marketers draft, they do not set rules");

    let plan = plan(&app, &me, 2027).await;
    let prog = program(&app, &me, &plan, "Brand").await;
    let budget = line(&app, &me, &prog, "50000", "ALLOW").await;

    // Below every threshold: approved at once.
    let small = order(&app, &marketer, &[(&budget, "500")]).await;
    assert_eq!(ok(submit(&app, &marketer, &small).await)["submitPurchaseOrder"]["status"], "APPROVED");

    // One step, any approver; nobody decides their own request; a decision is final.
    let po = order(&app, &marketer, &[(&budget, "2000")]).await;
    let s = ok(submit(&app, &marketer, &po).await);
    assert_eq!(s["submitPurchaseOrder"]["status"], "SUBMITTED");
    let approval = s["submitPurchaseOrder"]["approval"]["id"].as_str().unwrap().to_owned();
    let inbox = run(
        &app,
        &approver,
        "{ approvals(state: PENDING) { totalCount nodes { id objectId state canDecide summary } } }",
        json!({}),
    )
    .await;
    assert_eq!(inbox["approvals"]["totalCount"], 1);
    assert_eq!(inbox["approvals"]["nodes"][0]["objectId"], po.as_str());
    assert_eq!(inbox["approvals"]["nodes"][0]["canDecide"], true);
    let own = decide(&app, &marketer, &approval, "APPROVE", "").await;
    assert_eq!(code(&own).as_deref(), Some("FORBIDDEN"), "{own}");
    let theirs =
        run(&app, &marketer, "query($id: ID!) { approval(id: $id) { canDecide } }", json!({ "id": approval })).await;
    assert_eq!(theirs["approval"]["canDecide"], false);
    let done = ok(decide(&app, &approver, &approval, "APPROVE", "fine").await);
    assert_eq!(done["decideApproval"]["state"], "APPROVED");
    assert_eq!(status(&app, &me, &po).await, "APPROVED");
    let twice = decide(&app, &admin1, &approval, "REJECT", "too late").await;
    assert_eq!(code(&twice).as_deref(), Some("CONFLICT"), "{twice}");

    // Two steps: any approver, then every admin; an admin away hands over to the approver.
    let big = order(&app, &marketer, &[(&budget, "20000")]).await;
    let s = ok(submit(&app, &marketer, &big).await);
    let approval = s["submitPurchaseOrder"]["approval"]["id"].as_str().unwrap().to_owned();
    let steps = run(
        &app,
        &me,
        "query($id: ID!) { approval(id: $id) { currentStep steps { role mode approverIds } } }",
        json!({ "id": approval }),
    )
    .await;
    assert_eq!(
        steps["approval"]["steps"][1]["approverIds"].as_array().unwrap().len(),
        2,
        "both admins are asked: {steps}"
    );
    let not_yet = decide(&app, &marketer, &approval, "APPROVE", "").await;
    assert_eq!(code(&not_yet).as_deref(), Some("FORBIDDEN"));
    let step1 = ok(decide(&app, &approver, &approval, "APPROVE", "").await);
    assert_eq!(
        (step1["decideApproval"]["state"].as_str(), step1["decideApproval"]["currentStep"].as_i64()),
        (Some("PENDING"), Some(2))
    );
    let stranger = decide(&app, &approver, &approval, "APPROVE", "").await;
    assert_eq!(code(&stranger).as_deref(), Some("FORBIDDEN"), "step 2 asks the admins: {stranger}");
    let one = ok(decide(&app, &admin1, &approval, "APPROVE", "").await);
    assert_eq!(one["decideApproval"]["state"], "PENDING", "one of two admins is not all");
    let again = decide(&app, &admin1, &approval, "APPROVE", "").await;
    assert_eq!(code(&again).as_deref(), Some("CONFLICT"));
    let until = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    let delegate = "mutation($i: DelegateApprovalsInput!) { delegateApprovals(input: $i) { id toUserId } }";
    let d = run(&app, &admin2, delegate, json!({ "i": { "toUserId": approver_id, "endsAt": until } })).await;
    assert_eq!(d["delegateApprovals"]["toUserId"], approver_id.as_str());
    let last = ok(decide(&app, &approver, &approval, "APPROVE", "for admin2").await);
    assert_eq!(last["decideApproval"]["state"], "APPROVED");
    assert_eq!(status(&app, &me, &big).await, "APPROVED");
    let decisions = run(
        &app,
        &me,
        "query($id: ID!) { approval(id: $id) { decisions { step decision onBehalfOfUserId } } }",
        json!({ "id": approval }),
    )
    .await;
    let ds = decisions["approval"]["decisions"].as_array().unwrap();
    assert_eq!(ds.len(), 3);
    assert_eq!(ds[2]["onBehalfOfUserId"], admin2_id.as_str(), "the decision says whom it stood in for");

    // Rejection needs a reason; changes requested send the order back to its author.
    let po = order(&app, &marketer, &[(&budget, "3000")]).await;
    let a =
        ok(submit(&app, &marketer, &po).await)["submitPurchaseOrder"]["approval"]["id"].as_str().unwrap().to_owned();
    let silent = decide(&app, &approver, &a, "REJECT", " ").await;
    assert_eq!(field(&silent).as_deref(), Some("comment"));
    assert_eq!(
        ok(decide(&app, &approver, &a, "REJECT", "no budget for this").await)["decideApproval"]["state"],
        "REJECTED"
    );
    assert_eq!(status(&app, &me, &po).await, "REJECTED");
    let po = order(&app, &marketer, &[(&budget, "3000")]).await;
    let a =
        ok(submit(&app, &marketer, &po).await)["submitPurchaseOrder"]["approval"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        ok(decide(&app, &admin2, &a, "REQUEST_CHANGES", "split it").await)["decideApproval"]["state"],
        "CHANGES_REQUESTED"
    );
    assert_eq!(status(&app, &me, &po).await, "DRAFT");
    assert_eq!(ok(submit(&app, &marketer, &po).await)["submitPurchaseOrder"]["status"], "SUBMITTED", "it can go again");

    // An API key acts with its role; its maker's own requests stay off limits.
    let key =
        run(&app, &me, "mutation { createApiKey(input: {name: \"bot\", role: APPROVER}) { secret } }", json!({})).await;
    let key = As::token(key["createApiKey"]["secret"].as_str().unwrap());
    let a2 =
        run(&app, &me, "query($id: ID!) { purchaseOrder(id: $id) { approval { id } } }", json!({ "id": po })).await;
    let a2 = a2["purchaseOrder"]["approval"]["id"].as_str().unwrap().to_owned();
    assert_eq!(ok(decide(&app, &key, &a2, "APPROVE", "").await)["decideApproval"]["state"], "APPROVED");
    let own_key =
        run(&app, &admin1, "mutation { createApiKey(input: {name: \"mine\", role: APPROVER}) { secret } }", json!({}))
            .await;
    let own_key = As::token(own_key["createApiKey"]["secret"].as_str().unwrap());
    let po = order(&app, &admin1, &[(&budget, "1500")]).await;
    let a3 = ok(submit(&app, &admin1, &po).await)["submitPurchaseOrder"]["approval"]["id"].as_str().unwrap().to_owned();
    let own = decide(&app, &own_key, &a3, "APPROVE", "").await;
    assert_eq!(code(&own).as_deref(), Some("FORBIDDEN"), "a key's maker's own request: {own}");

    // Approving is where the budget is checked: a FORBID line with too little left.
    let tight = line(&app, &me, &prog, "1500", "FORBID").await;
    let po = order(&app, &marketer, &[(&tight, "2000")]).await;
    let a =
        ok(submit(&app, &marketer, &po).await)["submitPurchaseOrder"]["approval"]["id"].as_str().unwrap().to_owned();
    let over = decide(&app, &approver, &a, "APPROVE", "").await;
    assert_eq!(code(&over).as_deref(), Some("CONFLICT"), "{over}");
    let still =
        run(&app, &me, "query($id: ID!) { approval(id: $id) { state decisions { id } } }", json!({ "id": a })).await;
    assert_eq!(still["approval"]["state"], "PENDING", "nothing of the refused decision is kept: {still}");
    assert_eq!(still["approval"]["decisions"], json!([]));
    assert_eq!(status(&app, &me, &po).await, "SUBMITTED");

    // A request past its deadline expires when someone tries to decide it; the order
    // goes back to its author. (The deciding process's clock is two hours ahead.)
    let timed = json!({ "i": { "objectType": "PURCHASE_ORDER", "minAmount": eur("40000"), "approverRole": "APPROVER", "deadlineHours": 1 } });
    run(&app, &me, rule, timed).await;
    let po = order(&app, &marketer, &[(&budget, "45000")]).await;
    let a =
        ok(submit(&app, &marketer, &po).await)["submitPurchaseOrder"]["approval"]["id"].as_str().unwrap().to_owned();
    let deadline = run(&app, &me, "query($id: ID!) { approval(id: $id) { deadlineAt } }", json!({ "id": a })).await;
    assert!(deadline["approval"]["deadlineAt"].is_string(), "{deadline}");
    let bearer = approver.bearer.clone().unwrap_or_default();
    let principal = domain::identity::auth::authenticate(&app.server.parley, &bearer).await.unwrap();
    let ctx = domain::identity::auth::tenant_ctx(&principal, Some(uuid_of(&owner.workspace_id).into())).unwrap();
    let later = app.server.parley.with_clock_skew(chrono::Duration::hours(2));
    let late =
        domain::approvals::requests::decide(&ctx, &later, uuid_of(&a).into(), domain::Decision::Approve, "").await;
    assert!(matches!(late, Err(domain::Error::Conflict(ref m)) if m.contains("expired")), "{late:?}");
    let gone = run(&app, &me, "query($id: ID!) { approval(id: $id) { state } }", json!({ "id": a })).await;
    assert_eq!(gone["approval"]["state"], "EXPIRED");
    assert_eq!(status(&app, &me, &po).await, "DRAFT", "an expired request sends the order back");

    // Submitted again and left alone: the deadline's own job expires it, not before.
    let again =
        ok(submit(&app, &marketer, &po).await)["submitPurchaseOrder"]["approval"]["id"].as_str().unwrap().to_owned();
    app.drive_jobs().await;
    let waiting = run(&app, &me, "query($id: ID!) { approval(id: $id) { state } }", json!({ "id": again })).await;
    assert_eq!(waiting["approval"]["state"], "PENDING", "an hour is left");
    drive_after(&app, chrono::Duration::hours(2)).await;
    let lapsed = run(&app, &me, "query($id: ID!) { approval(id: $id) { state } }", json!({ "id": again })).await;
    assert_eq!(lapsed["approval"]["state"], "EXPIRED", "nobody decided: the job expired it");
    assert_eq!(status(&app, &me, &po).await, "DRAFT");

    let trail = run(&app, &me, "{ auditLog(first: 100) { nodes { action } } }", json!({})).await;
    let actions: Vec<&str> =
        trail["auditLog"]["nodes"].as_array().unwrap().iter().filter_map(|n| n["action"].as_str()).collect();
    for a in [
        "approval.expired",
        "approval_rule.created",
        "approval.requested",
        "approval.decided",
        "approval_delegation.created",
        "purchase_order.rejected",
        "purchase_order.returned",
    ] {
        assert!(actions.contains(&a), "{a} is in the trail");
    }
}

async fn fifty_concurrent_approvals_never_overspend_a_forbid_line(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let plan = plan(&app, &me, 2027).await;
    let prog = program(&app, &me, &plan, "P").await;
    let proj = project(&app, &me, &prog, "Q").await;
    let budget = line(&app, &me, &proj, "1000.00", "FORBID").await;
    let mut orders = Vec::new();
    for _ in 0..50 {
        orders.push(order(&app, &me, &[(&budget, "100.00")]).await);
    }
    let answers = futures::future::join_all(orders.iter().map(|po| submit(&app, &me, po))).await;
    let approved = answers.iter().filter(|a| a["data"]["submitPurchaseOrder"]["status"] == "APPROVED").count();
    let refused = answers.iter().filter(|a| code(a).as_deref() == Some("CONFLICT")).count();
    assert_eq!(
        (approved, refused),
        (10, 40),
        "exactly the line's worth is approved: {:?}",
        answers.iter().filter(|a| code(a).as_deref() != Some("CONFLICT") && a["data"].is_null()).collect::<Vec<_>>()
    );
    assert_eq!(summary(&app, &me, &proj).await, figures(["1000.00", "0.00", "1000.00", "0.00", "0.00"]));
    let listed = run(&app, &me, "{ purchaseOrders(status: APPROVED) { totalCount } }", json!({})).await;
    assert_eq!(listed["purchaseOrders"]["totalCount"], 10);
}

/// One object of each marketing-operations type, for node and cross-tenant checks.
pub async fn samples(app: &TestApp, owner: &Account) -> Vec<(&'static str, Value)> {
    let me = owner.auth();
    let plan = plan(app, &me, 2027).await;
    let prog = program(app, &me, &plan, "P").await;
    let proj = project(app, &me, &prog, "Q").await;
    let cc = run(
        app,
        &me,
        "mutation { createCostCenter(input: {name: \"C\", code: \"C1\", currencyCode: \"EUR\"}) { id } }",
        json!({}),
    )
    .await;
    let budget = line(app, &me, &proj, "1000", "ALLOW").await;
    let spare = line(app, &me, &plan, "500", "ALLOW").await;
    let moves = json!([{ "fromBudgetLineId": spare, "toBudgetLineId": budget, "amount": eur("10") }]);
    let draft = run(
        app,
        &me,
        "mutation($i: CreateBudgetDraftInput!) { createBudgetDraft(input: $i) { id } }",
        json!({ "i": { "name": "D", "moves": moves } }),
    )
    .await;
    run(app, &me, "mutation { createApprovalRule(input: {objectType: PURCHASE_ORDER, minAmount: {amount: \"500\", currencyCode: \"EUR\"}, approverRole: APPROVER}) { id } }", json!({})).await;
    let rules = run(app, &me, "{ approvalRules { nodes { id } } }", json!({})).await;
    let small = order(app, &me, &[(&budget, "100")]).await;
    ok(submit(app, &me, &small).await);
    let inv = ok(invoice(app, &me, &small, "50", "S-1").await);
    let big = order(app, &me, &[(&budget, "600")]).await;
    let approval = ok(submit(app, &me, &big).await)["submitPurchaseOrder"]["approval"]["id"].clone();
    let vendors = run(app, &me, "{ vendors { nodes { id } } }", json!({})).await;
    let (_, mate) = member(app, owner, &format!("{}@example.com", uuid::Uuid::now_v7().simple()), "APPROVER").await;
    let until = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let d = run(
        app,
        &me,
        "mutation($i: DelegateApprovalsInput!) { delegateApprovals(input: $i) { id } }",
        json!({ "i": { "toUserId": mate, "endsAt": until } }),
    )
    .await;
    let template = run(app, &me, TEMPLATE, json!({ "i": launch_template() })).await;
    let template = id(&template, "createWorkflowTemplate");
    let wf = run(app, &me, START, json!({ "i": { "templateId": template, "projectId": proj } })).await;
    vec![
        ("WorkflowTemplate", json!(template)),
        ("Workflow", wf["startWorkflow"]["id"].clone()),
        ("WorkflowTask", wf["startWorkflow"]["tasks"][0]["id"].clone()),
        ("Plan", json!(plan)),
        ("Program", json!(prog)),
        ("Project", json!(proj)),
        ("CostCenter", cc["createCostCenter"]["id"].clone()),
        ("BudgetLine", json!(budget)),
        ("BudgetDraft", draft["createBudgetDraft"]["id"].clone()),
        ("Vendor", vendors["vendors"]["nodes"][0]["id"].clone()),
        ("PurchaseOrder", json!(small)),
        ("Invoice", inv["recordInvoice"]["id"].clone()),
        ("ApprovalRule", rules["approvalRules"]["nodes"][0]["id"].clone()),
        ("Approval", approval),
        ("ApprovalDelegation", d["delegateApprovals"]["id"].clone()),
    ]
}

pub const TEMPLATE: &str = "mutation($i: CreateWorkflowTemplateInput!) { createWorkflowTemplate(input: $i) { id } }";
pub const START: &str = "mutation($i: StartWorkflowInput!) { startWorkflow(input: $i) { id status
    tasks { id key name status startsOn dueOn approval role dependsOn } } }";

/// A brief, then copy and design side by side, then an approval.
pub fn launch_template() -> Value {
    json!({ "name": "Launch", "tasks": [
        { "key": "brief", "name": "Brief", "durationDays": 2 },
        { "key": "copy", "name": "Copy", "durationDays": 5, "dependsOn": ["brief"] },
        { "key": "design", "name": "Design", "durationDays": 3, "dependsOn": ["brief"] },
        { "key": "review", "name": "Review", "durationDays": 1, "dependsOn": ["copy", "design"], "approval": true },
    ] })
}

async fn a_workflow_runs_its_tasks_in_dependency_order(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let (approver, _) = member(&app, &owner, "wf.approver@example.com", "APPROVER").await;
    let (marketer, marketer_id) = member(&app, &owner, "wf.marketer@example.com", "MARKETER").await;
    let (viewer, _) = member(&app, &owner, "wf.viewer@example.com", "VIEWER").await;
    let plan = plan(&app, &me, 2027).await;
    let prog = program(&app, &me, &plan, "Brand").await;
    let proj = project(&app, &me, &prog, "Spring launch").await;
    let template = id(&run(&app, &me, TEMPLATE, json!({ "i": launch_template() })).await, "createWorkflowTemplate");
    let wf = run(&app, &marketer, START, json!({ "i": { "templateId": template, "projectId": proj } })).await;
    let tasks = wf["startWorkflow"]["tasks"].as_array().unwrap().clone();
    let by = |key: &str| tasks.iter().find(|t| t["key"] == key).unwrap().clone();
    // Dated from the project's start (2027-03-01) along the longest chain.
    let dates: Vec<(String, String, String)> = ["brief", "copy", "design", "review"]
        .iter()
        .map(|k| {
            let t = by(k);
            (k.to_string(), t["startsOn"].as_str().unwrap().to_owned(), t["dueOn"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        dates,
        vec![
            ("brief".into(), "2027-03-01".into(), "2027-03-03".into()),
            ("copy".into(), "2027-03-03".into(), "2027-03-08".into()),
            ("design".into(), "2027-03-03".into(), "2027-03-06".into()),
            ("review".into(), "2027-03-08".into(), "2027-03-09".into()),
        ]
    );
    assert_eq!(by("brief")["status"], "READY");
    assert_eq!(by("review")["status"], "WAITING");
    assert_eq!(by("review")["role"], "APPROVER");

    let complete = "mutation($id: ID!) { completeTask(id: $id) { id status } }";
    let start = "mutation($id: ID!) { startTask(id: $id) { id status } }";
    let early = app.gql(&marketer, complete, json!({ "id": by("copy")["id"] })).await;
    assert_eq!(code(&early).as_deref(), Some("CONFLICT"), "{early}");
    assert!(early["errors"][0]["message"].as_str().unwrap().contains("Brief"), "names what it waits for: {early}");
    assert_eq!(
        code(&app.gql(&approver, start, json!({ "id": by("review")["id"] })).await).as_deref(),
        Some("CONFLICT")
    );

    let assign = "mutation($id: ID!, $to: ID) { assignTask(id: $id, assigneeId: $to) { assigneeId } }";
    let bad = app.gql(&me, assign, json!({ "id": by("brief")["id"], "to": owner.workspace_id })).await;
    assert_eq!(code(&bad).as_deref(), Some("NOT_FOUND"), "a workspace ID is no user's: {bad}");
    let stranger = app.sign_up("BUSINESS").await;
    let outsider = app.gql(&me, assign, json!({ "id": by("brief")["id"], "to": stranger.user_id })).await;
    assert_eq!(field(&outsider).as_deref(), Some("assigneeId"), "not a member: {outsider}");
    let assigned = run(&app, &me, assign, json!({ "id": by("brief")["id"], "to": marketer_id })).await;
    assert_eq!(assigned["assignTask"]["assigneeId"], marketer_id.as_str());
    assert_eq!(
        run(&app, &marketer, start, json!({ "id": by("brief")["id"] })).await["startTask"]["status"],
        "IN_PROGRESS"
    );
    assert_eq!(
        run(&app, &marketer, complete, json!({ "id": by("brief")["id"] })).await["completeTask"]["status"],
        "DONE"
    );
    let again = app.gql(&marketer, complete, json!({ "id": by("brief")["id"] })).await;
    assert_eq!(code(&again).as_deref(), Some("CONFLICT"));
    run(&app, &marketer, complete, json!({ "id": by("copy")["id"] })).await;
    let still = app.gql(&approver, complete, json!({ "id": by("review")["id"] })).await;
    assert_eq!(code(&still).as_deref(), Some("CONFLICT"), "design is not done: {still}");
    run(&app, &marketer, complete, json!({ "id": by("design")["id"] })).await;

    // The approval step is the approver's.
    let not_theirs = app.gql(&marketer, complete, json!({ "id": by("review")["id"] })).await;
    assert_eq!(code(&not_theirs).as_deref(), Some("FORBIDDEN"), "{not_theirs}");
    let note = "mutation($id: ID!, $b: String!) { commentOnTask(id: $id, body: $b) { author body } }";
    let c = run(&app, &approver, note, json!({ "id": by("review")["id"], "b": "Looks good" })).await;
    assert_eq!(c["commentOnTask"]["body"], "Looks good");
    assert_eq!(
        code(&app.gql(&viewer, note, json!({ "id": by("review")["id"], "b": "x" })).await).as_deref(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        field(&app.gql(&approver, note, json!({ "id": by("review")["id"], "b": "  " })).await).as_deref(),
        Some("body")
    );
    run(&app, &approver, complete, json!({ "id": by("review")["id"] })).await;
    let done = run(
        &app,
        &me,
        "query($id: ID!) { workflow(id: $id) { status tasks { status comments { body } } } }",
        json!({ "id": wf["startWorkflow"]["id"] }),
    )
    .await;
    assert_eq!(done["workflow"]["status"], "DONE");
    assert!(done["workflow"]["tasks"].as_array().unwrap().iter().all(|t| t["status"] == "DONE"));
    assert_eq!(done["workflow"]["tasks"][3]["comments"][0]["body"], "Looks good");

    // Templates that cannot run are refused, naming the task.
    let cycle = json!({ "name": "Loop", "tasks": [
        { "key": "a", "name": "A", "durationDays": 1, "dependsOn": ["b"] },
        { "key": "b", "name": "B", "durationDays": 1, "dependsOn": ["a"] } ] });
    let r = app.gql(&me, TEMPLATE, json!({ "i": cycle })).await;
    assert_eq!(
        (code(&r).as_deref(), field(&r).as_deref()),
        (Some("BAD_USER_INPUT"), Some("tasks[1].dependsOn")),
        "{r}"
    );
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("a → b → a"), "{r}");
    let unknown =
        json!({ "name": "X", "tasks": [{ "key": "a", "name": "A", "durationDays": 1, "dependsOn": ["zz"] }] });
    assert_eq!(field(&app.gql(&me, TEMPLATE, json!({ "i": unknown })).await).as_deref(), Some("tasks[0].dependsOn"));
    let long = json!({ "name": "X", "tasks": [{ "key": "a", "name": "A", "durationDays": -1 }] });
    assert_eq!(field(&app.gql(&me, TEMPLATE, json!({ "i": long })).await).as_deref(), Some("tasks[0].durationDays"));
    let trail = run(&app, &me, "{ auditLog(first: 100) { nodes { action } } }", json!({})).await;
    let actions: Vec<&str> =
        trail["auditLog"]["nodes"].as_array().unwrap().iter().filter_map(|n| n["action"].as_str()).collect();
    for a in [
        "workflow_template.created",
        "workflow.started",
        "task.assigned",
        "task.completed",
        "workflow.completed",
        "task.commented",
    ] {
        assert!(actions.contains(&a), "{a} is in the trail");
    }
}

/// Runs every job due `skew` from now (a worker whose clock is that far ahead).
async fn drive_after(app: &TestApp, skew: chrono::Duration) {
    let p = app.server.parley.with_clock_skew(skew);
    let w = workers::Runtime::new(p, app.server.mailer.clone(), workers::RuntimeConfig::default());
    while w.try_execute_batch().await.unwrap().claimed > 0 {}
}

/// Emails to `to` whose text holds `what`.
fn mails(app: &TestApp, to: &str, what: &str) -> usize {
    app.smtp.to(to).iter().filter(|m| m.text().contains(what)).count()
}

async fn tasks_due_soon_are_reminded_and_overdue_ones_escalated(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let (marketer, marketer_id) = member(&app, &owner, "wf.doer@example.com", "MARKETER").await;
    // The daily look is at 08:00 UTC: the first one after now, a minute past it.
    let now = chrono::Utc::now();
    let eight = now.date_naive().and_hms_opt(8, 0, 0).unwrap().and_utc();
    let first = if eight > now { eight } else { eight + chrono::Duration::days(1) };
    let day = |n: i64| (first.date_naive() + chrono::Duration::days(n)).format("%Y-%m-%d").to_string();
    let plan = plan(&app, &me, 2027).await;
    let prog = program(&app, &me, &plan, "Brand").await;
    let q = "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }";
    let i = json!({ "programId": prog, "name": "Webinar", "startsOn": day(-3), "work": { "ownerId": owner.user_id } });
    let proj = id(&run(&app, &me, q, json!({ "i": i })).await, "createProject");
    let template = json!({ "name": "Webinar", "tasks": [
        { "key": "late", "name": "Book the venue", "durationDays": 1 },
        { "key": "soon", "name": "Send invitations", "durationDays": 4 },
        { "key": "later", "name": "Follow up", "durationDays": 10 } ] });
    let template = id(&run(&app, &me, TEMPLATE, json!({ "i": template })).await, "createWorkflowTemplate");
    let wf = run(&app, &me, START, json!({ "i": { "templateId": template, "projectId": proj } })).await;
    let assign = "mutation($id: ID!, $to: ID) { assignTask(id: $id, assigneeId: $to) { id } }";
    for t in wf["startWorkflow"]["tasks"].as_array().unwrap() {
        run(&app, &me, assign, json!({ "id": t["id"], "to": marketer_id })).await;
    }
    let doer = "wf.doer@example.com";
    app.drive_jobs().await;
    assert_eq!(mails(&app, doer, "Send invitations"), 0, "nothing before the first look");

    let past = |days: i64| first - now + chrono::Duration::days(days) + chrono::Duration::minutes(1);
    drive_after(&app, past(0)).await;
    assert_eq!(mails(&app, doer, "Send invitations"), 1, "a reminder the day before it is due");
    assert_eq!(mails(&app, doer, "Book the venue"), 1, "an escalation of the overdue task to its assignee");
    assert_eq!(mails(&app, &owner.email, "Book the venue"), 1, "and to the project's owner");
    assert_eq!(mails(&app, doer, "Follow up"), 0, "nothing about a task due next week");
    drive_after(&app, past(0)).await;
    drive_after(&app, past(1)).await;
    assert_eq!((mails(&app, doer, "Send invitations"), mails(&app, doer, "Book the venue")), (1, 1), "nothing twice");
    drive_after(&app, past(2)).await;
    assert_eq!(mails(&app, doer, "Send invitations"), 2, "escalated once it is overdue");
    assert_eq!(mails(&app, &owner.email, "Send invitations"), 1);

    // A finished workflow is left alone.
    let complete = "mutation($id: ID!) { completeTask(id: $id) { id } }";
    for t in wf["startWorkflow"]["tasks"].as_array().unwrap() {
        run(&app, &marketer, complete, json!({ "id": t["id"] })).await;
    }
    drive_after(&app, past(20)).await;
    assert_eq!(mails(&app, doer, "Follow up"), 0, "done before it was due");
}

async fn another_workspace_sees_none_of_the_operations(app: TestApp) {
    let a = app.sign_up("BUSINESS").await;
    let b = app.sign_up("BUSINESS").await;
    let theirs = samples(&app, &a).await;
    let them = b.auth();
    for (ty, id) in &theirs {
        let r = app.gql(&them, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
        assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{ty}: {r}");
    }
    let get = |ty: &str| theirs.iter().find(|(t, _)| *t == ty).unwrap().1.clone();
    for (q, vars) in [
        (SUMMARY, json!({ "n": get("Plan"), "y": 2027 })),
        ("query($id: ID!) { plan(id: $id) { id } }", json!({ "id": get("Plan") })),
        ("query($id: ID!) { purchaseOrder(id: $id) { id } }", json!({ "id": get("PurchaseOrder") })),
        ("query($id: ID!) { approval(id: $id) { id } }", json!({ "id": get("Approval") })),
        ("query($n: ID!) { budgetLines(nodeId: $n) { totalCount } }", json!({ "n": get("Project") })),
        ("query($p: ID!) { programs(planId: $p) { totalCount } }", json!({ "p": get("Plan") })),
        ("mutation($p: ID!) { createProgram(input: {planId: $p, name: \"x\"}) { id } }", json!({ "p": get("Plan") })),
        (
            "mutation($p: ID!) { createProject(input: {programId: $p, name: \"x\", startsOn: \"2027-01-01\"}) { id } }",
            json!({ "p": get("Program") }),
        ),
        (
            "mutation($n: ID!) { createBudgetLine(input: {nodeId: $n, name: \"x\", amount: {amount: \"1\", currencyCode: \"EUR\"}}) { id } }",
            json!({ "n": get("Project") }),
        ),
        (
            ALLOCATE,
            json!({ "i": { "fromBudgetLineId": get("BudgetLine"), "toNodeId": get("Project"), "amount": eur("1") } }),
        ),
        (
            ORDER,
            json!({ "i": { "vendor": "V", "lines": [{ "budgetLineId": get("BudgetLine"), "amount": eur("1") }] } }),
        ),
        (SUBMIT, json!({ "id": get("PurchaseOrder") })),
        ("mutation($id: ID!) { closePurchaseOrder(id: $id) { id } }", json!({ "id": get("PurchaseOrder") })),
        (INVOICE, json!({ "i": { "purchaseOrderId": get("PurchaseOrder"), "amount": eur("1"), "reference": "x" } })),
        (DECIDE, json!({ "i": { "approvalId": get("Approval"), "decision": "APPROVE" } })),
        ("mutation($id: ID!) { deleteApprovalRule(id: $id) { id } }", json!({ "id": get("ApprovalRule") })),
        ("mutation($id: ID!) { deleteBudgetLine(id: $id) }", json!({ "id": get("BudgetLine") })),
        ("mutation($id: ID!) { endApprovalDelegation(id: $id) { id } }", json!({ "id": get("ApprovalDelegation") })),
        (START, json!({ "i": { "templateId": get("WorkflowTemplate"), "projectId": get("Project") } })),
        ("mutation($id: ID!) { completeTask(id: $id) { id } }", json!({ "id": get("WorkflowTask") })),
        ("mutation($id: ID!) { commentOnTask(id: $id, body: \"x\") { id } }", json!({ "id": get("WorkflowTask") })),
        ("query($id: ID!) { workflow(id: $id) { id } }", json!({ "id": get("Workflow") })),
        ("query($p: ID!) { workflows(projectId: $p) { totalCount } }", json!({ "p": get("Project") })),
        (
            "mutation($l: ID!) { setBudgetForecast(input: {budgetLineId: $l, amounts: [null, null, null, null]}) { id } }",
            json!({ "l": get("BudgetLine") }),
        ),
        ("mutation($id: ID!) { applyBudgetDraft(id: $id) { id } }", json!({ "id": get("BudgetDraft") })),
        ("mutation($id: ID!) { discardBudgetDraft(id: $id) { id } }", json!({ "id": get("BudgetDraft") })),
        (
            "mutation($id: ID!) { updateBudgetDraft(id: $id, input: {name: \"x\"}) { id } }",
            json!({ "id": get("BudgetDraft") }),
        ),
    ] {
        let r = app.gql(&them, q, vars).await;
        assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{q}: {r}");
    }
    let lists = run(
        &app,
        &them,
        "{ plans { totalCount } programs { totalCount } projects { totalCount } costCenters { totalCount }
        budgetLines { totalCount } purchaseOrders { totalCount } invoices { totalCount } vendors { totalCount }
        approvals { totalCount } approvalRules { totalCount } approvalDelegations { totalCount }
        workflowTemplates { totalCount } workflows { totalCount } budgetDrafts { totalCount } }",
        json!({}),
    )
    .await;
    for (k, v) in lists.as_object().unwrap() {
        assert_eq!(v["totalCount"], 0, "{k} shows nothing of another workspace");
    }
    // And nothing of A's changed.
    let mine = run(
        &app,
        &a.auth(),
        "query($id: ID!) { purchaseOrder(id: $id) { status invoices { totalCount } } }",
        json!({ "id": get("PurchaseOrder") }),
    )
    .await;
    assert_eq!(mine["purchaseOrder"], json!({ "status": "APPROVED", "invoices": { "totalCount": 1 } }));
}

on_both!(
    a_year_of_plans_budgets_and_spend_rolls_up_to_the_cent,
    bad_money_and_bad_references_are_named,
    approval_rules_with_thresholds_steps_all_any_and_delegation,
    fifty_concurrent_approvals_never_overspend_a_forbid_line,
    another_workspace_sees_none_of_the_operations,
    a_workflow_runs_its_tasks_in_dependency_order,
    tasks_due_soon_are_reminded_and_overdue_ones_escalated,
);
