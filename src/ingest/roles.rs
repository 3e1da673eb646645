//! Column roles: which column contains the person id, the event time, the event name, the channel
//! and the value, and which further columns contain other ids of the person or an ordinal.
//!
//! Detection scores each header name against the names that common exports use (GA4, Segment,
//! process-mining logs, CRM exports), then checks that the column's values fit the role: a time
//! column must parse as times and a value column as numbers. The user confirms or overrides the
//! result.

use serde::{Deserialize, Serialize};

use crate::model::identity::IdentityKind;

use super::formats::outcome::OutcomeTable;
use super::formats::paths::PathTable;

/// The kind of values in a column, judged from a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Time,
    Number,
    Text,
    Empty,
}

/// A date column that becomes an event, for files that have no event column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateEvent {
    pub column: String,
    /// The event name the user gave, such as "deal won".
    pub name: String,
}

/// The column chosen for each role, named as in the file's cleaned header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mapping {
    pub person: Option<String>,
    pub time: Option<String>,
    pub event: Option<String>,
    pub channel: Option<String>,
    pub value: Option<String>,
    pub date_events: Vec<DateEvent>,
    /// Further columns that identify the person, such as an anonymous id beside a user id. Ids
    /// that share a row are merged into one person.
    pub identities: Vec<String>,
    /// A sequence number that orders events with equal times.
    pub ordinal: Option<String>,
    /// For a channel path table, its columns; such a file has no person, time or event column.
    pub path_table: Option<PathTable>,
    /// For an outcome table, its step columns. Such a file has one row per person and no time or
    /// event column, and its person, channel and value columns are the roles above.
    pub outcome_table: Option<OutcomeTable>,
    /// The IANA zone of this file's times without an offset, overriding the load's zone; set by
    /// presets of tools that document their zone.
    pub time_zone: Option<String>,
}

/// Names that identify a person, best first.
const PERSON_NAMES: &[&str] = &[
    "user_id", "userid", "user_pseudo_id", "person_id", "customer_id", "customerid", "client_id",
    "visitor_id", "contact_id", "lead_id", "mql_id", "case_concept_name", "case_id", "caseid",
    "anonymous_id", "domain_userid", "distinct_id", "member_id", "subscriber_id", "account_id",
    "email", "email_address", "deal_id", "opportunity_id", "user", "person", "customer",
    "client", "visitor", "contact", "lead", "case", "deal", "hashed_email", "email_sha256",
    "email_hash", "sha256_email",
];
/// Words that make an `_id` column a person id when no exact name matches.
const PERSON_WORDS: &[&str] = &["user", "customer", "client", "visitor", "person", "contact", "lead", "member", "subscriber"];
/// Snowplow's `derived_tstamp` is its best estimate of when the event happened; its
/// `etl_tstamp` and `load_tstamp` are processing times and match no name here.
const TIME_NAMES: &[&str] = &[
    "time_timestamp", "event_time", "event_timestamp", "derived_tstamp", "dvce_created_tstamp",
    "collector_tstamp", "timestamp", "ts", "time", "datetime",
    "date_time", "event_date", "occurred_at", "created_at", "sent_at", "date",
];
const EVENT_NAMES: &[&str] = &[
    "event", "event_name", "eventname", "event_type", "event_action", "concept_name", "activity",
    "action", "touchpoint", "interaction", "step", "stage", "page", "page_path", "page_url",
];
const CHANNEL_NAMES: &[&str] = &[
    "channel", "case_channel", "channel_grouping", "default_channel_group", "utm_source",
    "traffic_source", "source", "source_medium", "medium", "utm_medium", "origin", "referrer",
];
/// Identifier columns linked to the person column when a file has several, as in Segment
/// (`anonymous_id`, `user_id`) and GA4 (`user_pseudo_id`, `user_id`) exports.
const IDENTITY_NAMES: &[&str] = &[
    "user_id", "userid", "customer_id", "user_pseudo_id", "anonymous_id", "anonymousid",
    "anonymous_user_id", "anon_id", "device_id", "deviceid", "distinct_id", "domain_userid",
    "network_userid", "visitor_id", "cookie_id", "email", "email_address", "e_mail", "user_email",
    "customer_email", "contact_email", "hashed_email", "email_hash", "email_sha256", "sha256_email",
];
/// Identifier columns that name a device or browser rather than a known person. A person's
/// displayed id is taken from another column when one is linked.
const ANONYMOUS_NAMES: &[&str] = &[
    "anonymous_id", "anonymousid", "anonymous_user_id", "anon_id", "user_pseudo_id", "device_id",
    "deviceid", "domain_userid", "network_userid", "visitor_id", "cookie_id", "client_id",
];
const ORDINAL_NAMES: &[&str] = &[
    "ordinal", "sequence", "sequence_number", "seq", "seq_no", "event_index", "event_sequence",
    "position",
];
const VALUE_NAMES: &[&str] = &[
    "revenue", "value", "amount", "order_value", "deal_value", "purchase_revenue", "price",
    "spend", "total", "sales",
];

