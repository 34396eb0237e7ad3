//! Charts as plain shapes, written out as SVG text for the saved report and rendered as DOM
//! elements by the page, so both show the same picture.
//!
//! Colours come from CSS classes, and the root sets `fill="currentColor"`, so a chart
//! without its stylesheet is still readable on light and dark backgrounds. Every text and
//! attribute value is escaped by [`escape`], because labels are log values an attacker can
//! choose.

use super::filter::Filter;
use super::taxonomy::Cause;
use super::timeline::Timeline;
use super::top::{Dimension, Key, TopEntry};
use super::zone::ZonedClock;
use crate::filetime::FileTime;
use std::fmt::Write;

/// The filter change that clicking a bar makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BarTarget {
    /// Narrows to a time range, inclusive at both ends, and to one cause if given.
    Range {
        from: FileTime,
        to: FileTime,
        cause: Option<Cause>,
    },
    /// Narrows to one key of a dimension.
    Key { dimension: Dimension, key: Key },
}

impl BarTarget {
    /// Narrows `filter` to the rows behind the bar.
    pub fn apply(&self, filter: &mut Filter) {
        match self {
            BarTarget::Range { from, to, cause } => {
                filter.from = Some(*from);
                filter.to = Some(*to);
                if cause.is_some() {
                    filter.cause = *cause;
                }
            }
            BarTarget::Key { dimension, key } => dimension.apply(key, filter),
        }
    }
}

/// The `text-anchor` of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// One drawn element. Coordinates are in the chart's viewBox units.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Rect {
        x: f64,
        y: f64,
        width: f64,
        height: f64,
        class: &'static str,
        /// The tooltip, shown as the rectangle's `<title>`.
        tip: String,
        target: Option<BarTarget>,
    },
    Text {
        x: f64,
        y: f64,
        anchor: Anchor,
        class: &'static str,
        text: String,
    },
    Line {
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        class: &'static str,
    },
    /// An invisible area over a whole chart row, drawn last so that a click anywhere on the
    /// row's label, bar or count reaches it.
    Target {
        x: f64,
        y: f64,
        width: f64,
        height: f64,
        /// The tooltip and accessible name.
        tip: String,
        target: BarTarget,
    },
}

/// A chart: its size, an accessible name, and its shapes in drawing order.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    /// The `aria-label` of the chart.
    pub title: String,
    pub shapes: Vec<Shape>,
}

/// Escapes text for XML and HTML content and for double- or single-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            // XML 1.0 forbids most control characters even as references; a visible
            // replacement keeps the document well formed.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => escaped.push('\u{fffd}'),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Formats a coordinate with at most one decimal, as SVG attributes take it.
pub fn number(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

impl Chart {
    /// Writes the chart as an `<svg>` element for an HTML page. It has no `xmlns`, which
    /// HTML does not need, so the saved report contains no URL at all.
    pub fn to_svg(&self) -> String {
        let mut svg = String::new();
        write!(
            svg,
            "<svg class=\"chart\" role=\"img\" \
             viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" fill=\"currentColor\" \
             aria-label=\"{}\">",
            number(self.width),
            number(self.height),
            number(self.width),
            number(self.height),
            escape(&self.title)
        )
        .expect("writing to a String");
        for shape in &self.shapes {
            write_shape(&mut svg, shape);
        }
        svg.push_str("</svg>");
        svg
    }
}

fn write_shape(svg: &mut String, shape: &Shape) {
    let result = match shape {
        Shape::Rect {
            x,
            y,
            width,
            height,
            class,
            tip,
            ..
        } => write!(
            svg,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"{}\">\
             <title>{}</title></rect>",
            number(*x),
            number(*y),
            number(*width),
            number(*height),
            escape(class),
            escape(tip)
        ),
        Shape::Text {
            x,
            y,
            anchor,
            class,
            text,
        } => write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" class=\"{}\">{}</text>",
            number(*x),
            number(*y),
            anchor.as_str(),
            escape(class),
            escape(text)
        ),
        Shape::Line {
            x1,
            y1,
            x2,
            y2,
            class,
        } => write!(
            svg,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"{}\" stroke=\"currentColor\"/>",
            number(*x1),
            number(*y1),
            number(*x2),
            number(*y2),
            escape(class)
        ),
        Shape::Target {
            x,
            y,
            width,
            height,
            tip,
            ..
        } => write!(
            svg,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"chart-target\" \
             fill-opacity=\"0\"><title>{}</title></rect>",
            number(*x),
            number(*y),
            number(*width),
            number(*height),
            escape(tip)
        ),
    };
    result.expect("writing to a String");
}

