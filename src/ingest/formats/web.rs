//! Web and product analytics: GA4, Snowplow, Amplitude, PostHog, Mixpanel, Segment and an
//! e-commerce clickstream.
//!
//! Dotted column names of flattened exports (`traffic_source.source`,
//! `properties.$current_url`) normalise to underscores (`traffic_source_source`,
//! `properties_current_url`).

use super::{Header, KnownFormat, Preset};
use crate::ingest::roles::Mapping;

/// Web presets, most specific signature first: Snowplow and PostHog files also have the
/// `event` and `distinct_id` columns that the Mixpanel signature looks for.
pub(super) const PRESETS: &[Preset] = &[
    Preset {
        id: "snowplow_enriched",
        name: "Snowplow enriched events",
        signature: &[&["domain_userid"], &["collector_tstamp"], &["event_name", "event"]],
        person: &["domain_userid", "network_userid", "user_id"],
        // `derived_tstamp` corrects the device clock with the collector's; the others are fallbacks.
        time: &["derived_tstamp", "dvce_created_tstamp", "collector_tstamp"],
        // `event` is `unstruct` for every custom event, and `event_name` names each one.
        event: &["event_name", "event"],
        channel: &["mkt_medium", "refr_medium"],
        value: &["tr_total", "se_value"],
        // Snowplow writes every timestamp in UTC without a suffix.
        time_zone: Some("UTC"),
        note: None,
    },
    Preset {
        id: "ga4_bigquery",
        name: "GA4 BigQuery export",
        signature: &[&["event_timestamp"], &["user_pseudo_id"], &["event_name"]],
        person: &["user_pseudo_id", "user_id"],
        // Microseconds since the epoch; the time reader tells the unit by magnitude.
        time: &["event_timestamp"],
        event: &["event_name"],
        channel: &["traffic_source_medium", "collected_traffic_source_manual_medium", "traffic_source_source"],
        value: &["ecommerce_purchase_revenue", "ecommerce_purchase_revenue_in_usd", "event_value_in_usd"],
        time_zone: None,
        note: None,
    },
    Preset {
        id: "amplitude",
        name: "Amplitude event export",
        signature: &[&["event_type"], &["event_time"], &["amplitude_id", "device_id"]],
        // Amplitude sets `amplitude_id` and `device_id` on every event; `user_id` only after login.
        person: &["amplitude_id", "device_id", "user_id"],
        time: &["event_time", "client_event_time"],
        event: &["event_type"],
        channel: &["utm_source", "referrer"],
        value: &["revenue", "price"],
        time_zone: None,
        note: None,
    },
    Preset {
        id: "posthog",
        name: "PostHog event export",
        signature: &[&["event"], &["distinct_id"], &["timestamp"], &["uuid", "person_id", "properties_current_url"]],
        // `person_id` is PostHog's merged person; `distinct_id` changes at login.
        person: &["person_id", "distinct_id"],
        time: &["timestamp"],
        event: &["event"],
        channel: &["properties_utm_source", "properties_referring_domain", "properties_initial_referring_domain"],
        value: &["properties_revenue", "properties_value"],
        time_zone: None,
        note: None,
    },
    Preset {
        id: "mixpanel",
        name: "Mixpanel event export",
        signature: &[&["event"], &["distinct_id"], &["time", "properties_time"]],
        person: &["distinct_id", "properties_distinct_id"],
        // Epoch seconds in raw exports.
        time: &["time", "properties_time"],
        event: &["event"],
        channel: &["utm_source", "properties_utm_source", "initial_referring_domain", "referring_domain"],
        value: &["revenue", "properties_revenue", "price", "amount"],
        time_zone: None,
        note: None,
    },
    Preset {
        id: "segment",
        name: "Segment event export",
        signature: &[&["anonymous_id"], &["user_id"], &["event"], &["timestamp", "original_timestamp"]],
        person: &["anonymous_id", "user_id"],
        time: &["timestamp", "original_timestamp", "sent_at"],
        event: &["event"],
        channel: &["context_campaign_medium", "context_campaign_source"],
        value: &["properties_revenue", "revenue", "properties_value", "value"],
        time_zone: None,
        note: None,
    },
    Preset {
        id: "ecommerce_clickstream",
        name: "E-commerce clickstream (view, cart, purchase)",
        signature: &[&["event_time"], &["event_type"], &["product_id"], &["user_session"], &["user_id"]],
        person: &["user_id"],
        time: &["event_time"],
        event: &["event_type"],
        channel: &[],
        value: &["price"],
        time_zone: None,
        note: Some("price is the product's price on every event, views included, so the total value counts every price seen, not only purchases."),
    },
];

/// GA4 exploration columns: display names, normalised.
const EXPLORATION_PERSON: &[&str] = &["effective_user_id", "user_id", "app_instance_id", "client_id", "stream_id"];
/// `Date + hour` and `Date hour and minute` values (`2024011510`) read as epoch seconds, so only
/// the plain `Date` (`20240115`) is proposed.
const EXPLORATION_TIME: &[&str] = &["date"];
const EXPLORATION_CHANNEL: &[&str] = &[
    "session_default_channel_group",
    "first_user_default_channel_group",
    "default_channel_group",
    "session_source_medium",
    "session_source",
];
const EXPLORATION_VALUE: &[&str] = &["event_value", "purchase_revenue", "total_revenue"];

/// Recognises a GA4 exploration download: `#` comment lines before the header and display-name
/// columns such as `Event name` and `Date`.
pub(super) fn recognise_ga4_exploration(header: &Header<'_>) -> Option<(KnownFormat, Mapping)> {
    if header.preamble_lines == 0 || header.find_raw("Event name").is_none() {
        return None;
    }
    let pick = |names: &[&str]| header.find(names).map(str::to_string);
    let mapping = Mapping {
        person: pick(EXPLORATION_PERSON),
        time: pick(EXPLORATION_TIME),
        event: pick(&["event_name"]),
        channel: pick(EXPLORATION_CHANNEL),
        value: pick(EXPLORATION_VALUE),
        ..Mapping::default()
    };
    let mut notes = vec!["Each row is read as one event at day precision; an Event count column is kept as a property, not expanded."];
    if mapping.person.is_none() {
        notes.push("This exploration has no user column, so rows cannot form journeys: add Effective user ID or App-instance ID as a dimension and export again.");
    }
    let format = KnownFormat { id: "ga4_exploration".to_string(), name: "GA4 exploration download".to_string(), note: Some(notes.join(" ")) };
    Some((format, mapping))
}
