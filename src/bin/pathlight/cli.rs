//! The command line's arguments and subcommands.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use pathlight::analysis::attribution::AttributionWeight;
use pathlight::analysis::channel_speed::ChannelGrouping;
use pathlight::analysis::clv::TimeUnit as ClvUnit;
use pathlight::analysis::experiment::ExperimentOptions;
use pathlight::analysis::survival::CensorAt;
use pathlight::analysis::people::{PeopleQuery, Selection, StepGroup};
use pathlight::analysis::funnel::{Counting, FunnelExclusion, FunnelKind, FunnelOptions, FunnelStep};
use pathlight::analysis::paths::CleaningRule;
use pathlight::analysis::trends::{ChangeDate, DateRange, PeriodPair};
use pathlight::ingest::time::DateOrder;
use pathlight::ingest::formats::outcome::OutcomeTable;
use pathlight::ingest::parts::Split;
use pathlight::ingest::{DateEvent, FileConfig};
use pathlight::synth::{write_csv, Plants, RowOrder, SynthOptions};
use pathlight::setup::Setup;
use pathlight::workspace::LoadSummary;
use pathlight::{AnalysisOptions, LoadConfig, Workspace};

/// The size from which files are read while their bytes arrive, as in the page (www/worker.js).
const STREAM_FROM_BYTES: u64 = 128 << 20;
/// The first bytes of a streamed file that its inspection reads.
const INSPECTED_BYTES: usize = 8 << 20;

#[derive(Parser)]
#[command(name = "pathlight", version, about = "Customer-journey analysis of CSV exports")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read CSV files, merge them into journeys by person id and print the report.
    Analyze(AnalyzeArgs),
    /// Write synthetic multi-channel journeys as CSV to standard output.
    Generate(GenerateArgs),
}

#[derive(clap::Args)]
struct GenerateArgs {
    /// Number of people; each has about 10 events on average.
    #[arg(long, default_value_t = 10_000)]
    people: u32,
    /// Seed of the random stream; the same seed gives the same file.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Length in days of the period in which first visits fall.
    #[arg(long, default_value_t = 180)]
    days: u32,
    /// Write each person's rows together instead of all rows in time order.
    #[arg(long)]
    by_person: bool,
    /// Write simpler journeys with known effects planted, for checking the analyses: a
    /// comma-separated list of exit-step, email-collapse, touchpoint, fast-channel and step-drop,
    /// or all (every one but step-drop), or none for journeys where conversion depends on nothing.
    #[arg(long, value_name = "EFFECTS")]
    plant: Option<String>,
    /// The first day (YYYY-MM-DD, UTC) on which step-drop lowers conversion (default: the middle
    /// of the period).
    #[arg(long, value_name = "DATE")]
    drop_date: Option<String>,
    /// Give each session's landing page the query string of an analytics export: utm parameters,
    /// and a gclid or fbclid click id on paid search and paid social. The journeys stay the same.
    #[arg(long)]
    tracking_urls: bool,
}

