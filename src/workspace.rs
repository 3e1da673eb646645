//! The stateful workspace: files are added once, loaded once into journeys, and analysed as often
//! as the options change.

use std::cell::RefCell;

use serde::Serialize;

use crate::analysis::people::{PeopleList, PeopleQuery};
use crate::analysis::{self, AnalysisOptions};
use crate::error::{shorten, Error, Problem};
use crate::ingest::decode::StreamDecoder;
use crate::ingest::parts::{self, FilePlan, PartRange, PartRead, PartText, Split};
use crate::ingest::stream::{FileStream, StreamSizes};
use crate::ingest::{self, time, DialectChoice, FileInspection, FileStats, LoadConfig, Problems, ReadSettings};
use crate::model::identity::{self, MergeSummary};
use crate::model::{duplicates, EventLog, Journeys, NONE};
use crate::report::{counted, Report, Warning};
use crate::sorting;

/// Property values listed per column in the load summary.
const PROPERTY_VALUES: usize = 50;
/// Property columns listed in the load summary, for step filters.
const PROPERTY_COLUMNS: usize = 40;

/// Event names that usually mean a conversion, best first.
const CONVERSION_WORDS: &[&str] = &[
    "purchase", "order_completed", "order", "checkout_completed", "transaction", "deal_won", "won",
    "closed_won", "subscribe", "subscription", "sign_up", "signup", "register", "registration",
    "conversion", "convert", "booking", "book", "lead",
];

/// The maximum number of event names listed in the load summary, whose names the page offers as
/// choices in menus. A log of a million distinct names would otherwise build a million menu entries.
pub const MAX_LISTED_EVENT_NAMES: usize = 5_000;

struct SourceFile {
    name: String,
    /// The file's text, decoded chunk by chunk as it arrives.
    decoder: StreamDecoder,
}

struct Loaded {
    log: EventLog,
    journeys: Journeys,
    time_zone: String,
    warnings: Vec<Warning>,
    synthetic_times: bool,
    /// Results kept from the last report on this log, for the next one.
    memo: RefCell<analysis::memo::Memo>,
}

/// How often one event name occurs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NameCount {
    pub name: String,
    pub count: u64,
}

/// How often one property value occurs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueCount {
    pub value: String,
    pub count: u64,
}

/// A property column and its most frequent values, for step filters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertySummary {
    pub column: String,
    pub distinct: u64,
    pub values: Vec<ValueCount>,
}

/// The result of `load`: counts, problems and suggestions for the analysis options.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadSummary {
    pub people: u64,
    pub events: u64,
    pub files: Vec<FileStats>,
    pub skipped_rows: u64,
    /// The first bad values found; `skipped_rows` counts all of them.
    pub problems: Vec<Problem>,
    /// The most frequent event names, at most [`MAX_LISTED_EVENT_NAMES`], most frequent first.
    pub event_names: Vec<NameCount>,
    /// Distinct event names in the data, listed in `event_names` or not.
    pub distinct_event_names: u64,
    pub properties: Vec<PropertySummary>,
    pub suggested_conversion: Option<String>,
    pub suggested_funnel: Vec<String>,
    pub warnings: Vec<Warning>,
    /// Distinct identifiers read from the person and identity columns.
    pub identifiers: u64,
    /// Identifiers that were merged with another one into a person.
    pub merged_identifiers: u64,
    /// People made of more than one identifier.
    pub merged_people: u64,
    /// Exact duplicate events removed. The first of each set was kept.
    pub duplicate_events: u64,
    /// Events that share their time with the previous event of the same person.
    pub tied_timestamps: u64,
    /// True when a channel path table or an outcome table was loaded: its times are made up, so
    /// the report leaves every duration empty.
    pub synthetic_times: bool,
}

/// Files, and once loaded, their journeys.
#[derive(Default)]
pub struct Workspace {
    files: Vec<Option<SourceFile>>,
    loaded: Option<Loaded>,
    /// Whether a load drops the files' text once their events are read, before it builds the
    /// journeys: see [`Workspace::drop_texts_after_reading`].
    drop_texts: bool,
    /// A load that reads its files while their bytes arrive: see [`Workspace::begin_stream`].
    stream: Option<StreamedLoad>,
    stream_sizes: StreamSizes,
}

