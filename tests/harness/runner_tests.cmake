# runner_tests
