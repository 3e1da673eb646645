//! The last result of each analysis that most option changes leave alone, kept with the options
//! it was computed from.
//!
//! A user who tries another funnel step, window or filter changes options that the prediction,
//! lifetime value, process map, attribution, sessions and timing analyses never read. Their
//! results are reused when every option they read is the same as last time, so such a change
//! recomputes only the analyses that depend on it. A [`Memo`] belongs to one loaded event log:
//! a new load starts a new one.

use serde::Serialize;

use super::attribution::AttributionReport;
use super::clv::ClvReport;
use super::predict::PredictionReport;
use super::process_map::ProcessMap;
use super::retention::AfterSale;
use super::sessions::SessionsReport;
use crate::error::Error;
use crate::report::TimingExtras;

/// One analysis's last result and the key of the options it read.
pub(super) struct Cached<T> {
    entry: Option<(String, T)>,
}

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Cached { entry: None }
    }
}

impl<T: Clone> Cached<T> {
    /// Returns the kept result when its options serialise to the same JSON as `inputs`, and
    /// otherwise computes, keeps and returns a new one. Inputs that cannot be serialised are
    /// never reused.
    pub(super) fn get_or(&mut self, inputs: &impl Serialize, compute: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
        let key = serde_json::to_string(inputs).ok();
        if let (Some(key), Some((kept_key, value))) = (&key, &self.entry) {
            if key == kept_key {
                return Ok(value.clone());
            }
        }
        let value = compute()?;
        self.entry = key.map(|key| (key, value.clone()));
        Ok(value)
    }
}

/// The kept results of one loaded event log.
#[derive(Default)]
pub struct Memo {
    pub(super) prediction: Cached<Result<PredictionReport, String>>,
    pub(super) lifetime: Cached<(Option<AfterSale>, Option<ClvReport>)>,
    pub(super) process_map: Cached<ProcessMap>,
    pub(super) attribution: Cached<Option<AttributionReport>>,
    pub(super) sessions: Cached<Option<SessionsReport>>,
    pub(super) timing_extras: Cached<TimingExtras>,
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
    fn errors_are_not_kept() {
        let mut cached: Cached<u32> = Cached::default();
        assert!(cached.get_or(&"a", || Err(Error::Options("bad".to_string()))).is_err());
        assert_eq!(cached.get_or(&"a", || Ok(5)).unwrap(), 5);
    }
}