#[derive(clap::Args)]
struct AnalyzeArgs {
    /// CSV files; events of the same person id across files form one journey.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The event that counts as a conversion (default: the suggested one).
    #[arg(long)]
    conversion: Option<String>,
    /// Funnel steps separated by commas; a step may filter on a column exactly, by glob or by
    /// regular expression: "page_view[page=/pricing]", "page_view[page~/blog/*]" or
    /// "page_view[page=~/(docs|help)/.*]".
    #[arg(long)]
    funnel: Option<String>,
    /// Conversion window measured from the step-1 event, such as 30d, 12h or 90m.
    #[arg(long)]
    window: Option<String>,
    /// The order rule between funnel steps: ordered (other events allowed in between), strict
    /// (each step is the very next event) or any_order.
    #[arg(long, value_name = "KIND", default_value = "ordered")]
    funnel_kind: String,
    /// Remove from every funnel step the people who do this event between two steps, such as
    /// "got_coupon[between=1,2]" or "page_view[page=/refund,between=2,3]"; may repeat.
    #[arg(long = "exclude", value_name = "EVENT[between=A,B]")]
    exclusions: Vec<String>,
    /// A stage, in order: its name and its rules, such as "evaluation=demo,page_view[page~/pricing*]".
    /// A rule is an event, optionally with a filter: [column=value] exact, [column~glob] or
    /// [column=~regex], each over the whole value. Repeat for each stage; without any, stages are
    /// suggested from event names and pages.
    #[arg(long = "stage", value_name = "NAME=RULE[,RULE...]")]
    stages: Vec<String>,
    /// The funnel's counting unit: people (each person once) or totals (every attempt).
    #[arg(long, value_name = "COUNTING", default_value = "people")]
    counting: String,
    /// Break the funnel down by first_touch_channel, channel or a filter column's value on the
    /// step-1 event.
    #[arg(long, value_name = "COLUMN")]
    breakdown: Option<String>,
    /// Hold a filter column constant across funnel steps, such as product or deal: every step's
    /// event must have the step-1 event's value.
    #[arg(long, value_name = "COLUMN")]
    hold_constant: Option<String>,
    /// Assign a column to a role in every file that has it: person, time, event, channel, value,
    /// ordinal (orders events with equal times), identity (a further person id; may repeat) or
    /// step. A step is a yes/no outcome column of a table with one row per person. Repeat it in
    /// funnel order to replace the proposed steps.
    #[arg(long = "map", value_name = "ROLE=COLUMN")]
    maps: Vec<String>,
    /// Turn a date column into an event with the given name, in every file that has the column.
    #[arg(long = "date-event", value_name = "COLUMN=NAME")]
    date_events: Vec<String>,
    /// The delimiter for every file: , ; | tab or whitespace (default: sniffed per file).
    #[arg(long)]
    delimiter: Option<String>,
    /// The quote character for every file: " or ' (default: sniffed per file).
    #[arg(long)]
    quote: Option<String>,
    /// The files have no header row (default: sniffed per file).
    #[arg(long)]
    no_header: bool,
    /// Names for the columns of files without a header row, separated by commas.
    #[arg(long, value_name = "NAMES")]
    columns: Option<String>,
    /// IANA time zone for times without an offset.
    #[arg(long, default_value = "UTC")]
    time_zone: String,
    /// Read ambiguous dates such as 03/04/2024 month first instead of day first.
    #[arg(long)]
    month_first: bool,
    /// Stop at the first bad value instead of skipping its row.
    #[arg(long)]
    strict: bool,
    /// Keep exact duplicate events instead of removing them.
    #[arg(long)]
    keep_duplicates: bool,
    /// Keep consecutive repeats of an event in paths.
    #[arg(long)]
    keep_repeats: bool,
    /// Label path and Sankey steps by this column's value, such as page, instead of the event
    /// name.
    #[arg(long, value_name = "COLUMN")]
    path_label: Option<String>,
    /// Replace id-like URL segments in path steps (all digits, a UUID, 16 or more hex digits)
    /// with *, so /account/8812/settings reads /account/*/settings.
    #[arg(long)]
    clean_urls: bool,
    /// Start each path after the person's first event of this name.
    #[arg(long, value_name = "EVENT")]
    path_start_after: Option<String>,
    /// End each path before the first event of this name after its start.
    #[arg(long, value_name = "EVENT")]
    path_end_before: Option<String>,
    /// Paths between the events that filled two funnel steps, such as 1,3.
    #[arg(long, value_name = "A,B")]
    path_between: Option<String>,
    /// Paths after the given funnel step of the people whose furthest step it is.
    #[arg(long, value_name = "STEP")]
    path_after_drop_off: Option<usize>,
    /// Rewrite path step labels with a regular expression, written PATTERN=>REPLACEMENT, such as
    /// "\?.*$=>"; may repeat, and the rules apply in order.
    #[arg(long = "path-rule", value_name = "PATTERN=>REPLACEMENT")]
    path_rules: Vec<String>,
    /// Half-life of the time-decay attribution model, such as 7d, 12h or 90m.
    #[arg(long, default_value = "7d")]
    half_life: String,
    /// The worth of each conversion in attribution: conversions (1 each) or value (the value of
    /// the conversion event).
    #[arg(long, value_name = "conversions|value", default_value = "conversions")]
    attribution_weight: String,
    /// The censoring time of people who have not converted, in the conversion curve: the end of
    /// the data or their own last event.
    #[arg(long, value_name = "data_end|last_event", default_value = "data_end")]
    censor_at: String,
    /// Number of event names the process map keeps before merging the rest into "Other".
    #[arg(long, default_value_t = 30)]
    max_activities: usize,
    /// The inactivity that ends a session, such as 30m or 1h; a gap of exactly this long stays in
    /// the session.
    #[arg(long, value_name = "DURATION", default_value = "30m")]
    session_gap: String,
    /// Only these events, separated by commas, take part in sessions (default: every event).
    #[arg(long, value_name = "EVENTS")]
    session_events: Option<String>,
    /// The last day of the lifetime-value calibration period, as YYYY-MM-DD (default: the day of
    /// the last event).
    #[arg(long, value_name = "DATE")]
    clv_cutoff: Option<String>,
    /// The time unit of lifetime-value recency, age and horizon: days or weeks.
    #[arg(long, value_name = "days|weeks", default_value = "weeks")]
    clv_unit: String,
    /// The lifetime-value prediction horizon after the cut-off, in --clv-unit.
    #[arg(long, value_name = "UNITS", default_value_t = 52.0)]
    clv_horizon: f64,
    /// Skip the lifetime-value model fits and report only the customer summaries.
    #[arg(long)]
    no_clv_fit: bool,
    /// Opens fall away at the first e-mail whose open rate is below this share of the first's.
    #[arg(long, value_name = "RATIO", default_value_t = 0.5)]
    email_falloff: f64,
    /// The Markov attribution order: how many of the latest channels make one state (1 to 4).
    #[arg(long, value_name = "ORDER", default_value_t = 1)]
    markov_order: usize,
    /// Merge each run of one channel into one touchpoint in the Markov model.
    #[arg(long)]
    markov_collapse_repeats: bool,
    /// Friction findings listed, largest first.
    #[arg(long, value_name = "COUNT", default_value_t = 10)]
    friction_top: usize,
    /// Friction candidates where fewer people stopped are left out.
    #[arg(long, value_name = "PEOPLE", default_value_t = 10)]
    friction_min_stopped: u64,
    /// Instead of the report, print as JSON the people behind one funnel bar: a step number for
    /// those who reached it, or STEP:dropped for those who reached the step before and not it;
    /// or finding:N for the people who stopped at friction finding N (counted from 0); or
    /// segment:ID for the members of a segment, such as segment:repeat_visit; or a selection as a
    /// JSON object for the people behind a Sankey band, top path, process-map edge, drivers row or
    /// channel row, such as '{"kind":"channel","channel":"email"}' (docs/api.md lists the kinds).
    #[arg(long, value_name = "STEP[:dropped]|finding:N|segment:ID|JSON")]
    list_people: Option<String>,
    /// The maximum number of people --list-people prints; 0 for all.
    #[arg(long, value_name = "COUNT", default_value_t = 100)]
    people_limit: usize,
    /// People rarely come back after the smallest silence length from which on at most this share
    /// of silences end in a return.
    #[arg(long, value_name = "SHARE", default_value_t = 0.1)]
    silence_return_rule: f64,
    /// Silence lengths reached by fewer silences than this are not used by --silence-return-rule.
    #[arg(long, value_name = "COUNT", default_value_t = 10)]
    min_silences: u64,
    /// Count every event by hour and weekday, even when a conversion event is set.
    #[arg(long)]
    rhythm_all_events: bool,
    /// Two durations, such as 1d,7d, that end the fast and the medium speed segment (default:
    /// the terciles of the time to convert).
    #[arg(long, value_name = "FAST,MEDIUM")]
    speed_cuts: Option<String>,
    /// Number of most frequent paths listed per speed segment.
    #[arg(long, value_name = "COUNT", default_value_t = 5)]
    speed_top: usize,
    /// Group channel speed by each person's first channel before converting, or by every channel
    /// they touched before converting.
    #[arg(long, value_name = "first_touch|any_touch", default_value = "first_touch")]
    channel_speed_by: String,
    /// The minimum share of converters (0 to 1) whose events before converting contain a pattern
    /// for it to be mined.
    #[arg(long, value_name = "SHARE", default_value_t = 0.2)]
    pattern_min_support: f64,
    /// The minimum number of converters a mined pattern needs, whatever --pattern-min-support gives.
    #[arg(long, value_name = "COUNT", default_value_t = 5)]
    pattern_min_count: u64,
    /// The maximum number of events in a mined pattern (1 to 8).
    #[arg(long, value_name = "EVENTS", default_value_t = 4)]
    pattern_max_length: usize,
    /// A funnel or stage event counts as skipped when at least this share of converters never did
    /// it before converting.
    #[arg(long, value_name = "SHARE", default_value_t = 0.3)]
    pattern_skip_share: f64,
    /// The silence length, such as 1d, after which a person who has not come back has lost momentum
    /// (default: the silences' "rarely back after" length, or 1 day).
    #[arg(long, value_name = "DURATION")]
    pattern_long_gap: Option<String>,
    /// The prediction cut, as a date (YYYY-MM-DD, UTC midnight) or an RFC 3339 time: models learn
    /// from events before it and are scored on events at or after it (default: --predict-cut-share).
    #[arg(long, value_name = "TIME")]
    predict_cut: Option<String>,
    /// Without --predict-cut, cut at the time of the event at this share of all events in time order.
    #[arg(long, value_name = "SHARE", default_value_t = 0.8)]
    predict_cut_share: f64,
    /// How long after the prediction cut a conversion counts, such as 30d (default: to the last event).
    #[arg(long, value_name = "DURATION")]
    predict_horizon: Option<String>,
    /// People whose last event is at most this long before the data's last event count as in
    /// progress in the prediction.
    #[arg(long, value_name = "DURATION", default_value = "30d")]
    predict_recent: String,
    /// The maximum number of in-progress journeys the prediction lists; 0 for all.
    #[arg(long, value_name = "COUNT", default_value_t = 50)]
    predict_people: usize,
    /// Label the prediction's next events as the paths are labelled (--path-label and the path
    /// cleaning rules) instead of by event name.
    #[arg(long)]
    predict_path_labels: bool,
    /// Skip the prediction.
    #[arg(long)]
    no_predict: bool,
    /// Read each event file in up to this many parts of at least 1 MiB, on as many threads. The
    /// load is the same as with one thread.
    #[arg(long, value_name = "COUNT", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    read_threads: u16,
    /// Read files of this many bytes or more while their bytes arrive, keeping only the text not
    /// yet read in memory, as the page does; 0 streams every file. A streamed load reads on one
    /// thread and gives the same results.
    #[arg(long, value_name = "BYTES", default_value_t = STREAM_FROM_BYTES)]
    stream_from: u64,
    /// A property column with free-text survey answers; repeat for several (default: detected
    /// from the values).
    #[arg(long = "voice-column", value_name = "COLUMN")]
    voice_columns: Vec<String>,
    /// The property column with the "how did you hear about us" answers (default: detected from
    /// the header).
    #[arg(long, value_name = "COLUMN")]
    voice_channel_column: Option<String>,
    /// Number of themes for the free-text answers, 1 to 20 (default: chosen by the silhouette).
    #[arg(long, value_name = "K")]
    voice_themes: Option<usize>,
    /// Regular expression, ignoring case, of the event or page whose repeats make the repeat-visit
    /// segment.
    #[arg(long, value_name = "REGEX", default_value = "pricing")]
    segment_repeat_pattern: String,
    /// Minimum number of sessions with a matching event that puts a non-converter in the
    /// repeat-visit segment.
    #[arg(long, value_name = "N", default_value_t = 2)]
    segment_repeat_min: u64,
    /// Regular expression, ignoring case, of the event or page that puts a person in the
    /// did-event segment.
    #[arg(long, value_name = "REGEX", default_value = "download|guide|ebook|whitepaper")]
    segment_did_pattern: String,
    /// The column with each person's A/B-test variant. The first non-empty value in a journey
    /// counts.
    #[arg(long, value_name = "COLUMN")]
    variant_column: Option<String>,
    /// Each input file is one A/B-test variant, named by the file.
    #[arg(long)]
    variants_from_files: bool,
    /// The control variant (default: the one named like control, baseline, holdout, none or no,
    /// else the largest).
    #[arg(long, value_name = "NAME")]
    control: Option<String>,
    /// The planned share of people in each variant, in the order of the variant names sorted,
    /// such as 0.5,0.5 (default: equal shares).
    #[arg(long, value_name = "SHARES")]
    expected_shares: Option<String>,
    /// The people each variant should reach before the results are read; fewer gives a peeking
    /// warning.
    #[arg(long, value_name = "N")]
    planned_people: Option<u64>,
    /// The confidence level of the experiment's intervals, between 0 and 1.
    #[arg(long, value_name = "LEVEL", default_value_t = 0.95)]
    experiment_confidence: f64,
    /// The power the experiment calculator sizes the test for, between 0 and 1.
    #[arg(long, value_name = "POWER", default_value_t = 0.8)]
    experiment_power: f64,
    /// The relative rise of the conversion rate the experiment calculator sizes the test for,
    /// such as 0.1 for a tenth.
    #[arg(long, value_name = "UPLIFT", default_value_t = 0.1)]
    target_uplift: f64,
    /// Resamples of the bootstrap intervals of revenue per person; 0 to skip them.
    #[arg(long, value_name = "COUNT", default_value_t = 2000)]
    bootstrap_resamples: usize,
    /// Seed of the bootstrap's random stream.
    #[arg(long, value_name = "SEED", default_value_t = 1)]
    experiment_seed: u64,
    /// Variance of the normal mixing distribution of the sequential test, in squared rate points.
    #[arg(long, value_name = "TAU2", default_value_t = 1e-4)]
    mixing_variance: f64,
    /// Instead of the JSON report, print the experiment as plain-text tables.
    #[arg(long)]
    experiment_text: bool,
    /// A setup file exported by the page: its column mappings, load settings and analysis options
    /// replace the mapping, load and analysis flags, which are then ignored. A file whose columns
    /// match no entry of the setup keeps its detected mapping.
    #[arg(long, value_name = "FILE")]
    setup: Option<PathBuf>,
    /// Compare two periods of this upload by people's first event, each FROM..TO with TO the day
    /// after the last, such as 2024-01-01..2024-02-01,2024-02-01..2024-03-01.
    #[arg(long, value_name = "FROM..TO,FROM..TO")]
    compare_periods: Option<String>,
    /// A date (YYYY-MM-DD) on which you made a change, with an optional label, such as
    /// 2024-02-15:new-pricing; compares the weeks before and after it. May repeat.
    #[arg(long = "change-date", value_name = "DATE[:LABEL]")]
    change_dates: Vec<String>,
    /// Weeks compared before and after each --change-date, fewer when the data is shorter.
    #[arg(long, value_name = "WEEKS", default_value_t = 4)]
    change_weeks: usize,
    /// The time from each person's first event within which steps and conversions count in the
    /// trends and comparisons, such as 30d or 12w. A bare number is days.
    #[arg(long, value_name = "DURATION", default_value = "30d")]
    trend_window: String,
    /// Compare this upload with a baseline saved by --save-baseline.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write this upload's aggregate figures (no person ids or raw values) as a baseline to FILE.
    #[arg(long, value_name = "FILE")]
    save_baseline: Option<PathBuf>,
    /// Print the report as JSON (the default and, for now, the only format).
    #[arg(long)]
    json: bool,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => analyze(args),
        Command::Generate(args) => generate(args),
    };
    match result {
        Ok(output) => {
            if output.is_empty() {
                return ExitCode::SUCCESS;
            }
            let mut stdout = std::io::stdout().lock();
            match writeln!(stdout, "{output}").and_then(|()| stdout.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                // A reader that closed early, such as `head`, wanted no more output.
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("pathlight: writing the output failed: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(message) => {
            eprintln!("pathlight: {message}");
            ExitCode::FAILURE
        }
    }
}

fn analyze(args: AnalyzeArgs) -> Result<String, String> {
    if let Some(path) = &args.setup {
        return analyze_with_setup(path, &args);
    }
    let mut workspace = Workspace::new();
    let mut config = LoadConfig {
        time_zone: args.time_zone.clone(),
        strict: args.strict,
        keep_duplicates: args.keep_duplicates,
        date_order: if args.month_first { DateOrder::MonthFirst } else { DateOrder::DayFirst },
        files: Vec::new(),
    };
    let maps = pairs(&args.maps, "--map", "ROLE=COLUMN")?;
    const ROLES: [&str; 8] = ["person", "time", "event", "channel", "value", "ordinal", "identity", "step"];
    if let Some((role, _)) = maps.iter().find(|(role, _)| !ROLES.contains(&role.as_str())) {
        return Err(format!("--map: unknown role \"{role}\"; use {}, identity or step", ROLES[..ROLES.len() - 2].join(", ")));
    }
    let column_names: Vec<String> = args.columns.as_deref().map_or_else(Vec::new, |names| names.split(',').map(|name| name.trim().to_string()).collect());
    let mut all_columns: std::collections::HashSet<String> = std::collections::HashSet::new();
    let date_events = pairs(&args.date_events, "--date-event", "COLUMN=NAME")?;

    // The files read while their bytes arrive, which are inspected from their first bytes.
    let mut streamed = false;
    for path in &args.files {
        let name = path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into_owned());
        let index = workspace.add_file(&name, Vec::new());
        let size = std::fs::metadata(path).ok().map(|metadata| metadata.len());
        if let Some(size) = size {
            workspace.expect_size(index, size).map_err(|error| error.to_string())?;
        }
        if size.is_some_and(|size| size >= args.stream_from) {
            streamed = true;
            read_head(path, INSPECTED_BYTES, |chunk| workspace.push_chunk(index, chunk).map_err(|error| error.to_string()))?;
            workspace.finish_head(index).map_err(|error| error.to_string())?;
        } else {
            read_in_chunks(path, |chunk| workspace.push_chunk(index, chunk).map_err(|error| error.to_string()))?;
        }
        let mut file = FileConfig {
            index,
            delimiter: args.delimiter.clone(),
            quote: args.quote.clone(),
            header: if args.no_header { Some(false) } else { None },
            column_names: column_names.clone(),
            ..FileConfig::default()
        };
        let choice = file.dialect_choice(&name).map_err(|error| error.to_string())?;
        let inspection = workspace.inspect_with(index, &choice).map_err(|error| error.to_string())?;
        let columns: Vec<&str> = inspection.columns.iter().map(|column| column.name.as_str()).collect();
        all_columns.extend(columns.iter().map(|column| column.to_string()));
        let mut mapping = inspection.mapping.clone();
        for (role, column) in &maps {
            if !columns.contains(&column.as_str()) {
                continue;
            }
            if role == "identity" {
                if !mapping.identities.contains(column) {
                    mapping.identities.push(column.clone());
                }
                continue;
            }
            if role == "step" {
                continue;
            }
            let slot = match role.as_str() {
                "person" => &mut mapping.person,
                "ordinal" => &mut mapping.ordinal,
                "time" => &mut mapping.time,
                "event" => &mut mapping.event,
                "channel" => &mut mapping.channel,
                "value" => &mut mapping.value,
                other => return Err(format!("--map: unknown role \"{other}\"; use {}, identity or step", ROLES[..ROLES.len() - 2].join(", "))),
            };
            *slot = Some(column.clone());
        }
        let steps: Vec<String> =
            maps.iter().filter(|(role, column)| role == "step" && columns.contains(&column.as_str())).map(|(_, column)| column.clone()).collect();
        if !steps.is_empty() {
            // Step columns make the file an outcome table, one row per person, whatever format
            // the inspection proposed.
            mapping.outcome_table.get_or_insert_with(OutcomeTable::default).steps = steps;
            mapping.path_table = None;
            mapping.time = None;
            mapping.event = None;
            mapping.date_events.clear();
        }
        let named: Vec<DateEvent> = date_events
            .iter()
            .filter(|(column, _)| columns.contains(&column.as_str()))
            .map(|(column, name)| DateEvent { column: column.clone(), name: name.clone() })
            .collect();
        if !named.is_empty() {
            mapping.date_events = named;
            if mapping.event.is_none() {
                mapping.time = None;
            }
        }
        file.mapping = mapping;
        config.files.push(file);
    }

    let named_columns = maps.iter().map(|(_, column)| ("--map", column)).chain(date_events.iter().map(|(column, _)| ("--date-event", column)));
    for (flag, column) in named_columns {
        if !all_columns.contains(column) {
            return Err(format!("{flag}: no file has a column named \"{column}\""));
        }
    }

    // Nothing reads the files' text after the load, so the journeys and the analyses get its memory.
    workspace.drop_texts_after_reading(true);
    let summary = if streamed {
        load_streamed(&mut workspace, &config, &args.files)?
    } else {
        load_on_threads(&mut workspace, &config, usize::from(args.read_threads)).map_err(|error| error.to_string())?
    };
    let conversion = args.conversion.clone().or(summary.suggested_conversion.clone());
    let steps = match &args.funnel {
        Some(text) => parse_steps(text)?,
        None => Vec::new(),
    };
    let mut options = AnalysisOptions {
        conversion,
        funnel: FunnelOptions {
            steps,
            window: args.window.clone(),
            kind: parse_funnel_kind(&args.funnel_kind)?,
            exclusions: args.exclusions.iter().map(|text| parse_exclusion(text)).collect::<Result<_, _>>()?,
            counting: match args.counting.as_str() {
                "people" => Counting::People,
                "totals" => Counting::Totals,
                other => return Err(format!("--counting: unknown counting \"{other}\"; use people or totals")),
            },
            breakdown: args.breakdown.clone(),
            hold_constant: args.hold_constant.clone(),
        },
        ..AnalysisOptions::default()
    };
    options.paths.collapse_repeats = !args.keep_repeats;
    options.paths.label_column = args.path_label.clone();
    options.paths.clean_urls = args.clean_urls;
    options.paths.start_after = args.path_start_after.clone();
    options.paths.end_before = args.path_end_before.clone();
    options.paths.after_drop_off = args.path_after_drop_off;
    if let Some(text) = &args.path_between {
        let steps: Vec<usize> = text.split(',').map(|step| step.trim().parse::<usize>()).collect::<Result<_, _>>().map_err(|_| {
            format!("--path-between: \"{text}\" must be two funnel step numbers, such as 1,3")
        })?;
        let [from, to] = steps[..] else {
            return Err(format!("--path-between: \"{text}\" must be two funnel step numbers, such as 1,3"));
        };
        options.paths.between_steps = Some([from, to]);
    }
    for text in &args.path_rules {
        let (pattern, replacement) =
            text.split_once("=>").ok_or_else(|| format!("--path-rule: \"{text}\" must look like PATTERN=>REPLACEMENT"))?;
        options.paths.rules.push(CleaningRule { pattern: pattern.to_string(), replacement: replacement.to_string() });
    }
    options.attribution.half_life = args.half_life.clone();
    options.attribution.markov_order = args.markov_order;
    options.friction.top = args.friction_top;
    options.friction.min_stopped = args.friction_min_stopped;
    options.attribution.markov_collapse_repeats = args.markov_collapse_repeats;
    options.attribution.weight = match args.attribution_weight.as_str() {
        "conversions" => AttributionWeight::Conversions,
        "value" => AttributionWeight::Value,
        other => return Err(format!("--attribution-weight: unknown weight \"{other}\"; use conversions or value")),
    };
    options.conversion_curve.censor_at = match args.censor_at.as_str() {
        "data_end" => CensorAt::DataEnd,
        "last_event" => CensorAt::LastEvent,
        other => return Err(format!("--censor-at: unknown value \"{other}\"; use data_end or last_event")),
    };
    options.process_map.max_activities = args.max_activities;
    options.clv.cutoff = args.clv_cutoff.clone();
    options.clv.unit = match args.clv_unit.as_str() {
        "days" => ClvUnit::Days,
        "weeks" => ClvUnit::Weeks,
        other => return Err(format!("--clv-unit: unknown value \"{other}\"; use days or weeks")),
    };
    options.clv.horizon = args.clv_horizon;
    options.clv.fit = !args.no_clv_fit;
    options.email.falloff_ratio = args.email_falloff;
    options.sessions.gap = args.session_gap.clone();
    options.stages = args.stages.iter().map(|text| crate::stage_arg::parse_stage(text)).collect::<Result<_, _>>()?;
    if let Some(events) = &args.session_events {
        options.sessions.events = events.split(',').map(str::trim).filter(|event| !event.is_empty()).map(str::to_string).collect();
    }
    options.silences.return_rule = args.silence_return_rule;
    options.silences.min_silences = args.min_silences;
    options.rhythm.all_events = args.rhythm_all_events;
    if let Some(cuts) = &args.speed_cuts {
        options.speed.cuts = cuts.split(',').map(|cut| cut.trim().to_string()).collect();
    }
    options.speed.top = args.speed_top;
    options.channel_speed.by = match args.channel_speed_by.as_str() {
        "first_touch" => ChannelGrouping::FirstTouch,
        "any_touch" => ChannelGrouping::AnyTouch,
        other => return Err(format!("--channel-speed-by: unknown value \"{other}\"; use first_touch or any_touch")),
    };
    options.patterns.min_support = args.pattern_min_support;
    options.patterns.min_support_count = args.pattern_min_count;
    options.patterns.max_length = args.pattern_max_length;
    options.patterns.skip_share = args.pattern_skip_share;
    options.patterns.long_gap = args.pattern_long_gap.clone();
    options.prediction.enabled = !args.no_predict;
    options.prediction.cut = args.predict_cut.clone();
    options.prediction.cut_share = args.predict_cut_share;
    options.prediction.horizon = args.predict_horizon.clone();
    options.prediction.recent = args.predict_recent.clone();
    options.prediction.people = args.predict_people;
    options.prediction.path_labels = args.predict_path_labels;
    options.voice.text_columns = args.voice_columns.clone();
    options.voice.channel_column = args.voice_channel_column.clone();
    options.voice.themes = args.voice_themes;
    options.segments.repeat_pattern = args.segment_repeat_pattern.clone();
    options.segments.repeat_min = args.segment_repeat_min;
    options.segments.did_pattern = args.segment_did_pattern.clone();
    options.experiment = experiment_options(&args)?;
    let window = args.trend_window.trim();
    options.trends.window = if window.parse::<f64>().is_ok() { format!("{window}d") } else { window.to_string() };
    options.trends.change_weeks = args.change_weeks;
    options.trends.periods = args.compare_periods.as_deref().map(parse_periods).transpose()?;
    options.trends.change_dates = args.change_dates.iter().map(|text| parse_change_date(text)).collect();
    if let Some(path) = &args.baseline {
        let text = std::fs::read_to_string(path).map_err(|error| format!("--baseline: {} cannot be read: {error}", path.display()))?;
        options.trends.baseline = Some(text);
    }
    // The people lists read the silences, speed and prediction options, so they are set first.
    if let Some(text) = &args.list_people {
        let query = parse_people_query(text, args.people_limit)?;
        let list = workspace.list_people(&options, &query).map_err(|error| error.to_string())?;
        return serde_json::to_string(&list).map_err(|error| error.to_string());
    }
    let report = workspace.analyze(&options).map_err(|error| error.to_string())?;
    if let Some(path) = &args.save_baseline {
        let baseline = report.trends.as_ref().map(|trends| &trends.baseline).ok_or_else(|| "--save-baseline: this data has no baseline, because it is empty or its times are synthetic".to_string())?;
        let text = serde_json::to_string_pretty(baseline).map_err(|error| error.to_string())?;
        std::fs::write(path, text).map_err(|error| format!("--save-baseline: {} cannot be written: {error}", path.display()))?;
    }
    if args.experiment_text {
        return match &report.experiment {
            Some(experiment) => Ok(crate::experiment_text::render(experiment, &report.warnings)),
            None => Err("--experiment-text needs --variant-column or --variants-from-files".to_string()),
        };
    }
    Ok(report.to_json())
}

