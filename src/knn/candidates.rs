//! Per-point candidate lists: the `m` smallest approximate squared distances seen so far.

/// A bounded list of (approximate squared distance, index), kept sorted ascending.
#[derive(Debug, Clone)]
pub struct Candidates {
    cap: usize,
    items: Vec<(f32, u32)>,
    /// The entry bar, kept up to date on insertion because nearly every offer is refused.
    bar: f32,
}

impl Candidates {
    /// An empty list that keeps at most `cap` entries.
    pub fn new(cap: usize) -> Self {
        Self { cap, items: Vec::with_capacity(cap + 1), bar: f32::INFINITY }
    }

    /// Values at or above this cannot enter; infinite while the list is not full.
    #[inline]
    pub fn threshold(&self) -> f32 {
        self.bar
    }

    /// Offers a candidate; kept if it is among the `cap` smallest (ties: the earlier offer wins).
    #[inline]
    pub fn offer(&mut self, d2: f32, j: u32) {
        if d2 >= self.bar {
            return;
        }
        let pos = self.items.partition_point(|&(d, _)| d <= d2);
        self.items.insert(pos, (d2, j));
        self.items.truncate(self.cap);
        if self.items.len() == self.cap
            && let Some(&(last, _)) = self.items.last()
        {
            self.bar = last;
        }
    }

    /// The candidates as (approximate squared distance, index), ascending.
    pub fn items(&self) -> &[(f32, u32)] {
        &self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_smallest_in_order() {
        let mut c = Candidates::new(3);
        for (d, j) in [(5.0, 0), (1.0, 1), (4.0, 2), (0.5, 3), (9.0, 4), (1.0, 5)] {
            c.offer(d, j);
        }
        assert_eq!(c.items(), &[(0.5, 3), (1.0, 1), (1.0, 5)]);
        assert_eq!(c.threshold(), 1.0);
    }

    #[test]
    fn not_full_means_no_threshold() {
        let mut c = Candidates::new(4);
        c.offer(2.0, 0);
        assert_eq!(c.threshold(), f32::INFINITY);
    }
}
