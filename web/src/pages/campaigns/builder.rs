//! The builder of a new campaign: its audience (segments and lists to include, and to
//! leave out), its template and sending domain, who it is from, the control group held
//! out, and when it is sent. Saved as a draft, then opened to be launched.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::field_error;
use crate::components::{Caller, ErrorBanner, Field, Form, LoadError, Loading, Submit};
use crate::gql::{call, utc_from_local};
use crate::ops::campaigns::{CampaignSetup, CreateCampaign, campaign_setup, create_campaign};
use crate::pages::assets::enum_name;
use crate::session::load;

/// The input fields the server may name in an error, each shown under its control.
const FIELDS: &[&str] = &[
    "name",
    "segmentIds",
    "excludeSegmentIds",
    "templateId",
    "variants",
    "sendingDomainId",
    "fromAddress",
    "fromName",
    "controlGroupPercent",
    "scheduleAt",
    "localTime",
];

/// One segment or list the audience may include or leave out.
#[derive(Clone, Debug, PartialEq)]
struct Choice {
    id: String,
    name: String,
    list: bool,
    count: i64,
}

/// One variant of an A/B split as typed: its key among the rows, template and share.
#[derive(Clone, Copy)]
struct Variant {
    key: u32,
    template: RwSignal<String>,
    percent: RwSignal<String>,
}

/// The sum of the shares typed, if each is a number.
pub(crate) fn shares_total(typed: &[String]) -> Option<f64> {
    typed.iter().map(String::as_str).map(percent_of).sum()
}

/// Where a segment stands in the audience.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Include,
    Exclude,
}

/// The percentage typed, if it is one (a comma is read as the decimal point).
pub(crate) fn percent_of(typed: &str) -> Option<f64> {
    let typed = typed.trim().replace(',', ".");
    if typed.is_empty() {
        return Some(0.0);
    }
    typed.parse::<f64>().ok().filter(|p| p.is_finite())
}

