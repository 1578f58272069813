# fault_tests: the fault timeline (harness/faults.h, fault_timeline.h,
# fault_figures.h) and the per-second series the agents keep.
hydra_add_test(faults_test SOURCES faults_test.cc LIBS hydra::harness)
target_compile_definitions(faults_test PRIVATE HYDRA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
hydra_add_test(fault_figures_test SOURCES fault_figures_test.cc LIBS hydra::harness)
hydra_add_test(fault_timeline_test SOURCES fault_timeline_test.cc inprocess_fleet.cc
               LIBS hydra::harness hydra::agent)
