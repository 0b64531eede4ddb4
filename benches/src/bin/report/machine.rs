//! What machine the report ran on: CPU model, cores, memory, OS, kernel,
//! date, load, read from /proc/cpuinfo, /proc/meminfo, /etc/os-release,
//! /proc/loadavg, `uname -srm` and `date -u`; and the process's peak
//! resident set (VmHWM in /proc/self/status).

use std::fs;
use std::process::Command;

/// The facts the report prints about its machine.
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory: String,
    pub os: String,
    pub kernel: String,
    pub date: String,
}

fn field<'a>(text: &'a str, key: &str, sep: char) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(sep)?;
        (k.trim() == key).then(|| v.trim())
    })
}

fn command(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

impl Machine {
    /// Reads the facts; anything unreadable shows as "unknown".
    pub fn read() -> Self {
        let unknown = || "unknown".to_string();
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let os_release = fs::read_to_string("/etc/os-release").unwrap_or_default();
        let cpu = field(&cpuinfo, "model name", ':').map_or_else(unknown, str::to_string);
        let memory = field(&meminfo, "MemTotal", ':')
            .and_then(|v| v.trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or_else(unknown, |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0));
        let os = field(&os_release, "PRETTY_NAME", '=')
            .map_or_else(unknown, |v| v.trim_matches('"').to_string());
        Self {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory,
            os,
            kernel: command("uname", &["-srm"]).unwrap_or_else(unknown),
            date: command("date", &["-u", "+%Y-%m-%d %H:%M:%S UTC"]).unwrap_or_else(unknown),
        }
    }
}

/// /proc/loadavg's three load averages.
pub fn load() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_string())
}

/// The process's peak resident set (VmHWM), in kB.
pub fn vm_hwm_kb() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    field(&status, "VmHWM", ':')?
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The machine-wide CPU counters of /proc/stat's `cpu` line, in clock ticks:
/// (busy, steal, total). Busy is user + nice + system + irq + softirq.
pub fn cpu_ticks() -> Option<(u64, u64, u64)> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    if v.len() < 8 {
        return None;
    }
    // user nice system idle iowait irq softirq steal
    let busy = v[0] + v[1] + v[2] + v[5] + v[6];
    let total: u64 = v.iter().take(8).sum();
    Some((busy, v[7], total))
}

/// Clock ticks per second (`sysconf(_SC_CLK_TCK)`).
pub fn ticks_per_second() -> f64 {
    // SAFETY: `sysconf` has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as f64 } else { 100.0 }
}

/// CPU time (user + system) of this process's finished children (the Go
/// runs), from `getrusage(RUSAGE_CHILDREN)`.
pub fn children_cpu() -> std::time::Duration {
    // SAFETY: `getrusage` writes the zeroed `rusage` we pass it; a valid
    // `who`.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) != 0 {
            return std::time::Duration::ZERO;
        }
        usage
    };
    let tv = |t: libc::timeval| std::time::Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}
