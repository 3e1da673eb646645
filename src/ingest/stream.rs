//! Reading an event file while its bytes arrive, so that its whole text is never in memory.
//!
//! A [`FileStream`] decodes each chunk and finds where the last complete record of the decoded
//! text ends. The records before that point are read as the next part of the file
//! ([`super::parts`]) and appended to the load's log, and their text is dropped. The first part
//! waits for [`HEAD_BYTES`] of text, so that the plan made from it (dialect, header, time formats)
//! is the one the whole file gives. [`FilePlan::from_head`] returns `None` when it cannot be. The events, problems,
//! warnings and row numbers are those of a read of the whole file.
//!
//! A cut must fall where the csv crate ends a record, which a line feed inside a quoted field does
//! not. Text without the quote character is cut after its last line feed. Otherwise csv-core, the
//! state machine under the csv crate, reads the records from the last cut with the same dialect.
//!
//! Some files are kept whole and read when they end, as a load of the whole text would: channel
//! path tables and outcome tables, whitespace-separated files, and files whose first
//! [`HEAD_BYTES`] leave the plan open, such as a day/month order that no early date decides.

use csv_core::{ReadRecordResult, ReaderBuilder};

use super::decode::StreamDecoder;
use super::parts::{read_part, FileJoin, FilePlan, PartRead, PartText};
use super::{estimated_events, read_events, table, FileConfig, FileStats, Problems, ReadSettings};
use crate::error::Error;
use crate::model::EventLog;
use crate::report::Warning;

/// The text read before the plan is made: far more than the 256 KiB sample of the dialect and the
/// rows of the time formats' sample in any usual file.
pub const HEAD_BYTES: usize = 8 << 20;
/// The complete records that wait before they are read as a part. A part costs a log of its own and
/// one append, so parts much smaller than this cost time, and larger ones memory.
pub const PART_BYTES: usize = 16 << 20;

/// The room for a chunk of bytes beyond a part's text: the page and the command line push 4 MiB
/// at a time.
const CHUNK_ROOM: usize = (4 << 20) + (64 << 10);

const BYTE_ORDER_MARK: &[u8] = "\u{FEFF}".as_bytes();

/// The text a [`FileStream`] waits for before it makes the plan, and before it reads a part.
/// Other sizes cut a file elsewhere and give the same result, which the tests use to cut small
/// files into many parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSizes {
    pub head: usize,
    pub part: usize,
}

impl Default for StreamSizes {
    fn default() -> StreamSizes {
        StreamSizes { head: HEAD_BYTES, part: PART_BYTES }
    }
}

/// The step that the reading of a file is at.
enum Stage {
    /// Waiting for enough text to make the plan, which is tried again at `retry_at` bytes.
    Head { retry_at: usize },
    /// Reading parts. The decoder's text starts at byte `start` of the body, where a record starts,
    /// and is looked at for a cut once it is `wait` bytes long.
    Parts { plan: FilePlan, join: FileJoin, start: usize, wait: usize },
    /// Reading the whole text once the file ends.
    Whole,
    /// A part stopped at a `#` line after the data, or failed: the rest of the file is decoded
    /// only for its counts.
    Ended { plan: FilePlan, join: FileJoin },
    /// The file is read and its events are in the log.
    Done,
}

/// One file of a load, read while its bytes arrive.
pub struct FileStream {
    file_index: u16,
    name: String,
    config: FileConfig,
    settings: ReadSettings,
    /// The file's size in bytes, when known, for the estimate of its events.
    size: Option<u64>,
    sizes: StreamSizes,
    decoder: StreamDecoder,
    stage: Stage,
}

impl FileStream {
    /// Starts reading the file at position `file_index` of a load, under the `name` its events
    /// will carry.
    pub fn new(file_index: u16, name: &str, config: &FileConfig, settings: &ReadSettings, size: Option<u64>, sizes: StreamSizes) -> FileStream {
        let mapping = &config.mapping;
        let whole = mapping.path_table.is_some() || mapping.outcome_table.is_some();
        let mut decoder = StreamDecoder::new();
        if whole {
            // A file read whole gets its text reserved once, as in a load of whole texts.
            if let Some(size) = size {
                decoder.expect(size);
            }
        } else {
            // A part's text and one more chunk, so that the text does not grow by doubling.
            decoder.reserve(sizes.part.max(sizes.head) + CHUNK_ROOM);
        }
        FileStream {
            file_index,
            name: name.to_string(),
            config: config.clone(),
            settings: *settings,
            size,
            sizes,
            decoder,
            stage: if whole { Stage::Whole } else { Stage::Head { retry_at: sizes.head } },
        }
    }

