//! Little-endian reads that answer `None` past the end instead of panicking.

/// A read position in a chunk that stops at `end`, the end of the structure being read.
pub(crate) struct Cursor<'a> {
    pub chunk: &'a [u8],
    pub pos: usize,
    pub end: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(chunk: &'a [u8], pos: usize, end: usize) -> Cursor<'a> {
        Cursor { chunk, pos, end }
    }

    pub fn byte(&mut self) -> Option<u8> {
        if self.pos >= self.end {
            return None;
        }
        let value = *self.chunk.get(self.pos)?;
        self.pos += 1;
        Some(value)
    }

    pub fn u16(&mut self) -> Option<u16> {
        let value = u16_at(self.chunk, self.pos)?;
        self.pos += 2;
        Some(value)
    }

    pub fn u32(&mut self) -> Option<u32> {
        let value = u32_at(self.chunk, self.pos)?;
        self.pos += 4;
        Some(value)
    }
}

pub(crate) fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    let slice = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([slice[0], slice[1]]))
}

pub(crate) fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let slice = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(slice.try_into().ok()?))
}

pub(crate) fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let slice = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(slice.try_into().ok()?))
}

/// UTF-16LE without unpaired surrogates, which the evtx crate refuses to render.
pub(crate) fn utf16_is_valid(bytes: &[u8]) -> bool {
    // Most text has no surrogates at all: check the high bytes first.
    if !bytes
        .chunks_exact(2)
        .any(|unit| (0xd8..=0xdf).contains(&unit[1]))
    {
        return true;
    }
    let units = bytes
        .chunks_exact(2)
        .map(|unit| u16::from_le_bytes([unit[0], unit[1]]));
    char::decode_utf16(units).all(|decoded| decoded.is_ok())
}

/// Whether UTF-16LE text contains a character that JSON strings must escape: a quotation mark,
/// a backslash or a control character below U+0020.
pub(crate) fn needs_json_escape(bytes: &[u8]) -> bool {
    bytes
        .chunks_exact(2)
        .any(|unit| unit[1] == 0 && (unit[0] < 0x20 || unit[0] == b'"' || unit[0] == b'\\'))
}
