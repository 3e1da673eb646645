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

/// Bytes looked at before the encoding is decided, unless the file is shorter.
const DECISION_BYTES: usize = 4096;
/// The text that grows as it comes before the file's size is reserved. A reading of only the
/// first 8 MiB of a large file, for its inspection, then reserves nothing more.
const RESERVE_AFTER_BYTES: usize = 16 << 20;

/// The characters of Windows-1252 bytes 0x80 to 0x9F, from the index of the WHATWG Encoding
/// Standard. The five bytes that Windows leaves undefined map to the C1 control of the same
/// value, as the standard specifies. Every other byte is the code point of its own value.
const WINDOWS_1252_80_TO_9F: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// The encodings a file is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl Encoding {
    /// Returns the encoding's name in the WHATWG Encoding Standard.
    fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Windows1252 => "windows-1252",
        }
    }
}

/// The encoding in use, once decided.
enum State {
    /// Too few bytes to decide yet; they wait in `head`.
    Undecided,
    /// UTF-8. `carry` keeps an incomplete sequence from the end of the last chunk, and
    /// `ascii_only` records whether every character so far was ASCII.
    Utf8 { carry: Vec<u8>, ascii_only: bool },
    /// UTF-16. `carry` keeps an odd byte and a high surrogate still waiting for its low half,
    /// at most three bytes.
    Utf16 { big_endian: bool, carry: Vec<u8> },
    Windows1252,
}

/// Decodes a file chunk by chunk into one `String`.
pub struct StreamDecoder {
    state: State,
    head: Vec<u8>,
    text: String,
    encoding: Encoding,
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
            encoding: Encoding::Utf8,
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
        let (encoding, skip) = match byte_order_mark(&head) {
            Some(found) => {
                self.bom = true;
                found
            }
            None => (utf16_without_bom(&head).unwrap_or(Encoding::Utf8), 0),
        };
        self.encoding = encoding;
        if let Some(expected) = self.expected {
            // UTF-8 text is as long as its bytes, and UTF-16 text of mostly ASCII is half as
            // long. Windows-1252 arises only after the first invalid UTF-8, and grows from here.
            let bytes = usize::try_from(expected).unwrap_or(usize::MAX);
            let length = if encoding == Encoding::Utf8 { bytes } else { bytes / 2 };
            self.reserve = Some(length.saturating_sub(skip).saturating_add(16));
        }
        self.state = match encoding {
            Encoding::Utf8 => State::Utf8 { carry: Vec::new(), ascii_only: true },
            Encoding::Utf16Le => State::Utf16 { big_endian: false, carry: Vec::new() },
            Encoding::Utf16Be => State::Utf16 { big_endian: true, carry: Vec::new() },
            Encoding::Windows1252 => State::Windows1252,
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
            State::Windows1252 => push_windows_1252(chunk, &mut self.text),
            State::Utf16 { big_endian, carry } => {
                decode_utf16(chunk, *big_endian, carry, last, &mut self.text, &mut self.replaced);
            }
            State::Utf8 { carry, ascii_only } => {
                let mut joined;
                let mut rest: &[u8] = if carry.is_empty() {
                    chunk
                } else {
                    joined = std::mem::take(carry);
                    joined.extend_from_slice(chunk);
                    &joined
                };
                loop {
                    let error = match std::str::from_utf8(rest) {
                        Ok(text) => {
                            *ascii_only &= text.is_ascii();
                            self.text.push_str(text);
                            break;
                        }
                        Err(error) => error,
                    };
                    let (valid, invalid) = rest.split_at(error.valid_up_to());
                    let valid_text = std::str::from_utf8(valid).unwrap_or_default();
                    *ascii_only &= valid_text.is_ascii();
                    self.text.push_str(valid_text);
                    match error.error_len() {
                        // An incomplete character at the end: wait for the next chunk.
                        None if !last => {
                            *carry = invalid.to_vec();
                            break;
                        }
                        _ if *ascii_only => {
                            self.encoding = Encoding::Windows1252;
                            push_windows_1252(invalid, &mut self.text);
                            self.state = State::Windows1252;
                            break;
                        }
                        // An incomplete character at the very end of the file.
                        None => {
                            self.text.push(char::REPLACEMENT_CHARACTER);
                            self.replaced += 1;
                            break;
                        }
                        // One replacement for each maximal invalid sequence, as the WHATWG
                        // Encoding Standard and `String::from_utf8_lossy` do.
                        Some(length) => {
                            self.text.push(char::REPLACEMENT_CHARACTER);
                            self.replaced += 1;
                            rest = &invalid[length..];
                        }
                    }
                }
            }
        }
    }
}

/// Makes room for `needed` more bytes of text. A full text grows by at least an eighth, because
/// doubling a text reserved from the file's size would leave up to half of it unused, and
/// shrinking it at the end would copy it once more.
fn make_room(text: &mut String, needed: usize) {
    if text.capacity() - text.len() < needed {
        text.reserve_exact(needed.max(text.capacity() / 8));
    }
}

/// Appends Windows-1252 `bytes` to `text`. Every byte is a character, so nothing is replaced.
fn push_windows_1252(bytes: &[u8], text: &mut String) {
    let character = |byte: u8| match byte {
        0x80..=0x9F => WINDOWS_1252_80_TO_9F[usize::from(byte - 0x80)],
        _ => char::from(byte),
    };
    make_room(text, bytes.iter().map(|&byte| character(byte).len_utf8()).sum());
    text.extend(bytes.iter().map(|&byte| character(byte)));
}

