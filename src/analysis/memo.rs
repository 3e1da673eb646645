//! The last few results of each analysis that most option changes leave alone, kept with the
//! options they were computed from.
//!
//! A user who tries another funnel step, window or filter changes options that most analyses
//! never read. Those that read the funnel often spend most of their time on parts that do not,
//! such as the mined patterns and the friction candidates outside the funnel. A result is reused
//! when every option it read is the same as for one of the last [`KEPT`] reports. So a change
//! recomputes only what depends on it, and going back to an earlier choice recomputes less. A
//! [`Memo`] belongs to one loaded event log, and a new load starts a new one.

use std::sync::Arc;

use serde::Serialize;

use super::attribution::AttributionReport;
use super::clv::ClvReport;
use super::drivers::DriversReport;
use super::friction::OutsideFunnel;
use super::paths::PathsReport;
use super::patterns::Groundwork;
use super::predict::PredictionReport;
use super::process_map::ProcessMap;
use super::retention::AfterSale;
use super::sankey::SankeyReport;
use super::segments::SegmentsReport;
use super::sessions::SessionsReport;
use super::stages::{Layout, StagesReport};
use super::survival::ConversionCurve;
use crate::error::Error;
use crate::report::TimingExtras;

/// How many results each analysis keeps.
pub const KEPT: usize = 4;

/// The simulated null series that the trends keep. A report of a 4-step funnel simulates 4
/// series and one more per change point found, so 64 cover several reports.
pub const KEPT_NULL_MAXIMA: usize = 64;

/// One analysis's last results, each with the key of the options it read, the newest last.
pub(super) struct Cached<T> {
    entries: Vec<(String, T)>,
    capacity: usize,
}

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Cached::with_capacity(KEPT)
    }
}

impl<T> Cached<T> {
    /// Returns an empty cache that keeps up to `capacity` results.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Cached { entries: Vec::new(), capacity: capacity.max(1) }
    }
}

impl<T: Clone> Cached<T> {
    /// Returns a kept result whose options serialise to the same JSON as `inputs`, and
    /// otherwise computes, keeps and returns a new one, dropping the oldest beyond the capacity.
    /// Inputs that cannot be serialised are never reused.
    pub(super) fn get_or(&mut self, inputs: &impl Serialize, compute: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
        let Ok(key) = serde_json::to_string(inputs) else { return compute() };
        if let Some(index) = self.entries.iter().position(|(kept, _)| *kept == key) {
            let entry = self.entries.remove(index);
            let value = entry.1.clone();
            self.entries.push(entry);
            return Ok(value);
        }
        let value = compute()?;
        if self.entries.len() >= self.capacity {
            self.entries.remove(0);
        }
        self.entries.push((key, value.clone()));
        Ok(value)
    }
}

/// The kept results of one loaded event log.
pub struct Memo {
    pub(super) prediction: Cached<Result<PredictionReport, String>>,
    pub(super) lifetime: Cached<(Option<AfterSale>, Option<ClvReport>)>,
    pub(super) process_map: Cached<ProcessMap>,
    pub(super) attribution: Cached<Option<AttributionReport>>,
    pub(super) sessions: Cached<Option<SessionsReport>>,
    pub(super) timing_extras: Cached<TimingExtras>,
    pub(super) patterns: Cached<Option<Groundwork>>,
    pub(super) paths: Cached<(PathsReport, SankeyReport)>,
    pub(super) drivers: Cached<Option<DriversReport>>,
    pub(super) friction: Cached<Option<OutsideFunnel>>,
    pub(super) stages: Cached<Result<StagesReport, String>>,
    /// Shared, because the stage skips of the friction analysis read it too.
    pub(super) stage_layout: Cached<Arc<Result<Layout, String>>>,
    pub(super) segments: Cached<SegmentsReport>,
    pub(super) distinct_journeys: Cached<u64>,
    pub(super) conversion_curve: Cached<ConversionCurve>,
    /// The total value and the first and last event time, which read only the log.
    pub(super) log_totals: Cached<LogTotals>,
    /// The trends' simulated null maxima, keyed by the weekly trials, the minimum segment length
    /// and the seed, which are all they depend on. A changed funnel step or window leaves the
    /// trials of the conversion series and of the steps before it as they were.
    pub(super) null_maxima: Cached<Arc<Vec<f64>>>,
}

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            prediction: Cached::default(),
            lifetime: Cached::default(),
            process_map: Cached::default(),
            attribution: Cached::default(),
            sessions: Cached::default(),
            timing_extras: Cached::default(),
            patterns: Cached::default(),
            paths: Cached::default(),
            drivers: Cached::default(),
            friction: Cached::default(),
            stages: Cached::default(),
            stage_layout: Cached::default(),
            segments: Cached::default(),
            distinct_journeys: Cached::default(),
            conversion_curve: Cached::default(),
            log_totals: Cached::default(),
            null_maxima: Cached::with_capacity(KEPT_NULL_MAXIMA),
        }
    }
}

/// The parts of the report's summary that read only the event log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct LogTotals {
    /// The sum of the values that are numbers, and how many events have one.
    pub total_value: f64,
    pub events_with_value: u64,
    /// The earliest and latest event time in milliseconds, `None` for an empty log.
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_inputs_reuse_the_result() {
        let mut cached: Cached<u32> = Cached::default();
        let mut runs = 0;
        let mut compute = |value: u32| {
            runs += 1;
            Ok(value)
        };
        assert_eq!(cached.get_or(&("a", 1), || compute(10)).unwrap(), 10);
        assert_eq!(cached.get_or(&("a", 1), || compute(20)).unwrap(), 10);
        assert_eq!(cached.get_or(&("a", 2), || compute(30)).unwrap(), 30);
        assert_eq!(runs, 2);
    }

    #[test]
    fn keeps_newest_drops_oldest() {
        let mut cached: Cached<usize> = Cached::default();
        for key in 0..KEPT {
            assert_eq!(cached.get_or(&key, || Ok(key * 10)).unwrap(), key * 10);
        }
        // Reading key 0 makes it the newest, so the next new key drops key 1 instead.
        assert_eq!(cached.get_or(&0, || Ok(999)).unwrap(), 0);
        assert_eq!(cached.get_or(&KEPT, || Ok(KEPT * 10)).unwrap(), KEPT * 10);
        assert_eq!(cached.get_or(&0, || Ok(999)).unwrap(), 0);
        assert_eq!(cached.get_or(&1, || Ok(111)).unwrap(), 111);
    }

    #[test]
    fn capacity_bounds_kept_results() {
        let mut cached: Cached<usize> = Cached::with_capacity(2);
        for key in 0..3 {
            assert_eq!(cached.get_or(&key, || Ok(key)).unwrap(), key);
        }
        // Keys 1 and 2 are kept, and key 0 was dropped for key 2.
        assert_eq!(cached.get_or(&2, || Ok(999)).unwrap(), 2);
        assert_eq!(cached.get_or(&1, || Ok(999)).unwrap(), 1);
        assert_eq!(cached.get_or(&0, || Ok(999)).unwrap(), 999);
    }

    #[test]
    fn errors_are_not_kept() {
        let mut cached: Cached<u32> = Cached::default();
        assert!(cached.get_or(&"a", || Err(Error::Options("bad".to_string()))).is_err());
        assert_eq!(cached.get_or(&"a", || Ok(5)).unwrap(), 5);
    }
}
