//! Time classes (`Hr14`, `Min35_40`, `Wednesday`, `GMT_Q3` ...) and the
//! `sys.date`, `sys.cdate`, `sys.systime`, `sys.sysday` variables.

use compiler::hard_classes::{MONTHS, SHIFTS, WEEKDAYS};

use super::canonify::canonify;
use super::HostFacts;
use crate::value::Value;

const SECONDS_PER_DAY: i64 = 86_400;

/// A broken-down calendar time, in some time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilTime {
    pub year: i64,
    /// 1 ..= 12
    pub month: u32,
    /// 1 ..= 31
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 0 = Sunday ..= 6 = Saturday
    pub weekday: u32,
}

impl CivilTime {
    /// From `struct tm` fields (`month0` counts from 0); `None` when any is
    /// out of range.
    pub fn from_tm_fields(
        year: i64,
        month0: i32,
        day: i32,
        hour: i32,
        minute: i32,
        second: i32,
        weekday: i32,
    ) -> Option<Self> {
        let within =
            |value: i32, low: i32, high: i32| (low..=high).contains(&value).then_some(value as u32);
        Some(CivilTime {
            year,
            month: within(month0, 0, 11)? + 1,
            day: within(day, 1, 31)?,
            hour: within(hour, 0, 23)?,
            minute: within(minute, 0, 59)?,
            // 60 is a leap second.
            second: within(second, 0, 60)?,
            weekday: within(weekday, 0, 6)?,
        })
    }

