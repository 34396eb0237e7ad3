//! IPsec events related to one 4983 failure: the same peer pair on the same computer close
//! in time, such as the 4653 main-mode or 4654 quick-mode failure that preceded it.

use super::FileReport;
use crate::decode::{Event4983, IpsecEvent};

/// The window the detail view uses, in minutes on each side of the failure.
pub const DEFAULT_WINDOW_MINUTES: u64 = 5;

/// The windows the detail view offers, in minutes on each side of the failure.
pub const WINDOW_CHOICES_MINUTES: [u64; 4] = [1, DEFAULT_WINDOW_MINUTES, 15, 60];

const TICKS_PER_MINUTE: u64 = 60 * 10_000_000;

/// Collects the non-4983 IPsec events of every file that share the failure's computer and
/// peer pair and lie within `window_minutes` of its time, either side, bounds included.
///
/// The peer pair matches when LocalAddress and RemoteAddress are equal in the same or in
/// the swapped direction, so an event that records the pair from the other side still
/// counts. Events without both addresses, and a failure without both, match nothing.
/// Computer names and addresses compare ASCII case-insensitively, as Windows host names
/// and IPv6 hex digits do. The result is sorted by time, in file order on equal times, and
/// contains each record once, because a copy of the same record in a later file is left out.
pub fn related_events<'a>(
    reports: &'a [FileReport],
    event: &Event4983,
    window_minutes: u64,
) -> Vec<&'a IpsecEvent> {
    let (Some(local), Some(remote)) = (event.local_address(), event.remote_address()) else {
        return Vec::new();
    };
    let window = window_minutes.saturating_mul(TICKS_PER_MINUTE);
    let mut related: Vec<&IpsecEvent> = reports
        .iter()
        .flat_map(FileReport::other_events)
        .filter(|other| other.time_created.0.abs_diff(event.time_created.0) <= window)
        .filter(|other| other.computer.eq_ignore_ascii_case(&event.computer))
        .filter(|other| same_peer_pair(other, local, remote))
        .collect();
    related.sort_by_key(|other| other.time_created);
    super::duplicates::first_copies(related)
}

