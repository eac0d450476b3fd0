//! Link the `loaxa` program with packed relative relocations (DT_RELR, glibc 2.36: Debian 12
//! and Raspberry Pi OS bookworm). A position-independent program of this size carries about
//! 1.8 MB of relocation records that the loader reads at every start and keeps resident; packed,
//! they take a few kB. Each village node is this program, so it is memory on every small Pi.

fn main() {
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    // GNU ld packs them on these targets only; elsewhere the usual relocations stay.
    if os == "linux" && env == "gnu" && matches!(arch.as_str(), "x86_64" | "aarch64") {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
