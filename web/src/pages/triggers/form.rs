//! The form of a trigger rule: a name, a kind and that kind's inputs, built into the
//! definition JSON (shown on request) and sent; new on the list page, or edited on the
//! rule's page. The server's errors name the part of the definition at fault; each is
//! shown under the control that wrote it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::definition::{CONDITION_OPS, CondDraft, Draft, THRESHOLD_OPS, owner};
use crate::components::{ErrorBanner, Form, FormErrors, Submit};
use crate::gql::{ApiErrors, call};
use crate::ops::triggers::{
    CreateTriggerRule, TriggerKind, UpdateTriggerRule, create_trigger_rule, update_trigger_rule,
};
use crate::pages::decisions::error_of;

/// What the form does when saved.
#[derive(Clone)]
pub(crate) enum Mode {
    /// Adds a rule, then opens it.
    New,
    /// Changes rule `id`; `done` runs once saved or when the change is cancelled.
    Edit { id: String, done: Callback<()> },
}

/// What the form offers to choose from: contact fields (key, label) and segments (ID,
/// name).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Choices {
    pub fields: Vec<(String, String)>,
    pub segments: Vec<(String, String)>,
}

/// One property condition as typed.
#[derive(Clone, Copy)]
struct CondRow {
    key: u32,
    property: RwSignal<String>,
    op: RwSignal<String>,
    value: RwSignal<String>,
}

/// Shows `e`: each `BAD_USER_INPUT` error under the control that wrote the part it
/// names (the control `owner` finds for it), everything else in the banner.
pub(crate) fn place(errors: FormErrors, e: &ApiErrors, owner: fn(&str) -> Option<String>) {
    let (mut placed, mut other) = (Vec::new(), Vec::new());
    for error in &e.0 {
        let at = error.field.as_deref().filter(|_| error.code.as_deref() == Some("BAD_USER_INPUT")).and_then(owner);
        match at {
            Some(owner) => placed.push((owner, error.message.clone())),
            None => other.push(error.clone()),
        }
    }
    errors.show(&ApiErrors(other), &[]);
    for (field, message) in placed {
        errors.set_field(&field, &message);
    }
}

/// A text box bound to one part of a draft, with the errors of `fields` under it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn text_box<D: Send + Sync + 'static>(
    draft: RwSignal<D>,
    errors: FormErrors,
    label: &'static str,
    testid: &'static str,
    placeholder: &'static str,
    fields: &'static [&'static str],
    get: fn(&D) -> String,
    set: fn(&mut D, String),
) -> impl IntoView {
    view! {
        <label class="field" class:invalid=move || fields.iter().any(|f| errors.field(f).is_some())>
            <span class="field-label">{label}</span>
            <input type="text" data-testid=testid placeholder=placeholder
                prop:value=move || draft.with(get)
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    draft.update(|d| set(d, typed));
                } />
            {fields.iter().map(|f| error_of(errors, (*f).to_owned())).collect_view()}
        </label>
    }
}

/// A list of `(value, label)` options bound to one part of a draft.
#[allow(clippy::too_many_arguments)]
pub(crate) fn choice_box<D: Send + Sync + 'static>(
    draft: RwSignal<D>,
    errors: FormErrors,
    label: &'static str,
    testid: &'static str,
    options: Vec<(String, String)>,
    fields: &'static [&'static str],
    get: fn(&D) -> String,
    set: fn(&mut D, String),
) -> impl IntoView {
    view! {
        <label class="field" class:invalid=move || fields.iter().any(|f| errors.field(f).is_some())>
            <span class="field-label">{label}</span>
            <select data-testid=testid prop:value=move || draft.with(get)
                on:change=move |ev| {
                    let chosen = event_target_value(&ev);
                    draft.update(|d| set(d, chosen));
                }>
                {options.into_iter().map(|(v, l)| {
                    // Selected here too: the list's value is set before its options exist.
                    let selected = draft.with_untracked(get) == v;
                    view! { <option value=v selected=selected>{l}</option> }
                }).collect_view()}
            </select>
            {fields.iter().map(|f| error_of(errors, (*f).to_owned())).collect_view()}
        </label>
    }
}

