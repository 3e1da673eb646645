//! Paths: the most frequent journeys, for converters and for everyone else.
//!
//! A path is a person's steps in journey order. A step's label is the event name, or the value of
//! a chosen column such as `page`, after the cleaning rules: the user's regex rewrites, then, with
//! `clean_urls`, every id-like URL segment replaced by `*`. Then runs of the same label
//! (`/home, /home`) collapse into one step unless `collapse_repeats` is false, so steps are
//! numbered after collapsing. A path can cover only part of a journey: after an event, before an
//! event, between two funnel steps, or after the step where a person left the funnel.

use regex::Regex;
use rustc_hash::FxHashMap as HashMap;

use serde::{Deserialize, Serialize};

use super::funnel::{self, FunnelOptions};
use super::{unknown_event, Conversion};
use crate::error::Error;
use crate::model::{EventLog, Journeys, NONE};
use crate::sorting;

/// The largest `top` accepted, to keep the report small.
pub const MAX_TOP: usize = 200;

/// The maximum number of cleaning rules.
pub const MAX_RULES: usize = 50;
/// The maximum number of steps listed for one path. A journey of thousands of events would
/// otherwise put thousands of names in the report for each listed path.
pub const MAX_PATH_STEPS: usize = 100;

/// Options for path counting, shared by the Sankey diagram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PathsOptions {
    pub collapse_repeats: bool,
    /// How many of the most frequent paths to list per group.
    pub top: usize,
    /// The column whose value labels each step, such as `page`; `None` for the event name. An
    /// event with no value in the column keeps its event name.
    pub label_column: Option<String>,
    /// Regex rewrites applied in order to every label.
    pub rules: Vec<CleaningRule>,
    /// Replaces id-like URL segments (all digits, a UUID, or 16 or more hex digits) with `*`.
    pub clean_urls: bool,
    /// Paths start after the person's first event of this name.
    pub start_after: Option<String>,
    /// Paths end before the first event of this name after the start.
    pub end_before: Option<String>,
    /// Two funnel steps, counted from 1: paths run from after the event that filled the first
    /// to before the event that filled the second.
    pub between_steps: Option<[usize; 2]>,
    /// A funnel step, counted from 1: the paths of the people whose furthest step it is, from
    /// after the event that filled it to the end of the journey.
    pub after_drop_off: Option<usize>,
}

impl PathsOptions {
    /// Returns true when the scope names funnel steps, so the paths depend on the funnel.
    pub fn reads_funnel(&self) -> bool {
        self.between_steps.is_some() || self.after_drop_off.is_some()
    }
}

impl Default for PathsOptions {
    fn default() -> PathsOptions {
        PathsOptions {
            collapse_repeats: true,
            top: 10,
            label_column: None,
            rules: Vec::new(),
            clean_urls: false,
            start_after: None,
            end_before: None,
            between_steps: None,
            after_drop_off: None,
        }
    }
}

/// A regex rewrite of step labels, in the syntax of the Rust `regex` crate. `replacement` may
/// name groups as `$1` or `${name}`; every match in the label is replaced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CleaningRule {
    pub pattern: String,
    pub replacement: String,
}

/// One path and how many people followed it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathCount {
    /// The path's first [`MAX_PATH_STEPS`] steps.
    pub steps: Vec<String>,
    /// Steps after the first [`MAX_PATH_STEPS`], left out of `steps` to keep the report small;
    /// 0 for a path that is listed whole.
    pub omitted_steps: u64,
    pub people: u64,
    /// Share of the group's people.
    pub share: f64,
}

/// The paths of one group of people.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PathGroup {
    pub people: u64,
    /// Distinct paths in the group.
    pub distinct: u64,
    pub top: Vec<PathCount>,
}

/// The paths part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathsReport {
    pub collapse_repeats: bool,
    /// The part of each journey that paths cover, in a sentence.
    pub scope: String,
    /// People left out because their journey has no part in scope, such as no `start_after`
    /// event or an empty stretch between the two events.
    pub out_of_scope: u64,
    pub converters: PathGroup,
    pub non_converters: PathGroup,
}

