//! The WebAssembly boundary: the only module that uses wasm-bindgen and JavaScript types.
//!
//! Each export converts its input, calls the engine and converts the output. Small values cross
//! through serde-wasm-bindgen; the report crosses as one JSON string. Errors become JS `Error`s
//! whose message is the engine's readable text.

use wasm_bindgen::prelude::*;

use crate::analysis::people::PeopleQuery;
use crate::ingest::parts::{self, FilePlan, PartRead, PartText, Split};
use crate::ingest::{FileConfig, LoadConfig};
use crate::setup::Setup;
use crate::workspace::{JoinedLoad, LoadPlan, PartJob};
use crate::{AnalysisOptions, Workspace};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(log_panic_location));
}

/// Logs where the engine panicked, without the panic message, because a message can quote input
/// text: a failed string slice, for one, shows the string it was slicing, which may be a cell of
/// the user's file. The panic then ends in an `unreachable` trap, and worker.js reports that to the
/// page, which restarts the worker.
fn log_panic_location(info: &std::panic::PanicHookInfo) {
    let location = match info.location() {
        Some(location) => format!("{}:{}", location.file(), location.line()),
        None => "an unknown location".to_string(),
    };
    console_error(&format!("Pathlight: the engine panicked at {location}. The panic message is not logged because it may quote your data."));
}

fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|error| JsError::new(&format!("Internal error while returning a result: {error}")))
}

/// Converts options through their JSON text, because serde-wasm-bindgen reads only the fields a
/// struct names, and a misspelt option must be rejected rather than ignored.
fn from_js<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    let text = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| JsError::new(&format!("Invalid {what}: it cannot be written as JSON.")))?;
    serde_json::from_str(&text).map_err(|error| JsError::new(&format!("Invalid {what}: {error}")))
}

/// Parses and checks a saved setup's JSON text, and returns the setup with every default filled in.
#[wasm_bindgen(js_name = parseSetup)]
pub fn parse_setup(text: &str) -> Result<JsValue, JsError> {
    let setup = Setup::parse(text).map_err(|error| JsError::new(&error.to_string()))?;
    to_js(&setup)
}

/// Reads one part of a file for another engine: `plan` contains the plan bytes of the engine's `partJob`,
/// `text` the part's UTF-8 text and `limit` the byte where the part's rows end. Returns the bytes
/// that the other engine's `addPartRead` takes.
#[wasm_bindgen(js_name = readFilePart)]
pub fn read_file_part(plan: &[u8], text: &[u8], limit: usize) -> Result<Vec<u8>, JsError> {
    let plan = FilePlan::from_bytes(plan).map_err(|error| JsError::new(&error.to_string()))?;
    let text = std::str::from_utf8(text).map_err(|error| JsError::new(&format!("The text of a part of a file is not UTF-8: {error}.")))?;
    Ok(parts::read_part(&plan, PartText::Later { text, limit }).to_bytes())
}

/// Holds the files and, once loaded, the journeys, so options can change without a re-read.
#[wasm_bindgen]
pub struct Analyzer {
    workspace: Workspace,
    /// A load between `planLoad` and `joinParts`, with the parts read so far.
    pending: Option<PendingLoad>,
    /// A load between `joinParts` and `finishLoad`.
    joined: Option<JoinedLoad>,
}

struct PendingLoad {
    plan: LoadPlan,
    jobs: Vec<PartJob>,
    reads: Vec<Option<PartRead>>,
}

#[wasm_bindgen]
impl Analyzer {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Analyzer {
        let mut workspace = Workspace::new();
        // The page keeps each File and reads it again when needed, so the text's memory can go to
        // the journeys and the analyses.
        workspace.drop_texts_after_reading(true);
        Analyzer { workspace, pending: None, joined: None }
    }

    /// Starts a file and returns its index. `size`, the file's size in bytes where known, lets
    /// the engine reserve the file's text at once.
    #[wasm_bindgen(js_name = beginFile)]
    pub fn begin_file(&mut self, name: &str, size: Option<f64>) -> usize {
        let index = self.workspace.add_file(name, Vec::new());
        if let Some(size) = size.filter(|size| size.is_finite() && *size >= 0.0) {
            // `expect_size` fails only for an unknown index, and `add_file` has just returned this one.
            let _ = self.workspace.expect_size(index, size as u64);
        }
        index
    }

    /// True when a load dropped the file's text. Each load drops every file's text once the events
    /// are read, so a file must be read again (`readAgain` and `pushChunk`) before it is inspected
    /// or loaded again.
    #[wasm_bindgen(js_name = isReleased)]
    pub fn is_released(&self, index: usize) -> Result<bool, JsError> {
        self.workspace.is_released(index).map_err(|error| JsError::new(&error.to_string()))
    }

    /// Forgets the loaded events and journeys, as the next load does first, so that files read
    /// again for that load can reuse their memory.
    #[wasm_bindgen(js_name = clearLoad)]
    pub fn clear_load(&mut self) {
        self.workspace.clear_load();
    }

