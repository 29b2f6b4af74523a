//! The staff page `/staff/reports`: a form (from, to, site), the tickets table with its charts
//! (by hour of day, by day), complaints, ratings (with a chart) and needs-survey answers, and links
//! to the CSV and JSON answers of the API. [`body`] is the page's content as HTML; the staff web
//! app's layout (`crate::web::layout`) wraps it.

use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};

use super::{
    ReportQuery,
    summary::{ComplaintReportRow, RatingReportRow, SurveyReport},
    svg::{self, RatingBar, Title, escape},
    tickets::TicketReportRow,
};

/// Everything the page shows.
#[derive(Debug, Clone)]
pub struct PageData<'a> {
    /// The dates and site asked for.
    pub query: &'a ReportQuery,
    /// The sites the caller may choose from (empty: the caller is scoped to the query's site).
    pub sites: &'a [String],
    /// The tickets rows.
    pub tickets: &'a [TicketReportRow],
    /// Complaints by day and site.
    pub complaints: &'a [ComplaintReportRow],
    /// Ratings by site and service.
    pub ratings: &'a [RatingReportRow],
    /// Needs-survey answers.
    pub surveys: &'a SurveyReport,
}

/// The API link of a report with the page's dates and site.
fn api_link(report: &str, query: &ReportQuery, csv: bool) -> String {
    let mut link = format!(
        "/api/v1/reports/{report}?from={}&to={}",
        query.from, query.to
    );
    if let Some(site) = &query.site {
        link.push_str("&site=");
        link.push_str(&percent_encode(site));
    }
    if csv {
        link.push_str("&format=csv");
    }
    link
}

