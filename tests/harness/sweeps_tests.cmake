# sweeps_tests: repeats' aggregate rows, rate searches, the generic sweep plots.
hydra_add_test(aggregate_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/aggregate_test.cc LIBS hydra::harness)
hydra_add_test(search_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/search_test.cc LIBS hydra::harness)
hydra_add_test(sweep_plot_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/sweep_plot_test.cc LIBS hydra::harness)
target_compile_definitions(sweep_plot_test PRIVATE HYDRA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
