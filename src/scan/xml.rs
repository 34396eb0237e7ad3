//! One record as XML, as Event Viewer's XML view shows it, rendered from its chunk's bytes.
//!
//! The page keeps no record bytes, because a large log would then sit in memory twice. To
//! show a record's XML, a worker reads the record's 64 KiB chunk from the file again and
//! this module renders that one record with the evtx crate.

use super::{describe_bad_magic, error_chain, truncated, CHUNK_HEADER_SIZE, CHUNK_MAGIC};
use crate::read::CHUNK_SIZE;
use evtx::err::EvtxError;
use evtx::{EvtxChunkData, EvtxRecord, ParserSettings};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// A record rendered as XML, with what makes its text less trustworthy than a sound
/// record's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordXml {
    /// The XML document, indented, starting with the `<?xml ...?>` declaration.
    pub xml: String,
    /// Damage to the chunk or the record; empty for a sound record.
    pub caveats: Vec<Caveat>,
}

/// Damage that still let the record be rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Caveat {
    /// The chunk header's CRC32 does not match its bytes.
    HeaderChecksum,
    /// The records' CRC32 in the chunk header does not match the records.
    DataChecksum,
    /// The file ends `length` bytes into the chunk, so its CRC32s cannot be checked.
    CutOff { length: u64 },
    /// The record lies in the chunk's unused space, left over from before the log was
    /// cleared or wrapped, and was carved from there.
    Carved,
}

impl fmt::Display for Caveat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Caveat::HeaderChecksum => write!(f, "the chunk header's CRC32 is invalid"),
            Caveat::DataChecksum => write!(f, "the chunk's records CRC32 is invalid"),
            Caveat::CutOff { length } => write!(
                f,
                "the file ends {length} bytes into the chunk, so its CRC32s cannot be checked"
            ),
            Caveat::Carved => write!(
                f,
                "the record was carved from the chunk's unused space (a stale copy)"
            ),
        }
    }
}

/// Reasons a record's XML cannot be shown. Every message names the record and its chunk.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum XmlError {
    /// The chunk slot holds only zero bytes.
    #[error("cannot show record {record_id} of chunk {chunk}: the chunk holds only zero bytes")]
    EmptyChunk { chunk: u64, record_id: u64 },
    /// The file ends inside the chunk header, so the string and template tables are lost.
    #[error(
        "cannot show record {record_id} of chunk {chunk}: the file ends {length} bytes into \
         the chunk's 512-byte header"
    )]
    ShortChunk {
        chunk: u64,
        record_id: u64,
        length: u64,
    },
    /// The chunk does not start with `ElfChnk\0`.
    #[error("cannot show record {record_id} of chunk {chunk}: {reason}")]
    BadSignature {
        chunk: u64,
        record_id: u64,
        reason: String,
    },
    /// The evtx crate rejected the chunk header.
    #[error("cannot show record {record_id} of chunk {chunk}: unreadable chunk header: {reason}")]
    Header {
        chunk: u64,
        record_id: u64,
        reason: String,
    },
    /// The chunk's string or template table could not be read.
    #[error("cannot show record {record_id} of chunk {chunk}: chunk tables unreadable: {reason}")]
    Tables {
        chunk: u64,
        record_id: u64,
        reason: String,
    },
    /// The record was found but its BinXML could not be rendered.
    #[error("cannot show record {record_id} of chunk {chunk}: rendering failed: {reason}")]
    Render {
        chunk: u64,
        record_id: u64,
        reason: String,
    },
    /// No readable record in the chunk has this ID.
    #[error(
        "cannot show record {record_id} of chunk {chunk}: not found among the chunk's \
         {records} readable records ({unreadable} more could not be read{cut})",
        cut = cut_note(*cut_at)
    )]
    NotFound {
        chunk: u64,
        record_id: u64,
        records: u64,
        unreadable: u64,
        /// The length of a cut-off chunk: the bytes from its start to the end of the file.
        cut_at: Option<u64>,
    },
    /// The browser could not read the chunk's bytes from the file.
    #[error("cannot show record {record_id} of chunk {chunk}: reading the file failed: {reason}")]
    Read {
        chunk: u64,
        record_id: u64,
        reason: String,
    },
    /// The worker crashed while rendering, or none could start.
    #[error("cannot show record {record_id} of chunk {chunk}: {reason}")]
    Worker {
        chunk: u64,
        record_id: u64,
        reason: String,
    },
}