/// Reads the experiment flags.
fn experiment_options(args: &AnalyzeArgs) -> Result<ExperimentOptions, String> {
    let expected_shares = match &args.expected_shares {
        None => Vec::new(),
        Some(text) => text
            .split(',')
            .map(|share| share.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| format!("--expected-shares: \"{text}\" must be numbers separated by commas, such as 0.5,0.5"))?,
    };
    Ok(ExperimentOptions {
        variant_column: args.variant_column.clone(),
        variants_from_files: args.variants_from_files,
        control: args.control.clone(),
        expected_shares,
        planned_people_per_variant: args.planned_people,
        bootstrap_resamples: args.bootstrap_resamples,
        seed: args.experiment_seed,
        confidence: args.experiment_confidence,
        power: args.experiment_power,
        minimum_detectable_uplift: args.target_uplift,
        mixing_variance: args.mixing_variance,
    })
}

/// Reads the files with the mappings and load settings of a setup file and analyses them with its
/// options; --list-people still applies.
fn analyze_with_setup(path: &Path, args: &AnalyzeArgs) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("--setup: {} cannot be read: {error}", path.display()))?;
    let setup = Setup::parse(&text).map_err(|error| format!("--setup: {}: {error}", path.display()))?;
    let mut workspace = Workspace::new();
    let mut inspections = Vec::new();
    for file in &args.files {
        let name = file.file_name().map_or_else(|| file.display().to_string(), |name| name.to_string_lossy().into_owned());
        let index = workspace.add_file(&name, Vec::new());
        read_in_chunks(file, |chunk| workspace.push_chunk(index, chunk).map_err(|error| error.to_string()))?;
        inspections.push(workspace.inspect(index, None).map_err(|error| error.to_string())?);
    }
    workspace.drop_texts_after_reading(true);
    workspace.load(&setup.load_config(&inspections)).map_err(|error| error.to_string())?;
    if let Some(text) = &args.list_people {
        let query = parse_people_query(text, args.people_limit)?;
        let list = workspace.list_people(&setup.analysis, &query).map_err(|error| error.to_string())?;
        return serde_json::to_string(&list).map_err(|error| error.to_string());
    }
    let report = workspace.analyze(&setup.analysis).map_err(|error| error.to_string())?;
    Ok(report.to_json())
}

