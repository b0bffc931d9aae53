//! Money in the API: `Money {amount currencyCode}` with `amount` a decimal string exact
//! to the currency's minor unit, and `MoneyInput` the same way in.

use async_graphql::{InputObject, SimpleObject};

/// An amount of money.
#[derive(SimpleObject, Clone, Debug)]
pub struct Money {
    /// Major units as a decimal string, exact to the currency's minor unit (`"25000.50"`).
    pub amount: String,
    /// ISO 4217 code.
    pub currency_code: String,
    /// The amount in minor units (cents for EUR), for sums and sorting.
    pub minor_units: String,
}

impl Money {
    /// `minor` units of `currency`.
    pub fn of(minor: i64, currency: &str) -> Money {
        let m = domain::money::Money::of(minor, currency);
        Money { amount: m.major(), currency_code: m.currency, minor_units: minor.to_string() }
    }
}

/// An amount of money as a client writes it.
#[derive(InputObject, Clone, Debug)]
pub struct MoneyInput {
    /// Major units as a decimal string (`"25000.50"`), at most the currency's decimals.
    pub amount: String,
    /// ISO 4217 code.
    pub currency_code: String,
}

impl MoneyInput {
    /// The pair the domain parses.
    pub fn pair(self) -> (String, String) {
        (self.amount, self.currency_code)
    }
}
