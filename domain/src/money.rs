//! Money: integer minor units and an ISO 4217 currency, never floats.

use crate::{Error, Result};

/// Active ISO 4217 codes. A short list kept here rather than a crate: the codes change
/// rarely and all we need of them is "is it one" and how many decimals it has.
const CODES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN \
BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD \
GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR \
LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP \
PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP \
TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL";
/// Currencies without minor units.
const NO_DECIMALS: &str = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF";
/// Currencies with three decimals.
const THREE_DECIMALS: &str = "BHD IQD JOD KWD LYD OMR TND";

/// Whether `code` is one of `list`'s three-letter codes (each followed by a space or the
/// end): amounts of whole files are parsed a row at a time, so this stays a plain scan.
fn listed(list: &str, code: &str) -> bool {
    code.len() == 3 && list.as_bytes().chunks(4).any(|k| &k[..3] == code.as_bytes())
}

/// An ISO 4217 currency code, upper case.
pub fn currency(field: &str, raw: &str) -> Result<String> {
    let c = raw.trim().to_ascii_uppercase();
    if listed(CODES, &c) {
        Ok(c)
    } else {
        Err(Error::invalid(field, "is not an ISO 4217 currency code (like EUR or USD)"))
    }
}

/// How many decimals `currency`'s minor unit has (2 for EUR, 0 for JPY, 3 for KWD).
pub fn decimals(currency: &str) -> usize {
    if listed(NO_DECIMALS, currency) {
        0
    } else if listed(THREE_DECIMALS, currency) {
        3
    } else {
        2
    }
}

/// `"12.5"` in EUR → 1250: an amount written in major units as minor units, parsed
/// digit by digit so no amount ever passes through a float. `None` when it is not a
/// plain decimal or has more decimals than the currency.
pub fn parse_major(currency: &str, s: &str) -> Option<i64> {
    let places = decimals(currency);
    let (neg, s) = match s.trim().strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.trim()),
    };
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || frac.len() > places || !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let scale = 10i64.checked_pow(u32::try_from(places).ok()?)?;
    let minor: i64 = if places == 0 { 0 } else { format!("{frac:0<places$}").parse().ok()? };
    let units = whole.parse::<i64>().ok()?.checked_mul(scale)?.checked_add(minor)?;
    Some(if neg { -units } else { units })
}

/// 1250 in EUR → `"12.50"`: minor units written in major units (the inverse of
/// [`parse_major`]).
pub fn format_major(currency: &str, minor: i64) -> String {
    let places = decimals(currency);
    let sign = if minor < 0 { "-" } else { "" };
    let digits = format!("{:0>width$}", minor.unsigned_abs(), width = places + 1);
    let (whole, frac) = digits.split_at(digits.len() - places);
    if places == 0 { format!("{sign}{whole}") } else { format!("{sign}{whole}.{frac}") }
}

/// An amount of money: minor units of one currency.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Money {
    /// Minor units (cents for EUR).
    pub minor: i64,
    /// ISO 4217 code.
    pub currency: String,
}

impl Money {
    /// `amount` (major units as a decimal string) in `currency`, as a client sent it in
    /// the input field `field` (errors name `field.amount` or `field.currencyCode`).
    pub fn parse(field: &str, amount: &str, currency_code: &str) -> Result<Money> {
        let currency = currency(&format!("{field}.currencyCode"), currency_code)?;
        let places = decimals(&currency);
        let minor = parse_major(&currency, amount).ok_or_else(|| {
            let form = if places == 0 {
                "a whole number".to_owned()
            } else {
                format!("a decimal with at most {places} decimals")
            };
            Error::invalid(
                &format!("{field}.amount"),
                format!(
                    "is not an amount of {currency} ({form}, like \"1250{}\")",
                    if places == 0 { "" } else { ".50" }
                ),
            )
        })?;
        Ok(Money { minor, currency })
    }

