//! The results of a campaign that has started, on its page: its treated contacts
//! beside its control group over an attribution window (1, 7, 14 or 30 days), the
//! conversion rates drawn with the 95% interval of the lift, the lift in words, each
//! variant of an A/B split, and what it cost beside the revenue it caused.

use leptos::prelude::*;

use crate::components::{LoadError, Loading};
use crate::gql::call;
use crate::ops::campaigns::{Arm, CampaignResults, Lift, Results as Figures, Roi, VariantRow, campaign_results};
use crate::session::load;

/// The attribution windows offered, in days.
const WINDOWS: [i64; 4] = [1, 7, 14, 30];

/// The chart's drawing area (SVG units): bars stand on `BASE`, at most `TOP` high.
const WIDTH: f64 = 260.0;
const BASE: f64 = 130.0;
const TOP: f64 = 110.0;
const BAR: f64 = 64.0;

/// A share (0 to 1) as a percent with one decimal: `0.125` is `12.5%`.
pub(crate) fn rate(share: f64) -> String {
    format!("{:.1}%", if share.is_finite() { share * 100.0 } else { 0.0 })
}

/// A difference of shares in percentage points, signed: `0.031` is `+3.1 pp`.
pub(crate) fn points(diff: f64) -> String {
    let p = if diff.is_finite() { diff * 100.0 } else { 0.0 };
    // No "-0.0 pp" for a difference that rounds to nothing.
    let p = if p.abs() < 0.05 { 0.0 } else { p };
    format!("{p:+.1} pp")
}

/// A p-value in words: `p = 0.042`, or `p < 0.001` for tiny ones.
pub(crate) fn p_value(p: Option<f64>) -> String {
    match p {
        None => "no p-value yet".to_owned(),
        Some(p) if p < 0.001 => "p < 0.001".to_owned(),
        Some(p) => format!("p = {p:.3}"),
    }
}

/// The lift in words: absolute, relative, its interval and p-value.
pub(crate) fn lift_words(l: &Lift) -> String {
    let relative = l.relative.map(|r| format!(" ({:+.0}% relative)", r * 100.0)).unwrap_or_default();
    format!(
        "{}{relative}, 95% interval {} to {}, {}",
        points(l.absolute),
        points(l.low),
        points(l.high),
        p_value(l.p_value)
    )
}

/// The height of a rate on the chart whose top stands for `max`.
pub(crate) fn height(value: f64, max: f64) -> f64 {
    if max <= 0.0 || !value.is_finite() { 0.0 } else { (value.max(0.0) / max).min(1.0) * TOP }
}

/// The rate the chart's top stands for: above both bars and the interval's top, at
/// least 1%.
pub(crate) fn chart_max(l: &Lift) -> f64 {
    [l.treated, l.control, l.control + l.high, 0.01].into_iter().filter(|v| v.is_finite()).fold(0.0, f64::max) * 1.1
}

/// An amount of money as the API writes it, with its currency (a dash without one).
fn money(m: Option<(&str, &str)>) -> String {
    m.map_or_else(|| "—".to_owned(), |(amount, code)| format!("{amount} {code}"))
}

/// A variant's letter: A, B, C, …
pub(crate) fn variant_letter(n: i64) -> String {
    u8::try_from(n).ok().filter(|n| *n < 26).map_or_else(|| format!("#{}", n + 1), |n| char::from(b'A' + n).to_string())
}