/// Decodes UTF-16 `chunk` after the bytes in `carry` into `text`, and keeps in `carry` the bytes
/// of a unit or surrogate pair that the chunk cuts. Unpaired surrogates and an odd byte at the end
/// of the file become U+FFFD, and are counted in `replaced`.
fn decode_utf16(chunk: &[u8], big_endian: bool, carry: &mut Vec<u8>, last: bool, text: &mut String, replaced: &mut u64) {
    let mut joined;
    let bytes: &[u8] = if carry.is_empty() {
        chunk
    } else {
        joined = std::mem::take(carry);
        joined.extend_from_slice(chunk);
        &joined
    };
    let unit = |pair: &[u8]| if big_endian { u16::from_be_bytes([pair[0], pair[1]]) } else { u16::from_le_bytes([pair[0], pair[1]]) };
    let mut end = bytes.len() & !1;
    let odd_byte = end < bytes.len();
    if (odd_byte || !last) && end >= 2 && (0xD800..0xDC00).contains(&unit(&bytes[end - 2..end])) {
        // A high surrogate whose low half may start the next chunk. At the end of the file, the
        // surrogate and an odd byte after it are one error, as in the WHATWG Encoding Standard.
        end -= 2;
    }
    let units = || bytes[..end].chunks_exact(2).map(unit);
    // At most 3 bytes of UTF-8 per unit, and 1 for ASCII.
    make_room(text, units().map(|unit| if unit < 0x80 { 1 } else { 3 }).sum());
    for decoded in char::decode_utf16(units()) {
        match decoded {
            Ok(character) => text.push(character),
            Err(_) => {
                text.push(char::REPLACEMENT_CHARACTER);
                *replaced += 1;
            }
        }
    }
    if last {
        if end < bytes.len() {
            text.push(char::REPLACEMENT_CHARACTER);
            *replaced += 1;
        }
    } else {
        *carry = bytes[end..].to_vec();
    }
}

/// Finds a UTF-8 or UTF-16 byte-order mark, and returns its encoding and length.
fn byte_order_mark(bytes: &[u8]) -> Option<(Encoding, usize)> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Some((Encoding::Utf8, 3))
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        Some((Encoding::Utf16Le, 2))
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        Some((Encoding::Utf16Be, 2))
    } else {
        None
    }
}

/// Guesses UTF-16 from NUL bytes: ASCII text in UTF-16 has a NUL in every other byte.
fn utf16_without_bom(bytes: &[u8]) -> Option<Encoding> {
    let sample = &bytes[..bytes.len().min(DECISION_BYTES) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_nuls = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nuls = sample.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if odd_nuls * 10 >= pairs * 3 && even_nuls * 10 < pairs {
        Some(Encoding::Utf16Le)
    } else if even_nuls * 10 >= pairs * 3 && odd_nuls * 10 < pairs {
        Some(Encoding::Utf16Be)
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

    // encoding_rs and proptest are dev-dependencies of native builds only.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn windows_1252_matches_encoding_rs() {
        let bytes: Vec<u8> = (0x20..=0xFF).collect();
        let mut text = String::new();
        push_windows_1252(&bytes, &mut text);
        let (expected, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
        assert_eq!(text, expected);
    }

    /// Decodes `bytes` with encoding_rs in the encoding that `decoded` chose.
    #[cfg(not(target_arch = "wasm32"))]
    fn reference_text(bytes: &[u8], decoded: &StreamDecoder) -> String {
        let encoding = encoding_rs::Encoding::for_label(decoded.encoding().as_bytes()).unwrap_or(encoding_rs::UTF_8);
        // A file with a UTF-8 mark can still turn out to be Windows-1252 after it.
        let mark = match byte_order_mark(bytes) {
            Some((_, length)) if decoded.bom() => length,
            _ => 0,
        };
        let body = &bytes[mark..];
        encoding.decode_without_bom_handling(body).0.into_owned()
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Random bytes around valid text, whole and in random chunks, in each encoding: the text
        /// equals encoding_rs's for the chosen encoding, and the replacements are counted.
        #[test]
        fn decoding_matches_encoding_rs(
            text in "[a-z,\n\u{e9}\u{20ac}\u{1d11e}]{0,40}",
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..12),
            at in 0usize..50,
            form in 0usize..4,
            chunk in 1usize..9,
        ) {
            let mut bytes: Vec<u8> = match form {
                0 => text.as_bytes().to_vec(),
                1 => [0xFF, 0xFE].into_iter().chain(utf16le(&text)).collect(),
                2 => [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect(),
                _ => [0xEF, 0xBB, 0xBF].into_iter().chain(text.bytes()).collect(),
            };
            let at = at.min(bytes.len()).max(if form == 0 { 0 } else { 3 }).min(bytes.len());
            bytes.splice(at..at, noise);
            let whole = decode_all(&bytes);
            let expected = reference_text(&bytes, &whole);
            proptest::prop_assert_eq!(whole.text(), expected.as_str());
            // U+FFFD that the bytes themselves encode is text, not a replacement.
            let literal = [&[0xEF, 0xBF, 0xBD][..], &[0xFD, 0xFF], &[0xFF, 0xFD]];
            if whole.encoding() != "windows-1252" && !literal.iter().any(|mark| bytes.windows(mark.len()).any(|window| window == *mark)) {
                let replaced = expected.matches('\u{FFFD}').count() as u64;
                proptest::prop_assert_eq!(whole.replaced(), replaced);
            }
            let chunked = in_chunks(&bytes, chunk);
            proptest::prop_assert_eq!(chunked.text(), whole.text());
            proptest::prop_assert_eq!(chunked.encoding(), whole.encoding());
            proptest::prop_assert_eq!(chunked.replaced(), whole.replaced());
        }
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
