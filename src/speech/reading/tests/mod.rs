//! Sentences in the style of real commune notices, each with exactly what a reader says.
//! One file per kind of notice; every row is (as typed, as read). Tests only: they call the reader
//! as `speech` does, and never a voice.

mod fees_land;
mod meetings;
mod odd_input;
mod safety;
mod storms_power;
mod vaccination_identity;

use super::{Abbreviations, Dialect, Reader, ReadingError};

/// Read every row with the default reader and list every difference at once.
fn check(table: &[(&str, &str)]) {
    check_with(&Reader::default(), table);
}

fn check_with(reader: &Reader, table: &[(&str, &str)]) {
    let wrong: Vec<String> = table
        .iter()
        .filter_map(|(typed, said)| {
            let got = reader.read(typed);
            (got.as_deref() != Ok(*said))
                .then(|| format!("\n  {typed}\n  want: {said}\n  got:  {got:?}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} rows differ:{}",
        wrong.len(),
        table.len(),
        wrong.join("")
    );
}

#[test]
fn the_south_reads_ngan_and_le() {
    let south = Reader::new(Abbreviations::default(), Dialect::South);
    check_with(
        &south,
        &[
            ("Hỗ trợ 1.005 hộ.", "Hỗ trợ một ngàn không trăm lẻ năm hộ."),
            ("Thu 105.000đ.", "Thu một trăm lẻ năm ngàn đồng."),
            ("Năm 2026", "Năm hai ngàn không trăm hai mươi sáu."),
        ],
    );
}

#[test]
fn a_communes_table_is_used() {
    let mut table = Abbreviations::default();
    table
        .extend_from_toml("HTXDV = \"hợp tác xã dịch vụ\"\nTDP = \"tổ dân phố\"\n")
        .unwrap();
    check_with(
        &Reader::new(table, Dialect::North),
        &[(
            "HTXDV Thành Công họp TDP 5.",
            "hợp tác xã dịch vụ Thành Công họp tổ dân phố năm.",
        )],
    );
}

#[test]
fn text_with_nothing_to_say_is_refused() {
    for typed in ["!!! ???", "🌀🌀🌀", "   ", "", "你好", "Привет", "— … —"] {
        assert_eq!(
            Reader::default().read(typed),
            Err(ReadingError::NothingToRead),
            "{typed:?}"
        );
    }
}
