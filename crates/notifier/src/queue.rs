//! The bounded alert queue between `send` and the delivery task. Like Prometheus's, it never
//! blocks the rule evaluation that fills it: when full, the oldest alerts make room for the
//! newest (a newer state of an alert supersedes an older one, so the newest are worth more).

use std::collections::VecDeque;

use crate::alert::Alert;

/// Alerts waiting to be sent, oldest first.
#[derive(Debug)]
pub struct Queue {
    items: VecDeque<Alert>,
    capacity: usize,
}

impl Queue {
    /// A queue holding at most `capacity` alerts (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Queue { items: VecDeque::with_capacity(capacity.min(1024)), capacity }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Appends alerts and returns how many were dropped to stay within capacity: first the
    /// oldest of an incoming batch larger than the whole queue, then the oldest queued ones.
    pub fn push(&mut self, mut alerts: Vec<Alert>) -> usize {
        let mut dropped = 0;
        if alerts.len() > self.capacity {
            let d = alerts.len() - self.capacity;
            alerts.drain(..d);
            dropped += d;
        }
        let overflow = (self.items.len() + alerts.len()).saturating_sub(self.capacity);
        self.items.drain(..overflow);
        dropped += overflow;
        self.items.extend(alerts);
        dropped
    }

    /// Takes up to `max` alerts from the front.
    pub fn next_batch(&mut self, max: usize) -> Vec<Alert> {
        let n = self.items.len().min(max.max(1));
        self.items.drain(..n).collect()
    }

    /// Empties the queue, returning how many alerts it held.
    pub fn clear(&mut self) -> usize {
        let n = self.items.len();
        self.items.clear();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(i: usize) -> Alert {
        Alert {
            annotations: Default::default(),
            ends_at: 0,
            starts_at: 0,
            generator_url: String::new(),
            labels: [("alertname".to_string(), format!("a{i}"))].into(),
        }
    }

    fn names(v: &[Alert]) -> Vec<String> {
        v.iter().map(|a| a.name().to_string()).collect()
    }

    #[test]
    fn overflow_drops_the_oldest() {
        let mut q = Queue::new(4);
        assert_eq!(q.push((0..3).map(alert).collect()), 0);
        assert_eq!(q.push((3..6).map(alert).collect()), 2);
        assert_eq!(q.len(), 4);
        assert_eq!(names(&q.next_batch(10)), ["a2", "a3", "a4", "a5"]);
        assert_eq!(q.push((0..7).map(alert).collect()), 3, "a batch larger than the queue keeps its newest");
        assert_eq!(names(&q.next_batch(10)), ["a3", "a4", "a5", "a6"]);
    }

    #[test]
    fn batches_split_at_max() {
        let mut q = Queue::new(10_000);
        q.push((0..150).map(alert).collect());
        let sizes: Vec<usize> = std::iter::from_fn(|| Some(q.next_batch(64).len()).filter(|n| *n > 0)).collect();
        assert_eq!(sizes, [64, 64, 22]);
        assert!(q.is_empty());
    }
}
