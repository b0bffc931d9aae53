//! `/app/insights`: predictive scores. Who the best customers are (RFM groups and
//! grid, lifetime value, churn), refreshed on demand and followed live; what the same
//! customers buy together; and response-propensity models, defined, trained and judged
//! on contacts held out of training.

mod figures;
mod models;
mod scores;

use leptos::prelude::*;
use leptos_meta::Title;

use models::PropensityModelsPanel;
use scores::{BoughtTogether, CustomerScores, load_overview};

/// The insights page.
#[component]
pub fn InsightsPage() -> impl IntoView {
    let overview = load_overview();
    view! {
        <Title text="Insights · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Insights"</h1>
            <p class="muted">
                "Who your best customers are, what they buy together and who is likely to act next: worked out from your contacts' purchases and events."
            </p>
        </header>
        <CustomerScores overview=overview />
        <BoughtTogether overview=overview />
        <PropensityModelsPanel />
    }
}
