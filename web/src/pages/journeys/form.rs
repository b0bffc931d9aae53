//! The step builder: a journey's name, what enrols contacts (people or the API, a
//! trigger rule's firings, or contacts coming into a segment), whether they may enter
//! again, its goal, and its steps, each with an ID, a kind and that kind's inputs, the
//! steps it leads to chosen among the others. The definition it builds can be shown as
//! JSON and written as JSON instead. New on its own page, or the draft of a journey on
//! the journey's page. The server's errors name the part at fault; each is shown under
//! the control that wrote it (a step's own input, else the step).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use serde_json::Value;

use super::definition::{Draft, KINDS, RESPONSES, StepDraft, owner};
use crate::components::{ErrorBanner, Form, FormErrors, Submit};
use crate::gql::call;
use crate::ops::journeys::{CreateJourney, UpdateJourney, create_journey, update_journey};
use crate::pages::decisions::error_of;
use crate::pages::triggers::form::{choice_box, place, text_box};

/// What the builder does when saved.
#[derive(Clone)]
pub(crate) enum Mode {
    /// Adds a journey as a draft, then opens it.
    New,
    /// Changes the draft of journey `id`; `done` runs once saved or when cancelled.
    Edit { id: String, done: Callback<()> },
}

/// What the builder offers to choose from, each as (ID or key, name): trigger rules
/// and segments for the entry, contact fields to set, static lists to add to, email
/// templates to send, the sending domains they go out from and the members to tell.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Choices {
    pub rules: Vec<(String, String)>,
    pub segments: Vec<(String, String)>,
    pub fields: Vec<(String, String)>,
    pub lists: Vec<(String, String)>,
    pub templates: Vec<(String, String)>,
    pub domains: Vec<(String, String)>,
    pub members: Vec<(String, String)>,
}

/// One step in the builder: its draft, keyed so the others keep their inputs while it
/// is added or removed.
#[derive(Clone, Copy)]
struct StepRow {
    key: u32,
    step: RwSignal<StepDraft>,
}

/// Where step inputs look for their errors and the other steps' IDs.
#[derive(Clone, Copy)]
struct Ctx {
    row: StepRow,
    /// The step's place in the list, as the server's errors name it.
    at: Memo<usize>,
    /// Every step's ID, in order.
    ids: Memo<Vec<String>>,
    errors: FormErrors,
}

impl Ctx {
    fn field(&self, part: &str) -> String {
        if part.is_empty() {
            format!("definition.steps[{}]", self.at.get())
        } else {
            format!("definition.steps[{}].{part}", self.at.get())
        }
    }
}

/// A text input of a step.
fn step_text(
    c: Ctx,
    label: &'static str,
    part: &'static str,
    placeholder: &'static str,
    get: fn(&StepDraft) -> String,
    set: fn(&mut StepDraft, String),
) -> impl IntoView {
    view! {
        <label class="field" class:invalid=move || c.errors.field(&c.field(part)).is_some()>
            <span class="field-label">{label}</span>
            <input type="text" data-testid=format!("step-{part}") placeholder=placeholder
                prop:value=move || c.row.step.with(get)
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    c.row.step.update(|s| set(s, typed));
                } />
            {move || error_of(c.errors, c.field(part))}
        </label>
    }
}

/// A list of `(value, label)` options for a step, drawn again when `options` reads
/// something that changed.
fn step_select(
    c: Ctx,
    label: &'static str,
    part: &'static str,
    options: impl Fn() -> Vec<(String, String)> + Send + Sync + 'static,
    get: fn(&StepDraft) -> String,
    set: fn(&mut StepDraft, String),
) -> impl IntoView {
    step_select_as(c, label, part, format!("step-{part}"), options, get, set)
}