/// Every person's path as label ids, with the event that entered each step. The steps of all
/// people share two blocks, because a block per person would cost more than the steps themselves.
pub struct PathSet {
    labels: Vec<String>,
    /// The part of each journey in scope, in a sentence.
    pub scope: String,
    /// The label id of every step, person after person.
    steps: Vec<u32>,
    /// The log index of the first event of every step, beside `steps`.
    entered: Vec<u32>,
    /// The end of each person's steps in `steps`. A person out of scope has none.
    ends: Vec<u32>,
}

/// One person's steps, borrowed from a [`PathSet`].
#[derive(Debug, Clone, Copy)]
pub struct PathSteps<'a> {
    pub labels: &'a [u32],
    /// The log index of the first event of each step.
    pub events: &'a [u32],
}

impl PathSet {
    /// Returns the text of a label id.
    pub fn label(&self, id: u32) -> &str {
        self.labels.get(id as usize).map_or("", String::as_str)
    }

    /// Returns the steps of `person`, or `None` for a person out of scope.
    pub fn path(&self, person: usize) -> Option<PathSteps<'_>> {
        let start = person.checked_sub(1).map_or(0, |before| self.ends[before] as usize);
        let end = *self.ends.get(person)? as usize;
        // A person in scope has at least one step, because their range of events is not empty.
        (start < end).then(|| PathSteps { labels: &self.steps[start..end], events: &self.entered[start..end] })
    }

    /// Returns every person's steps in person order, `None` for those out of scope.
    pub fn paths(&self) -> impl Iterator<Item = Option<PathSteps<'_>>> {
        (0..self.ends.len()).map(|person| self.path(person))
    }

    /// Builds every person's path under the labelling, cleaning and scope options.
    pub fn build(log: &EventLog, journeys: &Journeys, options: &PathsOptions, funnel: &FunnelOptions) -> Result<PathSet, Error> {
        let mut labeller = Labeller::new(log, options)?;
        let scope = Scope::new(log, journeys, options, funnel)?;
        // Each step is one event of a journey, and the journeys hold each event once at most, so
        // the log's length bounds the steps.
        let mut steps: Vec<u32> = Vec::with_capacity(log.len());
        let mut entered: Vec<u32> = Vec::with_capacity(log.len());
        let mut ends = Vec::with_capacity(journeys.people());
        for person in 0..journeys.people() {
            let journey = journeys.journey(person);
            if let Some(range) = scope.range(log, journey, person).filter(|range| !range.is_empty()) {
                let first = steps.len();
                for &at in &journey[range] {
                    let label = labeller.label(log, at as usize);
                    if options.collapse_repeats && steps.len() > first && steps.last() == Some(&label) {
                        continue;
                    }
                    steps.push(label);
                    entered.push(at);
                }
            }
            // Steps are events of the log, whose indexes are 32-bit.
            ends.push(steps.len() as u32);
        }
        Ok(PathSet { labels: labeller.labels, scope: scope.describe(options), steps, entered, ends })
    }
}

/// Turns events into cleaned label ids, caching each source value's label.
pub(crate) struct Labeller {
    column: Option<usize>,
    rules: Vec<(Regex, String)>,
    clean_urls: bool,
    pub(crate) labels: Vec<String>,
    ids: HashMap<String, u32>,
    /// Label ids by event-name id and by column value id.
    by_event: HashMap<u32, u32>,
    by_value: HashMap<u32, u32>,
}

