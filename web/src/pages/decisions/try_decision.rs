//! "Try a decision" on a point's page: one identity, the request's context and how many
//! offers, answered with the offers ranked and the explanation of every candidate (its
//! factors and why it won or lost) and of what was excluded. A try is a real decision:
//! it is recorded, counted in the learning and shown on the contact's timeline.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use serde_json::Value;

use super::learning::Report;
use super::{error_of, send};
use crate::components::{ErrorBanner, Form, Submit};
use crate::ops::decisions::{Decide, Decision, JSON, decide};
use crate::pages::campaigns::results::rate;
use crate::session::Loaded;

/// The input fields the server may name in an error, each shown under its control.
const FIELDS: &[&str] = &["contactId", "email", "externalId", "anonymousId", "context", "count"];

/// The ways to name who the decision is for: the input field, and its words.
pub(crate) const IDENTITIES: [(&str, &str); 4] =
    [("email", "Email"), ("externalId", "External ID"), ("contactId", "Contact ID"), ("anonymousId", "Anonymous ID")];

/// The context typed: nothing (an empty context), or a JSON object; else why not.
pub(crate) fn parse_context(typed: &str) -> Result<Option<JSON>, String> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<JSON>(typed) {
        Ok(v @ Value::Object(_)) => Ok(Some(v)),
        Ok(_) => Err("is not a JSON object (write it as {\"name\": value, …})".to_owned()),
        Err(e) => Err(format!("is not valid JSON: {e}")),
    }
}

/// The count typed: nothing (the point's maximum), or a whole number from 1; else why not.
pub(crate) fn parse_count(typed: &str) -> Result<Option<i64>, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    match typed.parse::<i64>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err("is a whole number from 1".to_owned()),
    }
}

/// A decision request for `point`, naming who by `kind` (one of [`IDENTITIES`]).
pub(crate) fn decide_input(
    point: String,
    kind: &str,
    who: String,
    context: Option<JSON>,
    count: Option<i64>,
    explain: bool,
) -> decide::DecideInput {
    let is = |k: &str| (kind == k).then(|| who.clone());
    decide::DecideInput {
        point_id: point,
        contact_id: is("contactId"),
        email: is("email"),
        external_id: is("externalId"),
        anonymous_id: is("anonymousId"),
        context,
        count,
        explain,
    }
}

/// A decision's mode in words.
pub(crate) fn mode_label(mode: &str) -> &'static str {
    match mode {
        "LEARNED" => "Learned: ranked by score",
        "EXPLORE" => "Exploring: ranked at random to try less proven offers",
        "HOLDOUT" => "Holdout: ranked at random to measure the learning against",
        "FALLBACK" => "Fallback: nothing else was eligible",
        "NONE" => "None: nothing could be shown",
        _ => "Unknown",
    }
}

/// One candidate of an explanation, as its table shows it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Candidate {
    pub code: String,
    pub rank: i64,
    pub chosen: bool,
    pub weight: f64,
    pub value: f64,
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
    pub trials: i64,
    pub probability: f64,
    pub score: f64,
    pub reason: String,
}

/// One exclusion of an explanation: the offer, if it names one, the rule excluded (all
/// its offers) if it names one, and why.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Excluded {
    pub offer: Option<String>,
    pub rule: Option<String>,
    pub reason: String,
}

/// A point's rules as the explanation names them: each rule's ID (not the global one)
/// with its offers' codes.
pub(crate) type RuleOffers = Vec<(String, Vec<String>)>;

