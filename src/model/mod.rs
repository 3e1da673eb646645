//! The event model: every event in one columnar [`EventLog`], and each person's events in time
//! order as [`Journeys`].

pub mod duplicates;
pub mod identity;
pub mod packed;

use rustc_hash::FxHashMap as HashMap;

use identity::IdentityLinks;

/// Marks a missing interned value (no channel, no property value).
pub const NONE: u32 = u32::MAX;

/// Stores each distinct string once and hands out dense `u32` ids in first-seen order.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

/// An interner is stored as its strings in id order, and the ids are found again on reading.
impl serde::Serialize for Interner {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.names.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Interner {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Interner, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        let ids = names.iter().enumerate().map(|(id, name)| (name.clone(), id as u32)).collect::<HashMap<_, _>>();
        if ids.len() != names.len() {
            return Err(serde::de::Error::custom("an interned string appears twice"));
        }
        Ok(Interner { names, ids })
    }
}

impl Interner {
    /// Returns the id of `name`, adding it when it is new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// Returns the string behind `id`, or "" for [`NONE`] and unknown ids.
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A column of the input kept beside the events, such as `page`, for step filters.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Property {
    pub name: String,
    pub values: Interner,
    /// One code per event: an id in `values`, or [`NONE`] where the event's file has no such
    /// column or the cell is empty.
    #[serde(with = "packed")]
    pub codes: Vec<u32>,
}

/// Every event of every loaded file, one entry per event in each column.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct EventLog {
    /// Every identifier while files are read. After [`identity::merge`], one displayed id per
    /// person.
    pub people: Interner,
    /// Links between identifiers found while reading, consumed by [`identity::merge`].
    pub identity: IdentityLinks,
    pub event_names: Interner,
    pub channels: Interner,
    #[serde(with = "packed")]
    pub person: Vec<u32>,
    /// Milliseconds since 1970-01-01T00:00:00Z.
    #[serde(with = "packed")]
    pub time: Vec<i64>,
    #[serde(with = "packed")]
    pub event: Vec<u32>,
    /// An id in `channels`, or [`NONE`].
    #[serde(with = "packed")]
    pub channel: Vec<u32>,
    /// Revenue or value; NaN where there is none.
    #[serde(with = "packed")]
    pub value: Vec<f64>,
    /// The ordinal column's number, which orders events with equal times, or infinity where there
    /// is none. Empty while no file has an ordinal column.
    #[serde(with = "packed")]
    pub ordinal: Vec<f64>,
    /// True where the time was a date without a time of day (midnight in the load's zone).
    #[serde(with = "packed")]
    pub date_only: Vec<bool>,
    /// Index of the source file, for drill-down and messages.
    #[serde(with = "packed")]
    pub file: Vec<u16>,
    /// The name of each source file, by index; empty where the log was not read from files.
    pub file_names: Vec<String>,
    /// Spreadsheet row of the source line (the header is row 1).
    #[serde(with = "packed")]
    pub row: Vec<u32>,
    pub properties: Vec<Property>,
    /// Index of each property in `properties`, by name. Not stored: [`EventLog::index_properties`]
    /// builds it again after a log is read back.
    #[serde(skip)]
    property_ids: HashMap<String, usize>,
}

/// One event as the reader hands it to [`EventLog::push`].
#[derive(Debug, Clone, Copy)]
pub struct NewEvent<'a> {
    /// An id from [`EventLog::identifier`].
    pub person: u32,
    pub time: i64,
    pub event: &'a str,
    pub channel: Option<&'a str>,
    pub value: f64,
    pub ordinal: Option<f64>,
    /// The time was a date without a time of day.
    pub date_only: bool,
    pub file: u16,
    pub row: u32,
}

impl EventLog {
    pub fn len(&self) -> usize {
        self.person.len()
    }

    pub fn is_empty(&self) -> bool {
        self.person.is_empty()
    }

    /// Returns the index of the property column `name`, if any file has it.
    pub fn find_property(&self, name: &str) -> Option<usize> {
        self.property_ids.get(name).copied()
    }

