//! Decoding file bytes to text.
//!
//! Rules, in order. A byte-order mark decides (UTF-8, UTF-16 LE or BE) and is removed. NUL bytes
//! in alternate positions mean UTF-16 without a mark. Bytes that are valid UTF-8 are UTF-8.
//! Anything else is read as Windows-1252, which maps every byte to a character.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// Text decoded from a file, with the encoding that was used.
#[derive(Debug)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static str,
    pub bom: bool,
}

/// Decodes `bytes` following the rules in the module doc.
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_length..];
        return Decoded {
            text: decode_with(encoding, body),
            encoding: encoding.name(),
            bom: true,
        };
    }
    // NUL bytes are valid UTF-8, so UTF-16 must be ruled out first.
    if let Some(encoding) = utf16_without_bom(bytes) {
        return Decoded { text: decode_with(encoding, bytes), encoding: encoding.name(), bom: false };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded { text: Cow::Borrowed(text), encoding: UTF_8.name(), bom: false };
    }
    Decoded { text: decode_with(WINDOWS_1252, bytes), encoding: WINDOWS_1252.name(), bom: false }
}

fn decode_with<'a>(encoding: &'static Encoding, bytes: &'a [u8]) -> Cow<'a, str> {
    let (text, _had_errors) = encoding.decode_without_bom_handling(bytes);
    text
}

/// Guesses UTF-16 from NUL bytes: ASCII text in UTF-16 has a NUL in every other byte.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
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

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(|unit| unit.to_le_bytes()).collect()
    }

    #[test]
    fn utf8_bom_is_removed() {
        let decoded = decode(b"\xEF\xBB\xBFevent,count\n");
        assert_eq!(decoded.text, "event,count\n");
        assert!(decoded.bom);
        assert_eq!(decoded.encoding, "UTF-8");
    }

    #[test]
    fn utf16le_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(utf16le("event\tuser\r\nsignup\tu1\r\n"));
        let decoded = decode(&bytes);
        assert_eq!(decoded.text, "event\tuser\r\nsignup\tu1\r\n");
        assert_eq!(decoded.encoding, "UTF-16LE");
    }

    #[test]
    fn utf16le_without_bom() {
        let bytes = utf16le("event\tuser\r\nsignup\tu1\r\n");
        let decoded = decode(&bytes);
        assert_eq!(decoded.text, "event\tuser\r\nsignup\tu1\r\n");
        assert!(!decoded.bom);
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252() {
        let decoded = decode(b"page,title\n/p1,Caf\xE9\n");
        assert_eq!(decoded.text, "page,title\n/p1,Café\n");
        assert_eq!(decoded.encoding, "windows-1252");
    }
}
