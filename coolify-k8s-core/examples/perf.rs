//! The workloads of the performance figures (README "Performance"), run by `scripts/bench.sh`
//! under wall-clock timing and under `valgrind --tool=callgrind` (instruction counts hold on
//! a noisy machine; wall times do not). Not a test: it asserts nothing about speed.
//!
//! ```text
//! perf translate DIR ROUNDS   every template in DIR: load + plan + build + to_yaml (P2)
//! perf floor DIR ROUNDS       the same files: serde-saphyr parse to a Value + emit (P2 floor)
//! perf floor-out DIR ROUNDS   serde-saphyr parse of the same files + emit of the translated
//!                             objects (the floor for output of the translation's size)
//! perf generated N ROUNDS     a generated project of N services, translated (P3)
//! perf generate N             print that project (for the PHP side and for reading)
//! ```
//! This binary uses the C library's allocator, as a Rust caller of the library gets by
//! default; `perf_mimalloc` is the same workloads with the allocator the CLI and the PHP
//! extension ship.
//! Each prints one line: `<mode> files=<n> rounds=<r> bytes=<b> total_ms=<t>
//! per_round_ms=<t/r> per_round_cpu_ms=<c/r>`.

use coolify_k8s_core::compose::interpolate::required_variables;
use coolify_k8s_core::compose::{NoFiles, SourceFile};
use coolify_k8s_core::{Options, Translator};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let number = |i: usize, default: usize| arg(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    match (arg(0), arg(1)) {
        (Some("translate"), Some(dir)) => run("translate", &corpus(dir), number(2, 1), translate),
        (Some("floor"), Some(dir)) => run("floor", &corpus(dir), number(2, 1), floor),
        (Some("floor-out"), Some(dir)) => {
            let inputs: Vec<Input> = corpus(dir).into_iter().map(Input::translated).collect();
            run("floor-out", &inputs, number(2, 1), floor_out)
        }
        (Some("generated"), Some(_)) => {
            let files = vec![generated(number(1, 10))];
            run("generated", &files, number(2, 1), translate)
        }
        (Some("generate"), Some(_)) => {
            print!("{}", generated(number(1, 10)).file.text);
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!(
                "usage: perf translate|floor DIR [ROUNDS] | generated N [ROUNDS] | generate N"
            );
            ExitCode::from(2)
        }
    }
}

/// Times `work` over every file, `rounds` times.
fn run(mode: &str, files: &[Input], rounds: usize, work: fn(&Input) -> usize) -> ExitCode {
    if files.is_empty() {
        eprintln!("perf: no input files");
        return ExitCode::from(1);
    }
    let start = Instant::now();
    let cpu_start = cpu_ms();
    let mut bytes = 0;
    for _ in 0..rounds {
        for f in files {
            bytes += work(f);
        }
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let cpu = cpu_ms()
        .zip(cpu_start)
        .map_or(f64::NAN, |(end, start)| end - start);
    println!(
        "{mode} files={} rounds={rounds} bytes={bytes} total_ms={ms:.1} per_round_ms={:.2} per_round_cpu_ms={:.1}",
        files.len(),
        ms / rounds as f64,
        cpu / rounds as f64
    );
    ExitCode::SUCCESS
}

/// A Compose file and the caller's values: one for each variable it requires (`${VAR:?}`),
/// as Coolify asks for them before a deploy.
struct Input {
    file: SourceFile,
    env: BTreeMap<String, String>,
    /// The translation's objects (`floor-out` only, made before the clock starts).
    objects: Vec<serde_json::Value>,
}

impl Input {
    fn new(file: SourceFile) -> Self {
        let env = required_variables(&file.text)
            .into_keys()
            .map(|name| (name, "value".to_string()))
            .collect();
        Self {
            file,
            env,
            objects: Vec::new(),
        }
    }

    fn translated(mut self) -> Self {
        let translator = Translator::new(Options {
            seed: Some("bench".into()),
            ..Default::default()
        });
        if let Ok(m) =
            translator.compose_files(std::slice::from_ref(&self.file), &self.env, &NoFiles)
        {
            self.objects = m.objects().to_vec();
        }
        self
    }
}

/// CPU time of this process so far (user + system, from `/proc/self/stat` in clock ticks of
/// 10 ms): on a shared machine it is closer to the idle wall time than the wall time is.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

/// One translation as the PHP extension makes it: `compose()` then `to_yaml()`. A template
/// that does not translate costs its failed attempt.
fn translate(input: &Input) -> usize {
    let translator = Translator::new(Options {
        seed: Some("bench".into()),
        ..Default::default()
    });
    let m = translator.compose_files(std::slice::from_ref(&input.file), &input.env, &NoFiles);
    black_box(m.map(|m| m.to_yaml().len()).unwrap_or(0))
}

/// The floor: what any YAML-in, YAML-out tool pays for the same text with the same library.
fn floor(input: &Input) -> usize {
    let v: Result<serde_json::Value, _> = serde_saphyr::from_str(&input.file.text);
    let out = v.ok().and_then(|v| serde_saphyr::to_string(&v).ok());
    black_box(out.map_or(0, |s| s.len()))
}

/// The floor for output as large as the translation's: the same parse, then serde-saphyr
/// emitting the translated objects as `to_yaml` does (one document each).
fn floor_out(input: &Input) -> usize {
    let v: Result<serde_json::Value, _> = serde_saphyr::from_str(&input.file.text);
    black_box(v.is_ok());
    let emitted = input
        .objects
        .iter()
        .filter_map(|o| serde_saphyr::to_string(o).ok());
    black_box(emitted.map(|s| s.len()).sum())
}

/// The corpus templates in DIR, sorted by name.
fn corpus(dir: &str) -> Vec<Input> {
    let Ok(entries) = std::fs::read_dir(Path::new(dir)) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .filter_map(|p| {
            Some(Input::new(SourceFile {
                text: std::fs::read_to_string(&p).ok()?,
                name: p.to_string_lossy().into_owned(),
            }))
        })
        .collect()
}

/// A project of `n` services in Coolify's dialect, each with environment, a named volume,
/// a health check, a route (`SERVICE_FQDN_*`) and a dependency on the service before it.
fn generated(n: usize) -> Input {
    let mut text = String::from("services:\n");
    for i in 0..n {
        let _ = writeln!(text, "  app{i}:");
        let _ = writeln!(text, "    image: 'nginx:1.27'");
        let _ = writeln!(text, "    environment:");
        let _ = writeln!(text, "      - SERVICE_FQDN_APP{i}_80");
        let _ = writeln!(text, "      - 'LOG_LEVEL=${{LOG_LEVEL:-info}}'");
        let _ = writeln!(
            text,
            "      - 'UPSTREAM=http://app{}:80'",
            i.saturating_sub(1)
        );
        let _ = writeln!(text, "    volumes:");
        let _ = writeln!(text, "      - 'app{i}-data:/var/lib/app'");
        let _ = writeln!(text, "    healthcheck:");
        let _ = writeln!(
            text,
            "      test: ['CMD', 'wget', '-q', '--spider', 'http://127.0.0.1:80/']"
        );
        let _ = writeln!(text, "      interval: 5s");
        let _ = writeln!(text, "      retries: 10");
        if i > 0 {
            let _ = writeln!(text, "    depends_on:");
            let _ = writeln!(text, "      app{}:", i - 1);
            let _ = writeln!(text, "        condition: service_healthy");
        }
    }
    Input::new(SourceFile {
        name: format!("generated-{n}.yaml"),
        text,
    })
}
