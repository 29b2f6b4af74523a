//! The query string of every report: `from=YYYY-MM-DD&to=YYYY-MM-DD[&site=…][&format=json|csv]`.
//! Every refusal names the parameter.

use chrono::NaiveDate;

/// The longest range a report covers, in days (both ends included): a leap year.
pub const MAX_DAYS: i64 = 366;

/// A report's answer format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (the default).
    Json,
    /// CSV with a header row.
    Csv,
}

/// A report's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportQuery {
    /// The first day.
    pub from: NaiveDate,
    /// The last day (inclusive).
    pub to: NaiveDate,
    /// Only this site.
    pub site: Option<String>,
    /// JSON or CSV.
    pub format: Format,
}

/// Why a query string is refused (a `400` with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A required parameter is absent.
    #[error("{0}: missing (expected a date YYYY-MM-DD)")]
    Missing(&'static str),
    /// A date does not parse.
    #[error("{param}: {value:?} is not a date YYYY-MM-DD")]
    BadDate {
        /// `from` or `to`.
        param: &'static str,
        /// What was sent.
        value: String,
    },
    /// `to` is before `from`.
    #[error("to: {to} is before from ({from})")]
    Reversed {
        /// The first day.
        from: NaiveDate,
        /// The last day.
        to: NaiveDate,
    },
    /// The range is too long.
    #[error("to: the range from {from} to {to} is {days} days; at most {MAX_DAYS}")]
    TooLong {
        /// The first day.
        from: NaiveDate,
        /// The last day.
        to: NaiveDate,
        /// Its length.
        days: i64,
    },
    /// An unknown `format`.
    #[error("format: {0:?} is not json or csv")]
    BadFormat(String),
    /// A bad `site`.
    #[error("site: must be 1 to 200 characters")]
    BadSite,
    /// A parameter the reports do not know (a typo would otherwise be ignored).
    #[error("{0}: unknown parameter (expected from, to, site, format)")]
    Unknown(String),
    /// A parameter given twice.
    #[error("{0}: given more than once")]
    Repeated(String),
}

impl ReportQuery {
    /// Reads the decoded `name=value` pairs of a query string. `csv_allowed` is false for reports
    /// that answer only JSON.
    pub fn parse(pairs: &[(String, String)], csv_allowed: bool) -> Result<Self, QueryError> {
        let mut seen: Vec<&str> = Vec::new();
        for (name, _) in pairs {
            if !["from", "to", "site", "format"].contains(&name.as_str()) {
                return Err(QueryError::Unknown(name.clone()));
            }
            if seen.contains(&name.as_str()) {
                return Err(QueryError::Repeated(name.clone()));
            }
            seen.push(name);
        }
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let date = |param: &'static str| -> Result<NaiveDate, QueryError> {
            let value = get(param).ok_or(QueryError::Missing(param))?;
            // Exactly YYYY-MM-DD: chrono alone would also take "2026-3-2".
            let well_formed = value.len() == 10
                && value.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                });
            well_formed
                .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
                .flatten()
                .ok_or_else(|| QueryError::BadDate {
                    param,
                    value: value.chars().take(40).collect(),
                })
        };
        let (from, to) = (date("from")?, date("to")?);
        if to < from {
            return Err(QueryError::Reversed { from, to });
        }
        let days = (to - from).num_days() + 1;
        if days > MAX_DAYS {
            return Err(QueryError::TooLong { from, to, days });
        }
        let format = match get("format") {
            None | Some("json") => Format::Json,
            Some("csv") if csv_allowed => Format::Csv,
            Some(other) => return Err(QueryError::BadFormat(other.chars().take(20).collect())),
        };
        let site = match get("site") {
            None | Some("") => None,
            Some(site) if site.chars().count() > 200 => return Err(QueryError::BadSite),
            Some(site) => Some(site.to_owned()),
        };
        Ok(Self {
            from,
            to,
            site,
            format,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<ReportQuery, String> {
        let pairs: Vec<(String, String)> = q
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (n, v) = p.split_once('=').unwrap_or((p, ""));
                (n.to_owned(), v.to_owned())
            })
            .collect();
        ReportQuery::parse(&pairs, true).map_err(|e| e.to_string())
    }

    #[test]
    fn good_queries_are_read() {
        let q = parse("from=2026-03-01&to=2026-03-31&format=csv&site=S").unwrap();
        assert_eq!(q.from, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        assert_eq!((q.format, q.site.as_deref()), (Format::Csv, Some("S")));
        let q = parse("from=2024-01-01&to=2024-12-31").unwrap();
        assert_eq!((q.format, q.site), (Format::Json, None));
    }

    #[test]
    fn refusals_name_the_parameter() {
        assert_eq!(
            parse("to=2026-03-01").unwrap_err(),
            "from: missing (expected a date YYYY-MM-DD)"
        );
        assert!(
            parse("from=2026-03-01")
                .unwrap_err()
                .starts_with("to: missing")
        );
        assert!(
            parse("from=2026-02-30&to=2026-03-01")
                .unwrap_err()
                .starts_with("from: \"2026-02-30\" is not a date")
        );
        assert!(
            parse("from=2026-3-1&to=2026-03-01")
                .unwrap_err()
                .starts_with("from:")
        );
        assert!(
            parse("from=2026-03-01&to=yesterday")
                .unwrap_err()
                .starts_with("to:")
        );
        assert_eq!(
            parse("from=2026-03-02&to=2026-03-01").unwrap_err(),
            "to: 2026-03-01 is before from (2026-03-02)"
        );
        assert!(
            parse("from=2025-01-01&to=2026-01-02")
                .unwrap_err()
                .contains("367 days; at most 366")
        );
        assert!(
            parse("from=2026-03-01&to=2026-03-01&format=xls")
                .unwrap_err()
                .starts_with("format:")
        );
        assert!(
            parse("from=2026-03-01&to=2026-03-01&form=csv")
                .unwrap_err()
                .starts_with("form: unknown")
        );
        assert!(
            parse("from=2026-03-01&from=2026-03-01&to=2026-03-01")
                .unwrap_err()
                .contains("more than once")
        );
        let pairs = vec![
            ("from".to_owned(), "2026-03-01".to_owned()),
            ("to".to_owned(), "2026-03-01".to_owned()),
            ("format".to_owned(), "csv".to_owned()),
        ];
        assert!(ReportQuery::parse(&pairs, false).is_err(), "JSON only");
    }
}