    /// Returns true when every column has one entry per event and every id points into its
    /// interner, as a log read back from its stored form must before it is used.
    pub fn is_consistent(&self) -> bool {
        let events = self.len();
        let within = |ids: &[u32], interner: &Interner| ids.iter().all(|&id| id == NONE || (id as usize) < interner.len());
        [self.time.len(), self.event.len(), self.channel.len(), self.value.len(), self.date_only.len(), self.file.len(), self.row.len()]
            .iter()
            .all(|&length| length == events)
            && (self.ordinal.is_empty() || self.ordinal.len() == events)
            && self.person.iter().all(|&person| (person as usize) < self.people.len())
            && within(&self.event, &self.event_names)
            && !self.event.contains(&NONE)
            && within(&self.channel, &self.channels)
            && self.properties.iter().all(|property| property.codes.len() == events && within(&property.codes, &property.values))
            && (self.identity.is_consistent(self.people.len()) || self.identity.is_consistent(0))
    }

    /// Indexes the property columns by name, as a log read back from its stored form needs.
    pub fn index_properties(&mut self) {
        self.property_ids = self.properties.iter().enumerate().map(|(at, property)| (property.name.clone(), at)).collect();
    }

    /// Returns the index of the property column `name`, adding an empty one when it is new.
    pub fn property_index(&mut self, name: &str) -> usize {
        if let Some(&at) = self.property_ids.get(name) {
            return at;
        }
        self.property_ids.insert(name.to_string(), self.properties.len());
        self.properties.push(Property {
            name: name.to_string(),
            values: Interner::default(),
            codes: vec![NONE; self.len()],
        });
        self.properties.len() - 1
    }

    /// Appends one event with its property cells, given as (property index, value) pairs.
    pub fn push<'c>(&mut self, event: NewEvent<'_>, cells: impl IntoIterator<Item = (usize, &'c str)>) {
        if event.ordinal.is_some() && self.ordinal.is_empty() {
            self.ordinal = vec![f64::INFINITY; self.len()];
        }
        if event.ordinal.is_some() || !self.ordinal.is_empty() {
            self.ordinal.push(event.ordinal.unwrap_or(f64::INFINITY));
        }
        self.person.push(event.person);
        self.time.push(event.time);
        self.date_only.push(event.date_only);
        self.event.push(self.event_names.intern(event.event));
        self.channel.push(event.channel.map_or(NONE, |name| self.channels.intern(name)));
        self.value.push(event.value);
        self.file.push(event.file);
        self.row.push(event.row);
        for property in &mut self.properties {
            property.codes.push(NONE);
        }
        let last = self.len() - 1;
        for (at, value) in cells {
            if value.is_empty() {
                continue;
            }
            if let Some(property) = self.properties.get_mut(at) {
                property.codes[last] = property.values.intern(value);
            }
        }
    }
}

