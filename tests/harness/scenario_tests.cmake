# scenario_tests: scenario parsing, --set and sweep expansion. The tests read
# the shipped scenarios/ and the broken files in tests/harness/scenarios/.
hydra_add_test(scenario_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/scenario_test.cc LIBS hydra::harness)
target_compile_definitions(scenario_test PRIVATE HYDRA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
hydra_add_test(sweep_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/sweep_test.cc LIBS hydra::harness)
target_compile_definitions(sweep_test PRIVATE HYDRA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# settings_test: the settings table against the README's key reference, the
# parser's defaults, the wire configuration and the agents' validation.
hydra_add_test(settings_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/settings_test.cc LIBS hydra::harness)
target_compile_definitions(settings_test PRIVATE HYDRA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# groups_settings_test: shared groups' and delivery semantics' rules, and their
# keys in the effective librdkafka configuration.
hydra_add_test(groups_settings_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/groups_settings_test.cc
  LIBS hydra::harness hydra::drivers)
# group_row_test: results.csv figures with shared groups (loss per group).
hydra_add_test(group_row_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/group_row_test.cc LIBS hydra::harness)
# experiments_scenario_test: keys, payloads, slow clients and topic.config in
# scenario files, and the shipped experiment scenarios.
hydra_add_test(experiments_scenario_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/experiments_scenario_test.cc LIBS hydra::harness)
target_compile_definitions(experiments_scenario_test PRIVATE HYDRA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
