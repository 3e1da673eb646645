//! E-mail sequences: for the first, second, third … message each person was sent, how many opened,
//! clicked, bounced and unsubscribed, and the message after which opens fall away.
//!
//! An event is an e-mail event when its name, in lower case with every run of other characters
//! made one `_` and an `email_` prefix or `_email` suffix removed, is one of the names in
//! [`kind_of`]. This covers the HubSpot (`SENT`, `OPEN`), Mailchimp (`open`, `click`) and
//! ActiveCampaign exports of docs/formats.md and names such as `email_sent` or `Opened`. The
//! message is the value of the first property column named `message`, `message_id`,
//! `campaign`, `campaign_id`, `emailcampaignid`, `campaign_name`, `campaign_title` or `subject`,
//! else the event's channel, which the e-mail presets set to the campaign.
//!
//! The report is left out unless some event is a `sent` event or a message column exists, because
//! web and app analytics also log events named `click` or `open`.
//!
//! Each person's messages are numbered in the order of their first `sent` event. A message with no
//! `sent` event for that person is numbered at its first e-mail event of any kind.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::{EventLog, Journeys, NONE};

/// Property column names, after normalising, that name the message.
const MESSAGE_COLUMNS: [&str; 8] =
    ["message", "message_id", "campaign", "campaign_id", "emailcampaignid", "campaign_name", "campaign_title", "subject"];

/// The kind of an e-mail event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EmailKind {
    Sent,
    Open,
    Click,
    Bounce,
    Unsubscribe,
}

/// One message as one person received it.
pub(crate) struct PersonMessage {
    /// Journey position of the first `sent` event for this message.
    first_sent: Option<usize>,
    /// Journey position of the first e-mail event of any kind for this message.
    first_seen: usize,
    /// The [`EmailKind`]s that occurred, indexed by kind.
    kinds: [bool; 5],
    /// True when the message was opened or clicked.
    pub opened: bool,
}

impl PersonMessage {
    /// Returns the journey position of the message: its first `sent` event, or its first e-mail
    /// event of any kind.
    pub fn position(&self) -> usize {
        self.first_sent.unwrap_or(self.first_seen)
    }
}

/// Options for e-mail sequences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailOptions {
    /// Opens fall away at the first message whose open rate is below this share of the first
    /// message's open rate.
    pub falloff_ratio: f64,
    /// Message numbers sent to fewer people are listed but never chosen as the fall-off.
    pub min_recipients: u64,
    /// The maximum number of message numbers listed.
    pub max_messages: usize,
}

impl Default for EmailOptions {
    fn default() -> EmailOptions {
        EmailOptions { falloff_ratio: 0.5, min_recipients: 10, max_messages: 20 }
    }
}

/// The people who were sent the n-th message of their sequence, and what they did with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SequenceStep {
    /// 1 for each person's first message.
    pub message_number: u32,
    pub sent: u64,
    pub opened: u64,
    pub clicked: u64,
    pub bounced: u64,
    pub unsubscribed: u64,
    /// `opened`, `clicked`, `bounced` and `unsubscribed` divided by `sent`.
    pub open_rate: f64,
    pub click_rate: f64,
    pub bounce_rate: f64,
    pub unsubscribe_rate: f64,
}

/// The e-mail part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmailReport {
    /// The source of the message: a property column's name, or `channel`.
    pub message_source: String,
    pub people: u64,
    pub email_events: u64,
    /// E-mail events without a message, left out of the sequence.
    pub events_without_message: u64,
    pub falloff_ratio: f64,
    /// The first message number, from 2, whose open rate is below `falloff_ratio` times that of
    /// message 1, among numbers sent to at least `min_recipients` people. `None` when none is.
    pub falloff_message: Option<u32>,
    pub steps: Vec<SequenceStep>,
}

/// Computes the e-mail sequence report; `None` when the data has no e-mail events.
pub fn compute(log: &EventLog, journeys: &Journeys, options: &EmailOptions) -> Result<Option<EmailReport>, Error> {
    if !(options.falloff_ratio > 0.0 && options.falloff_ratio <= 1.0) {
        return Err(Error::Options(format!("The e-mail falloff_ratio must be above 0 and at most 1, not {}.", options.falloff_ratio)));
    }
    let Some(sequences) = sequences(log, journeys) else { return Ok(None) };
    let mut steps: Vec<SequenceStep> = Vec::new();
    let people = sequences.people.iter().filter(|messages| !messages.is_empty()).count() as u64;
    for messages in &sequences.people {
        for (number, message) in messages.iter().enumerate().take(options.max_messages) {
            if steps.len() <= number {
                steps.push(SequenceStep {
                    message_number: number as u32 + 1,
                    sent: 0,
                    opened: 0,
                    clicked: 0,
                    bounced: 0,
                    unsubscribed: 0,
                    open_rate: 0.0,
                    click_rate: 0.0,
                    bounce_rate: 0.0,
                    unsubscribe_rate: 0.0,
                });
            }
            let step = &mut steps[number];
            let seen = message.kinds;
            step.sent += 1;
            step.opened += u64::from(message.opened);
            step.clicked += u64::from(seen[EmailKind::Click as usize]);
            step.bounced += u64::from(seen[EmailKind::Bounce as usize]);
            step.unsubscribed += u64::from(seen[EmailKind::Unsubscribe as usize]);
        }
    }
    for step in &mut steps {
        let rate = |count: u64| count as f64 / step.sent.max(1) as f64;
        step.open_rate = rate(step.opened);
        step.click_rate = rate(step.clicked);
        step.bounce_rate = rate(step.bounced);
        step.unsubscribe_rate = rate(step.unsubscribed);
    }
    let falloff_message = steps.first().and_then(|first| {
        let threshold = options.falloff_ratio * first.open_rate;
        steps.iter().skip(1).find(|step| step.sent >= options.min_recipients && step.open_rate < threshold).map(|step| step.message_number)
    });
    let Sequences { message_source, email_events, events_without_message, .. } = sequences;
    Ok(Some(EmailReport { message_source, people, email_events, events_without_message, falloff_ratio: options.falloff_ratio, falloff_message, steps }))
}