/// The facts about a column that role detection uses.
#[derive(Debug, Clone)]
pub struct ColumnFacts<'a> {
    pub name: &'a str,
    pub kind: ColumnKind,
    /// Distinct values in the sample divided by non-empty values in the sample.
    pub distinct_share: f64,
}

/// Lowercases a header and turns every run of other characters into one `_`.
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// Proposes a mapping for one file.
pub fn detect(columns: &[ColumnFacts<'_>]) -> Mapping {
    let mut used: Vec<&str> = Vec::new();
    let event = best(columns, EVENT_NAMES, &used, |c| c.kind == ColumnKind::Text);
    let event = take(event, &mut used);
    let person = best(columns, PERSON_NAMES, &used, |c| c.kind != ColumnKind::Empty && c.kind != ColumnKind::Time)
        .or_else(|| person_by_word(columns, &used))
        .or_else(|| first_id_column(columns, &used));
    let person = take(person, &mut used);
    let time = best(columns, TIME_NAMES, &used, |c| c.kind == ColumnKind::Time)
        .or_else(|| first_time_column(columns, &used));
    let channel = best(columns, CHANNEL_NAMES, &used, |c| c.kind == ColumnKind::Text);
    let channel = take(channel, &mut used);
    let value = best(columns, VALUE_NAMES, &used, |c| c.kind == ColumnKind::Number);
    let value = take(value, &mut used);
    let identities = if person.is_some() { identity_columns(columns, &used) } else { Vec::new() };
    used.extend(identities.iter().copied());
    let ordinal = best(columns, ORDINAL_NAMES, &used, |c| c.kind == ColumnKind::Number);
    let ordinal = take(ordinal, &mut used);
    let identities = identities.into_iter().map(str::to_string).collect();

    let mut mapping = Mapping { person, time: None, event, channel, value, identities, ordinal, ..Mapping::default() };
    if mapping.event.is_some() {
        mapping.time = time.map(str::to_string);
    } else {
        mapping.date_events = columns
            .iter()
            .filter(|column| column.kind == ColumnKind::Time)
            .map(|column| DateEvent { column: column.name.to_string(), name: event_name_for(column.name) })
            .collect();
    }
    mapping
}

/// Adds identity columns and an ordinal column to a mapping that a known-format preset proposed
/// without them, such as Segment's `user_id` beside its `anonymous_id` person column.
pub fn complete_people_roles(mapping: &mut Mapping, columns: &[ColumnFacts<'_>]) {
    if mapping.person.is_none() {
        return;
    }
    let roles = [&mapping.person, &mapping.time, &mapping.event, &mapping.channel, &mapping.value];
    let mut used: Vec<&str> = roles.iter().filter_map(|role| role.as_deref()).collect();
    used.extend(mapping.identities.iter().map(String::as_str));
    let identities = if mapping.identities.is_empty() { identity_columns(columns, &used) } else { Vec::new() };
    used.extend(identities.iter().copied());
    let ordinal = best(columns, ORDINAL_NAMES, &used, |c| c.kind == ColumnKind::Number);
    mapping.identities.extend(identities.into_iter().map(str::to_string));
    if mapping.ordinal.is_none() {
        mapping.ordinal = ordinal.map(str::to_string);
    }
}

/// Picks every unused column named like a further person identifier.
fn identity_columns<'a>(columns: &[ColumnFacts<'a>], used: &[&str]) -> Vec<&'a str> {
    columns
        .iter()
        .filter(|column| !used.contains(&column.name) && matches!(column.kind, ColumnKind::Text | ColumnKind::Number))
        .filter(|column| IDENTITY_NAMES.contains(&normalise(column.name).as_str()))
        .map(|column| column.name)
        .collect()
}

