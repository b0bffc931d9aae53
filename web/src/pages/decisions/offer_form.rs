//! The form of an offer: new (version 1) on the catalogue page, or edited (a new
//! version) on its own page. Attributes are JSON, checked before anything is sent.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::{error_of, send};
use crate::components::{ErrorBanner, Field, Form, FormErrors, Submit};
use crate::gql::utc_from_local;
use crate::ops::decisions::{Channel, CreateOffer, JSON, OfferDetail, UpdateOffer, create_offer, update_offer};

/// The input fields the server may name in an error, each shown under its control.
const FIELDS: &[&str] = &[
    "code",
    "name",
    "channels",
    "value",
    "value.amount",
    "value.currencyCode",
    "cost",
    "cost.amount",
    "cost.currencyCode",
    "validFrom",
    "validTo",
    "attributes",
    "creatives",
    "creatives[0].title",
    "creatives[0].body",
    "creatives[0].imageUrl",
    "creatives[0].link",
    "creatives[1].title",
    "creatives[1].body",
    "creatives[1].imageUrl",
    "creatives[1].link",
    "creatives[2].title",
    "creatives[2].body",
    "creatives[2].imageUrl",
    "creatives[2].link",
    "creatives[3].title",
    "creatives[3].body",
    "creatives[3].imageUrl",
    "creatives[3].link",
    "creatives[4].title",
    "creatives[4].body",
    "creatives[4].imageUrl",
    "creatives[4].link",
    "creatives[5].title",
    "creatives[5].body",
    "creatives[5].imageUrl",
    "creatives[5].link",
    "creatives[6].title",
    "creatives[6].body",
    "creatives[6].imageUrl",
    "creatives[6].link",
    "creatives[7].title",
    "creatives[7].body",
    "creatives[7].imageUrl",
    "creatives[7].link",
    "creatives[8].title",
    "creatives[8].body",
    "creatives[8].imageUrl",
    "creatives[8].link",
    "creatives[9].title",
    "creatives[9].body",
    "creatives[9].imageUrl",
    "creatives[9].link",
    "creatives[0]",
    "creatives[1]",
    "creatives[2]",
    "creatives[3]",
    "creatives[4]",
    "creatives[5]",
    "creatives[6]",
    "creatives[7]",
    "creatives[8]",
    "creatives[9]",
    "maxPerContact",
    "maxPerContactDays",
    "capacity",
];

/// What the form does when saved.
#[derive(Clone)]
pub(crate) enum Mode {
    /// Adds an offer, then opens it.
    New,
    /// Changes offer `id` (a new version), then `saved` runs.
    Edit { id: String, saved: Callback<()> },
}

/// One creative variant as typed.
#[derive(Clone, Copy)]
struct CreativeRow {
    key: u32,
    title: RwSignal<String>,
    body: RwSignal<String>,
    image_url: RwSignal<String>,
    link: RwSignal<String>,
}

/// An offer as the form read it, before it becomes an operation's input.
struct Draft {
    code: String,
    name: String,
    channels: Vec<Channel>,
    value: Option<(String, String)>,
    cost: Option<(String, String)>,
    valid_from: Option<String>,
    valid_to: Option<String>,
    creatives: Vec<[String; 4]>,
    attributes: Option<JSON>,
    max_per_contact: Option<i64>,
    max_per_contact_days: Option<i64>,
    capacity: Option<i64>,
}

/// The operation input of module `$m` (`create_offer`, `update_offer`) for a draft.
macro_rules! offer_input {
    ($m:ident, $d:expr) => {{
        let d: Draft = $d;
        let money =
            |m: Option<(String, String)>| m.map(|(amount, currency_code)| $m::MoneyInput { amount, currency_code });
        $m::OfferInput {
            code: d.code,
            name: d.name,
            channels: d.channels,
            value: money(d.value),
            cost: money(d.cost),
            valid_from: d.valid_from,
            valid_to: d.valid_to,
            creatives: d
                .creatives
                .into_iter()
                .map(|[title, body, image_url, link]| $m::CreativeInput {
                    title,
                    body,
                    image_url: Some(image_url).filter(|s| !s.is_empty()),
                    link: Some(link).filter(|s| !s.is_empty()),
                })
                .collect(),
            attributes: d.attributes,
            max_per_contact: d.max_per_contact,
            max_per_contact_days: d.max_per_contact_days,
            capacity: d.capacity,
        }
    }};
}