/// The timeline chart's viewBox size and margins.
const TIMELINE_WIDTH: f64 = 720.0;
const TIMELINE_HEIGHT: f64 = 240.0;
const PLOT_LEFT: f64 = 48.0;
const PLOT_RIGHT: f64 = 8.0;
const PLOT_TOP: f64 = 28.0;
const PLOT_BOTTOM: f64 = 36.0;
/// The maximum number of axis labels under a timeline, so they do not overlap at 11 px.
const MAX_AXIS_LABELS: usize = 8;
/// The narrowest bar that gets its count written above it.
const MIN_COUNTED_BAR: f64 = 18.0;

/// Lays out a stacked bar chart of a timeline with its times in UTC, as
/// [`timeline_chart_in`] does for other zones.
pub fn timeline_chart(timeline: &Timeline) -> Chart {
    timeline_chart_in(timeline, &ZonedClock::utc())
}

/// Lays out a stacked bar chart of a timeline: one bar per bucket, one segment per cause,
/// a legend of the causes present, a count axis and time labels as `clock` shows them.
pub fn timeline_chart_in(timeline: &Timeline, clock: &ZonedClock<'_>) -> Chart {
    let mut shapes = Vec::new();
    let plot_width = TIMELINE_WIDTH - PLOT_LEFT - PLOT_RIGHT;
    let plot_height = TIMELINE_HEIGHT - PLOT_TOP - PLOT_BOTTOM;
    let base = PLOT_TOP + plot_height;
    let max = timeline.max_total().max(1) as f64;
    let slots = timeline.buckets.len().max(1) as f64;
    let slot = plot_width / slots;
    let gap = if slot > 4.0 { 1.0 } else { 0.0 };

    legend(&mut shapes, timeline);
    for (value, y) in [(0, base), (max as u64, PLOT_TOP)] {
        shapes.push(Shape::Line {
            x1: PLOT_LEFT,
            y1: y,
            x2: TIMELINE_WIDTH - PLOT_RIGHT,
            y2: y,
            class: "chart-grid",
        });
        shapes.push(Shape::Text {
            x: PLOT_LEFT - 6.0,
            y: y + 4.0,
            anchor: Anchor::End,
            class: "chart-axis",
            text: value.to_string(),
        });
    }
    let label_every = timeline.buckets.len().div_ceil(MAX_AXIS_LABELS).max(1);
    for (position, bucket) in timeline.buckets.iter().enumerate() {
        let x = PLOT_LEFT + position as f64 * slot;
        let mut top = base;
        for cause in Cause::ALL {
            let count = bucket.counts[cause.index()];
            if count == 0 {
                continue;
            }
            let height = count as f64 / max * plot_height;
            top -= height;
            shapes.push(Shape::Rect {
                x: x + gap / 2.0,
                y: top,
                width: slot - gap,
                height,
                class: cause.css_class(),
                tip: format!(
                    "{} to {}: {} {count}",
                    clock.format_seconds(bucket.start),
                    clock.format_seconds(bucket.end),
                    cause.label()
                ),
                target: Some(BarTarget::Range {
                    from: bucket.start,
                    to: bucket.last_tick(),
                    cause: Some(cause),
                }),
            });
        }
        let total = bucket.total();
        if total > 0 && slot >= MIN_COUNTED_BAR {
            shapes.push(Shape::Text {
                x: x + slot / 2.0,
                y: top - 3.0,
                anchor: Anchor::Middle,
                class: "chart-count",
                text: total.to_string(),
            });
        }
        if position % label_every == 0 {
            shapes.push(Shape::Text {
                x: x + slot / 2.0,
                y: base + 16.0,
                anchor: Anchor::Middle,
                class: "chart-axis",
                text: clock.axis_label(bucket.start, timeline.step.unit),
            });
        }
    }
    let range = match (timeline.buckets.first(), timeline.buckets.last()) {
        (Some(first), Some(last)) => format!(
            "from {} to {}",
            clock.format_seconds(first.start),
            clock.format_seconds(last.end)
        ),
        _ => "with no events".to_owned(),
    };
    Chart {
        width: TIMELINE_WIDTH,
        height: TIMELINE_HEIGHT,
        title: format!(
            "Event 4983 per {} ({}) {range}, stacked by cause",
            timeline.step.describe(),
            clock.name
        ),
        shapes,
    }
}