/// Returns the kind of identifier a person or identity column holds, judged by its name.
pub fn identity_kind(column: &str) -> IdentityKind {
    if ANONYMOUS_NAMES.contains(&normalise(column).as_str()) {
        IdentityKind::Anonymous
    } else {
        IdentityKind::UserId
    }
}

/// Marks a chosen column as used and returns its name.
fn take<'a>(choice: Option<&'a str>, used: &mut Vec<&'a str>) -> Option<String> {
    if let Some(name) = choice {
        used.push(name);
    }
    choice.map(str::to_string)
}

/// Picks the column whose normalised name comes earliest in `names` and that passes `fits`.
fn best<'a>(columns: &[ColumnFacts<'a>], names: &[&str], used: &[&str], fits: impl Fn(&ColumnFacts<'a>) -> bool) -> Option<&'a str> {
    columns
        .iter()
        .filter(|column| !used.contains(&column.name) && fits(column))
        .filter_map(|column| {
            let normalised = normalise(column.name);
            names.iter().position(|name| *name == normalised).map(|rank| (rank, column.name))
        })
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, name)| name)
}

fn person_by_word<'a>(columns: &[ColumnFacts<'a>], used: &[&str]) -> Option<&'a str> {
    columns
        .iter()
        .filter(|column| !used.contains(&column.name) && column.kind == ColumnKind::Text)
        .find(|column| {
            let normalised = normalise(column.name);
            PERSON_WORDS.iter().any(|word| normalised.contains(word))
        })
        .map(|column| column.name)
}

/// Picks the first time column, passing over processing times such as `etl_tstamp`.
/// Picks the first column named like an id (`id`, `*_id`, `*Id`) that is not a time.
fn first_id_column<'a>(columns: &[ColumnFacts<'a>], used: &[&str]) -> Option<&'a str> {
    columns
        .iter()
        .filter(|column| !used.contains(&column.name) && matches!(column.kind, ColumnKind::Text | ColumnKind::Number))
        .find(|column| {
            let normalised = normalise(column.name);
            normalised == "id" || normalised.ends_with("_id") || column.name.ends_with("Id")
        })
        .map(|column| column.name)
}

fn first_time_column<'a>(columns: &[ColumnFacts<'a>], used: &[&str]) -> Option<&'a str> {
    let processing = |name: &str| {
        let normalised = normalise(name);
        ["etl", "load", "import", "processed", "updated"].iter().any(|word| normalised.split('_').any(|part| part == *word))
    };
    let candidates = || columns.iter().filter(|column| !used.contains(&column.name) && column.kind == ColumnKind::Time);
    candidates()
        .find(|column| !processing(column.name))
        .or_else(|| candidates().next())
        .map(|column| column.name)
}

