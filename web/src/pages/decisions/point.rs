//! `/app/points/:id`: one interaction point: its settings, how its decisions learn
//! (the holdout measured against, the share explored) and what they have learnt (in
//! [`super::learning`]), its treatment rules: which offers, for whom, when (an
//! eligibility expression), and how strongly, each added, edited in the same form or
//! deleted once confirmed; and a decision tried by hand (in [`super::try_decision`]),
//! whose excluded rules are named by their offers.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::learning::{LearningReport, Report, load_report};
use super::points::{Choice, PointForm, PointMode, Settings};
use super::try_decision::TryDecision;
use super::{error_of, load_failed, send};
use crate::components::{ErrorBanner, Form, FormErrors, Loading, Submit};
use crate::gql::call;
use crate::ops::decisions::{
    ConfigureLearning, CreateTreatmentRule, DeleteTreatmentRule, InteractionPoint, JSON, PointDetail, RuleRow,
    UpdateTreatmentRule, configure_learning, create_treatment_rule, delete_treatment_rule, interaction_point,
    update_treatment_rule,
};
use crate::ops::raw_id;
use crate::pages::assets::enum_name;
use crate::session::{Loaded, load};

type Data = interaction_point::ResponseData;

/// The fields of the learning form.
const LEARNING_FIELDS: &[&str] = &["holdoutPercent", "explorationPercent"];
/// The fields of the rule form.
const RULE_FIELDS: &[&str] = &["offerIds", "segmentId", "eligibility", "weight"];

/// A number typed (a comma read as the decimal point), `None` when it is not one.
pub(crate) fn number_of(typed: &str) -> Option<f64> {
    typed.trim().replace(',', ".").parse::<f64>().ok().filter(|n| n.is_finite())
}

/// The eligibility expression typed: nothing (always eligible), or JSON; else why not.
pub(crate) fn parse_eligibility(typed: &str) -> Result<Option<JSON>, String> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str::<JSON>(typed).map(Some).map_err(|e| format!("is not valid JSON: {e}"))
}

/// One interaction point.
#[component]
pub fn PointPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = load(move || {
        let id = id();
        async move { call::<InteractionPoint>(interaction_point::Variables { id }).await }
    });
    view! {
        <Title text="Interaction point · Parley" />
        {move || match data.data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => load_failed(e, "/app/points", "Interaction points").into_any(),
            Some(Ok(d)) => view! { <Detail data=d loaded=data /> }.into_any(),
        }}
    }
}

