//! Arbitration (DEC-5) and the learner's side of it (DEC-6), without any I/O: given the
//! eligible candidates of one decision with what has been learnt of each, choose and
//! rank the offers, and say why each ranked where it did.
//!
//! Score = marketer weight × response probability × (value − cost). The response
//! probability of an offer at a point is a Beta-Bernoulli posterior (a uniform prior,
//! each presentation a trial, a response in the window a success): a learned decision
//! ranks by a draw from each posterior (Thompson sampling: uncertain offers get tried in
//! proportion to their chance of being best, and the draws settle on the best as
//! evidence grows); an exploring decision (the point's exploration share) ranks the
//! candidates at random; a holdout decision (the point's holdout share) does too and is
//! marked, so the learning can be measured against it. An offer with less than
//! [`MIN_EVIDENCE`] trials is shown as "still learning" in explanations.

use rand::Rng;
use rand::seq::SliceRandom;
use rand_distr::{Beta, Distribution};
use serde::Serialize;

use crate::{OfferId, TreatmentRuleId};

/// Trials before an offer's estimate is trusted in explanations and reports.
pub const MIN_EVIDENCE: u64 = 30;

/// What has been learnt of one offer at one point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Presentations counted for learning.
    pub trials: u64,
    /// Responses within the window that count as a success.
    pub successes: u64,
}

impl Stats {
    /// The posterior mean of the response probability (uniform prior).
    pub fn mean(&self) -> f64 {
        (self.successes as f64 + 1.0) / (self.trials as f64 + 2.0)
    }

    /// A 95% interval of the response rate (Wilson score; 0 to 1 without trials).
    pub fn interval(&self) -> (f64, f64) {
        let n = self.trials as f64;
        if n == 0.0 {
            return (0.0, 1.0);
        }
        let p = (self.successes as f64 / n).min(1.0);
        let z = 1.959_963_984_540_054_f64;
        let z2 = z * z;
        let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
        let half = z * ((p * (1.0 - p) + z2 / (4.0 * n)) / n).sqrt() / (1.0 + z2 / n);
        ((centre - half).max(0.0), (centre + half).min(1.0))
    }

    /// One draw from the posterior.
    pub fn sample(&self, rng: &mut impl Rng) -> f64 {
        let failures = self.trials.saturating_sub(self.successes);
        match Beta::new(self.successes as f64 + 1.0, failures as f64 + 1.0) {
            Ok(b) => b.sample(rng),
            Err(_) => self.mean(),
        }
    }
}

/// One eligible offer of a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub offer: OfferId,
    /// The rule that made it a candidate (the one of the highest weight when several).
    pub rule: Option<TreatmentRuleId>,
    pub weight: f64,
    /// Value minus cost, in major units.
    pub margin: f64,
    pub stats: Stats,
}

/// How a decision chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Mode {
    /// By score, with Thompson draws.
    Learned,
    /// At random, on the point's exploration share.
    Explore,
    /// At random, held out to measure the learning against.
    Holdout,
}

/// One candidate as arbitration saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scored {
    pub offer: OfferId,
    pub rule: Option<TreatmentRuleId>,
    pub weight: f64,
    /// The value term of the score: value minus cost, or 1 for every candidate when no
    /// candidate has a value.
    pub value: f64,
    /// The posterior mean and its 95% interval.
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
    pub trials: u64,
    /// The probability the score used (a posterior draw; the mean in random modes).
    pub probability: f64,
    pub score: f64,
    /// 1-based rank among the candidates.
    pub rank: usize,
    pub chosen: bool,
    /// Why it ranked where it did, in words.
    pub reason: String,
}

/// The outcome of arbitration: every candidate ranked (chosen ones first).
#[derive(Debug, Clone, PartialEq)]
pub struct Arbitration {
    pub mode: Mode,
    pub ranked: Vec<Scored>,
}

impl Arbitration {
    /// The chosen ones, best first.
    pub fn chosen(&self) -> impl Iterator<Item = &Scored> {
        self.ranked.iter().filter(|s| s.chosen)
    }
}

/// The draw that decides the mode: holdout first, then exploration (both in basis
/// points of all decisions).
pub fn mode_for(roll: u32, holdout_bp: i32, exploration_bp: i32) -> Mode {
    let roll = i64::from(roll % 10_000);
    let holdout = i64::from(holdout_bp.max(0));
    if roll < holdout {
        Mode::Holdout
    } else if roll < holdout + i64::from(exploration_bp.max(0)) {
        Mode::Explore
    } else {
        Mode::Learned
    }
}

/// Merges candidates named by several rules: one per offer, the highest weight's.
pub fn merge(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let mut out: Vec<Candidate> = Vec::new();
    for c in candidates {
        if !out.iter().any(|o| o.offer == c.offer) {
            out.push(c);
        }
    }
    out
}

/// Ranks `candidates` in `mode` and chooses the best `count`.
pub fn arbitrate(candidates: Vec<Candidate>, count: usize, mode: Mode, rng: &mut impl Rng) -> Arbitration {
    let candidates = merge(candidates);
    let valued = candidates.iter().any(|c| c.margin != 0.0);
    let mut scored: Vec<Scored> = candidates
        .into_iter()
        .map(|c| {
            let value = if valued { c.margin } else { 1.0 };
            let (low, high) = c.stats.interval();
            let probability = match mode {
                Mode::Learned => c.stats.sample(rng),
                Mode::Explore | Mode::Holdout => c.stats.mean(),
            };
            Scored {
                offer: c.offer,
                rule: c.rule,
                weight: c.weight,
                value,
                estimate: c.stats.mean(),
                low,
                high,
                trials: c.stats.trials,
                probability,
                score: c.weight * probability * value,
                rank: 0,
                chosen: false,
                reason: String::new(),
            }
        })
        .collect();
    match mode {
        Mode::Learned => scored.sort_by(|a, b| b.score.total_cmp(&a.score)),
        Mode::Explore | Mode::Holdout => scored.shuffle(rng),
    }
    let n = scored.len();
    for (i, s) in scored.iter_mut().enumerate() {
        s.rank = i + 1;
        s.chosen = i < count;
        let learning = if s.trials < MIN_EVIDENCE { " (still learning: few trials)" } else { "" };
        s.reason = match (mode, s.chosen) {
            (Mode::Learned, true) => format!("ranked {} of {n} by score{learning}", s.rank),
            (Mode::Learned, false) => format!("ranked {} of {n}: below the {count} shown{learning}", s.rank),
            (Mode::Explore, true) => format!("chosen at random to explore ({} of {n})", s.rank),
            (Mode::Explore, false) => format!("not drawn while exploring ({} of {n})", s.rank),
            (Mode::Holdout, true) => format!("chosen at random for the holdout ({} of {n})", s.rank),
            (Mode::Holdout, false) => format!("not drawn for the holdout ({} of {n})", s.rank),
        };
    }
    Arbitration { mode, ranked: scored }
}
