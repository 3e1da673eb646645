//! Decoding file bytes to text, one chunk at a time.
//!
//! Rules, in order. A byte-order mark decides (UTF-8, UTF-16 LE or BE) and is removed. NUL bytes
//! in alternate positions mean UTF-16 without a mark. Otherwise the bytes are read as UTF-8, and
//! the first invalid UTF-8 sequence switches the file to Windows-1252 as long as everything
//! before it was ASCII, because the two encodings agree on ASCII. Invalid bytes after non-ASCII
//! UTF-8 text are replaced with U+FFFD and counted.
//!
//! [`StreamDecoder`] appends each chunk's text to one `String` as the chunk arrives and keeps at
//! most three undecoded bytes, so a file is never held both as bytes and as text. A character
//! split across two chunks decodes as if the file had come in one piece. Given the file's size
//! first ([`StreamDecoder::expect`]), it reserves the text once, when the text passes 16 MiB,
//! instead of letting it grow by doubling, which in wasm would leave the memory of every smaller
//! copy behind.

use encoding_rs::{Decoder, Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// Bytes looked at before the encoding is decided, unless the file is shorter.
const DECISION_BYTES: usize = 4096;
/// The text that grows as it comes before the file's size is reserved. A reading of only the
/// first 8 MiB of a large file, for its inspection, then reserves nothing more.
const RESERVE_AFTER_BYTES: usize = 16 << 20;

/// The encoding in use, once decided.
enum State {
    /// Too few bytes to decide yet; they wait in `head`.
    Undecided,
    /// UTF-8 so far. `carry` keeps an incomplete sequence from the end of the last chunk.
    Utf8 { carry: Vec<u8>, ascii_only: bool },
    /// Any other encoding, decoded by encoding_rs, which carries split sequences itself.
    Other(Decoder),
}

/// Decodes a file chunk by chunk into one `String`.
pub struct StreamDecoder {
    state: State,
    head: Vec<u8>,
    text: String,
    encoding: &'static Encoding,
    bom: bool,
    replaced: u64,
    bytes: u64,
    /// The file's size in bytes, when the caller knows it.
    expected: Option<u64>,
    /// The capacity to reserve for the text once it passes [`RESERVE_AFTER_BYTES`].
    reserve: Option<usize>,
    finished: bool,
    /// The text was dropped after a load; the counts above still describe it.
    released: bool,
    /// For a decoder made by [`StreamDecoder::again`], the bytes of the first reading, which the
    /// second must match before its text counts as the file's.
    first_bytes: Option<u64>,
    /// Only the file's first bytes were read, for an inspection: see [`StreamDecoder::finish_head`].
    partial: bool,
}

impl Default for StreamDecoder {
    fn default() -> StreamDecoder {
        StreamDecoder::new()
    }
}

impl StreamDecoder {
    pub fn new() -> StreamDecoder {
        StreamDecoder {
            state: State::Undecided,
            head: Vec::new(),
            text: String::new(),
            encoding: UTF_8,
            bom: false,
            replaced: 0,
            bytes: 0,
            expected: None,
            reserve: None,
            finished: false,
            released: false,
            first_bytes: None,
            partial: false,
        }
    }

    /// Tells the decoder the file's size in bytes, before the first chunk, so that the text can
    /// be reserved at once when the encoding is known. A wrong size costs only memory or a later
    /// reallocation.
    pub fn expect(&mut self, bytes: u64) {
        self.expected = Some(bytes);
    }

    /// Reserves room for `bytes` of text at once. A caller that drains the text as it reads it
    /// can tell how long the text gets, where the file's size alone would reserve too much.
    pub fn reserve(&mut self, bytes: usize) {
        // Failing to reserve is no error: the text then grows as it comes.
        let _ = self.text.try_reserve_exact(bytes);
    }

    /// Decodes one more chunk. Chunks pushed after [`StreamDecoder::finish`] are ignored.
    pub fn push(&mut self, chunk: &[u8]) {
        if self.finished {
            return;
        }
        self.bytes += chunk.len() as u64;
        if let State::Undecided = self.state {
            self.head.extend_from_slice(chunk);
            if self.head.len() >= DECISION_BYTES {
                self.decide();
            }
            return;
        }
        self.decode(chunk, false);
    }

    /// Decodes what is left. An incomplete sequence at the very end becomes U+FFFD.
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        if let State::Undecided = self.state {
            self.decide();
        }
        self.decode(&[], true);
        // Text that grew by doubling can have up to half of its capacity spare, which would stay
        // in memory as long as the file is kept. A reserved text has little spare, and shrinking
        // it would copy the whole text once more.
        if self.text.capacity() - self.text.len() > self.text.len() / 16 {
            self.text.shrink_to_fit();
        }
        self.finished = true;
    }

    /// Ends a reading of only the first bytes of a file, enough to inspect it. The text keeps its
    /// complete lines, and the bytes of a character cut off at the end are dropped, not replaced.
    /// The file must be read in full before it is loaded, except by a load that reads it while it
    /// arrives.
    pub fn finish_head(&mut self) {
        if self.finished {
            return;
        }
        if let State::Undecided = self.state {
            self.decide();
        }
        if let Some(end) = self.text.rfind('\n') {
            self.text.truncate(end + 1);
        }
        self.finished = true;
        self.partial = true;
        // A head is not checked against the size of an earlier reading.
        self.first_bytes = None;
    }

    /// True when only the first bytes of the file were read ([`StreamDecoder::finish_head`]).
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// Drops the first `bytes` of the text, which the caller has read, so that a file read while
    /// it arrives keeps only the text still to read. A cut inside a character drops nothing.
    pub fn drain_text(&mut self, bytes: usize) {
        if self.text.is_char_boundary(bytes) {
            self.text.drain(..bytes);
        }
    }

    /// Drops the text and keeps the encoding and the counts, once a load no longer needs it. The
    /// decoder counts as finished, so later chunks are ignored.
    pub fn release(&mut self) {
        self.finish();
        self.text = String::new();
        self.released = true;
    }

    /// True after [`StreamDecoder::release`], and for a second reading that has not yet been given
    /// the bytes of the first, such as one that stopped because the file changed on disk.
    pub fn is_released(&self) -> bool {
        self.released || self.first_bytes.is_some_and(|bytes| bytes != self.bytes)
    }

    /// Returns a new decoder for reading the same file's bytes again, expecting as many bytes as
    /// the first reading was given.
    pub fn again(&self) -> StreamDecoder {
        // After a failed second reading, the first one still decides. After a reading of the head
        // only, the file's size does.
        let size = if self.partial { self.expected } else { None };
        let bytes = self.first_bytes.or(size).unwrap_or(self.bytes);
        let mut decoder = StreamDecoder::new();
        decoder.expect(bytes);
        decoder.first_bytes = Some(bytes);
        decoder
    }

    /// The text decoded so far; all of it after [`StreamDecoder::finish`], none after
    /// [`StreamDecoder::release`].
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The WHATWG name of the encoding, such as `UTF-8` or `windows-1252`.
    pub fn encoding(&self) -> &'static str {
        self.encoding.name()
    }

    pub fn bom(&self) -> bool {
        self.bom
    }

    /// Invalid byte sequences replaced with U+FFFD.
    pub fn replaced(&self) -> u64 {
        self.replaced
    }

    /// Bytes pushed so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Returns the file's size in bytes: those pushed, or for a reading of the head only, the size
    /// given to [`StreamDecoder::expect`] where known.
    pub fn file_bytes(&self) -> u64 {
        match self.expected {
            Some(size) if self.partial => size,
            _ => self.bytes,
        }
    }

    /// Chooses the encoding from the first bytes and decodes them.
    fn decide(&mut self) {
        let head = std::mem::take(&mut self.head);
        let (encoding, skip) = match Encoding::for_bom(&head) {
            Some((encoding, length)) => {
                self.bom = true;
                (encoding, length)
            }
            None => (utf16_without_bom(&head).unwrap_or(UTF_8), 0),
        };
        self.encoding = encoding;
        if let Some(expected) = self.expected {
            // UTF-8 text is as long as its bytes, and UTF-16 text of mostly ASCII is half as
            // long. Other encodings arise only after the first invalid UTF-8, and grow from here.
            let bytes = usize::try_from(expected).unwrap_or(usize::MAX);
            let length = if encoding == UTF_8 { bytes } else { bytes / 2 };
            self.reserve = Some(length.saturating_sub(skip).saturating_add(16));
        }
        self.state = if encoding == UTF_8 {
            State::Utf8 { carry: Vec::new(), ascii_only: true }
        } else {
            State::Other(encoding.new_decoder_without_bom_handling())
        };
        self.decode(&head[skip..], false);
    }

    fn decode(&mut self, chunk: &[u8], last: bool) {
        if let Some(capacity) = self.reserve.filter(|_| self.text.len() + chunk.len() > RESERVE_AFTER_BYTES) {
            self.reserve = None;
            // Failing to reserve is no error: the text then grows as it would without a size.
            let _ = self.text.try_reserve_exact(capacity.saturating_sub(self.text.len()));
        }
        match &mut self.state {
            State::Undecided => {}
            State::Other(decoder) => {
                decode_into(decoder, chunk, last, &mut self.text, &mut self.replaced);
            }
            State::Utf8 { carry, ascii_only } => {
                let mut joined;
                let bytes: &[u8] = if carry.is_empty() {
                    chunk
                } else {
                    joined = std::mem::take(carry);
                    joined.extend_from_slice(chunk);
                    &joined
                };
                match std::str::from_utf8(bytes) {
                    Ok(text) => {
                        *ascii_only &= text.is_ascii();
                        self.text.push_str(text);
                    }
                    Err(error) => {
                        let valid_text = std::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap_or_default();
                        *ascii_only &= valid_text.is_ascii();
                        self.text.push_str(valid_text);
                        let rest = &bytes[error.valid_up_to()..];
                        if error.error_len().is_none() && !last {
                            // An incomplete character at the end: wait for the next chunk.
                            *carry = rest.to_vec();
                        } else if *ascii_only {
                            self.encoding = WINDOWS_1252;
                            let mut decoder = WINDOWS_1252.new_decoder_without_bom_handling();
                            decode_into(&mut decoder, rest, last, &mut self.text, &mut self.replaced);
                            self.state = State::Other(decoder);
                        } else {
                            let mut decoder = UTF_8.new_decoder_without_bom_handling();
                            decode_into(&mut decoder, rest, last, &mut self.text, &mut self.replaced);
                            self.state = State::Other(decoder);
                        }
                    }
                }
            }
        }
    }
}

