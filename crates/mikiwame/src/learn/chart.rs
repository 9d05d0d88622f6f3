//! The evaluation chart as SVG: the reliability curve (predicted vs observed fraud rate per
//! score decile) beside the score histogram by label.
//!
//! Written by hand with a tiny writer rather than a plotting crate: the chart is two
//! panels of lines, circles, bars and text, and plain SVG text needs no font files, so
//! this builds anywhere without system libraries (fontconfig) and adds no dependency.
//!
//! ```
//! use mikiwame::learn::metrics::{report, Scored};
//! let r = report(&[Scored { probability: 0.3, fraud: true, weight: 1.0 },
//!                  Scored { probability: 0.1, fraud: false, weight: 1.0 }]);
//! let svg = mikiwame::learn::chart::svg(&r, "example");
//! assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
//! ```

use std::fmt::Write;

use crate::learn::metrics::EvaluationReport;

const W: f64 = 960.0;
const H: f64 = 440.0;
const PANEL: f64 = 340.0;
const TOP: f64 = 50.0;
const LEFT1: f64 = 70.0;
const LEFT2: f64 = 560.0;

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Appends an SVG element; writing to a `String` cannot fail.
fn put(out: &mut String, args: std::fmt::Arguments<'_>) {
    let _ = out.write_fmt(args);
    out.push('\n');
}

fn text(out: &mut String, x: f64, y: f64, anchor: &str, size: u32, s: &str) {
    put(
        out,
        format_args!(
            r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" font-size="{size}">{}</text>"#,
            esc(s)
        ),
    );
}

