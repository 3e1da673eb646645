//! Errors, typed by the stage that raised them.
//!
//! Each error names what the user gave (file, row, column, value) and suggests what to do next. Rows
//! are counted as a spreadsheet counts them: the header is row 1.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One bad value in an input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub file: String,
    /// Spreadsheet row number: the header is row 1, the first data row is row 2.
    pub row: u64,
    pub column: String,
    pub value: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, row {}, column \"{}\": {} (value \"{}\")",
            self.file,
            self.row,
            self.column,
            self.message,
            shorten(&self.value, 80)
        )
    }
}

/// Everything that can stop reading or analysing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Error {
    /// A file cannot be read at all (not text, no header, no rows).
    File { file: String, message: String },
    /// A bad value in strict mode, where the first one stops the load.
    Value(Problem),
    /// The configuration names something that does not exist or does not fit.
    Options(String),
    /// `analyze` was called before `load`.
    NotLoaded,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::File { file, message } => write!(f, "{file}: {message}"),
            Error::Value(problem) => write!(
                f,
                "{problem}. Fix the value, or switch to lenient mode to skip such rows."
            ),
            Error::Options(message) => f.write_str(message),
            Error::NotLoaded => f.write_str("No data is loaded yet: add files and load them first."),
        }
    }
}

impl std::error::Error for Error {}

/// Cuts `text` to at most `max` characters, marking the cut with an ellipsis.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