fn ops(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(o, s)| ((*o).to_owned(), format!("{s} ({o})"))).collect()
}

/// The rule form, prefilled with `initial`.
#[component]
pub(crate) fn RuleForm(mode: Mode, initial: Draft, choices: Choices) -> impl IntoView {
    let form = Form::new();
    let errors = form.errors;
    let editing = matches!(mode, Mode::Edit { .. });
    let next = StoredValue::new(0u32);
    let new_row = move |c: CondDraft| {
        let key = next.get_value();
        next.set_value(key.wrapping_add(1));
        CondRow { key, property: RwSignal::new(c.property), op: RwSignal::new(c.op), value: RwSignal::new(c.value) }
    };
    let rows = RwSignal::new(initial.conditions.iter().cloned().map(new_row).collect::<Vec<_>>());
    let draft = RwSignal::new(Draft { conditions: Vec::new(), ..initial });
    let show_json = RwSignal::new(false);
    // Its own memo: typing elsewhere in the draft must not draw the kind's inputs anew.
    let kind = Memo::new(move |_| draft.with(|d| d.kind));
    // The draft as it stands, condition rows included.
    let snapshot = move || {
        let mut d = draft.get();
        d.conditions = rows.with(|rows| {
            rows.iter()
                .map(|r| CondDraft { property: r.property.get(), op: r.op.get(), value: r.value.get() })
                .collect()
        });
        d
    };
    let navigate = use_navigate();
    let cancel = match &mode {
        Mode::Edit { done, .. } => Some(*done),
        Mode::New => None,
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let d = untrack(snapshot);
        let definition = match d.definition() {
            Ok(v) => v,
            Err((field, why)) => {
                errors.set_field(&field, &why);
                return;
            }
        };
        let name = d.name.trim().to_owned();
        form.busy.set(true);
        let mode = mode.clone();
        let navigate = navigate.clone();
        spawn_local(async move {
            let answer = match &mode {
                Mode::New => {
                    let input = create_trigger_rule::TriggerRuleInput { name, definition };
                    call::<CreateTriggerRule>(create_trigger_rule::Variables { input })
                        .await
                        .map(|d| d.create_trigger_rule.id)
                }
                Mode::Edit { id, .. } => {
                    let input = update_trigger_rule::TriggerRuleInput { name, definition };
                    call::<UpdateTriggerRule>(update_trigger_rule::Variables { id: id.clone(), input })
                        .await
                        .map(|d| d.update_trigger_rule.id)
                }
            };
            let _ = form.busy.try_set(false);
            match (answer, &mode) {
                (Ok(id), Mode::New) => navigate(&format!("/app/triggers/{id}"), Default::default()),
                (Ok(_), Mode::Edit { done, .. }) => done.run(()),
                (Err(e), _) => place(errors, &e, owner),
            }
        });
    };
    let kinds = TriggerKind::ALL.iter().map(|k| (k.as_str().to_owned(), k.label().to_owned())).collect::<Vec<_>>();
    let Choices { fields, segments } = choices;
    let no_fields = fields.is_empty();
    let no_segments = segments.is_empty();
    let blank = |what: &str| vec![(String::new(), format!("Choose a {what}…"))];
    let field_options = StoredValue::new(
        blank("field")
            .into_iter()
            .chain(fields.into_iter().map(|(k, l)| (k.clone(), format!("{l} ({k})"))))
            .collect::<Vec<_>>(),
    );
    let segment_options = StoredValue::new(blank("segment").into_iter().chain(segments).collect::<Vec<_>>());
    let conditions = move || {
        let prefix = if kind.get() == TriggerKind::Count { "definition.count.where" } else { "definition.where" };
        view! {
            <fieldset class="field" data-testid="conditions"
                class:invalid=move || errors.field(prefix).is_some()>
                <legend class="field-label">"Property conditions (optional)"</legend>
                <For each=move || rows.get() key=|r| r.key let:r>
                    <div class="form-row" data-testid="condition-row">
                        <label class="field">
                            <span class="field-label">"Property"</span>
                            <input type="text" data-testid="condition-property" placeholder="total"
                                prop:value=move || r.property.get() on:input=move |ev| r.property.set(event_target_value(&ev)) />
                        </label>
                        <label class="field">
                            <span class="field-label">"Test"</span>
                            <select data-testid="condition-op" prop:value=move || r.op.get()
                                on:change=move |ev| r.op.set(event_target_value(&ev))>
                                {ops(&CONDITION_OPS).into_iter().map(|(o, l)| {
                                    let selected = r.op.get_untracked() == o;
                                    view! { <option value=o selected=selected>{l}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="field">
                            <span class="field-label">"Value"</span>
                            <input type="text" data-testid="condition-value" placeholder="100"
                                prop:value=move || r.value.get() on:input=move |ev| r.value.set(event_target_value(&ev)) />
                        </label>
                        <button type="button" class="btn btn-ghost btn-small" data-testid="condition-remove"
                            on:click=move |_| rows.update(|rows| rows.retain(|x| x.key != r.key))>"Remove"</button>
                        {move || {
                            let at = rows.with(|rows| rows.iter().position(|x| x.key == r.key).unwrap_or(0));
                            error_of(errors, format!("{prefix}[{at}]"))
                        }}
                    </div>
                </For>
                <div>
                    <button type="button" class="btn btn-ghost btn-small" data-testid="condition-add"
                        on:click=move |_| rows.update(|list| list.push(new_row(CondDraft { op: "eq".to_owned(), ..CondDraft::default() })))>
                        "Add condition"
                    </button>
                </div>
                <span class="field-hint">"Each must hold. Values: a number, true/false or text (quote text that looks like a number); for “in”, separate values with commas."</span>
                {error_of(errors, prefix.to_owned())}
            </fieldset>
        }
    };
    const EVENT_FIELDS: &[&str] = &["definition.event", "definition.threshold.event", "definition.count.event"];
    const WITHIN_FIELDS: &[&str] = &["definition.sequence.within", "definition.count.within"];
    let event_box = move || {
        text_box(
            draft,
            errors,
            "Event type",
            "trigger-event",
            "purchase",
            EVENT_FIELDS,
            |d| d.event.clone(),
            |d, v| d.event = v,
        )
    };
    let within_box = move || {
        text_box(
            draft,
            errors,
            "Within (ISO 8601)",
            "trigger-within",
            "PT1H",
            WITHIN_FIELDS,
            |d| d.within.clone(),
            |d, v| d.within = v,
        )
    };
    let inputs = move || {
        match kind.get() {
        TriggerKind::Event | TriggerKind::Unknown => view! {
            <div class="form-row">{event_box()}</div>
            {conditions()}
        }.into_any(),
        TriggerKind::Sequence => view! {
            <div class="form-row">
                {text_box(draft, errors, "First event", "sequence-first", "add_to_cart", &["definition.sequence.first"], |d| d.first.clone(), |d, v| d.first = v)}
                {text_box(draft, errors, "Not followed by", "sequence-then", "purchase", &["definition.sequence.notFollowedBy"], |d| d.then.clone(), |d, v| d.then = v)}
                {within_box()}
            </div>
            <p class="field-hint">"Fires when the second event has not come that long after the first: PT30M, PT1H, P1D."</p>
        }.into_any(),
        TriggerKind::Threshold => view! {
            <div class="form-row">
                {event_box()}
                {text_box(draft, errors, "Property", "threshold-property", "amount", &["definition.threshold.property"], |d| d.property.clone(), |d, v| d.property = v)}
                {choice_box(draft, errors, "Test", "threshold-op", ops(THRESHOLD_OPS), &["definition.threshold.op"], |d| d.op.clone(), |d, v| d.op = v)}
                {text_box(draft, errors, "Number", "threshold-value", "500", &["definition.threshold.value"], |d| d.amount.clone(), |d, v| d.amount = v)}
            </div>
        }.into_any(),
        TriggerKind::Count => view! {
            <div class="form-row">
                {event_box()}
                {text_box(draft, errors, "At least", "count-at-least", "3", &["definition.count.atLeast"], |d| d.at_least.clone(), |d, v| d.at_least = v)}
                {within_box()}
            </div>
            {conditions()}
        }.into_any(),
        TriggerKind::Attribute => view! {
            {no_fields.then(|| view! {
                <p class="muted" data-testid="fields-empty">"No contact fields yet: " <A href="/app/contact-fields">"add one"</A> " first."</p>
            })}
            <div class="form-row">
                {choice_box(draft, errors, "Contact field", "attribute-field", field_options.get_value(), &["definition.attributeChanged"], |d| d.attribute.clone(), |d, v| d.attribute = v)}
                {text_box(draft, errors, "From (optional)", "attribute-from", "any value", &["definition.from"], |d| d.from.clone(), |d, v| d.from = v)}
                {text_box(draft, errors, "To (optional)", "attribute-to", "any value", &["definition.to"], |d| d.to.clone(), |d, v| d.to = v)}
            </div>
        }.into_any(),
        TriggerKind::SegmentEntered | TriggerKind::SegmentLeft => view! {
            {no_segments.then(|| view! {
                <p class="muted" data-testid="segments-empty">"No segments yet: " <A href="/app/segments">"add one"</A> " first."</p>
            })}
            <div class="form-row">
                {choice_box(draft, errors, "Segment", "segment-select", segment_options.get_value(), &["definition.segmentEntered", "definition.segmentLeft"], |d| d.segment.clone(), |d, v| d.segment = v)}
            </div>
        }.into_any(),
    }
    };
    let json = move || match snapshot().definition() {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
        Err((field, why)) => format!("{field} {why}"),
    };
    view! {
        <form class="form trigger-form" data-testid=if editing { "trigger-edit-form" } else { "trigger-form" } on:submit=submit>
            <ErrorBanner errors=errors />
            <div class="form-row">
                {text_box(draft, errors, "Name", "trigger-name", "Abandoned cart", &["name"], |d| d.name.clone(), |d, v| d.name = v)}
                <label class="field" class:invalid=move || errors.field("definition").is_some()>
                    <span class="field-label">"Watch for"</span>
                    <select data-testid="trigger-kind" prop:value=move || kind.get().as_str()
                        on:change=move |ev| {
                            let chosen = TriggerKind::parse(&event_target_value(&ev)).unwrap_or(TriggerKind::Event);
                            draft.update(|d| d.kind = chosen);
                        }>
                        {kinds.into_iter().map(|(v, l)| {
                            let selected = kind.get_untracked().as_str() == v;
                            view! { <option value=v selected=selected>{l}</option> }
                        }).collect_view()}
                    </select>
                    {error_of(errors, "definition".to_owned())}
                    {["definition.sequence", "definition.threshold", "definition.count"]
                        .into_iter()
                        .map(|f| error_of(errors, f.to_owned()))
                        .collect_view()}
                </label>
            </div>
            {inputs}
            <div>
                <button type="button" class="btn btn-ghost btn-small" data-testid="trigger-json-toggle"
                    on:click=move |_| show_json.update(|s| *s = !*s)>
                    {move || if show_json.get() { "Hide JSON" } else { "Show JSON" }}
                </button>
            </div>
            {move || show_json.get().then(|| view! { <pre class="snippet" data-testid="trigger-json">{json}</pre> })}
            <div>
                {if editing {
                    view! { <Submit label="Save rule" busy_label="Saving…" busy=form.busy testid="trigger-save" /> }.into_any()
                } else {
                    view! { <Submit label="Add rule" busy_label="Adding…" busy=form.busy testid="trigger-submit" /> }.into_any()
                }}
                {cancel.map(|done| view! {
                    " "
                    <button type="button" class="btn btn-ghost" data-testid="trigger-edit-cancel"
                        on:click=move |_| done.run(())>"Cancel"</button>
                })}
            </div>
        </form>
    }
}