/// Adds a legend of the causes that occur in the timeline, left to right along the top.
fn legend(shapes: &mut Vec<Shape>, timeline: &Timeline) {
    let mut x = PLOT_LEFT;
    for cause in Cause::ALL {
        let present = timeline
            .buckets
            .iter()
            .any(|bucket| bucket.counts[cause.index()] > 0);
        if !present {
            continue;
        }
        shapes.push(Shape::Rect {
            x,
            y: 6.0,
            width: 10.0,
            height: 10.0,
            class: cause.css_class(),
            tip: cause.label().to_owned(),
            target: None,
        });
        shapes.push(Shape::Text {
            x: x + 14.0,
            y: 15.0,
            anchor: Anchor::Start,
            class: "chart-legend",
            text: cause.label().to_owned(),
        });
        // An estimate of the label's width at the chart's 11 px font.
        x += 24.0 + cause.label().chars().count() as f64 * 6.5;
    }
}

/// The top-N chart's viewBox width, label column and row height.
const TOP_WIDTH: f64 = 520.0;
const TOP_LABEL_WIDTH: f64 = 240.0;
const TOP_COUNT_WIDTH: f64 = 56.0;
const TOP_ROW: f64 = 22.0;
/// The space between the chart's left edge and a label, and between a label and its bar.
const LABEL_PADDING: f64 = 4.0;
/// The chart's font size in viewBox units, as the stylesheets set it.
const FONT_SIZE: f64 = 11.0;

/// Lays out horizontal bars for top-N entries, one row per entry, largest first. Each row
/// is one click target, so a one-event bar is as easy to hit as its label.
pub fn top_chart(dimension: Dimension, entries: &[TopEntry]) -> Chart {
    let mut shapes = Vec::new();
    let mut targets = Vec::new();
    let max = entries.first().map_or(1, |entry| entry.count.max(1)) as f64;
    let bar_space = TOP_WIDTH - TOP_LABEL_WIDTH - TOP_COUNT_WIDTH;
    for (position, entry) in entries.iter().enumerate() {
        let y = position as f64 * TOP_ROW;
        let label = entry.key.to_string();
        // Labels start at the left edge, so a label wider than the estimate runs under its
        // bar instead of losing its first characters outside the chart.
        shapes.push(Shape::Text {
            x: LABEL_PADDING,
            y: y + 15.0,
            anchor: Anchor::Start,
            class: "chart-label",
            text: shorten(&label, TOP_LABEL_WIDTH - 2.0 * LABEL_PADDING),
        });
        shapes.push(Shape::Rect {
            x: TOP_LABEL_WIDTH,
            y: y + 4.0,
            width: (entry.count as f64 / max * bar_space).max(1.0),
            height: TOP_ROW - 8.0,
            class: "chart-bar",
            tip: format!("{label}: {}", entry.count),
            target: None,
        });
        shapes.push(Shape::Text {
            x: TOP_WIDTH - 4.0,
            y: y + 15.0,
            anchor: Anchor::End,
            class: "chart-count",
            text: entry.count.to_string(),
        });
        targets.push(Shape::Target {
            x: 0.0,
            y,
            width: TOP_WIDTH,
            height: TOP_ROW,
            tip: format!("{label}: {}", entry.count),
            target: BarTarget::Key {
                dimension,
                key: entry.key.clone(),
            },
        });
    }
    shapes.append(&mut targets);
    Chart {
        width: TOP_WIDTH,
        height: (entries.len().max(1) as f64) * TOP_ROW,
        title: format!("Top {}", dimension.label().to_lowercase()),
        shapes,
    }
}

/// Cuts a label at its end to fit `width` viewBox units, marking the cut with an ellipsis.
fn shorten(label: &str, width: f64) -> String {
    if text_width(label) <= width {
        return label.to_owned();
    }
    let mut used = char_width('…');
    let mut short = String::new();
    for character in label.chars() {
        used += char_width(character);
        if used > width {
            break;
        }
        short.push(character);
    }
    short.push('…');
    short
}

