//! The Go worker pool (`benches/go/main.go`: buffered job and result
//! channels, worker goroutines, a WaitGroup): found or installed,
//! built with `go build` into a temporary folder, and run once per round as a
//! child process that prints its own timings (so process start-up is not
//! timed). When no Go toolchain can be had, every Go row says why.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A built Go pool, or why there is none.
pub enum GoPeer {
    Ready(PathBuf),
    Skipped(String),
}

fn have_go() -> bool {
    Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn is_root() -> bool {
    // SAFETY: `geteuid` has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Installs Debian's `golang-go` with apt-get when running as root.
fn install_go() -> Result<(), String> {
    if !is_root() {
        return Err("no Go toolchain, and not root, so golang-go cannot be installed".into());
    }
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .output()
            .map_err(|e| format!("apt-get: {e}"))
            .and_then(|o| {
                if o.status.success() {
                    Ok(())
                } else {
                    Err(format!(
                        "apt-get {} failed: {}",
                        args.join(" "),
                        String::from_utf8_lossy(&o.stderr).trim()
                    ))
                }
            })
    };
    eprintln!("report: no Go toolchain; installing golang-go with apt-get");
    apt(&["update", "-qq"])?;
    apt(&["install", "-y", "-qq", "golang-go"])
}

impl GoPeer {
    /// Finds (or installs) Go and builds `benches/go` into `build_dir`.
    pub fn prepare(source: &Path, build_dir: &Path) -> Self {
        if !have_go() {
            if let Err(why) = install_go() {
                return Self::Skipped(why);
            }
            if !have_go() {
                return Self::Skipped(
                    "golang-go was installed, but `go version` still fails".into(),
                );
            }
        }
        let binary = build_dir.join("gopool");
        let out = Command::new("go")
            .arg("build")
            .arg("-o")
            .arg(&binary)
            .arg(".")
            .current_dir(source)
            // No module to download (standard library only); caches in the
            // temporary folder, so a bare CI machine needs no HOME or GOPATH.
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOCACHE", build_dir.join("gocache"))
            .env("GOPATH", build_dir.join("gopath"))
            .output();
        match out {
            Ok(o) if o.status.success() => Self::Ready(binary),
            Ok(o) => Self::Skipped(format!(
                "go build failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            )),
            Err(e) => Self::Skipped(format!("go build could not run: {e}")),
        }
    }

    /// `go version`, for the report.
    pub fn version(&self) -> Option<String> {
        match self {
            Self::Ready(_) => Command::new("go")
                .arg("version")
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()),
            Self::Skipped(_) => None,
        }
    }

    fn run(&self, args: &[String]) -> Result<String, String> {
        let Self::Ready(binary) = self else {
            return Err("skipped".into());
        };
        let out = Command::new(binary)
            .args(args)
            .output()
            .map_err(|e| format!("gopool: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "gopool failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).to_string())
    }

    fn value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
        text.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
    }

    /// Tiny jobs: elapsed time for `jobs` jobs with `workers` goroutines.
    pub fn tiny(&self, workers: usize, jobs: u64, queue: usize) -> Result<Duration, String> {
        let text = self.run(&[
            "-mode".into(),
            "tiny".into(),
            "-workers".into(),
            workers.to_string(),
            "-jobs".into(),
            jobs.to_string(),
            "-queue".into(),
            queue.to_string(),
        ])?;
        let ns: u64 = Self::value(&text, "ns")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("unreadable gopool output: {text}"))?;
        let sum: u64 = Self::value(&text, "sum")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("unreadable gopool output: {text}"))?;
        let expected = (0..jobs).fold(0u64, |a, j| a.wrapping_add(j * 2));
        if sum != expected {
            return Err(format!(
                "gopool lost results: sum {sum}, expected {expected}"
            ));
        }
        Ok(Duration::from_nanos(ns))
    }

    /// CPU-bound jobs of `job_time` (a loop the Go program calibrates
    /// itself): elapsed time for `jobs` jobs after an untimed tenth, and the
    /// spin iterations it chose.
    pub fn spin(
        &self,
        workers: usize,
        jobs: u64,
        job_time: Duration,
    ) -> Result<(Duration, u64), String> {
        let text = self.run(&[
            "-mode".into(),
            "spin".into(),
            "-workers".into(),
            workers.to_string(),
            "-jobs".into(),
            jobs.to_string(),
            "-job-us".into(),
            job_time.as_micros().to_string(),
        ])?;
        let get = |k| {
            Self::value(&text, k)
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| format!("unreadable gopool output: {text}"))
        };
        let (ns, sum, iters) = (get("ns")?, get("sum")?, get("iters")?);
        let twice = |n: u64| (0..n).fold(0u64, |a, j| a.wrapping_add(j * 2));
        let expected = twice(jobs / 10).wrapping_add(twice(jobs));
        if sum != expected {
            return Err(format!(
                "gopool lost results: sum {sum}, expected {expected}"
            ));
        }
        Ok((Duration::from_nanos(ns), iters))
    }

    /// Sporadic jobs: submit-to-result times of `samples` jobs, `gap` apart.
    pub fn latency(
        &self,
        workers: usize,
        samples: usize,
        gap: Duration,
    ) -> Result<Vec<Duration>, String> {
        let text = self.run(&[
            "-mode".into(),
            "latency".into(),
            "-workers".into(),
            workers.to_string(),
            "-jobs".into(),
            samples.to_string(),
            "-gap-us".into(),
            gap.as_micros().to_string(),
        ])?;
        Self::value(&text, "lat_ns")
            .ok_or_else(|| format!("unreadable gopool output: {text}"))?
            .split(',')
            .map(|v| {
                v.trim()
                    .parse()
                    .map(Duration::from_nanos)
                    .map_err(|e| format!("gopool latency {v:?}: {e}"))
            })
            .collect()
    }

    /// CPU time of the Go process during `idle` with an idle pool, and the
    /// wall time of that period.
    pub fn idle(&self, workers: usize, idle: Duration) -> Result<(Duration, Duration), String> {
        let text = self.run(&[
            "-mode".into(),
            "idle".into(),
            "-workers".into(),
            workers.to_string(),
            "-idle-ms".into(),
            idle.as_millis().to_string(),
        ])?;
        let get = |k| {
            Self::value(&text, k)
                .and_then(|v| v.parse().ok())
                .map(Duration::from_nanos)
                .ok_or_else(|| format!("unreadable gopool output: {text}"))
        };
        Ok((get("cpu_ns")?, get("wall_ns")?))
    }
}
