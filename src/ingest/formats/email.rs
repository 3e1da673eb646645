//! E-mail activity exports: one row per send, open, click, bounce or unsubscribe, keyed by the
//! recipient's address. The campaign or message becomes the channel, so that journeys show which
//! mailing a step came from.

use super::Preset;

pub(super) const PRESETS: &[Preset] = &[
    Preset {
        id: "hubspot_email_events",
        name: "HubSpot e-mail events",
        // Field names of HubSpot's email events API; `created` is epoch milliseconds.
        signature: &[&["recipient"], &["type"], &["created"]],
        person: &["recipient"],
        time: &["created"],
        event: &["type"],
        channel: &["emailcampaignid", "email_campaign_id", "subject"],
        value: &[],
        time_zone: None,
        note: None,
    },
    Preset {
        id: "mailchimp_email_activity",
        name: "Mailchimp e-mail activity",
        // Fields of Mailchimp's campaign email-activity report, one row per action.
        signature: &[&["email_address"], &["action"], &["timestamp"]],
        person: &["email_address"],
        time: &["timestamp"],
        event: &["action"],
        channel: &["campaign_title", "campaign_name", "campaign_id"],
        value: &[],
        time_zone: None,
        note: None,
    },
    Preset {
        id: "activecampaign_email_activity",
        name: "ActiveCampaign e-mail activity",
        // NOTE: built from ActiveCampaign's API field names (`tstamp`, `campaignid`, `messageid`);
        // no real ActiveCampaign CSV export has been checked against it.
        signature: &[&["email"], &["tstamp"], &["type", "action", "event"]],
        person: &["email"],
        time: &["tstamp"],
        event: &["type", "action", "event"],
        channel: &["campaign", "campaign_name", "campaignid", "message", "messageid"],
        value: &[],
        time_zone: None,
        note: None,
    },
];
