//! Response-propensity models: define one (the event, the horizon, the field its
//! scores go to), train it and follow the training, read how good it is and what drives
//! it, delete it.

use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::figures::quality;
use crate::components::{Caller, Chunk, ErrorBanner, Field, Form, FormErrors, Paged, PagedTable, Submit, paged};
use crate::gql::call;
use crate::ops::scores::{
    CreatePropensityModel, DeletePropensityModel, Model, ModelState, PropensityModel, PropensityModels,
    TrainPropensityModel, create_propensity_model, delete_propensity_model, propensity_model, propensity_models,
    train_propensity_model,
};
use crate::ops::short_time;

/// How often a model in training is read again.
const POLL: Duration = Duration::from_millis(1000);
/// Weights shown under "What drives it".
const TOP_WEIGHTS: usize = 5;

/// Puts `model` in place of its row.
fn replace(models: Paged<Model>, model: Model) {
    let _ = models.rows.try_update(|rows| {
        if let Some(row) = rows.iter_mut().find(|r| r.id == model.id) {
            *row = model;
        }
    });
}

/// The models section.
#[component]
pub fn PropensityModelsPanel() -> impl IntoView {
    let models = paged(
        |after| async move {
            call::<PropensityModels>(propensity_models::Variables { after })
                .await
                .map(|d| Chunk::from(d.propensity_models))
        },
        |m: &Model| m.id.clone(),
    );
    let errors = FormErrors::new();
    // Follows models in training: reads each again every second until it is done.
    // One round at a time; a model that cannot be read sends the list to be read again.
    let polling = StoredValue::new(false);
    Effect::new(move |_| {
        let training: Vec<String> =
            models.rows.with(|r| r.iter().filter(|m| m.state == ModelState::Training).map(|m| m.id.clone()).collect());
        if training.is_empty() || polling.get_value() {
            return;
        }
        polling.set_value(true);
        set_timeout(
            move || {
                spawn_local(async move {
                    let mut failed = false;
                    let mut fresh = Vec::new();
                    for id in training {
                        match call::<PropensityModel>(propensity_model::Variables { id }).await {
                            Ok(d) => fresh.push(Model::from(d.propensity_model)),
                            Err(_) => failed = true,
                        }
                    }
                    let _ = polling.try_set_value(false);
                    for m in fresh {
                        replace(models, m);
                    }
                    if failed {
                        models.reload();
                    }
                });
            },
            POLL,
        );
    });
    let train = move |id: String| {
        errors.clear();
        spawn_local(async move {
            match call::<TrainPropensityModel>(train_propensity_model::Variables { id }).await {
                Ok(d) => replace(models, Model::from(d.train_propensity_model)),
                Err(e) => errors.show(&e, &[]),
            }
        });
    };
    view! {
        <section class="panel" data-testid="propensity-models">
            <h2>"Propensity models"</h2>
            <p class="muted">
                "How likely each contact is to do an event (buy, click…) within some days, learned from your history and written to a contact field (0 to 1) for segments. Quality is measured on a fifth of the contacts kept out of training."
            </p>
            <ErrorBanner errors=errors />
            <PagedTable
                list=models
                head=&["Model", "Status", "Quality", "Contacts", "Trained", ""]
                row=move |m| model_row(m, models, errors, train)
                empty="No models yet: define one below, then train it."
                testid="models"
            />
            <NewModelForm models=models />
        </section>
    }
}