/// The attributes typed: nothing, or a JSON object; else why not.
pub(crate) fn parse_attributes(typed: &str) -> Result<Option<JSON>, String> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<JSON>(typed) {
        Ok(v @ JSON::Object(_)) => Ok(Some(v)),
        Ok(_) => Err("must be a JSON object, like {\"tier\": \"gold\"}".to_owned()),
        Err(e) => Err(format!("is not valid JSON: {e}")),
    }
}

/// A whole number typed: nothing, or a number of at least 1; else why not.
pub(crate) fn parse_count(typed: &str) -> Result<Option<i64>, &'static str> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i64>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err("is a whole number of at least 1"),
    }
}

/// A date and time the form shows (`YYYY-MM-DDTHH:MM`) for a stored one, in UTC.
fn shown(at: &Option<String>) -> String {
    at.as_deref().map(|a| a.chars().take(16).collect()).unwrap_or_default()
}

/// The offer form.
#[component]
pub(crate) fn OfferForm(mode: Mode, initial: Option<OfferDetail>) -> impl IntoView {
    let form = Form::new();
    let submit_label = if matches!(mode, Mode::Edit { .. }) { "Save as a new version" } else { "Add offer" };
    let init = initial.as_ref();
    let text = |f: &dyn Fn(&OfferDetail) -> String| RwSignal::new(init.map(f).unwrap_or_default());
    let code = text(&|o| o.code.clone());
    let name = text(&|o| o.name.clone());
    let channels = RwSignal::new(init.map(|o| o.channels.clone()).unwrap_or_default());
    let value = text(&|o| o.value.amount.clone());
    let currency = RwSignal::new(init.map_or_else(|| "EUR".to_owned(), |o| o.value.currency_code.clone()));
    let cost = text(&|o| o.cost.amount.clone());
    // Dates are shown in UTC; kept as they were unless changed.
    let from_before = init.map(|o| (shown(&o.valid_from), o.valid_from.clone())).unwrap_or_default();
    let to_before = init.map(|o| (shown(&o.valid_to), o.valid_to.clone())).unwrap_or_default();
    let valid_from = RwSignal::new(from_before.0.clone());
    let valid_to = RwSignal::new(to_before.0.clone());
    let attributes = text(&|o| match &o.attributes {
        JSON::Object(m) if m.is_empty() => String::new(),
        JSON::Null => String::new(),
        a => serde_json::to_string_pretty(a).unwrap_or_default(),
    });
    let count = |f: &dyn Fn(&OfferDetail) -> Option<i64>| {
        RwSignal::new(init.and_then(f).map(|n| n.to_string()).unwrap_or_default())
    };
    let max_per_contact = count(&|o| o.max_per_contact);
    let max_per_contact_days = count(&|o| o.max_per_contact_days);
    let capacity = count(&|o| o.capacity);
    let next_key = StoredValue::new(0u32);
    let new_row = move |c: [String; 4]| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        let [title, body, image_url, link] = c;
        CreativeRow {
            key,
            title: RwSignal::new(title),
            body: RwSignal::new(body),
            image_url: RwSignal::new(image_url),
            link: RwSignal::new(link),
        }
    };
    let creatives = RwSignal::new(
        init.map(|o| {
            o.creatives
                .iter()
                .map(|c| {
                    new_row([
                        c.title.clone(),
                        c.body.clone(),
                        c.image_url.clone().unwrap_or_default(),
                        c.link.clone().unwrap_or_default(),
                    ])
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default(),
    );
    let navigate = use_navigate();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let attributes = match parse_attributes(&attributes.get_untracked()) {
            Ok(a) => a,
            Err(why) => {
                form.errors.set_field("attributes", &why);
                return;
            }
        };
        let date = |typed: RwSignal<String>, before: &(String, Option<String>), field: &str| {
            let typed = typed.get_untracked();
            if typed.trim().is_empty() {
                return Ok(None);
            }
            if typed == before.0 && before.1.is_some() {
                return Ok(before.1.clone());
            }
            utc_from_local(&typed).map(Some).ok_or_else(|| form.errors.set_field(field, "is not a date and time"))
        };
        let (Ok(valid_from), Ok(valid_to)) =
            (date(valid_from, &from_before, "validFrom"), date(valid_to, &to_before, "validTo"))
        else {
            return;
        };
        let counted = |typed: RwSignal<String>, field: &str| {
            parse_count(&typed.get_untracked()).map_err(|why| form.errors.set_field(field, why))
        };
        let (Ok(max_per_contact), Ok(max_per_contact_days), Ok(capacity)) = (
            counted(max_per_contact, "maxPerContact"),
            counted(max_per_contact_days, "maxPerContactDays"),
            counted(capacity, "capacity"),
        ) else {
            return;
        };
        let currency_code = currency.get_untracked().trim().to_uppercase();
        let money = |s: RwSignal<String>| {
            Some(s.get_untracked().trim().replace(',', "."))
                .filter(|a| !a.is_empty())
                .map(|a| (a, currency_code.clone()))
        };
        let draft = Draft {
            code: code.get_untracked().trim().to_owned(),
            name: name.get_untracked().trim().to_owned(),
            channels: channels.get_untracked(),
            value: money(value),
            cost: money(cost),
            valid_from,
            valid_to,
            creatives: creatives
                .get_untracked()
                .iter()
                .map(|c| {
                    [
                        c.title.get_untracked(),
                        c.body.get_untracked(),
                        c.image_url.get_untracked().trim().to_owned(),
                        c.link.get_untracked().trim().to_owned(),
                    ]
                })
                .collect(),
            attributes,
            max_per_contact,
            max_per_contact_days,
            capacity,
        };
        match &mode {
            Mode::New => {
                let input = offer_input!(create_offer, draft);
                let navigate = navigate.clone();
                send::<CreateOffer, _>(form, create_offer::Variables { input }, FIELDS, move |d| {
                    navigate(&format!("/app/offers/{}", d.create_offer.id), Default::default())
                });
            }
            Mode::Edit { id, saved } => {
                let input = offer_input!(update_offer, draft);
                let saved = *saved;
                send::<UpdateOffer, _>(form, update_offer::Variables { id: id.clone(), input }, FIELDS, move |_| {
                    saved.run(())
                });
            }
        }
    };
    let errors: FormErrors = form.errors;
    let toggle = move |c: Channel, on: bool| {
        channels.update(|list| {
            list.retain(|x| *x != c);
            if on {
                list.push(c);
            }
        })
    };
    view! {
        <form class="form offer-form" data-testid="offer-form" on:submit=submit>
            <ErrorBanner errors=errors />
            <div class="form-row">
                <Field label="Code" name="code" value=code errors=errors testid="offer-code" placeholder="SPRING-10"
                    hint="Letters, digits, - _ or . (kept upper case), unique in the workspace." />
                <Field label="Name" name="name" value=name errors=errors testid="offer-name" placeholder="10% off the spring range" />
            </div>
            <fieldset class="field" class:invalid=move || errors.field("channels").is_some()>
                <legend class="field-label">"Channels"</legend>
                <div class="checks" data-testid="offer-channels">
                    {Channel::ALL.iter().copied().map(|c| view! {
                        <label class="check">
                            <input type="checkbox" data-testid="offer-channel" value=c.as_str()
                                prop:checked=move || channels.with(|l| l.contains(&c))
                                on:change=move |ev| toggle(c, event_target_checked(&ev)) />
                            {c.label()}
                        </label>
                    }).collect_view()}
                </div>
                <span class="field-hint">"Where it may be shown (at least one)."</span>
                {error_of(errors, "channels".to_owned())}
            </fieldset>
            <div class="form-row">
                <label class="field" class:invalid=move || errors.field("value.amount").is_some() || errors.field("value").is_some()>
                    <span class="field-label">"Value"</span>
                    <input type="text" inputmode="decimal" data-testid="offer-value-amount" placeholder="25.00"
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                    <span class="field-hint">"What one acceptance is worth."</span>
                    {error_of(errors, "value.amount".to_owned())}
                    {error_of(errors, "value".to_owned())}
                </label>
                <label class="field" class:invalid=move || errors.field("value.currencyCode").is_some()>
                    <span class="field-label">"Currency"</span>
                    <input type="text" maxlength="3" data-testid="offer-value-currency"
                        prop:value=move || currency.get() on:input=move |ev| currency.set(event_target_value(&ev)) />
                    <span class="field-hint">"ISO 4217, like EUR."</span>
                    {error_of(errors, "value.currencyCode".to_owned())}
                    {error_of(errors, "cost.currencyCode".to_owned())}
                </label>
                <label class="field" class:invalid=move || errors.field("cost.amount").is_some() || errors.field("cost").is_some()>
                    <span class="field-label">"Cost"</span>
                    <input type="text" inputmode="decimal" data-testid="offer-cost-amount" placeholder="0"
                        prop:value=move || cost.get() on:input=move |ev| cost.set(event_target_value(&ev)) />
                    <span class="field-hint">"What one presentation costs."</span>
                    {error_of(errors, "cost.amount".to_owned())}
                    {error_of(errors, "cost".to_owned())}
                </label>
            </div>
            <div class="form-row">
                <label class="field" class:invalid=move || errors.field("validFrom").is_some()>
                    <span class="field-label">"Valid from (optional)"</span>
                    <input type="datetime-local" data-testid="offer-valid-from"
                        prop:value=move || valid_from.get() on:input=move |ev| valid_from.set(event_target_value(&ev)) />
                    {error_of(errors, "validFrom".to_owned())}
                </label>
                <label class="field" class:invalid=move || errors.field("validTo").is_some()>
                    <span class="field-label">"Valid to (optional)"</span>
                    <input type="datetime-local" data-testid="offer-valid-to"
                        prop:value=move || valid_to.get() on:input=move |ev| valid_to.set(event_target_value(&ev)) />
                    {error_of(errors, "validTo".to_owned())}
                </label>
            </div>
            <div class="form-row" data-testid="offer-limit-fields">
                <label class="field" class:invalid=move || errors.field("maxPerContact").is_some()>
                    <span class="field-label">"Most per contact (optional)"</span>
                    <input type="number" min="1" max="1000" data-testid="offer-max-per-contact"
                        prop:value=move || max_per_contact.get() on:input=move |ev| max_per_contact.set(event_target_value(&ev)) />
                    <span class="field-hint">"How often one person may be shown it…"</span>
                    {error_of(errors, "maxPerContact".to_owned())}
                </label>
                <label class="field" class:invalid=move || errors.field("maxPerContactDays").is_some()>
                    <span class="field-label">"…within days"</span>
                    <input type="number" min="1" max="365" data-testid="offer-max-per-contact-days"
                        prop:value=move || max_per_contact_days.get() on:input=move |ev| max_per_contact_days.set(event_target_value(&ev)) />
                    <span class="field-hint">"1 to 365, with the maximum."</span>
                    {error_of(errors, "maxPerContactDays".to_owned())}
                </label>
                <label class="field" class:invalid=move || errors.field("capacity").is_some()>
                    <span class="field-label">"Capacity (optional)"</span>
                    <input type="number" min="1" data-testid="offer-capacity"
                        prop:value=move || capacity.get() on:input=move |ev| capacity.set(event_target_value(&ev)) />
                    <span class="field-hint">"Most presentations in all, at every point."</span>
                    {error_of(errors, "capacity".to_owned())}
                </label>
            </div>
            <fieldset class="field creatives" data-testid="offer-creatives" class:invalid=move || errors.field("creatives").is_some()>
                <legend class="field-label">"Creatives"</legend>
                <For each=move || creatives.get() key=|c| c.key let:c>
                    <div class="creative" data-testid="creative-row">
                        {move || {
                            let at = creatives.with(|rows| rows.iter().position(|r| r.key == c.key).unwrap_or(0));
                            let field = move |name: &str| format!("creatives[{at}].{name}");
                            view! {
                                <div class="form-row">
                                    <label class="field">
                                        <span class="field-label">{format!("Variant {} title", at + 1)}</span>
                                        <input type="text" data-testid="creative-title" prop:value=move || c.title.get()
                                            on:input=move |ev| c.title.set(event_target_value(&ev)) />
                                        {error_of(errors, field("title"))}
                                    </label>
                                    <label class="field">
                                        <span class="field-label">"Image URL"</span>
                                        <input type="url" data-testid="creative-image" placeholder="https://" prop:value=move || c.image_url.get()
                                            on:input=move |ev| c.image_url.set(event_target_value(&ev)) />
                                        {error_of(errors, field("imageUrl"))}
                                    </label>
                                    <label class="field">
                                        <span class="field-label">"Link"</span>
                                        <input type="url" data-testid="creative-link" placeholder="https://" prop:value=move || c.link.get()
                                            on:input=move |ev| c.link.set(event_target_value(&ev)) />
                                        {error_of(errors, field("link"))}
                                    </label>
                                </div>
                                <label class="field">
                                    <span class="field-label">"Body"</span>
                                    <textarea rows="2" data-testid="creative-body" prop:value=move || c.body.get()
                                        on:input=move |ev| c.body.set(event_target_value(&ev))></textarea>
                                    {error_of(errors, field("body"))}
                                </label>
                                {error_of(errors, format!("creatives[{at}]"))}
                            }
                        }}
                        <div>
                            <button type="button" class="btn btn-ghost btn-small" data-testid="creative-remove"
                                on:click=move |_| creatives.update(|rows| rows.retain(|r| r.key != c.key))>"Remove variant"</button>
                        </div>
                    </div>
                </For>
                <div>
                    <button type="button" class="btn btn-ghost btn-small" data-testid="creative-add"
                        on:click=move |_| creatives.update(|rows| rows.push(new_row(Default::default())))>"Add creative"</button>
                </div>
                <span class="field-hint">"Ways of showing the offer (up to 10): a title, a body, a picture and where it leads."</span>
                {error_of(errors, "creatives".to_owned())}
            </fieldset>
            <label class="field" class:invalid=move || errors.field("attributes").is_some()>
                <span class="field-label">"Attributes (JSON, optional)"</span>
                <textarea rows="4" class="code" data-testid="offer-attributes" placeholder="{\"tier\": \"gold\"}"
                    prop:value=move || attributes.get() on:input=move |ev| attributes.set(event_target_value(&ev))></textarea>
                <span class="field-hint">"Your own attributes, a JSON object (at most 8 KiB)."</span>
                {error_of(errors, "attributes".to_owned())}
            </label>
            <div>
                <Submit label=submit_label busy_label="Saving…" busy=form.busy testid="offer-submit" />
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_an_object_or_nothing() {
        assert_eq!(parse_attributes("  "), Ok(None));
        assert_eq!(parse_attributes(r#"{"tier":"gold"}"#), Ok(Some(serde_json::json!({"tier": "gold"}))));
        assert!(matches!(parse_attributes("[1]"), Err(e) if e.contains("object")));
        assert!(matches!(parse_attributes("{tier: gold}"), Err(e) if e.contains("not valid JSON")));
    }
}