/// Parses `FROM..TO,FROM..TO` for --compare-periods.
fn parse_periods(text: &str) -> Result<PeriodPair, String> {
    let invalid = || format!("--compare-periods: \"{text}\" must be two ranges FROM..TO separated by a comma, such as 2024-01-01..2024-02-01,2024-02-01..2024-03-01");
    let ranges: Vec<DateRange> = text
        .split(',')
        .map(|range| range.split_once("..").map(|(from, to)| DateRange { from: from.trim().to_string(), to: to.trim().to_string() }).ok_or_else(invalid))
        .collect::<Result<_, _>>()?;
    let [a, b] = <[DateRange; 2]>::try_from(ranges).map_err(|_| invalid())?;
    Ok(PeriodPair { a, b })
}

/// Parses `DATE` or `DATE:LABEL` for --change-date.
fn parse_change_date(text: &str) -> ChangeDate {
    match text.split_once(':') {
        Some((date, label)) => ChangeDate { date: date.trim().to_string(), label: label.trim().to_string() },
        None => ChangeDate { date: text.trim().to_string(), label: String::new() },
    }
}

/// Parses `STEP`, `STEP:dropped`, `finding:N` or `segment:ID` for --list-people.
fn parse_people_query(text: &str, limit: usize) -> Result<PeopleQuery, String> {
    let invalid = || format!("--list-people: \"{text}\" must be a step number, such as 2, a step and dropped, such as 2:dropped, a friction finding, such as finding:0, a segment, such as segment:repeat_visit, or a selection as JSON, such as {{\"kind\":\"channel\",\"channel\":\"email\"}}");
    let limit = (limit > 0).then_some(limit);
    if text.trim_start().starts_with('{') {
        let selection: Selection = serde_json::from_str(text.trim()).map_err(|error| format!("--list-people: the selection {text} is invalid: {error}. See docs/api.md for the selection kinds and fields."))?;
        return Ok(PeopleQuery { selection: Some(selection), limit, ..PeopleQuery::default() });
    }
    if let Some(id) = text.trim().strip_prefix("segment:") {
        return Ok(PeopleQuery { segment: Some(id.trim().to_string()), limit, ..PeopleQuery::default() });
    }
    if let Some(number) = text.trim().strip_prefix("finding:") {
        let finding = number.trim().parse().map_err(|_| invalid())?;
        return Ok(PeopleQuery { finding: Some(finding), limit, ..PeopleQuery::default() });
    }
    let (step, group) = match text.trim().split_once(':') {
        None => (text.trim(), StepGroup::Reached),
        Some((step, "dropped")) => (step.trim(), StepGroup::Dropped),
        Some((step, "reached")) => (step.trim(), StepGroup::Reached),
        Some(_) => return Err(invalid()),
    };
    let step = step.parse().map_err(|_| invalid())?;
    Ok(PeopleQuery { step, group, limit, ..PeopleQuery::default() })
}

