//! `bbs-bench`: measures Haven against the targets of DESIGN.md §10, on loopback, and stops by
//! itself. It provisions members through the admin path, starts `bbs serve` on a free port
//! with a temporary data dir, drives sessions with russh's client from many 127.x sources, and
//! seeds a large store in-process. See BENCHMARKS.md for a full run and what it found.
//!
//! ```sh
//! cargo build --release --examples --bins
//! target/release/examples/bbs-bench --out bench.md          # the full run (minutes)
//! target/debug/examples/bbs-bench --quick                    # under a minute (CI runs it)
//! ```

mod client;
mod server;
mod sshd;
mod stats;
mod store;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use tokio::sync::Semaphore;

use client::{Session, source};
use stats::{Samples, cpu_time, own_cpu, rss_kib};

#[derive(Parser)]
#[command(about = "Measure Haven on loopback: sessions, keys, fan-out and the store at scale")]
struct Args {
    /// Small sizes, under a minute: keeps the benchmark from rotting (CI).
    #[arg(long)]
    quick: bool,
    /// The `bbs` binary to measure (default: beside this one's directory).
    #[arg(long)]
    bbs: Option<PathBuf>,
    /// Sessions to connect and hold.
    #[arg(long)]
    sessions: Option<usize>,
    /// Typing-session counts to measure key latency at, comma-separated.
    #[arg(long, value_delimiter = ',')]
    typing: Option<Vec<usize>>,
    /// Sessions with the thread open when a reply is posted.
    #[arg(long)]
    readers: Option<usize>,
    /// Posts to seed the store with.
    #[arg(long)]
    posts: Option<usize>,
    /// Skip the SSH measures (store only), or the store (SSH only).
    #[arg(long)]
    no_ssh: bool,
    #[arg(long)]
    no_store: bool,
    /// Skip the comparison with OpenSSH's sshd.
    #[arg(long)]
    no_sshd: bool,
    /// Also write the report to this file.
    #[arg(long)]
    out: Option<PathBuf>,
}

struct Plan {
    sessions: usize,
    typing: Vec<usize>,
    readers: usize,
    typing_secs: f64,
    idle_secs: u64,
    posts: usize,
    boards: usize,
    samples: usize,
    write_secs: f64,
}

impl Plan {
    fn of(args: &Args) -> Plan {
        let mut plan = if args.quick {
            Plan {
                sessions: 40,
                typing: vec![20],
                readers: 10,
                typing_secs: 2.0,
                idle_secs: 2,
                posts: 20_000,
                boards: 10,
                samples: 40,
                write_secs: 1.0,
            }
        } else {
            Plan {
                sessions: 10_000,
                typing: vec![100, 1000, 5000],
                readers: 500,
                typing_secs: 10.0,
                // Past the server's idle frame drop (30 s).
                idle_secs: 40,
                posts: 1_000_000,
                boards: 100,
                samples: 200,
                write_secs: 5.0,
            }
        };
        if let Some(n) = args.sessions {
            plan.sessions = n;
        }
        if let Some(t) = &args.typing {
            plan.typing = t.clone();
        }
        if let Some(r) = args.readers {
            plan.readers = r;
        }
        if let Some(p) = args.posts {
            plan.posts = p;
        }
        let most = plan.typing.iter().copied().max().unwrap_or(0);
        plan.sessions = plan.sessions.max(most).max(plan.readers + 1);
        plan
    }
}

/// What each SSH measure found.
#[derive(Default)]
struct SshReport {
    started_in: Duration,
    held: usize,
    failures: Vec<String>,
    connect: Samples,
    connect_rate: f64,
    server_cpu_per_connect: Duration,
    base_rss: u64,
    active_rss: u64,
    idle_rss: u64,
    idle_secs: u64,
    typing: Vec<(usize, Samples, Samples, f64, usize)>,
    fanout: Samples,
    fanout_readers: usize,
    /// Sessions neither posting nor reading, and what they were sent in the seconds after
    /// the reply: (sessions, how many were sent anything, bytes in all).
    fanout_idle: (usize, usize, u64),
    bench_cpu: Duration,
    wall: Duration,
    /// How late this process's 10 ms timer woke, so an overloaded bench shows.
    lag: Samples,
}

