//! The per-journey search behind a funnel: which events fill which steps, for each funnel kind,
//! and whether an exclusion step removes the result.
//!
//! Every buffer is allocated once per funnel in [`Search::new`], so the search allocates nothing
//! per event or per person.

use std::sync::Arc;

use super::FunnelKind;
use crate::model::{EventLog, NONE};

/// A column filter resolved to value ids.
pub(crate) enum Filter {
    /// One value id, or [`NONE`] when the value never occurs (the step then never matches).
    Exact { property: usize, code: u32 },
    /// Whether each value id of the property matches a glob or regular expression.
    Set { property: usize, accepted: Arc<[bool]> },
}

/// A step or exclusion resolved to ids.
pub(crate) struct Matcher {
    pub event: u32,
    pub filter: Option<Filter>,
}

impl Matcher {
    pub fn matches(&self, log: &EventLog, at: usize) -> bool {
        if log.event[at] != self.event {
            return false;
        }
        match &self.filter {
            None => true,
            Some(Filter::Exact { property, code }) => *code != NONE && log.properties[*property].codes[at] == *code,
            Some(Filter::Set { property, accepted }) => {
                let code = log.properties[*property].codes[at];
                code != NONE && accepted.get(code as usize).copied().unwrap_or(false)
            }
        }
    }
}

/// An exclusion step: `between` contains 0-based step indices, the first lower than the second.
pub(super) struct Exclusion {
    pub matcher: Matcher,
    pub between: (usize, usize),
}

/// The funnel's rules and the scratch buffers of the search.
pub(super) struct Search<'a> {
    log: &'a EventLog,
    kind: FunnelKind,
    steps: Vec<Matcher>,
    window: Option<i64>,
    /// The maximum time from the previous step's event, per step; `None` at step 1.
    step_windows: Vec<Option<i64>>,
    exclusions: Vec<Exclusion>,
    /// The property held constant: every step's event must carry the step-1 event's value.
    hold: Option<usize>,
    /// The value held by the chain being built, an id in the held property's values.
    chain_value: u32,
    /// Scratch for a held search: (value, journey position) of each event with a value, and the
    /// events of one value.
    by_value: Vec<(u32, u32)>,
    part: Vec<u32>,
    /// Journey positions of the chain being built from one start.
    chain: Vec<usize>,
    /// Whether the last ordered chain stopped at the end of the funnel window, before the end of
    /// the journey.
    window_cut: bool,
    /// Ordered search with per-step windows: the latest position that reached each step, and the
    /// chain that led to it, one row of `steps` positions per step.
    latest: Vec<Option<usize>>,
    latest_chains: Vec<usize>,
    /// Any-order search: up to `steps` candidate positions per step, and each step's assigned
    /// position in the matching.
    candidates: Vec<usize>,
    candidate_counts: Vec<usize>,
    assigned: Vec<Option<usize>>,
    visited: Vec<bool>,
}