fn cut_note(cut_at: Option<u64>) -> String {
    cut_at.map_or_else(String::new, |length| {
        format!("; the file ends {length} bytes into the chunk")
    })
}

/// Renders record `record_id` of the chunk at slot `chunk` as XML.
///
/// `bytes` are the chunk's bytes as read from the file, shorter than 64 KiB when the file is
/// cut off. Checksums are checked but do not stop the rendering: a failure becomes a
/// [`Caveat`]. A live record with the ID comes first. Only when there is none does the
/// chunk's unused space give a stale copy.
pub fn record_xml(chunk: u64, mut bytes: Vec<u8>, record_id: u64) -> Result<RecordXml, XmlError> {
    let length = bytes.len() as u64;

    if bytes.iter().all(|byte| *byte == 0) {
        return Err(XmlError::EmptyChunk { chunk, record_id });
    }
    if bytes.len() < CHUNK_HEADER_SIZE && bytes.starts_with(CHUNK_MAGIC) {
        return Err(XmlError::ShortChunk {
            chunk,
            record_id,
            length,
        });
    }
    if bytes.len() < CHUNK_HEADER_SIZE || &bytes[..8] != CHUNK_MAGIC {
        return Err(XmlError::BadSignature {
            chunk,
            record_id,
            reason: describe_bad_magic(&bytes),
        });
    }

    let mut caveats = Vec::new();
    let cut_at = (length < CHUNK_SIZE).then_some(length);
    if let Some(length) = cut_at {
        // Zero the record the end cuts through, as the scan does, so no made-up values show.
        truncated::drop_partial_record(&mut bytes);
        bytes.resize(CHUNK_SIZE as usize, 0);
        caveats.push(Caveat::CutOff { length });
    }
    let mut data = EvtxChunkData::new(bytes, false).map_err(|error| XmlError::Header {
        chunk,
        record_id,
        reason: error_chain(&error),
    })?;
    data.number = Some(chunk);

    if !data.validate_header_checksum() {
        caveats.push(Caveat::HeaderChecksum);
    }
    if cut_at.is_none() && !data.validate_data_checksum() {
        caveats.push(Caveat::DataChecksum);
    }

    let search = Search {
        chunk,
        record_id,
        cut_at,
    };
    let xml = search.find(&mut data)?;
    if xml.carved {
        caveats.push(Caveat::Carved);
    }
    Ok(RecordXml {
        xml: xml.text,
        caveats,
    })
}

struct Search {
    chunk: u64,
    record_id: u64,
    cut_at: Option<u64>,
}

struct Found {
    text: String,
    carved: bool,
}

impl Search {
    /// Walks the live records and the carved ones in chunk order, rendering only the
    /// records with the wanted ID.
    fn find(&self, data: &mut EvtxChunkData) -> Result<Found, XmlError> {
        let settings = Arc::new(ParserSettings::new().recover_records(true));
        let mut parsed = data.parse(settings).map_err(|error| XmlError::Tables {
            chunk: self.chunk,
            record_id: self.record_id,
            reason: error_chain(&error),
        })?;
        let mut records = 0;
        let mut unreadable = 0;
        let mut render_error = None;
        let mut carved = None;
        for item in parsed.iter() {
            let record = match item {
                Ok(record) => record,
                Err(EvtxError::FailedToParseRecord { record_id, source })
                    if record_id == self.record_id =>
                {
                    render_error = Some(error_chain(&*source));
                    continue;
                }
                Err(_) => {
                    unreadable += 1;
                    continue;
                }
            };
            records += 1;
            if record.event_record_id != self.record_id {
                continue;
            }
            if !record.recovered {
                return self.render(record).map(|text| Found {
                    text,
                    carved: false,
                });
            }
            // A live record may still follow, so keep only the first carved copy.
            if carved.is_none() {
                carved = Some(self.render(record));
            }
        }
        if let Some(rendered) = carved {
            return rendered.map(|text| Found { text, carved: true });
        }
        if let Some(reason) = render_error {
            return Err(self.render_failed(reason));
        }
        Err(XmlError::NotFound {
            chunk: self.chunk,
            record_id: self.record_id,
            records,
            unreadable,
            cut_at: self.cut_at,
        })
    }