/// A load whose files are read while their bytes arrive.
struct StreamedLoad {
    config: LoadConfig,
    settings: ReadSettings,
    /// The position in `config.files` of the next file to start.
    next: usize,
    /// The file being read, with its index among the workspace's files.
    current: Option<(usize, FileStream)>,
    names: Vec<String>,
    log: EventLog,
    problems: Problems,
    warnings: Vec<Warning>,
    files: Vec<FileStats>,
}

impl StreamedLoad {
    /// Reads the rest of the current file, if any, and gives its decoder, which keeps the counts
    /// of the decoding but no text, back to the workspace's file.
    fn finish_file(&mut self, sources: &mut [Option<SourceFile>]) -> Result<(), Error> {
        let Some((index, file)) = self.current.take() else { return Ok(()) };
        let (stats, decoder) = file.finish(&mut self.log, &mut self.problems, &mut self.warnings)?;
        if let Some(Some(source)) = sources.get_mut(index) {
            source.decoder = decoder;
        }
        self.files.push(stats);
        Ok(())
    }
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace::default()
    }

    /// Adds a file with its first bytes (or none) and returns its index.
    pub fn add_file(&mut self, name: &str, bytes: Vec<u8>) -> usize {
        let mut decoder = StreamDecoder::new();
        decoder.push(&bytes);
        self.files.push(Some(SourceFile { name: name.to_string(), decoder }));
        self.files.len() - 1
    }

    /// Tells the workspace the size in bytes of a file added without bytes, before its first
    /// chunk, so its text is reserved once rather than grown (see [`StreamDecoder::expect`]).
    pub fn expect_size(&mut self, index: usize, bytes: u64) -> Result<(), Error> {
        self.file_mut(index)?.decoder.expect(bytes);
        Ok(())
    }

    /// Appends bytes to a file added with [`Workspace::add_file`]. The bytes are decoded at once
    /// and only the text is kept. For the file that a streamed load is reading
    /// ([`Workspace::stream_file`]), the records they complete are read and their text dropped.
    /// An error there ends the streamed load.
    pub fn push_chunk(&mut self, index: usize, chunk: &[u8]) -> Result<(), Error> {
        if let Some(stream) = &mut self.stream {
            if let Some((current, file)) = &mut stream.current {
                if *current == index {
                    let pushed = file.push(chunk, &mut stream.log, &mut stream.problems);
                    if pushed.is_err() {
                        self.stream = None;
                    }
                    return pushed;
                }
            }
        }
        let file = self.file_mut(index)?;
        file.decoder.push(chunk);
        Ok(())
    }

    /// Ends a reading of only the first bytes of a file, enough to inspect it, with the complete
    /// lines among them. The file can then be inspected, and loaded by a streamed load only.
    pub fn finish_head(&mut self, index: usize) -> Result<(), Error> {
        self.file_mut(index)?.decoder.finish_head();
        Ok(())
    }

    /// Starts a load that reads each configured file while its bytes arrive, so that a file's whole
    /// text is never in memory. [`Workspace::stream_file`] starts each file, in the order of
    /// `config.files`, [`Workspace::push_chunk`] gives it its bytes, and
    /// [`Workspace::finish_stream`] returns the summary that [`Workspace::load`] gives for the same
    /// files. Forgets an earlier load.
    pub fn begin_stream(&mut self, config: &LoadConfig) -> Result<(), Error> {
        self.stream = None;
        let settings = read_settings(config)?;
        self.loaded = None;
        self.stream = Some(StreamedLoad {
            config: config.clone(),
            settings,
            next: 0,
            current: None,
            names: Vec::new(),
            log: EventLog::default(),
            problems: Problems::default(),
            warnings: Vec::new(),
            files: Vec::new(),
        });
        Ok(())
    }

    /// Reads the rest of the streamed load's current file, and starts the file at `position` of
    /// its configuration, which must be the next one. `size` is the file's size in bytes, where
    /// known. The file's text so far is dropped: push all of its bytes from the start. An error
    /// ends the streamed load.
    pub fn stream_file(&mut self, position: usize, size: Option<u64>) -> Result<(), Error> {
        let started = self.start_streamed_file(position, size);
        if started.is_err() {
            self.stream = None;
        }
        started
    }

    fn start_streamed_file(&mut self, position: usize, size: Option<u64>) -> Result<(), Error> {
        let stream = self.stream.as_mut().ok_or_else(no_stream_error)?;
        stream.finish_file(&mut self.files)?;
        if position != stream.next {
            return Err(Error::Options(format!(
                "A streamed load reads its files in the order of its configuration: file {} comes next, not file {position}.",
                stream.next
            )));
        }
        let file_config = stream.config.files.get(position).ok_or_else(|| Error::Options(format!("The load has no file at position {position}.")))?;
        let index = file_config.index;
        let source = self.files.get_mut(index).and_then(Option::as_mut).ok_or_else(|| Error::Options(format!("There is no file number {index}.")))?;
        source.decoder.release();
        let name = distinct_name(&source.name, &stream.names);
        stream.names.push(name.clone());
        stream.current = Some((index, FileStream::new(position as u16, &name, file_config, &stream.settings, size, self.stream_sizes)));
        stream.next += 1;
        Ok(())
    }

    /// Sets the text that a streamed load waits for before it plans a file and before it reads
    /// each part. The defaults suit the page; smaller sizes cut small files into many parts, with
    /// the same result.
    pub fn set_stream_sizes(&mut self, sizes: StreamSizes) {
        self.stream_sizes = sizes;
    }

    /// Reads the rest of the last file of the streamed load, builds the journeys and returns the
    /// load summary.
    pub fn finish_stream(&mut self) -> Result<LoadSummary, Error> {
        let mut stream = self.stream.take().ok_or_else(no_stream_error)?;
        stream.finish_file(&mut self.files)?;
        if stream.next < stream.config.files.len() {
            return Err(Error::Options(format!("File {} of the streamed load was not read: start it with its bytes before finishing.", stream.next)));
        }
        let StreamedLoad { config, log, problems, warnings, files, .. } = stream;
        self.finish_load(JoinedLoad { config, log, problems, warnings, files })
    }

    /// Drops the decoded text of every file, which only inspecting and loading read, so that the
    /// analyses have its memory. A file must then be read again ([`Workspace::read_again`]) before
    /// it is inspected or loaded again.
    pub fn release_texts(&mut self) {
        for file in self.files.iter_mut().flatten() {
            file.decoder.release();
        }
    }

    /// Makes each later load drop every file's text as soon as the events are read, so that building
    /// the journeys and the analyses reuse its memory. The page and the CLI, which keep or reopen
    /// the files themselves, turn this on. A file must then be read again
    /// ([`Workspace::read_again`]) before it is inspected or loaded again.
    pub fn drop_texts_after_reading(&mut self, drop: bool) {
        self.drop_texts = drop;
    }

    /// True when the file's text was dropped by [`Workspace::release_texts`].
    pub fn is_released(&self, index: usize) -> Result<bool, Error> {
        Ok(self.file(index)?.decoder.is_released())
    }

    /// Starts reading a file's bytes again, under the same index: push them with
    /// [`Workspace::push_chunk`] as the first time.
    pub fn read_again(&mut self, index: usize) -> Result<(), Error> {
        let file = self.file_mut(index)?;
        file.decoder = file.decoder.again();
        Ok(())
    }

    /// Forgets the loaded events and journeys, as the start of the next load does, so that reading a
    /// file again for that load can reuse their memory.
    pub fn clear_load(&mut self) {
        self.loaded = None;
    }

    /// Forgets a file. The indexes of the other files do not change.
    pub fn remove_file(&mut self, index: usize) {
        if let Some(slot) = self.files.get_mut(index) {
            *slot = None;
        }
    }

    /// Inspects a file, with `delimiter` (`,` `;` `|` `tab` `whitespace`) overriding the sniffed
    /// one. The file counts as complete from here on: later chunks are ignored.
    pub fn inspect(&mut self, index: usize, delimiter: Option<&str>) -> Result<FileInspection, Error> {
        let name = self.file(index)?.name.clone();
        let choice = DialectChoice { delimiter: ingest::parse_delimiter_choice(&name, delimiter)?, ..DialectChoice::default() };
        self.inspect_with(index, &choice)
    }

    /// Inspects a file with the user's dialect choices: delimiter, header row and column names.
    pub fn inspect_with(&mut self, index: usize, choice: &DialectChoice) -> Result<FileInspection, Error> {
        let file = self.file_mut(index)?;
        file.decoder.finish();
        if file.decoder.is_released() {
            return Err(released_error(&file.name));
        }
        ingest::inspect(index, &file.name, &file.decoder, choice)
    }

    /// Reads every configured file into journeys, replacing an earlier load.
    pub fn load(&mut self, config: &LoadConfig) -> Result<LoadSummary, Error> {
        let plan = self.plan_load(config, &Split::even(1))?;
        let reads = plan.jobs().iter().map(|job| self.read_part(&plan, job)).collect::<Result<_, _>>()?;
        let joined = self.join_parts(plan, reads)?;
        self.finish_load(joined)
    }

    /// Resolves the columns of every configured file and cuts each event file into the parts
    /// that `split` describes. [`Workspace::read_part`] or
    /// [`LoadPlan::read_part`] then reads the parts side by side, on threads or in other
    /// workspaces, [`Workspace::join_parts`] joins them, and [`Workspace::finish_load`] builds the
    /// load that [`Workspace::load`] gives. Forgets an earlier load.
    pub fn plan_load(&mut self, config: &LoadConfig, split: &Split) -> Result<LoadPlan, Error> {
        self.stream = None;
        let settings = read_settings(config)?;
        self.loaded = None;
        let mut names: Vec<String> = Vec::with_capacity(config.files.len());
        let mut files = Vec::with_capacity(config.files.len());
        for (position, file_config) in config.files.iter().enumerate() {
            let planned = match self.file_mut(file_config.index) {
                Err(error) => Planned::Failed(error),
                Ok(file) if file.decoder.is_released() => Planned::Failed(released_error(&file.name)),
                Ok(file) if file.decoder.is_partial() => Planned::Failed(partial_error(&file.name)),
                Ok(file) => {
                    file.decoder.finish();
                    let name = distinct_name(&file.name, &names);
                    names.push(name.clone());
                    let mapping = &file_config.mapping;
                    if mapping.path_table.is_some() || mapping.outcome_table.is_some() {
                        Planned::Whole { name }
                    } else {
                        match FilePlan::new(position as u16, &name, &file.decoder, file_config, &settings) {
                            Ok(plan) => {
                                let ranges = plan.split(file.decoder.text(), split);
                                Planned::Events { plan, ranges }
                            }
                            Err(error) => Planned::Failed(error),
                        }
                    }
                }
            };
            files.push(planned);
        }
        Ok(LoadPlan { config: config.clone(), settings, files })
    }

    /// Returns the text that `job` of a planned load reads, from this workspace's copy of the file.
    pub fn part_text(&self, plan: &LoadPlan, job: &PartJob) -> Result<PartText<'_>, Error> {
        let index = plan.config.files.get(job.file).map_or(usize::MAX, |file| file.index);
        Ok(PartText::of(self.file(index)?.decoder.text(), job.range))
    }

    /// Reads one part of a planned load, from this workspace's copy of the file.
    pub fn read_part(&self, plan: &LoadPlan, job: &PartJob) -> Result<PartRead, Error> {
        plan.read_part(job, self.part_text(plan, job)?)
    }

    /// Joins the parts of a planned load, read in the order of [`LoadPlan::jobs`], into one event
    /// log, which [`Workspace::finish_load`] turns into journeys. A file whose cut fell inside a
    /// quoted row is read again in one part here.
    pub fn join_parts(&self, plan: LoadPlan, reads: Vec<PartRead>) -> Result<JoinedLoad, Error> {
        let LoadPlan { config, settings, files: planned } = plan;
        let mut log = EventLog::default();
        let mut problems = Problems::default();
        let mut warnings = Vec::new();
        let mut files = Vec::new();
        let mut reads = reads.into_iter();
        for (position, planned) in planned.into_iter().enumerate() {
            let file_config = &config.files[position];
            let stats = match planned {
                Planned::Failed(error) => return Err(error),
                Planned::Whole { name } => {
                    let file = self.file(file_config.index)?;
                    ingest::read_events(position as u16, &name, &file.decoder, file_config, &settings, &mut log, &mut problems, &mut warnings)?
                }
                Planned::Events { plan, ranges } => {
                    let parts: Vec<PartRead> = reads.by_ref().take(ranges.len()).collect();
                    match parts::join(&plan, parts, &mut log, &mut problems, &mut warnings)? {
                        Some(stats) => stats,
                        None => {
                            let file = self.file(file_config.index)?;
                            parts::read_whole(&plan, file.decoder.text(), &mut log, &mut problems, &mut warnings)?
                        }
                    }
                }
            };
            files.push(stats);
        }
        Ok(JoinedLoad { config, log, problems, warnings, files })
    }

    /// Builds the journeys of a joined load and returns its summary.
    pub fn finish_load(&mut self, joined: JoinedLoad) -> Result<LoadSummary, Error> {
        let JoinedLoad { config, mut log, problems, mut warnings, files } = joined;
        if self.drop_texts {
            self.release_texts();
        }
        let config = &config;
        if log.is_empty() {
            let detail = problems.examples.first().map_or(String::new(), |problem| format!(" The first problem: {problem}."));
            return Err(Error::Options(format!("No events could be read from the files.{detail}")));
        }
        if problems.count > 0 {
            warnings.insert(
                0,
                Warning::new(
                    "skipped_rows",
                    problems.count,
                    format!(
                        "{} with a bad value {} skipped. The first ones are listed; fix them in the file, or use strict mode to stop at the first.",
                        if problems.count == 1 { "1 row".to_string() } else { format!("{} rows", problems.count) },
                        if problems.count == 1 { "was" } else { "were" }
                    ),
                )
                .with_examples(problems.examples.iter().map(ToString::to_string).collect()),
            );
        }

        log.file_names = files.iter().map(|stats: &FileStats| stats.name.clone()).collect();
        let file_names: Vec<&str> = files.iter().map(|stats: &FileStats| stats.name.as_str()).collect();
        let (journeys, people) = build_journeys(&mut log, &file_names, config.keep_duplicates, &mut warnings);
        log.shrink_to_fit();
        let mut event_names = event_counts(&log);
        let distinct_event_names = event_names.len() as u64;
        if event_names.len() > MAX_LISTED_EVENT_NAMES {
            event_names.truncate(MAX_LISTED_EVENT_NAMES);
            warnings.push(Warning::new(
                "event_names_not_listed",
                distinct_event_names - MAX_LISTED_EVENT_NAMES as u64,
                format!(
                    "The data has {distinct_event_names} distinct event names. The load summary lists the {MAX_LISTED_EVENT_NAMES} most frequent, so the rarer ones are not offered as choices, but every event is still analysed. Clean the event names, for example with path rules, to have fewer distinct ones."
                ),
            ));
        }
        let synthetic_times = config.files.iter().any(|file| file.mapping.path_table.is_some() || file.mapping.outcome_table.is_some());
        let summary = LoadSummary {
            people: journeys.people() as u64,
            events: log.len() as u64,
            skipped_rows: problems.count,
            problems: problems.examples,
            suggested_conversion: suggest_conversion(&event_names, &opening_events(&log, &journeys)),
            suggested_funnel: Vec::new(),
            properties: property_summaries(&log),
            event_names,
            distinct_event_names,
            warnings: warnings.clone(),
            files,
            identifiers: people.merge.identifiers,
            merged_identifiers: people.merge.merged_identifiers,
            merged_people: people.merge.merged_people,
            duplicate_events: people.duplicate_events,
            tied_timestamps: people.tied_timestamps,
            synthetic_times,
        };
        let mut summary = summary;
        summary.suggested_funnel = suggest_funnel(&log, &journeys, summary.suggested_conversion.as_deref());
        self.loaded = Some(Loaded { log, journeys, time_zone: config.time_zone.clone(), warnings, synthetic_times, memo: RefCell::default() });
        Ok(summary)
    }

    /// Runs every analysis on the loaded journeys.
    pub fn analyze(&self, options: &AnalysisOptions) -> Result<Report, Error> {
        let loaded = self.loaded.as_ref().ok_or(Error::NotLoaded)?;
        let mut memo = loaded.memo.borrow_mut();
        analysis::run(&loaded.log, &loaded.journeys, options, &loaded.time_zone, &loaded.warnings, loaded.synthetic_times, &mut memo)
    }

    /// Lists every analysed free-text answer with its voice-of-the-customer theme.
    pub fn voice_answers(&self, options: &AnalysisOptions) -> Result<Vec<analysis::voice::AnswerTheme>, Error> {
        let loaded = self.loaded.as_ref().ok_or(Error::NotLoaded)?;
        analysis::voice::answer_themes(&loaded.log, &loaded.journeys, &options.voice)
    }

    /// Lists the people behind one funnel bar or friction finding of the report for `options`.
    pub fn list_people(&self, options: &AnalysisOptions, query: &PeopleQuery) -> Result<PeopleList, Error> {
        let loaded = self.loaded.as_ref().ok_or(Error::NotLoaded)?;
        analysis::people::list_people(&loaded.log, &loaded.journeys, options, query, loaded.synthetic_times)
    }

    fn file(&self, index: usize) -> Result<&SourceFile, Error> {
        self.files.get(index).and_then(Option::as_ref).ok_or_else(|| Error::Options(format!("There is no file number {index}.")))
    }

    fn file_mut(&mut self, index: usize) -> Result<&mut SourceFile, Error> {
        self.files.get_mut(index).and_then(Option::as_mut).ok_or_else(|| Error::Options(format!("There is no file number {index}.")))
    }
}

