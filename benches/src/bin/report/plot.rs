//! The PNG plots, drawn with plotters' bitmap backend. Text goes through
//! plotters' `ab_glyph` feature, with a TrueType font read at run time
//! (DejaVu Sans from Debian's `fonts-dejavu-core`, or the file named by
//! `RINGPOOL_REPORT_FONT`), so no system font library is needed.

use std::error::Error;
use std::path::Path;

use plotters::prelude::*;
use plotters::style::FontStyle;

/// Where the font is looked for, in order (after `RINGPOOL_REPORT_FONT`).
const FONT_PATHS: [&str; 3] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
];

/// The font family name the plots use.
const FAMILY: &str = "sans-serif";

/// Reads a TTF and registers it for the plots; the error says what to
/// install.
pub fn register_font() -> Result<String, String> {
    let candidates: Vec<String> = std::env::var("RINGPOOL_REPORT_FONT")
        .into_iter()
        .chain(FONT_PATHS.iter().map(|p| p.to_string()))
        .collect();
    for path in &candidates {
        if let Ok(bytes) = std::fs::read(path) {
            // plotters keeps fonts for the whole run: leak one copy.
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            plotters::style::register_font(FAMILY, FontStyle::Normal, bytes)
                .map_err(|_| format!("{path}: not a usable TrueType font"))?;
            return Ok(path.clone());
        }
    }
    Err(format!(
        "no font for the plots' labels: tried {}; install Debian's fonts-dejavu-core \
         or set RINGPOOL_REPORT_FONT to a .ttf file",
        candidates.join(", ")
    ))
}

const COLORS: [RGBColor; 7] = [
    RGBColor(214, 39, 40),
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(23, 190, 207),
];

/// One line per pool: (workers, jobs/s) points, x on a log2 axis.
pub fn throughput_vs_workers(
    path: &Path,
    title: &str,
    series: &[(String, Vec<(usize, f64)>)],
) -> Result<(), Box<dyn Error>> {
    let root = BitMapBackend::new(path, (960, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let max_workers = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|&(w, _)| w))
        .max()
        .unwrap_or(1);
    let x_max = (max_workers as f64).log2();
    let y_max = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|&(_, v)| v / 1e6))
        .fold(0.0f64, f64::max)
        // Headroom above the highest point for the legend box.
        * 1.6;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FAMILY, 24))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.2f64..x_max + 0.2, 0f64..y_max.max(1e-3))?;
    chart
        .configure_mesh()
        .x_desc("worker threads")
        .y_desc("million jobs / s (tiny jobs, results drained)")
        .x_labels(max_workers.ilog2() as usize + 1)
        .x_label_formatter(&|x| format!("{}", 2f64.powf(x.round()) as usize))
        .y_label_formatter(&|y| format!("{y:.1}"))
        .label_style((FAMILY, 16))
        .axis_desc_style((FAMILY, 18))
        .draw()?;
    for (i, (name, points)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let pts: Vec<(f64, f64)> = points
            .iter()
            .map(|&(w, v)| ((w as f64).log2(), v / 1e6))
            .collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(3)))?
            .label(name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3))
            });
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 5, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FAMILY, 16))
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    root.present()?;
    Ok(())
}

/// One line per pool through its p50, p90 and p99 latencies (log y axis).
pub fn latency_percentiles(
    path: &Path,
    title: &str,
    series: &[(String, [f64; 3])],
) -> Result<(), Box<dyn Error>> {
    let root = BitMapBackend::new(path, (960, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let all = series.iter().flat_map(|(_, v)| v.iter().copied());
    // Headroom (in decades) above the highest point for the legend box.
    let y_max = all.clone().fold(1.0f64, f64::max) * 8.0;
    let y_min = all.fold(f64::INFINITY, f64::min).max(0.01) / 2.0;
    let labels = ["p50", "p90", "p99"];
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FAMILY, 24))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.3f64..2.3, (y_min..y_max).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("percentile of submit-to-result time")
        .y_desc("microseconds (log scale)")
        .x_labels(3)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 0.01 && (0.0..=2.0).contains(&i) {
                labels[i as usize].to_string()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| {
            if *y >= 10.0 {
                format!("{y:.0}")
            } else {
                format!("{y:.1}")
            }
        })
        .label_style((FAMILY, 16))
        .axis_desc_style((FAMILY, 18))
        .draw()?;
    for (i, (name, values)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let pts: Vec<(f64, f64)> = values
            .iter()
            .enumerate()
            .map(|(x, &v)| (x as f64, v))
            .collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(3)))?
            .label(name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3))
            });
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 5, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FAMILY, 16))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()?;
    root.present()?;
    Ok(())
}