/// The form that saves a new draft campaign, then opens it.
#[component]
pub fn NewCampaign() -> impl IntoView {
    let setup = load(|| call::<CampaignSetup>(campaign_setup::Variables));
    view! {
        <section class="panel" data-testid="campaign-builder">
            <h2>"New campaign"</h2>
            {move || match setup.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(d)) => {
                    let segments = d
                        .segments
                        .nodes
                        .into_iter()
                        .map(|s| Choice { list: enum_name(&s.kind) == "STATIC", id: s.id, name: s.name, count: s.count })
                        .collect();
                    let templates = d.email_templates.nodes.into_iter().map(|t| (t.id, t.name)).collect();
                    let domains = d.sending_domains.nodes.into_iter().map(|s| (s.id, s.domain)).collect();
                    view! { <Builder segments=segments templates=templates domains=domains /> }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn Builder(segments: Vec<Choice>, templates: Vec<(String, String)>, domains: Vec<(String, String)>) -> impl IntoView {
    let form = Form::new();
    let name = RwSignal::new(String::new());
    let included = RwSignal::new(Vec::<String>::new());
    let excluded = RwSignal::new(Vec::<String>::new());
    // The only template or domain is chosen already.
    let only = |all: &[(String, String)]| match all {
        [(id, _)] => id.clone(),
        _ => String::new(),
    };
    let template = RwSignal::new(only(&templates));
    let variants = RwSignal::new(Vec::<Variant>::new());
    let next_key = StoredValue::new(0u32);
    let new_variant = move |template: String, percent: &str| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        Variant { key, template: RwSignal::new(template), percent: RwSignal::new(percent.to_owned()) }
    };
    let add_variant = move |_| {
        variants.update(|rows| {
            if rows.is_empty() {
                // A split starts from the template chosen, half and half.
                rows.push(new_variant(template.get_untracked(), "50"));
                rows.push(new_variant(String::new(), "50"));
            } else {
                rows.push(new_variant(String::new(), ""));
            }
        });
    };
    let split = move || variants.with(|rows| rows.len() >= 2);
    let domain = RwSignal::new(only(&domains));
    let from_address = RwSignal::new(String::new());
    let from_name = RwSignal::new(String::new());
    let control = RwSignal::new(String::new());
    let schedule = RwSignal::new(String::new());
    let local_time = RwSignal::new(String::new());
    let navigate = use_navigate();
    let hint_domain = domains.clone();
    let from_hint = move || {
        let chosen = domain.get();
        hint_domain
            .iter()
            .find(|(id, _)| *id == chosen)
            .map(|(_, d)| format!("An address at {d}, like hello@{d}."))
            .unwrap_or_else(|| "An address at the sending domain.".to_owned())
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let Some(control_group_percent) = percent_of(&control.get_untracked()) else {
            form.errors.set_field("controlGroupPercent", "is a number from 0 to 50");
            return;
        };
        let typed_schedule = schedule.get_untracked();
        let schedule_at = if typed_schedule.trim().is_empty() {
            None
        } else {
            let Some(at) = utc_from_local(&typed_schedule) else {
                form.errors.set_field("scheduleAt", "is not a date and time");
                return;
            };
            Some(at)
        };
        let some = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|s| !s.is_empty());
        let rows = variants.get_untracked();
        let mut split_input = Vec::new();
        if rows.len() >= 2 {
            for v in &rows {
                let Some(percent) = percent_of(&v.percent.get_untracked()) else {
                    form.errors.set_field("variants", "each share is a percentage, adding up to 100");
                    return;
                };
                split_input.push(create_campaign::VariantInput { template_id: v.template.get_untracked(), percent });
            }
        }
        // With a split, each variant names its template; without one, the template above.
        let template_id = if split_input.is_empty() { some(template) } else { None };
        let input = create_campaign::CampaignInput {
            name: name.get_untracked(),
            segment_ids: included.get_untracked(),
            exclude_segment_ids: excluded.get_untracked(),
            template_id,
            variants: split_input,
            sending_domain_id: domain.get_untracked(),
            from_address: from_address.get_untracked(),
            from_name: from_name.get_untracked(),
            control_group_percent,
            schedule_at,
            local_time: some(local_time),
            project_id: None,
            budget_line_id: None,
        };
        let navigate = navigate.clone();
        form.send::<CreateCampaign, _>(Caller::SignedIn, create_campaign::Variables { input }, FIELDS, move |d| {
            navigate(&format!("/app/campaigns/{}", d.create_campaign.id), Default::default())
        });
    };
    let toggle = move |id: String, side: Side, on: bool| {
        let (mine, other) = match side {
            Side::Include => (included, excluded),
            Side::Exclude => (excluded, included),
        };
        mine.update(|ids| {
            ids.retain(|i| *i != id);
            if on {
                ids.push(id.clone());
            }
        });
        // A segment is included or left out, never both.
        if on {
            other.update(|ids| ids.retain(|i| *i != id));
        }
    };
    let no_segments = segments.is_empty();
    let no_templates = templates.is_empty();
    let variant_templates = StoredValue::new(templates.clone());
    let total = move || {
        let typed: Vec<String> = variants.with(|rows| rows.iter().map(|v| v.percent.get()).collect());
        match shares_total(&typed) {
            Some(t) => format!("Shares add up to {t:.1}% (they must make 100%)."),
            None => "Each share is a percentage; they must make 100%.".to_owned(),
        }
    };
    let no_domains = domains.is_empty();
    view! {
        <form class="form email-form" data-testid="campaign-form" on:submit=submit>
            <ErrorBanner errors=form.errors />
            <Field label="Name" name="name" value=name errors=form.errors testid="campaign-name" placeholder="Spring newsletter" />
            <fieldset class="field" class:invalid=move || form.errors.field("segmentIds").is_some() || form.errors.field("excludeSegmentIds").is_some()>
                <legend class="field-label">"Audience"</legend>
                {if no_segments {
                    view! {
                        <p class="muted" data-testid="audience-empty">
                            "No segments or lists yet: " <A href="/app/segments/new">"make a segment"</A> " first."
                        </p>
                    }.into_any()
                } else {
                    view! {
                        <table class="table audience" data-testid="audience">
                            <thead><tr><th>"Segment or list"</th><th>"Contacts now"</th><th>"Send to"</th><th>"Leave out"</th></tr></thead>
                            <tbody>
                                {segments.into_iter().map(|s| {
                                    let (a, b) = (s.id.clone(), s.id.clone());
                                    let (c, d) = (s.id.clone(), s.id.clone());
                                    view! {
                                        <tr data-testid="audience-row" data-name=s.name.clone()>
                                            <td>{s.name.clone()} {s.list.then(|| view! { <span class="chip">"list"</span> })}</td>
                                            <td class="num">{s.count}</td>
                                            <td class="check">
                                                <input type="checkbox" data-testid="audience-include" aria-label=format!("Send to {}", s.name)
                                                    prop:checked=move || included.with(|i| i.contains(&a))
                                                    on:change=move |ev| toggle(b.clone(), Side::Include, event_target_checked(&ev)) />
                                            </td>
                                            <td class="check">
                                                <input type="checkbox" data-testid="audience-exclude" aria-label=format!("Leave out {}", s.name)
                                                    prop:checked=move || excluded.with(|i| i.contains(&c))
                                                    on:change=move |ev| toggle(d.clone(), Side::Exclude, event_target_checked(&ev)) />
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
                <span class="field-hint">"Contacts of any segment sent to, but of none left out, who agreed to email and are not suppressed."</span>
                {field_error(form.errors, "segmentIds")}
                {field_error(form.errors, "excludeSegmentIds")}
            </fieldset>
            <div class="form-row">
                <label class="field" class:invalid=move || form.errors.field("templateId").is_some()>
                    <span class="field-label">"Template"</span>
                    <select data-testid="campaign-template" prop:value=move || template.get() on:change=move |ev| template.set(event_target_value(&ev))>
                        <option value="">"Choose a template"</option>
                        {templates.into_iter().map(|(id, n)| view! { <option value=id.clone() selected=template.get_untracked() == id>{n}</option> }).collect_view()}
                    </select>
                    {no_templates.then(|| view! { <span class="field-hint"><A href="/app/email-templates/new">"Write a template"</A></span> })}
                    {field_error(form.errors, "templateId")}
                </label>
                <label class="field" class:invalid=move || form.errors.field("sendingDomainId").is_some()>
                    <span class="field-label">"Sending domain"</span>
                    <select data-testid="campaign-domain" prop:value=move || domain.get() on:change=move |ev| domain.set(event_target_value(&ev))>
                        <option value="">"Choose a domain"</option>
                        {domains.into_iter().map(|(id, d)| view! { <option value=id.clone() selected=domain.get_untracked() == id>{d}</option> }).collect_view()}
                    </select>
                    {no_domains.then(|| view! { <span class="field-hint"><A href="/app/sending">"Add a sending domain"</A></span> })}
                    {field_error(form.errors, "sendingDomainId")}
                </label>
            </div>
            <fieldset class="field variants" data-testid="campaign-variants" class:invalid=move || form.errors.field("variants").is_some()>
                <legend class="field-label">"A/B split (optional)"</legend>
                <Show when=split>
                    <table class="table variants-table">
                        <thead><tr><th>"Variant"</th><th>"Template"</th><th>"Share (%)"</th><th></th></tr></thead>
                        <tbody>
                            <For each=move || variants.get() key=|v| v.key let:v>
                                <tr data-testid="variant-row">
                                    <td>{move || {
                                        let at = variants.with(|rows| rows.iter().position(|r| r.key == v.key).unwrap_or(0));
                                        super::results::variant_letter(at as i64)
                                    }}</td>
                                    <td>
                                        <select data-testid="variant-template" aria-label="Variant template" prop:value=move || v.template.get()
                                            on:change=move |ev| v.template.set(event_target_value(&ev))>
                                            <option value="">"Choose a template"</option>
                                            {variant_templates.get_value().into_iter().map(|(id, n)| view! {
                                                <option value=id.clone() selected=v.template.get_untracked() == id>{n}</option>
                                            }).collect_view()}
                                        </select>
                                    </td>
                                    <td>
                                        <input type="number" min="0" max="100" step="0.1" data-testid="variant-percent" aria-label="Variant share"
                                            prop:value=move || v.percent.get() on:input=move |ev| v.percent.set(event_target_value(&ev)) />
                                    </td>
                                    <td>
                                        <button type="button" class="btn btn-ghost btn-small" data-testid="variant-remove"
                                            on:click=move |_| variants.update(|rows| rows.retain(|r| r.key != v.key))>"Remove"</button>
                                    </td>
                                </tr>
                            </For>
                        </tbody>
                    </table>
                    <span class="field-hint" data-testid="variants-total">{total}</span>
                </Show>
                <div>
                    <button type="button" class="btn btn-ghost btn-small" data-testid="variant-add" on:click=add_variant>"Add variant"</button>
                </div>
                <span class="field-hint">"Split the contacts sent to among templates, to see which converts better. With two or more, the template above is not used."</span>
                {field_error(form.errors, "variants")}
            </fieldset>
            <div class="form-row">
                <label class="field" class:invalid=move || form.errors.field("fromAddress").is_some()>
                    <span class="field-label">"From address"</span>
                    <input type="email" data-testid="campaign-from-address" autocomplete="off" prop:value=move || from_address.get()
                        on:input=move |ev| from_address.set(event_target_value(&ev)) />
                    <span class="field-hint">{from_hint}</span>
                    {field_error(form.errors, "fromAddress")}
                </label>
                <Field label="From name" name="fromName" value=from_name errors=form.errors testid="campaign-from-name" optional=true placeholder="Example News" />
            </div>
            <div class="form-row">
                <label class="field" class:invalid=move || form.errors.field("controlGroupPercent").is_some()>
                    <span class="field-label">"Control group (%)"</span>
                    <input type="number" min="0" max="50" step="0.1" placeholder="0" data-testid="campaign-control"
                        prop:value=move || control.get() on:input=move |ev| control.set(event_target_value(&ev)) />
                    <span class="field-hint">"Held out at random, to measure what the campaign caused (0 to 50)."</span>
                    {field_error(form.errors, "controlGroupPercent")}
                </label>
                <label class="field" class:invalid=move || form.errors.field("scheduleAt").is_some()>
                    <span class="field-label">"Start sending at (optional)"</span>
                    <input type="datetime-local" data-testid="campaign-schedule"
                        prop:value=move || schedule.get() on:input=move |ev| schedule.set(event_target_value(&ev)) />
                    <span class="field-hint">"Your own time. Empty: as soon as it is launched (and approved)."</span>
                    {field_error(form.errors, "scheduleAt")}
                </label>
                <label class="field" class:invalid=move || form.errors.field("localTime").is_some()>
                    <span class="field-label">"Local time (optional)"</span>
                    <input type="time" data-testid="campaign-local-time"
                        prop:value=move || local_time.get() on:input=move |ev| local_time.set(event_target_value(&ev)) />
                    <span class="field-hint">"Send at this time in each contact's zone."</span>
                    {field_error(form.errors, "localTime")}
                </label>
            </div>
            <div>
                <Submit label="Save draft" busy_label="Saving…" busy=form.busy testid="campaign-submit" />
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_control_group_is_read_as_typed() {
        assert_eq!(percent_of(""), Some(0.0));
        assert_eq!(percent_of(" 12,5 "), Some(12.5));
        assert_eq!(percent_of("ten"), None);
        assert_eq!(percent_of("NaN"), None);
    }

    #[test]
    fn shares_add_up_as_typed() {
        assert_eq!(shares_total(&["50".to_owned(), "25,5".to_owned(), String::new()]), Some(75.5));
        assert_eq!(shares_total(&["50".to_owned(), "half".to_owned()]), None);
    }
}
