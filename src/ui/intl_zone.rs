//! Zone rules from the browser's time zone data, through `Intl.DateTimeFormat`.
//!
//! The offset at an instant is the difference between the wall clock that
//! `formatToParts` shows in the zone and UTC, so each instant gets its own offset and
//! daylight saving time follows the browser's rules without shipping a zone database.

use crate::filetime::{CivilTime, FileTime};
use crate::report::zone::{OffsetLookup, ZoneChoice, ZonedClock};
use js_sys::{Array, Function, Object, Reflect};
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};

const TICKS_PER_SECOND: u64 = 10_000_000;

thread_local! {
    /// Formatters by zone name, because building one costs far more than using it.
    static FORMATTERS: RefCell<HashMap<String, Option<js_sys::Intl::DateTimeFormat>>> =
        RefCell::new(HashMap::new());
    static LOCAL_ZONE: OnceCell<String> = const { OnceCell::new() };
    static ZONE_NAMES: OnceCell<Rc<[String]>> = const { OnceCell::new() };
}

/// A zone's offsets as the browser computes them.
pub struct IntlOffsets {
    formatter: js_sys::Intl::DateTimeFormat,
    /// Offsets by whole second since 1601, because a chart requests each bucket boundary
    /// once per cause and per neighbouring bucket.
    known: RefCell<HashMap<u64, i32>>,
}

impl IntlOffsets {
    /// Looks up the IANA zone `name`. Returns `None` when the browser does not support it.
    pub fn new(name: &str) -> Option<IntlOffsets> {
        let formatter = FORMATTERS.with(|cache| {
            cache
                .borrow_mut()
                .entry(name.to_owned())
                .or_insert_with(|| build_formatter(Some(name)).ok())
                .clone()
        })?;
        Some(IntlOffsets {
            formatter,
            known: RefCell::new(HashMap::new()),
        })
    }

    /// Computes the offset at `second`, a whole second, so the difference below is whole
    /// seconds too.
    fn compute_offset(&self, second: FileTime) -> i32 {
        let date = js_sys::Date::new(&JsValue::from_f64(second.unix_millis() as f64));
        let parts = self.formatter.format_to_parts(&date);
        let wall =
            civil_from_parts(&parts).and_then(|civil| FileTime::from_civil_at_offset(civil, 0));
        // NOTE: a part the browser writes in an unexpected form gives offset 0 (UTC)
        // rather than a wrong local time with a made-up offset.
        wall.map_or(0, |wall| {
            let seconds =
                (i128::from(wall.0) - i128::from(second.0)) / i128::from(TICKS_PER_SECOND);
            i32::try_from(seconds).unwrap_or(0)
        })
    }
}

impl OffsetLookup for IntlOffsets {
    fn offset_seconds(&self, time: FileTime) -> i32 {
        let whole_seconds = time.0 / TICKS_PER_SECOND;
        if let Some(offset) = self.known.borrow().get(&whole_seconds) {
            return *offset;
        }
        let offset = self.compute_offset(FileTime(whole_seconds * TICKS_PER_SECOND));
        self.known.borrow_mut().insert(whole_seconds, offset);
        offset
    }
}

/// Builds an `Intl.DateTimeFormat` with numeric fields and a 0-23 hour for `zone`, or for
/// the browser's own zone with `None`. The constructor throws a `RangeError` for an unknown
/// zone, which `Reflect.construct` returns as an error.
fn build_formatter(zone: Option<&str>) -> Result<js_sys::Intl::DateTimeFormat, JsValue> {
    let options = Object::new();
    for field in ["year", "month", "day", "hour", "minute", "second"] {
        Reflect::set(&options, &field.into(), &"numeric".into())?;
    }
    Reflect::set(&options, &"hourCycle".into(), &"h23".into())?;
    if let Some(zone) = zone {
        Reflect::set(&options, &"timeZone".into(), &zone.into())?;
    }
    let intl = Reflect::get(&js_sys::global(), &"Intl".into())?;
    let constructor: Function = Reflect::get(&intl, &"DateTimeFormat".into())?.dyn_into()?;
    let arguments = Array::of2(&"en-US".into(), &options);
    Ok(Reflect::construct(&constructor, &arguments)?.unchecked_into())
}

/// Reads the wall-clock fields from `formatToParts` output, ignoring the literal parts.
fn civil_from_parts(parts: &Array) -> Option<CivilTime> {
    let mut civil = CivilTime {
        year: 0,
        month: 0,
        day: 0,
        hour: 0,
        minute: 0,
        second: 0,
        ticks: 0,
    };
    for part in parts.iter() {
        let kind = Reflect::get(&part, &"type".into()).ok()?.as_string()?;
        let value = Reflect::get(&part, &"value".into()).ok()?.as_string()?;
        match kind.as_str() {
            "year" => civil.year = value.parse().ok()?,
            "month" => civil.month = value.parse().ok()?,
            "day" => civil.day = value.parse().ok()?,
            "hour" => civil.hour = value.parse().ok()?,
            "minute" => civil.minute = value.parse().ok()?,
            "second" => civil.second = value.parse().ok()?,
            _ => {}
        }
    }
    Some(civil)
}

/// Returns the browser's own zone, such as `Europe/Berlin`, or `UTC` when it has none.
/// The name is read once per page load.
pub fn local_zone_name() -> String {
    LOCAL_ZONE.with(|local| {
        local
            .get_or_init(|| {
                build_formatter(None)
                    .ok()
                    .and_then(|formatter| {
                        Reflect::get(&formatter.resolved_options(), &"timeZone".into()).ok()
                    })
                    .and_then(|name| name.as_string())
                    .unwrap_or_else(|| "UTC".to_owned())
            })
            .clone()
    })
}

