//! The tickets report as CSV: UTF-8 **with a byte order mark**, because Excel on the offices'
//! Chinese Windows reads a CSV without one as GBK and garbles every site name; a header row; one
//! row per day, site and service; an unknown figure is an empty cell. Scripts read it as
//! `utf-8-sig` (Python) or strip the three bytes `EF BB BF`.

use chrono::NaiveDate;

use super::tickets::TicketReportRow;

/// The byte order mark at the start of every CSV answer.
pub const BOM: &str = "\u{feff}";

/// The header row of the tickets CSV.
pub const TICKET_COLUMNS: [&str; 9] = [
    "day",
    "site",
    "service",
    "issued",
    "served",
    "no_show",
    "wait_p50_secs",
    "wait_p90_secs",
    "service_mean_secs",
];

/// The CSV body of the tickets report.
pub fn tickets_csv(rows: &[TicketReportRow]) -> Vec<u8> {
    let mut out = BOM.as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        let cell = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
        // Writing to memory cannot fail.
        let _ = writer.write_record(TICKET_COLUMNS);
        for r in rows {
            let _ = writer.write_record([
                r.day.to_string(),
                r.site.clone(),
                r.service.clone(),
                r.issued.to_string(),
                r.served.to_string(),
                r.no_show.to_string(),
                cell(r.wait_p50_secs),
                cell(r.wait_p90_secs),
                cell(r.service_mean_secs),
            ]);
        }
        let _ = writer.flush();
    }
    out
}

/// The file name offered for download: `tickets-2026-03-01-2026-03-31.csv`.
pub fn file_name(report: &str, from: NaiveDate, to: NaiveDate) -> String {
    format!("{report}-{from}-{to}.csv")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_has_a_bom_a_header_and_empty_unknowns() {
        let row = TicketReportRow {
            day: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            site: "向阳镇, \"东\"站".into(),
            service: "notary".into(),
            devices: 1,
            issued: 4,
            served: 3,
            no_show: 1,
            wait_p50_secs: Some(300),
            wait_p90_secs: None,
            service_mean_secs: Some(421),
            issued_by_hour: None,
        };
        let bytes = tickets_csv(&[row]);
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        assert_eq!(reader.headers().unwrap(), TICKET_COLUMNS.as_slice());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 1);
        assert_eq!(&records[0][1], "向阳镇, \"东\"站");
        assert_eq!(&records[0][6], "300");
        assert_eq!(&records[0][7], "");
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(
            file_name("tickets", day, day),
            "tickets-2026-03-01-2026-03-01.csv"
        );
    }
}