fn generate(args: GenerateArgs) -> Result<String, String> {
    let options = SynthOptions {
        people: args.people,
        seed: args.seed,
        days: args.days.max(1),
        order: if args.by_person { RowOrder::ByPerson } else { RowOrder::ByTime },
        plant: args.plant.as_deref().map(Plants::parse).transpose()?,
        drop_date: args.drop_date.as_deref().map(parse_drop_date).transpose()?,
        tracking_urls: args.tracking_urls,
        ..SynthOptions::default()
    };
    let stdout = std::io::stdout();
    let mut output = std::io::BufWriter::new(stdout.lock());
    write_csv(&options, &mut output).and_then(|_| output.flush()).map_err(|error| format!("cannot write the CSV: {error}"))?;
    Ok(String::new())
}

/// Parses --drop-date as UTC midnight.
fn parse_drop_date(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|time| time.and_utc())
        .ok_or_else(|| format!("--drop-date: \"{text}\" is not a date; write it as YYYY-MM-DD, such as 2024-03-15"))
}

/// Reads a file in slices, as the page does, so only its decoded text is kept whole.
fn read_in_chunks(path: &Path, push: impl FnMut(&[u8]) -> Result<(), String>) -> Result<(), String> {
    let cannot_read = |error: std::io::Error| format!("{}: cannot be read: {error}", path.display());
    let mut file = File::open(path).map_err(cannot_read)?;
    read_from(&mut file, path, push)
}

