//! BEAM files without their debug info. A `.beam` file is an IFF container: `FOR1`, the size of the
//! rest, `BEAM`, then chunks (a 4-byte id, a 4-byte big-endian size, the data, padded to 4 bytes). The
//! debug info (`Dbgi`, or `Abst` from compilers before OTP 20) is the module's abstract code, which only
//! dialyzer, debuggers and `IEx`'s `t`/`b` helpers read; loading, calling and Mix's compile of code that uses
//! the module read other chunks. It is a third of an Erlang/OTP install.
//!
//! Hand-written rather than through a crate: no maintained crate writes BEAM files, and `beam_lib:strip`
//! (which needs a running Erlang) drops more than the debug info (the `Attr` and `CInf` chunks, which
//! `module_info/1` answers from).

/// The chunks left out.
const DEBUG_INFO: [&[u8; 4]; 2] = [b"Dbgi", b"Abst"];

/// `beam` without its debug info chunks, when it is a well-formed BEAM file that has one; `None` when
/// there is nothing to leave out or it isn't one (kept as it is).
pub(crate) fn without_debug_info(beam: &[u8]) -> Option<Vec<u8>> {
    let (b"FOR1", Some(size), b"BEAM") = (beam.get(0..4)?, read_u32(beam, 4), beam.get(8..12)?) else {
        return None;
    };
    // The form's size counts everything after its own field.
    let end = usize::try_from(size).ok()?.checked_add(8)?;
    if end != beam.len() {
        return None;
    }
    let mut kept = Vec::with_capacity(beam.len());
    kept.extend_from_slice(b"FOR1\0\0\0\0BEAM");
    let mut left_out = false;
    let mut at = 12;
    while at < end {
        let id = beam.get(at..at + 4)?;
        let length = usize::try_from(read_u32(beam, at + 4)?).ok()?;
        let data_end = at.checked_add(8)?.checked_add(length)?;
        if data_end > end {
            return None;
        }
        // The last chunk's padding may be missing.
        let next = (at + 8 + length.next_multiple_of(4)).min(end);
        if DEBUG_INFO.iter().any(|debug| id == &debug[..]) {
            left_out = true;
        } else {
            kept.extend_from_slice(&beam[at..data_end]);
            kept.resize(kept.len().next_multiple_of(4), 0);
        }
        at = next;
    }
    if !left_out {
        return None;
    }
    let form_size = u32::try_from(kept.len() - 8).ok()?;
    kept[4..8].copy_from_slice(&form_size.to_be_bytes());
    Some(kept)
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(id: [u8; 4], data: &[u8]) -> Vec<u8> {
        let mut chunk = id.to_vec();
        chunk.extend_from_slice(&u32::try_from(data.len()).expect("small").to_be_bytes());
        chunk.extend_from_slice(data);
        chunk.resize(chunk.len().next_multiple_of(4), 0);
        chunk
    }

    fn beam(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let mut beam = b"FOR1".to_vec();
        beam.extend_from_slice(&u32::try_from(body.len() + 4).expect("small").to_be_bytes());
        beam.extend_from_slice(b"BEAM");
        beam.extend_from_slice(&body);
        beam
    }

    #[test]
    fn the_debug_info_chunks_are_left_out_and_the_rest_kept_byte_for_byte() {
        let atoms = chunk(*b"AtU8", b"\0\0\0\x01\x03abc");
        let code = chunk(*b"Code", &[1, 2, 3, 4, 5, 6, 7, 8]);
        let attributes = chunk(*b"Attr", b"\x83j");
        let original = beam(&[
            atoms.clone(),
            code.clone(),
            chunk(*b"Dbgi", &[9; 37]),
            attributes.clone(),
            chunk(*b"Abst", &[7; 3]),
        ]);
        assert_eq!(
            without_debug_info(&original),
            Some(beam(&[atoms, code, attributes]))
        );
    }

    #[test]
    fn the_last_chunk_may_lack_its_padding() {
        let mut original = beam(&[chunk(*b"Dbgi", &[1; 8]), chunk(*b"Line", &[1, 2, 3, 4, 5])]);
        original.truncate(original.len() - 3);
        let size = u32::try_from(original.len() - 8).expect("small");
        original[4..8].copy_from_slice(&size.to_be_bytes());
        assert_eq!(
            without_debug_info(&original),
            Some(beam(&[chunk(*b"Line", &[1, 2, 3, 4, 5])]))
        );
    }

    #[test]
    fn what_has_no_debug_info_or_isnt_a_beam_file_is_kept_as_it_is() {
        assert_eq!(without_debug_info(&beam(&[chunk(*b"Code", &[1, 2, 3])])), None);
        let with_debug_info = beam(&[chunk(*b"Code", &[1, 2, 3, 4]), chunk(*b"Dbgi", &[5; 4])]);
        // Compressed, truncated, a wrong size, a chunk running past the end, not a BEAM form.
        assert_eq!(without_debug_info(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), None);
        assert_eq!(without_debug_info(&with_debug_info[..20]), None);
        let mut wrong_size = with_debug_info.clone();
        wrong_size[7] += 4;
        assert_eq!(without_debug_info(&wrong_size), None);
        let mut overlong = with_debug_info.clone();
        overlong[16] = 200;
        assert_eq!(without_debug_info(&overlong), None);
        let mut other_form = with_debug_info.clone();
        other_form[8..12].copy_from_slice(b"AIFF");
        assert_eq!(without_debug_info(&other_form), None);
        assert_eq!(without_debug_info(b""), None);
    }
}
