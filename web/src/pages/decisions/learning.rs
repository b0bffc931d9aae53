//! What a point has learnt, on its page: each offer's presentations, responses and
//! estimated response rate with its 95% interval (a table, and a bar per offer with the
//! interval drawn as a whisker), and the lift of learned decisions over the holdout.

use leptos::prelude::*;

use crate::components::{LoadError, Loading};
use crate::gql::call;
use crate::ops::decisions::{Learning, Lift, Performance, learning};
use crate::pages::campaigns::results::{p_value, points, rate};
use crate::session::{Loaded, load};

/// What the report reads: every offer's performance and the point's lift.
pub(crate) type Report = learning::ResponseData;

/// The chart's drawing area (SVG units): a code column, then the bars, then the value.
const WIDTH: f64 = 420.0;
const LABEL: f64 = 96.0;
const VALUE: f64 = 64.0;
const PLOT: f64 = WIDTH - LABEL - VALUE;
const ROW: f64 = 24.0;
const BAR: f64 = 12.0;
const AXIS: f64 = 16.0;

/// Reads what point `point` has learnt (again on `reload()`, after a decision).
pub(crate) fn load_report(point: String) -> Loaded<Report> {
    load(move || {
        let point_id = point.clone();
        async move { call::<Learning>(learning::Variables { point_id }).await }
    })
}

/// The rate the chart's right edge stands for: the highest interval top, at least 1%.
pub(crate) fn scale_max(rows: &[Performance]) -> f64 {
    rows.iter().flat_map(|r| [r.rate.estimate, r.rate.high]).filter(|v| v.is_finite()).fold(0.01, f64::max)
}

/// Where a rate falls on the chart whose right edge stands for `max`.
pub(crate) fn x_of(value: f64, max: f64) -> f64 {
    if max <= 0.0 || !value.is_finite() { LABEL } else { LABEL + (value.max(0.0) / max).min(1.0) * PLOT }
}

/// An estimate with its interval: `12.5% (8.0%–17.9%)`.
pub(crate) fn rate_with_interval(estimate: f64, low: f64, high: f64) -> String {
    format!("{} ({}–{})", rate(estimate), rate(low), rate(high))
}

/// The lift in words, or why there is none yet (no holdout or no learned decision).
pub(crate) fn lift_words(l: &Lift) -> Option<String> {
    l.p_value.map(|p| {
        format!("{} (95% interval {} to {}), {}", points(l.lift), points(l.low), points(l.high), p_value(Some(p)))
    })
}

/// The "how each offer is doing" part of the learning section of point `loaded`.
#[component]
pub(crate) fn LearningReport(report: Loaded<Report>) -> impl IntoView {
    move || match report.data.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(e)) => view! { <LoadError errors=e /> }.into_any(),
        Some(Ok(r)) => view! { {offers_view(r.offer_performance)} {lift_view(r.point_lift)} }.into_any(),
    }
}

fn offers_view(rows: Vec<Performance>) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <p class="muted empty" data-testid="learning-empty">"No offer has been shown here yet: nothing has been learnt."</p>
        }
        .into_any();
    }
    let chart = rate_chart(&rows);
    view! {
        <h3>"How each offer is doing"</h3>
        <table class="table" data-testid="learning-table">
            <thead><tr>
                <th>"Offer"</th><th>"Presentations"</th><th>"Responses"</th>
                <th>"Estimated response rate (95% interval)"</th><th>"Share of traffic"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr data-testid="learning-row" data-code=r.offer.code.clone()>
                        <td data-testid="learning-code" title=r.offer.name.clone()>{r.offer.code.clone()}</td>
                        <td class="num" data-testid="learning-presentations">{r.presentations}</td>
                        <td class="num" data-testid="learning-responses">{r.responses}</td>
                        <td class="num" data-testid="learning-rate">{rate_with_interval(r.rate.estimate, r.rate.low, r.rate.high)}</td>
                        <td class="num" data-testid="learning-share">{rate(r.traffic_share)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {chart}
    }
    .into_any()
}