/// Pushes everything `source`, read from `path`, gives in chunks.
fn read_from(source: &mut impl Read, path: &Path, mut push: impl FnMut(&[u8]) -> Result<(), String>) -> Result<(), String> {
    const CHUNK_BYTES: usize = 4 * 1024 * 1024;
    let cannot_read = |error: std::io::Error| format!("{}: cannot be read: {error}", path.display());
    let mut buffer = vec![0u8; CHUNK_BYTES];
    loop {
        let read = source.read(&mut buffer).map_err(cannot_read)?;
        if read == 0 {
            return Ok(());
        }
        push(&buffer[..read])?;
    }
}

/// Pushes the first `limit` bytes of a file, or all of a shorter one, in chunks.
fn read_head(path: &Path, limit: usize, push: impl FnMut(&[u8]) -> Result<(), String>) -> Result<(), String> {
    let cannot_read = |error: std::io::Error| format!("{}: cannot be read: {error}", path.display());
    let file = File::open(path).map_err(cannot_read)?;
    read_from(&mut file.take(limit as u64), path, push)
}

/// Loads the files of `config`, the files of `paths` in the same order, while reading each again
/// from disk, so that only the text not yet read is in memory.
fn load_streamed(workspace: &mut Workspace, config: &LoadConfig, paths: &[PathBuf]) -> Result<LoadSummary, String> {
    workspace.begin_stream(config).map_err(|error| error.to_string())?;
    for (position, (file, path)) in config.files.iter().zip(paths).enumerate() {
        let size = std::fs::metadata(path).ok().map(|metadata| metadata.len());
        workspace.stream_file(position, size).map_err(|error| error.to_string())?;
        read_in_chunks(path, |chunk| workspace.push_chunk(file.index, chunk).map_err(|error| error.to_string()))?;
    }
    workspace.finish_stream().map_err(|error| error.to_string())
}

