//! `/app/offers/:id`: one offer, edited into a new version, every version with what
//! changed, and retired (refused while a point shows it as its fallback).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::offer_form::{Mode, OfferForm};
use super::{channel_list, load_failed, status_chip};
use crate::components::{FormErrors, Loading};
use crate::gql::call;
use crate::ops::decisions::{JSON, Offer, OfferDetail, RetireOffer, offer, retire_offer};
use crate::ops::short_time;
use crate::pages::assets::enum_name;
use crate::session::{Loaded, load};

type Data = offer::ResponseData;

/// The top-level keys whose values differ between two versions' content.
pub(crate) fn changed_keys(newer: &JSON, older: &JSON) -> Vec<String> {
    let (Some(newer), Some(older)) = (newer.as_object(), older.as_object()) else {
        return Vec::new();
    };
    let mut keys: Vec<String> = newer
        .iter()
        .filter(|(k, v)| older.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .chain(older.keys().filter(|k| !newer.contains_key(*k)).cloned())
        .filter(|k| !matches!(k.as_str(), "version" | "updatedAt" | "updated_at"))
        .collect();
    keys.sort();
    keys
}

/// A whole number with its thousands separated by commas (`1,000`).
pub(crate) fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (at, d) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// How often an offer may be shown, in words: to one contact within a window, in all,
/// or without limit.
pub(crate) fn limits_text(max_per_contact: Option<i64>, days: Option<i64>, capacity: Option<i64>) -> String {
    let per_contact = max_per_contact.map(|m| match days {
        Some(1) => format!("At most {} per contact in 1 day", thousands(m)),
        Some(d) => format!("At most {} per contact in {} days", thousands(m), thousands(d)),
        None => format!("At most {} per contact", thousands(m)),
    });
    let capacity = capacity.map(|c| {
        let noun = if c == 1 { "presentation" } else { "presentations" };
        format!("Capacity: {} {noun}", thousands(c))
    });
    let parts: Vec<String> = per_contact.into_iter().chain(capacity).collect();
    if parts.is_empty() { "No limit".to_owned() } else { parts.join(" · ") }
}

/// One offer.
#[component]
pub fn OfferPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = load(move || {
        let id = id();
        async move { call::<Offer>(offer::Variables { id }).await }
    });
    view! {
        <Title text="Offer · Parley" />
        {move || match data.data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => load_failed(e, "/app/offers", "Offers").into_any(),
            Some(Ok(d)) => view! { <Detail offer=d.offer loaded=data /> }.into_any(),
        }}
    }
}

#[component]
fn Detail(offer: OfferDetail, loaded: Loaded<Data>) -> impl IntoView {
    let status = enum_name(&offer.status);
    // Anything but a retired offer may still change and be retired.
    let active = status != "RETIRED";
    let waiting = match status.as_str() {
        "IN_APPROVAL" => Some("Waiting for approval: decisions leave it out until an approver approves this version."),
        "DRAFT" => Some("Its approval was refused or sent back: decisions leave it out; saving a change asks again."),
        _ => None,
    };
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let id = offer.id.clone();
    let retire = move |_| {
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        busy.set(true);
        let id = id.clone();
        spawn_local(async move {
            let answer = call::<RetireOffer>(retire_offer::Variables { id }).await;
            busy.set(false);
            match answer {
                Ok(_) => loaded.reload(),
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    let versions = offer.versions.clone();
    let version_rows = versions
        .iter()
        .enumerate()
        .map(|(at, v)| {
            let changed = versions.get(at + 1).map(|older| changed_keys(&v.content, &older.content));
            let what = match changed {
                None => "First version".to_owned(),
                Some(keys) if keys.is_empty() => "No change".to_owned(),
                Some(keys) => format!("Changed: {}", keys.join(", ")),
            };
            view! {
                <li data-testid="offer-version-row" data-version=v.version.to_string()>
                    <strong>{format!("Version {}", v.version)}</strong>
                    <span class="muted">{format!(" · {} UTC · ", short_time(&v.created_at))}</span>
                    <span data-testid="offer-version-changes">{what}</span>
                </li>
            }
        })
        .collect_view();
    let saved = Callback::new(move |()| loaded.reload());
    view! {
        <header class="page-head">
            <p class="muted"><A href="/app/offers">"Offers"</A>" /"</p>
            <h1 data-testid="page-title">{format!("{} · {}", offer.code, offer.name)} " " {status_chip(&status)}</h1>
            <p class="muted">
                <span data-testid="offer-version">{format!("Version {}", offer.version)}</span>
                {format!(" · {} · worth {} {}", channel_list(&offer.channels), offer.value.amount, offer.value.currency_code)}
                {offer.retired_at.as_ref().map(|at| format!(" · retired {} UTC", short_time(at)))}
            </p>
            <p class="muted" title="How often it may be shown: to one contact within a window, and in all at every point.">
                "Limits: "
                <span data-testid="offer-limits">
                    {limits_text(offer.max_per_contact, offer.max_per_contact_days, offer.capacity)}
                </span>
            </p>
        </header>
        <section class="panel">
            {waiting.map(|m| view! {
                <p class="banner banner-info" data-testid="offer-approval">
                    {m} " " <A href="/app/approvals">"Approvals"</A>
                </p>
            })}
            {move || errors.banner().map(|m| view! {
                <div class="banner banner-error" role="alert" data-testid="retire-error">{m}</div>
            })}
            {active.then(|| view! {
                <div class="actions">
                    <button type="button" class="btn btn-danger" data-testid="offer-retire"
                        disabled=move || busy.get() on:click=retire.clone()>
                        {move || if busy.get() { "Retiring…" } else { "Retire offer" }}
                    </button>
                    <span class="field-hint">" Retired offers are never chosen again but kept for the history."</span>
                </div>
            })}
            {(!active).then(|| view! {
                <p class="banner banner-info" data-testid="offer-retired">"This offer is retired: it is kept for the history and can no longer change."</p>
            })}
        </section>
        {active.then(|| view! {
            <section class="panel" data-testid="offer-edit">
                <h2>"Edit"</h2>
                <p class="muted">"Saving makes a new version; the earlier ones are kept."</p>
                <OfferForm mode=Mode::Edit { id: offer.id.clone(), saved } initial=Some(offer.clone()) />
            </section>
        })}
        <section class="panel">
            <h2>"Versions"</h2>
            <ol class="versions" data-testid="offer-versions">{version_rows}</ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_say_what_changed() {
        let older = json!({"name": "A", "code": "X", "version": 1});
        let newer = json!({"name": "B", "code": "X", "version": 2, "attributes": {}});
        assert_eq!(changed_keys(&newer, &older), ["attributes", "name"]);
        assert!(changed_keys(&json!(null), &older).is_empty());
    }

    #[test]
    fn limits_read_as_words() {
        assert_eq!(limits_text(None, None, None), "No limit");
        assert_eq!(limits_text(Some(2), Some(7), None), "At most 2 per contact in 7 days");
        assert_eq!(limits_text(None, None, Some(1000)), "Capacity: 1,000 presentations");
        assert_eq!(limits_text(Some(1), Some(1), Some(1)), "At most 1 per contact in 1 day · Capacity: 1 presentation");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