/// Checks a load's configuration and returns the settings its files are read with.
fn read_settings(config: &LoadConfig) -> Result<ReadSettings, Error> {
    let zone = time::parse_zone(&config.time_zone).ok_or_else(|| {
        Error::Options(format!("The time zone \"{}\" is unknown. Use an IANA name such as UTC or Europe/Paris.", config.time_zone))
    })?;
    if config.files.is_empty() {
        return Err(Error::Options("No file is configured to load.".to_string()));
    }
    if config.files.len() > u16::MAX as usize {
        return Err(Error::Options(format!("At most {} files can be loaded together.", u16::MAX)));
    }
    Ok(ReadSettings { zone, strict: config.strict, date_order: config.date_order })
}

fn no_stream_error() -> Error {
    Error::Options("No streamed load is open.".to_string())
}

/// Returns the error for a file of which only the first bytes were read, for its inspection.
fn partial_error(name: &str) -> Error {
    Error::File {
        file: name.to_string(),
        message: "only its first bytes were read, for the inspection; read the whole file, or load it with a streamed load".to_string(),
    }
}

/// Returns the error for a file whose text [`Workspace::release_texts`] dropped.
fn released_error(name: &str) -> Error {
    Error::File {
        file: name.to_string(),
        message: "its text was dropped after the last load to make room for the analyses; read the file again before inspecting or loading it".to_string(),
    }
}