/// Splits `KEY=VALUE` arguments.
fn pairs(values: &[String], flag: &str, shape: &str) -> Result<Vec<(String, String)>, String> {
    values
        .iter()
        .map(|value| {
            value
                .split_once('=')
                .map(|(key, rest)| (key.trim().to_string(), rest.trim().to_string()))
                .filter(|(key, rest)| !key.is_empty() && !rest.is_empty())
                .ok_or_else(|| format!("{flag} \"{value}\" must look like {shape}"))
        })
        .collect()
}

/// Parses `a,b[column=value],c[column~glob],d[column=~regex]` into funnel steps.
fn parse_steps(text: &str) -> Result<Vec<FunnelStep>, String> {
    let mut steps = Vec::new();
    for part in crate::stage_arg::split_rules(text) {
        let (event, filter) = crate::stage_arg::parse_filtered_event(part, "--funnel")?;
        let step = match filter {
            None => FunnelStep { event, ..FunnelStep::default() },
            Some((column, value, match_kind)) => FunnelStep { event, column: Some(column), value: Some(value), match_kind, ..FunnelStep::default() },
        };
        steps.push(step);
    }
    Ok(steps)
}

fn parse_funnel_kind(text: &str) -> Result<FunnelKind, String> {
    match text.trim() {
        "ordered" => Ok(FunnelKind::Ordered),
        "strict" => Ok(FunnelKind::Strict),
        "any_order" | "any-order" => Ok(FunnelKind::AnyOrder),
        other => Err(format!("--funnel-kind: unknown kind \"{other}\"; use ordered, strict or any_order")),
    }
}

