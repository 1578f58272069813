# publishers_tests
# Several publisher agents: publisher.agents / publisher.generators, their
# errors, and steps over the in-process fleet (no process, no broker).
hydra_add_test(publishers_test SOURCES publishers_test.cc inprocess_fleet.cc
               LIBS hydra::harness hydra::agent)
