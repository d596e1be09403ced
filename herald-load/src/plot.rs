//! `--plot FILE.png`: the latency distribution as a histogram.

use std::path::Path;

use anyhow::{Context as _, anyhow};
use plotters::prelude::*;

/// Fonts tried in turn for the labels (plotters draws text with ab_glyph
/// from a font file; Debian's fonts-dejavu-core ships the first).
const FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
];

fn register_font() -> anyhow::Result<()> {
    let bytes = FONTS
        .iter()
        .find_map(|path| std::fs::read(path).ok())
        .ok_or_else(|| anyhow!("no font found for the plot labels (tried {FONTS:?})"))?;
    // plotters keeps the font for the life of the process.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
        .map_err(|_| anyhow!("unreadable font file"))
}

/// Draws a histogram of `micros` (latencies) into `path`, up to the 99.9th
/// percentile, with the summary in the caption.
pub fn histogram(path: &Path, title: &str, micros: &[u64]) -> anyhow::Result<()> {
    register_font()?;
    let mut sorted = micros.to_vec();
    sorted.sort_unstable();
    let Some(&last) = sorted.last() else {
        return Err(anyhow!("no latencies to plot"));
    };
    let q = |p: f64| sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1];
    let upper_us = q(0.999).max(1);
    const BINS: u64 = 100;
    let bin_us = upper_us.div_ceil(BINS).max(1);
    let mut counts = vec![0u64; BINS as usize + 1];
    for &v in &sorted {
        counts[((v / bin_us) as usize).min(BINS as usize)] += 1;
    }
    let peak = counts.iter().copied().max().unwrap_or(1);
    let to_ms = |us: u64| us as f64 / 1000.0;
    let caption = format!(
        "{title}: n={} p50={:.2} ms p99={:.2} ms p99.9={:.2} ms max={:.2} ms",
        sorted.len(),
        to_ms(q(0.5)),
        to_ms(q(0.99)),
        to_ms(q(0.999)),
        to_ms(last)
    );

    let root = BitMapBackend::new(path, (1200, 700)).into_drawing_area();
    root.fill(&WHITE)?;
    let x_max = to_ms(bin_us * (BINS + 1));
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..x_max, (1u64..peak * 2 + 1).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("latency (ms); the last bar holds everything above p99.9")
        .y_desc("deliveries (log scale)")
        .label_style(("sans-serif", 15))
        .draw()?;
    let bin_ms = to_ms(bin_us);
    chart.draw_series(
        counts
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(i, &count)| {
                let x0 = i as f64 * bin_ms;
                Rectangle::new(
                    [(x0, 1), (x0 + bin_ms, count.max(1) + 1)],
                    BLUE.mix(0.6).filled(),
                )
            }),
    )?;
    root.present()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
