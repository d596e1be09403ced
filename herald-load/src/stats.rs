//! Latency summaries, the client's own CPU time, and a process's resident
//! memory and CPU time.

use serde::Serialize;

/// Percentiles of a set of durations, in milliseconds, as the summaries
/// print them: `{"count": 0}` alone when there were none.
#[derive(Debug, Serialize)]
pub struct Percentiles {
    pub count: usize,
    #[serde(flatten)]
    pub spread: Option<Spread>,
}

/// The distribution of a non-empty set of durations, in milliseconds.
#[derive(Debug, Serialize)]
pub struct Spread {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
    pub mean: f64,
}

/// Percentiles of `micros` (nearest rank); sorts it.
pub fn summary_ms(micros: &mut [u64]) -> Percentiles {
    if micros.is_empty() {
        return Percentiles {
            count: 0,
            spread: None,
        };
    }
    micros.sort_unstable();
    let at = |q: f64| {
        let rank = ((micros.len() as f64) * q).ceil() as usize;
        ms(micros[rank.clamp(1, micros.len()) - 1])
    };
    let mean = micros.iter().sum::<u64>() as f64 / micros.len() as f64 / 1000.0;
    Percentiles {
        count: micros.len(),
        spread: Some(Spread {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            p999: at(0.999),
            max: ms(micros[micros.len() - 1]),
            mean: round3(mean),
        }),
    }
}

fn ms(micros: u64) -> f64 {
    round3(micros as f64 / 1000.0)
}

pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// CPU seconds (user + system) this process has used so far.
pub fn own_cpu_secs() -> f64 {
    // SAFETY: getrusage only writes the struct we pass.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return 0.0;
        }
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        round3(secs(usage.ru_utime) + secs(usage.ru_stime))
    }
}

/// CPUs this process may run on (what `taskset` left it).
pub fn own_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Resident memory of process `pid`, in bytes (`VmRSS` in
/// `/proc/<pid>/status`).
pub fn rss_bytes(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or_else(|| anyhow::anyhow!("no VmRSS for process {pid}"))?;
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("unreadable VmRSS line: {line}"))?;
    Ok(kib * 1024)
}

/// CPU seconds (user + system) process `pid` has used so far.
pub fn cpu_secs_of(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold
    // spaces: utime and stime are fields 14 and 15 of the whole line.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Some(round3((utime + stime) / ticks))
}

/// The CPU time a process (the server, given by `--pid`) uses over one
/// stretch of a run; nothing without a pid or a readable `/proc`.
pub struct CpuMeter {
    pid: Option<u32>,
    before: Option<f64>,
}

impl CpuMeter {
    /// Starts measuring now.
    pub fn start(pid: Option<u32>) -> Self {
        CpuMeter {
            pid,
            before: pid.and_then(cpu_secs_of),
        }
    }

    /// CPU seconds used since `start`.
    pub fn used(&self) -> Option<f64> {
        match (self.before, self.pid.and_then(cpu_secs_of)) {
            (Some(before), Some(after)) => Some(round3(after - before)),
            _ => None,
        }
    }
}

/// The load average, as `uptime` shows it, recorded with every run.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let mut v: Vec<u64> = (1..=100).map(|i| i * 1000).collect();
        let s = serde_json::to_value(summary_ms(&mut v)).expect("serialises");
        assert_eq!(s["count"], 100);
        assert_eq!(s["p50"], 50.0);
        assert_eq!(s["p99"], 99.0);
        assert_eq!(s["max"], 100.0);
        let none = serde_json::to_value(summary_ms(&mut [])).expect("serialises");
        assert_eq!(none, serde_json::json!({"count": 0}));
    }
}
