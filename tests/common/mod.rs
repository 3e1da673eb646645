//! Helpers shared by the tests that compare loads read in different ways.
#![allow(dead_code)]

use pathlight::{AnalysisOptions, Error, LoadSummary, Workspace};

/// Describes what a load gave, as text to compare: the summary and the report, or the error.
pub fn outcome(workspace: &mut Workspace, loaded: Result<LoadSummary, Error>, conversion: &str) -> String {
    match loaded {
        Err(error) => format!("error: {error}"),
        Ok(summary) => {
            let options = AnalysisOptions { conversion: Some(conversion.to_string()), ..AnalysisOptions::default() };
            let report = workspace.analyze(&options).map(|report| serde_json::to_string(&report).unwrap());
            format!("{}\n{}", serde_json::to_string(&summary).unwrap(), report.unwrap_or_else(|error| format!("error: {error}")))
        }
    }
}

/// Shows both outcomes around the first byte where they differ.
pub fn first_difference(expected: &str, actual: &str) -> String {
    let at = expected.bytes().zip(actual.bytes()).position(|(a, b)| a != b).unwrap_or(expected.len().min(actual.len()));
    let from = at.saturating_sub(200);
    let around = |text: &str| text.get(from..(at + 200).min(text.len())).unwrap_or("").to_string();
    format!("expected: …{}\nactual:   …{}", around(expected), around(actual))
}
