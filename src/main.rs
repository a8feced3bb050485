//! elixir-cnb: a buildpack for Elixir. The stages of the build are folders: `inputs` (what the user told
//! us), `toolchain` (Erlang/OTP and Elixir), `mix` (deps and compile), `release`, `launch` (processes);
//! `pipeline` runs them in order for a front-end (`cnb`), which says where caches and outputs live.

mod cache;
mod cnb;
mod digest;
mod errors;
mod inputs;
mod launch;
mod mix;
mod pipeline;
mod release;
mod toolchain;

use libcnb::buildpack_main;

// Used only by the integration tests.
#[cfg(test)]
use libcnb_test as _;
#[cfg(test)]
use tiny_http as _;

buildpack_main!(cnb::ElixirBuildpack);