/// A load whose files are resolved and cut into parts: see [`Workspace::plan_load`].
pub struct LoadPlan {
    config: LoadConfig,
    settings: ReadSettings,
    files: Vec<Planned>,
}

/// The events of every file of a load, read and joined, before the journeys are built.
pub struct JoinedLoad {
    config: LoadConfig,
    log: EventLog,
    problems: Problems,
    warnings: Vec<Warning>,
    files: Vec<FileStats>,
}

/// One configured file of a [`LoadPlan`].
enum Planned {
    /// An event file, read in the parts of `ranges`.
    Events { plan: FilePlan, ranges: Vec<PartRange> },
    /// A channel path table or an outcome table, read whole when the load finishes.
    Whole { name: String },
    /// A file that cannot be read. The load stops with this error when it comes to the file, after
    /// the errors of the files before it, as a load that reads the files one by one does.
    Failed(Error),
}

/// One part of a planned load: a range of the body of the load's file number `file`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartJob {
    pub file: usize,
    pub range: PartRange,
}

impl LoadPlan {
    /// Returns every part to read: each event file's parts in order, file after file.
    pub fn jobs(&self) -> Vec<PartJob> {
        let mut jobs = Vec::new();
        for (file, planned) in self.files.iter().enumerate() {
            if let Planned::Events { ranges, .. } = planned {
                jobs.extend(ranges.iter().map(|&range| PartJob { file, range }));
            }
        }
        jobs
    }