    /// Starts reading a released file's bytes again under the same index.
    #[wasm_bindgen(js_name = readAgain)]
    pub fn read_again(&mut self, index: usize) -> Result<(), JsError> {
        self.workspace.read_again(index).map_err(|error| JsError::new(&error.to_string()))
    }

    /// Appends one slice of a file's bytes.
    #[wasm_bindgen(js_name = pushChunk)]
    pub fn push_chunk(&mut self, index: usize, bytes: &[u8]) -> Result<(), JsError> {
        self.workspace.push_chunk(index, bytes).map_err(|error| JsError::new(&error.to_string()))
    }

    /// Inspects a complete file with the sniffed dialect.
    #[wasm_bindgen(js_name = finishFile)]
    pub fn finish_file(&mut self, index: usize) -> Result<JsValue, JsError> {
        let inspection = self.workspace.inspect(index, None).map_err(|error| JsError::new(&error.to_string()))?;
        to_js(&inspection)
    }

    /// Ends a file of which only the first bytes were pushed, enough to inspect it. Such a file
    /// loads only through `beginStream`, which reads all of its bytes again.
    #[wasm_bindgen(js_name = finishHead)]
    pub fn finish_head(&mut self, index: usize) -> Result<(), JsError> {
        self.workspace.finish_head(index).map_err(|error| JsError::new(&error.to_string()))
    }

    /// Inspects a file again with `{ delimiter, header, column_names }`; missing fields are sniffed.
    pub fn inspect(&mut self, index: usize, dialect: JsValue) -> Result<JsValue, JsError> {
        let config: FileConfig = if dialect.is_undefined() || dialect.is_null() { FileConfig::default() } else { from_js(dialect, "dialect")? };
        let name = format!("file {index}");
        let choice = config.dialect_choice(&name).map_err(|error| JsError::new(&error.to_string()))?;
        let inspection = self.workspace.inspect_with(index, &choice).map_err(|error| JsError::new(&error.to_string()))?;
        to_js(&inspection)
    }

    #[wasm_bindgen(js_name = removeFile)]
    pub fn remove_file(&mut self, index: usize) {
        self.workspace.remove_file(index);
    }

    /// Reads every configured file into journeys and returns the load summary.
    pub fn load(&mut self, config: JsValue) -> Result<JsValue, JsError> {
        self.pending = None;
        self.joined = None;
        let config: LoadConfig = from_js(config, "load configuration")?;
        let summary = self.workspace.load(&config).map_err(|error| JsError::new(&error.to_string()))?;
        to_js(&summary)
    }

    /// Starts a load that reads each file while its bytes arrive, keeping only the text not yet
    /// read. Then, for each file of `config.files` in order, call `streamFile` and push all of its
    /// bytes with `pushChunk`, and at the end `finishStream`. The summary is the one `load` gives.
    #[wasm_bindgen(js_name = beginStream)]
    pub fn begin_stream(&mut self, config: JsValue) -> Result<(), JsError> {
        self.pending = None;
        self.joined = None;
        let config: LoadConfig = from_js(config, "load configuration")?;
        self.workspace.begin_stream(&config).map_err(|error| JsError::new(&error.to_string()))
    }

    /// Starts file `position` of the streamed load, of `size` bytes where known, after reading the
    /// rest of the file before it.
    #[wasm_bindgen(js_name = streamFile)]
    pub fn stream_file(&mut self, position: usize, size: Option<f64>) -> Result<(), JsError> {
        let size = size.filter(|size| size.is_finite() && *size >= 0.0).map(|size| size as u64);
        self.workspace.stream_file(position, size).map_err(|error| JsError::new(&error.to_string()))
    }

    /// Reads the rest of the streamed load's last file, builds the journeys and returns the load
    /// summary.
    #[wasm_bindgen(js_name = finishStream)]
    pub fn finish_stream(&mut self) -> Result<JsValue, JsError> {
        let summary = self.workspace.finish_stream().map_err(|error| JsError::new(&error.to_string()))?;
        to_js(&summary)
    }

    /// Plans a load in at most `parts` parts per event file, and returns for each part whether it
    /// must be read here with `readPart`. A file's first part starts at its header, which only
    /// this engine has. Other engines read the other parts through `partJob` and `readFilePart`,
    /// and `addPartRead` takes their results.
    #[wasm_bindgen(js_name = planLoad)]
    pub fn plan_load(&mut self, config: JsValue, parts: usize) -> Result<Vec<JsValue>, JsError> {
        self.pending = None;
        self.joined = None;
        let config: LoadConfig = from_js(config, "load configuration")?;
        let plan = self.workspace.plan_load(&config, &Split::for_engines(parts)).map_err(|error| JsError::new(&error.to_string()))?;
        let jobs = plan.jobs();
        let read_here = jobs.iter().map(|job| JsValue::from_bool(job.range.start == 0)).collect();
        self.pending = Some(PendingLoad { plan, reads: jobs.iter().map(|_| None).collect(), jobs });
        Ok(read_here)
    }

