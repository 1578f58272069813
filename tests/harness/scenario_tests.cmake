# scenario_tests