/// Estimates the width of `text` at [`FONT_SIZE`] in viewBox units.
fn text_width(text: &str) -> f64 {
    text.chars().map(char_width).sum()
}

/// Estimates one character's width at [`FONT_SIZE`]. The factors are set at or above the
/// advance widths of DejaVu Sans, a wide default sans-serif font on Linux, so that a label
/// rarely runs past its estimate. tests/e2e/reports.test.mjs measures real labels.
fn char_width(character: char) -> f64 {
    let em = match character {
        ' ' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'i' | 'j' | 'l' | 'I' => 0.34,
        '(' | ')' | '[' | ']' | '-' | 'f' | 't' | 'r' => 0.42,
        'M' | 'W' | 'm' | 'w' | '%' | '@' => 1.0,
        '=' | '+' | '<' | '>' | '~' | '#' | '&' => 0.84,
        'A'..='Z' => 0.8,
        '0'..='9' => 0.66,
        'a'..='z' | '_' | '/' | '\\' | '"' | '*' | '?' | '$' => 0.64,
        // Emoji fonts draw wider than an em.
        character if u32::from(character) >= 0x1F000 => 1.3,
        // Marker brackets, arrows, CJK and other characters: a full em is the safe guess.
        _ => 1.0,
    };
    em * FONT_SIZE
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{failure_at, table_of};
    use crate::scan::FieldValue;

    fn hostile_entries() -> Vec<TopEntry> {
        vec![
            TopEntry {
                key: Key::Text(Some("<img src=x onerror=alert(1)>".into())),
                count: 4,
            },
            TopEntry {
                key: Key::Text(Some("a\"b'c&d\u{1}".into())),
                count: 1,
            },
        ]
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href='x'>\"&\"</a>\u{0}\t"),
            "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;\u{fffd}\t"
        );
    }

    #[test]
    fn numbers_have_one_decimal_at_most() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(12.345), "12.3");
        assert_eq!(number(0.04), "0");
    }

    #[test]
    fn top_chart_escapes_labels() {
        let chart = top_chart(Dimension::RemoteAddress, &hostile_entries());

        let svg = chart.to_svg();

        assert!(!svg.contains("<img"));
        assert!(svg.contains("&lt;img src=x onerror=alert(1)&gt;: 4"));
        assert!(svg.contains("a&quot;b&#39;c&amp;d⟨U+0001⟩"));
        assert!(svg.starts_with("<svg class=\"chart\""));
        assert!(svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect ").count(), 4);
    }

    #[test]
    fn top_chart_rows_are_targets() {
        let entries = hostile_entries();

        let chart = top_chart(Dimension::RemoteAddress, &entries);

        let targets: Vec<(f64, f64, f64, f64, &BarTarget)> = chart
            .shapes
            .iter()
            .filter_map(|shape| match shape {
                Shape::Target {
                    x,
                    y,
                    width,
                    height,
                    target,
                    ..
                } => Some((*x, *y, *width, *height, target)),
                _ => None,
            })
            .collect();
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[1].0, 0.0);
        assert_eq!(targets[1].1, TOP_ROW);
        assert_eq!(targets[1].2, TOP_WIDTH);
        assert_eq!(targets[1].3, TOP_ROW);
        let mut filter = Filter::default();
        targets[1].4.apply(&mut filter);
        assert_eq!(filter.remote_address.as_deref(), Some("a\"b'c&d\u{1}"));
        let last_two = &chart.shapes[chart.shapes.len() - 2..];
        assert!(last_two
            .iter()
            .all(|shape| matches!(shape, Shape::Target { .. })));
        let bar_targets = chart.shapes.iter().filter(|shape| {
            matches!(
                shape,
                Shape::Rect {
                    target: Some(_),
                    ..
                }
            )
        });
        assert_eq!(bar_targets.count(), 0);
    }

    #[test]
    fn top_chart_scales_bars_to_the_largest() {
        let chart = top_chart(Dimension::RemoteAddress, &hostile_entries());

        let widths: Vec<f64> = chart
            .shapes
            .iter()
            .filter_map(|shape| match shape {
                Shape::Rect { width, .. } => Some(*width),
                _ => None,
            })
            .collect();

        assert_eq!(widths, [224.0, 56.0]);
        assert_eq!(chart.height, 44.0);
        assert_eq!(chart.title, "Top remote addresses");
    }

    #[test]
    fn long_labels_keep_their_start() {
        let issuer = "CN=CONTOSO-ISSUING-CA01, DC=contoso, DC=com";
        let thumbprint = "0123456789ABCDEF0123456789ABCDEF01234567";
        let entries = [issuer, thumbprint].map(|label| TopEntry {
            key: Key::Text(Some(label.into())),
            count: 1,
        });

        let chart = top_chart(Dimension::IssuingCa, &entries);

        let labels: Vec<(f64, Anchor, &str)> = chart
            .shapes
            .iter()
            .filter_map(|shape| match shape {
                Shape::Text {
                    x,
                    anchor,
                    class: "chart-label",
                    text,
                    ..
                } => Some((*x, *anchor, text.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(labels.len(), 2);
        for ((x, anchor, text), full) in labels.into_iter().zip([issuer, thumbprint]) {
            assert_eq!(anchor, Anchor::Start, "{text}");
            assert!(x >= 0.0, "{text} starts at {x}");
            let kept = text.strip_suffix('…').expect("the label is cut at its end");
            assert!(full.starts_with(kept), "{text} is not the start of {full}");
            assert!(kept.len() >= 12, "{text} keeps too little");
            assert!(text_width(text) <= TOP_LABEL_WIDTH - 2.0 * LABEL_PADDING);
        }
    }

    #[test]
    fn short_labels_are_whole() {
        assert_eq!(shorten("10.0.0.2", 192.0), "10.0.0.2");
        assert_eq!(
            shorten("srv-fs01.corp.contoso.com", 192.0),
            "srv-fs01.corp.contoso.com"
        );
    }

    #[test]
    fn timeline_chart_stacks_and_targets() {
        let mut second = failure_at(2, 30);
        second.data[13].value = FieldValue::Text("Negotiation timed out".into());
        let table = table_of(vec![failure_at(1, 0), second, failure_at(3, 125)]);
        let timeline = table.timeline(&table.all_indices());

        let chart = timeline_chart(&timeline);

        let targets: Vec<&BarTarget> = chart
            .shapes
            .iter()
            .filter_map(|shape| match shape {
                Shape::Rect { target, .. } => target.as_ref(),
                _ => None,
            })
            .collect();
        assert_eq!(targets.len(), 3);
        let mut filter = Filter::default();
        targets[1].apply(&mut filter);
        assert_eq!(filter.cause, Some(Cause::Timeout));
        assert_eq!(table.filter(&filter), [1]);
        let svg = chart.to_svg();
        assert_eq!(svg.matches("class=\"cause-no-policy\"").count(), 3);
        assert_eq!(svg.matches("class=\"cause-timeout\"").count(), 2);
        assert_eq!(svg.matches("class=\"chart-count\">1</text>").count(), 3);
        assert!(svg.contains(">12:34</text>"));
        assert!(chart
            .title
            .starts_with("Event 4983 per 1 minute (UTC) from 2024-05-01 12:34:00 +00:00"));
    }

    #[test]
    fn timeline_chart_in_zone_labels_local_times() {
        let table = table_of(vec![failure_at(1, 0), failure_at(2, 125)]);
        let timeline = table.timeline(&table.all_indices());
        let kolkata = ZonedClock {
            name: "Asia/Kolkata".into(),
            lookup: &crate::report::zone::FixedOffset(19_800),
        };

        let svg = timeline_chart_in(&timeline, &kolkata).to_svg();

        assert!(svg.contains(">18:04</text>"), "{svg}");
        assert!(!svg.contains(">12:34</text>"));
        assert!(svg.contains(
            "<title>2024-05-01 18:04:00 +05:30 to 2024-05-01 18:05:00 +05:30: No policy 1</title>"
        ));
        assert!(svg.contains("aria-label=\"Event 4983 per 1 minute (Asia/Kolkata) from"));
    }

    #[test]
    fn empty_timeline_chart_has_axes_only() {
        let table = table_of(vec![]);

        let chart = timeline_chart(&table.timeline(&[]));

        assert!(chart
            .shapes
            .iter()
            .all(|shape| !matches!(shape, Shape::Rect { .. })));
        assert!(chart.title.ends_with("with no events, stacked by cause"));
    }
}
