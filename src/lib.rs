//! Pathlight: customer-journey analysis of CSV exports.
//!
//! The engine reads event exports (web analytics, CRM deals, e-mail engagement), merges them into
//! one journey per person and computes a funnel, the most common paths, a Sankey diagram of the
//! first steps and the time to convert. It does not depend on how it is called: the command-line
//! tool in `src/bin/pathlight/` and the WebAssembly boundary in `src/wasm.rs` both drive the same
//! [`Workspace`].
//!
//! ```
//! use pathlight::{AnalysisOptions, LoadConfig, Workspace};
//!
//! let mut workspace = Workspace::new();
//! let csv = "user,event,ts\nu1,visit,2024-01-01T10:00:00Z\nu1,purchase,2024-01-01T10:05:00Z\n";
//! let file = workspace.add_file("events.csv", csv.as_bytes().to_vec());
//! let inspection = workspace.inspect(file, None).unwrap();
//! let config = LoadConfig::from_inspections(&[inspection]);
//! let summary = workspace.load(&config).unwrap();
//! assert_eq!(summary.suggested_conversion.as_deref(), Some("purchase"));
//!
//! let options = AnalysisOptions { conversion: summary.suggested_conversion, ..AnalysisOptions::default() };
//! let report = workspace.analyze(&options).unwrap();
//! assert_eq!(report.summary.people, 1);
//! assert_eq!(report.summary.converters, 1);
//! ```
//!
//! Module map:
//! - [`ingest`]: bytes to rows: decoding, dialect sniffing, column roles, timestamps.
//! - [`model`]: the columnar [`model::EventLog`] and the per-person [`model::Journeys`].
//! - [`analysis`]: one module per analysis, each a function of the journeys and its options.
//! - [`report`]: the [`Report`] returned as JSON to the page and the command line.
//! - [`setup`]: saved setups (mappings, load settings and analysis options) and their checks.
//! - `sorting`: one shared stable sort for the report's short lists, to keep the module small.
//! - `synth`: a seeded generator of realistic journeys for benchmarks and samples (native only).
//! - [`workspace`]: the stateful [`Workspace`] that reads once and analyses many times.

pub mod analysis;
pub mod error;
pub mod ingest;
pub mod model;
pub mod report;
pub mod setup;
mod sorting;
#[cfg(not(target_arch = "wasm32"))]
pub mod synth;
pub mod workspace;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use analysis::AnalysisOptions;
pub use error::{Error, Problem};
pub use ingest::{FileInspection, LoadConfig, Mapping};
pub use report::Report;
pub use workspace::{LoadSummary, Workspace};