/// [`step_select`] with its own test ID, its errors those about `part`.
fn step_select_as(
    c: Ctx,
    label: &'static str,
    part: &'static str,
    testid: String,
    options: impl Fn() -> Vec<(String, String)> + Send + Sync + 'static,
    get: fn(&StepDraft) -> String,
    set: fn(&mut StepDraft, String),
) -> impl IntoView {
    let options = move || {
        // Selected here too: the list's value is set before its options exist.
        let current = c.row.step.with_untracked(get);
        options()
            .into_iter()
            .map(|(v, l)| {
                let selected = v == current;
                view! { <option value=v selected=selected>{l}</option> }
            })
            .collect_view()
    };
    view! {
        <label class="field" class:invalid=move || c.errors.field(&c.field(part)).is_some()>
            <span class="field-label">{label}</span>
            <select data-testid=testid prop:value=move || c.row.step.with(get)
                on:change=move |ev| {
                    let chosen = event_target_value(&ev);
                    c.row.step.update(|s| set(s, chosen));
                }>
                {options}
            </select>
            {move || error_of(c.errors, c.field(part))}
        </label>
    }
}

/// A list of fixed `(value, label)` options for a step.
fn step_choice(
    c: Ctx,
    label: &'static str,
    part: &'static str,
    options: Vec<(String, String)>,
    get: fn(&StepDraft) -> String,
    set: fn(&mut StepDraft, String),
) -> impl IntoView {
    step_select(c, label, part, move || options.clone(), get, set)
}

/// The options of a next-step list: "(end)", then every step's ID but `me`; `current`
/// stays listed even when no step has that ID any more.
fn next_options(ids: &[String], me: &str, current: &str) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), "(end)".to_owned())];
    for id in ids.iter().filter(|id| !id.is_empty() && id.as_str() != me) {
        if !out.iter().any(|(v, _)| v == id) {
            out.push((id.clone(), id.clone()));
        }
    }
    if !current.is_empty() && !out.iter().any(|(v, _)| v == current) {
        out.push((current.to_owned(), format!("{current} (no such step)")));
    }
    out
}

/// A next-step list of a step (`next`, `timeoutNext`, `yes`, `no`), listing the
/// other steps as they are named.
fn step_next(
    c: Ctx,
    label: &'static str,
    part: &'static str,
    get: fn(&StepDraft) -> String,
    set: fn(&mut StepDraft, String),
) -> impl IntoView {
    let options = move || {
        let (me, current) = c.row.step.with_untracked(|s| (s.id.trim().to_owned(), get(s)));
        c.ids.with(|ids| next_options(ids, &me, &current))
    };
    step_select(c, label, part, options, get, set)
}

/// The paths of a random split, each a percentage and where it leads.
fn split_paths(c: Ctx) -> impl IntoView {
    let count = Memo::new(move |_| c.row.step.with(|s| s.paths.len()));
    let path = move |j: usize| {
        let options = move || {
            let (me, current) = c.row.step.with_untracked(|s| {
                (s.id.trim().to_owned(), s.paths.get(j).map(|p| p.next.clone()).unwrap_or_default())
            });
            c.ids
                .with(|ids| next_options(ids, &me, &current))
                .into_iter()
                .map(|(v, l)| {
                    let selected = v == current;
                    view! { <option value=v selected=selected>{l}</option> }
                })
                .collect_view()
        };
        view! {
            <div class="form-row" data-testid="split-path">
                <label class="field">
                    <span class="field-label">"Percent"</span>
                    <input type="text" data-testid="path-percent" placeholder="50"
                        prop:value=move || c.row.step.with(|s| s.paths.get(j).map(|p| p.percent.clone()).unwrap_or_default())
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            c.row.step.update(|s| if let Some(p) = s.paths.get_mut(j) { p.percent = typed });
                        } />
                </label>
                <label class="field">
                    <span class="field-label">"Then"</span>
                    <select data-testid="path-next"
                        prop:value=move || c.row.step.with(|s| s.paths.get(j).map(|p| p.next.clone()).unwrap_or_default())
                        on:change=move |ev| {
                            let chosen = event_target_value(&ev);
                            c.row.step.update(|s| if let Some(p) = s.paths.get_mut(j) { p.next = chosen });
                        }>
                        {options}
                    </select>
                </label>
                <button type="button" class="btn btn-ghost btn-small" data-testid="path-remove"
                    disabled=move || count.get() <= 2
                    on:click=move |_| c.row.step.update(|s| if j < s.paths.len() { s.paths.remove(j); })>"Remove"</button>
            </div>
        }
    };
    view! {
        <fieldset class="field" class:invalid=move || c.errors.field(&c.field("paths")).is_some()>
            <legend class="field-label">"Paths (percentages summing to 100)"</legend>
            {move || (0..count.get()).map(path).collect_view()}
            <div>
                <button type="button" class="btn btn-ghost btn-small" data-testid="path-add"
                    disabled=move || count.get() >= 10
                    on:click=move |_| c.row.step.update(|s| s.paths.push(super::definition::PathDraft::default()))>"Add path"</button>
            </div>
            {move || error_of(c.errors, c.field("paths"))}
        </fieldset>
    }
}