#[component]
fn Detail(data: Data, loaded: Loaded<Data>) -> impl IntoView {
    let p: PointDetail = data.interaction_point;
    let all_offers: Vec<(String, String, bool, Choice)> = data
        .offers
        .nodes
        .into_iter()
        .map(|o| {
            // An offer waiting for approval may be named in rules already.
            let active = enum_name(&o.status) != "RETIRED";
            let code = o.code.clone();
            (o.id.clone(), code, active, Choice { id: o.id, code: o.code, name: o.name, channels: o.channels })
        })
        .collect();
    let segments: Vec<(String, String)> = data.segments.nodes.into_iter().map(|s| (s.id, s.name)).collect();
    let active: Vec<Choice> = all_offers.iter().filter(|o| o.2).map(|o| o.3.clone()).collect();
    let on_channel: Vec<Choice> = active.iter().filter(|o| o.channels.contains(&p.channel)).cloned().collect();
    let code_of = {
        let all = all_offers.iter().map(|o| (o.0.clone(), o.1.clone())).collect::<Vec<_>>();
        move |id: &String| all.iter().find(|(i, _)| i == id).map_or_else(|| "(removed)".to_owned(), |(_, c)| c.clone())
    };
    let fallback = p.fallback_offer_id.as_ref().map(&code_of).unwrap_or_else(|| "None".to_owned());
    let settings = Settings {
        name: p.name.clone(),
        channel: Some(p.channel),
        max_offers: p.max_offers,
        fallback: p.fallback_offer_id.clone(),
        window: p.response_window.clone(),
    };
    let saved = Callback::new(move |()| loaded.reload());
    let rules = p
        .rules
        .iter()
        .map(|r| {
            let segment = match &r.segment_id {
                None => "Everyone".to_owned(),
                Some(id) => segments
                    .iter()
                    .find(|(s, _)| s == id)
                    .map_or_else(|| "A removed segment".to_owned(), |(_, n)| n.clone()),
            };
            let offers = r.offer_ids.iter().map(&code_of).collect::<Vec<_>>();
            // A rule's own offers stay choosable while editing it, even when no longer
            // active on the point's channel, so they can be taken out.
            let mut choices = on_channel.clone();
            for id in &r.offer_ids {
                if !choices.iter().any(|c| c.id == *id) {
                    let known = all_offers.iter().find(|o| o.0 == *id).map(|o| o.3.clone());
                    choices.push(known.unwrap_or_else(|| Choice {
                        id: id.clone(),
                        code: "(removed)".to_owned(),
                        name: String::new(),
                        channels: Vec::new(),
                    }));
                }
            }
            let ctx = RuleContext { point: p.id.clone(), offers: choices, segments: segments.clone(), loaded };
            rule_row(r.clone(), offers, segment, ctx)
        })
        .collect_view();
    let rule_offers: Vec<(String, Vec<String>)> =
        p.rules.iter().filter_map(|r| Some((raw_id(&r.id)?, r.offer_ids.iter().map(&code_of).collect()))).collect();
    let no_rules = p.rules.is_empty();
    let report = load_report(p.id.clone());
    view! {
        <header class="page-head">
            <p class="muted"><A href="/app/points">"Interaction points"</A>" /"</p>
            <h1 data-testid="page-title">{p.name.clone()}</h1>
            <p class="muted" data-testid="point-summary">
                {format!(
                    "{} · up to {} offer(s) · fallback {} · responses count for {}",
                    p.channel.label(),
                    p.max_offers,
                    fallback,
                    p.response_window,
                )}
            </p>
        </header>
        <section class="panel" data-testid="point-settings">
            <h2>"Settings"</h2>
            <PointForm mode=PointMode::Edit { id: p.id.clone(), saved } settings=settings offers=active.clone() />
        </section>
        <Learning id=p.id.clone() holdout=p.holdout_percent exploration=p.exploration_percent by_segment=p.learn_by_segment loaded=loaded report=report />
        <section class="panel" data-testid="point-rules">
            <h2>"Treatment rules"</h2>
            {if no_rules {
                view! { <p class="muted empty" data-testid="rules-empty">"No rules yet: only the fallback offer is shown."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="rules-table">
                        <thead><tr><th>"Offers"</th><th>"Segment"</th><th>"Weight"</th><th>"Eligibility"</th><th></th></tr></thead>
                        <tbody>{rules}</tbody>
                    </table>
                }.into_any()
            }}
            <h3>"Add a rule"</h3>
            <RuleForm mode=RuleMode::New point=p.id.clone() draft=RuleDraft::blank() offers=on_channel segments=segments loaded=loaded />
        </section>
        <TryDecision point=p.id.clone() max_offers=p.max_offers report=report rules=rule_offers />
    }
}

/// What a rule row needs besides the rule: the choices its edit form offers.
#[derive(Clone)]
struct RuleContext {
    point: String,
    offers: Vec<Choice>,
    segments: Vec<(String, String)>,
    loaded: Loaded<Data>,
}

/// A rule as the form shows it: the offers chosen, the segment (empty: everyone), the
/// eligibility and weight as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RuleDraft {
    pub offers: Vec<String>,
    pub segment: String,
    pub eligibility: String,
    pub weight: String,
}

impl RuleDraft {
    /// A new rule: no offers, everyone, always eligible, weight 1.
    fn blank() -> Self {
        Self { weight: "1".to_owned(), ..Self::default() }
    }

    /// Rule `r` as it stands, to be edited.
    pub(crate) fn of(r: &RuleRow) -> Self {
        Self {
            offers: r.offer_ids.clone(),
            segment: r.segment_id.clone().unwrap_or_default(),
            eligibility: if r.eligibility.is_null() {
                String::new()
            } else {
                serde_json::to_string_pretty(&r.eligibility).unwrap_or_default()
            },
            weight: r.weight.to_string(),
        }
    }
}