fn line(out: &mut String, (x1, y1): (f64, f64), (x2, y2): (f64, f64), style: &str) {
    put(
        out,
        format_args!(r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" {style}/>"#),
    );
}

/// The chart of a report, with `title` above it.
pub fn svg(report: &EvaluationReport, title: &str) -> String {
    let mut out = String::new();
    put(
        &mut out,
        format_args!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif">"#
        ),
    );
    put(
        &mut out,
        format_args!(r#"<rect width="{W}" height="{H}" fill="white"/>"#),
    );
    let auc = report
        .roc_auc
        .map_or("n/a".to_string(), |a| format!("{a:.3}"));
    text(
        &mut out,
        W / 2.0,
        24.0,
        "middle",
        15,
        &format!(
            "{title}: {} orders, ROC AUC {auc}, Brier {:.4}, ECE {:.4}",
            report.orders, report.brier, report.ece
        ),
    );
    let axis = r#"stroke="black" stroke-width="1""#;
    let grid = r##"stroke="#ddd" stroke-width="1""##;

    // Left: reliability. x = mean predicted, y = observed, both 0..100 %.
    let px = |p: f64| LEFT1 + p * PANEL;
    let py = |p: f64| TOP + PANEL - p * PANEL;
    for k in 0..=10 {
        let v = f64::from(k) / 10.0;
        line(&mut out, (px(v), py(0.0)), (px(v), py(1.0)), grid);
        line(&mut out, (px(0.0), py(v)), (px(1.0), py(v)), grid);
        if k % 2 == 0 {
            text(
                &mut out,
                px(v),
                py(0.0) + 16.0,
                "middle",
                11,
                &format!("{}", k * 10),
            );
            text(
                &mut out,
                px(0.0) - 6.0,
                py(v) + 4.0,
                "end",
                11,
                &format!("{}", k * 10),
            );
        }
    }
    line(&mut out, (px(0.0), py(0.0)), (px(1.0), py(0.0)), axis);
    line(&mut out, (px(0.0), py(0.0)), (px(0.0), py(1.0)), axis);
    line(
        &mut out,
        (px(0.0), py(0.0)),
        (px(1.0), py(1.0)),
        r##"stroke="#888" stroke-dasharray="5,4""##,
    );
    let points: Vec<(f64, f64, u64)> = report
        .reliability
        .iter()
        .filter_map(|b| Some((b.predicted?, b.observed?, b.count)))
        .collect();
    let path: Vec<String> = points
        .iter()
        .map(|(p, o, _)| format!("{:.1},{:.1}", px(*p), py(*o)))
        .collect();
    put(
        &mut out,
        format_args!(
            r##"<polyline points="{}" fill="none" stroke="#1f77b4" stroke-width="2"/>"##,
            path.join(" ")
        ),
    );
    for (p, o, n) in &points {
        // Area grows with the log of the count, so thin bins still show.
        let r = 2.5 + (*n as f64).max(1.0).log10();
        put(
            &mut out,
            format_args!(
                r##"<circle cx="{:.1}" cy="{:.1}" r="{r:.1}" fill="#1f77b4"><title>{n} orders: predicted {:.1} %, observed {:.1} %</title></circle>"##,
                px(*p),
                py(*o),
                p * 100.0,
                o * 100.0
            ),
        );
    }
    text(
        &mut out,
        px(0.5),
        py(0.0) + 36.0,
        "middle",
        12,
        "mean predicted fraud rate per score decile (%)",
    );
    put(
        &mut out,
        format_args!(
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12" transform="rotate(-90 {:.1} {:.1})">observed fraud rate (%)</text>"#,
            LEFT1 - 40.0,
            py(0.5),
            LEFT1 - 40.0,
            py(0.5)
        ),
    );
    text(
        &mut out,
        px(0.5),
        TOP - 8.0,
        "middle",
        13,
        "Reliability (dashed: perfect calibration)",
    );

    // Right: histogram of scores by label, count on a log scale (legitimate orders
    // outnumber fraud by orders of magnitude).
    let max = report
        .histogram
        .iter()
        .map(|b| b.fraud.max(b.legit))
        .max()
        .unwrap_or(1)
        .max(1);
    let decades = ((max as f64).log10().ceil()).max(1.0);
    let hx = |score: f64| LEFT2 + score / 100.0 * PANEL;
    let hy = |count: u64| {
        let v = if count == 0 {
            0.0
        } else {
            (count as f64).log10() + 1.0
        };
        TOP + PANEL - v / (decades + 1.0) * PANEL
    };
    for k in 0..=(decades as u32) {
        let c = 10u64.pow(k);
        line(&mut out, (hx(0.0), hy(c)), (hx(100.0), hy(c)), grid);
        text(
            &mut out,
            hx(0.0) - 6.0,
            hy(c) + 4.0,
            "end",
            11,
            &c.to_string(),
        );
    }
    let width = PANEL / 20.0;
    for b in &report.histogram {
        let x = hx(f64::from(b.from));
        for (count, dx, colour, label) in [
            (b.legit, 0.0, "#9e9e9e", "legitimate"),
            (b.fraud, width / 2.0, "#d62728", "fraud"),
        ] {
            if count > 0 {
                let y = hy(count);
                put(
                    &mut out,
                    format_args!(
                        r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{colour}"><title>score {}-{}: {count} {label}</title></rect>"#,
                        x + dx + 0.5,
                        width / 2.0 - 1.0,
                        TOP + PANEL - y,
                        b.from,
                        b.to
                    ),
                );
            }
        }
    }
    line(&mut out, (hx(0.0), hy(0)), (hx(100.0), hy(0)), axis);
    line(&mut out, (hx(0.0), hy(0)), (hx(0.0), TOP), axis);
    for k in (0..=100).step_by(20) {
        text(
            &mut out,
            hx(f64::from(k)),
            TOP + PANEL + 16.0,
            "middle",
            11,
            &k.to_string(),
        );
    }
    for t in [10.0, 50.0] {
        line(
            &mut out,
            (hx(t), TOP + PANEL),
            (hx(t), TOP),
            r##"stroke="#555" stroke-dasharray="2,3""##,
        );
    }
    text(
        &mut out,
        hx(50.0),
        TOP + PANEL + 36.0,
        "middle",
        12,
        "score (dotted: alert threshold 10 and band high 50)",
    );
    text(
        &mut out,
        hx(50.0),
        TOP - 8.0,
        "middle",
        13,
        "Orders per score (log scale)",
    );
    put(
        &mut out,
        format_args!(
            r##"<rect x="{:.1}" y="{:.1}" width="10" height="10" fill="#9e9e9e"/>"##,
            hx(62.0),
            TOP + 6.0
        ),
    );
    text(&mut out, hx(66.0), TOP + 15.0, "start", 11, "legitimate");
    put(
        &mut out,
        format_args!(
            r##"<rect x="{:.1}" y="{:.1}" width="10" height="10" fill="#d62728"/>"##,
            hx(62.0),
            TOP + 22.0
        ),
    );
    text(&mut out, hx(66.0), TOP + 31.0, "start", 11, "fraud");
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learn::metrics::{report, Scored};

    #[test]
    fn chart_has_a_point_per_filled_bin_and_escapes_the_title() {
        let scored: Vec<Scored> = (0..100)
            .map(|i| Scored {
                probability: f64::from(i) / 100.0,
                fraud: i % 3 == 0,
                weight: 1.0,
            })
            .collect();
        let r = report(&scored);
        let svg = svg(&r, "a <b> & c");
        assert_eq!(svg.matches("<circle").count(), 10);
        assert!(svg.contains("a &lt;b&gt; &amp; c"));
        assert!(!svg.contains("NaN"));
        let empty = super::svg(&report(&[]), "empty");
        assert_eq!(empty.matches("<circle").count(), 0);
        assert!(!empty.contains("NaN"));
    }
}