    /// Reads one part of the load from `text`, which [`Workspace::part_text`] gives for `job`. A
    /// workspace keeps the results of its analyses in a way that threads cannot share, so threads
    /// that read parts side by side get their texts first and read them here.
    pub fn read_part(&self, job: &PartJob, text: PartText<'_>) -> Result<PartRead, Error> {
        let plan = self.file_plan(job).ok_or_else(|| Error::Options(format!("The load has no event file number {}.", job.file)))?;
        Ok(parts::read_part(plan, text))
    }

    /// Returns the plan of the event file that `job` reads.
    pub fn file_plan(&self, job: &PartJob) -> Option<&FilePlan> {
        match self.files.get(job.file)? {
            Planned::Events { plan, .. } => Some(plan),
            _ => None,
        }
    }
}

/// Returns `name`, or `name (2)`, `name (3)`, … when an earlier file of the load has that name.
/// Messages then tell the files apart, and outcome tables without an id column, whose person ids
/// are made of the file name and row, never share people.
fn distinct_name(name: &str, earlier: &[String]) -> String {
    let mut candidate = name.to_string();
    let mut number = 1;
    while earlier.contains(&candidate) {
        number += 1;
        candidate = format!("{name} ({number})");
    }
    candidate
}

/// The counts of what [`build_journeys`] merged, removed and found tied.
struct PeopleCounts {
    merge: MergeSummary,
    duplicate_events: u64,
    tied_timestamps: u64,
}

