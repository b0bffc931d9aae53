//! The periods of a fiscal year and how amounts fall on them.
//!
//! Fiscal year `Y` with start month `M` runs from the first of `M` in `Y` for twelve
//! months (`M = 1` is the calendar year), split into twelve months or four quarters. A
//! cost center keeps calendar years by month. Spending lands in the period of its month
//! (an order's expected day or approval, an invoice's date); spending dated outside the
//! year lands in its first or last period, so a line's periods always add up to it.

use chrono::{Datelike, Months, NaiveDate};

use crate::{Error, Result};
use entities::ops::enums::PeriodKind;

/// How a fiscal year is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    pub year: i32,
    /// 1–12.
    pub start_month: u32,
    pub kind: PeriodKind,
}

/// One period of a fiscal year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// 1-based.
    pub index: usize,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// `Apr 2027` for a month, `Q1` for a quarter.
    pub label: String,
}

/// `yyyymm` of a day.
pub fn month_of(d: NaiveDate) -> i32 {
    d.year() * 100 + d.month() as i32
}

/// Refuses a day outside the years budgets are kept for, naming `field`.
pub fn check_day(field: &str, d: NaiveDate) -> Result<()> {
    if (2000..=2100).contains(&d.year()) {
        Ok(())
    } else {
        Err(Error::invalid(field, "must be a day from 2000 to 2100"))
    }
}

impl Calendar {
    /// A cost center's year: the calendar year, by month.
    pub fn calendar_year(year: i32) -> Calendar {
        Calendar { year, start_month: 1, kind: PeriodKind::Month }
    }

    fn months_per_period(&self) -> u32 {
        match self.kind {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
        }
    }

    /// How many periods the year has.
    pub fn count(&self) -> usize {
        (12 / self.months_per_period()) as usize
    }

    fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.start_month.clamp(1, 12), 1).unwrap_or_default()
    }

    /// The periods, in order.
    pub fn periods(&self) -> Vec<Period> {
        let step = self.months_per_period();
        (0..self.count())
            .map(|i| {
                let starts_on = self.first_day() + Months::new(step * i as u32);
                let ends_on = (starts_on + Months::new(step)).pred_opt().unwrap_or(starts_on);
                let label = match self.kind {
                    PeriodKind::Month => starts_on.format("%b %Y").to_string(),
                    PeriodKind::Quarter => format!("Q{}", i + 1),
                };
                Period { index: i + 1, starts_on, ends_on, label }
            })
            .collect()
    }

    /// The 0-based period the month `yyyymm` falls in, clamped to the year.
    pub fn index_of_month(&self, yyyymm: i32) -> usize {
        let first = self.year * 12 + self.start_month as i32 - 1;
        let at = (yyyymm / 100) * 12 + (yyyymm % 100) - 1;
        let months = (at - first).clamp(0, 11) as u32;
        (months / self.months_per_period()) as usize
    }
}

/// `total` spread evenly over `n` periods, the first ones taking a minor unit more
/// where it does not divide.
pub fn even(total: i64, n: usize) -> Vec<i64> {
    if n == 0 {
        return Vec::new();
    }
    let n64 = n as i64;
    let (base, rest) = (total.div_euclid(n64), total.rem_euclid(n64));
    (0..n64).map(|i| base + i64::from(i < rest)).collect()
}

