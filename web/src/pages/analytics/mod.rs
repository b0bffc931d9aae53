//! `/app/analytics`: the site's traffic over a chosen range (page views, visitors,
//! sessions, a day-by-day chart, top pages, sources, campaigns), a funnel of chosen
//! events with the conversion between steps, and the cart abandonment rate.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{LoadError, Loading};
use crate::gql::call;
use crate::ops::analytics::{WebAnalytics, web_analytics};
use crate::session::load;

/// Ranges the page offers, in days.
const RANGES: [(i64, &str); 3] = [(7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days")];

/// `now` minus `days`, and `now`, as RFC 3339 (the browser's clock).
fn range(days: i64) -> (String, String) {
    let now = js_now_ms();
    let from = now - days * 86_400_000;
    (iso(from), iso(now + 60_000))
}

#[cfg(feature = "hydrate")]
fn js_now_ms() -> i64 {
    js_sys::Date::now() as i64
}

#[cfg(not(feature = "hydrate"))]
fn js_now_ms() -> i64 {
    0
}

/// Milliseconds since 1970 as RFC 3339 (UTC).
fn iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// The analytics page.
#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let days = RwSignal::new(30i64);
    let steps = RwSignal::new("page_view, add_to_cart, purchase".to_owned());
    let data = load(move || {
        let (from, to) = range(days.get());
        let steps: Vec<String> =
            steps.get().split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
        async move { call::<WebAnalytics>(web_analytics::Variables { from, to, steps }).await }
    });
    view! {
        <Title text="Analytics · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Analytics"</h1>
            <p class="muted">"What visitors do on your site, from the tracking snippet's events."</p>
            <select data-testid="analytics-range" on:change=move |ev| days.set(event_target_value(&ev).parse().unwrap_or(30))>
                {RANGES.iter().map(|(d, l)| view! { <option value=d.to_string() selected=*d == 30>{*l}</option> }).collect_view()}
            </select>
        </header>
        {move || match data.data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
            Some(Ok(d)) => {
                let t = d.web_traffic;
                let pairs = |v: Vec<(String, i64)>| v;
                let pages = pairs(t.top_pages.into_iter().map(|c| (c.key, c.count)).collect());
                let sources = pairs(t.sources.into_iter().map(|c| (c.key, c.count)).collect());
                let campaigns = pairs(t.campaigns.into_iter().map(|c| (c.key, c.count)).collect());
                let series: Vec<(String, i64)> = t.days.into_iter().map(|d| (d.date, d.page_views)).collect();
                let cart = d.cart_abandonment;
                view! {
                    <section class="tiles">
                        <div class="tile"><span class="muted">"Page views"</span><strong data-testid="kpi-page-views">{t.page_views}</strong></div>
                        <div class="tile"><span class="muted">"Visitors"</span><strong data-testid="kpi-visitors">{t.visitors}</strong></div>
                        <div class="tile"><span class="muted">"Sessions"</span><strong data-testid="kpi-sessions">{t.sessions}</strong></div>
                        <div class="tile">
                            <span class="muted">"Carts abandoned"</span>
                            <strong data-testid="kpi-abandonment">{format!("{:.0}%", cart.rate * 100.0)}</strong>
                            <span class="muted">{format!("{} of {} carts", cart.abandoned, cart.carts)}</span>
                        </div>
                    </section>
                    <section class="panel">
                        <h2>"Page views by day"</h2>
                        {bars(series)}
                    </section>
                    <div class="columns">
                        {ranked("Top pages", "top-pages", pages)}
                        {ranked("Sources", "sources", sources)}
                        {ranked("Campaigns", "campaigns", campaigns)}
                    </div>
                    <section class="panel">
                        <div class="panel-head">
                            <h2>"Funnel"</h2>
                            <input type="text" class="search" data-testid="funnel-steps" prop:value=move || steps.get()
                                on:change=move |ev| steps.set(event_target_value(&ev)) />
                        </div>
                        <table class="table" data-testid="funnel">
                            <tbody>
                                {d.funnel.into_iter().map(|s| {
                                    // A progress bar, not a styled span: the page's CSP allows no inline style.
                                    let share = format!("{:.0}", (s.conversion * 100.0).clamp(0.0, 100.0));
                                    view! {
                                        <tr data-testid="funnel-step">
                                            <td><code>{s.event}</code></td>
                                            <td data-testid="funnel-visitors">{s.visitors}</td>
                                            <td class="bar-cell"><progress max="100" value=share></progress></td>
                                            <td data-testid="funnel-conversion">{format!("{:.0}%", s.conversion * 100.0)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                }.into_any()
            }
        }}
    }
}

/// A ranked list.
fn ranked(title: &'static str, testid: &'static str, rows: Vec<(String, i64)>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>{title}</h2>
            {if rows.is_empty() {
                view! { <p class="muted">"Nothing in this range."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid=testid>
                        <tbody>{rows.into_iter().map(|(k, n)| view! { <tr><td>{k}</td><td class="num">{n}</td></tr> }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// A bar chart of a day-by-day series (SVG).
fn bars(series: Vec<(String, i64)>) -> impl IntoView {
    if series.is_empty() {
        return view! { <p class="muted">"No page views in this range."</p> }.into_any();
    }
    let max = series.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
    let w = 24.0;
    let h = 120.0;
    let width = format!("{}", series.len() as f64 * w);
    view! {
        <svg class="chart" data-testid="chart-days" viewBox=format!("0 0 {width} {}", h + 16.0) role="img" aria-label="Page views by day">
            {series.into_iter().enumerate().map(|(i, (date, n))| {
                let bh = (n as f64 / max) * h;
                let x = i as f64 * w + 3.0;
                view! {
                    <g>
                        <title>{format!("{date}: {n} page views")}</title>
                        <rect x=x.to_string() y=(h - bh).to_string() width=(w - 6.0).to_string() height=bh.to_string() class="bar-rect" />
                        <text x=(x + (w - 6.0) / 2.0).to_string() y=(h + 12.0).to_string() text-anchor="middle" class="bar-label">{date.get(8..10).unwrap_or_default().to_owned()}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }.into_any()
}

#[cfg(test)]
mod tests {
    use super::iso;

    #[test]
    fn times_are_written_as_rfc3339() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(1_709_210_096_000), "2024-02-29T12:34:56Z");
        assert_eq!(iso(1_798_761_599_000), "2026-12-31T23:59:59Z");
    }
}