/// Connects `n` sessions, 16 handshakes in flight, each waiting for its first screen.
async fn connect_all(
    addr: std::net::SocketAddr,
    user: &str,
    keys: &[(String, russh::keys::PrivateKey)],
    connect: &mut Samples,
    failures: &mut Vec<String>,
) -> Vec<Session> {
    let gate = Arc::new(Semaphore::new(16));
    let mut tasks = Vec::with_capacity(keys.len());
    for (i, (_, key)) in keys.iter().enumerate() {
        let gate = gate.clone();
        let key = key.clone();
        let user = user.to_string();
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.expect("gate");
            let began = Instant::now();
            Session::open(addr, source(i), &user, &key, "Boards")
                .await
                .map(|s| (s, began.elapsed()))
        }));
    }
    let mut sessions = Vec::with_capacity(keys.len());
    for t in tasks {
        match t.await.expect("connect task") {
            Ok((s, took)) => {
                connect.push(took);
                sessions.push(s);
            }
            Err(e) => failures.push(format!("connect: {e}")),
        }
    }
    sessions
}

/// `typing` sessions each press j/k about four times a second for `secs`.
async fn type_keys(sessions: &mut [Session], secs: f64) -> (Samples, Samples, f64, usize) {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let tasks: Vec<_> = sessions
        .iter_mut()
        .enumerate()
        .map(|(i, s)| async move {
            let mut first = Samples::default();
            let mut settled = Samples::default();
            let mut bytes = 0;
            let mut errors = 0;
            // Spread the starts over the first quarter second.
            tokio::time::sleep(Duration::from_millis((i as u64 * 37) % 250)).await;
            let mut down = true;
            while Instant::now() < deadline {
                let key: &[u8] = if down { b"j" } else { b"k" };
                down = !down;
                match s.key(key, Duration::from_millis(30)).await {
                    Ok((f, l, b)) => {
                        first.push(f);
                        settled.push(l);
                        bytes += b;
                    }
                    Err(_) => errors += 1,
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            (first, settled, bytes, errors)
        })
        .collect();
    let results = futures_join(tasks).await;
    let mut first = Samples::default();
    let mut settled = Samples::default();
    let (mut bytes, mut errors) = (0u64, 0usize);
    for (f, s, b, e) in results {
        first.extend(f);
        settled.extend(s);
        bytes += b;
        errors += e;
    }
    let per_key = bytes as f64 / first.len().max(1) as f64;
    (first, settled, per_key, errors)
}

/// A line on stderr saying what the bench is doing (a full run takes a quarter of an hour).
fn progress(what: &str) {
    static BEGAN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let began = BEGAN.get_or_init(Instant::now);
    eprintln!(
        "[bbs-bench {:>6.1} s] {what}",
        began.elapsed().as_secs_f64()
    );
}

/// Runs futures that borrow from the caller concurrently on this task.
async fn futures_join<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in pinned.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|v| v.expect("done")).collect()
}

/// A reply posted in a thread that `readers` sessions have open: the time until each shows it.
async fn fan_out(poster: &mut Session, readers: &mut [Session]) -> Result<Samples, String> {
    let within = Duration::from_secs(30);
    // The poster starts a thread on the first board (the welcome board, open to everyone).
    // `g` first: typing moved the selection.
    poster.send(b"g\r").await?;
    poster.wait_for("new thread", within).await?;
    poster.send(b"c").await?;
    poster.wait_for("Ctrl-S", within).await?;
    poster.send(b"Fanout thread").await?;
    poster.drain(Duration::from_millis(100)).await;
    // Past the content-warning field to the body.
    poster.send(b"\t\t").await?;
    poster.drain(Duration::from_millis(100)).await;
    poster.send(b"The first post.").await?;
    poster.drain(Duration::from_millis(100)).await;
    poster.send(b"\x13").await?;
    poster.wait_for("Posted.", within).await?;
    let opened = futures_join(
        readers
            .iter_mut()
            .map(|r| async move {
                r.send(b"g\r").await?;
                r.wait_for("Fanout thread", within).await?;
                r.send(b"\r").await?;
                r.wait_for("The first post.", within).await?;
                r.drain(Duration::from_millis(50)).await;
                Ok::<(), String>(())
            })
            .collect(),
    )
    .await;
    for o in opened {
        o?;
    }
    // A pause, so the readers' opening work is over before the reply (and a profiler started
    // at this line sees the fan-out alone).
    progress(&format!(
        "fan-out: {} readers have the thread open; reply in 1 s",
        readers.len()
    ));
    tokio::time::sleep(Duration::from_secs(1)).await;
    poster.send(b"r").await?;
    poster.wait_for("Reply to", within).await?;
    poster.send(b"Fanout reply marker").await?;
    poster.drain(Duration::from_millis(100)).await;
    let sent = Instant::now();
    poster.send(b"\x13").await?;
    let arrived = futures_join(
        readers
            .iter_mut()
            .map(|r| r.wait_for("Fanout reply marker", within))
            .collect(),
    )
    .await;
    let mut samples = Samples::default();
    for a in arrived {
        samples.push(a? - sent);
    }
    Ok(samples)
}