    fn render(&self, record: EvtxRecord<'_>) -> Result<String, XmlError> {
        record
            .into_xml()
            .map(|rendered| rendered.data)
            .map_err(|error| self.render_failed(error_chain(&error)))
    }

    fn render_failed(&self, reason: String) -> XmlError {
        XmlError::Render {
            chunk: self.chunk,
            record_id: self.record_id,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::damage;
    use crate::fixture::samples::known_4983;
    use crate::fixture::write_evtx;
    use crate::read::chunk_offset;

    /// Writes the known sample file: one chunk with records 1 to 7.
    fn known_file() -> Vec<u8> {
        write_evtx(&known_4983()).unwrap()
    }

    fn chunk_bytes(file: &[u8], index: u64) -> Vec<u8> {
        let start = chunk_offset(index) as usize;
        let end = (start + CHUNK_SIZE as usize).min(file.len());
        file[start..end].to_vec()
    }

    fn read_u32(bytes: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
    }

    #[test]
    fn xml_of_sound_record() {
        let file = known_file();

        let shown = record_xml(0, chunk_bytes(&file, 0), 1).unwrap();

        assert!(shown
            .xml
            .starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
        assert!(shown.xml.contains("<EventID>4983</EventID>"));
        assert!(shown.xml.contains("<EventRecordID>1</EventRecordID>"));
        assert!(shown
            .xml
            .contains("<Data Name=\"LocalAddress\">10.20.1.42</Data>"));
        assert!(shown
            .xml
            .contains("<Data Name=\"QMFilterID\">18446744073709551615</Data>"));
        assert!(shown
            .xml
            .contains("<Computer>WS-0142.corp.contoso.com</Computer>"));
        assert_eq!(shown.caveats, []);
    }

    #[test]
    fn xml_picks_the_requested_record() {
        let file = known_file();

        let shown = record_xml(0, chunk_bytes(&file, 0), 7).unwrap();

        assert!(shown.xml.contains("<EventRecordID>7</EventRecordID>"));
        assert!(!shown.xml.contains("<EventRecordID>1</EventRecordID>"));
        assert!(shown.xml.contains("<Data Name=\"QMFilterID\">0</Data>"));
    }

    #[test]
    fn xml_escapes_markup_in_values() {
        let file = write_evtx(&crate::fixture::hostile::hostile_4983()).unwrap();
        let bytes = chunk_bytes(&file, 0);

        let shown = record_xml(0, bytes, 1).unwrap();

        assert!(!shown.xml.contains("<img"));
        assert!(shown.xml.contains("&lt;img src=x onerror=alert(1)&gt;"));
    }

    #[test]
    fn xml_missing_record_is_not_found() {
        let file = known_file();

        let error = record_xml(0, chunk_bytes(&file, 0), 8).unwrap_err();

        assert_eq!(
            error.to_string(),
            "cannot show record 8 of chunk 0: not found among the chunk's 7 readable records \
             (0 more could not be read)"
        );
    }

    #[test]
    fn xml_of_bad_data_checksum_has_caveat() {
        let mut file = known_file();
        damage::corrupt_chunk_data_crc(&mut file, 0).unwrap();

        let shown = record_xml(0, chunk_bytes(&file, 0), 2).unwrap();

        assert!(shown.xml.contains("<EventRecordID>2</EventRecordID>"));
        assert_eq!(shown.caveats, [Caveat::DataChecksum]);
        assert_eq!(
            shown.caveats[0].to_string(),
            "the chunk's records CRC32 is invalid"
        );
    }

    #[test]
    fn xml_of_bad_header_checksum_has_caveat() {
        let mut file = known_file();
        damage::corrupt_chunk_header_crc(&mut file, 0).unwrap();

        let shown = record_xml(0, chunk_bytes(&file, 0), 3).unwrap();

        assert!(shown.xml.contains("<EventID>4624</EventID>"));
        assert_eq!(shown.caveats, [Caveat::HeaderChecksum]);
    }

    #[test]
    fn xml_of_bad_signature_names_bytes() {
        let mut file = known_file();
        damage::flip_chunk_magic(&mut file, 0).unwrap();

        let error = record_xml(0, chunk_bytes(&file, 0), 1).unwrap_err();

        assert_eq!(
            error.to_string(),
            "cannot show record 1 of chunk 0: bad chunk signature: expected \"ElfChnk\\0\", \
             found 45 6c 66 43 68 6e 58 00"
        );
    }

    #[test]
    fn xml_of_empty_chunk() {
        let error = record_xml(3, vec![0; CHUNK_SIZE as usize], 1).unwrap_err();

        assert_eq!(
            error,
            XmlError::EmptyChunk {
                chunk: 3,
                record_id: 1
            }
        );
        assert_eq!(
            error.to_string(),
            "cannot show record 1 of chunk 3: the chunk holds only zero bytes"
        );
    }

    #[test]
    fn xml_of_chunk_cut_in_header() {
        let file = known_file();
        let bytes = chunk_bytes(&file, 0)[..100].to_vec();

        let error = record_xml(0, bytes, 1).unwrap_err();

        assert_eq!(
            error.to_string(),
            "cannot show record 1 of chunk 0: the file ends 100 bytes into the chunk's \
             512-byte header"
        );
    }

    #[test]
    fn xml_of_cut_chunk_keeps_whole_records() {
        let file = known_file();
        let last = damage::record_offset(&file, 0, 6).unwrap() - chunk_offset(0) as usize;
        let cut = last + 40;
        let bytes = chunk_bytes(&file, 0)[..cut].to_vec();

        let shown = record_xml(0, bytes.clone(), 6).unwrap();
        let error = record_xml(0, bytes, 7).unwrap_err();

        assert!(shown.xml.contains("<EventRecordID>6</EventRecordID>"));
        assert_eq!(shown.caveats, [Caveat::CutOff { length: cut as u64 }]);
        assert!(matches!(
            error,
            XmlError::NotFound {
                records: 6,
                cut_at: Some(at),
                ..
            } if at == cut as u64
        ));
        assert!(error
            .to_string()
            .ends_with(&format!("; the file ends {cut} bytes into the chunk)")));
    }

    #[test]
    fn xml_skips_unreadable_record() {
        let mut file = known_file();
        damage::zero_record_size(&mut file, 0, 1).unwrap();

        let error = record_xml(0, chunk_bytes(&file, 0), 2).unwrap_err();
        let after = record_xml(0, chunk_bytes(&file, 0), 1).unwrap();

        assert!(matches!(
            error,
            XmlError::NotFound {
                record_id: 2,
                unreadable: 1..,
                ..
            }
        ));
        assert!(after.xml.contains("<EventRecordID>1</EventRecordID>"));
    }

    /// Marks the chunk's last record as unused space, as if the log had been cleared
    /// after it was written: the header then ends at record 6.
    fn drop_last_record_into_slack(file: &mut [u8]) {
        let start = chunk_offset(0) as usize;
        let record_6 = damage::record_offset(file, 0, 5).unwrap() - start;
        let record_7 = damage::record_offset(file, 0, 6).unwrap() - start;
        assert_eq!(read_u32(file, start + 32), 7);
        file[start + 16..start + 24].copy_from_slice(&6u64.to_le_bytes());
        file[start + 32..start + 40].copy_from_slice(&6u64.to_le_bytes());
        file[start + 44..start + 48].copy_from_slice(&(record_6 as u32).to_le_bytes());
        file[start + 48..start + 52].copy_from_slice(&(record_7 as u32).to_le_bytes());
        damage::fix_chunk_crcs(file, 0).unwrap();
    }

    #[test]
    fn xml_of_record_in_slack_space() {
        let mut file = known_file();
        drop_last_record_into_slack(&mut file);

        let shown = record_xml(0, chunk_bytes(&file, 0), 7).unwrap();

        assert!(shown.xml.contains("<EventRecordID>7</EventRecordID>"));
        assert!(shown.xml.contains("<EventID>4983</EventID>"));
        assert_eq!(shown.caveats, [Caveat::Carved]);
    }

    #[test]
    fn xml_error_crosses_as_json() {
        let error = XmlError::NotFound {
            chunk: 2,
            record_id: u64::MAX,
            records: 3,
            unreadable: 0,
            cut_at: None,
        };

        let text = serde_json::to_string(&error).unwrap();
        let back: XmlError = serde_json::from_str(&text).unwrap();

        assert_eq!(back, error);
    }
}
