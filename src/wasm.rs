//! The WebAssembly boundary: the only module that uses wasm-bindgen and JavaScript types.
//!
//! Each export converts its input, calls the engine and converts the output. Small values cross
//! through serde-wasm-bindgen; the report crosses as one JSON string. Errors become JS `Error`s
//! whose message is the engine's readable text.

use wasm_bindgen::prelude::*;

use crate::analysis::people::PeopleQuery;
use crate::ingest::{FileConfig, LoadConfig};
use crate::setup::Setup;
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

/// Holds the files and, once loaded, the journeys, so options can change without a re-read.
#[wasm_bindgen]
pub struct Analyzer {
    workspace: Workspace,
}

#[wasm_bindgen]
impl Analyzer {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Analyzer {
        Analyzer { workspace: Workspace::new() }
    }

    /// Starts a file and returns its index.
    #[wasm_bindgen(js_name = beginFile)]
    pub fn begin_file(&mut self, name: &str) -> usize {
        self.workspace.add_file(name, Vec::new())
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
        let config: LoadConfig = from_js(config, "load configuration")?;
        let summary = self.workspace.load(&config).map_err(|error| JsError::new(&error.to_string()))?;
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

impl Default for Analyzer {
    fn default() -> Analyzer {
        Analyzer::new()
    }
}
