//! elixir-cnb: a buildpack for Elixir. The stages of the build are folders: `inputs` (what the user told
//! us), `toolchain` (Erlang/OTP and Elixir), `mix` (deps and compile), `assets` (Node.js, `assets.deploy`),
//! `release`, `launch` (processes);
//! `pipeline` runs them in order for a front-end (`cnb`, `classic`), which says where caches and outputs
//! live. One binary serves both: the CNB lifecycle runs it as `bin/detect` and `bin/build`, the classic
//! `bin/*` scripts run it with their command's name as the first argument.

#[cfg(test)]
mod architecture;
mod assets;
mod cache;
mod classic;
mod cnb;
mod digest;
mod errors;
mod frontend;
mod inputs;
mod launch;
mod mix;
mod pipeline;
mod release;
mod sourced;
#[cfg(test)]
mod test_support;
mod toolchain;

// Used only by the integration tests.
#[cfg(test)]
use libcnb_test as _;
#[cfg(test)]
use tiny_http as _;

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    match classic::Command::from_args(&args) {
        Some(command) => std::process::exit(classic::run(command)),
        None => libcnb::libcnb_runtime(&cnb::ElixirBuildpack),
    }
}
