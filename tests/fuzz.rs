//! A bounded pass of the fuzz targets (`fuzz/`), run by `cargo test`: each
//! target gets every seed in `fuzz/seeds/<target>/` and a few thousand
//! mutations of them, chosen by a fixed-seed generator so that a failure
//! reproduces. The point is what libFuzzer checks too: no input panics,
//! overflows a stack or hangs. The long runs are cargo-fuzz's
//! (fuzz/README.md); this keeps their findings from coming back.

use std::path::Path;

use rand::{Rng, SeedableRng, rngs::StdRng};

/// Mutations tried per target.
const MUTATIONS: usize = 3_000;

/// Bytes that change the structure of the inputs the targets read.
const STRUCTURE: &[&[u8]] = &[
    b"[",
    b"]",
    b"{",
    b"}",
    b"(",
    b")",
    b"\"",
    b"\"\"\"",
    b"\\",
    b"#",
    b"\n",
    b"...",
    b"@",
    b"$",
    b":",
    b",",
    b"%",
    b"&",
    b"=",
    b"--herald\r\n",
    b"\r\n\r\n",
    b"\0",
    b"\xff",
];

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect();
    assert!(!seeds.is_empty(), "no seeds for {target}");
    seeds.sort();
    seeds
}

/// One random change: a byte flipped, structure inserted (sometimes many
/// times over), a slice repeated, or a cut.
fn mutate(rng: &mut StdRng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    let at = |rng: &mut StdRng, len: usize| if len == 0 { 0 } else { rng.gen_range(0..=len) };
    for _ in 0..rng.gen_range(1..4) {
        match rng.gen_range(0..5) {
            0 if !out.is_empty() => {
                let i = rng.gen_range(0..out.len());
                out[i] ^= 1 << rng.gen_range(0..8);
            }
            1 => {
                let piece = STRUCTURE[rng.gen_range(0..STRUCTURE.len())];
                let times = if rng.gen_bool(0.1) {
                    rng.gen_range(100..5_000)
                } else {
                    1
                };
                let i = at(rng, out.len());
                let repeated = piece.repeat(times);
                out.splice(i..i, repeated);
            }
            2 if out.len() > 2 => {
                let start = rng.gen_range(0..out.len() - 1);
                let end = rng.gen_range(start + 1..=out.len().min(start + 64));
                let slice = out[start..end].to_vec();
                let i = at(rng, out.len());
                out.splice(i..i, slice.repeat(rng.gen_range(1..50)));
            }
            3 => {
                let i = at(rng, out.len());
                out.truncate(i);
            }
            _ => {
                let i = at(rng, out.len());
                out.insert(i, rng.r#gen());
            }
        }
    }
    out
}

fn run(target: &str, check: fn(&[u8])) {
    let seeds = seeds(target);
    for seed in &seeds {
        check(seed);
    }
    let mut rng = StdRng::seed_from_u64(0x4845_5241_4c44);
    for _ in 0..MUTATIONS {
        let seed = &seeds[rng.gen_range(0..seeds.len())];
        check(&mutate(&mut rng, seed));
    }
}

#[test]
fn graphql_bodies() {
    run("graphql_body", herald::fuzz::graphql_body);
}

#[test]
fn query_strings() {
    run("query_string", herald::fuzz::query_string);
}

#[test]
fn multipart_bodies() {
    run("multipart", herald::fuzz::multipart);
}

#[test]
fn websocket_messages() {
    run("ws_message", herald::fuzz::ws_message);
}

#[test]
fn cursors() {
    run("cursor", herald::fuzz::cursor);
}