/// A horizontal bar per offer for its estimated rate, its 95% interval as a whisker.
fn rate_chart(rows: &[Performance]) -> impl IntoView + use<> {
    let max = scale_max(rows);
    let height = ROW * rows.len() as f64 + AXIS;
    let base = ROW * rows.len() as f64;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let top = ROW * i as f64 + (ROW - BAR) / 2.0;
            let mid = top + BAR / 2.0;
            let end = x_of(r.rate.estimate, max);
            let (low, high) = (x_of(r.rate.low, max), x_of(r.rate.high, max));
            view! {
                <g data-testid="learning-bar" data-code=r.offer.code.clone()>
                    <title>{format!("{}: {}", r.offer.code, rate_with_interval(r.rate.estimate, r.rate.low, r.rate.high))}</title>
                    <text class="bar-label" x=(LABEL - 6.0).to_string() y=(mid + 3.5).to_string() text-anchor="end">{r.offer.code.clone()}</text>
                    <rect class="bar-treated" x=LABEL.to_string() y=top.to_string() width=(end - LABEL).to_string() height=BAR.to_string() />
                    <g class="error-bar">
                        <line x1=low.to_string() y1=mid.to_string() x2=high.to_string() y2=mid.to_string() />
                        <line x1=low.to_string() y1=(mid - 4.0).to_string() x2=low.to_string() y2=(mid + 4.0).to_string() />
                        <line x1=high.to_string() y1=(mid - 4.0).to_string() x2=high.to_string() y2=(mid + 4.0).to_string() />
                    </g>
                    <text class="bar-value" x=(WIDTH - VALUE + 6.0).to_string() y=(mid + 3.5).to_string()>{rate(r.rate.estimate)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="results-chart learning-chart" data-testid="learning-chart" viewBox=format!("0 0 {WIDTH} {height}")
            role="img" aria-label="Estimated response rate of each offer, with its 95% interval">
            {bars}
            <line class="axis" x1=LABEL.to_string() y1=base.to_string() x2=(LABEL + PLOT).to_string() y2=base.to_string() />
            <text class="bar-label" x=LABEL.to_string() y=(base + 12.0).to_string() text-anchor="start">"0%"</text>
            <text class="bar-label" x=(LABEL + PLOT).to_string() y=(base + 12.0).to_string() text-anchor="end">{rate(max)}</text>
        </svg>
    }
}

fn lift_view(l: Lift) -> impl IntoView {
    let words = lift_words(&l);
    let significant = l.significant;
    let counts = format!("{} learned decision(s), {} held out.", l.treated_decisions, l.holdout_decisions);
    view! {
        <div class="results-lift" data-testid="point-lift" data-significant=significant.to_string()>
            <h3>"Lift over the holdout"</h3>
            {match words {
                None => view! {
                    <p class="muted" data-testid="lift-not-enough">
                        "Not enough holdout evidence yet: the lift shows once both learned and held-out decisions have been made. "
                        {counts}
                    </p>
                }.into_any(),
                Some(w) => view! {
                    <p>
                        <span data-testid="lift-treated">{format!("Learned decisions succeed {}", rate(l.treated))}</span>
                        ", "
                        <span data-testid="lift-holdout">{format!("held-out ones {}", rate(l.holdout))}</span>
                        "."
                    </p>
                    <p>
                        <strong>"Lift: "</strong>
                        <span data-testid="lift-value">{w}</span>
                        " — "
                        <span class=if significant { "status lift-significant" } else { "status lift-unsure" }>
                            {if significant { "significant" } else { "not significant yet" }}
                        </span>
                    </p>
                    <p class="muted">{counts}</p>
                }.into_any(),
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::decisions::learning::{LearningOfferPerformanceOffer, LearningOfferPerformanceRate};

    fn row(estimate: f64, low: f64, high: f64) -> Performance {
        Performance {
            offer: LearningOfferPerformanceOffer { id: "o".into(), code: "A".into(), name: "A".into() },
            presentations: 10,
            responses: 1,
            traffic_share: 1.0,
            rate: LearningOfferPerformanceRate { estimate, low, high },
        }
    }

    #[test]
    fn the_chart_fits_every_interval() {
        let rows = [row(0.1, 0.05, 0.3), row(0.2, 0.1, 0.4)];
        let max = scale_max(&rows);
        assert!((max - 0.4).abs() < 1e-9, "the highest interval top: {max}");
        assert_eq!(x_of(0.0, max), LABEL);
        assert_eq!(x_of(0.4, max), LABEL + PLOT);
        assert_eq!(x_of(0.9, max), LABEL + PLOT, "never past the edge");
        assert_eq!(x_of(-0.1, max), LABEL, "never before the axis");
        assert!((scale_max(&[]) - 0.01).abs() < 1e-9, "at least 1%");
        assert_eq!(rate_with_interval(0.125, 0.08, 0.179), "12.5% (8.0%–17.9%)");
    }

    #[test]
    fn a_lift_needs_both_arms() {
        let mut l = Lift {
            treated: 0.3,
            holdout: 0.1,
            lift: 0.2,
            low: 0.05,
            high: 0.35,
            p_value: None,
            significant: false,
            treated_decisions: 10,
            holdout_decisions: 0,
        };
        assert_eq!(lift_words(&l), None);
        l.p_value = Some(0.01);
        assert_eq!(lift_words(&l).as_deref(), Some("+20.0 pp (95% interval +5.0 pp to +35.0 pp), p = 0.010"));
    }
}
