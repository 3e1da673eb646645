//! Known export formats: recognising a tool's export by its header and proposing a preset mapping.
//!
//! Each preset lists the normalised column names (see [`roles::normalise`]) that identify the
//! format, then the columns for each role, best first. Presets are tried from the most specific
//! signature to the least, and the first match wins. The preset only replaces the proposed
//! [`Mapping`]: the user still confirms or changes every role.
//!
//! One family per file: `web` (analytics and product-analytics event exports), `email` (e-mail
//! activity), `crm` (stage histories, date tables, process-mining logs), `survey` (form responses)
//! `paths` (aggregated channel path tables) and `outcome` (one row per person with yes/no outcome
//! columns). The last two have no times and are read by their own readers.

mod crm;
mod email;
pub mod outcome;
pub mod paths;
mod survey;
mod web;

use serde::Serialize;

use super::roles::{self, Mapping};
use super::ColumnInfo;

/// A recognised export format, as reported in the file inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KnownFormat {
    /// A stable identifier such as `ga4_bigquery`.
    pub id: String,
    /// The name shown to the user, such as "GA4 BigQuery export".
    pub name: String,
    /// A sentence for the user about a role the preset could not settle, if any.
    pub note: Option<String>,
}

/// A preset: the signature that identifies a format and the columns it maps.
///
/// Every entry is a list of normalised column names. A signature entry matches when any of its
/// names is in the header. A role takes the first of its names that is in the header.
pub(crate) struct Preset {
    pub id: &'static str,
    pub name: &'static str,
    pub signature: &'static [&'static [&'static str]],
    pub person: &'static [&'static str],
    pub time: &'static [&'static str],
    pub event: &'static [&'static str],
    pub channel: &'static [&'static str],
    pub value: &'static [&'static str],
    /// The zone of the format's times without an offset, when the tool documents one.
    pub time_zone: Option<&'static str>,
    pub note: Option<&'static str>,
}

impl Preset {
    /// An empty preset, so that each table entry only names the roles it sets.
    pub const EMPTY: Preset = Preset {
        id: "",
        name: "",
        signature: &[],
        person: &[],
        time: &[],
        event: &[],
        channel: &[],
        value: &[],
        time_zone: None,
        note: None,
    };

    fn matches(&self, header: &Header<'_>) -> bool {
        self.signature.iter().all(|names| header.find(names).is_some())
    }

    fn mapping(&self, header: &Header<'_>) -> Mapping {
        let pick = |names: &[&str]| header.find(names).map(str::to_string);
        Mapping {
            person: pick(self.person),
            time: pick(self.time),
            event: pick(self.event),
            channel: pick(self.channel),
            value: pick(self.value),
            time_zone: self.time_zone.map(str::to_string),
            ..Mapping::default()
        }
    }

    fn format(&self) -> KnownFormat {
        KnownFormat { id: self.id.to_string(), name: self.name.to_string(), note: self.note.map(str::to_string) }
    }
}

/// A file's columns with their normalised names, for signature lookups.
pub(crate) struct Header<'c> {
    pub columns: &'c [ColumnInfo],
    normalised: Vec<String>,
    /// Blank and `#` lines before the header row.
    pub preamble_lines: usize,
}

impl<'c> Header<'c> {
    pub fn new(columns: &'c [ColumnInfo], preamble_lines: usize) -> Header<'c> {
        Header { columns, normalised: columns.iter().map(|column| roles::normalise(&column.name)).collect(), preamble_lines }
    }

    /// Returns the column named by the first of `names` that the header contains.
    pub fn find(&self, names: &[&str]) -> Option<&'c str> {
        names.iter().find_map(|name| self.position(name)).map(|at| self.columns[at].name.as_str())
    }

    /// Returns the first column whose normalised name contains one of `parts`.
    pub fn find_containing(&self, parts: &[&str]) -> Option<&'c str> {
        self.normalised
            .iter()
            .position(|name| parts.iter().any(|part| name.contains(part)))
            .map(|at| self.columns[at].name.as_str())
    }

    /// Returns the column whose name is exactly `raw`, before normalising.
    pub fn find_raw(&self, raw: &str) -> Option<&'c str> {
        self.columns.iter().find(|column| column.name.trim() == raw).map(|column| column.name.as_str())
    }

    pub fn column(&self, name: &str) -> Option<&'c ColumnInfo> {
        self.columns.iter().find(|column| column.name == name)
    }

    fn position(&self, normalised: &str) -> Option<usize> {
        self.normalised.iter().position(|name| name == normalised)
    }
}

/// Recognises the format of a file from its columns and proposes that format's mapping.
///
/// `detected` is the mapping that role detection proposed; presets that only add to it (the CRM
/// date table, the process-mining log) start from it. `facts` are the columns' facts that role
/// detection used. Returns `None` for an unknown format.
pub fn recognise(columns: &[ColumnInfo], preamble_lines: usize, detected: &Mapping, facts: &[roles::ColumnFacts<'_>]) -> Option<(KnownFormat, Mapping)> {
    let header = Header::new(columns, preamble_lines);
    if let Some(found) = paths::recognise(&header) {
        return Some(found);
    }
    if let Some(found) = outcome::recognise(&header, detected, facts) {
        return Some(found);
    }
    let specific = crm::PROCESS_LOG.iter().chain(web::PRESETS).chain(email::PRESETS).chain(crm::STAGE_HISTORIES);
    for preset in specific {
        if preset.matches(&header) {
            return Some((preset.format(), with_detected_links(preset.mapping(&header), detected)));
        }
    }
    if let Some(found) = web::recognise_ga4_exploration(&header) {
        return Some(found);
    }
    if let Some(found) = survey::recognise(&header) {
        return Some(found);
    }
    crm::recognise_date_table(&header, detected)
}

/// Keeps the identity and ordinal columns that role detection found, so that a preset which
/// picks another person column still links the file's other ids to it.
fn with_detected_links(mut mapping: Mapping, detected: &Mapping) -> Mapping {
    if !detected.identities.is_empty() {
        let linked = detected.person.iter().chain(&detected.identities);
        mapping.identities = linked.filter(|column| mapping.person.as_ref() != Some(*column)).cloned().collect();
    }
    mapping.ordinal = detected.ordinal.clone();
    mapping
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::roles::ColumnKind;

    fn column(name: &str, kind: ColumnKind) -> ColumnInfo {
        ColumnInfo { name: name.to_string(), kind, examples: Vec::new(), time_format: None, ambiguous_date_order: false, flag: false }
    }

    #[test]
    fn header_lookup_uses_normalised_names() {
        let columns = vec![column("traffic_source.source", ColumnKind::Text), column("Event Name", ColumnKind::Text)];
        let header = Header::new(&columns, 0);
        assert_eq!(header.find(&["traffic_source_source"]), Some("traffic_source.source"));
        assert_eq!(header.find(&["missing", "event_name"]), Some("Event Name"));
        assert_eq!(header.find_containing(&["source"]), Some("traffic_source.source"));
        assert_eq!(header.find(&["missing"]), None);
    }

    #[test]
    fn unknown_header_has_no_format() {
        let columns = vec![column("user", ColumnKind::Text), column("ts", ColumnKind::Time), column("event", ColumnKind::Text)];
        assert_eq!(recognise(&columns, 0, &Mapping::default(), &[]), None);
    }
}