impl Labeller {
    pub(crate) fn new(log: &EventLog, options: &PathsOptions) -> Result<Labeller, Error> {
        let column = match options.label_column.as_deref().map(str::trim).filter(|name| !name.is_empty()) {
            None => None,
            Some(name) => Some(log.find_property(name).ok_or_else(|| {
                let known: Vec<&str> = log.properties.iter().map(|property| property.name.as_str()).collect();
                Error::Options(format!(
                    "The path label column \"{name}\" is not a loaded column. Columns kept beside the events: {}.",
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ))
            })?),
        };
        if options.rules.len() > MAX_RULES {
            return Err(Error::Options(format!("At most {MAX_RULES} path cleaning rules are accepted, not {}.", options.rules.len())));
        }
        let rules = options
            .rules
            .iter()
            .enumerate()
            .map(|(index, rule)| {
                Regex::new(&rule.pattern).map(|regex| (regex, rule.replacement.clone())).map_err(|error| {
                    Error::Options(format!("The pattern of path cleaning rule {} is an invalid regular expression: {error}", index + 1))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Labeller {
            column,
            rules,
            clean_urls: options.clean_urls,
            labels: Vec::new(),
            ids: HashMap::default(),
            by_event: HashMap::default(),
            by_value: HashMap::default(),
        })
    }

    pub(crate) fn label(&mut self, log: &EventLog, at: usize) -> u32 {
        let value = self.column.map_or(NONE, |column| log.properties[column].codes[at]);
        if value != NONE {
            if let Some(&id) = self.by_value.get(&value) {
                return id;
            }
            let column = self.column.unwrap_or_default();
            let id = self.intern(log.properties[column].values.name(value));
            self.by_value.insert(value, id);
            return id;
        }
        let event = log.event[at];
        if let Some(&id) = self.by_event.get(&event) {
            return id;
        }
        let id = self.intern(log.event_names.name(event));
        self.by_event.insert(event, id);
        id
    }

    /// Cleans `raw` and returns the id of the cleaned label.
    fn intern(&mut self, raw: &str) -> u32 {
        let mut text = raw.to_string();
        for (regex, replacement) in &self.rules {
            text = regex.replace_all(&text, replacement.as_str()).into_owned();
        }
        if self.clean_urls {
            text = wildcard_ids(&text);
        }
        if let Some(&id) = self.ids.get(&text) {
            return id;
        }
        let id = self.labels.len() as u32;
        self.labels.push(text.clone());
        self.ids.insert(text, id);
        id
    }
}

/// Replaces each id-like segment of a URL path with `*`: all digits, a UUID (8-4-4-4-12 hex
/// digits), or 16 or more hex digits. A query string or fragment is kept unchanged.
pub fn wildcard_ids(url: &str) -> String {
    let split = url.find(['?', '#']).unwrap_or(url.len());
    let (path, rest) = url.split_at(split);
    let segments: Vec<&str> = path.split('/').map(|segment| if is_id_like(segment) { "*" } else { segment }).collect();
    segments.join("/") + rest
}

fn is_id_like(segment: &str) -> bool {
    if segment.is_empty() {
        return false;
    }
    let hex = |text: &str| text.chars().all(|c| c.is_ascii_hexdigit());
    if segment.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    let groups: Vec<&str> = segment.split('-').collect();
    let uuid = groups.len() == 5 && groups.iter().map(|group| group.len()).eq([8, 4, 4, 4, 12]) && groups.iter().all(|group| hex(group));
    uuid || (segment.len() >= 16 && hex(segment))
}

/// The part of each journey that paths cover.
enum Scope {
    Events { start_after: Option<u32>, end_before: Option<u32> },
    Between { chains: Vec<Vec<usize>>, from: usize, to: usize },
    AfterDropOff { chains: Vec<Vec<usize>>, step: usize },
}

impl Scope {
    fn new(log: &EventLog, journeys: &Journeys, options: &PathsOptions, funnel: &FunnelOptions) -> Result<Scope, Error> {
        let by_events = options.start_after.is_some() || options.end_before.is_some();
        let modes = usize::from(by_events) + usize::from(options.between_steps.is_some()) + usize::from(options.after_drop_off.is_some());
        if modes > 1 {
            return Err(Error::Options(
                "Choose one path scope: start_after and end_before, between_steps, or after_drop_off.".to_string(),
            ));
        }
        let steps = funnel.steps.len();
        let check_step = |step: usize, what: &str| {
            if step == 0 || step > steps {
                Err(Error::Options(format!("The path option {what} names funnel step {step}, but the funnel has {steps} steps.")))
            } else {
                Ok(())
            }
        };
        if let Some([from, to]) = options.between_steps {
            check_step(from, "between_steps")?;
            check_step(to, "between_steps")?;
            if from >= to {
                return Err(Error::Options(format!("The path option between_steps needs an earlier step first, not {from} then {to}.")));
            }
            return Ok(Scope::Between { chains: funnel::person_chains(log, journeys, funnel)?, from: from - 1, to: to - 1 });
        }
        if let Some(step) = options.after_drop_off {
            check_step(step, "after_drop_off")?;
            if step == steps {
                return Err(Error::Options(format!("Nobody drops off after the last funnel step ({step}); choose an earlier step.")));
            }
            return Ok(Scope::AfterDropOff { chains: funnel::person_chains(log, journeys, funnel)?, step: step - 1 });
        }
        let event = |name: &Option<String>| -> Result<Option<u32>, Error> {
            match name.as_deref().map(str::trim).filter(|name| !name.is_empty()) {
                None => Ok(None),
                Some(name) => log.event_names.get(name).map(Some).ok_or_else(|| unknown_event(log, name)),
            }
        };
        Ok(Scope::Events { start_after: event(&options.start_after)?, end_before: event(&options.end_before)? })
    }

    /// Returns the positions of `journey` in scope, or `None` when the person is out of scope.
    fn range(&self, log: &EventLog, journey: &[u32], person: usize) -> Option<std::ops::Range<usize>> {
        let find = |event: u32, from: usize| (from..journey.len()).find(|&position| log.event[journey[position] as usize] == event);
        match self {
            Scope::Events { start_after, end_before } => {
                let start = match start_after {
                    None => 0,
                    Some(event) => find(*event, 0)? + 1,
                };
                let end = match end_before {
                    None => journey.len(),
                    Some(event) => find(*event, start)?,
                };
                Some(start..end)
            }
            Scope::Between { chains, from, to } => {
                let chain = &chains[person];
                (chain.len() > *to).then(|| chain[*from] + 1..chain[*to])
            }
            Scope::AfterDropOff { chains, step } => {
                let chain = &chains[person];
                (chain.len() == step + 1).then(|| chain[*step] + 1..journey.len())
            }
        }
    }

    fn describe(&self, options: &PathsOptions) -> String {
        match self {
            Scope::Events { start_after: None, end_before: None } => "Whole journeys.".to_string(),
            Scope::Events { .. } => {
                let mut parts = Vec::new();
                if let Some(name) = &options.start_after {
                    parts.push(format!("after the first \"{}\"", name.trim()));
                }
                if let Some(name) = &options.end_before {
                    parts.push(format!("before the next \"{}\"", name.trim()));
                }
                format!("The events {}; people without them are left out.", parts.join(" and "))
            }
            Scope::Between { from, to, .. } => {
                format!("The events between funnel steps {} and {}, for the people who reached step {}.", from + 1, to + 1, to + 1)
            }
            Scope::AfterDropOff { step, .. } => {
                format!("The events after funnel step {}, for the people who reached it and not step {}.", step + 1, step + 2)
            }
        }
    }
}

/// Counts the paths of converters and non-converters.
pub fn compute(set: &PathSet, conversion: &Conversion, options: &PathsOptions) -> Result<PathsReport, Error> {
    if options.top == 0 || options.top > MAX_TOP {
        return Err(Error::Options(format!("The number of top paths must be between 1 and {MAX_TOP}, not {}.", options.top)));
    }
    let mut counts: [HashMap<&[u32], u64>; 2] = [HashMap::default(), HashMap::default()];
    let mut people = [0u64; 2];
    let mut out_of_scope = 0;
    for (person, path) in set.paths().enumerate() {
        let Some(path) = path else {
            out_of_scope += 1;
            continue;
        };
        let group = usize::from(!conversion.converted(person));
        people[group] += 1;
        *counts[group].entry(path.labels).or_insert(0) += 1;
    }
    let [converters, non_converters] = counts;
    Ok(PathsReport {
        collapse_repeats: options.collapse_repeats,
        scope: set.scope.clone(),
        out_of_scope,
        converters: group_report(set, converters, people[0], options.top),
        non_converters: group_report(set, non_converters, people[1], options.top),
    })
}

fn group_report(set: &PathSet, counts: HashMap<&[u32], u64>, people: u64, top: usize) -> PathGroup {
    let distinct = counts.len() as u64;
    let top = rank_paths(counts, people, top, |id| set.label(id));
    PathGroup { people, distinct, top }
}

/// Returns the `top` most frequent paths of a group of `people`, with `name` giving each step's
/// label. Equal counts are ordered by their labels.
pub(crate) fn rank_paths<'a>(counts: HashMap<&[u32], u64>, people: u64, top: usize, name: impl Fn(u32) -> &'a str) -> Vec<PathCount> {
    let mut ranked: Vec<(&[u32], u64)> = counts.into_iter().collect();
    // Most people first, and equal counts ordered by their names. The names are compared without
    // copying them, because a log of distinct journeys has as many paths as people.
    let order = |a: &(&[u32], u64), b: &(&[u32], u64)| b.1.cmp(&a.1).then_with(|| a.0.iter().map(|&id| name(id)).cmp(b.0.iter().map(|&id| name(id))));
    if top > 0 && ranked.len() > top {
        ranked.select_nth_unstable_by(top - 1, order);
        ranked.truncate(top);
    }
    sorting::sort_by(&mut ranked, order);
    ranked
        .into_iter()
        .take(top)
        .map(|(path, count)| PathCount {
            steps: path.iter().take(MAX_PATH_STEPS).map(|&id| name(id).to_string()).collect(),
            omitted_steps: path.len().saturating_sub(MAX_PATH_STEPS) as u64,
            people: count,
            share: count as f64 / people.max(1) as f64,
        })
        .collect()
}

/// Fills `path` with one journey's event ids, collapsing runs when asked.
pub fn journey_path(log: &EventLog, journey: &[u32], collapse_repeats: bool, path: &mut Vec<u32>) {
    path.clear();
    for &at in journey {
        let event = log.event[at as usize];
        if collapse_repeats && path.last() == Some(&event) {
            continue;
        }
        path.push(event);
    }
}

/// Counts distinct whole journeys, every event kept (the "variants" of process mining).
pub fn distinct_journeys(log: &EventLog, journeys: &Journeys) -> u64 {
    let mut seen: HashMap<Vec<u32>, ()> = HashMap::default();
    let mut path = Vec::new();
    for person in 0..journeys.people() {
        journey_path(log, journeys.journey(person), false, &mut path);
        if !seen.contains_key(&path) {
            seen.insert(path.clone(), ());
        }
    }
    seen.len() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::funnel::FunnelStep;
    use crate::model::identity::IdentityKind;
    use crate::model::NewEvent;

    /// Builds a log from (person, minute, event, page) rows; an empty page is no value.
    fn build(rows: &[(&str, i64, &str, &str)]) -> (EventLog, Journeys) {
        let mut log = EventLog::default();
        let page = log.property_index("page");
        for (row, &(person, minute, event, value)) in rows.iter().enumerate() {
            let person = log.identifier(person, IdentityKind::UserId);
            let new = NewEvent { person, time: minute * 60_000, event, channel: None, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: row as u32 + 2 };
            log.push(new, [(page, value)]);
        }
        let journeys = Journeys::build(&log);
        (log, journeys)
    }

    fn paths_of(rows: &[(&str, i64, &str, &str)], options: &PathsOptions, funnel: &FunnelOptions) -> Result<PathsReport, Error> {
        let (log, journeys) = build(rows);
        let conversion = Conversion::find(&log, &journeys, None).unwrap();
        compute(&PathSet::build(&log, &journeys, options, funnel)?, &conversion, options)
    }

    fn top(report: &PathsReport) -> Vec<(Vec<String>, u64)> {
        report.non_converters.top.iter().map(|path| (path.steps.clone(), path.people)).collect()
    }

    fn steps(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    fn funnel(names: &[&str]) -> FunnelOptions {
        FunnelOptions { steps: names.iter().map(|name| FunnelStep { event: name.to_string(), ..FunnelStep::default() }).collect(), ..FunnelOptions::default() }
    }

    #[test]
    fn id_segments_become_wildcards() {
        assert_eq!(wildcard_ids("/account/8812/settings"), "/account/*/settings");
        assert_eq!(wildcard_ids("/o/123e4567-e89b-12d3-a456-426614174000/items?page=2"), "/o/*/items?page=2");
        assert_eq!(wildcard_ids("/c/0123456789abcdef0/x"), "/c/*/x");
        assert_eq!(wildcard_ids("/blog/cafe/2024-review"), "/blog/cafe/2024-review");
    }

    #[test]
    fn collapse_after_cleaning() {
        let rows = [("u1", 0, "view", "/a/1"), ("u1", 1, "view", "/a/2"), ("u1", 2, "view", "/b")];
        let options = PathsOptions { label_column: Some("page".into()), clean_urls: true, ..PathsOptions::default() };
        let report = paths_of(&rows, &options, &FunnelOptions::default()).unwrap();
        assert_eq!(top(&report), [(steps(&["/a/*", "/b"]), 1)]);
    }

    #[test]
    fn regex_rules_rewrite_labels() {
        let rows = [("u1", 0, "view", "/Pricing?ref=x"), ("u2", 0, "view", "/pricing")];
        let rules = vec![CleaningRule { pattern: r"\?.*$".into(), replacement: String::new() }, CleaningRule { pattern: "(?i)^/pricing".into(), replacement: "/pricing".into() }];
        let options = PathsOptions { label_column: Some("page".into()), rules, ..PathsOptions::default() };
        let report = paths_of(&rows, &options, &FunnelOptions::default()).unwrap();
        assert_eq!(top(&report), [(steps(&["/pricing"]), 2)]);
        let bad = PathsOptions { rules: vec![CleaningRule { pattern: "(".into(), replacement: String::new() }], ..PathsOptions::default() };
        let error = paths_of(&rows, &bad, &FunnelOptions::default()).unwrap_err().to_string();
        assert!(error.contains("rule 1 is an invalid regular expression"), "{error}");
    }

    #[test]
    fn missing_column_value_keeps_event_name() {
        let rows = [("u1", 0, "view", "/a"), ("u1", 1, "signup", "")];
        let options = PathsOptions { label_column: Some("page".into()), ..PathsOptions::default() };
        let report = paths_of(&rows, &options, &FunnelOptions::default()).unwrap();
        assert_eq!(top(&report), [(steps(&["/a", "signup"]), 1)]);
    }

    #[test]
    fn start_after_and_end_before() {
        let rows = [("u1", 0, "a", ""), ("u1", 1, "login", ""), ("u1", 2, "b", ""), ("u1", 3, "buy", ""), ("u1", 4, "c", ""), ("u2", 0, "a", "")];
        let options = PathsOptions { start_after: Some("login".into()), end_before: Some("buy".into()), ..PathsOptions::default() };
        let report = paths_of(&rows, &options, &FunnelOptions::default()).unwrap();
        assert_eq!(top(&report), [(steps(&["b"]), 1)]);
        assert_eq!(report.out_of_scope, 1);
    }

    #[test]
    fn between_steps_and_after_drop_off() {
        let rows = [
            ("u1", 0, "cart", ""), ("u1", 1, "help", ""), ("u1", 2, "pay", ""), ("u1", 3, "done", ""),
            ("u2", 0, "cart", ""), ("u2", 1, "leave", ""),
        ];
        let between = PathsOptions { between_steps: Some([1, 2]), ..PathsOptions::default() };
        let report = paths_of(&rows, &between, &funnel(&["cart", "pay"])).unwrap();
        assert_eq!(top(&report), [(steps(&["help"]), 1)]);
        let after = PathsOptions { after_drop_off: Some(1), ..PathsOptions::default() };
        let report = paths_of(&rows, &after, &funnel(&["cart", "pay"])).unwrap();
        assert_eq!(top(&report), [(steps(&["leave"]), 1)]);
        let error = paths_of(&rows, &after, &FunnelOptions::default()).unwrap_err().to_string();
        assert!(error.contains("funnel has 0 steps"), "{error}");
    }
}