impl EventLog {
    /// Appends the events of `part`, read on its own from the rows after this log's, with its rows
    /// moved down by `row_shift`. Identifiers, names and values keep the ids they would have had
    /// if the part's rows had been pushed here one by one, and the part's identity links carry
    /// over.
    pub fn append(&mut self, mut part: EventLog, row_shift: u64) {
        let shift_row = |row: u32| (u64::from(row) + row_shift).min(u64::from(u32::MAX)) as u32;
        if self.is_empty() && self.people.is_empty() && self.properties.is_empty() && self.file_names.is_empty() {
            if row_shift > 0 {
                part.row.iter_mut().for_each(|row| *row = shift_row(*row));
            }
            *self = part;
            return;
        }

        let before = self.len();
        // Grows each column once, by the part's length, rather than by doubling.
        self.reserve(part.len());
        let people: Vec<u32> = (0..part.people.len() as u32)
            .map(|id| {
                let kind = part.identity.kind(id);
                match kind {
                    Some(kind) => self.identifier(part.people.name(id), kind),
                    None => self.people.intern(part.people.name(id)),
                }
            })
            .collect();
        for (id, root) in part.identity.links() {
            self.link(people[id as usize], people[root as usize]);
        }
        let names: Vec<u32> = (0..part.event_names.len() as u32).map(|id| self.event_names.intern(part.event_names.name(id))).collect();
        let channels: Vec<u32> = (0..part.channels.len() as u32).map(|id| self.channels.intern(part.channels.name(id))).collect();
        // Each of the part's columns, found or added while this log still has its own events only.
        let part_properties: Vec<(usize, Property)> = std::mem::take(&mut part.properties)
            .into_iter()
            .map(|property| (self.property_index(&property.name), property))
            .collect();

        if !part.ordinal.is_empty() && self.ordinal.is_empty() {
            self.ordinal = vec![f64::INFINITY; before];
        }
        if !self.ordinal.is_empty() {
            if part.ordinal.is_empty() {
                self.ordinal.resize(before + part.len(), f64::INFINITY);
            } else {
                self.ordinal.extend_from_slice(&part.ordinal);
            }
        }
        self.person.extend(part.person.iter().map(|&person| people[person as usize]));
        self.time.extend_from_slice(&part.time);
        self.date_only.extend_from_slice(&part.date_only);
        self.event.extend(part.event.iter().map(|&event| names[event as usize]));
        self.channel.extend(part.channel.iter().map(|&channel| if channel == NONE { NONE } else { channels[channel as usize] }));
        self.value.extend_from_slice(&part.value);
        self.file.extend_from_slice(&part.file);
        self.row.extend(part.row.iter().map(|&row| shift_row(row)));

        for (at, codes) in part_properties {
            let values = &mut self.properties[at].values;
            let mapped: Vec<u32> = (0..codes.values.len() as u32).map(|code| values.intern(codes.values.name(code))).collect();
            self.properties[at].codes.extend(codes.codes.iter().map(|&code| if code == NONE { NONE } else { mapped[code as usize] }));
        }
        // Columns that the part has not got are empty for its events.
        let after = self.len();
        for property in &mut self.properties {
            property.codes.resize(after, NONE);
        }
    }

    /// Removes the events whose index is in `removed` from every column.
    pub fn remove_events(&mut self, removed: &[u32]) {
        if removed.is_empty() {
            return;
        }
        let mut keep = vec![true; self.len()];
        for &index in removed {
            if let Some(slot) = keep.get_mut(index as usize) {
                *slot = false;
            }
        }
        retain(&mut self.person, &keep);
        retain(&mut self.time, &keep);
        retain(&mut self.date_only, &keep);
        retain(&mut self.event, &keep);
        retain(&mut self.channel, &keep);
        retain(&mut self.value, &keep);
        if !self.ordinal.is_empty() {
            retain(&mut self.ordinal, &keep);
        }
        retain(&mut self.file, &keep);
        retain(&mut self.row, &keep);
        for property in &mut self.properties {
            retain(&mut property.codes, &keep);
        }
    }
}

impl EventLog {
    /// Reserves room for `additional` more events in every column, so that a large file's columns
    /// grow once instead of doubling again and again.
    pub fn reserve(&mut self, additional: usize) {
        self.person.reserve_exact(additional);
        self.time.reserve_exact(additional);
        self.date_only.reserve_exact(additional);
        self.event.reserve_exact(additional);
        self.channel.reserve_exact(additional);
        self.value.reserve_exact(additional);
        if !self.ordinal.is_empty() {
            self.ordinal.reserve_exact(additional);
        }
        self.file.reserve_exact(additional);
        self.row.reserve_exact(additional);
        for property in &mut self.properties {
            property.codes.reserve_exact(additional);
        }
    }

    /// Counts the events that fit in the columns before they grow.
    pub fn spare(&self) -> usize {
        self.time.capacity() - self.time.len()
    }

    /// True when the next event would make the columns grow.
    pub fn is_full(&self) -> bool {
        self.time.len() == self.time.capacity()
    }

    /// Rearranges every event column so that event `i` is the one that was at `order[i]`. `order`
    /// must contain each event index once.
    pub fn reorder(&mut self, order: &[u32]) {
        fn gather<T: Copy>(column: &mut Vec<T>, order: &[u32]) {
            if !column.is_empty() {
                *column = order.iter().map(|&at| column[at as usize]).collect();
            }
        }
        gather(&mut self.person, order);
        gather(&mut self.time, order);
        gather(&mut self.date_only, order);
        gather(&mut self.event, order);
        gather(&mut self.channel, order);
        gather(&mut self.value, order);
        gather(&mut self.ordinal, order);
        gather(&mut self.file, order);
        gather(&mut self.row, order);
        for property in &mut self.properties {
            gather(&mut property.codes, order);
        }
    }

