# report_tests: the row computation, the reporters (CSV, console, JSON, .hgrm)
# and the plots. plot_test runs gnuplot on the scripts in tools/plot/.
hydra_add_test(row_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/row_test.cc LIBS hydra::harness)
hydra_add_test(csv_reporter_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/csv_reporter_test.cc
               LIBS hydra::harness)
hydra_add_test(console_reporter_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/console_reporter_test.cc
               LIBS hydra::harness)
hydra_add_test(hgrm_writer_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/hgrm_writer_test.cc
               LIBS hydra::harness)
hydra_add_test(plot_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/plot_test.cc LIBS hydra::harness)
target_compile_definitions(plot_test PRIVATE HYDRA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
hydra_add_test(columns_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/columns_test.cc LIBS hydra::harness)
target_compile_definitions(columns_test PRIVATE HYDRA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
hydra_add_test(perf_summary_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/perf_summary_test.cc
               LIBS hydra::harness)
hydra_add_test(provenance_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/provenance_test.cc
               LIBS hydra::harness)
hydra_add_test(report_html_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/report_html_test.cc
               LIBS hydra::harness)
target_compile_definitions(report_html_test PRIVATE HYDRA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# broker.kafka on every client's librdkafka configuration, and its checks.
hydra_add_test(cluster_properties_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/cluster_properties_test.cc
               LIBS hydra::harness)
# Client log lines summarised per step (harness/client_errors.h).
hydra_add_test(client_errors_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/client_errors_test.cc
               LIBS hydra::harness)
