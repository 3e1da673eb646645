//! Survey responses: Typeform and SurveyMonkey. One row per respondent; the submit time becomes a
//! "survey submitted" event, and the "how did you hear about us" answer becomes the channel.
//! Every other answer, free text included, stays a property column.

use super::{Header, KnownFormat};
use crate::ingest::roles::{DateEvent, Mapping};

/// The event name given to a response's submit time.
const SUBMITTED: &str = "survey submitted";

/// Parts of normalised question titles that ask where the respondent heard of the product.
const HEARD_FROM: &[&str] = &[
    "hear_about", "heard_about", "hear_of", "heard_of", "find_us", "found_us", "find_out_about",
    "how_did_you_find", "where_did_you_hear", "referred_you",
];

/// Recognises a Typeform or SurveyMonkey response download.
pub(super) fn recognise(header: &Header<'_>) -> Option<(KnownFormat, Mapping)> {
    typeform(header).or_else(|| surveymonkey(header))
}

/// Typeform's CSV download: a `#` column with the response token, the questions, then
/// `Start Date (UTC)`, `Submit Date (UTC)` and `Network ID`.
fn typeform(header: &Header<'_>) -> Option<(KnownFormat, Mapping)> {
    let submitted = header.find(&["submit_date_utc", "submitted_at"])?;
    header.find(&["network_id"])?;
    let token = header.find_raw("#").or_else(|| header.find(&["response_id", "token"]));
    let email = header.find_containing(&["email"]);
    let mapping = Mapping {
        person: email.or(token).map(str::to_string),
        channel: header.find_containing(HEARD_FROM).map(str::to_string),
        date_events: vec![DateEvent { column: submitted.to_string(), name: SUBMITTED.to_string() }],
        ..Mapping::default()
    };
    let note = email.map(|_| "The e-mail answer is the person, so responses join the same person's other events; rows without one are skipped. Map the # column as the person to keep them.".to_string());
    Some((KnownFormat { id: "typeform_responses".to_string(), name: "Typeform responses".to_string(), note }, mapping))
}

/// SurveyMonkey's CSV download: `Respondent ID`, `Collector ID`, `Start Date`, `End Date`, then
/// the questions. The second header row, which names each answer option, has no respondent id.
fn surveymonkey(header: &Header<'_>) -> Option<(KnownFormat, Mapping)> {
    let respondent = header.find(&["respondent_id"])?;
    header.find(&["collector_id"])?;
    let submitted = header.find(&["end_date"])?;
    let mapping = Mapping {
        person: Some(respondent.to_string()),
        channel: header.find_containing(HEARD_FROM).map(str::to_string),
        date_events: vec![DateEvent { column: submitted.to_string(), name: SUBMITTED.to_string() }],
        ..Mapping::default()
    };
    let note = "The second header row of a SurveyMonkey download has no respondent id, so it is skipped and counted as one bad row.".to_string();
    Some((KnownFormat { id: "surveymonkey_responses".to_string(), name: "SurveyMonkey responses".to_string(), note: Some(note) }, mapping))
}
