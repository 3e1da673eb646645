//! The report: one serde type, returned as the same JSON by the page and the command line.
//! docs/report.md describes its fields and docs/metrics.md defines every number.

use serde::Serialize;

use crate::analysis::attribution::AttributionReport;
use crate::analysis::channel_speed::ChannelSpeedReport;
use crate::analysis::clv::ClvReport;
use crate::analysis::email::EmailReport;
use crate::analysis::experiment::ExperimentReport;
use crate::analysis::friction::FrictionReport;
use crate::analysis::drivers::DriversReport;
use crate::analysis::funnel::FunnelReport;
use crate::analysis::paths::PathsReport;
use crate::analysis::patterns::PatternsReport;
use crate::analysis::predict::PredictionReport;
use crate::analysis::process_map::ProcessMap;
use crate::analysis::retention::AfterSale;
use crate::analysis::rhythm::RhythmReport;
use crate::analysis::sankey::SankeyReport;
use crate::analysis::segments::SegmentsReport;
use crate::analysis::sessions::SessionsReport;
use crate::analysis::stages::StagesReport;
use crate::analysis::silences::SilencesReport;
use crate::analysis::speed::SpeedReport;
use crate::analysis::survival::ConversionCurve;
use crate::analysis::timing::TimeToConvert;
use crate::analysis::trends::TrendsReport;
use crate::analysis::voice::VoiceReport;

/// Something the user should know about the data or the results, with a count and examples.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Warning {
    /// A stable identifier such as `skipped_rows` or `conversion_before_first_touch`.
    pub kind: String,
    pub message: String,
    pub count: u64,
    /// A few examples, as text a person can look up in the file.
    pub examples: Vec<String>,
}

/// Writes a count with its noun, such as "1 row" or "3 rows".
pub fn counted(count: u64, singular: &str, plural: &str) -> String {
    if count == 1 {
        format!("1 {singular}")
    } else {
        format!("{count} {plural}")
    }
}

impl Warning {
    pub fn new(kind: &str, count: u64, message: String) -> Warning {
        Warning { kind: kind.to_string(), message, count, examples: Vec::new() }
    }

    pub fn with_examples(mut self, examples: Vec<String>) -> Warning {
        self.examples = examples;
        self
    }
}

/// Headline figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub people: u64,
    pub events: u64,
    pub conversion_event: Option<String>,
    pub converters: u64,
    /// Converters divided by people; 0 when there are no people.
    pub conversion_rate: f64,
    /// Distinct whole event sequences, repeats kept.
    pub distinct_journeys: u64,
    /// Sum of the value column over all events; `None` when no event has a value.
    pub total_value: Option<f64>,
    pub events_with_value: u64,
    pub first_event: Option<String>,
    pub last_event: Option<String>,
    /// The zone used for times that carry none.
    pub time_zone: String,
    /// True when the times were made up because an input had none (a channel path table). Time to
    /// convert, funnel times and the first and last event are then `null`.
    pub synthetic_times: bool,
}

/// Everything `analyze` returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub summary: Summary,
    pub funnel: Option<FunnelReport>,
    pub paths: PathsReport,
    pub sankey: SankeyReport,
    /// `None` with synthetic times.
    pub sessions: Option<SessionsReport>,
    /// `None` when no stages were set and fewer than two could be suggested; a `no_stages`
    /// warning then gives the reason.
    pub stages: Option<StagesReport>,
    pub time_to_convert: Option<TimeToConvert>,
    /// `None` without a conversion event or with synthetic times.
    pub conversion_curve: Option<ConversionCurve>,
    pub process_map: ProcessMap,
    /// `None` when there is no conversion event or no event has a channel.
    pub attribution: Option<AttributionReport>,
    /// `None` when there is no conversion event.
    pub drivers: Option<DriversReport>,
    /// `None` without a conversion event or with synthetic times.
    pub after_sale: Option<AfterSale>,
    /// `None` when there are no purchases (no conversion event and no value) or with synthetic
    /// times.
    pub clv: Option<ClvReport>,
    /// `None` when no event is an e-mail event.
    pub email: Option<EmailReport>,
    #[serde(flatten)]
    pub timing_extras: TimingExtras,
    /// `None` without a conversion event.
    pub friction: Option<FrictionReport>,
    /// Gaps and unexpected paths; `None` without a conversion event.
    pub patterns: Option<PatternsReport>,
    /// `None` when turned off, or with a `no_prediction` warning giving the reason (synthetic
    /// times, too few events on either side of the cut).
    pub prediction: Option<PredictionReport>,
    /// Themes of free-text answers and self-reported channels; `None` when the data has neither a
    /// free-text column nor a "how did you hear about us" column.
    pub voice: Option<VoiceReport>,
    /// Behavioural segments with counts and rates; their members are listed through the people
    /// query, not here.
    pub segments: SegmentsReport,
    /// The A/B experiment; `None` unless a variant column or variants from files are set.
    pub experiment: Option<ExperimentReport>,
    /// Weekly cohorts with change points, the requested comparisons, this upload's baseline and
    /// the alerts. `None` for an empty log or with synthetic times.
    pub trends: Option<TrendsReport>,
    /// Warnings from loading the files, then from the analyses.
    pub warnings: Vec<Warning>,
    /// The anonymised Markdown summary for an AI assistant, exactly as the page copies it;
    /// docs/metrics.md (AI brief) gives its rules. Always set by `run`.
    pub brief: Option<String>,
}

/// Silences, hours and weekdays, speed segments and channel speed; each is `None` with synthetic
/// times. In the JSON these are top-level fields of the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TimingExtras {
    pub silences: Option<SilencesReport>,
    pub rhythm: Option<RhythmReport>,
    /// `None` also without a conversion event.
    pub speed: Option<SpeedReport>,
    /// `None` also without a conversion event or when no event has a channel.
    pub channel_speed: Option<ChannelSpeedReport>,
}

impl Report {
    /// Serialises the report as JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain structs of strings and numbers cannot fail, because serde_json writes a
        // non-finite float as null.
        serde_json::to_string(self).unwrap_or_else(|error| format!("{{\"error\":\"{error}\"}}"))
    }
}