/// Percent-encodes a query value (UTF-8 bytes outside the unreserved set).
fn percent_encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Seconds as minutes with one decimal (the tables' unit).
fn minutes(v: Option<u32>) -> String {
    v.map_or_else(|| "—".to_owned(), |s| format!("{:.1}", f64::from(s) / 60.0))
}

/// The page's content (no `<html>`, no layout): headings, form, tables and charts.
pub fn body(data: &PageData<'_>) -> String {
    let q = data.query;
    let mut out = String::new();
    out.push_str("<section class=\"reports\"><h1>报表 / Reports</h1>");
    // The form: GET, so a report has an address that can be bookmarked.
    let _ = write!(
        out,
        r#"<form method="get" action="/staff/reports"><label>起始日期 / From <input type="date" name="from" value="{}" required></label> <label>截止日期 / To <input type="date" name="to" value="{}" required></label> "#,
        q.from, q.to
    );
    if data.sites.is_empty() {
        if let Some(site) = &q.site {
            let _ = write!(out, "<span>站点 / Site: {}</span> ", escape(site));
        }
    } else {
        out.push_str(r#"<label>站点 / Site <select name="site"><option value="">全部站点 / All sites</option>"#);
        for site in data.sites {
            let selected = if q.site.as_deref() == Some(site) {
                " selected"
            } else {
                ""
            };
            let _ = write!(
                out,
                r#"<option value="{0}"{selected}>{0}</option>"#,
                escape(site)
            );
        }
        out.push_str("</select></label> ");
    }
    out.push_str(r#"<button type="submit">查看 / Show</button></form>"#);

    // Tickets.
    let _ = write!(
        out,
        r#"<h2>取号与等候 / Tickets and waiting</h2><p><a href="{}" download>下载 CSV / Download CSV</a> · <a href="{}">JSON</a></p>"#,
        escape(&api_link("tickets", q, true)),
        escape(&api_link("tickets", q, false)),
    );
    let mut by_hour = [0u32; 24];
    let mut hours_known = true;
    for row in data.tickets {
        match row.issued_by_hour {
            Some(hours) => {
                for (t, h) in by_hour.iter_mut().zip(hours) {
                    *t = t.saturating_add(h);
                }
            }
            None => hours_known = false,
        }
    }
    out.push_str(&svg::hour_bars(
        "tickets-by-hour",
        Title {
            zh: "取号数（按时段）",
            en: "Tickets issued by hour of day",
        },
        &by_hour,
    ));
    if !hours_known {
        out.push_str("<p>部分设备未报告时段，图中不含其取号数。/ Some devices did not report hours; their tickets are not in this chart.</p>");
    }
    let days = (q.to - q.from).num_days();
    let daily: Vec<(NaiveDate, u32)> = (0..=days)
        .map(|i| {
            let day = q.from + Duration::days(i);
            let issued = data
                .tickets
                .iter()
                .filter(|r| r.day == day)
                .map(|r| r.issued)
                .sum();
            (day, issued)
        })
        .collect();
    out.push_str(&svg::daily_bars(
        "tickets-by-day",
        Title {
            zh: "每日取号数",
            en: "Tickets issued per day",
        },
        &daily,
    ));
    out.push_str("<table><thead><tr><th>日期 / Day</th><th>站点 / Site</th><th>业务 / Service</th><th>取号 / Issued</th><th>办结 / Served</th><th>过号 / No-show</th><th>等候中位数（分）/ Wait P50 (min)</th><th>等候 P90（分）/ Wait P90 (min)</th><th>平均办理（分）/ Mean service (min)</th></tr></thead><tbody>");
    for r in data.tickets {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.day,
            escape(&r.site),
            escape(&r.service),
            r.issued,
            r.served,
            r.no_show,
            minutes(r.wait_p50_secs),
            minutes(r.wait_p90_secs),
            minutes(r.service_mean_secs),
        );
    }
    if data.tickets.is_empty() {
        out.push_str(r#"<tr><td colspan="9">无数据 / No data</td></tr>"#);
    }
    out.push_str("</tbody></table>");

    // Complaints.
    let _ = write!(
        out,
        r#"<h2>投诉与建议 / Complaints and suggestions</h2><p><a href="{}">JSON</a></p><table><thead><tr><th>日期 / Day</th><th>站点 / Site</th><th>投诉 / Complaints</th><th>建议 / Suggestions</th><th>其他 / Other</th><th>合计 / Total</th></tr></thead><tbody>"#,
        escape(&api_link("complaints", q, false)),
    );
    for r in data.complaints {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.day,
            escape(&r.site),
            r.complaints,
            r.suggestions,
            r.other,
            r.total
        );
    }
    if data.complaints.is_empty() {
        out.push_str(r#"<tr><td colspan="6">无数据 / No data</td></tr>"#);
    }
    out.push_str("</tbody></table>");

    // Ratings.
    let _ = write!(
        out,
        r#"<h2>评价 / Ratings</h2><p><a href="{}">JSON</a></p>"#,
        escape(&api_link("ratings", q, false)),
    );
    let bars: Vec<RatingBar> = data
        .ratings
        .iter()
        .map(|r| RatingBar {
            label: format!("{} · {}", r.site, r.service),
            average: r.average,
            count: r.count,
        })
        .collect();
    out.push_str(&svg::rating_bars(
        "ratings",
        Title {
            zh: "平均评分",
            en: "Mean rating",
        },
        &bars,
    ));
    out.push_str("<table><thead><tr><th>站点 / Site</th><th>业务 / Service</th><th>条数 / Ratings</th><th>平均分 / Mean</th><th>1</th><th>2</th><th>3</th><th>4</th><th>5</th></tr></thead><tbody>");
    for r in data.ratings {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td>",
            escape(&r.site),
            escape(&r.service),
            r.count,
            r.average
        );
        for n in r.by_score {
            let _ = write!(out, "<td>{n}</td>");
        }
        out.push_str("</tr>");
    }
    if data.ratings.is_empty() {
        out.push_str(r#"<tr><td colspan="9">无数据 / No data</td></tr>"#);
    }
    out.push_str("</tbody></table>");

    // Needs surveys.
    let _ = write!(
        out,
        r#"<h2>需求调查 / Needs survey</h2><p>共 {0} 份 / {0} surveys · <a href="{1}">JSON</a></p><table><thead><tr><th>问题 / Question</th><th>选项 / Choice</th><th>人数 / Count</th></tr></thead><tbody>"#,
        data.surveys.surveys,
        escape(&api_link("surveys", q, false)),
    );
    for a in &data.surveys.answers {
        let question = match a.question {
            "services" => "所需服务 / Services",
            "matters" => "事项类型 / Matters",
            _ => "服务方式 / Channels",
        };
        let _ = write!(
            out,
            "<tr><td>{question}</td><td>{}</td><td>{}</td></tr>",
            escape(&a.choice),
            a.count
        );
    }
    if data.surveys.answers.is_empty() {
        out.push_str(r#"<tr><td colspan="3">无数据 / No data</td></tr>"#);
    }
    out.push_str("</tbody></table></section>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Format, summary::SurveyReport};

    #[test]
    fn the_body_shows_rows_charts_and_links_escaped() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let query = ReportQuery {
            from: day,
            to: day + Duration::days(1),
            site: Some("向阳镇 & <站>".into()),
            format: Format::Json,
        };
        let mut hours = [0; 24];
        hours[9] = 4;
        let tickets = [TicketReportRow {
            day,
            site: "向阳镇 & <站>".into(),
            service: "notary".into(),
            devices: 1,
            issued: 4,
            served: 3,
            no_show: 1,
            wait_p50_secs: Some(300),
            wait_p90_secs: None,
            service_mean_secs: Some(90),
            issued_by_hour: Some(hours),
        }];
        let html = body(&PageData {
            query: &query,
            sites: &["向阳镇 & <站>".to_owned(), "S".to_owned()],
            tickets: &tickets,
            complaints: &[],
            ratings: &[],
            surveys: &SurveyReport {
                surveys: 0,
                answers: vec![],
            },
        });
        assert!(html.contains("<td>向阳镇 &amp; &lt;站&gt;</td>"));
        assert!(!html.contains("<站>"));
        assert!(html.contains(
            "/api/v1/reports/tickets?from=2026-03-02&amp;to=2026-03-03&amp;site=%E5%90%91"
        ));
        assert!(html.contains("format=csv"));
        assert_eq!(html.matches("<svg ").count(), 3, "by hour, by day, ratings");
        assert!(html.contains("<td>5.0</td>"), "P50 in minutes");
        assert!(html.contains(r#"selected>向阳镇 &amp; &lt;站&gt;</option>"#));
    }
}
