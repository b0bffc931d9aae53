//! Contact optimization (DEC-9): campaigns propose contacts (contact, offer, channel,
//! expected value, cost); the optimizer chooses the set of proposals of the highest
//! total expected value under the constraints: at most N offers per contact (counting
//! what the contact was already shown in the period), each channel's capacity, a budget,
//! offers that exclude one another for one contact, and the offers' own limits (at most
//! so many per contact, a capacity in all) that real-time decisions obey as well.
//!
//! The exact problem is an integer program (a multi-dimensional knapsack with conflict
//! constraints), far too large to solve exactly at millions of proposals; like the
//! enterprise optimizers, this one is a greedy heuristic with a known shape: proposals
//! are taken in order of value density (expected value per unit of the scarcest resource
//! they use, the budget when one is set, else plain expected value), each accepted when
//! every constraint still holds. Without a budget and with only per-contact limits the
//! greedy order is optimal per contact (it keeps each contact's N best compatible
//! proposals); with capacities and a budget it is the classic density heuristic. No
//! crate offers this at this scale with these constraints, hence the code here.

use std::collections::HashMap;

/// One proposal: indices into the caller's contacts, offers and channels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proposal {
    pub contact: u32,
    pub offer: u32,
    pub channel: u16,
    /// Expected value (value × response probability), in major units.
    pub value: f64,
    /// What sending it costs, in major units.
    pub cost: f64,
}

/// What the chosen set must respect.
#[derive(Debug, Clone, Default)]
pub struct Constraints {
    /// Most proposals chosen per contact (None: no limit).
    pub max_per_contact: Option<u32>,
    /// Most proposals chosen per channel index (absent: no limit).
    pub channel_capacity: HashMap<u16, u64>,
    /// Most total cost (None: no budget).
    pub budget: Option<f64>,
    /// Groups of offers of which one contact may be chosen for at most one.
    pub exclusions: Vec<Vec<u32>>,
    /// An offer's own most per contact (absent: no limit).
    pub offer_max_per_contact: HashMap<u32, u32>,
    /// What is left of an offer's capacity (absent: no limit).
    pub offer_capacity: HashMap<u32, u64>,
    /// Offers a contact was already shown in the period, counted against `max_per_contact`.
    pub shown: HashMap<u32, u32>,
    /// Times a contact was already shown an offer within that offer's window.
    pub shown_offer: HashMap<(u32, u32), u32>,
}

/// Why a proposal was not chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// Worth nothing or less.
    NoValue,
    PerContact,
    ChannelCapacity,
    Budget,
    Exclusion,
    /// The offer's own most per contact.
    OfferLimit,
    /// The offer's capacity.
    OfferCapacity,
}

impl Refusal {
    /// The name stored and published.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::NoValue => "NO_VALUE",
            Refusal::PerContact => "PER_CONTACT",
            Refusal::OfferLimit => "OFFER_LIMIT",
            Refusal::OfferCapacity => "OFFER_CAPACITY",
            Refusal::ChannelCapacity => "CHANNEL_CAPACITY",
            Refusal::Budget => "BUDGET",
            Refusal::Exclusion => "EXCLUSION",
        }
    }
}

/// The chosen set and what was refused, by reason.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Whether each proposal (in the caller's order) was chosen.
    pub chosen: Vec<bool>,
    pub total_value: f64,
    pub total_cost: f64,
    pub refused: HashMap<Refusal, u64>,
}

impl Outcome {
    /// How many proposals were chosen.
    pub fn count(&self) -> u64 {
        self.chosen.iter().filter(|c| **c).count() as u64
    }
}