/// Every person's e-mail messages in sequence order, with the counts of the events read.
pub(crate) struct Sequences {
    /// Per person, in journey order of people; empty for a person without e-mail events.
    pub people: Vec<Vec<PersonMessage>>,
    pub message_source: String,
    pub email_events: u64,
    pub events_without_message: u64,
}

/// Returns each person's messages in sequence order, or `None` when the data has no e-mail events.
pub(crate) fn person_messages(log: &EventLog, journeys: &Journeys) -> Option<Vec<Vec<PersonMessage>>> {
    sequences(log, journeys).map(|sequences| sequences.people)
}

/// Numbers each person's messages in the order of their first `sent` event; `None` when the data
/// has no e-mail events.
fn sequences(log: &EventLog, journeys: &Journeys) -> Option<Sequences> {
    let kinds: Vec<Option<EmailKind>> = (0..log.event_names.len() as u32).map(|id| kind_of(log.event_names.name(id))).collect();
    if kinds.iter().all(Option::is_none) {
        return None;
    }
    let column = log.properties.iter().position(|property| MESSAGE_COLUMNS.contains(&normalise(&property.name).as_str()));
    // Web and app analytics also log `click` or `open`, so without a `sent` event or a message
    // column the data is not taken for e-mail.
    if column.is_none() && !kinds.contains(&Some(EmailKind::Sent)) {
        return None;
    }
    let message_of = |at: usize| -> Option<(u32, u32)> {
        // The first number separates property values (0) from channels (1).
        if let Some(code) = column.map(|column| log.properties[column].codes[at]).filter(|&code| code != NONE) {
            return Some((0, code));
        }
        (log.channel[at] != NONE).then_some((1, log.channel[at]))
    };

    let mut sequences = Sequences { people: Vec::with_capacity(journeys.people()), message_source: String::new(), email_events: 0, events_without_message: 0 };
    for person in 0..journeys.people() {
        let mut messages: Vec<PersonMessage> = Vec::new();
        let mut index: HashMap<(u32, u32), usize> = HashMap::default();
        for (position, &at) in journeys.journey(person).iter().enumerate() {
            let at = at as usize;
            let Some(kind) = kinds[log.event[at] as usize] else { continue };
            sequences.email_events += 1;
            let Some(key) = message_of(at) else {
                sequences.events_without_message += 1;
                continue;
            };
            let slot = *index.entry(key).or_insert_with(|| {
                messages.push(PersonMessage { first_sent: None, first_seen: position, kinds: [false; 5], opened: false });
                messages.len() - 1
            });
            let message = &mut messages[slot];
            message.kinds[kind as usize] = true;
            message.opened |= kind == EmailKind::Open || kind == EmailKind::Click;
            if kind == EmailKind::Sent && message.first_sent.is_none() {
                message.first_sent = Some(position);
            }
        }
        messages.sort_by_key(PersonMessage::position);
        sequences.people.push(messages);
    }
    sequences.message_source = match column {
        Some(column) => log.properties[column].name.clone(),
        None => "channel".to_string(),
    };
    Some(sequences)
}

/// Returns the e-mail kind of an event name, or `None` for any other event.
fn kind_of(name: &str) -> Option<EmailKind> {
    let name = normalise(name);
    let name = name.strip_prefix("email_").or_else(|| name.strip_suffix("_email")).unwrap_or(&name);
    match name {
        "sent" | "send" | "sent_to" | "emailsent" => Some(EmailKind::Sent),
        "open" | "opened" | "opens" | "emailopen" | "emailopened" => Some(EmailKind::Open),
        "click" | "clicked" | "clicks" | "emailclick" | "emailclicked" => Some(EmailKind::Click),
        "bounce" | "bounced" | "hard_bounce" | "soft_bounce" => Some(EmailKind::Bounce),
        "unsubscribe" | "unsubscribed" | "unsub" => Some(EmailKind::Unsubscribe),
        _ => None,
    }
}

/// Lower-cases a name and turns every run of other characters than letters and digits into one
/// `_`, trimmed at both ends.
fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for character in name.trim().chars() {
        if character.is_alphanumeric() {
            out.extend(character.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_of_known_names() {
        assert_eq!(kind_of("SENT"), Some(EmailKind::Sent));
        assert_eq!(kind_of("email_sent"), Some(EmailKind::Sent));
        assert_eq!(kind_of("Opened"), Some(EmailKind::Open));
        assert_eq!(kind_of("Email Clicked"), Some(EmailKind::Click));
        assert_eq!(kind_of("unsubscribe"), Some(EmailKind::Unsubscribe));
        assert_eq!(kind_of("page_view"), None);
    }
}
