//! The app root: routes, the HTML shell, and the session every page shares.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::pages::analytics::AnalyticsPage;
use crate::pages::api_keys::ApiKeysPage;
use crate::pages::assets::{AssetPage, AssetsPage};
use crate::pages::audit::AuditPage;
use crate::pages::campaigns::{CampaignPage, CampaignsPage, EmailTemplatePage, EmailTemplatesPage, SendingPage};
use crate::pages::contacts::ContactsPage;
use crate::pages::contacts::detail::ContactPage;
use crate::pages::contacts::fields::ContactFieldsPage;
use crate::pages::decisions::{
    CallCenterPage, OfferPage, OffersPage, OptimizationPage, OptimizationRunPage, PointPage, PointsPage,
};
use crate::pages::frame::AppFrame;
use crate::pages::identity::account::AccountPage;
use crate::pages::identity::auth::{AcceptInvitationPage, LogInPage, SignUpPage, VerifyEmailPage};
use crate::pages::identity::password::{ForgotPasswordPage, ResetPasswordPage};
use crate::pages::imports::ImportsPage;
use crate::pages::insights::InsightsPage;
use crate::pages::jobs::JobsPage;
use crate::pages::journeys::{JourneyNewPage, JourneyPage, JourneysPage};
use crate::pages::leads::{LeadPage, LeadSetupPage, LeadsPage};
use crate::pages::operations::{ApprovalsPage, BudgetPage, CalendarPage, SpendPage, WorkflowsPage};
use crate::pages::segments::{SegmentPage, SegmentsPage};
use crate::pages::team::TeamPage;
use crate::pages::tracking::TrackingPage;
use crate::pages::triggers::{TriggerRulePage, TriggerRulesPage};
use crate::pages::workspaces::dashboard::DashboardPage;
use crate::session::Session;

/// Path of the stylesheet (served by the router and copied into `site/`).
pub const STYLESHEET_PATH: &str = "/parley.css";

/// The whole HTML document the server renders around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="data:," />
                <link rel="stylesheet" href=STYLESHEET_PATH />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: every page and the session they share.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let session = Session::new();
    provide_context(session);
    // Effects run only in the browser, once the server-rendered page is live.
    Effect::new(move |_| session.hydrated.set(true));

    view! {
        <Title text="Parley" />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/signup") view=SignUpPage />
                <Route path=path!("/login") view=LogInPage />
                <Route path=path!("/forgot-password") view=ForgotPasswordPage />
                <Route path=path!("/reset-password") view=ResetPasswordPage />
                <Route path=path!("/email-verified") view=VerifyEmailPage />
                <Route path=path!("/accept-invitation") view=AcceptInvitationPage />
                <ParentRoute path=path!("/app") view=AppFrame>
                    <Route path=path!("") view=DashboardPage />
                    <Route path=path!("contacts") view=ContactsPage />
                    <Route path=path!("contacts/:id") view=ContactPage />
                    <Route path=path!("contact-fields") view=ContactFieldsPage />
                    <Route path=path!("imports") view=ImportsPage />
                    <Route path=path!("segments") view=SegmentsPage />
                    <Route path=path!("segments/:id") view=SegmentPage />
                    <Route path=path!("tracking") view=TrackingPage />
                    <Route path=path!("analytics") view=AnalyticsPage />
                    <Route path=path!("insights") view=InsightsPage />
                    <Route path=path!("budget") view=BudgetPage />
                    <Route path=path!("spend") view=SpendPage />
                    <Route path=path!("approvals") view=ApprovalsPage />
                    <Route path=path!("assets") view=AssetsPage />
                    <Route path=path!("assets/:id") view=AssetPage />
                    <Route path=path!("campaigns") view=CampaignsPage />
                    <Route path=path!("campaigns/:id") view=CampaignPage />
                    <Route path=path!("email-templates") view=EmailTemplatesPage />
                    <Route path=path!("email-templates/:id") view=EmailTemplatePage />
                    <Route path=path!("sending") view=SendingPage />
                    <Route path=path!("offers") view=OffersPage />
                    <Route path=path!("offers/:id") view=OfferPage />
                    <Route path=path!("points") view=PointsPage />
                    <Route path=path!("points/:id") view=PointPage />
                    <Route path=path!("call-center") view=CallCenterPage />
                    <Route path=path!("optimization") view=OptimizationPage />
                    <Route path=path!("optimization/:id") view=OptimizationRunPage />
                    <Route path=path!("triggers") view=TriggerRulesPage />
                    <Route path=path!("triggers/:id") view=TriggerRulePage />
                    <Route path=path!("journeys") view=JourneysPage />
                    <Route path=path!("journeys/new") view=JourneyNewPage />
                    <Route path=path!("journeys/:id") view=JourneyPage />
                    <Route path=path!("leads") view=LeadsPage />
                    <Route path=path!("leads/setup") view=LeadSetupPage />
                    <Route path=path!("leads/:id") view=LeadPage />
                    <Route path=path!("workflows") view=WorkflowsPage />
                    <Route path=path!("calendar") view=CalendarPage />
                    <Route path=path!("team") view=TeamPage />
                    <Route path=path!("api-keys") view=ApiKeysPage />
                    <Route path=path!("audit") view=AuditPage />
                    <Route path=path!("jobs") view=JobsPage />
                    <Route path=path!("account") view=AccountPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Shown for a path no page answers.
#[component]
fn NotFound() -> impl IntoView {
    view! {
        <Title text="Not found · Parley" />
        <div class="auth-page">
            <div class="auth-card">
                <h1>"Page not found"</h1>
                <p class="muted">"There is nothing at this address."</p>
                <A href="/app">"Back to your workspace"</A>
            </div>
        </div>
    }
}
