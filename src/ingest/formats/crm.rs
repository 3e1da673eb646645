//! CRM and process exports: deal stage histories, wide tables with one row per lead and a date
//! column per milestone, and process-mining event logs.

use super::{Header, KnownFormat, Preset};
use crate::ingest::roles::{ColumnKind, Mapping};

/// XES attribute names written as CSV columns, as process-mining tools export them.
pub(super) const PROCESS_LOG: &[Preset] = &[Preset {
    id: "xes_event_log",
    name: "Process-mining event log (XES columns)",
    signature: &[&["case_concept_name"], &["concept_name"], &["time_timestamp"]],
    person: &["case_concept_name"],
    time: &["time_timestamp"],
    event: &["concept_name"],
    channel: &["case_channel"],
    value: &["case_amount", "amount", "cost_total"],
    time_zone: None,
    note: None,
}];

/// Stage histories: one row per stage change. The stage becomes the event.
pub(super) const STAGE_HISTORIES: &[Preset] = &[
    Preset {
        id: "salesforce_opportunity_history",
        name: "Salesforce opportunity history",
        signature: &[&["opportunityid"], &["stagename"], &["createddate"]],
        person: &["opportunityid"],
        time: &["createddate"],
        event: &["stagename"],
        channel: &["leadsource", "forecastcategory"],
        value: &["amount", "expectedrevenue"],
        ..Preset::EMPTY
    },
    Preset {
        id: "crm_stage_history",
        name: "CRM deal stage history",
        signature: &[
            &["deal_id", "dealid", "deal", "opportunity_id", "opportunity", "record_id"],
            &["stage", "stage_name", "deal_stage", "dealstage", "to_stage", "new_stage"],
            &["changed_at", "stage_changed_at", "changed_on", "date_changed", "entered_at", "date_entered", "change_date", "updated_at"],
        ],
        person: &["deal_id", "dealid", "deal", "opportunity_id", "opportunity", "record_id"],
        time: &["changed_at", "stage_changed_at", "changed_on", "date_changed", "entered_at", "date_entered", "change_date", "updated_at"],
        event: &["stage", "stage_name", "deal_stage", "dealstage", "to_stage", "new_stage"],
        channel: &["source", "lead_source", "original_source", "pipeline"],
        value: &["amount", "deal_value", "value"],
        ..Preset::EMPTY
    },
];

/// Columns that name where a lead came from, in CRM exports.
const LEAD_SOURCE: &[&str] = &["original_source", "lead_source", "leadsource", "source", "origin", "channel"];

/// Recognises a table with one row per lead and two or more date columns, such as a HubSpot
/// contacts export with `Became a Lead Date` and `Became a Customer Date`. Role detection already
/// proposes each date column as a date event; this preset adds the lead source as the channel.
pub(super) fn recognise_date_table(header: &Header<'_>, detected: &Mapping) -> Option<(KnownFormat, Mapping)> {
    if detected.event.is_some() || detected.person.is_none() || detected.date_events.len() < 2 {
        return None;
    }
    let mut mapping = detected.clone();
    if let Some(source) = header.find(LEAD_SOURCE).filter(|name| header.column(name).is_some_and(|column| column.kind == ColumnKind::Text)) {
        mapping.channel = Some(source.to_string());
    }
    let format = KnownFormat {
        id: "crm_date_table".to_string(),
        name: "CRM table with date columns".to_string(),
        note: Some("Each date column becomes an event named after the column. Rename the events or drop the dates that are not milestones, such as a last-modified date.".to_string()),
    };
    Some((format, mapping))
}