async fn run_ssh(bbs: &std::path::Path, plan: &Plan) -> SshReport {
    let began = Instant::now();
    let cpu_began = own_cpu();
    let mut report = SshReport {
        idle_secs: plan.idle_secs,
        ..SshReport::default()
    };
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let lag = tokio::spawn({
        let stop = stop.clone();
        async move {
            let mut lag = Samples::default();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let t = Instant::now();
                tokio::time::sleep(Duration::from_millis(10)).await;
                lag.push(t.elapsed().saturating_sub(Duration::from_millis(10)));
            }
            lag
        }
    });
    let keys = server::keys(plan.sessions);
    let server = server::start(bbs, &keys, plan.sessions + 16);
    report.started_in = server.started_in;
    tokio::time::sleep(Duration::from_millis(500)).await;
    report.base_rss = rss_kib(server.pid()).unwrap_or(0);
    let cpu_before = cpu_time(server.pid()).unwrap_or_default();
    progress(&format!(
        "server up (pid {}); connecting {} sessions",
        server.pid(),
        keys.len()
    ));
    let connect_began = Instant::now();
    let mut sessions = connect_all(
        server.addr,
        "member",
        &keys,
        &mut report.connect,
        &mut report.failures,
    )
    .await;
    report.connect_rate = sessions.len() as f64 / connect_began.elapsed().as_secs_f64();
    let cpu_after = cpu_time(server.pid()).unwrap_or_default();
    report.server_cpu_per_connect =
        cpu_after.saturating_sub(cpu_before) / sessions.len().max(1) as u32;
    report.held = sessions.len();
    tokio::time::sleep(Duration::from_secs(1)).await;
    report.active_rss = rss_kib(server.pid()).unwrap_or(0);
    progress(&format!(
        "{} held; idle for {} s",
        report.held, plan.idle_secs
    ));
    tokio::time::sleep(Duration::from_secs(plan.idle_secs)).await;
    report.idle_rss = rss_kib(server.pid()).unwrap_or(0);

    for &n in &plan.typing {
        let n = n.min(sessions.len());
        progress(&format!("typing in {n} sessions"));
        let (first, settled, per_key, errors) =
            type_keys(&mut sessions[..n], plan.typing_secs).await;
        if errors > 0 {
            report
                .failures
                .push(format!("typing at {n}: {errors} keys went unanswered"));
        }
        report.typing.push((n, first, settled, per_key, errors));
    }

    if sessions.len() > plan.readers {
        let (poster, rest) = sessions.split_first_mut().expect("a poster");
        let (readers, others) = rest.split_at_mut(plan.readers);
        // Sessions that typed in the last phases are not idle: their list reloads within a
        // second of a change, as it should. The rest have had no key for longer than the
        // server's idle frame drop.
        let typed = plan.typing.iter().copied().max().unwrap_or(0);
        let others = &others[typed.saturating_sub(plan.readers + 1).min(others.len())..];
        progress(&format!(
            "fan-out: {} readers open the thread",
            readers.len()
        ));
        let before: Vec<u64> = others.iter().map(|s| s.bytes()).collect();
        match fan_out(poster, readers).await {
            Ok(s) => {
                report.fanout_readers = s.len();
                report.fanout = s;
            }
            Err(e) => report.failures.push(format!("fan-out: {e}")),
        }
        // Past the lists' reload delay (under a second): idle sessions are sent nothing.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let sent: Vec<u64> = others
            .iter()
            .zip(&before)
            .map(|(s, b)| s.bytes() - b)
            .collect();
        report.fanout_idle = (
            sent.len(),
            sent.iter().filter(|&&b| b > 0).count(),
            sent.iter().sum(),
        );
    }
    for s in sessions {
        s.close().await;
    }
    drop(server);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    report.lag = lag.await.expect("lag probe");
    report.bench_cpu = own_cpu().saturating_sub(cpu_began);
    report.wall = began.elapsed();
    report
}

