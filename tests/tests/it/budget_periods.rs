//! Budgets by period: a fiscal year from April in quarters, lines spread by hand,
//! commitments and invoices landing in the periods of their days, forecasts entered
//! or read from spending; what-if drafts shown before they move anything, applied at
//! once or after a budget-change approval, refused whole when a line would give away
//! what it has spent.

use serde_json::{Value, json};

use crate::on_both;
use crate::operations::{allocate, line, member, program, project};
use crate::support::*;

async fn run(app: &TestApp, who: &As, q: &str, vars: Value) -> Value {
    ok(app.gql(who, q, vars).await)
}

fn eur(amount: &str) -> Value {
    json!({ "amount": amount, "currencyCode": "EUR" })
}

const PERIODS: &str = "query($n: ID!) { budgetSummary(nodeId: $n, fiscalYear: 2027) { forecast { amount }
    periods { index label startsOn endsOn budgeted { amount } allocated { amount } forecast { amount }
              committed { amount } actual { amount } remaining { amount } } } }";
const PHASE: &str = "mutation($i: SetBudgetPhasingInput!) { setBudgetPhasing(input: $i) { id phased } }";
const FORECAST: &str = "mutation($i: SetBudgetForecastInput!) { setBudgetForecast(input: $i) { id
    periods { forecast { amount } forecastEntered } } }";
const PREVIEW: &str = "query($m: [BudgetMoveInput!]!) { previewBudgetMoves(moves: $m) { problems
    lines { budgetLineId amountBefore { amount } amountAfter { amount } availableBefore { amount } availableAfter { amount } }
    nodes { nodeId budgetedBefore { amount } budgetedAfter { amount } allocatedBefore { amount } allocatedAfter { amount }
            remainingBefore { amount } remainingAfter { amount } } } }";
const DRAFT: &str = "mutation($i: CreateBudgetDraftInput!) { createBudgetDraft(input: $i) { id status total { amount }
    effect { problems } } }";
const APPLY: &str = "mutation($id: ID!) { applyBudgetDraft(id: $id) { id status approvalId appliedAt } }";

