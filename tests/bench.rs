//! The benchmark keeps working: `bbs-bench --quick` (built by `cargo test` with the other
//! examples) runs against the real binary, and every figure it reports is a measurement.

use std::process::Command;

/// The example binary cargo built beside this test binary (target/<profile>/examples/).
fn bench_binary() -> std::path::PathBuf {
    let me = std::env::current_exe().expect("current exe");
    let profile_dir = me
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    profile_dir.join("examples").join("bbs-bench")
}

#[test]
fn the_quick_benchmark_measures_every_figure() {
    let bench = bench_binary();
    assert!(bench.exists(), "{} was not built", bench.display());
    let out = Command::new(&bench)
        .args(["--quick", "--bbs", env!("CARGO_BIN_EXE_bbs")])
        .output()
        .expect("run bbs-bench");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "bbs-bench failed:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("| sessions held | 40 of 40 |"), "{report}");
    // Every row's value starts with a number: nothing left unmeasured (NaN) or empty.
    let rows: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| measure"))
        .collect();
    for needed in [
        "connect + auth + first screen",
        "server CPU per connect",
        "memory per session",
        "key → settled screen",
        "bytes per key",
        "open readers",
        "board page",
        "thread page",
        "a common word",
        "a rare word",
        "two words",
        "durable posts/s",
        "cold start",
    ] {
        let row = rows
            .iter()
            .find(|r| r.contains(needed))
            .unwrap_or_else(|| panic!("no {needed:?} row in:\n{report}"));
        let value = row.rsplit(" | ").next().unwrap_or_default();
        assert!(
            value.trim_start().starts_with(|c: char| c.is_ascii_digit()) && !row.contains("NaN"),
            "{needed:?} was not measured: {row}"
        );
    }
}
