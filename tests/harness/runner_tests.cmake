# runner_tests
hydra_add_test(scenario_args_test SOURCES scenario_args_test.cc LIBS hydra::harness)