fn same_peer_pair(other: &IpsecEvent, local: &str, remote: &str) -> bool {
    let address = |name: &str| other.field(name).and_then(|field| field.value);
    let (Some(other_local), Some(other_remote)) =
        (address("LocalAddress"), address("RemoteAddress"))
    else {
        return false;
    };
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
    (same(other_local, local) && same(other_remote, remote))
        || (same(other_local, remote) && same(other_remote, local))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::sample::{named, raw_event, SAMPLE_TIME};
    use crate::filetime::FileTime;
    use crate::report::sample::{failure_at, one_chunk_report};
    use crate::scan::{FieldValue, RawEvent};

    const FAILURE_SECONDS: u64 = 3600;

    /// Builds an event with the given peer pair, `seconds` after the sample time.
    fn peer_event(event_id: u32, record_id: u64, seconds: u64, pair: (&str, &str)) -> RawEvent {
        let text = |value: &str| FieldValue::Text(value.to_owned());
        let data = named(
            &["LocalAddress", "RemoteAddress"],
            vec![text(pair.0), text(pair.1)],
        );
        let mut raw = raw_event(event_id, record_id, data);
        raw.time_created = FileTime(SAMPLE_TIME.0 + seconds * 10_000_000);
        raw
    }

    /// Returns the failure of `report`, whose sample LocalAddress is 10.0.0.1 and RemoteAddress
    /// is 10.0.0.2.
    fn failure(report: &FileReport) -> Event4983 {
        report.events_4983().next().unwrap().clone()
    }

    fn record_ids(events: &[&IpsecEvent]) -> Vec<u64> {
        events.iter().map(|event| event.record_id).collect()
    }

    #[test]
    fn related_keeps_near_same_pair_only() {
        let pair = ("10.0.0.1", "10.0.0.2");
        let mut other_host = peer_event(4653, 5, FAILURE_SECONDS - 30, pair);
        other_host.computer = "host9.contoso.com".to_owned();
        let report = one_chunk_report(
            "a.evtx",
            vec![
                peer_event(4653, 1, FAILURE_SECONDS - 60, pair),
                peer_event(4654, 2, FAILURE_SECONDS - 600, pair),
                peer_event(4653, 3, FAILURE_SECONDS - 60, ("10.0.0.1", "10.0.0.3")),
                other_host,
                failure_at(10, FAILURE_SECONDS),
            ],
        );
        let reports = [report];

        let related = related_events(&reports, &failure(&reports[0]), 5);

        assert_eq!(record_ids(&related), [1]);
        assert_eq!(related[0].event_id, 4653);
    }

    #[test]
    fn related_matches_swapped_pair() {
        let report = one_chunk_report(
            "a.evtx",
            vec![
                peer_event(4654, 1, FAILURE_SECONDS + 120, ("10.0.0.2", "10.0.0.1")),
                failure_at(10, FAILURE_SECONDS),
            ],
        );
        let reports = [report];

        let related = related_events(&reports, &failure(&reports[0]), 5);

        assert_eq!(record_ids(&related), [1]);
    }

    #[test]
    fn related_window_bounds_are_inclusive() {
        let pair = ("10.0.0.1", "10.0.0.2");
        let report = one_chunk_report(
            "a.evtx",
            vec![
                peer_event(4653, 1, FAILURE_SECONDS - 300, pair),
                peer_event(4653, 2, FAILURE_SECONDS - 301, pair),
                peer_event(4654, 3, FAILURE_SECONDS + 300, pair),
                peer_event(4654, 4, FAILURE_SECONDS + 301, pair),
                failure_at(10, FAILURE_SECONDS),
            ],
        );
        let reports = [report];

        let related = related_events(&reports, &failure(&reports[0]), 5);

        assert_eq!(record_ids(&related), [1, 3]);
    }

    #[test]
    fn related_window_choices_bounds() {
        let pair = ("10.0.0.1", "10.0.0.2");
        // One event on each window's bound and one just past it, on alternating sides.
        let offsets: [(u64, i64); 8] = [
            (1, -60),
            (2, 61),
            (3, -300),
            (4, 301),
            (5, -900),
            (6, 901),
            (7, -3600),
            (8, 3601),
        ];
        let mut events: Vec<RawEvent> = offsets
            .iter()
            .map(|(id, seconds)| {
                let at = FAILURE_SECONDS.checked_add_signed(*seconds).unwrap();
                peer_event(4654, *id, at, pair)
            })
            .collect();
        events.push(failure_at(10, FAILURE_SECONDS));
        let reports = [one_chunk_report("a.evtx", events)];
        let event = failure(&reports[0]);

        let found: Vec<Vec<u64>> = WINDOW_CHOICES_MINUTES
            .iter()
            .map(|minutes| record_ids(&related_events(&reports, &event, *minutes)))
            .collect();

        assert_eq!(WINDOW_CHOICES_MINUTES, [1, 5, 15, 60]);
        assert_eq!(found[0], [1]);
        assert_eq!(found[1], [3, 1, 2]);
        assert_eq!(found[2], [5, 3, 1, 2, 4]);
        assert_eq!(found[3], [7, 5, 3, 1, 2, 4, 6]);
    }

    #[test]
    fn related_window_zero_keeps_same_time() {
        let pair = ("10.0.0.1", "10.0.0.2");
        let report = one_chunk_report(
            "a.evtx",
            vec![
                peer_event(4653, 1, FAILURE_SECONDS, pair),
                peer_event(4653, 2, FAILURE_SECONDS + 1, pair),
                failure_at(10, FAILURE_SECONDS),
            ],
        );
        let reports = [report];

        let related = related_events(&reports, &failure(&reports[0]), 0);

        assert_eq!(record_ids(&related), [1]);
    }

    #[test]
    fn related_sorts_by_time_across_files() {
        let pair = ("10.0.0.1", "10.0.0.2");
        let first = one_chunk_report(
            "a.evtx",
            vec![
                peer_event(4654, 1, FAILURE_SECONDS + 10, pair),
                failure_at(10, FAILURE_SECONDS),
            ],
        );
        let second = one_chunk_report(
            "b.evtx",
            vec![peer_event(4653, 2, FAILURE_SECONDS - 10, pair)],
        );
        let reports = [first, second];

        let related = related_events(&reports, &failure(&reports[0]), 5);

        assert_eq!(record_ids(&related), [2, 1]);
    }

    #[test]
    fn related_needs_both_addresses() {
        let text = |value: &str| FieldValue::Text(value.to_owned());
        let mut remote_only = raw_event(4960, 1, named(&["RemoteAddress"], vec![text("10.0.0.2")]));
        remote_only.time_created = FileTime(SAMPLE_TIME.0 + FAILURE_SECONDS * 10_000_000);
        let report = one_chunk_report("a.evtx", vec![remote_only, failure_at(10, FAILURE_SECONDS)]);
        let reports = [report];
        let mut event = failure(&reports[0]);

        assert!(related_events(&reports, &event, 5).is_empty());
        event.set_value("LocalAddress", None);
        assert!(related_events(&reports, &event, 5).is_empty());
    }

    #[test]
    fn related_ignores_case_of_names() {
        let mut upper = peer_event(4653, 1, FAILURE_SECONDS, ("FE80::A", "fe80::b"));
        upper.computer = "HOST1.CONTOSO.COM".to_owned();
        let report = one_chunk_report("a.evtx", vec![upper, failure_at(10, FAILURE_SECONDS)]);
        let reports = [report];
        let mut event = failure(&reports[0]);
        event.set_value("LocalAddress", Some("fe80::a"));
        event.set_value("RemoteAddress", Some("FE80::B"));

        let related = related_events(&reports, &event, 5);

        assert_eq!(record_ids(&related), [1]);
    }
}