impl Excluded {
    /// What was left out, in words: a rule by its offers when `rules` knows it.
    pub(crate) fn what(&self, rules: &RuleOffers) -> String {
        match (&self.offer, &self.rule) {
            (Some(code), _) => code.clone(),
            (None, Some(rule)) => match rules.iter().find(|(id, _)| id == rule) {
                Some((_, codes)) if !codes.is_empty() => format!("Every offer of the rule for {}", codes.join(", ")),
                _ => "Every offer of one rule".to_owned(),
            },
            (None, None) => "Every offer".to_owned(),
        }
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn number(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

fn whole(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// The candidates of an explanation, in its order (chosen ones first).
pub(crate) fn candidates(explanation: &Value) -> Vec<Candidate> {
    let list = explanation.get("candidates").and_then(Value::as_array);
    list.map(|l| {
        l.iter()
            .map(|c| Candidate {
                code: text(c, "code"),
                rank: whole(c, "rank"),
                chosen: c.get("chosen").and_then(Value::as_bool).unwrap_or(false),
                weight: number(c, "weight"),
                value: number(c, "value"),
                estimate: number(c, "estimate"),
                low: number(c, "low"),
                high: number(c, "high"),
                trials: whole(c, "trials"),
                probability: number(c, "probability"),
                score: number(c, "score"),
                reason: text(c, "reason"),
            })
            .collect()
    })
    .unwrap_or_default()
}

/// What an explanation excluded, and why.
pub(crate) fn excluded(explanation: &Value) -> Vec<Excluded> {
    let list = explanation.get("excluded").and_then(Value::as_array);
    list.map(|l| {
        l.iter()
            .map(|e| Excluded {
                offer: e.get("offer").and_then(Value::as_str).map(str::to_owned),
                rule: e.get("rule").and_then(Value::as_str).map(str::to_owned),
                reason: text(e, "reason"),
            })
            .collect()
    })
    .unwrap_or_default()
}

/// The "Try a decision" panel of point `point` with its `rules`; a try reloads `report`.
#[component]
pub(crate) fn TryDecision(point: String, max_offers: i64, report: Loaded<Report>, rules: RuleOffers) -> impl IntoView {
    let form = Form::new();
    let errors = form.errors;
    let kind = RwSignal::new("email".to_owned());
    let who = RwSignal::new(String::new());
    let context = RwSignal::new(String::new());
    let count = RwSignal::new(String::new());
    let answer = RwSignal::new(None::<Decision>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let kind = kind.get_untracked();
        let typed = who.get_untracked().trim().to_owned();
        let mut fine = true;
        if typed.is_empty() {
            errors.set_field(&kind, "is required");
            fine = false;
        }
        let context = match parse_context(&context.get_untracked()) {
            Ok(c) => c,
            Err(why) => {
                errors.set_field("context", &why);
                fine = false;
                None
            }
        };
        let count = match parse_count(&count.get_untracked()) {
            Ok(c) => c,
            Err(why) => {
                errors.set_field("count", &why);
                fine = false;
                None
            }
        };
        if !fine {
            return;
        }
        let input = decide_input(point.clone(), &kind, typed, context, count, true);
        send::<Decide, _>(form, decide::Variables { input }, FIELDS, move |d| {
            answer.set(Some(d.decide));
            report.reload();
        });
    };
    let count_hint = format!("How many offers (1 to {max_offers}); the point's maximum when left empty.");
    view! {
        <section class="panel" data-testid="try-decision">
            <h2>"Try a decision"</h2>
            <p class="muted">"Ask this point for its next best offers for one person, and see why each offer won or lost."</p>
            <form class="form rule-form" data-testid="try-form" on:submit=submit>
                <ErrorBanner errors=errors />
                <div class="form-row">
                    <label class="field">
                        <span class="field-label">"Who"</span>
                        <select data-testid="try-identity-kind" prop:value=move || kind.get()
                            on:change=move |ev| kind.set(event_target_value(&ev))>
                            {IDENTITIES.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field"
                        class:invalid=move || IDENTITIES.iter().any(|(f, _)| errors.field(f).is_some())>
                        <span class="field-label">{move || {
                            let k = kind.get();
                            IDENTITIES.iter().find(|(f, _)| *f == k).map_or("Identity", |(_, l)| *l)
                        }}</span>
                        <input type="text" data-testid="try-identity" prop:value=move || who.get()
                            on:input=move |ev| who.set(event_target_value(&ev)) />
                        {IDENTITIES.iter().map(|(f, _)| error_of(errors, (*f).to_owned())).collect_view()}
                    </label>
                    <label class="field" class:invalid=move || errors.field("count").is_some()>
                        <span class="field-label">"Offers (optional)"</span>
                        <input type="number" min="1" max=max_offers.to_string() data-testid="try-count"
                            prop:value=move || count.get() on:input=move |ev| count.set(event_target_value(&ev)) />
                        <span class="field-hint">{count_hint}</span>
                        {error_of(errors, "count".to_owned())}
                    </label>
                </div>
                <label class="field" class:invalid=move || errors.field("context").is_some()>
                    <span class="field-label">"Context (JSON object, optional)"</span>
                    <textarea rows="3" class="code" data-testid="try-context"
                        placeholder="{\"page\": \"/cart\"}"
                        prop:value=move || context.get() on:input=move |ev| context.set(event_target_value(&ev))></textarea>
                    <span class="field-hint">"What the channel knows of the moment, tested by rules' context.<name>."</span>
                    {error_of(errors, "context".to_owned())}
                </label>
                <div>
                    <Submit label="Try a decision" busy_label="Deciding…" busy=form.busy testid="try-submit" />
                    <p class="field-hint" data-testid="try-hint">
                        "A try is a real decision: it is recorded, counts in what the point learns, and shows on the contact's timeline."
                    </p>
                </div>
            </form>
            {move || answer.get().map(|d| decision_view(d, rules.clone()))}
        </section>
    }
}

fn decision_view(d: Decision, rules: RuleOffers) -> impl IntoView {
    let explanation = d.explanation.clone().unwrap_or(Value::Null);
    let ranked = candidates(&explanation);
    let left_out = excluded(&explanation);
    let raw = serde_json::to_string_pretty(&explanation).unwrap_or_default();
    let no_offers = d.offers.is_empty();
    view! {
        <div class="try-result" data-testid="try-result" data-decision=d.id.clone()>
            <h3>"Offers shown"</h3>
            <p data-testid="try-mode" data-mode=d.mode.clone()>{format!("Mode: {}", mode_label(&d.mode))}</p>
            {if no_offers {
                view! { <p class="muted" data-testid="try-no-offers">"No offer was shown."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="try-offers">
                        <thead><tr><th>"Rank"</th><th>"Offer"</th><th>"Score"</th></tr></thead>
                        <tbody>
                            {d.offers.into_iter().map(|o| view! {
                                <tr data-testid="try-offer" data-code=o.offer.code.clone()>
                                    <td class="num" data-testid="try-offer-rank">{o.rank}</td>
                                    <td data-testid="try-offer-code" title=o.offer.name.clone()>{o.offer.code.clone()}</td>
                                    <td class="num" data-testid="try-offer-score">{format!("{:.4}", o.score)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <h3>"Why"</h3>
            {if ranked.is_empty() {
                view! { <p class="muted" data-testid="explain-no-candidates">"No offer was a candidate."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="explain-candidates">
                        <thead><tr>
                            <th>"Rank"</th><th>"Offer"</th><th>"Chosen"</th><th>"Weight"</th><th>"Value"</th>
                            <th>"Estimated rate (95% interval)"</th><th>"Trials"</th><th>"Probability used"</th>
                            <th>"Score"</th><th>"Reason"</th>
                        </tr></thead>
                        <tbody>
                            {ranked.into_iter().map(|c| {
                                let code = c.code.clone();
                                view! {
                                <tr data-testid="explain-candidate" data-code=code data-chosen=c.chosen.to_string()>
                                    <td class="num">{c.rank}</td>
                                    <td>{c.code}</td>
                                    <td>{if c.chosen { "Yes" } else { "No" }}</td>
                                    <td class="num">{c.weight.to_string()}</td>
                                    <td class="num">{format!("{:.2}", c.value)}</td>
                                    <td class="num nowrap">{super::learning::rate_with_interval(c.estimate, c.low, c.high)}</td>
                                    <td class="num">{c.trials}</td>
                                    <td class="num">{rate(c.probability)}</td>
                                    <td class="num">{format!("{:.4}", c.score)}</td>
                                    <td data-testid="explain-reason">{c.reason}</td>
                                </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <h3>"Excluded"</h3>
            {if left_out.is_empty() {
                view! { <p class="muted" data-testid="explain-none-excluded">"Nothing was excluded."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="explain-excluded-table">
                        <thead><tr><th>"Offer"</th><th>"Reason"</th></tr></thead>
                        <tbody>
                            {left_out.into_iter().map(|e| view! {
                                <tr data-testid="explain-excluded">
                                    <td data-testid="explain-excluded-what">{e.what(&rules)}</td>
                                    <td data-testid="explain-excluded-reason">{e.reason}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <details>
                <summary class="muted">"The explanation as the API answers it"</summary>
                <pre><code class="json" data-testid="explain-raw">{raw}</code></pre>
            </details>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_context_is_a_json_object_or_nothing() {
        assert_eq!(parse_context("  "), Ok(None));
        assert_eq!(parse_context(r#"{"page": "/cart"}"#), Ok(Some(json!({ "page": "/cart" }))));
        assert!(matches!(parse_context("[1, 2]"), Err(e) if e.starts_with("is not a JSON object")));
        assert!(matches!(parse_context("\"cart\""), Err(e) if e.starts_with("is not a JSON object")));
        assert!(matches!(parse_context("{page: cart}"), Err(e) if e.starts_with("is not valid JSON")));
        assert_eq!(parse_count(""), Ok(None));
        assert_eq!(parse_count(" 2 "), Ok(Some(2)));
        assert!(parse_count("0").is_err());
        assert!(parse_count("two").is_err());
    }

    #[test]
    fn one_identity_is_sent() {
        let i = decide_input("p".into(), "externalId", "crm-7".into(), None, Some(1), true);
        assert_eq!(i.external_id.as_deref(), Some("crm-7"));
        assert_eq!((i.email, i.contact_id, i.anonymous_id), (None, None, None));
        assert!(i.explain);
    }

    #[test]
    fn an_explanation_reads_as_rows() {
        let e = json!({
            "mode": "LEARNED",
            "candidates": [
                { "code": "CART-10", "rank": 1, "chosen": true, "weight": 2.0, "value": 12.4, "estimate": 0.5,
                  "low": 0.0, "high": 1.0, "trials": 0, "probability": 0.42, "score": 10.4, "reason": "best score" }
            ],
            "excluded": [
                { "rule": "r1", "reason": "not in the rule's segment" },
                { "rule": "r2", "offer": "OLD", "reason": "retired" },
                { "reason": "the contact refused consent on PHONE" }
            ]
        });
        let c = candidates(&e);
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].code.as_str(), c[0].rank, c[0].chosen), ("CART-10", 1, true));
        let x = excluded(&e);
        assert_eq!(
            x,
            vec![
                Excluded { offer: None, rule: Some("r1".into()), reason: "not in the rule's segment".into() },
                Excluded { offer: Some("OLD".into()), rule: Some("r2".into()), reason: "retired".into() },
                Excluded { offer: None, rule: None, reason: "the contact refused consent on PHONE".into() },
            ]
        );
        let unknown: Vec<String> = x.iter().map(|e| e.what(&Vec::new())).collect();
        assert_eq!(unknown, ["Every offer of one rule", "OLD", "Every offer"]);
        let rules = vec![("r1".to_owned(), vec!["CART-10".to_owned(), "GOLD".to_owned()])];
        assert_eq!(x[0].what(&rules), "Every offer of the rule for CART-10, GOLD");
        assert!(candidates(&Value::Null).is_empty());
        assert_eq!(mode_label("HOLDOUT"), "Holdout: ranked at random to measure the learning against");
    }
}