    /// Decodes one more chunk and reads the records it completes, once enough of them wait.
    pub fn push(&mut self, chunk: &[u8], log: &mut EventLog, problems: &mut Problems) -> Result<(), Error> {
        self.decoder.push(chunk);
        match &self.stage {
            Stage::Head { retry_at } if self.decoder.text().len() >= *retry_at => self.try_plan(log, problems),
            Stage::Parts { .. } => self.read_ready(log, problems),
            Stage::Ended { .. } => {
                self.decoder.drain_text(self.decoder.text().len());
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Reads what is left once every byte has arrived, adds the file's warnings and returns its
    /// counts and its decoder, which keeps the counts of the decoding but no text.
    pub fn finish(mut self, log: &mut EventLog, problems: &mut Problems, warnings: &mut Vec<Warning>) -> Result<(FileStats, StreamDecoder), Error> {
        self.decoder.finish();
        let stats = match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Head { .. } | Stage::Whole => {
                read_events(self.file_index, &self.name, &self.decoder, &self.config, &self.settings, log, problems, warnings)?
            }
            Stage::Parts { mut plan, mut join, start, .. } => {
                let text = self.decoder.text();
                if !text.is_empty() {
                    let part = read_part(&plan, PartText::Later { text, limit: text.len() });
                    self.append(&mut join, part, start + text.len(), log, problems)?;
                }
                plan.update_decoding(&self.decoder);
                join.finish(&plan, warnings)?
            }
            Stage::Ended { mut plan, join } => {
                plan.update_decoding(&self.decoder);
                join.finish(&plan, warnings)?
            }
            Stage::Done => FileStats { name: self.name.clone(), ..FileStats::default() },
        };
        self.decoder.release();
        Ok((stats, self.decoder))
    }

    /// Makes the plan from the text so far and reads it as the first part, or keeps waiting when
    /// the text cannot tell the plan of the whole file yet.
    fn try_plan(&mut self, log: &mut EventLog, problems: &mut Problems) -> Result<(), Error> {
        let text = self.decoder.text();
        let retry = Stage::Head { retry_at: text.len().saturating_mul(2) };
        let choice = self.config.dialect_choice(&self.name)?;
        // The header, or the text, may end past the head; the whole file then decides.
        let Ok(table) = table::Table::open(&self.name, text, &choice) else {
            self.stage = retry;
            return Ok(());
        };

        let dialect = table.dialect;
        let body = table::body(text);
        let body_start = text.len() - body.len();
        let Some(cut) = last_cut(body.as_bytes(), dialect.delimiter, dialect.quote) else {
            self.stage = retry;
            return Ok(());
        };
        let head = &text[..body_start + cut];
        let plan = match FilePlan::from_head(self.file_index, &self.name, head, &self.decoder, &self.config, &self.settings) {
            Ok(Some(plan)) => plan,
            Ok(None) => {
                self.stage = retry;
                return Ok(());
            }
            // A mapping that does not fit the header fails for the whole file too.
            Err(error @ Error::Options(_)) => return Err(error),
            Err(_) => {
                self.stage = retry;
                return Ok(());
            }
        };
        if !plan.can_split() {
            self.stage = Stage::Whole;
            return Ok(());
        }

        let mut join = FileJoin::new(&plan);
        let part = read_part(&plan, PartText::First { text: head, limit: cut });
        self.append(&mut join, part, cut, log, problems)?;
        self.decoder.drain_text(body_start + cut);
        self.stage = if join.ended() { Stage::Ended { plan, join } } else { Stage::Parts { plan, join, start: cut, wait: self.sizes.part } };
        self.read_ready(log, problems)
    }

    /// Reads the complete records waiting in the text as one part, once there are at least
    /// [`StreamSizes::part`] bytes of text.
    fn read_ready(&mut self, log: &mut EventLog, problems: &mut Problems) -> Result<(), Error> {
        if let Stage::Ended { .. } = self.stage {
            self.decoder.drain_text(self.decoder.text().len());
            return Ok(());
        }
        let Stage::Parts { plan, join, start, wait } = &mut self.stage else { return Ok(()) };
        let text = self.decoder.text();
        if text.len() < *wait {
            return Ok(());
        }
        let dialect = plan.dialect();
        let Some(cut) = last_cut(text.as_bytes(), dialect.delimiter, dialect.quote) else {
            // A field of many lines, such as one whose closing quote is missing: looking again at
            // every chunk would read its text again each time.
            *wait = text.len().saturating_mul(2);
            return Ok(());
        };
        *wait = self.sizes.part;

        let part = read_part(plan, PartText::Later { text: &text[..cut], limit: cut });
        let read_bytes = *start + cut;
        let appended = append(join, part, self.size, read_bytes, log, problems);
        *start += cut;
        self.decoder.drain_text(cut);
        appended?;
        if join.ended() {
            if let Stage::Parts { plan, join, .. } = std::mem::replace(&mut self.stage, Stage::Done) {
                self.stage = Stage::Ended { plan, join };
            }
            self.decoder.drain_text(self.decoder.text().len());
        }
        Ok(())
    }

    fn append(&self, join: &mut FileJoin, part: PartRead, read_bytes: usize, log: &mut EventLog, problems: &mut Problems) -> Result<(), Error> {
        append(join, part, self.size, read_bytes, log, problems)
    }
}

/// Appends a part to the load's log. The log is first sized for the rest of the file, estimated
/// from the rows so far, so that it grows a few times rather than at every part.
fn append(join: &mut FileJoin, part: PartRead, size: Option<u64>, read_bytes: usize, log: &mut EventLog, problems: &mut Problems) -> Result<(), Error> {
    let events = part.events();
    if log.spare() < events {
        let stats = join.stats();
        let rows = stats.rows + part.rows();
        let file_events = stats.events + events as u64;
        let file_bytes = size.map_or(read_bytes, |size| usize::try_from(size).unwrap_or(usize::MAX));
        let rest = estimated_events(file_bytes, read_bytes, rows, file_events);
        log.reserve(events + rest);
    }
    join.add(part, log, problems)
}

/// Returns the end of the last record in `body` after which a part can begin, or `None`. `body`
/// starts where a record starts. A part begins after a line feed that ends a record for the csv
/// crate, and not at a byte-order mark, which a reader drops at the start of its text. So the
/// next line's first three bytes must be known.
fn last_cut(body: &[u8], delimiter: u8, quote: u8) -> Option<usize> {
    if memchr::memchr(quote, body).is_none() {
        // Without quotes, every line feed ends a record.
        let mut end = body.len();
        while let Some(at) = memchr::memrchr(b'\n', &body[..end]) {
            if let Some(cut) = cut_after_record(body, at + 1) {
                return Some(cut);
            }
            end = at;
        }
        return None;
    }
    let mut reader = ReaderBuilder::new().delimiter(delimiter).quote(quote).build();
    // The fields' bytes and ends, which are not needed: each call writes over them.
    let mut output = vec![0; 64 * 1024];
    let mut ends = [0; 1024];
    let mut at = 0;
    let mut last = None;
    // An empty input means the end of the file to csv-core, which would close an open quote.
    while at < body.len() {
        let (result, read, _, _) = reader.read_record(&body[at..], &mut output, &mut ends);
        at += read;
        match result {
            ReadRecordResult::Record => last = cut_after_record(body, at).or(last),
            ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
            ReadRecordResult::InputEmpty | ReadRecordResult::End => break,
        }
    }
    last
}

/// Returns where the next part can begin after a record that csv-core ended at byte `end`: after
/// its line feed, which follows a carriage return that csv-core ends the record at.
fn cut_after_record(body: &[u8], end: usize) -> Option<usize> {
    let start = match body.get(end.checked_sub(1)?)? {
        b'\n' => end,
        b'\r' if body.get(end) == Some(&b'\n') => end + 1,
        _ => return None,
    };
    let next = body.get(start..start + BYTE_ORDER_MARK.len())?;
    (next != BYTE_ORDER_MARK).then_some(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_after_the_last_complete_line() {
        assert_eq!(last_cut(b"a,b\n1,2\n3,4", b',', b'"'), Some(8));
        assert_eq!(last_cut(b"a,b\r\n1,2\r\n3,4", b',', b'"'), Some(10));
        // The next line's first three bytes must be known.
        assert_eq!(last_cut(b"a,b\n1,2\n3,", b',', b'"'), Some(4));
        assert_eq!(last_cut(b"a,b\n1,", b',', b'"'), None);
    }

    #[test]
    fn never_cuts_inside_a_quoted_field() {
        let body = b"a,b\n1,\"two\nlines\"\n3,\"open\nstill open";
        assert_eq!(last_cut(body, b',', b'"'), Some(18));
        // A carriage return ends a record in csv-core; its line feed stays with it.
        assert_eq!(last_cut(b"a,\"x\ny\"\r\n1,2", b',', b'"'), Some(9));
        // A quote inside an unquoted field is text, as in the csv crate.
        assert_eq!(last_cut(b"a,5\" screen\n1,2\n3,4", b',', b'"'), Some(16));
    }

    #[test]
    fn never_cuts_before_a_byte_order_mark() {
        let body = "a,b\n1,2\n\u{FEFF}3,4\n5,6";
        assert_eq!(last_cut(body.as_bytes(), b',', b'"'), Some(4 + 4 + 3 + 4));
        let body = "a,b\n1,2\n\u{FEFF}3,4";
        assert_eq!(last_cut(body.as_bytes(), b',', b'"'), Some(4));
    }
}
