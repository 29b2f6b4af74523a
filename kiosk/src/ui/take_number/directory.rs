//! What the kiosk knows about services and windows from its own `[queue]` table: service names,
//! which windows serve a service (the hint on the ticket) and when a closed service opens next.

use chrono::{Datelike, Duration, NaiveDateTime, Timelike, Weekday};

use queue::{ServiceConfig, WindowConfig};

/// Services and windows of the site, for hints the queue's answers do not carry.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    services: Vec<ServiceConfig>,
    windows: Vec<WindowConfig>,
}

/// A text in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bilingual {
    /// Simplified Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Directory {
    /// A directory of these services and windows.
    pub fn new(services: Vec<ServiceConfig>, windows: Vec<WindowConfig>) -> Self {
        Self { services, windows }
    }

    /// The service's names, or its id when it is not configured here.
    pub fn names(&self, service: &str) -> Bilingual {
        self.services.iter().find(|s| s.id == service).map_or_else(
            || Bilingual {
                zh: service.to_owned(),
                en: service.to_owned(),
            },
            |s| Bilingual {
                zh: s.name_zh.clone(),
                en: s.name_en.clone(),
            },
        )
    }

    /// The windows that serve `service` (`2号窗口、3号窗口`), or none when no window is known.
    pub fn window_hint(&self, service: &str) -> Option<Bilingual> {
        let windows: Vec<&WindowConfig> = self
            .windows
            .iter()
            .filter(|w| w.services.iter().any(|s| s == service))
            .collect();
        if windows.is_empty() {
            return None;
        }
        let short = |w: &WindowConfig, en: bool| {
            if en {
                format!("Window {}", w.id)
            } else {
                format!("{}号窗口", w.id)
            }
        };
        Some(Bilingual {
            zh: windows
                .iter()
                .map(|w| short(w, false))
                .collect::<Vec<_>>()
                .join("、"),
            en: windows
                .iter()
                .map(|w| short(w, true))
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// When `service` next starts issuing after the local time `now`: `周一 09:00` /
    /// `Mon 09:00`, or `明天 09:00` / `tomorrow 09:00`. None when it is unknown here or never opens.
    pub fn next_opening(&self, service: &str, now: NaiveDateTime) -> Option<Bilingual> {
        let config = self.services.iter().find(|s| s.id == service)?;
        let minute_now = now.time().num_seconds_from_midnight() / 60;
        for offset in 0..=7 {
            let at = now + Duration::days(offset);
            if !config.is_open_today(at) {
                continue;
            }
            let start = if config.hours.is_empty() {
                (offset > 0).then_some(0)
            } else {
                config
                    .hours
                    .iter()
                    .map(|h| h.start.minutes())
                    .filter(|&m| offset > 0 || m > minute_now)
                    .min()
            };
            let Some(start) = start else { continue };
            let time = format!("{:02}:{:02}", start / 60, start % 60);
            let (zh_day, en_day) = match offset {
                0 => ("今天".to_owned(), "today".to_owned()),
                1 => ("明天".to_owned(), "tomorrow".to_owned()),
                _ => (
                    weekday_zh(at.weekday()).to_owned(),
                    format!("{:?}", at.weekday()),
                ),
            };
            // A service open all day opens at the reset: the day alone says it.
            if config.hours.is_empty() {
                return Some(Bilingual {
                    zh: zh_day,
                    en: en_day,
                });
            }
            return Some(Bilingual {
                zh: format!("{zh_day} {time}"),
                en: format!("{en_day} {time}"),
            });
        }
        None
    }
}

fn weekday_zh(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use queue::QueueConfig;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn the_centre_defaults_name_windows_and_next_openings() {
        let config = QueueConfig::default();
        let dir = Directory::new(config.services.clone(), config.windows.clone());
        assert_eq!(dir.names("legal_aid").zh, "法律援助");
        assert_eq!(dir.names("nope").en, "nope");
        let hint = dir
            .window_hint("legal_aid")
            .expect("a window serves legal aid");
        assert!(
            hint.zh.contains("号窗口") && hint.en.contains("Window"),
            "{hint:?}"
        );
        // Saturday 2026-11-28 10:00: Monday 09:00.
        let sat = dir
            .next_opening("legal_aid", at(2026, 11, 28, 10, 0))
            .unwrap();
        assert_eq!(sat.zh, "周一 09:00");
        assert_eq!(sat.en, "Mon 09:00");
        // Monday 12:30, between the morning and afternoon sessions: today 14:00.
        let noon = dir
            .next_opening("legal_aid", at(2026, 11, 30, 12, 30))
            .unwrap();
        assert_eq!(noon.zh, "今天 14:00");
        // Monday 18:30: tomorrow 09:00.
        let evening = dir
            .next_opening("legal_aid", at(2026, 11, 30, 18, 30))
            .unwrap();
        assert_eq!(evening.en, "tomorrow 09:00");
    }
}