fn rule_row(r: RuleRow, offers: Vec<String>, segment: String, ctx: RuleContext) -> impl IntoView {
    let eligibility = if r.eligibility.is_null() {
        "Always".to_owned()
    } else {
        serde_json::to_string(&r.eligibility).unwrap_or_default()
    };
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let editing = RwSignal::new(false);
    let loaded = ctx.loaded;
    let id = r.id.clone();
    let delete = move |_| {
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        busy.set(true);
        let id = id.clone();
        spawn_local(async move {
            let answer = call::<DeleteTreatmentRule>(delete_treatment_rule::Variables { id }).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(_) => loaded.reload(),
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    let draft = RuleDraft::of(&r);
    let rule_id = r.id.clone();
    let done = Callback::new(move |()| editing.set(false));
    view! {
        <tr data-testid="rule-row" data-id=r.id.clone()>
            <td data-testid="rule-offers">{offers.into_iter().map(|c| view! { <span class="chip">{c}</span> }).collect_view()}</td>
            <td data-testid="rule-segment">{segment}</td>
            <td class="num" data-testid="rule-weight">{r.weight.to_string()}</td>
            <td><code class="json" data-testid="rule-eligibility">{eligibility}</code></td>
            <td class="nowrap">
                {move || if confirming.get() {
                    view! {
                        <span class="confirm" data-testid="rule-delete-confirmation">
                            "Delete this rule? "
                            <button type="button" class="btn btn-danger btn-small" data-testid="rule-delete-confirm"
                                disabled=move || busy.get() on:click=delete.clone()>
                                {move || if busy.get() { "Deleting…" } else { "Delete" }}
                            </button>
                            " "
                            <button type="button" class="btn btn-ghost btn-small" data-testid="rule-delete-cancel"
                                on:click=move |_| confirming.set(false)>"Cancel"</button>
                        </span>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="btn btn-ghost btn-small" data-testid="rule-edit"
                            on:click=move |_| editing.update(|e| *e = !*e)>"Edit"</button>
                        " "
                        <button type="button" class="btn btn-ghost btn-small" data-testid="rule-delete"
                            on:click=move |_| {
                                errors.clear();
                                confirming.set(true);
                            }>"Delete"</button>
                    }.into_any()
                }}
                <ErrorBanner errors=errors />
            </td>
        </tr>
        {move || editing.get().then(|| view! {
            <tr data-testid="rule-edit-row">
                <td colspan="5">
                    <RuleForm mode=RuleMode::Edit { id: rule_id.clone(), done } point=ctx.point.clone()
                        draft=draft.clone() offers=ctx.offers.clone() segments=ctx.segments.clone() loaded=loaded />
                </td>
            </tr>
        })}
    }
}

#[component]
fn Learning(
    id: String,
    holdout: f64,
    exploration: f64,
    by_segment: bool,
    loaded: Loaded<Data>,
    report: Loaded<Report>,
) -> impl IntoView {
    let form = Form::new();
    let by_segment_ticked = RwSignal::new(by_segment);
    let errors = form.errors;
    let holdout_typed = RwSignal::new(holdout.to_string());
    let exploration_typed = RwSignal::new(exploration.to_string());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let Some(holdout_percent) = number_of(&holdout_typed.get_untracked()) else {
            errors.set_field("holdoutPercent", "is a percentage from 0 to 50");
            return;
        };
        let exploration_percent = if exploration_typed.with_untracked(|t| t.trim().is_empty()) {
            0.0
        } else {
            let Some(e) = number_of(&exploration_typed.get_untracked()) else {
                errors.set_field("explorationPercent", "is a percentage from 0 to 100");
                return;
            };
            e
        };
        let input = configure_learning::ConfigureLearningInput {
            point_id: id.clone(),
            holdout_percent,
            exploration_percent,
            learn_by_segment: Some(by_segment_ticked.get_untracked()),
        };
        send::<ConfigureLearning, _>(form, configure_learning::Variables { input }, LEARNING_FIELDS, move |_| {
            loaded.reload()
        });
    };
    view! {
        <section class="panel" data-testid="point-learning">
            <h2>"Learning"</h2>
            <p class="muted" data-testid="learning-current">
                {format!(
                    "Holdout {holdout}% · exploration {exploration}%{}",
                    if by_segment { " · each segment learnt apart" } else { "" }
                )}
            </p>
            <form class="form form-row" data-testid="learning-form" on:submit=submit>
                <ErrorBanner errors=errors />
                <label class="field" class:invalid=move || errors.field("holdoutPercent").is_some()>
                    <span class="field-label">"Holdout (%)"</span>
                    <input type="number" min="0" max="50" step="0.1" data-testid="learning-holdout"
                        prop:value=move || holdout_typed.get() on:input=move |ev| holdout_typed.set(event_target_value(&ev)) />
                    <span class="field-hint">"Decisions given a random eligible offer, to measure the learning against (0 to 50)."</span>
                    {error_of(errors, "holdoutPercent".to_owned())}
                </label>
                <label class="field" class:invalid=move || errors.field("explorationPercent").is_some()>
                    <span class="field-label">"Exploration (%)"</span>
                    <input type="number" min="0" max="100" step="0.1" data-testid="learning-exploration"
                        prop:value=move || exploration_typed.get() on:input=move |ev| exploration_typed.set(event_target_value(&ev)) />
                    <span class="field-hint">"Decisions on which the learner tries a less proven offer (0 to 100)."</span>
                    {error_of(errors, "explorationPercent".to_owned())}
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="learning-by-segment" prop:checked=move || by_segment_ticked.get()
                        on:change=move |ev| by_segment_ticked.set(event_target_checked(&ev)) />
                    "Learn each segment apart (the contacts of each rule's segment teach that segment only)"
                </label>
                <Submit label="Save learning" busy_label="Saving…" busy=form.busy testid="learning-submit" />
            </form>
            <LearningReport report=report />
        </section>
    }
}

/// What the rule form does when saved.
#[derive(Clone)]
enum RuleMode {
    /// Adds a rule to the point.
    New,
    /// Changes rule `id`; `done` runs when it is saved or the change is cancelled.
    Edit { id: String, done: Callback<()> },
}

/// The form of a rule: a new one, or one being edited (prefilled with `draft`).
#[component]
fn RuleForm(
    mode: RuleMode,
    point: String,
    draft: RuleDraft,
    offers: Vec<Choice>,
    segments: Vec<(String, String)>,
    loaded: Loaded<Data>,
) -> impl IntoView {
    let form = Form::new();
    let errors = form.errors;
    let chosen = RwSignal::new(draft.offers);
    let segment = RwSignal::new(draft.segment);
    let weight = RwSignal::new(draft.weight);
    let eligibility = RwSignal::new(draft.eligibility);
    let editing = matches!(mode, RuleMode::Edit { .. });
    let cancel = match &mode {
        RuleMode::Edit { done, .. } => Some(*done),
        RuleMode::New => None,
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let eligibility = match parse_eligibility(&eligibility.get_untracked()) {
            Ok(e) => e,
            Err(why) => {
                errors.set_field("eligibility", &why);
                return;
            }
        };
        let typed_weight = weight.get_untracked();
        let weight = if typed_weight.trim().is_empty() {
            None
        } else {
            let Some(w) = number_of(&typed_weight) else {
                errors.set_field("weight", "is a number above 0, at most 1,000");
                return;
            };
            Some(w)
        };
        let offer_ids = chosen.get_untracked();
        let segment_id = Some(segment.get_untracked()).filter(|s| !s.is_empty());
        match &mode {
            RuleMode::New => {
                let input = create_treatment_rule::TreatmentRuleInput {
                    point_id: point.clone(),
                    offer_ids,
                    segment_id,
                    eligibility,
                    weight,
                };
                send::<CreateTreatmentRule, _>(
                    form,
                    create_treatment_rule::Variables { input },
                    RULE_FIELDS,
                    move |_| loaded.reload(),
                );
            }
            RuleMode::Edit { id, done } => {
                let input = update_treatment_rule::TreatmentRuleInput {
                    point_id: point.clone(),
                    offer_ids,
                    segment_id,
                    eligibility,
                    weight,
                };
                let done = *done;
                let variables = update_treatment_rule::Variables { id: id.clone(), input };
                send::<UpdateTreatmentRule, _>(form, variables, RULE_FIELDS, move |_| {
                    done.run(());
                    loaded.reload();
                });
            }
        }
    };
    let no_offers = offers.is_empty();
    view! {
        <form class="form rule-form" data-testid=if editing { "rule-edit-form" } else { "rule-form" } on:submit=submit>
            <ErrorBanner errors=errors />
            <fieldset class="field" class:invalid=move || errors.field("offerIds").is_some()>
                <legend class="field-label">"Offers"</legend>
                {no_offers.then(|| view! {
                    <p class="muted" data-testid="rule-offers-empty">
                        "No active offer is shown on this point's channel: " <A href="/app/offers">"add one"</A> " first."
                    </p>
                })}
                <div class="checks" data-testid="rule-offer-choices">
                    {offers.into_iter().map(|o| {
                        let (a, b) = (o.id.clone(), o.id.clone());
                        view! {
                            <label class="check">
                                <input type="checkbox" data-testid="rule-offer" value=o.id.clone() data-code=o.code.clone()
                                    prop:checked=move || chosen.with(|c| c.contains(&a))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| {
                                            c.retain(|x| *x != b);
                                            if on {
                                                c.push(b.clone());
                                            }
                                        });
                                    } />
                                {format!("{} · {}", o.code, o.name)}
                            </label>
                        }
                    }).collect_view()}
                </div>
                <span class="field-hint">"Active offers shown on this point's channel."</span>
                {error_of(errors, "offerIds".to_owned())}
            </fieldset>
            <div class="form-row">
                <label class="field" class:invalid=move || errors.field("segmentId").is_some()>
                    <span class="field-label">"Segment"</span>
                    <select data-testid="rule-segment-select" prop:value=move || segment.get()
                        on:change=move |ev| segment.set(event_target_value(&ev))>
                        <option value="">"Everyone"</option>
                        {segments.into_iter().map(|(id, n)| {
                            // Selected here too: the list's value is set before its options exist.
                            let selected = segment.get_untracked() == id;
                            view! { <option value=id selected=selected>{n}</option> }
                        }).collect_view()}
                    </select>
                    {error_of(errors, "segmentId".to_owned())}
                </label>
                // Any step: weights such as 2.5 are as valid as whole ones.
                <label class="field" class:invalid=move || errors.field("weight").is_some()>
                    <span class="field-label">"Weight"</span>
                    <input type="number" name="weight" step="any" data-testid="rule-weight-input"
                        aria-invalid=move || if errors.field("weight").is_some() { "true" } else { "false" }
                        prop:value=move || weight.get() on:input=move |ev| weight.set(event_target_value(&ev)) />
                    <span class="field-hint">"How strongly the rule's offers are preferred (above 0, at most 1,000)."</span>
                    {error_of(errors, "weight".to_owned())}
                </label>
            </div>
            <label class="field" class:invalid=move || errors.field("eligibility").is_some()>
                <span class="field-label">"Eligibility (JSON, optional)"</span>
                <textarea rows="4" class="code" data-testid="rule-eligibility-input"
                    placeholder="{\"attribute\": \"context.page\", \"op\": \"eq\", \"value\": \"/cart\"}"
                    prop:value=move || eligibility.get() on:input=move |ev| eligibility.set(event_target_value(&ev))></textarea>
                <span class="field-hint">"The segment rule language over the contact, plus context.<name> tests of the request. Empty: always eligible."</span>
                {error_of(errors, "eligibility".to_owned())}
            </label>
            <div>
                {if editing {
                    view! { <Submit label="Save rule" busy_label="Saving…" busy=form.busy testid="rule-save" /> }.into_any()
                } else {
                    view! { <Submit label="Add rule" busy_label="Adding…" busy=form.busy testid="rule-submit" /> }.into_any()
                }}
                {cancel.map(|done| view! {
                    " "
                    <button type="button" class="btn btn-ghost" data-testid="rule-edit-cancel"
                        on:click=move |_| done.run(())>"Cancel"</button>
                })}
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eligibility_is_json_or_nothing() {
        assert_eq!(parse_eligibility(" "), Ok(None));
        assert!(matches!(parse_eligibility(r#"{"attribute":"context.page","op":"eq","value":"/cart"}"#), Ok(Some(_))));
        assert!(matches!(parse_eligibility("{attribute: page}"), Err(e) if e.starts_with("is not valid JSON")));
        assert_eq!(number_of(" 12,5 "), Some(12.5));
        assert_eq!(number_of("ten"), None);
    }
}
