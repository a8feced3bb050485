//! Detection: only Mix projects.

use crate::mirror::Mirror;
use crate::{build_config, builders};
use libcnb_test::{PackResult, TestRunner, assert_contains};

#[test]
#[ignore = "integration test"]
fn an_app_without_mix_exs_fails_detection() {
    let builder = builders().into_iter().next().expect("at least one builder");
    let mirror = Mirror::healthy();
    let mut config = build_config(&builder, "no_mix_project", &mirror.url);
    config.expected_pack_result(PackResult::Failure);
    TestRunner::default().build(&config, |context| {
        assert_contains!(
            context.pack_stdout,
            "No mix.exs found at the root of the app, so this is not a Mix project."
        );
        assert_contains!(context.pack_stdout, "No buildpack groups passed detection.");
        assert!(
            mirror.requests().is_empty(),
            "detection must not touch the network"
        );
    });
}