fn model_row(
    m: Model,
    models: Paged<Model>,
    errors: FormErrors,
    train: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let training = m.state == ModelState::Training;
    let train_label = if m.trained_at.is_some() { "Train again" } else { "Train" };
    let asking = RwSignal::new(false);
    let (train_id, delete_id) = (m.id.clone(), m.id.clone());
    let progress = training.then(|| {
        let value = (m.contacts_total > 0).then(|| m.contacts_scored.to_string());
        let of = if m.contacts_total > 0 {
            format!("{} of {} contacts scored", m.contacts_scored, m.contacts_total)
        } else {
            "reading the history…".to_owned()
        };
        view! {
            <div class="job-progress" data-testid="model-progress">
                <progress max=m.contacts_total.max(1).to_string() value=value></progress>
                <span class="muted">{of}</span>
            </div>
        }
    });
    let quality_cell = match m.auc {
        Some(auc) => {
            let (words, class) = quality(auc);
            view! {
                <span data-testid="model-auc" title="Area under the ROC curve on contacts held out of training: 0.5 is a coin toss, 1 is perfect.">
                    {format!("{auc:.2}")}
                </span>
                " "
                <span class=class data-testid="model-quality">{words}</span>
            }
            .into_any()
        }
        None => view! { <span class="muted">"not measured yet"</span> }.into_any(),
    };
    // Under the row, across it: why the training failed, or what drives a trained model.
    let failed = (m.state == ModelState::Failed).then(|| m.error.clone()).flatten().map(|e| {
        view! { <div class="insight-error" data-testid="model-error">{format!("Training failed: {e}")}</div> }
    });
    let weights = (m.state == ModelState::Ready && !m.weights.is_empty()).then(|| {
        view! {
            <ul class="weights" data-testid="model-weights">
                <li class="hint">"What drives it:"</li>
                {m.weights.iter().take(TOP_WEIGHTS).map(|w| {
                    let (arrow, class, says) = if w.weight >= 0.0 {
                        ("↑", "weight-up", "more likely")
                    } else {
                        ("↓", "weight-down", "less likely")
                    };
                    view! {
                        <li data-testid="model-weight" title=format!("{says} (weight {:.2})", w.weight)>
                            <span class=class>{arrow}</span>" "{w.feature.clone()}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    });
    let detail = (failed.is_some() || weights.is_some()).then(|| {
        view! {
            <tr class="model-detail" data-testid="model-detail" data-model-id=m.id.clone()>
                <td colspan="6">{failed}{weights}</td>
            </tr>
        }
    });
    let has_detail = detail.is_some();
    let trained = m.trained_at.as_deref().map(short_time).unwrap_or_else(|| "never".to_owned());
    let delete = move |_| {
        asking.set(false);
        models.act::<DeletePropensityModel>(delete_propensity_model::Variables { id: delete_id.clone() }, errors);
    };
    view! {
        <tr data-testid="model-row" data-model-id=m.id.clone() class:has-detail=has_detail>
            <td>
                <strong data-testid="model-name">{m.name.clone()}</strong>
                <div class="hint">
                    "Predicts "<code data-testid="model-target">{m.target_event.clone()}</code>
                    " within "<span data-testid="model-horizon">{format!("{} {}", m.horizon_days, if m.horizon_days == 1 { "day" } else { "days" })}</span>
                </div>
                <div class="hint">"Scores in field "<code data-testid="model-attribute">{m.attribute.clone()}</code></div>
            </td>
            <td>
                <span class=m.state.class() data-testid="model-status">{m.state.label()}</span>
                {progress}
            </td>
            <td class="nowrap">{quality_cell}</td>
            <td>
                <div data-testid="model-positives">{format!("{} did it", m.positives)}</div>
                <div class="hint">
                    <span data-testid="model-training">{m.training_contacts}</span>" trained on · "
                    <span data-testid="model-holdout">{m.holdout_contacts}</span>" held out"
                </div>
            </td>
            <td class="muted nowrap" data-testid="model-trained-at">{trained}</td>
            <td class="actions">
                <Show
                    when=move || asking.get()
                    fallback=move || {
                        let id = train_id.clone();
                        view! {
                            <button type="button" class="btn btn-ghost btn-small" data-testid="model-train"
                                disabled=training on:click=move |_| train(id.clone())>
                                {train_label}
                            </button>
                            <button type="button" class="btn btn-ghost btn-small" data-testid="model-delete"
                                on:click=move |_| asking.set(true)>
                                "Delete"
                            </button>
                        }
                    }
                >
                    <div class="hint">"Delete it and its scores?"</div>
                    <button type="button" class="btn btn-danger btn-small" data-testid="model-delete-confirm" on:click=delete.clone()>
                        "Delete"
                    </button>
                    <button type="button" class="btn btn-ghost btn-small" data-testid="model-delete-cancel" on:click=move |_| asking.set(false)>
                        "Keep"
                    </button>
                </Show>
            </td>
        </tr>
        {detail}
    }
}

/// The field key a model predicting `event` writes by default (`propensity_purchase`).
fn field_for(event: &str) -> String {
    let tail: String =
        event.trim().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    format!("propensity_{tail}")
}

/// Define a model.
#[component]
fn NewModelForm(models: Paged<Model>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let target = RwSignal::new("purchase".to_owned());
    let horizon = RwSignal::new("30".to_owned());
    let attribute = RwSignal::new(field_for("purchase"));
    let form = Form::new();
    let (errors, busy) = (form.errors, form.busy);
    // The field follows the event until someone names it themselves.
    Effect::watch(
        move || target.get(),
        move |now, before, _| {
            if let Some(before) = before
                && attribute.get_untracked() == field_for(before)
            {
                attribute.set(field_for(now));
            }
        },
        false,
    );
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let Ok(horizon_days) = horizon.get_untracked().trim().parse::<i64>() else {
            errors.set_field("horizonDays", "Enter a whole number of days, 1 to 365.");
            return;
        };
        let input = create_propensity_model::NewPropensityModel {
            name: name.get_untracked().trim().to_owned(),
            target_event: target.get_untracked().trim().to_owned(),
            horizon_days,
            attribute: attribute.get_untracked().trim().to_owned(),
        };
        form.send::<CreatePropensityModel, _>(
            Caller::SignedIn,
            create_propensity_model::Variables { input },
            &["name", "targetEvent", "horizonDays", "attribute"],
            move |_| {
                name.set(String::new());
                models.reload();
            },
        );
    };
    view! {
        <h3>"New model"</h3>
        <form class="form form-row model-form" data-testid="model-form" on:submit=on_submit>
            <ErrorBanner errors=errors />
            <Field label="Name" name="name" value=name errors=errors testid="model-new-name" placeholder="Likely buyers" />
            <Field label="Event to predict" name="targetEvent" value=target errors=errors testid="model-new-target"
                hint="As tracked: purchase, email_clicked…" />
            <Field label="Within (days)" name="horizonDays" kind="number" value=horizon errors=errors testid="model-new-horizon" />
            <Field label="Contact field for the scores" name="attribute" value=attribute errors=errors testid="model-new-attribute"
                hint="Lower-case letters, digits and _; made if missing" />
            <Submit label="Create model" busy_label="Creating…" busy=busy testid="model-new-submit" />
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::field_for;

    #[test]
    fn the_default_field_is_named_after_the_event() {
        assert_eq!(field_for("purchase"), "propensity_purchase");
        assert_eq!(field_for(" Email-Clicked "), "propensity_email_clicked");
    }
}