/// Merges linked identifiers into people, sorts each person's events and removes exact
/// duplicates, adding a warning for each of these that changed or found something.
fn build_journeys(log: &mut EventLog, file_names: &[&str], keep_duplicates: bool, warnings: &mut Vec<Warning>) -> (Journeys, PeopleCounts) {
    let merge = identity::merge(log);
    if merge.merged_people > 0 {
        warnings.push(
            Warning::new(
                "merged_identities",
                merge.merged_identifiers,
                format!(
                    "{} merged into {}, because a row or an e-mail hash links them. Each person is shown by a user id where one is known, else by an e-mail address.",
                    counted(merge.merged_identifiers, "identifier was", "identifiers were"),
                    counted(merge.merged_people, "person", "people")
                ),
            )
            .with_examples(merge.examples.clone()),
        );
    }

    let (largest, largest_id) = &merge.largest;
    if *largest >= 1000 || (*largest >= 50 && largest * 2 >= merge.identifiers) {
        warnings.push(Warning::new(
            "large_identity_group",
            *largest,
            format!(
                "One person, shown as \"{}\", gathers {largest} ids. A value shared by unrelated rows, such as a placeholder for a missing id, may be linking them: check the identity columns.",
                shorten(largest_id, 60)
            ),
        ));
    }

    let mut journeys = Journeys::build(log);
    let removed = duplicates::find(log, &journeys);
    if !removed.is_empty() {
        let examples = removed
            .iter()
            .take(3)
            .map(|&event| {
                let file = file_names.get(log.file[event as usize] as usize).copied().unwrap_or("");
                format!("{file}, row {}", log.row[event as usize])
            })
            .collect();
        let outcome = if keep_duplicates {
            "kept, as the load settings ask"
        } else {
            "removed. If identical rows are real repeated events, such as two equal purchases on one day, keep duplicates in the load settings"
        };
        warnings.push(
            Warning::new(
                "duplicate_events",
                removed.len() as u64,
                format!(
                    "{} the same person, time, event, channel, value and property cells as an earlier row, and {} {outcome}.",
                    counted(removed.len() as u64, "event has", "events have"),
                    if removed.len() == 1 { "was" } else { "were" }
                ),
            )
            .with_examples(examples),
        );
        if !keep_duplicates {
            log.remove_events(&removed);
            journeys = Journeys::build(log);
        }
    }

    let journeys = journeys.arrange(log);

    let tied_timestamps = duplicates::tied_timestamps(log, &journeys);
    if tied_timestamps > 0 {
        let order = if log.ordinal.is_empty() {
            "file and row order. Choose a sequence-number column to order them"
        } else {
            "the ordinal column, then file and row order"
        };
        warnings.push(Warning::new(
            "tied_timestamps",
            tied_timestamps,
            format!(
                "{} the same time as the previous event of the same person. Such events are ordered by {order}.",
                counted(tied_timestamps, "event has", "events have")
            ),
        ));
    }
    let date_only_ties = crate::model::date_only_ties(log, &journeys);
    if date_only_ties > 0 {
        warnings.push(Warning::new(
            "date_only_order",
            date_only_ties,
            format!(
                "{} a date without a time of day, on the same day as a timed event of the same person. Their order within that day is unknown; the date-only event is placed first, at midnight.",
                counted(date_only_ties, "event has", "events have")
            ),
        ));
    }
    let duplicate_events = if keep_duplicates { 0 } else { removed.len() as u64 };
    let counts = PeopleCounts { merge, duplicate_events, tied_timestamps };
    (journeys, counts)
}