/// Decodes `bytes` with replacement into `text`, counting replacements.
fn decode_into(decoder: &mut Decoder, bytes: &[u8], last: bool, text: &mut String, replaced: &mut u64) {
    let mut remaining = bytes;
    loop {
        // The decoder writes what fits and reports the rest, so the text needs room for about the
        // input's length rather than the worst case of 3 bytes per byte. It grows by an eighth at
        // least, because doubling a text reserved from the file's size would leave up to half of
        // it unused, and shrinking it at the end would copy it once more.
        let room = remaining.len() + 16;
        if text.capacity() - text.len() < room {
            text.reserve_exact(room.max(text.capacity() / 8));
        }
        let start = text.len();
        let (result, read, had_errors) = decoder.decode_to_string(remaining, text, last);
        if had_errors {
            *replaced += text[start..].matches('\u{FFFD}').count() as u64;
        }
        remaining = &remaining[read..];
        if result == encoding_rs::CoderResult::InputEmpty {
            break;
        }
        if read == 0 && text.len() == start {
            // No progress in the room given: give the worst case, so the loop cannot spin.
            text.reserve_exact(decoder.max_utf8_buffer_length(remaining.len()).unwrap_or(remaining.len() * 3 + 16));
        }
    }
}

/// Guesses UTF-16 from NUL bytes: ASCII text in UTF-16 has a NUL in every other byte.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(DECISION_BYTES) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_nuls = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nuls = sample.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if odd_nuls * 10 >= pairs * 3 && even_nuls * 10 < pairs {
        Some(UTF_16LE)
    } else if even_nuls * 10 >= pairs * 3 && odd_nuls * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Decodes a whole file at once.