/// What the same measures found against sshd running `bbs console`.
#[derive(Default)]
struct SshdReport {
    held: usize,
    connect: Samples,
    cpu_per_connect: Duration,
    pss_per_session: f64,
    typing: usize,
    settled: Samples,
    per_key: f64,
    failures: Vec<String>,
}

async fn run_sshd(bbs: &std::path::Path, n: usize, typing: usize) -> Result<SshdReport, String> {
    let keys = server::keys(n);
    let sshd = sshd::start(bbs, &keys)?;
    let mut r = SshdReport::default();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let base = sshd::tree_pss_kib(sshd.pid());
    let cpu_before = sshd::tree_cpu(sshd.pid());
    let mut sessions = connect_all(
        sshd.addr,
        &sshd.user,
        &keys,
        &mut r.connect,
        &mut r.failures,
    )
    .await;
    r.held = sessions.len();
    tokio::time::sleep(Duration::from_secs(1)).await;
    r.cpu_per_connect =
        sshd::tree_cpu(sshd.pid()).saturating_sub(cpu_before) / r.held.max(1) as u32;
    r.pss_per_session =
        sshd::tree_pss_kib(sshd.pid()).saturating_sub(base) as f64 / r.held.max(1) as f64;
    let t = typing.min(sessions.len());
    let (_, settled, per_key, errors) = type_keys(&mut sessions[..t], 5.0).await;
    if errors > 0 {
        r.failures
            .push(format!("sshd typing: {errors} keys unanswered"));
    }
    r.typing = t;
    r.settled = settled;
    r.per_key = per_key;
    for s in sessions {
        s.close().await;
    }
    drop(sshd);
    Ok(r)
}

fn sshd_section(out: &mut String, haven: &SshReport, sshd: &Result<SshdReport, String>) {
    let _ = writeln!(
        out,
        "## Against OpenSSH sshd running `bbs console` (same run)\n"
    );
    let s = match sshd {
        Ok(s) if s.held == 0 => {
            let _ = writeln!(
                out,
                "Not measured: no session through sshd got its first screen.\n"
            );
            for f in s.failures.iter().take(5) {
                let _ = writeln!(out, "- sshd failure: {f}");
            }
            return;
        }
        Ok(s) => s,
        Err(why) => {
            let _ = writeln!(out, "Not measured: {why}.\n");
            return;
        }
    };
    let haven_per =
        haven.active_rss.saturating_sub(haven.base_rss) as f64 / haven.held.max(1) as f64;
    let haven_key = haven
        .typing
        .iter()
        .min_by_key(|(n, ..)| n.abs_diff(s.typing))
        .map(|(n, _, settled, per_key, _)| (*n, settled.clone(), *per_key));
    let ratio = |sshd: f64, haven: f64| {
        if haven > 0.0 {
            format!("{:.1}×", sshd / haven)
        } else {
            "n/a".into()
        }
    };
    let _ = writeln!(
        out,
        "| measure | Haven | sshd + bbs console | sshd / Haven |\n|---|---|---|---|"
    );
    let _ = writeln!(out, "| sessions | {} | {} | |", haven.held, s.held);
    let _ = writeln!(
        out,
        "| connect + auth + first screen p50 | {:.1} ms | {:.1} ms | {} |",
        haven.connect.ms(50.0),
        s.connect.ms(50.0),
        ratio(s.connect.ms(50.0), haven.connect.ms(50.0))
    );
    let h_cpu = haven.server_cpu_per_connect.as_secs_f64() * 1000.0;
    let s_cpu = s.cpu_per_connect.as_secs_f64() * 1000.0;
    let _ = writeln!(
        out,
        "| server CPU per connect | {h_cpu:.2} ms | {s_cpu:.2} ms | {} |",
        ratio(s_cpu, h_cpu)
    );
    let _ = writeln!(
        out,
        "| memory per session (Haven RSS, sshd tree PSS) | {haven_per:.0} KiB | {:.0} KiB | {} |",
        s.pss_per_session,
        ratio(s.pss_per_session, haven_per)
    );
    if let Some((n, settled, per_key)) = haven_key {
        let _ = writeln!(
            out,
            "| key → settled p50 (Haven at {n}, sshd at {} typing) | {:.2} ms | {:.2} ms | {} |",
            s.typing,
            settled.ms(50.0),
            s.settled.ms(50.0),
            ratio(s.settled.ms(50.0), settled.ms(50.0))
        );
        let _ = writeln!(
            out,
            "| bytes per key | {per_key:.0} | {:.0} | {} |",
            s.per_key,
            ratio(s.per_key, per_key)
        );
    }
    for f in s.failures.iter().take(5) {
        let _ = writeln!(out, "\n- sshd failure: {f}");
    }
    let _ = writeln!(out);
}