/// One figure of every period of a summary, as strings.
fn column(summary: &Value, figure: &str) -> Vec<String> {
    summary["periods"].as_array().unwrap().iter().map(|p| p[figure]["amount"].as_str().unwrap().to_owned()).collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

async fn periods(app: &TestApp, who: &As, node: &str) -> Value {
    run(app, who, PERIODS, json!({ "n": node })).await["budgetSummary"].clone()
}

async fn amount_of(app: &TestApp, who: &As, line: &str) -> String {
    let v = run(
        app,
        who,
        "query($id: ID!) { node(id: $id) { ... on BudgetLine { amount { amount } } } }",
        json!({ "id": line }),
    )
    .await;
    v["node"]["amount"]["amount"].as_str().unwrap().to_owned()
}

fn mv(from: &str, to: &str, amount: &str) -> Value {
    json!({ "fromBudgetLineId": from, "toBudgetLineId": to, "amount": eur(amount) })
}

async fn budgets_by_period_forecasts_and_what_if_drafts(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let i =
        json!({ "name": "FY27", "fiscalYear": 2027, "currencyCode": "EUR", "periodKind": "QUARTER", "startMonth": 4 });
    let plan =
        run(&app, &me, "mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }", json!({ "i": i })).await;
    let plan = plan["createPlan"]["id"].as_str().unwrap().to_owned();
    let (brand, demand) = (program(&app, &me, &plan, "Brand").await, program(&app, &me, &plan, "Demand").await);
    let launch = project(&app, &me, &brand, "Launch").await;
    let top = line(&app, &me, &plan, "12000", "FORBID").await;

    // A year from April, in quarters.
    let s = periods(&app, &me, &plan).await;
    let labels: Vec<&str> = s["periods"].as_array().unwrap().iter().map(|p| p["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["Q1", "Q2", "Q3", "Q4"]);
    assert_eq!(
        (s["periods"][0]["startsOn"].as_str(), s["periods"][3]["endsOn"].as_str()),
        (Some("2027-04-01"), Some("2028-03-31"))
    );
    assert_eq!(
        column(&s, "budgeted"),
        strings(&["3000.00", "3000.00", "3000.00", "3000.00"]),
        "evenly until spread by hand"
    );

    // Spread by hand: one amount per period, adding up to the line.
    let phased = run(
        &app,
        &me,
        PHASE,
        json!({ "i": { "budgetLineId": top, "amounts": [eur("1000"), eur("2000"), eur("3000"), eur("6000")] } }),
    )
    .await;
    assert_eq!(phased["setBudgetPhasing"]["phased"], true);
    for (amounts, field_name) in [
        (json!([eur("6000"), eur("6000"), eur("0")]), "amounts"),
        (json!([eur("1000"), eur("2000"), eur("3000"), eur("5000")]), "amounts"),
        (json!([eur("13000"), eur("-1000"), eur("0"), eur("0")]), "amounts[1].amount"),
        (
            json!([{ "amount": "12000", "currencyCode": "USD" }, eur("0"), eur("0"), eur("0")]),
            "amounts[0].currencyCode",
        ),
    ] {
        let r = app.gql(&me, PHASE, json!({ "i": { "budgetLineId": top, "amounts": amounts } })).await;
        assert_eq!((code(&r).as_deref(), field(&r).as_deref()), (Some("BAD_USER_INPUT"), Some(field_name)), "{r}");
    }

    // Brand gets 4,000 (spread evenly); an order expected in August commits in Q2, its
    // invoice of November is actual in Q3.
    let carved = allocate(&app, &me, &top, &brand, "4000").await;
    let q = "mutation($i: CreatePurchaseOrderInput!) { createPurchaseOrder(input: $i) { id } }";
    let i = json!({ "vendor": "Acme Media", "expectedOn": "2027-08-10", "lines": [{ "budgetLineId": carved, "amount": eur("1000") }] });
    let po = run(&app, &me, q, json!({ "i": i })).await["createPurchaseOrder"]["id"].as_str().unwrap().to_owned();
    let submitted = run(
        &app,
        &me,
        "mutation($id: ID!) { submitPurchaseOrder(id: $id) { status expectedOn } }",
        json!({ "id": po }),
    )
    .await;
    assert_eq!(submitted["submitPurchaseOrder"], json!({ "status": "APPROVED", "expectedOn": "2027-08-10" }));
    let inv = "mutation($i: RecordInvoiceInput!) { recordInvoice(input: $i) { invoicedOn } }";
    let recorded = run(
        &app,
        &me,
        inv,
        json!({ "i": { "purchaseOrderId": po, "amount": eur("400"), "reference": "N-1", "invoicedOn": "2027-11-02" } }),
    )
    .await;
    assert_eq!(recorded["recordInvoice"]["invoicedOn"], "2027-11-02");
    let bad_day = app.gql(&me, inv, json!({ "i": { "purchaseOrderId": po, "amount": eur("1"), "reference": "N-2", "invoicedOn": "1999-12-31" } })).await;
    assert_eq!(field(&bad_day).as_deref(), Some("invoicedOn"));

    let s = periods(&app, &me, &plan).await;
    assert_eq!(column(&s, "budgeted"), strings(&["1000.00", "2000.00", "3000.00", "6000.00"]));
    assert_eq!(column(&s, "allocated"), strings(&["1000.00", "1000.00", "1000.00", "1000.00"]));
    assert_eq!(column(&s, "committed"), strings(&["0.00", "600.00", "0.00", "0.00"]));
    assert_eq!(column(&s, "actual"), strings(&["0.00", "0.00", "400.00", "0.00"]));
    assert_eq!(
        column(&s, "forecast"),
        strings(&["0.00", "600.00", "400.00", "0.00"]),
        "nothing entered: what is committed and spent"
    );
    assert_eq!(column(&s, "remaining"), strings(&["1000.00", "1400.00", "2600.00", "6000.00"]));
    assert_eq!(s["forecast"]["amount"], "1000.00");

    // A forecast entered by hand for two quarters; the others keep reading the spending.
    let f = run(
        &app,
        &me,
        FORECAST,
        json!({ "i": { "budgetLineId": carved, "amounts": [null, eur("900"), null, eur("500")] } }),
    )
    .await;
    let entered: Vec<bool> = f["setBudgetForecast"]["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["forecastEntered"].as_bool().unwrap())
        .collect();
    assert_eq!(entered, [false, true, false, true]);
    for node in [&brand, &plan] {
        let s = periods(&app, &me, node).await;
        assert_eq!(column(&s, "forecast"), strings(&["0.00", "900.00", "400.00", "500.00"]), "{node}");
        assert_eq!(s["forecast"]["amount"], "1800.00");
    }
    let short = app.gql(&me, FORECAST, json!({ "i": { "budgetLineId": carved, "amounts": [null] } })).await;
    assert_eq!(field(&short).as_deref(), Some("amounts"));
    // A project with no lines of its own has nothing in any period.
    assert_eq!(column(&periods(&app, &me, &launch).await, "budgeted"), strings(&["0.00", "0.00", "0.00", "0.00"]));

    // Changing a hand-spread line keeps its proportions.
    let q = "mutation($id: ID!, $i: UpdateBudgetLineInput!) { updateBudgetLine(id: $id, input: $i) { id } }";
    run(&app, &me, q, json!({ "id": top, "i": { "amount": eur("24000") } })).await;
    assert_eq!(
        column(&periods(&app, &me, &plan).await, "budgeted"),
        strings(&["2000.00", "4000.00", "6000.00", "12000.00"])
    );

    // What if Brand gives 500 to Demand, and takes 100 more from the plan?
    let other = allocate(&app, &me, &top, &demand, "2000").await;
    let moves = json!([mv(&carved, &other, "500"), mv(&top, &carved, "100")]);
    let p = run(&app, &me, PREVIEW, json!({ "m": moves })).await["previewBudgetMoves"].clone();
    assert_eq!(p["problems"], json!([]));
    let line_of = |id: &str| p["lines"].as_array().unwrap().iter().find(|l| l["budgetLineId"] == id).unwrap().clone();
    let amounts = |l: Value| {
        [&l["amountBefore"], &l["amountAfter"], &l["availableBefore"], &l["availableAfter"]]
            .map(|m| m["amount"].as_str().unwrap().to_owned())
    };
    assert_eq!(amounts(line_of(&carved)), ["4000.00", "3600.00", "3000.00", "2600.00"].map(str::to_owned));
    assert_eq!(amounts(line_of(&other)), ["2000.00", "2500.00", "2000.00", "2500.00"].map(str::to_owned));
    assert_eq!(
        amounts(line_of(&top)),
        ["24000.00", "24000.00", "18000.00", "17900.00"].map(str::to_owned),
        "the plan allocates 100 more"
    );
    let node_of = |id: &str| p["nodes"].as_array().unwrap().iter().find(|n| n["nodeId"] == id).unwrap().clone();
    assert_eq!(
        (node_of(&brand)["budgetedAfter"]["amount"].as_str(), node_of(&brand)["remainingAfter"]["amount"].as_str()),
        (Some("3600.00"), Some("2600.00"))
    );
    assert_eq!(node_of(&demand)["budgetedAfter"]["amount"], "2500.00");
    assert_eq!(
        (node_of(&plan)["allocatedBefore"]["amount"].as_str(), node_of(&plan)["allocatedAfter"]["amount"].as_str()),
        (Some("6000.00"), Some("6100.00"))
    );
    assert_eq!(amount_of(&app, &me, &carved).await, "4000.00", "a preview moves nothing");

    let d = run(&app, &me, DRAFT, json!({ "i": { "name": "Rebalance", "moves": moves } })).await["createBudgetDraft"]
        .clone();
    assert_eq!((d["status"].as_str(), d["total"]["amount"].as_str()), (Some("DRAFT"), Some("600.00")));
    let applied = run(&app, &me, APPLY, json!({ "id": d["id"] })).await["applyBudgetDraft"].clone();
    assert_eq!(applied["status"], "APPLIED");
    assert!(applied["appliedAt"].is_string());
    assert_eq!(
        (amount_of(&app, &me, &carved).await, amount_of(&app, &me, &other).await),
        ("3600.00".into(), "2500.00".into())
    );
    let again = app.gql(&me, APPLY, json!({ "id": d["id"] })).await;
    assert_eq!(code(&again).as_deref(), Some("CONFLICT"), "applied once: {again}");

    // Brand has 2,600 available (600 committed, 400 spent): 3,000 cannot leave it.
    let greedy = run(&app, &me, DRAFT, json!({ "i": { "name": "Too much", "moves": [mv(&carved, &other, "3000")] } }))
        .await["createBudgetDraft"]
        .clone();
    let problems = greedy["effect"]["problems"].as_array().unwrap();
    assert!(problems.len() == 1 && problems[0].as_str().unwrap().contains("Media"), "{greedy}");
    let refused = app.gql(&me, APPLY, json!({ "id": greedy["id"] })).await;
    assert_eq!(code(&refused).as_deref(), Some("CONFLICT"), "{refused}");
    assert_eq!(
        (amount_of(&app, &me, &carved).await, amount_of(&app, &me, &other).await),
        ("3600.00".into(), "2500.00".into()),
        "nothing moved"
    );
    run(&app, &me, "mutation($id: ID!) { discardBudgetDraft(id: $id) { status } }", json!({ "id": greedy["id"] }))
        .await;

    // A draft is kept in one currency: a later move in another one is named, even when its
    // own lines agree with it.
    let us = json!({ "name": "FY27 US", "fiscalYear": 2027, "currencyCode": "USD" });
    let us = run(&app, &me, "mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }", json!({ "i": us }))
        .await["createPlan"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut dollars = Vec::new();
    for name in ["Search", "Social"] {
        let i = json!({ "nodeId": us, "name": name, "amount": { "amount": "900", "currencyCode": "USD" }, "overspend": "FORBID" });
        let v = run(
            &app,
            &me,
            "mutation($i: CreateBudgetLineInput!) { createBudgetLine(input: $i) { id } }",
            json!({ "i": i }),
        )
        .await;
        dollars.push(v["createBudgetLine"]["id"].as_str().unwrap().to_owned());
    }
    let in_dollars = json!({ "fromBudgetLineId": dollars[0], "toBudgetLineId": dollars[1], "amount": { "amount": "5", "currencyCode": "USD" } });
    let alone = run(&app, &me, PREVIEW, json!({ "m": [in_dollars.clone()] })).await;
    assert_eq!(alone["previewBudgetMoves"]["problems"], json!([]), "one currency alone is fine");

    // Bad moves are named.
    for (moves, code_name, field_name) in [
        (json!([mv(&carved, &other, "1"), in_dollars.clone()]), "BAD_USER_INPUT", Some("moves[1].amount.currencyCode")),
        (json!([]), "BAD_USER_INPUT", Some("moves")),
        (json!([mv(&carved, &carved, "1")]), "BAD_USER_INPUT", Some("moves[0].toBudgetLineId")),
        (json!([mv(&carved, &other, "0")]), "BAD_USER_INPUT", Some("moves[0].amount.amount")),
        (
            json!([{ "fromBudgetLineId": carved, "toBudgetLineId": other, "amount": { "amount": "5", "currencyCode": "USD" } }]),
            "BAD_USER_INPUT",
            Some("moves[0].amount.currencyCode"),
        ),
        (json!([mv(&carved, "x", "1")]), "BAD_USER_INPUT", Some("moves[0].toBudgetLineId")),
        // Another type's ID names nothing of this type.
        (json!([mv(&carved, &plan, "1")]), "NOT_FOUND", None),
    ] {
        let r = app.gql(&me, PREVIEW, json!({ "m": moves })).await;
        assert_eq!((code(&r).as_deref(), field(&r).as_deref()), (Some(code_name), field_name), "{moves}: {r}");
    }

    // A budget-change rule from 1,000 up: a large draft waits for an approver, then moves.
    run(&app, &me, "mutation { createApprovalRule(input: {objectType: BUDGET_CHANGE, minAmount: {amount: \"1000\", currencyCode: \"EUR\"}, approverRole: APPROVER}) { id } }", json!({})).await;
    let (approver, _) =
        member(&app, &owner, &format!("{}@example.com", uuid::Uuid::now_v7().simple()), "APPROVER").await;
    let small = run(&app, &me, DRAFT, json!({ "i": { "name": "Small", "moves": [mv(&other, &carved, "100")] } })).await;
    let small = run(&app, &me, APPLY, json!({ "id": small["createBudgetDraft"]["id"] })).await;
    assert_eq!(small["applyBudgetDraft"]["status"], "APPLIED", "below the threshold");
    let big = run(&app, &me, DRAFT, json!({ "i": { "name": "Big", "moves": [mv(&other, &carved, "1000")] } })).await;
    let big = run(&app, &me, APPLY, json!({ "id": big["createBudgetDraft"]["id"] })).await["applyBudgetDraft"].clone();
    assert_eq!(big["status"], "SUBMITTED");
    assert_eq!(amount_of(&app, &me, &carved).await, "3700.00", "nothing moves while it waits");
    let inbox =
        run(&app, &approver, "{ approvals(state: PENDING) { nodes { id objectType objectId } } }", json!({})).await;
    let pending = &inbox["approvals"]["nodes"][0];
    assert_eq!(
        (pending["objectType"].as_str(), &pending["objectId"], &pending["id"]),
        (Some("BUDGET_CHANGE"), &big["id"], &big["approvalId"])
    );
    let decide = "mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { state } }";
    let own = app.gql(&me, decide, json!({ "i": { "approvalId": big["approvalId"], "decision": "APPROVE" } })).await;
    assert_eq!(code(&own).as_deref(), Some("FORBIDDEN"), "nobody approves their own change");
    let done = run(
        &app,
        &approver,
        decide,
        json!({ "i": { "approvalId": big["approvalId"], "decision": "APPROVE", "comment": "ok" } }),
    )
    .await;
    assert_eq!(done["decideApproval"]["state"], "APPROVED");
    let status = run(
        &app,
        &me,
        "query($id: ID!) { node(id: $id) { ... on BudgetDraft { status } } }",
        json!({ "id": big["id"] }),
    )
    .await;
    assert_eq!(status["node"]["status"], "APPLIED");
    assert_eq!(
        (amount_of(&app, &me, &carved).await, amount_of(&app, &me, &other).await),
        ("4700.00".into(), "1400.00".into())
    );
    let listed =
        run(&app, &me, "{ budgetDrafts(status: APPLIED) { totalCount } all: budgetDrafts { totalCount } }", json!({}))
            .await;
    assert_eq!(
        (listed["budgetDrafts"]["totalCount"].as_i64(), listed["all"]["totalCount"].as_i64()),
        (Some(3), Some(4))
    );

    // A rule limited to one program: Demand's orders wait for an approver, Brand's do not.
    let rule = "mutation($i: CreateApprovalRuleInput!) { createApprovalRule(input: $i) { id programId } }";
    let r = run(
        &app,
        &me,
        rule,
        json!({ "i": { "objectType": "PURCHASE_ORDER", "approverRole": "APPROVER", "programId": demand } }),
    )
    .await;
    assert_eq!(r["createApprovalRule"]["programId"], demand.as_str());
    for (budget_line, expected) in [(&carved, "APPROVED"), (&other, "SUBMITTED")] {
        let i = json!({ "vendor": "Acme Media", "lines": [{ "budgetLineId": budget_line, "amount": eur("10") }] });
        let po = run(
            &app,
            &me,
            "mutation($i: CreatePurchaseOrderInput!) { createPurchaseOrder(input: $i) { id } }",
            json!({ "i": i }),
        )
        .await;
        let s = run(
            &app,
            &me,
            "mutation($id: ID!) { submitPurchaseOrder(id: $id) { status } }",
            json!({ "id": po["createPurchaseOrder"]["id"] }),
        )
        .await;
        assert_eq!(s["submitPurchaseOrder"]["status"], expected);
    }
    for (i, code_name, field_name) in [
        (json!({ "objectType": "PURCHASE_ORDER", "approverRole": "APPROVER", "programId": plan }), "NOT_FOUND", None),
        (
            json!({ "objectType": "PURCHASE_ORDER", "approverRole": "APPROVER", "costCenterId": "x" }),
            "BAD_USER_INPUT",
            Some("costCenterId"),
        ),
    ] {
        let r = app.gql(&me, rule, json!({ "i": i })).await;
        assert_eq!((code(&r).as_deref(), field(&r).as_deref()), (Some(code_name), field_name), "{r}");
    }

    // Campaigns belong to a program through their project, as asset versions do.
    let i = json!({ "i": { "objectType": "CAMPAIGN", "approverRole": "APPROVER", "programId": demand } });
    assert_eq!(run(&app, &me, rule, i).await["createApprovalRule"]["programId"], demand.as_str());

    // Another workspace sees none of it, and cannot move its lines.
    let stranger = app.sign_up("BUSINESS").await.auth();
    let theirs = run(&app, &stranger, "{ budgetDrafts { totalCount } }", json!({})).await;
    assert_eq!(theirs["budgetDrafts"]["totalCount"], 0);
    let r = app.gql(&stranger, PREVIEW, json!({ "m": [mv(&carved, &other, "1")] })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let r = app.gql(&stranger, PERIODS, json!({ "n": plan })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let r = app.gql(&stranger, APPLY, json!({ "id": big["id"] })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let r = app
        .gql(
            &stranger,
            rule,
            json!({ "i": { "objectType": "PURCHASE_ORDER", "approverRole": "APPROVER", "programId": demand } }),
        )
        .await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "another workspace's program: {r}");
}

on_both!(budgets_by_period_forecasts_and_what_if_drafts);