    /// Frees the spare capacity of every event column, which the doubling of a growing `Vec`
    /// leaves at up to half of each column. Called once reading and duplicate removal are done.
    pub fn shrink_to_fit(&mut self) {
        self.person.shrink_to_fit();
        self.time.shrink_to_fit();
        self.date_only.shrink_to_fit();
        self.event.shrink_to_fit();
        self.channel.shrink_to_fit();
        self.value.shrink_to_fit();
        self.ordinal.shrink_to_fit();
        self.file.shrink_to_fit();
        self.row.shrink_to_fit();
        for property in &mut self.properties {
            property.codes.shrink_to_fit();
        }
    }
}

/// Counts date-only events that fall on the same day as a timed event of the same person. Their
/// order against that event is unknown: the date-only event is placed at midnight, so first.
pub fn date_only_ties(log: &EventLog, journeys: &Journeys) -> u64 {
    const DAY_MS: i64 = 86_400_000;
    let mut ties = 0;
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        for (position, &event) in journey.iter().enumerate() {
            let event = event as usize;
            if !log.date_only[event] {
                continue;
            }
            let day_end = log.time[event] + DAY_MS;
            let same_day = journey[position + 1..]
                .iter()
                .map(|&other| other as usize)
                .take_while(|&other| log.time[other] < day_end)
                .any(|other| !log.date_only[other]);
            if same_day {
                ties += 1;
            }
        }
    }
    ties
}

/// Keeps the entries of `column` whose flag in `keep` is true.
fn retain<T>(column: &mut Vec<T>, keep: &[bool]) {
    let mut flags = keep.iter();
    column.retain(|_| flags.next().copied().unwrap_or(true));
}

/// Each person's events, sorted by time and then by ordinal. Remaining ties keep file and row order.
#[derive(Debug, Clone, Default)]
pub struct Journeys {
    /// Event indexes grouped by person, each group in time order.
    pub order: Vec<u32>,
    /// Person `p`'s events are `order[starts[p]..starts[p + 1]]`.
    pub starts: Vec<u32>,
}

impl Journeys {
    /// Groups the events of `log` by person and sorts each group by time. Equal times are
    /// ordered by the ordinal column where files have one, events without an ordinal last, and
    /// then by insertion order (file, then row).
    pub fn build(log: &EventLog) -> Journeys {
        let people = log.people.len();
        let mut starts = vec![0u32; people + 1];
        for &person in &log.person {
            starts[person as usize + 1] += 1;
        }
        for p in 0..people {
            starts[p + 1] += starts[p];
        }
        let mut next = starts.clone();
        let mut order = vec![0u32; log.len()];
        for (index, &person) in log.person.iter().enumerate() {
            let slot = &mut next[person as usize];
            order[*slot as usize] = index as u32;
            *slot += 1;
        }
        for p in 0..people {
            let journey = &mut order[starts[p] as usize..starts[p + 1] as usize];
            // A stable sort keeps insertion order for equal keys.
            if log.ordinal.is_empty() {
                journey.sort_by_key(|&event| log.time[event as usize]);
            } else {
                journey.sort_by(|&a, &b| {
                    let (a, b) = (a as usize, b as usize);
                    log.time[a].cmp(&log.time[b]).then_with(|| log.ordinal[a].total_cmp(&log.ordinal[b]))
                });
            }
        }
        Journeys { order, starts }
    }

    /// Puts the events of `log` in the order of these journeys, person by person and each in time
    /// order, and returns the journeys of the rearranged log, which are then runs of consecutive
    /// event indexes. The analyses read the columns journey by journey, so this turns their
    /// scattered reads into sequential ones.
    pub fn arrange(self, log: &mut EventLog) -> Journeys {
        log.reorder(&self.order);
        Journeys { order: (0..self.order.len() as u32).collect(), starts: self.starts }
    }