    /// Like [`Money::parse`], refusing zero and negative amounts.
    pub fn positive(field: &str, amount: &str, currency_code: &str) -> Result<Money> {
        let m = Money::parse(field, amount, currency_code)?;
        if m.minor <= 0 {
            return Err(Error::invalid(&format!("{field}.amount"), "must be more than zero"));
        }
        Ok(m)
    }

    /// The amount in major units (`"25000.50"`).
    pub fn major(&self) -> String {
        format_major(&self.currency, self.minor)
    }

    /// `minor` units of `currency`.
    pub fn of(minor: i64, currency: &str) -> Money {
        Money { minor, currency: currency.to_owned() }
    }

    /// Refuses an amount in another currency than `currency`, naming `field`.
    pub fn require_currency(&self, field: &str, currency: &str, whose: &str) -> Result<()> {
        if self.currency == currency {
            Ok(())
        } else {
            Err(Error::invalid(
                &format!("{field}.currencyCode"),
                format!(
                    "is {}, but {whose} is kept in {currency}; amounts in different currencies are never summed",
                    self.currency
                ),
            ))
        }
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.major(), self.currency)
    }
}

/// Sums minor units, refusing a total that does not fit.
pub fn checked_sum(field: &str, amounts: impl IntoIterator<Item = i64>) -> Result<i64> {
    amounts
        .into_iter()
        .try_fold(0i64, i64::checked_add)
        .ok_or_else(|| Error::invalid(field, "adds up to more than can be held"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn currencies_and_amounts() {
        assert_eq!(currency("c", " eur ").unwrap(), "EUR");
        assert!(currency("c", "EURO").is_err() && currency("c", "XYZ").is_err());
        assert_eq!(parse_major("EUR", "12.5"), Some(1250));
        assert_eq!(parse_major("JPY", "1200"), Some(1200));
        assert_eq!(parse_major("JPY", "12.5"), None);
        assert_eq!(parse_major("KWD", "1.005"), Some(1005));
        assert_eq!(format_major("EUR", 1250), "12.50");
        assert_eq!(format_major("EUR", -5), "-0.05");
        assert_eq!(format_major("JPY", 1200), "1200");
        assert_eq!(format_major("KWD", 1005), "1.005");
        assert_eq!(parse_major("EUR", "-0.05"), Some(-5));
        for bad in ["", ".5", "1.234", "1e3", "1,5", "--1", "99999999999999999999"] {
            assert_eq!(parse_major("EUR", bad), None, "{bad}");
        }
    }

    #[test]
    fn money_in_names_its_fields() {
        assert_eq!(Money::parse("amount", "25000.50", "eur").unwrap(), Money::of(2_500_050, "EUR"));
        assert_eq!(Money::of(2_500_050, "EUR").to_string(), "25000.50 EUR");
        let field_of = |r: Result<Money>| match r {
            Err(Error::Invalid { field, .. }) => field,
            other => format!("not a field error: {other:?}"),
        };
        assert_eq!(field_of(Money::parse("amount", "1.5", "JPY")), "amount.amount");
        assert_eq!(field_of(Money::parse("lines[2].amount", "1", "EURO")), "lines[2].amount.currencyCode");
        assert_eq!(field_of(Money::positive("amount", "0", "EUR")), "amount.amount");
        assert_eq!(
            field_of(Money::of(1, "USD").require_currency("amount", "EUR", "the plan").map(|()| Money::of(0, "EUR"))),
            "amount.currencyCode"
        );
        assert!(checked_sum("lines", [i64::MAX, 1]).is_err());
        assert_eq!(checked_sum("lines", [1, 2, 3]).unwrap(), 6);
    }

    proptest! {
        /// Minor units printed with two decimals read back as themselves.
        #[test]
        fn amounts_round_trip(n in -1_000_000_000_000i64..1_000_000_000_000) {
            let text = format!("{}{}.{:02}", if n < 0 { "-" } else { "" }, n.abs() / 100, n.abs() % 100);
            prop_assert_eq!(parse_major("EUR", &text), Some(n));
        }
    }
}