pub fn decode_all(bytes: &[u8]) -> StreamDecoder {
    let mut decoder = StreamDecoder::new();
    decoder.push(bytes);
    decoder.finish();
    decoder
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(|unit| unit.to_le_bytes()).collect()
    }

    fn in_chunks(bytes: &[u8], size: usize) -> StreamDecoder {
        let mut decoder = StreamDecoder::new();
        for chunk in bytes.chunks(size) {
            decoder.push(chunk);
        }
        decoder.finish();
        decoder
    }

    /// Returns an unfinished decoder that reserved text for `expected` bytes and then received
    /// `bytes` in chunks of `size`.
    fn expecting(expected: u64, bytes: &[u8], size: usize) -> StreamDecoder {
        let mut decoder = StreamDecoder::new();
        decoder.expect(expected);
        for chunk in bytes.chunks(size) {
            decoder.push(chunk);
        }
        decoder
    }

    #[test]
    fn utf8_bom_is_removed() {
        let decoded = decode_all(b"\xEF\xBB\xBFevent,count\n");
        assert_eq!(decoded.text(), "event,count\n");
        assert!(decoded.bom());
        assert_eq!(decoded.encoding(), "UTF-8");
    }

    #[test]
    fn utf16le_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(utf16le("event\tuser\r\nsignup\tu1\r\n"));
        let decoded = decode_all(&bytes);
        assert_eq!(decoded.text(), "event\tuser\r\nsignup\tu1\r\n");
        assert_eq!(decoded.encoding(), "UTF-16LE");
    }

    #[test]
    fn utf16be_with_bom() {
        let mut bytes = vec![0xFE, 0xFF];
        bytes.extend("a,b\n".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode_all(&bytes).text(), "a,b\n");
    }

    #[test]
    fn utf16le_without_bom() {
        let bytes = utf16le("event\tuser\r\nsignup\tu1\r\n");
        let decoded = decode_all(&bytes);
        assert_eq!(decoded.text(), "event\tuser\r\nsignup\tu1\r\n");
        assert!(!decoded.bom());
        assert_eq!(decoded.encoding(), "UTF-16LE");
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252() {
        let decoded = decode_all(b"page,title\n/p1,Caf\xE9\n");
        assert_eq!(decoded.text(), "page,title\n/p1,Café\n");
        assert_eq!(decoded.encoding(), "windows-1252");
        assert_eq!(decoded.replaced(), 0);
    }

    #[test]
    fn every_chunk_size_gives_the_same_text() {
        let mut text = String::from("page,title\n");
        for i in 0..2000 {
            text.push_str(&format!("/p{i},Café ☕ naïve 𝄞\n"));
        }
        let utf8 = text.as_bytes();
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(utf16le(&text));
        for size in [1, 2, 3, 5, 7, 64, 4095, 4096, 4097, 100_000] {
            assert_eq!(in_chunks(utf8, size).text(), text, "UTF-8 in chunks of {size}");
            assert_eq!(in_chunks(&utf16, size).text(), text, "UTF-16 in chunks of {size}");
        }
    }

    #[test]
    fn windows_1252_found_after_the_decision_window() {
        let mut bytes = b"page,title\n".to_vec();
        for i in 0..1000 {
            bytes.extend(format!("/p{i},plain\n").as_bytes());
        }
        bytes.extend(b"/last,Caf\xE9 cr\xE8me\n");
        for size in [1, 3, 4096, 1 << 20] {
            let decoded = in_chunks(&bytes, size);
            assert_eq!(decoded.encoding(), "windows-1252", "chunks of {size}");
            assert!(decoded.text().ends_with("/last,Café crème\n"), "chunks of {size}");
        }
    }

    #[test]
    fn invalid_bytes_after_utf8_text_are_replaced_and_counted() {
        let decoded = decode_all("a,é\n".as_bytes().iter().copied().chain(*b"b,\xFF\n").collect::<Vec<u8>>().as_slice());
        assert_eq!(decoded.encoding(), "UTF-8");
        assert_eq!(decoded.text(), "a,é\nb,\u{FFFD}\n");
        assert_eq!(decoded.replaced(), 1);
    }

    #[test]
    fn truncated_character_at_the_end_is_replaced() {
        let decoded = decode_all("a,é\nb,".as_bytes().iter().copied().chain([0xC3]).collect::<Vec<u8>>().as_slice());
        assert!(decoded.text().ends_with('\u{FFFD}'));
    }

    #[test]
    fn decoder_known_size_decodes_the_same() {
        let mut utf8 = b"\xEF\xBB\xBFpage,title\n".to_vec();
        for i in 0..20_000 {
            utf8.extend(format!("/p{i},Caf\u{e9}\n").as_bytes());
        }
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(utf16le(std::str::from_utf8(&utf8[3..]).unwrap_or_default()));
        let mut latin = b"page,title\n".to_vec();
        for i in 0..20_000 {
            latin.extend(format!("/p{i},plain\n").as_bytes());
        }
        latin.extend(b"/last,Caf\xE9\n");

        for bytes in [&utf8, &utf16, &latin] {
            // A wrong size as well as the right one: the text must not depend on it.
            for size in [bytes.len() as u64, 10, 3 * bytes.len() as u64] {
                let mut decoder = expecting(size, bytes, 4096 + 1);
                decoder.finish();
                let plain = in_chunks(bytes, 4096 + 1);
                assert_eq!(decoder.text(), plain.text());
                assert_eq!(decoder.encoding(), plain.encoding());
                assert_eq!(decoder.replaced(), plain.replaced());
                assert!(decoder.text.capacity() - decoder.text.len() <= decoder.text.len() / 16 + 16, "size {size}");
            }
        }

        // UTF-8 of the right size, past the text that grows as it comes, fills its reservation
        // without growing again: the spare is the mark's 3 bytes and the 16 of slack.
        let mut large = b"\xEF\xBB\xBFpage,title\n".to_vec();
        large.extend("/p,Caf\u{e9}\n".repeat((48 << 20) / 9).as_bytes());
        let mut decoder = expecting(large.len() as u64, &large, 4 << 20);
        decoder.finish();
        assert_eq!(decoder.text.capacity(), large.len() - 3 + 16);

        // The first 8 MiB of a file of 600 MB, read for an inspection, reserve nothing more.
        let mut decoder = expecting(600_000_000, &large[..8 << 20], 1 << 20);
        decoder.finish_head();
        assert!(decoder.text.capacity() <= RESERVE_AFTER_BYTES, "capacity {}", decoder.text.capacity());
    }

    #[test]
    fn decoder_windows_1252_text_grows_by_an_eighth() {
        // Windows-1252 from the second line on, with a two-byte character in every line, so the
        // text outgrows the bytes that were reserved for it.
        let mut bytes = b"page,title\n/first,Caf\xE9\n".to_vec();
        for i in 0..100_000 {
            bytes.extend(format!("/p{i},Caf").as_bytes());
            bytes.extend(b"\xE9 cr\xE8me\n");
        }
        let mut decoder = expecting(bytes.len() as u64, &bytes, 4 << 20);
        assert_eq!(decoder.encoding(), "windows-1252");
        let (length, capacity) = (decoder.text.len(), decoder.text.capacity());
        assert!(length > bytes.len(), "the text is longer than the bytes");
        assert!(capacity <= length + length / 8 + 64 * 1024, "capacity {capacity} for {length} bytes");
        decoder.finish();
        assert_eq!(decoder.text(), in_chunks(&bytes, 4096).text());
    }
}
