//! Running one measurement in a child process with a deadline, so that a
//! peer that wedges *inside* a call (a thread that never returns from
//! `enqueue`, which no watchdog between calls can see) costs the parent a
//! deadline, not a hang.
//!
//! The parent spawns the child (usually its own executable, re-run with
//! arguments that name the measurement), reads its standard output and
//! error on two threads, and polls it until it exits or the deadline passes.
//! At the deadline it reads the child's CPU time twice, a quarter of a second
//! apart (`/proc/PID/stat`), kills it, and says whether it was using CPU
//! (a livelock: threads spinning without progress) or not (blocked).

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How a child run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The child exited by itself.
    Exited {
        /// Exit status 0.
        success: bool,
        /// What it printed on standard output.
        stdout: String,
        /// What it printed on standard error (a panic message, say).
        stderr: String,
    },
    /// The deadline passed and the child was killed.
    Killed {
        /// The child used more than a tenth of a core in the last quarter
        /// second before the kill: threads spinning inside a call (a livelock),
        /// rather than asleep (blocked).
        spinning: bool,
        /// What it had printed on standard output by then.
        stdout: String,
    },
    /// The child could not be started or waited for.
    Failed(String),
}

/// Runs `command` with piped output until it exits or `deadline` passes.
pub fn run(mut command: Command, deadline: Duration) -> Outcome {
    let started = Instant::now();
    let mut child = match command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => return Outcome::Failed(format!("spawning {command:?}: {e}")),
    };
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let mut pause = Duration::from_micros(200);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                return Outcome::Exited {
                    success: status.success(),
                    stdout: stdout.join().unwrap_or_default(),
                    stderr: stderr.join().unwrap_or_default(),
                };
            }
            Ok(None) if started.elapsed() < deadline => {
                thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(10));
            }
            Ok(None) => return kill(child, stdout, stderr),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Outcome::Failed(format!("waiting for the child: {e}"));
            }
        }
    }
}

/// Kills a child past its deadline, after measuring whether it spins.
fn kill(
    mut child: Child,
    stdout: thread::JoinHandle<String>,
    stderr: thread::JoinHandle<String>,
) -> Outcome {
    const WINDOW: Duration = Duration::from_millis(250);
    let before = cpu_time(child.id());
    thread::sleep(WINDOW);
    let after = cpu_time(child.id());
    let spinning = match (before, after) {
        // A tenth of a core: a spinning thread on a loaded machine may get
        // far less than a whole one; a sleeping process gets none.
        (Some(b), Some(a)) => a.saturating_sub(b) * 10 > WINDOW,
        _ => false,
    };
    let _ = child.kill();
    let _ = child.wait();
    let _ = stderr.join();
    Outcome::Killed {
        spinning,
        stdout: stdout.join().unwrap_or_default(),
    }
}

/// Reads a pipe to its end on its own thread.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

/// User plus system CPU time of process `pid`, all its threads
/// (`/proc/PID/stat` fields 14 and 15); `None` off Linux or once it is gone.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3, so fields 14 and 15 are at 11 and 12.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let hz = if hz > 0 { hz as f64 } else { 100.0 };
    Some(Duration::from_secs_f64((utime + stime) as f64 / hz))
}

/// The value of `key=VALUE` among the whitespace-separated words of the
/// child's output (the format every child of the report prints).
pub fn field(stdout: &str, key: &str) -> Option<u64> {
    stdout
        .split_whitespace()
        .filter_map(|word| word.split_once('='))
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| v.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exiting_child_is_read() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo ns=42; echo oops >&2; exit 3"]);
        match run(cmd, Duration::from_secs(20)) {
            Outcome::Exited {
                success,
                stdout,
                stderr,
            } => {
                assert!(!success);
                assert_eq!(field(&stdout, "ns"), Some(42));
                assert_eq!(stderr.trim(), "oops");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_spinning_child_is_killed_at_the_deadline() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "while :; do :; done"]);
        let t0 = Instant::now();
        let outcome = run(cmd, Duration::from_millis(300));
        assert!(t0.elapsed() < Duration::from_secs(10));
        assert!(matches!(outcome, Outcome::Killed { .. }), "{outcome:?}");
    }

    #[test]
    fn a_sleeping_child_is_killed_and_not_spinning() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo started; exec sleep 30"]);
        let outcome = run(cmd, Duration::from_millis(200));
        assert!(
            matches!(
                outcome,
                Outcome::Killed {
                    spinning: false,
                    ..
                }
            ),
            "{outcome:?}"
        );
        match outcome {
            Outcome::Killed { stdout, .. } => assert_eq!(stdout.trim(), "started"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
