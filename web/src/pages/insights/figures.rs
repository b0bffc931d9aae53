//! How the insights page writes its figures: money, shares, a model's quality, the
//! heat of a grid cell and what each RFM group means.

/// Currencies whose minor unit is the unit itself (as the server counts them).
const NO_DECIMALS: [&str; 16] =
    ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];
/// Currencies with three decimals.
const THREE_DECIMALS: [&str; 7] = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

/// How many decimals `currency`'s minor unit has (2 for EUR, 0 for JPY, 3 for KWD).
fn decimals(currency: &str) -> u32 {
    if NO_DECIMALS.contains(&currency) {
        0
    } else if THREE_DECIMALS.contains(&currency) {
        3
    } else {
        2
    }
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An amount in minor units of `currency`, in major units with its code:
/// `123456` USD is `1,234.56 USD`, `1200` JPY is `1,200 JPY`.
pub fn money(minor: f64, currency: Option<&str>) -> String {
    let code = currency.unwrap_or_default();
    let places = decimals(code);
    let minor = if minor.is_finite() { minor.round() as i64 } else { 0 };
    let scale = 10u64.pow(places);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let whole = grouped(abs / scale);
    let amount = match places {
        0 => whole,
        p => format!("{whole}.{:0width$}", abs % scale, width = p as usize),
    };
    if code.is_empty() { format!("{sign}{amount}") } else { format!("{sign}{amount} {code}") }
}

/// A share (0 to 1) as a whole percent: `0.5` is `50%`.
pub fn percent(share: f64) -> String {
    format!("{:.0}%", if share.is_finite() { share * 100.0 } else { 0.0 })
}

/// `part` of `whole` as a share (0 when there is no whole).
pub fn share(part: i64, whole: i64) -> f64 {
    if whole > 0 { part as f64 / whole as f64 } else { 0.0 }
}

/// What a model's AUC on held-out contacts says, in plain words, and its chip's class.
pub fn quality(auc: f64) -> (&'static str, &'static str) {
    if auc >= 0.8 {
        ("strong", "quality quality-strong")
    } else if auc >= 0.7 {
        ("useful", "quality quality-useful")
    } else {
        ("weak", "quality quality-weak")
    }
}

/// The heat class of a grid cell with `n` of the busiest cell's `max` customers:
/// `heat-0` for none, then `heat-1` to `heat-4`.
pub fn heat(n: i64, max: i64) -> &'static str {
    if n <= 0 || max <= 0 {
        return "heat-0";
    }
    match (4.0 * n as f64 / max as f64).ceil() as i64 {
        ..=1 => "heat-1",
        2 => "heat-2",
        3 => "heat-3",
        _ => "heat-4",
    }
}

/// Who is in an RFM group, as a marketer says it.
pub fn group_blurb(name: &str) -> &'static str {
    match name {
        "Champions" => "Bought recently and often: reward them, ask for reviews.",
        "Loyal" => "Buy regularly: offer more of what they like.",
        "Potential loyalist" => "Recent customers with a few orders: help them come back.",
        "New" => "Bought for the first time recently: welcome them.",
        "Needs attention" => "Neither recent nor frequent: a timely offer may help.",
        "Cannot lose" => "Bought often, but not for a long time: win them back.",
        "At risk" => "Bought now and then, a while ago: remind them.",
        "Hibernating" => "Few orders, long ago: reach them cheaply or let them rest.",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_in_major_units_with_the_currency() {
        assert_eq!(money(31_000.0, Some("USD")), "310.00 USD");
        assert_eq!(money(123_456_789.0, Some("EUR")), "1,234,567.89 EUR");
        assert_eq!(money(1_200.0, Some("JPY")), "1,200 JPY");
        assert_eq!(money(1_234.0, Some("KWD")), "1.234 KWD");
        assert_eq!(money(-5.0, Some("USD")), "-0.05 USD");
        assert_eq!(money(2_818.4, None), "28.18");
        assert_eq!(money(f64::NAN, Some("USD")), "0.00 USD");
    }

    #[test]
    fn shares_and_percents() {
        assert_eq!(percent(0.5), "50%");
        assert_eq!(percent(2.0 / 3.0), "67%");
        assert_eq!(share(1, 0), 0.0);
        assert_eq!(percent(share(2, 5)), "40%");
    }

    #[test]
    fn quality_says_how_far_a_model_beats_chance() {
        assert_eq!(quality(0.85).0, "strong");
        assert_eq!(quality(0.8).0, "strong");
        assert_eq!(quality(0.72).0, "useful");
        assert_eq!(quality(0.55).0, "weak");
    }

    #[test]
    fn heat_grows_with_the_share_of_the_busiest_cell() {
        assert_eq!(heat(0, 10), "heat-0");
        assert_eq!(heat(1, 10), "heat-1");
        assert_eq!(heat(5, 10), "heat-2");
        assert_eq!(heat(7, 10), "heat-3");
        assert_eq!(heat(10, 10), "heat-4");
        assert_eq!(heat(1, 1), "heat-4");
    }

    #[test]
    fn every_group_is_described() {
        for g in [
            "Champions",
            "Loyal",
            "Potential loyalist",
            "New",
            "Needs attention",
            "Cannot lose",
            "At risk",
            "Hibernating",
        ] {
            assert!(!group_blurb(g).is_empty(), "{g}");
        }
    }
}