/// `shape` rescaled to add up to `total`, keeping its proportions (largest remainders
/// take the units left over); evenly when `shape` is empty, of another length or all
/// zero.
pub fn rephase(shape: &[i64], total: i64, n: usize) -> Vec<i64> {
    let sum: i128 = shape.iter().map(|v| i128::from(*v)).sum();
    if shape.len() != n || sum <= 0 || shape.iter().any(|v| *v < 0) || total < 0 {
        return even(total, n);
    }
    let mut out = Vec::with_capacity(n);
    let mut rems = Vec::with_capacity(n);
    for (i, v) in shape.iter().enumerate() {
        let exact = i128::from(*v) * i128::from(total);
        out.push((exact / sum) as i64);
        rems.push((exact % sum, i));
    }
    let mut left = total - out.iter().sum::<i64>();
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rems {
        if left <= 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

/// A line's amount per period: its stored phasing when it still adds up to `amount`,
/// else rescaled or spread evenly.
pub fn phasing_of(stored: Option<&serde_json::Value>, amount: i64, n: usize) -> Vec<i64> {
    let shape: Vec<i64> = stored.and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default();
    if shape.len() == n && shape.iter().all(|v| *v >= 0) && shape.iter().sum::<i64>() == amount {
        return shape;
    }
    rephase(&shape, amount, n)
}

/// A line's stored phasing carried from its old amount to a new one, keeping the
/// proportions (`None` for a line spread evenly, which stays so).
pub fn rescaled(stored: Option<&serde_json::Value>, old: i64, new: i64) -> Option<serde_json::Value> {
    stored.map(|shape| {
        let n = shape.as_array().map_or(0, Vec::len);
        serde_json::json!(rephase(&phasing_of(Some(shape), old, n), new, n))
    })
}

/// A line's entered forecast per period (`None` where nothing was entered).
pub fn forecast_of(stored: Option<&serde_json::Value>, n: usize) -> Vec<Option<i64>> {
    let mut f: Vec<Option<i64>> = stored.and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default();
    f.resize(n, None);
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_year_from_april_by_quarter() {
        let c = Calendar { year: 2027, start_month: 4, kind: PeriodKind::Quarter };
        let p = c.periods();
        assert_eq!(p.len(), 4);
        assert_eq!(p[0].starts_on, NaiveDate::from_ymd_opt(2027, 4, 1).unwrap());
        assert_eq!(p[0].ends_on, NaiveDate::from_ymd_opt(2027, 6, 30).unwrap());
        assert_eq!(p[3].starts_on, NaiveDate::from_ymd_opt(2028, 1, 1).unwrap());
        assert_eq!(p[3].ends_on, NaiveDate::from_ymd_opt(2028, 3, 31).unwrap());
        assert_eq!(c.index_of_month(202704), 0);
        assert_eq!(c.index_of_month(202709), 1);
        assert_eq!(c.index_of_month(202803), 3);
        // Outside the year: its first or last period.
        assert_eq!(c.index_of_month(202612), 0);
        assert_eq!(c.index_of_month(202901), 3);
        let m = Calendar::calendar_year(2027).periods();
        assert_eq!((m[1].label.as_str(), m[1].ends_on.day()), ("Feb 2027", 28));
    }

    #[test]
    fn even_and_rescaled_spreads() {
        assert_eq!(even(1000, 3), vec![334, 333, 333]);
        assert_eq!(even(0, 4), vec![0, 0, 0, 0]);
        assert_eq!(rephase(&[1, 0, 3], 1000, 3), vec![250, 0, 750]);
        assert_eq!(rephase(&[1, 1, 1], 100, 3), vec![34, 33, 33]);
        assert_eq!(rephase(&[0, 0], 10, 2), vec![5, 5]);
        assert_eq!(rephase(&[5], 10, 2), vec![5, 5]);
    }

    proptest! {
        #[test]
        fn a_rescaled_spread_adds_up_and_keeps_zeros(
            shape in proptest::collection::vec(0i64..1_000_000_000, 12),
            total in 0i64..1_000_000_000_000,
        ) {
            let out = rephase(&shape, total, 12);
            prop_assert_eq!(out.iter().sum::<i64>(), total);
            prop_assert!(out.iter().all(|v| *v >= 0));
            if shape.iter().any(|v| *v > 0) {
                for (s, o) in shape.iter().zip(&out) {
                    if *s == 0 { prop_assert_eq!(*o, 0); }
                }
            }
        }
    }
}