    pub fn people(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Returns person `person`'s event indexes in time order.
    pub fn journey(&self, person: usize) -> &[u32] {
        &self.order[self.starts[person] as usize..self.starts[person + 1] as usize]
    }
}

/// Builds a log and its journeys from (person, time, event) rows for tests, each time in units of
/// `unit_ms` milliseconds and each event without a channel, value or property.
#[cfg(test)]
pub(crate) fn test_log(events: &[(&str, i64, &str)], unit_ms: i64) -> (EventLog, Journeys) {
    let mut log = EventLog::default();
    for (row, &(person, time, event)) in events.iter().enumerate() {
        let person = log.identifier(person, identity::IdentityKind::UserId);
        log.push(NewEvent { person, time: time * unit_ms, event, channel: None, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: row as u32 + 2 }, []);
    }
    let journeys = Journeys::build(&log);
    (log, journeys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(log: &mut EventLog, person: &str, time: i64, name: &str, row: u32) {
        let person = log.identifier(person, identity::IdentityKind::UserId);
        log.push(NewEvent { person, time, event: name, channel: None, value: f64::NAN, ordinal: None, date_only: false, file: 0, row }, []);
    }

    #[test]
    fn journeys_keep_row_order_on_ties() {
        let mut log = EventLog::default();
        push(&mut log, "u1", 20, "b", 2);
        push(&mut log, "u2", 5, "x", 3);
        push(&mut log, "u1", 10, "a", 4);
        push(&mut log, "u1", 20, "c", 5);
        let journeys = Journeys::build(&log);
        assert_eq!(journeys.people(), 2);
        assert_eq!(journeys.journey(0), &[2, 0, 3]);
        assert_eq!(journeys.journey(1), &[1]);
    }

    #[test]
    fn arranged_journeys_are_consecutive() {
        let mut log = EventLog::default();
        let page = log.property_index("page");
        for (person, time, name, row) in [("u1", 20, "b", 2), ("u2", 5, "x", 3), ("u1", 10, "a", 4), ("u1", 20, "c", 5)] {
            let id = log.identifier(person, identity::IdentityKind::UserId);
            let event = NewEvent { person: id, time, event: name, channel: None, value: f64::NAN, ordinal: None, date_only: false, file: 0, row };
            log.push(event, [(page, name)]);
        }
        let journeys = Journeys::build(&log).arrange(&mut log);
        assert_eq!(journeys.journey(0), &[0, 1, 2]);
        assert_eq!(journeys.journey(1), &[3]);
        assert_eq!(log.row, [4, 2, 5, 3]);
        assert_eq!(log.time, [10, 20, 20, 5]);
        let names: Vec<&str> = log.event.iter().map(|&id| log.event_names.name(id)).collect();
        assert_eq!(names, ["a", "b", "c", "x"]);
        let pages: Vec<&str> = log.properties[page].codes.iter().map(|&code| log.properties[page].values.name(code)).collect();
        assert_eq!(pages, ["a", "b", "c", "x"]);
    }

    #[test]
    fn ordinal_orders_equal_times() {
        let mut log = EventLog::default();
        let person = log.identifier("u1", identity::IdentityKind::UserId);
        for (row, ordinal) in [(2, Some(2.0)), (3, None), (4, Some(1.0))] {
            log.push(NewEvent { person, time: 10, event: "e", channel: None, value: f64::NAN, ordinal, date_only: false, file: 0, row }, []);
        }
        assert_eq!(log.ordinal, [2.0, f64::INFINITY, 1.0]);
        assert_eq!(Journeys::build(&log).journey(0), &[2, 0, 1]);
    }

    #[test]
    fn properties_fill_missing_cells_with_none() {
        let mut log = EventLog::default();
        push(&mut log, "u1", 1, "a", 2);
        let page = log.property_index("page");
        let person = log.identifier("u1", identity::IdentityKind::UserId);
        log.push(NewEvent { person, time: 2, event: "b", channel: None, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: 3 }, [(page, "/pricing")]);
        assert_eq!(log.properties[page].codes, vec![NONE, 0]);
        assert_eq!(log.properties[page].values.name(0), "/pricing");
    }
}