/// Chooses among `proposals` under `c`; `progress` hears how many have been considered
/// (every 100,000 and at the end).
pub fn optimize(proposals: &[Proposal], c: &Constraints, mut progress: impl FnMut(u64)) -> Outcome {
    let mut order: Vec<u32> = (0..proposals.len() as u32).collect();
    let density = |p: &Proposal| match c.budget {
        Some(_) if p.cost > 0.0 => p.value / p.cost,
        Some(_) => f64::INFINITY,
        None => p.value,
    };
    order.sort_unstable_by(|a, b| {
        let (pa, pb) = (&proposals[*a as usize], &proposals[*b as usize]);
        density(pb).total_cmp(&density(pa)).then(pb.value.total_cmp(&pa.value)).then(a.cmp(b))
    });
    // The exclusion groups each offer belongs to.
    let mut groups_of: HashMap<u32, Vec<u32>> = HashMap::new();
    for (g, offers) in c.exclusions.iter().enumerate() {
        for o in offers {
            groups_of.entry(*o).or_default().push(g as u32);
        }
    }
    // Counts per contact in a vector (contacts are dense indices), what was already
    // shown first.
    let contacts = proposals.iter().map(|p| p.contact as usize + 1).max().unwrap_or(0);
    let mut per_contact: Vec<u32> = vec![0; contacts];
    for (contact, n) in &c.shown {
        if let Some(slot) = per_contact.get_mut(*contact as usize) {
            *slot = *n;
        }
    }
    let mut per_offer: HashMap<(u32, u32), u32> = c
        .shown_offer
        .iter()
        .filter(|((_, o), _)| c.offer_max_per_contact.contains_key(o))
        .map(|(k, n)| (*k, *n))
        .collect();
    let mut offer_used: HashMap<u32, u64> = HashMap::new();
    let mut contact_groups: std::collections::HashSet<(u32, u32)> = std::collections::HashSet::new();
    let mut per_channel: HashMap<u16, u64> = HashMap::new();
    let mut out = Outcome { chosen: vec![false; proposals.len()], ..Outcome::default() };
    for (n, i) in order.iter().enumerate() {
        if n > 0 && n % 100_000 == 0 {
            progress(n as u64);
        }
        let p = &proposals[*i as usize];
        let refusal = if p.value.is_nan() || p.value <= 0.0 {
            Some(Refusal::NoValue)
        } else if c.max_per_contact.is_some_and(|m| per_contact[p.contact as usize] >= m) {
            Some(Refusal::PerContact)
        } else if c
            .offer_max_per_contact
            .get(&p.offer)
            .is_some_and(|m| per_offer.get(&(p.contact, p.offer)).copied().unwrap_or(0) >= *m)
        {
            Some(Refusal::OfferLimit)
        } else if c.offer_capacity.get(&p.offer).is_some_and(|m| offer_used.get(&p.offer).copied().unwrap_or(0) >= *m) {
            Some(Refusal::OfferCapacity)
        } else if c
            .channel_capacity
            .get(&p.channel)
            .is_some_and(|m| per_channel.get(&p.channel).copied().unwrap_or(0) >= *m)
        {
            Some(Refusal::ChannelCapacity)
        } else if c.budget.is_some_and(|b| out.total_cost + p.cost.max(0.0) > b + 1e-9) {
            Some(Refusal::Budget)
        } else if groups_of.get(&p.offer).is_some_and(|gs| gs.iter().any(|g| contact_groups.contains(&(p.contact, *g))))
        {
            Some(Refusal::Exclusion)
        } else {
            None
        };
        match refusal {
            Some(r) => *out.refused.entry(r).or_default() += 1,
            None => {
                out.chosen[*i as usize] = true;
                out.total_value += p.value;
                out.total_cost += p.cost.max(0.0);
                per_contact[p.contact as usize] += 1;
                *per_channel.entry(p.channel).or_default() += 1;
                if c.offer_max_per_contact.contains_key(&p.offer) {
                    *per_offer.entry((p.contact, p.offer)).or_default() += 1;
                }
                if c.offer_capacity.contains_key(&p.offer) {
                    *offer_used.entry(p.offer).or_default() += 1;
                }
                for g in groups_of.get(&p.offer).into_iter().flatten() {
                    contact_groups.insert((p.contact, *g));
                }
            }
        }
    }
    progress(proposals.len() as u64);
    out
}
