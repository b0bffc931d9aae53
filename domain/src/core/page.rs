//! Cursor pagination over time-ordered IDs.

use uuid::Uuid;

/// Which slice of a list to read.
#[derive(Debug, Clone, Copy)]
pub struct PageArgs {
    /// How many items (1..=100).
    pub first: u64,
    /// Start after this ID.
    pub after: Option<Uuid>,
}

impl PageArgs {
    /// Bounded arguments: `first` defaults to 20 and is capped at 100.
    pub fn new(first: Option<i32>, after: Option<Uuid>) -> crate::Result<Self> {
        let first = match first {
            None => 20,
            Some(n) if (1..=100).contains(&n) => n as u64,
            Some(_) => return Err(crate::Error::invalid("first", "must be between 1 and 100")),
        };
        Ok(PageArgs { first, after })
    }
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items, in list order.
    pub items: Vec<T>,
    /// Whether more follow.
    pub has_next: bool,
    /// How many items the whole list has.
    pub total: u64,
}

/// Splits one extra fetched row off into `has_next`.
pub(crate) fn finish<T>(mut items: Vec<T>, args: PageArgs, total: u64) -> Page<T> {
    let has_next = items.len() as u64 > args.first;
    items.truncate(args.first as usize);
    Page { items, has_next, total }
}

impl<T> Page<T> {
    /// The same page with each item mapped, dropping those `f` turns into `None`
    /// (rows whose companion went missing meanwhile); `total` stays the list's.
    pub fn filter_map<U>(self, f: impl FnMut(T) -> Option<U>) -> Page<U> {
        Page { items: self.items.into_iter().filter_map(f).collect(), has_next: self.has_next, total: self.total }
    }
}