fn ssh_section(out: &mut String, r: &SshReport, plan: &Plan) {
    let kib = |v: u64| format!("{v} KiB");
    let per = |rss: u64| {
        if r.held == 0 {
            return "n/a".to_string();
        }
        format!(
            "{:.0} KiB",
            rss.saturating_sub(r.base_rss) as f64 / r.held as f64
        )
    };
    let _ = writeln!(
        out,
        "## Sessions over SSH (russh client, 80×24, 16 handshakes in flight)\n"
    );
    let _ = writeln!(out, "| measure | value |\n|---|---|");
    let _ = writeln!(
        out,
        "| server start to port open | {:.0} ms |",
        r.started_in.as_secs_f64() * 1000.0
    );
    let _ = writeln!(out, "| sessions held | {} of {} |", r.held, plan.sessions);
    let _ = writeln!(
        out,
        "| connect + auth + first screen p50/p90/p99 | {} |",
        r.connect.summary()
    );
    let _ = writeln!(out, "| connect rate | {:.0} sessions/s |", r.connect_rate);
    let _ = writeln!(
        out,
        "| server CPU per connect | {:.2} ms |",
        r.server_cpu_per_connect.as_secs_f64() * 1000.0
    );
    let _ = writeln!(
        out,
        "| server RSS: empty / all held / after {} s idle | {} / {} / {} |",
        r.idle_secs,
        kib(r.base_rss),
        kib(r.active_rss),
        kib(r.idle_rss)
    );
    let _ = writeln!(
        out,
        "| memory per session: active / idle | {} / {} |",
        per(r.active_rss),
        per(r.idle_rss)
    );
    for (n, first, settled, per_key, _) in &r.typing {
        let _ = writeln!(
            out,
            "| key → first byte p50/p99 at {n} typing | {:.2} / {:.2} ms |",
            first.ms(50.0),
            first.ms(99.0)
        );
        let _ = writeln!(
            out,
            "| key → settled screen p50/p99 at {n} typing | {:.2} / {:.2} ms ({} keys) |",
            settled.ms(50.0),
            settled.ms(99.0),
            settled.len()
        );
        let _ = writeln!(out, "| bytes per key at {n} typing | {per_key:.0} |");
    }
    let _ = writeln!(
        out,
        "| reply → shown to {} open readers p50/p99 | {:.1} / {:.1} ms |",
        r.fanout_readers,
        r.fanout.ms(50.0),
        r.fanout.ms(99.0)
    );
    let (idle, touched, idle_bytes) = r.fanout_idle;
    let _ = writeln!(
        out,
        "| idle sessions on the board list (no key for over 30 s) in the 1.5 s after the reply: how many / sent anything / bytes | {idle} / {touched} / {idle_bytes} |"
    );
    let _ = writeln!(
        out,
        "| bench's own CPU / wall time | {:.1} s / {:.1} s |",
        r.bench_cpu.as_secs_f64(),
        r.wall.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "| bench's timer lag p50/p99 (is the client the bottleneck?) | {:.2} / {:.2} ms |",
        r.lag.ms(50.0),
        r.lag.ms(99.0)
    );
    let _ = writeln!(out);
}