/// The inputs of a step's kind, choosing among `choices`.
fn kind_inputs(c: Ctx, kind: &str, choices: &Choices) -> AnyView {
    let Choices { fields, lists, templates, domains, members, .. } = choices;
    let blank = |what: &str| (String::new(), format!("Choose a {what}…"));
    match kind {
        "wait" => {
            let by = Memo::new(move |_| c.row.step.with(|s| s.wait_by.clone()));
            let ways = vec![
                ("duration".to_owned(), "For a time".to_owned()),
                ("until".to_owned(), "Until a time of day".to_owned()),
            ];
            view! {
                <div class="form-row">
                    {step_choice(c, "Wait", "waitBy", ways, |s| s.wait_by.clone(), |s, v| s.wait_by = v)}
                    {move || if by.get() == "until" {
                        step_text(c, "Until (HH:MM, the contact's time)", "until", "09:00", |s| s.until.clone(), |s, v| s.until = v).into_any()
                    } else {
                        step_text(c, "For (ISO 8601)", "duration", "P1D", |s| s.duration.clone(), |s, v| s.duration = v).into_any()
                    }}
                    {step_next(c, "Then", "next", |s| s.next.clone(), |s, v| s.next = v)}
                </div>
            }
            .into_any()
        }
        "waitFor" => view! {
            <div class="form-row">
                {step_text(c, "Event type", "event", "purchase", |s| s.event.clone(), |s, v| s.event = v)}
                {step_next(c, "When it comes", "next", |s| s.next.clone(), |s, v| s.next = v)}
                {step_text(c, "At most (ISO 8601)", "timeout", "P3D", |s| s.timeout.clone(), |s, v| s.timeout = v)}
                {step_next(c, "When it does not", "timeoutNext", |s| s.timeout_next.clone(), |s, v| s.timeout_next = v)}
            </div>
        }
        .into_any(),
        "branch" => branch_inputs(c),
        "split" => split_paths(c).into_any(),
        "updateAttribute" => {
            let options = std::iter::once(blank("field"))
                .chain(fields.iter().map(|(k, l)| (k.clone(), format!("{l} ({k})"))))
                .collect();
            view! {
                <div class="form-row">
                    {step_choice(c, "Contact field", "field", options, |s| s.field.clone(), |s, v| s.field = v)}
                    {step_text(c, "Value (empty clears it)", "value", "gold", |s| s.value.clone(), |s, v| s.value = v)}
                    {step_next(c, "Then", "next", |s| s.next.clone(), |s, v| s.next = v)}
                </div>
            }
            .into_any()
        }
        "addToList" => {
            let options = std::iter::once(blank("list")).chain(lists.iter().cloned()).collect();
            view! {
                <div class="form-row">
                    {step_choice(c, "Static list", "list", options, |s| s.list.clone(), |s, v| s.list = v)}
                    {step_next(c, "Then", "next", |s| s.next.clone(), |s, v| s.next = v)}
                </div>
            }
            .into_any()
        }
        "email" => email_inputs(c, templates, domains),
        "notify" => notify_inputs(c, members),
        "lead" => view! {
            <div class="form-row">
                {step_text(c, "Points (optional, -1000 to 1000)", "points", "10", |s| s.points.clone(), |s, v| s.points = v)}
                {step_text(c, "Reason (optional)", "reason", "Finished onboarding", |s| s.reason.clone(), |s, v| s.reason = v)}
                {step_next(c, "Then", "next", |s| s.next.clone(), |s, v| s.next = v)}
            </div>
            <p class="field-hint">"Makes the contact a lead, or updates their open lead; points (not 0) add to its score, or take from it when negative."</p>
        }
        .into_any(),
        "webhook" => view! {
            <div class="form-row">
                {step_text(c, "URL (https)", "url", "https://hooks.example.com/parley", |s| s.url.clone(), |s, v| s.url = v)}
                {step_next(c, "Then", "next", |s| s.next.clone(), |s, v| s.next = v)}
            </div>
            <p class="field-hint">"Posts the contact and the journey as JSON, signed with the journey's webhook secret (on its page)."</p>
        }
        .into_any(),
        _ => view! { <p class="muted">"The contact leaves the journey here."</p> }.into_any(),
    }
}