/// Parses `event`, `event[between=1,2]` or `event[column=value,between=1,2]` into an exclusion.
fn parse_exclusion(text: &str) -> Result<FunnelExclusion, String> {
    let text = text.trim();
    let Some((event, filter)) = text.split_once('[') else {
        return Ok(FunnelExclusion { event: text.to_string(), ..FunnelExclusion::default() });
    };
    let filter = filter.strip_suffix(']').ok_or_else(|| format!("--exclude: \"{text}\" is missing its closing ]"))?;
    let mut exclusion = FunnelExclusion { event: event.trim().to_string(), ..FunnelExclusion::default() };
    let (filter, between) = match filter.split_once("between=") {
        Some((before, steps)) => (before.trim().trim_end_matches(',').trim(), Some(steps)),
        None => (filter.trim(), None),
    };
    if let Some(steps) = between {
        let numbers: Vec<usize> = steps.split(',').map(|number| number.trim().parse::<usize>()).collect::<Result<_, _>>().map_err(|_| {
            format!("--exclude: \"{text}\" must give between as two step numbers, such as between=1,2")
        })?;
        let [a, b] = numbers[..] else {
            return Err(format!("--exclude: \"{text}\" must give between as two step numbers, such as between=1,2"));
        };
        exclusion.between = Some([a, b]);
    }
    if !filter.is_empty() {
        let (column, value) = filter
            .split_once('=')
            .filter(|(column, _)| !column.trim().is_empty())
            .ok_or_else(|| format!("--exclude: the filter in \"{text}\" must look like [column=value,between=A,B]"))?;
        exclusion.column = Some(column.trim().to_string());
        exclusion.value = Some(value.trim().to_string());
    }
    Ok(exclusion)
}

/// Loads `config`, reading each event file in up to `threads` parts, one thread per part.
fn load_on_threads(workspace: &mut Workspace, config: &LoadConfig, threads: usize) -> Result<LoadSummary, pathlight::Error> {
    if threads <= 1 {
        return workspace.load(config);
    }
    let plan = workspace.plan_load(config, &Split::even(threads))?;
    let jobs = plan.jobs();
    let texts = jobs.iter().map(|job| workspace.part_text(&plan, job)).collect::<Result<Vec<_>, _>>()?;
    let reads = std::thread::scope(|scope| {
        let plan = &plan;
        let handles: Vec<_> = jobs.iter().zip(texts).map(|(job, text)| scope.spawn(move || plan.read_part(job, text))).collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap_or_else(|_| Err(pathlight::Error::Options("A thread that read part of a file failed.".to_string()))))
            .collect::<Result<Vec<_>, _>>()
    })?;
    let joined = workspace.join_parts(plan, reads)?;
    workspace.finish_load(joined)
}
