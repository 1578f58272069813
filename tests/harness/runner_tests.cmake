# runner_tests
hydra_add_test(scenario_args_test SOURCES scenario_args_test.cc LIBS hydra::harness)
# The step runner's phases through an in-process agent fleet (real roles on
# the fake transport of tests/agents/fake_drivers.h): no process, no broker.
hydra_add_test(step_runner_test SOURCES step_runner_test.cc inprocess_fleet.cc
               LIBS hydra::harness hydra::agent)
# The controller's control-request client: a signal during a call.
hydra_add_test(agent_client_test SOURCES agent_client_test.cc LIBS hydra::harness)