fn event_counts(log: &EventLog) -> Vec<NameCount> {
    let mut counts = vec![0u64; log.event_names.len()];
    for &event in &log.event {
        counts[event as usize] += 1;
    }
    let mut named: Vec<NameCount> = counts
        .into_iter()
        .enumerate()
        .map(|(id, count)| NameCount { name: log.event_names.name(id as u32).to_string(), count })
        .collect();
    sorting::sort_by(&mut named, |a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    named
}

fn property_summaries(log: &EventLog) -> Vec<PropertySummary> {
    log.properties
        .iter()
        .take(PROPERTY_COLUMNS)
        .map(|property| {
            let mut counts = vec![0u64; property.values.len()];
            for &code in &property.codes {
                if code != NONE {
                    counts[code as usize] += 1;
                }
            }
            let mut values: Vec<ValueCount> = counts
                .into_iter()
                .enumerate()
                .map(|(code, count)| ValueCount { value: property.values.name(code as u32).to_string(), count })
                .collect();
            sorting::sort_by(&mut values, |a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            values.truncate(PROPERTY_VALUES);
            PropertySummary { column: property.name.clone(), distinct: property.values.len() as u64, values }
        })
        .collect()
}

/// Returns the names of events that open more than half of all journeys. Such an event is where
/// journeys start, so it is never suggested as the conversion.
fn opening_events(log: &EventLog, journeys: &Journeys) -> Vec<String> {
    let mut opens = vec![0u64; log.event_names.len()];
    for person in 0..journeys.people() {
        if let Some(&first) = journeys.journey(person).first() {
            opens[log.event[first as usize] as usize] += 1;
        }
    }
    let people = journeys.people() as u64;
    (0..opens.len())
        .filter(|&id| opens[id] * 2 > people)
        .map(|id| log.event_names.name(id as u32).to_string())
        .collect()
}

/// Picks the event whose name best matches a conversion word, passing over `excluded` names.
fn suggest_conversion(event_names: &[NameCount], excluded: &[String]) -> Option<String> {
    let candidates: Vec<(&NameCount, String)> = event_names
        .iter()
        .filter(|event| !excluded.contains(&event.name))
        .map(|event| (event, ingest::roles::normalise(&event.name)))
        .collect();
    for word in CONVERSION_WORDS {
        // `event_names` is sorted by count, so the first hit is the most frequent.
        if let Some((event, _)) = candidates.iter().find(|(_, name)| name == word) {
            return Some(event.name.clone());
        }
        if let Some((event, _)) = candidates.iter().find(|(_, name)| name.split('_').any(|part| part == *word) || name.contains(word)) {
            return Some(event.name.clone());
        }
    }
    None
}

/// Proposes up to four steps: the most widespread events in their usual order, ending with the
/// conversion.
fn suggest_funnel(log: &EventLog, journeys: &Journeys, conversion: Option<&str>) -> Vec<String> {
    let names = log.event_names.len();
    let conversion_id = conversion.and_then(|name| log.event_names.get(name));
    let mut people = vec![0u64; names];
    let mut position_sum = vec![0f64; names];
    let mut seen = vec![usize::MAX; names];
    for person in 0..journeys.people() {
        let journey = journeys.journey(person);
        for (position, &at) in journey.iter().enumerate() {
            let event = log.event[at as usize] as usize;
            if seen[event] == person {
                continue;
            }
            seen[event] = person;
            people[event] += 1;
            position_sum[event] += position as f64 / journey.len().max(1) as f64;
        }
    }
    let mut candidates: Vec<usize> = (0..names).filter(|&id| Some(id as u32) != conversion_id && people[id] > 0).collect();
    sorting::sort_by(&mut candidates, |&a, &b| people[b].cmp(&people[a]).then(a.cmp(&b)));
    candidates.truncate(if conversion_id.is_some() { 3 } else { 4 });
    sorting::sort_by(&mut candidates, |&a, &b| (position_sum[a] / people[a] as f64).total_cmp(&(position_sum[b] / people[b] as f64)));
    let mut steps: Vec<String> = candidates.into_iter().map(|id| log.event_names.name(id as u32).to_string()).collect();
    if let Some(id) = conversion_id {
        steps.push(log.event_names.name(id).to_string());
    }
    steps
}