fn store_section(out: &mut String, r: &store::StoreReport) {
    let p95 = |s: &Samples| format!("{:.2} ms p95 ({:.2} p50)", s.ms(95.0), s.ms(50.0));
    let _ = writeln!(
        out,
        "## The store at {} posts over {} boards (SQLCipher, in-process)\n",
        r.posts, r.boards
    );
    let _ = writeln!(out, "| measure | value |\n|---|---|");
    let _ = writeln!(
        out,
        "| seeding | {:.1} s ({:.0} posts/s) |",
        r.seeded_in.as_secs_f64(),
        r.posts as f64 / r.seeded_in.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "| database size | {:.1} MiB |",
        r.db_bytes as f64 / 1_048_576.0
    );
    let _ = writeln!(out, "| board list | {} |", p95(&r.board_list));
    let _ = writeln!(out, "| board page (20 threads) | {} |", p95(&r.board_page));
    let _ = writeln!(out, "| thread page | {} |", p95(&r.thread_page));
    let _ = writeln!(
        out,
        "| search, a common word ({:?}) | {} |",
        store::COMMON,
        p95(&r.search_common)
    );
    let _ = writeln!(
        out,
        "| search, a rare word ({:?}) | {} |",
        store::RARE,
        p95(&r.search_rare)
    );
    let _ = writeln!(
        out,
        "| search, two words ({:?}) | {} |",
        store::PHRASE,
        p95(&r.search_phrase)
    );
    let _ = writeln!(
        out,
        "| durable posts/s, {} writers | {:.0} |",
        r.writers, r.durable_posts_per_s
    );
    let _ = writeln!(
        out,
        "| cold start (open the store) | {:.0} ms |",
        r.cold_start.as_secs_f64() * 1000.0
    );
    let _ = writeln!(out);
}

fn main() {
    let args = Args::parse();
    let plan = Plan::of(&args);
    let bbs = args.bbs.clone().unwrap_or_else(|| {
        let me = std::env::current_exe().expect("current exe");
        me.parent()
            .and_then(|d| d.parent())
            .map(|d| d.join("bbs"))
            .expect("a target dir")
    });
    // Absolute: sshd runs `bbs console` from another directory.
    let bbs = std::fs::canonicalize(&bbs).unwrap_or(bbs);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# bbs-bench{}\n\n{} cores; bbs: {}\n",
        if args.quick { " --quick" } else { "" },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        bbs.display()
    );
    let mut failed = false;
    if !args.no_ssh {
        // Each session holds a socket here: raise the soft limit to the hard one.
        raise_fd_limit();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let report = runtime.block_on(run_ssh(&bbs, &plan));
        ssh_section(&mut out, &report, &plan);
        if !args.no_sshd {
            // Each sshd session is two processes (sshd and `bbs console`): a few hundred.
            let n = plan.sessions.min(if args.quick { 10 } else { 300 });
            let typing = n.min(100);
            progress(&format!("sshd: {n} sessions through OpenSSH"));
            let sshd = runtime.block_on(run_sshd(&bbs, n, typing));
            sshd_section(&mut out, &report, &sshd);
        }
        if !report.failures.is_empty() {
            failed = true;
            let _ = writeln!(out, "### Failures\n");
            for f in report.failures.iter().take(20) {
                let _ = writeln!(out, "- {f}");
            }
            let _ = writeln!(out);
        }
    }
    if !args.no_store {
        progress(&format!("store: seeding {} posts", plan.posts));
        let report = store::run(plan.posts, plan.boards, plan.samples, plan.write_secs);
        store_section(&mut out, &report);
    }
    print!("{out}");
    if let Some(path) = &args.out {
        std::fs::write(path, &out).expect("write the report");
    }
    if failed {
        std::process::exit(1);
    }
}

fn raise_fd_limit() {
    // SAFETY: getrlimit/setrlimit are given a valid, initialised struct.
    unsafe {
        let mut l = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) == 0 {
            l.rlim_cur = l.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &l);
        }
    }
}