/// The inputs of a branch: what it tests (whether the contact matches a segment rule,
/// written as JSON, or the last email's response) and where each answer leads.
fn branch_inputs(c: Ctx) -> AnyView {
    let on = Memo::new(move |_| c.row.step.with(|s| s.branch_on.clone()));
    let ways = vec![
        ("rule".to_owned(), "Contact matches a rule".to_owned()),
        ("response".to_owned(), "Last email's response".to_owned()),
    ];
    let responses = RESPONSES.iter().map(|(v, l)| ((*v).to_owned(), (*l).to_owned())).collect::<Vec<_>>();
    let tested = move || {
        if on.get() == "response" {
            let responses = responses.clone();
            step_select_as(
                c,
                "The last email was",
                "condition",
                "step-lastResponse".to_owned(),
                move || responses.clone(),
                |s| s.response.clone(),
                |s, v| s.response = v,
            )
            .into_any()
        } else {
            view! {
                <label class="field" class:invalid=move || c.errors.field(&c.field("condition")).is_some()>
                    <span class="field-label">"Rule (a segment rule as JSON)"</span>
                    <textarea data-testid="step-condition" rows="3"
                        prop:value=move || c.row.step.with(|s| s.condition.clone())
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            c.row.step.update(|s| s.condition = typed);
                        }></textarea>
                    {move || error_of(c.errors, c.field("condition"))}
                </label>
            }
            .into_any()
        }
    };
    view! {
        {step_choice(c, "Tests", "branchOn", ways, |s| s.branch_on.clone(), |s, v| s.branch_on = v)}
        {tested}
        <div class="form-row">
            {step_next(c, "When it holds", "yes", |s| s.yes.clone(), |s, v| s.yes = v)}
            {step_next(c, "Otherwise", "no", |s| s.no.clone(), |s, v| s.no = v)}
        </div>
    }
    .into_any()
}

/// The inputs of an email step: the template, the sending domain, who it is from and
/// the step after it.
fn email_inputs(c: Ctx, templates: &[(String, String)], domains: &[(String, String)]) -> AnyView {
    let blank = |what: &str| (String::new(), format!("Choose a {what}…"));
    let template_options = std::iter::once(blank("template")).chain(templates.iter().cloned()).collect();
    let domain_options = std::iter::once(blank("sending domain")).chain(domains.iter().cloned()).collect();
    let known = domains.to_vec();
    let from_hint = move || {
        let chosen = c.row.step.with(|s| s.domain.clone());
        known.iter().find(|(id, _)| *id == chosen).map(|(_, d)| format!("An address at {d}, like news@{d}."))
    };
    view! {
        <div class="form-row">
            {step_choice(c, "Template", "template", template_options, |s| s.template.clone(), |s, v| s.template = v)}
            {step_choice(c, "Sending domain", "domain", domain_options, |s| s.domain.clone(), |s, v| s.domain = v)}
        </div>
        {templates.is_empty().then(|| view! {
            <p class="field-hint" data-testid="templates-empty">"To send an email, " <A href="/app/email-templates/new">"write a template"</A> " first."</p>
        })}
        {domains.is_empty().then(|| view! {
            <p class="field-hint" data-testid="domains-empty">"To send an email, " <A href="/app/sending">"add a sending domain"</A> " first."</p>
        })}
        <div class="form-row">
            {step_text(c, "From address", "fromAddress", "news@shop.example", |s| s.from_address.clone(), |s, v| s.from_address = v)}
            {step_text(c, "From name (optional)", "fromName", "The shop", |s| s.from_name.clone(), |s, v| s.from_name = v)}
            {step_next(c, "Then", "next", |s| s.next.clone(), |s, v| s.next = v)}
        </div>
        {move || from_hint().map(|h| view! { <p class="field-hint" data-testid="step-from-hint">{h}</p> })}
        <p class="field-hint">"Sent as a campaign is: only to contacts who agreed to email and are not suppressed; caps and quiet hours apply."</p>
    }
    .into_any()
}