    /// Returns `{ plan, text, limit }` for another engine's `readFilePart` to read part `job`.
    #[wasm_bindgen(js_name = partJob)]
    pub fn part_job(&self, job: usize) -> Result<JsValue, JsError> {
        let (pending, job) = self.pending_job(job)?;
        let plan = pending.plan.file_plan(job).ok_or_else(|| JsError::new("This part is not in an event file."))?;
        let text = self.workspace.part_text(&pending.plan, job).map_err(|error| JsError::new(&error.to_string()))?;
        let PartText::Later { text, limit } = text else { return Err(JsError::new("The first part of a file is read where the file is.")) };
        let result = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| js_sys::Reflect::set(&result, &JsValue::from_str(key), value);
        set("plan", &js_sys::Uint8Array::from(plan.to_bytes().as_slice()).into())
            .and_then(|_| set("text", &js_sys::Uint8Array::from(text.as_bytes()).into()))
            .and_then(|_| set("limit", &JsValue::from_f64(limit as f64)))
            .map_err(|_| JsError::new("Internal error while returning a part."))?;
        Ok(result.into())
    }

    /// Reads part `job` of the planned load here.
    #[wasm_bindgen(js_name = readPart)]
    pub fn read_part(&mut self, job: usize) -> Result<(), JsError> {
        let (pending, part_job) = self.pending_job(job)?;
        let read = self.workspace.read_part(&pending.plan, part_job).map_err(|error| JsError::new(&error.to_string()))?;
        self.store_read(job, read)
    }

    /// Takes the bytes that another engine's `readFilePart` returned for part `job`.
    #[wasm_bindgen(js_name = addPartRead)]
    pub fn add_part_read(&mut self, job: usize, bytes: &[u8]) -> Result<(), JsError> {
        let read = PartRead::from_bytes(bytes).map_err(|error| JsError::new(&error.to_string()))?;
        self.store_read(job, read)
    }

    /// Joins the parts of the planned load into one event log, for `finishLoad`.
    #[wasm_bindgen(js_name = joinParts)]
    pub fn join_parts(&mut self) -> Result<(), JsError> {
        let pending = self.pending.take().ok_or_else(|| JsError::new("No load is planned: call planLoad first."))?;
        let reads: Option<Vec<PartRead>> = pending.reads.into_iter().collect();
        let reads = reads.ok_or_else(|| JsError::new("A part of the planned load has not been read."))?;
        let joined = self.workspace.join_parts(pending.plan, reads).map_err(|error| JsError::new(&error.to_string()))?;
        self.joined = Some(joined);
        Ok(())
    }

    /// Builds the journeys of the joined load and returns the load summary, which is the one
    /// `load` returns.
    #[wasm_bindgen(js_name = finishLoad)]
    pub fn finish_load(&mut self) -> Result<JsValue, JsError> {
        let joined = self.joined.take().ok_or_else(|| JsError::new("No load is joined: call joinParts first."))?;
        let summary = self.workspace.finish_load(joined).map_err(|error| JsError::new(&error.to_string()))?;
        to_js(&summary)
    }

    /// Runs every analysis and returns the report as a JSON string.
    pub fn analyze(&self, options: JsValue) -> Result<String, JsError> {
        let options: AnalysisOptions =
            if options.is_undefined() || options.is_null() { AnalysisOptions::default() } else { from_js(options, "analysis options")? };
        let report = self.workspace.analyze(&options).map_err(|error| JsError::new(&error.to_string()))?;
        Ok(report.to_json())
    }

    /// Lists the people behind one funnel bar, friction finding, segment or selected chart mark or
    /// table row. `options` are the analysis options of the report shown. `query` names the step
    /// and the group (`reached` or `dropped`), the finding, the segment or the `selection`, as
    /// docs/api.md describes.
    #[wasm_bindgen(js_name = listPeople)]
    pub fn list_people(&self, options: JsValue, query: JsValue) -> Result<JsValue, JsError> {
        let options: AnalysisOptions = from_js(options, "analysis options")?;
        let query: PeopleQuery = from_js(query, "people query")?;
        let list = self.workspace.list_people(&options, &query).map_err(|error| JsError::new(&error.to_string()))?;
        to_js(&list)
    }
}

impl Analyzer {
    fn pending_job(&self, job: usize) -> Result<(&PendingLoad, &PartJob), JsError> {
        let pending = self.pending.as_ref().ok_or_else(|| JsError::new("No load is planned: call planLoad first."))?;
        let part = pending.jobs.get(job).ok_or_else(|| JsError::new(&format!("The planned load has no part {job}.")))?;
        Ok((pending, part))
    }

    fn store_read(&mut self, job: usize, read: PartRead) -> Result<(), JsError> {
        let slot = self.pending.as_mut().and_then(|pending| pending.reads.get_mut(job));
        let slot = slot.ok_or_else(|| JsError::new(&format!("The planned load has no part {job}.")))?;
        *slot = Some(read);
        Ok(())
    }
}

impl Default for Analyzer {
    fn default() -> Analyzer {
        Analyzer::new()
    }
}
