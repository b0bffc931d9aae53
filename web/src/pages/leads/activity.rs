//! A lead's history, oldest first: what happened, when, who did it, the change in a few
//! words and whether the CRM webhook received it.

use leptos::prelude::*;
use serde_json::Value;

use super::Members;
use crate::ops::leads::LeadActivity;
use crate::ops::{raw_id, short_time};

/// The member a raw user ID in an activity's detail names, or "someone".
fn who(members: &Members, v: &Value) -> Option<String> {
    let id = v.as_str()?;
    let name = members.iter().find(|(global, _)| raw_id(global).as_deref() == Some(id)).map(|(_, n)| n.clone());
    Some(name.unwrap_or_else(|| "a former member".to_owned()))
}

/// What an activity's detail says, in a few words.
pub(crate) fn summary(kind: &str, d: &Value, members: &Members) -> String {
    let text = |k: &str| d.get(k).and_then(Value::as_str).map(str::to_owned);
    let why = text("why").map(|w| format!(" ({w})")).unwrap_or_default();
    match kind {
        "CAPTURED" => {
            let score = d.get("score").map(Value::to_string).unwrap_or_default();
            let from = text("source").unwrap_or_default();
            format!("Captured from {from} at {}, score {score}", text("stage").unwrap_or_default())
        }
        "STAGE" => format!("{} → {}", text("from").unwrap_or_default(), text("to").unwrap_or_default()),
        "ASSIGNED" | "REASSIGNED" => {
            let to = d.get("to").and_then(|v| who(members, v)).unwrap_or_else(|| "a rep".to_owned());
            let hand = if d.get("byHand") == Some(&Value::Bool(true)) { " by hand" } else { "" };
            format!("Given to {to}{hand}{why}")
        }
        "UNASSIGNED" => format!("Waiting for a rep{}", text("waiting").map(|w| format!(": {w}")).unwrap_or_default()),
        "ESCALATED" => format!("First touch missed{why}"),
        "OUTCOME" => {
            let mut s = d.get("outcome").and_then(Value::as_str).unwrap_or("?").to_owned();
            if let Some(r) = d.get("revenue").filter(|r| !r.is_null()) {
                let amount = r.get("amount").map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_owned));
                s += &format!(
                    ": {} {}",
                    amount.unwrap_or_default(),
                    r.get("currency").and_then(Value::as_str).unwrap_or("")
                );
            }
            if let Some(r) = text("reason") {
                s += &format!(": {r}");
            }
            s
        }
        "NOTE" => text("text").unwrap_or_default(),
        _ => d.to_string(),
    }
}

/// The webhook delivery chip.
fn delivery_chip(a: &LeadActivity) -> impl IntoView + use<> {
    let (class, label) = match a.delivery.as_str() {
        "DELIVERED" => ("status status-done", "Delivered"),
        "PENDING" => ("status status-queued", "Pending"),
        "FAILED" => ("status status-dead", "Failed"),
        _ => ("muted", "—"),
    };
    let title = a.delivery_error.clone().unwrap_or_else(|| format!("{} attempt(s)", a.attempts));
    view! { <span class=class title=title data-testid="activity-delivery" data-delivery=a.delivery.clone()>{label}</span> }
}

/// The history table.
#[component]
pub(crate) fn History(activities: Vec<LeadActivity>, members: Signal<Members>) -> impl IntoView {
    view! {
        <section class="panel" data-testid="lead-history">
            <h2>"History"</h2>
            {if activities.is_empty() {
                view! { <p class="muted empty">"Nothing yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="activity-table">
                        <thead><tr><th>"What"</th><th>"When"</th><th>"Who"</th><th>"Detail"</th><th>"Webhook"</th></tr></thead>
                        <tbody>
                            {activities.into_iter().map(|a| {
                                let kind = a.kind.clone();
                                let detail = a.detail.clone();
                                let line = move || members.with(|m| summary(&kind, &detail, m));
                                view! {
                                    <tr data-testid="activity-row" data-kind=a.kind.clone()>
                                        <td data-testid="activity-kind">{a.kind.clone()}</td>
                                        <td class="nowrap muted">{format!("{} UTC", short_time(&a.at))}</td>
                                        <td data-testid="activity-actor">{a.actor.clone()}</td>
                                        <td data-testid="activity-detail">{line}</td>
                                        <td>{delivery_chip(&a)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn details_read_as_words() {
        let none = Vec::new();
        assert_eq!(summary("STAGE", &json!({"from": "NEW", "to": "MQL"}), &none), "NEW → MQL");
        assert_eq!(
            summary("OUTCOME", &json!({"outcome": "WON", "revenue": {"amount": "1200.00", "currency": "EUR"}}), &none),
            "WON: 1200.00 EUR"
        );
        assert_eq!(
            summary("OUTCOME", &json!({"outcome": "LOST", "revenue": null, "reason": "price"}), &none),
            "LOST: price"
        );
        assert_eq!(summary("ASSIGNED", &json!({"to": "x"}), &none), "Given to a former member");
    }
}