/// Suggests an event name for a date column: `won_date` becomes "won", `first_contact_date`
/// becomes "first contact".
pub fn event_name_for(column: &str) -> String {
    let normalised = normalise(column);
    let trimmed = ["_date", "_at", "_time", "_timestamp", "_on"]
        .iter()
        .find_map(|suffix| normalised.strip_suffix(suffix))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(&normalised);
    trimmed.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(columns: &[(&'a str, ColumnKind)]) -> Vec<ColumnFacts<'a>> {
        columns.iter().map(|&(name, kind)| ColumnFacts { name, kind, distinct_share: 0.5 }).collect()
    }

    #[test]
    fn process_mining_log() {
        let columns = facts(&[
            ("case:channel", ColumnKind::Text),
            ("case:concept:name", ColumnKind::Text),
            ("case:startdate", ColumnKind::Time),
            ("concept:name", ColumnKind::Text),
            ("org:resource", ColumnKind::Text),
            ("time:timestamp", ColumnKind::Time),
        ]);
        let mapping = detect(&columns);
        assert_eq!(mapping.person.as_deref(), Some("case:concept:name"));
        assert_eq!(mapping.event.as_deref(), Some("concept:name"));
        assert_eq!(mapping.time.as_deref(), Some("time:timestamp"));
        assert_eq!(mapping.channel.as_deref(), Some("case:channel"));
    }

    #[test]
    fn file_without_event_column_suggests_date_events() {
        let columns = facts(&[
            ("mql_id", ColumnKind::Text),
            ("seller_id", ColumnKind::Text),
            ("won_date", ColumnKind::Time),
            ("declared_monthly_revenue", ColumnKind::Number),
        ]);
        let mapping = detect(&columns);
        assert_eq!(mapping.person.as_deref(), Some("mql_id"));
        assert_eq!(mapping.event, None);
        assert_eq!(mapping.time, None);
        assert_eq!(mapping.date_events, vec![DateEvent { column: "won_date".into(), name: "won".into() }]);
    }

    #[test]
    fn web_analytics_export() {
        let columns = facts(&[
            ("event_time", ColumnKind::Time),
            ("event_type", ColumnKind::Text),
            ("product_id", ColumnKind::Number),
            ("price", ColumnKind::Number),
            ("user_id", ColumnKind::Number),
            ("user_session", ColumnKind::Text),
        ]);
        let mapping = detect(&columns);
        assert_eq!(mapping.person.as_deref(), Some("user_id"));
        assert_eq!(mapping.event.as_deref(), Some("event_type"));
        assert_eq!(mapping.time.as_deref(), Some("event_time"));
        assert_eq!(mapping.value.as_deref(), Some("price"));
    }

    #[test]
    fn snowplow_prefers_the_event_time() {
        let columns = facts(&[
            ("etl_tstamp", ColumnKind::Time),
            ("collector_tstamp", ColumnKind::Time),
            ("event", ColumnKind::Text),
            ("domain_userid", ColumnKind::Text),
            ("derived_tstamp", ColumnKind::Time),
        ]);
        let mapping = detect(&columns);
        assert_eq!(mapping.time.as_deref(), Some("derived_tstamp"));
        assert_eq!(mapping.person.as_deref(), Some("domain_userid"));
    }

    #[test]
    fn processing_times_come_last() {
        let columns = facts(&[("load_tstamp", ColumnKind::Time), ("visit", ColumnKind::Time), ("event", ColumnKind::Text), ("user", ColumnKind::Text)]);
        assert_eq!(detect(&columns).time.as_deref(), Some("visit"));
    }

    #[test]
    fn segment_export_links_anonymous_and_user_ids() {
        let columns = facts(&[
            ("anonymous_id", ColumnKind::Text),
            ("user_id", ColumnKind::Text),
            ("event", ColumnKind::Text),
            ("timestamp", ColumnKind::Time),
            ("seq", ColumnKind::Number),
            ("account_id", ColumnKind::Text),
        ]);
        let mapping = detect(&columns);
        assert_eq!(mapping.person.as_deref(), Some("user_id"));
        assert_eq!(mapping.identities, ["anonymous_id"]);
        assert_eq!(mapping.ordinal.as_deref(), Some("seq"));
        assert_eq!(identity_kind("anonymous_id"), IdentityKind::Anonymous);
        assert_eq!(identity_kind("user_id"), IdentityKind::UserId);
    }

    #[test]
    fn preset_mapping_gets_identities() {
        let columns = facts(&[("anonymous_id", ColumnKind::Text), ("user_id", ColumnKind::Text), ("event", ColumnKind::Text)]);
        let mut mapping = Mapping { person: Some("anonymous_id".into()), event: Some("event".into()), ..Mapping::default() };
        complete_people_roles(&mut mapping, &columns);
        assert_eq!(mapping.identities, ["user_id"]);
        assert_eq!(mapping.ordinal, None);
    }

    #[test]
    fn normalise_headers() {
        assert_eq!(normalise("Case:Concept:Name"), "case_concept_name");
        assert_eq!(normalise(" Event name "), "event_name");
    }
}
