//! "Customers who bought X also bought Y": for each product, the other products its
//! buyers bought, with how many did both (support), the share of its buyers who did
//! (confidence) and how much likelier that is than for any customer (lift). Pairs
//! bought together by fewer than [`MIN_TOGETHER`] customers are left out as noise; each
//! product keeps its [`TOP`] strongest.

use std::collections::HashMap;

/// Fewest customers who bought both for a pair to count.
pub const MIN_TOGETHER: i64 = 2;
/// Most pairs kept per product.
pub const TOP: usize = 20;

/// One product's affinity to another, by product index.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub product: u32,
    pub other: u32,
    pub together: i64,
    pub buyers: i64,
    pub confidence: f64,
    pub lift: f64,
}

/// The pairs of `baskets` (each customer's distinct products) over `products` products.
pub fn pairs<'a>(baskets: impl Iterator<Item = &'a [u32]>, products: usize) -> Vec<Pair> {
    let mut buyers = vec![0i64; products];
    let mut together: HashMap<(u32, u32), i64> = HashMap::new();
    let mut customers = 0i64;
    for basket in baskets {
        if basket.is_empty() {
            continue;
        }
        customers += 1;
        for (i, a) in basket.iter().enumerate() {
            if let Some(b) = buyers.get_mut(*a as usize) {
                *b += 1;
            }
            for b in &basket[i + 1..] {
                *together.entry(((*a).min(*b), (*a).max(*b))).or_default() += 1;
            }
        }
    }
    let mut by_product: HashMap<u32, Vec<Pair>> = HashMap::new();
    for ((a, b), n) in together.into_iter().filter(|(_, n)| *n >= MIN_TOGETHER) {
        for (x, y) in [(a, b), (b, a)] {
            let bx = buyers.get(x as usize).copied().unwrap_or(0).max(1);
            let by = buyers.get(y as usize).copied().unwrap_or(0).max(1);
            let confidence = n as f64 / bx as f64;
            let lift = confidence / (by as f64 / customers.max(1) as f64);
            by_product.entry(x).or_default().push(Pair {
                product: x,
                other: y,
                together: n,
                buyers: bx,
                confidence,
                lift,
            });
        }
    }
    let mut out = Vec::new();
    for (_, mut list) in by_product {
        list.sort_by(|p, q| q.together.cmp(&p.together).then(q.lift.total_cmp(&p.lift)).then(p.other.cmp(&q.other)));
        list.truncate(TOP);
        out.extend(list);
    }
    out.sort_by(|p, q| p.product.cmp(&q.product).then(q.together.cmp(&p.together)).then(p.other.cmp(&q.other)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_count_customers_not_purchases_and_drop_the_rare() {
        // Products 0 = X, 1 = Y, 2 = Z. Three customers bought X and Y, one X and Z, one Y alone.
        let baskets: Vec<Vec<u32>> = vec![vec![0, 1], vec![1, 0], vec![0, 1, 2], vec![0, 2], vec![1]];
        let p = pairs(baskets.iter().map(Vec::as_slice), 3);
        let xy = p.iter().find(|p| (p.product, p.other) == (0, 1)).unwrap();
        assert_eq!((xy.together, xy.buyers), (3, 4));
        assert!((xy.confidence - 0.75).abs() < 1e-9);
        // Y is bought by 4 of 5 customers: lift 0.75 / 0.8.
        assert!((xy.lift - 0.9375).abs() < 1e-9);
        let yx = p.iter().find(|p| (p.product, p.other) == (1, 0)).unwrap();
        assert_eq!((yx.together, yx.buyers), (3, 4));
        let xz = p.iter().find(|p| (p.product, p.other) == (0, 2)).unwrap();
        assert_eq!(xz.together, 2);
        assert!(!p.iter().any(|p| (p.product, p.other) == (1, 2)), "bought together once: left out");
        assert_eq!(p.first().map(|p| (p.product, p.other)), Some((0, 1)), "strongest first");
    }
}