impl<'a> Search<'a> {
    pub fn new(
        log: &'a EventLog,
        kind: FunnelKind,
        steps: Vec<Matcher>,
        window: Option<i64>,
        step_windows: Vec<Option<i64>>,
        exclusions: Vec<Exclusion>,
        hold: Option<usize>,
    ) -> Search<'a> {
        let count = steps.len();
        Search {
            log,
            kind,
            steps,
            window,
            step_windows,
            exclusions,
            hold,
            chain_value: NONE,
            by_value: Vec::new(),
            part: Vec::new(),
            chain: vec![0; count],
            window_cut: false,
            latest: vec![None; count],
            latest_chains: vec![0; count * count],
            candidates: vec![0; count * count],
            candidate_counts: vec![0; count],
            assigned: vec![None; count],
            visited: vec![false; count],
        }
    }

    pub fn steps(&self) -> usize {
        self.steps.len()
    }

    fn time(&self, journey: &[u32], position: usize) -> i64 {
        self.log.time[journey[position] as usize]
    }

    /// Returns the held property's value at a journey position, or [`NONE`] when no property is held.
    fn held_value(&self, journey: &[u32], position: usize) -> u32 {
        self.hold.map_or(NONE, |property| self.log.properties[property].codes[journey[position] as usize])
    }

    /// Checks a step's event and, with a held property, that the event carries the held value.
    fn step_matches(&self, step: usize, journey: &[u32], position: usize) -> bool {
        self.steps[step].matches(self.log, journey[position] as usize)
            && (self.hold.is_none() || self.held_value(journey, position) == self.chain_value)
    }

    /// Checks whether an attempt may start at `position`: a step-1 event, or any step's event for an
    /// any-order funnel. With a held property the event must have a value in it.
    pub fn starts_at(&self, journey: &[u32], position: usize) -> bool {
        if self.hold.is_some() && self.held_value(journey, position) == NONE {
            return false;
        }
        let at = journey[position] as usize;
        match self.kind {
            FunnelKind::AnyOrder => self.steps.iter().any(|step| step.matches(self.log, at)),
            _ => self.steps[0].matches(self.log, at),
        }
    }

    fn beyond_window(&self, journey: &[u32], start: usize, position: usize) -> bool {
        self.window.is_some_and(|window| self.time(journey, position) - self.time(journey, start) > window)
    }

    fn within_step_window(&self, step: usize, journey: &[u32], previous: usize, position: usize) -> bool {
        self.step_windows[step].is_none_or(|window| self.time(journey, position) - self.time(journey, previous) <= window)
    }

    /// Finds the chain that takes the journey furthest, among the attempts starting at or after
    /// `from`, and copies its positions into `best`. Returns the steps reached.
    pub fn furthest(&mut self, journey: &[u32], from: usize, best: &mut [usize]) -> usize {
        match self.hold {
            // Outside a strict funnel, events of other values never fill or break a held chain, so
            // each value's events are searched on their own, which keeps one person with many
            // values from costing the square of their events.
            Some(property) if self.kind != FunnelKind::Strict => self.furthest_by_value(property, journey, from, best),
            _ => self.furthest_of(journey, from, best),
        }
    }

    /// Searches the events of each value of the held `property` apart and keeps the chain that
    /// goes furthest, the earliest on ties, with its positions in the whole journey.
    fn furthest_by_value(&mut self, property: usize, journey: &[u32], from: usize, best: &mut [usize]) -> usize {
        let codes = &self.log.properties[property].codes;
        let mut by_value = std::mem::take(&mut self.by_value);
        by_value.clear();
        by_value.extend((from..journey.len()).filter_map(|position| {
            let code = codes[journey[position] as usize];
            (code != NONE).then_some((code, position as u32))
        }));
        by_value.sort_unstable();
        let mut part = std::mem::take(&mut self.part);
        let mut part_best = vec![0usize; self.steps.len()];
        self.hold = None;
        let (mut best_depth, mut best_start) = (0, usize::MAX);
        for group in by_value.chunk_by(|a, b| a.0 == b.0) {
            part.clear();
            part.extend(group.iter().map(|&(_, position)| journey[position as usize]));
            let depth = self.furthest_of(&part, 0, &mut part_best);
            let start = part_best[..depth].iter().map(|&at| group[at].1 as usize).min().unwrap_or(usize::MAX);
            if depth > best_depth || (depth == best_depth && depth > 0 && start < best_start) {
                best_depth = depth;
                best_start = start;
                for (slot, &at) in best.iter_mut().zip(&part_best[..depth]) {
                    *slot = group[at].1 as usize;
                }
            }
        }
        self.hold = Some(property);
        self.by_value = by_value;
        self.part = part;
        best_depth
    }

    /// Finds the furthest chain by trying each start in journey order.
    fn furthest_of(&mut self, journey: &[u32], from: usize, best: &mut [usize]) -> usize {
        let mut best_depth = 0;
        // Without any window the earliest start already reaches the furthest step, except in a
        // strict funnel, where an unrelated event right after a start can break its chain.
        // A held property makes each value a separate chain, so every start is tried then too.
        let first_start_suffices = self.window.is_none()
            && self.step_windows.iter().all(Option::is_none)
            && self.kind != FunnelKind::Strict
            && self.hold.is_none();
        // In an ordered funnel each step takes the earliest match after the previous one, so a
        // chain from a later start fills every step at the same event as this chain or later.
        // Once a chain ends with the journey rather than at the window's end, no later start
        // reaches further.
        let uncut_chain_suffices =
            self.kind == FunnelKind::Ordered && self.step_windows.iter().all(Option::is_none) && self.hold.is_none();
        for start in from..journey.len() {
            if !self.starts_at(journey, start) {
                continue;
            }
            let depth = self.chain_from(journey, start);
            if depth > best_depth {
                best_depth = depth;
                best[..depth].copy_from_slice(&self.chain[..depth]);
            }
            if best_depth == self.steps.len() || first_start_suffices || (uncut_chain_suffices && !self.window_cut) {
                break;
            }
        }
        best_depth
    }

    /// Builds the chain that starts at `start` into `chain` and returns the steps it reaches.
    /// The caller checks [`Search::starts_at`] first.
    pub fn chain_from(&mut self, journey: &[u32], start: usize) -> usize {
        self.chain_value = self.held_value(journey, start);
        match self.kind {
            FunnelKind::Ordered if self.step_windows.iter().any(Option::is_some) => self.ordered_with_step_windows(journey, start),
            FunnelKind::Ordered => self.ordered(journey, start),
            FunnelKind::Strict => self.strict(journey, start),
            FunnelKind::AnyOrder => self.any_order(journey, start),
        }
    }

    /// Returns the chain found by the last [`Search::chain_from`].
    pub fn chain(&self) -> &[usize] {
        &self.chain
    }

    /// Builds the chain in which each later step takes the earliest matching event after the
    /// previous step's event.
    fn ordered(&mut self, journey: &[u32], start: usize) -> usize {
        self.chain[0] = start;
        self.window_cut = false;
        let mut depth = 1;
        for position in start + 1..journey.len() {
            if depth == self.steps.len() {
                break;
            }
            if self.beyond_window(journey, start, position) {
                self.window_cut = true;
                break;
            }
            if self.step_matches(depth, journey, position) {
                self.chain[depth] = position;
                depth += 1;
            }
        }
        depth
    }

    /// With per-step windows the earliest match for a step can be too early for the next step's
    /// window, so each step keeps the latest event that reached it. Steps are updated from the
    /// last down, so one event never fills two steps of the same chain.
    fn ordered_with_step_windows(&mut self, journey: &[u32], start: usize) -> usize {
        let count = self.steps.len();
        self.latest.fill(None);
        self.latest[0] = Some(start);
        self.latest_chains[0] = start;
        self.chain[0] = start;
        let mut depth = 1;
        for position in start + 1..journey.len() {
            if depth == count || self.beyond_window(journey, start, position) {
                break;
            }
            for step in (1..count).rev() {
                let Some(previous) = self.latest[step - 1] else { continue };
                if !self.step_matches(step, journey, position) || !self.within_step_window(step, journey, previous, position) {
                    continue;
                }
                self.latest[step] = Some(position);
                self.latest_chains.copy_within((step - 1) * count..(step - 1) * count + step, step * count);
                self.latest_chains[step * count + step] = position;
                if step + 1 > depth {
                    depth = step + 1;
                    self.chain[..depth].copy_from_slice(&self.latest_chains[step * count..step * count + depth]);
                }
            }
        }
        depth
    }

    /// Each later step must be the very next event of the journey.
    fn strict(&mut self, journey: &[u32], start: usize) -> usize {
        self.chain[0] = start;
        let mut depth = 1;
        let mut position = start + 1;
        while depth < self.steps.len() && position < journey.len() {
            if self.beyond_window(journey, start, position)
                || !self.step_matches(depth, journey, position)
                || !self.within_step_window(depth, journey, position - 1, position)
            {
                break;
            }
            self.chain[depth] = position;
            depth += 1;
            position += 1;
        }
        depth
    }

    /// Finds the largest k such that steps 1..k can each take a different event of the span that
    /// begins at `start` and ends one window later (or at the journey's end), by bipartite
    /// matching. A step needs only its first `steps` candidates, because at most `steps - 1`
    /// other steps can hold one of them.
    fn any_order(&mut self, journey: &[u32], start: usize) -> usize {
        let count = self.steps.len();
        self.candidate_counts.fill(0);
        for position in start..journey.len() {
            if self.beyond_window(journey, start, position) {
                break;
            }
            for step in 0..count {
                if self.candidate_counts[step] < count && self.step_matches(step, journey, position) {
                    self.candidates[step * count + self.candidate_counts[step]] = position;
                    self.candidate_counts[step] += 1;
                }
            }
        }
        self.assigned.fill(None);
        let mut depth = 0;
        while depth < count {
            self.visited.fill(false);
            if !self.augment(depth) {
                break;
            }
            depth += 1;
        }
        for step in 0..depth {
            self.chain[step] = self.assigned[step].unwrap_or(start);
        }
        depth
    }

    /// Kuhn's augmenting path: gives `step` a candidate, moving other steps to free ones.
    fn augment(&mut self, step: usize) -> bool {
        let count = self.steps.len();
        for index in 0..self.candidate_counts[step] {
            let position = self.candidates[step * count + index];
            match self.assigned.iter().position(|held| *held == Some(position)) {
                None => {
                    self.assigned[step] = Some(position);
                    return true;
                }
                Some(owner) if !self.visited[owner] => {
                    // The owner's own position counts as taken while it looks for another.
                    self.visited[owner] = true;
                    if self.augment(owner) {
                        self.assigned[step] = Some(position);
                        return true;
                    }
                }
                Some(_) => {}
            }
        }
        false
    }

    /// Checks whether an exclusion event falls inside an exclusion interval of the chain `chain`, which
    /// reached `depth` steps. For steps a and b the interval runs from the event of step a to the
    /// event of step b, both excluded. When the chain never reached step b, it runs to the end of
    /// the window from the chain's first event, or to the journey's end without a window. A chain
    /// that never reached step a is not excluded.
    pub fn excluded(&self, journey: &[u32], chain: &[usize], depth: usize) -> bool {
        let first = chain[..depth].iter().copied().min().unwrap_or(0);
        self.exclusions.iter().any(|exclusion| {
            let (a, b) = exclusion.between;
            if depth <= a {
                return false;
            }
            let (from, to) = if depth > b {
                (chain[a].min(chain[b]), chain[a].max(chain[b]))
            } else {
                (chain[a], journey.len())
            };
            (from + 1..to)
                .take_while(|&position| !self.beyond_window(journey, first, position))
                .any(|position| exclusion.matcher.matches(self.log, journey[position] as usize))
        })
    }
}