    /// The UTC calendar time of a Unix time (what `gmtime_r` computes).
    pub fn utc(unix_time: i64) -> Self {
        let days = unix_time.div_euclid(SECONDS_PER_DAY);
        let seconds_of_day = unix_time.rem_euclid(SECONDS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        CivilTime {
            year,
            month,
            day,
            hour: seconds_of_day / 3600,
            minute: seconds_of_day / 60 % 60,
            second: seconds_of_day % 60,
            // 1970-01-01 was a Thursday.
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    fn month_name(&self) -> &'static str {
        MONTHS[(self.month as usize + 11) % 12]
    }

    fn weekday_name(&self) -> &'static str {
        WEEKDAYS[self.weekday as usize % 7]
    }

    /// `ctime(3)` without the trailing newline: `Wed Nov 25 14:37:00 2026`.
    pub fn ctime(&self) -> String {
        format!(
            "{} {}{:3} {:02}:{:02}:{:02} {}",
            &self.weekday_name()[..3],
            &self.month_name()[..3],
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.year
        )
    }
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The time classes of `time`, each name starting with `prefix` (`""` for
/// local time, `"GMT_"` for UTC).
pub fn time_classes(time: &CivilTime, prefix: &str) -> Vec<String> {
    let quarter = time.minute / 15 + 1;
    let five_minutes = time.minute / 5 * 5;
    let names = [
        format!("Lcycle_{}", time.year.rem_euclid(3)),
        format!("Yr{:04}", time.year),
        time.month_name().to_string(),
        time.weekday_name().to_string(),
        format!("Day{}", time.day),
        SHIFTS[(time.hour / 6) as usize % 4].to_string(),
        format!("Hr{:02}", time.hour),
        format!("Hr{}", time.hour),
        format!("Q{quarter}"),
        format!("Hr{:02}_Q{quarter}", time.hour),
        format!("Min{:02}", time.minute),
        format!("Min{:02}_{:02}", five_minutes, (five_minutes + 5) % 60),
    ];
    names.iter().map(|name| format!("{prefix}{name}")).collect()
}

/// Defines the time classes and time variables for `unix_time`. Without a
/// local time cf-agent defines no time classes at all, not even the GMT_
/// ones; that is mirrored here.
pub(super) fn discover(facts: &mut HostFacts, unix_time: i64, local: Option<CivilTime>) {
    facts.set_sys("systime", Value::scalar(unix_time.to_string()));
    facts.set_sys(
        "sysday",
        // C division truncates toward zero.
        Value::scalar((unix_time / SECONDS_PER_DAY).to_string()),
    );
    let Some(local) = local else {
        return;
    };
    let date = local.ctime();
    facts.set_sys("cdate", Value::scalar(canonify(&date)));
    facts.set_sys("date", Value::scalar(date));
    for class in time_classes(&local, "")
        .into_iter()
        .chain(time_classes(&CivilTime::utc(unix_time), "GMT_"))
    {
        facts.define(&class);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-25 14:37:09 UTC, a Wednesday.
    const WEDNESDAY_AFTERNOON: i64 = 1_795_617_429;

    #[test]
    fn utc_breakdown_matches_the_calendar() {
        let time = CivilTime::utc(WEDNESDAY_AFTERNOON);
        assert_eq!(
            time,
            CivilTime {
                year: 2026,
                month: 11,
                day: 25,
                hour: 14,
                minute: 37,
                second: 9,
                weekday: 3
            }
        );
        assert_eq!(CivilTime::utc(0).weekday, 4);
        assert_eq!(CivilTime::utc(-1).year, 1969);
        assert_eq!(CivilTime::utc(951_782_400).day, 29, "2000-02-29");
    }

    #[test]
    fn classes_of_a_wednesday_afternoon() {
        let classes = time_classes(&CivilTime::utc(WEDNESDAY_AFTERNOON), "");
        assert_eq!(
            classes,
            [
                "Lcycle_1",
                "Yr2026",
                "November",
                "Wednesday",
                "Day25",
                "Afternoon",
                "Hr14",
                "Hr14",
                "Q3",
                "Hr14_Q3",
                "Min37",
                "Min35_40"
            ]
        );
    }

    #[test]
    fn early_hours_get_both_hour_spellings_and_the_last_interval_wraps() {
        let time = CivilTime {
            year: 2027,
            month: 1,
            day: 3,
            hour: 5,
            minute: 58,
            second: 0,
            weekday: 0,
        };
        let classes = time_classes(&time, "GMT_");
        for expected in [
            "GMT_Lcycle_2",
            "GMT_Hr05",
            "GMT_Hr5",
            "GMT_Night",
            "GMT_Q4",
            "GMT_Hr05_Q4",
            "GMT_Min58",
            "GMT_Min55_00",
            "GMT_Sunday",
            "GMT_January",
            "GMT_Day3",
        ] {
            assert!(classes.iter().any(|c| c == expected), "{expected}");
        }
    }

    #[test]
    fn ctime_pads_the_day_with_a_space() {
        let time = CivilTime::utc(1_794_053_409);
        assert_eq!(time.ctime(), "Sat Nov  7 12:10:09 2026");
    }

    #[test]
    fn defines_local_and_gmt_classes_and_date_variables() {
        let mut facts = HostFacts::default();
        let local = CivilTime {
            hour: 15,
            ..CivilTime::utc(WEDNESDAY_AFTERNOON)
        };
        discover(&mut facts, WEDNESDAY_AFTERNOON, Some(local));
        assert!(facts.classes.contains("Hr15"));
        assert!(facts.classes.contains("GMT_Hr14"));
        assert!(facts.classes.contains("GMT_Afternoon"));
        assert_eq!(facts.sys["date"], Value::scalar("Wed Nov 25 15:37:09 2026"));
        assert_eq!(
            facts.sys["cdate"],
            Value::scalar("Wed_Nov_25_15_37_09_2026")
        );
        assert_eq!(facts.sys["systime"], Value::scalar("1795617429"));
        assert_eq!(facts.sys["sysday"], Value::scalar("20782"));
    }

    #[test]
    fn no_local_time_means_no_time_classes() {
        let mut facts = HostFacts::default();
        discover(&mut facts, WEDNESDAY_AFTERNOON, None);
        assert!(facts.classes.is_empty());
        assert!(facts.sys.contains_key("systime"));
    }
}