/// Returns every zone name the browser supports, for the zone box's suggestions. The list
/// is empty where `Intl.supportedValuesOf` is missing. It is read once per page load.
pub fn zone_names() -> Rc<[String]> {
    ZONE_NAMES.with(|names| names.get_or_init(read_zone_names).clone())
}

fn read_zone_names() -> Rc<[String]> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok();
    let function = intl
        .as_ref()
        .and_then(|intl| Reflect::get(intl, &"supportedValuesOf".into()).ok())
        .and_then(|function| function.dyn_into::<Function>().ok());
    let (Some(intl), Some(function)) = (intl, function) else {
        return Rc::from([]);
    };
    function
        .call1(&intl, &"timeZone".into())
        .ok()
        .and_then(|names| names.dyn_into::<Array>().ok())
        .map(|names| names.iter().filter_map(|name| name.as_string()).collect())
        .unwrap_or_else(|| Rc::from([]))
}

/// Reads the browser's zone data before the first file arrives. The page's first
/// `Intl.DateTimeFormat` loads that data (tens of milliseconds in a profile of headless
/// Chromium), and the zone picker needs it once a file is dropped.
pub fn warm_up() {
    local_zone_name();
    zone_names();
}

/// Checks a zone with the browser: returns the choice, a named zone spelt as the browser
/// lists it when only the case differs, or `None` for a zone the browser does not support.
///
/// The name is not replaced by `resolvedOptions().timeZone`, because Chromium resolves
/// `Asia/Kolkata` to the older `Asia/Calcutta`, which would surprise the user.
pub fn checked(choice: &ZoneChoice) -> Option<ZoneChoice> {
    let ZoneChoice::Named(name) = choice else {
        return Some(choice.clone());
    };
    IntlOffsets::new(name)?;
    let listed = zone_names()
        .iter()
        .find(|listed| listed.eq_ignore_ascii_case(name))
        .cloned();
    Some(ZoneChoice::Named(listed.unwrap_or_else(|| name.clone())))
}

/// Formats `time` as [`ZonedClock::format`] does in the zone of `choice`.
pub fn format_time(choice: &ZoneChoice, time: FileTime) -> String {
    with_clock(choice, |clock| clock.format(time))
}

/// Calls `show` with the clock of `choice`. An unknown named zone shows UTC, which the
/// zone picker reports.
pub fn with_clock<T>(choice: &ZoneChoice, show: impl FnOnce(&ZonedClock<'_>) -> T) -> T {
    let name = match choice {
        ZoneChoice::Utc => return show(&ZonedClock::utc()),
        ZoneChoice::Local => local_zone_name(),
        ZoneChoice::Named(name) => name.clone(),
    };
    match IntlOffsets::new(&name) {
        Some(offsets) => show(&ZonedClock {
            name,
            lookup: &offsets,
        }),
        None => show(&ZonedClock::utc()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::zone::{parse_input_value, Pick};
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    fn utc(text: &str) -> FileTime {
        FileTime::parse_iso(text).unwrap()
    }

    #[wasm_bindgen_test]
    fn berlin_offset_follows_daylight_saving() {
        let berlin = IntlOffsets::new("Europe/Berlin").unwrap();

        assert_eq!(berlin.offset_seconds(utc("2024-01-15T12:00:00Z")), 3600);
        assert_eq!(
            berlin.offset_seconds(utc("2024-03-31T00:59:59.9999999Z")),
            3600
        );
        assert_eq!(berlin.offset_seconds(utc("2024-03-31T01:00:00Z")), 7200);
        assert_eq!(berlin.offset_seconds(utc("2024-10-27T00:59:59Z")), 7200);
        assert_eq!(berlin.offset_seconds(utc("2024-10-27T01:00:00Z")), 3600);
    }

    #[wasm_bindgen_test]
    fn fixed_and_western_offsets() {
        let kolkata = IntlOffsets::new("Asia/Kolkata").unwrap();
        let st_johns = IntlOffsets::new("America/St_Johns").unwrap();
        let time = utc("2024-05-01T12:34:56.1234567Z");

        assert_eq!(kolkata.offset_seconds(time), 19_800);
        assert_eq!(st_johns.offset_seconds(time), -9000);
        assert_eq!(
            st_johns.offset_seconds(utc("2024-01-01T00:00:00Z")),
            -12_600
        );
    }

    #[wasm_bindgen_test]
    fn berlin_clock_resolves_skipped_hour() {
        let berlin = IntlOffsets::new("Europe/Berlin").unwrap();
        let clock = ZonedClock {
            name: "Europe/Berlin".into(),
            lookup: &berlin,
        };
        let skipped = parse_input_value("2024-03-31T02:30").unwrap();

        assert_eq!(
            clock.format(utc("2024-07-01T10:00:00Z")),
            "2024-07-01 12:00:00.0000000 +02:00"
        );
        assert_eq!(
            clock.resolve(skipped, Pick::Earliest),
            Some(utc("2024-03-31T01:00:00Z"))
        );
    }

    #[wasm_bindgen_test]
    fn unknown_zone_is_rejected() {
        assert!(IntlOffsets::new("Mars/Olympus_Mons").is_none());
        assert_eq!(
            checked(&ZoneChoice::Named("europe/berlin".into())),
            Some(ZoneChoice::Named("Europe/Berlin".into()))
        );
        assert_eq!(
            checked(&ZoneChoice::Named("Asia/Kolkata".into())),
            Some(ZoneChoice::Named("Asia/Kolkata".into()))
        );
        assert_eq!(
            checked(&ZoneChoice::Named("Mars/Olympus_Mons".into())),
            None
        );
    }
}