/// The inputs of a step telling a workspace member: who, what, and the step after it.
fn notify_inputs(c: Ctx, members: &[(String, String)]) -> AnyView {
    let options =
        std::iter::once((String::new(), "Choose a member…".to_owned())).chain(members.iter().cloned()).collect();
    view! {
        <div class="form-row">
            {step_choice(c, "Team member", "user", options, |s| s.user.clone(), |s, v| s.user = v)}
            {step_next(c, "Then", "next", |s| s.next.clone(), |s, v| s.next = v)}
        </div>
        <label class="field" class:invalid=move || c.errors.field(&c.field("message")).is_some()>
            <span class="field-label">"Message (up to 500 characters)"</span>
            <textarea data-testid="step-message" rows="3" maxlength="500"
                placeholder="A new customer is in: say hello."
                prop:value=move || c.row.step.with(|s| s.message.clone())
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    c.row.step.update(|s| s.message = typed);
                }></textarea>
            {move || error_of(c.errors, c.field("message"))}
        </label>
        <p class="field-hint">"They are told by email as each contact reaches this step."</p>
    }
    .into_any()
}

/// The builder, prefilled with `initial`. Its errors go to `errors` when given (the
/// journey's page shows publishing's refusals there too).
#[component]
pub(crate) fn JourneyForm(
    mode: Mode,
    initial: Draft,
    choices: Choices,
    #[prop(optional)] errors: Option<FormErrors>,
) -> impl IntoView {
    let form = Form { errors: errors.unwrap_or_default(), busy: RwSignal::new(false) };
    let errors = form.errors;
    let editing = matches!(mode, Mode::Edit { .. });
    let next_key = StoredValue::new(0u32);
    let new_row = move |s: StepDraft| {
        let key = next_key.get_value();
        next_key.set_value(key.wrapping_add(1));
        StepRow { key, step: RwSignal::new(s) }
    };
    let steps = RwSignal::new(initial.steps.iter().cloned().map(new_row).collect::<Vec<_>>());
    let draft = RwSignal::new(Draft { steps: Vec::new(), ..initial });
    let ids: Memo<Vec<String>> =
        Memo::new(move |_| steps.with(|l| l.iter().map(|r| r.step.with(|s| s.id.trim().to_owned())).collect()));
    let show_json = RwSignal::new(false);
    let json_text = RwSignal::new(String::new());
    let snapshot = move || {
        let mut d = draft.get();
        d.steps = steps.with(|l| l.iter().map(|r| r.step.get()).collect());
        d
    };
    // The builder's steps become those of `d` (written as JSON), its name kept.
    let load_draft = move |d: Draft| {
        let name = draft.with_untracked(|x| x.name.clone());
        steps.set(d.steps.iter().cloned().map(new_row).collect());
        draft.set(Draft { name, steps: Vec::new(), ..d });
    };
    let parsed_json = move || -> Result<Value, (String, String)> {
        serde_json::from_str::<Value>(&json_text.get_untracked())
            .map_err(|e| ("definition".to_owned(), format!("is not valid JSON ({e})")))
    };
    let toggle_json = move |_| {
        errors.clear();
        if show_json.get_untracked() {
            match parsed_json() {
                Ok(v) => {
                    load_draft(Draft::of("", &v));
                    show_json.set(false);
                }
                Err((field, why)) => errors.set_field(&field, &why),
            }
        } else {
            let text = match untrack(snapshot).definition() {
                Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
                Err(_) => String::new(),
            };
            json_text.set(text);
            show_json.set(true);
        }
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
        let built = if show_json.get_untracked() { parsed_json() } else { d.definition() };
        let definition = match built {
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
                    let input = create_journey::JourneyInput { name, definition };
                    call::<CreateJourney>(create_journey::Variables { input }).await.map(|d| d.create_journey.id)
                }
                Mode::Edit { id, .. } => {
                    let input = update_journey::JourneyInput { name, definition };
                    call::<UpdateJourney>(update_journey::Variables { id: id.clone(), input })
                        .await
                        .map(|d| d.update_journey.id)
                }
            };
            let _ = form.busy.try_set(false);
            match (answer, &mode) {
                (Ok(id), Mode::New) => navigate(&format!("/app/journeys/{id}"), Default::default()),
                (Ok(_), Mode::Edit { done, .. }) => done.run(()),
                (Err(e), _) => place(errors, &e, owner),
            }
        });
    };
    let add_step = move |_| {
        let taken = ids.get_untracked();
        let id = (steps.with_untracked(Vec::len) + 1..)
            .map(|n| format!("step{n}"))
            .find(|id| !taken.contains(id))
            .unwrap_or_default();
        steps.update(|l| l.push(new_row(StepDraft::new(id))));
    };
    let Choices { rules, segments, fields, lists, templates, domains, members } = choices;
    let no_rules = rules.is_empty();
    let no_segments = segments.is_empty();
    let entries = vec![
        ("manual".to_owned(), "Manual: people or the API enrol contacts".to_owned()),
        ("trigger".to_owned(), "Each firing of a trigger rule".to_owned()),
        ("segment".to_owned(), "Contacts entering a segment".to_owned()),
    ];
    let rule_options = StoredValue::new(
        std::iter::once((String::new(), "Choose a trigger rule…".to_owned()))
            .chain(rules.into_iter().map(|(id, name)| (id, format!("Each firing of “{name}”"))))
            .collect::<Vec<_>>(),
    );
    let segment_options = StoredValue::new(
        std::iter::once((String::new(), "Choose a segment…".to_owned())).chain(segments).collect::<Vec<_>>(),
    );
    let entry = Memo::new(move |_| draft.with(|d| d.entry.clone()));
    let entry_from = move || {
        match entry.get().as_str() {
        "trigger" => view! {
            {choice_box(draft, errors, "Trigger rule", "journey-trigger", rule_options.get_value(), &["definition.entry.trigger"], |d: &Draft| d.trigger.clone(), |d, v| d.trigger = v)}
        }
        .into_any(),
        "segment" => view! {
            {choice_box(draft, errors, "Segment", "journey-segment", segment_options.get_value(), &["definition.entry.segment"], |d: &Draft| d.segment.clone(), |d, v| d.segment = v)}
        }
        .into_any(),
        _ => ().into_any(),
    }
    };
    let reentry = vec![
        ("never".to_owned(), "Never".to_owned()),
        ("after".to_owned(), "After some days".to_owned()),
        ("always".to_owned(), "Whenever its last entry is finished".to_owned()),
    ];
    let options = StoredValue::new(Choices {
        rules: Vec::new(),
        segments: Vec::new(),
        fields,
        lists,
        templates,
        domains,
        members,
    });
    let kinds = KINDS.iter().map(|(k, l)| ((*k).to_owned(), (*l).to_owned())).collect::<Vec<_>>();
    let kinds = StoredValue::new(kinds);
    let start_options = move || {
        let current = draft.with_untracked(|d| d.start.clone());
        let mut options = ids.with(|ids| next_options(ids, "", &current));
        options.remove(0);
        options
            .into_iter()
            .map(|(v, l)| {
                let selected = v == current;
                view! { <option value=v selected=selected>{l}</option> }
            })
            .collect_view()
    };
    let step_view = move |row: StepRow| {
        let at = Memo::new(move |_| steps.with(|l| l.iter().position(|x| x.key == row.key).unwrap_or(0)));
        let c = Ctx { row, at, ids, errors };
        let kind = Memo::new(move |_| row.step.with(|s| s.kind.clone()));
        view! {
            <fieldset class="journey-step-edit" data-testid="step-row"
                class:invalid=move || errors.field(&c.field("")).is_some()>
                <legend class="field-label">{move || format!("Step {}", at.get() + 1)}</legend>
                <div class="form-row">
                    {step_text(c, "Step ID", "id", "welcome", |s| s.id.clone(), |s, v| s.id = v)}
                    {step_choice(c, "Does", "kind", kinds.get_value(), |s| s.kind.clone(), |s, v| s.kind = v)}
                    <button type="button" class="btn btn-ghost btn-small" data-testid="step-remove"
                        disabled=move || steps.with(Vec::len) <= 1
                        on:click=move |_| steps.update(|l| l.retain(|x| x.key != row.key))>"Remove step"</button>
                </div>
                {move || options.with_value(|o| kind_inputs(c, &kind.get(), o))}
                {move || error_of(errors, c.field(""))}
            </fieldset>
        }
    };
    view! {
        <form class="form journey-form" data-testid=if editing { "journey-edit-form" } else { "journey-form" }
            on:submit=submit>
            <ErrorBanner errors=errors />
            <div class="form-row">
                {text_box(draft, errors, "Name", "journey-name", "Welcome series", &["name"], |d: &Draft| d.name.clone(), |d, v| d.name = v)}
                {choice_box(draft, errors, "Who enters", "journey-entry", entries, &["definition.entry"], |d: &Draft| d.entry.clone(), |d, v| d.entry = v)}
                {entry_from}
            </div>
            {move || (no_rules && entry.get() == "trigger").then(|| view! {
                <p class="field-hint" data-testid="rules-empty">"To enrol contacts when something happens, " <A href="/app/triggers">"add a trigger rule"</A> " first."</p>
            })}
            {move || (no_segments && entry.get() == "segment").then(|| view! {
                <p class="field-hint" data-testid="segments-empty">"To enrol contacts as they come into a segment, " <A href="/app/segments/new">"add a segment"</A> " first."</p>
            })}
            <div class="form-row">
                {choice_box(draft, errors, "May enter again", "journey-reentry", reentry, &["definition.reentry", "definition.reentry.mode"], |d: &Draft| d.reentry.clone(), |d, v| d.reentry = v)}
                {move || (draft.with(|d| d.reentry == "after")).then(|| {
                    text_box(draft, errors, "Days after the last entry", "journey-reentry-days", "30", &["definition.reentry.days"], |d: &Draft| d.reentry_days.clone(), |d, v| d.reentry_days = v)
                })}
                {text_box(draft, errors, "Goal event (optional)", "journey-goal", "purchase", &["definition.goal", "definition.goal.event"], |d: &Draft| d.goal.clone(), |d, v| d.goal = v)}
            </div>
            <p class="field-hint">"A contact for whom the goal event is tracked leaves the journey, its goal met."</p>
            {move || (!show_json.get()).then(|| view! {
                <div class="journey-steps" data-testid="journey-steps">
                    <For each=move || steps.get() key=|r| r.key children=step_view />
                    <div class="form-row">
                        <button type="button" class="btn btn-ghost btn-small" data-testid="step-add" on:click=add_step>"Add step"</button>
                        <label class="field" class:invalid=move || errors.field("definition.start").is_some()>
                            <span class="field-label">"Starts at"</span>
                            <select data-testid="journey-start" prop:value=move || draft.with(|d| d.start.clone())
                                on:change=move |ev| {
                                    let chosen = event_target_value(&ev);
                                    draft.update(|d| d.start = chosen);
                                }>
                                {start_options}
                            </select>
                            {error_of(errors, "definition.start".to_owned())}
                        </label>
                    </div>
                    {error_of(errors, "definition.steps".to_owned())}
                </div>
            })}
            <div>
                <button type="button" class="btn btn-ghost btn-small" data-testid="journey-json-toggle" on:click=toggle_json>
                    {move || if show_json.get() { "Back to the steps" } else { "JSON" }}
                </button>
            </div>
            {move || show_json.get().then(|| view! {
                <label class="field" class:invalid=move || errors.field("definition").is_some()>
                    <span class="field-label">"Definition (JSON)"</span>
                    <textarea class="snippet" rows="16" data-testid="journey-json"
                        prop:value=move || json_text.get()
                        on:input=move |ev| json_text.set(event_target_value(&ev))></textarea>
                </label>
            })}
            {error_of(errors, "definition".to_owned())}
            <div>
                {if editing {
                    view! { <Submit label="Save draft" busy_label="Saving…" busy=form.busy testid="journey-save" /> }.into_any()
                } else {
                    view! { <Submit label="Add journey" busy_label="Adding…" busy=form.busy testid="journey-submit" /> }.into_any()
                }}
                {cancel.map(|done| view! {
                    " "
                    <button type="button" class="btn btn-ghost" data-testid="journey-edit-cancel"
                        on:click=move |_| done.run(())>"Cancel"</button>
                })}
            </div>
        </form>
    }
}