/// The results section of campaign `id`.
#[component]
pub(super) fn Results(id: String) -> impl IntoView {
    let days = RwSignal::new(7i64);
    let id = StoredValue::new(id);
    let results = load(move || {
        let days = days.get();
        let id = id.get_value();
        async move { call::<CampaignResults>(campaign_results::Variables { id, days }).await.map(|d| d.campaign) }
    });
    view! {
        <section class="panel" data-testid="results">
            <div class="panel-head">
                <h2>"Results"</h2>
                <label class="field field-inline">
                    <span class="field-label">"Purchases counted within"</span>
                    <select data-testid="results-days" on:change=move |ev| {
                        if let Ok(d) = event_target_value(&ev).parse() {
                            days.set(d);
                        }
                    }>
                        {WINDOWS.into_iter().map(|d| view! {
                            <option value=d.to_string() selected=d == 7>{if d == 1 { "1 day".to_owned() } else { format!("{d} days") }}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            {move || match results.data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
                Some(Ok(c)) => view! { {figures(c.results)} {roi_view(c.roi)} }.into_any(),
            }}
        </section>
    }
}

fn arm_row(name: &'static str, label: &'static str, a: Arm, opens: bool) -> impl IntoView {
    let seen = move |r: f64| if opens { rate(r) } else { "—".to_owned() };
    let revenue = money(a.revenue.as_ref().map(|m| (m.amount.as_str(), m.currency_code.as_str())));
    view! {
        <tr data-testid="results-arm" data-arm=name>
            <th scope="row">{label}</th>
            <td class="num" data-testid="arm-contacts">{a.contacts}</td>
            <td class="num" data-testid="arm-open-rate">{seen(a.open_rate)}</td>
            <td class="num" data-testid="arm-click-rate">{seen(a.click_rate)}</td>
            <td class="num" data-testid="arm-converted">{a.converted}</td>
            <td class="num" data-testid="arm-conversion-rate">{rate(a.conversion_rate)}</td>
            <td class="num" data-testid="arm-revenue">{revenue}</td>
        </tr>
    }
}

fn figures(r: Figures) -> impl IntoView {
    let l = r.conversion.clone();
    let significant = l.significant;
    let verdict = if significant { "significant" } else { "not significant yet" };
    let no_control = r.control.contacts == 0;
    let incremental = money(r.incremental_revenue.as_ref().map(|m| (m.amount.as_str(), m.currency_code.as_str())));
    let variants = (r.variants.len() >= 2).then(|| variants_view(r.variants.clone()));
    view! {
        <table class="table results-table" data-testid="results-table">
            <thead><tr>
                <th></th><th>"Contacts"</th><th>"Open rate"</th><th>"Click rate"</th><th>"Converted"</th>
                <th>"Conversion rate"</th><th>"Revenue"</th>
            </tr></thead>
            <tbody>
                {arm_row("treated", "Sent to", r.treated, true)}
                {arm_row("control", "Control group", r.control, false)}
            </tbody>
        </table>
        <div class="results-lift-box">
            {conversion_chart(&l)}
            <div class="results-lift" data-testid="results-lift" data-significant=significant.to_string()>
                {if no_control {
                    view! {
                        <p class="muted" data-testid="results-no-control">
                            "No control group was held out: what the campaign caused cannot be told from what would have happened anyway."
                        </p>
                    }.into_any()
                } else {
                    view! {
                        <p>
                            <strong>"Conversion lift: "</strong>
                            <span data-testid="lift-conversion">{lift_words(&l)}</span>
                            " — "
                            <span class=if significant { "status lift-significant" } else { "status lift-unsure" } data-testid="lift-verdict">{verdict}</span>
                        </p>
                        <p class="muted" data-testid="lift-revenue">
                            {format!(
                                "Caused about {:.1} conversions and {incremental} of revenue in {} days.",
                                r.incremental_conversions, r.attribution_days
                            )}
                        </p>
                    }.into_any()
                }}
            </div>
        </div>
        {variants}
    }
}

/// Bars of the conversion rate of the treated contacts and the control group; the
/// treated bar carries the 95% interval of the lift (control plus low to plus high).
fn conversion_chart(l: &Lift) -> impl IntoView + use<> {
    let max = chart_max(l);
    let bar = |x: f64, value: f64, class: &'static str, label: &'static str| {
        let h = height(value, max);
        view! {
            <g>
                <title>{format!("{label}: {}", rate(value))}</title>
                <rect class=class x=x.to_string() y=(BASE - h).to_string() width=BAR.to_string() height=h.to_string() />
                <text class="bar-label" x=(x + BAR / 2.0).to_string() y=(BASE + 14.0).to_string() text-anchor="middle">{label}</text>
                <text class="bar-value" x=(x + BAR / 2.0).to_string() y=(BASE - h - 4.0).to_string() text-anchor="middle">{rate(value)}</text>
            </g>
        }
    };
    let (tx, cx) = (40.0, 156.0);
    let low = BASE - height(l.control + l.low, max);
    let high = BASE - height(l.control + l.high, max);
    let mid = tx + BAR / 2.0 + 18.0;
    view! {
        <svg class="results-chart" data-testid="results-conversion-chart" viewBox=format!("0 0 {WIDTH} {}", BASE + 20.0)
            role="img" aria-label=format!("Conversion rate: {} sent to, {} control group", rate(l.treated), rate(l.control))>
            <line class="axis" x1="0" y1=BASE.to_string() x2=WIDTH.to_string() y2=BASE.to_string() />
            {bar(tx, l.treated, "bar-treated", "Sent to")}
            {bar(cx, l.control, "bar-control", "Control")}
            <g class="error-bar" data-testid="results-interval">
                <title>{format!("95% interval of the lift: {} to {}", points(l.low), points(l.high))}</title>
                <line x1=mid.to_string() y1=low.to_string() x2=mid.to_string() y2=high.to_string() />
                <line x1=(mid - 5.0).to_string() y1=low.to_string() x2=(mid + 5.0).to_string() y2=low.to_string() />
                <line x1=(mid - 5.0).to_string() y1=high.to_string() x2=(mid + 5.0).to_string() y2=high.to_string() />
            </g>
        </svg>
    }
}

fn variants_view(rows: Vec<VariantRow>) -> impl IntoView {
    view! {
        <table class="table" data-testid="results-variants">
            <thead><tr>
                <th>"Variant"</th><th>"Sent to"</th><th>"Converted"</th><th>"Conversion rate"</th><th>"Lift"</th><th>"Significance"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|v| view! {
                    <tr data-testid="variant-row" data-variant=v.variant.to_string()>
                        <td>{variant_letter(v.variant)}</td>
                        <td class="num">{v.treated.contacts}</td>
                        <td class="num">{v.treated.converted}</td>
                        <td class="num">{rate(v.treated.conversion_rate)}</td>
                        <td class="num">{points(v.conversion.absolute)}</td>
                        <td>{format!(
                            "{}, {}",
                            p_value(v.conversion.p_value),
                            if v.conversion.significant { "significant" } else { "not significant yet" }
                        )}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn roi_view(r: Roi) -> impl IntoView {
    let cost = if r.costs.is_empty() {
        "Nothing yet".to_owned()
    } else {
        r.costs
            .iter()
            .map(|c| money(Some((&c.counted.amount, &c.counted.currency_code))))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let revenue = if r.revenue.is_empty() {
        "—".to_owned()
    } else {
        r.revenue.iter().map(|m| money(Some((&m.amount, &m.currency_code)))).collect::<Vec<_>>().join(", ")
    };
    let roi = r.roi.map_or_else(|| "—".to_owned(), |v| format!("{:.0}%", v * 100.0));
    view! {
        <div class="tiles results-roi" data-testid="results-roi">
            <div class="tile">
                <span class="muted">"Cost"</span>
                <strong data-testid="roi-cost">{cost}</strong>
            </div>
            <div class="tile">
                <span class="muted">"Revenue caused"</span>
                <strong data-testid="roi-revenue">{revenue}</strong>
            </div>
            <div class="tile">
                <span class="muted">"Return on investment"</span>
                <strong data-testid="roi-value">{roi}</strong>
            </div>
        </div>
        {r.roi.is_none().then(|| view! {
            <p class="muted field-hint" data-testid="roi-note">
                "ROI shows once a purchase order is raised for the campaign and revenue and cost share a currency (7-day window)."
            </p>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lift(treated: f64, control: f64, low: f64, high: f64) -> Lift {
        Lift {
            treated,
            control,
            absolute: treated - control,
            relative: None,
            low,
            high,
            p_value: Some(0.2),
            significant: false,
        }
    }

    #[test]
    fn figures_read_as_percents_and_points() {
        assert_eq!(rate(0.125), "12.5%");
        assert_eq!(points(0.031), "+3.1 pp");
        assert_eq!(points(-0.0001), "+0.0 pp");
        assert_eq!(points(-0.2), "-20.0 pp");
        assert_eq!(p_value(Some(0.0001)), "p < 0.001");
        assert_eq!(p_value(Some(0.04213)), "p = 0.042");
        assert_eq!(p_value(None), "no p-value yet");
        assert_eq!(variant_letter(1), "B");
        assert_eq!(variant_letter(30), "#31");
    }

    #[test]
    fn the_chart_fits_the_bars_and_the_interval() {
        let l = lift(0.3, 0.1, -0.1, 0.5);
        let max = chart_max(&l);
        assert!((max - 0.66).abs() < 1e-9, "the interval's top is the highest: {max}");
        assert_eq!(height(0.0, max), 0.0);
        assert!(height(0.6, max) < TOP);
        assert_eq!(height(2.0, max), TOP, "never above the top");
        assert_eq!(height(-0.1, max), 0.0, "never below the axis");
        assert!((chart_max(&lift(0.0, 0.0, 0.0, 0.0)) - 0.011).abs() < 1e-9, "at least 1%");
    }
}
