//! Progress bars on stderr (hidden with `--quiet`).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar counting `len` steps of a phase named `what`.
pub fn bar(quiet: bool, len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if quiet {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>14} [{elapsed_precise}] {wide_bar} {pos}/{len} {per_sec} {msg}",
        )
        .expect("literal template"),
    );
    bar.set_prefix(what.to_owned());
    bar
}
