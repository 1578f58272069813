// results.csv figures with shared consumer groups (harness/row.cc): the unit
// that must get the whole window is the group, so loss and duplicates are
// summed over groups, the client means are the groups' means, and a client
// is failing when its group lost anything.
#include <gtest/gtest.h>

#include "harness/row.h"

namespace hydra {
namespace {

StepResult two_groups_of_two() {
  StepResult r;
  r.client_count = 4;
  r.group_count = 2;
  r.group_members = 2;
  r.measured_s = 1;
  r.publisher_ok = true;
  r.window.producer_id = 1;
  r.window.from = {{0, 0}};
  r.window.until = {{0, 1000}};
  for (int id = 0; id < 4; ++id) {
    ClientStats c;
    c.client_id = id;
    // What each member counted for its group: the client entries alone
    // would say every member lost about half of the window.
    c.unique = id % 2 ? 400 : 600;
    r.clients.push_back(c);
  }
  GroupResult whole, holed;
  whole.group = 0;
  whole.members = {0, 1};
  whole.stats.unique = 1000;
  whole.stats.duplicates = 5;
  holed.group = 1;
  holed.members = {2, 3};
  holed.stats.unique = 990;
  holed.stats.lost = 10;
  r.groups = {whole, holed};
  return r;
}

TEST(GroupRow, LossDuplicatesAndFailingCountPerGroup) {
  const Row row = compute_row(two_groups_of_two());
  EXPECT_EQ(row.client_count, 4);
  EXPECT_EQ(*row.packet_tx, 1000u);
  EXPECT_EQ(*row.lost, 10u);
  EXPECT_EQ(*row.duplicates, 5u);
  // Group 1 lost: both its members are failing.
  EXPECT_EQ(*row.failing_clients, 2);
  EXPECT_DOUBLE_EQ(*row.average_packets, (1000.0 + 990.0) / 2);
  EXPECT_DOUBLE_EQ(*row.average_packet_loss, (0.0 + 1.0) / 2);
}

TEST(GroupRow, AGroupThatDidNotAnswerLostTheWholeWindowOnce) {
  StepResult r = two_groups_of_two();
  r.groups.pop_back();
  r.clients.resize(2);
  r.unanswered_clients = {2, 3};
  const Row row = compute_row(r);
  EXPECT_EQ(row.client_count, 4);
  EXPECT_EQ(*row.lost, 1000u);  // one group's window, not one per member
  EXPECT_EQ(*row.failing_clients, 2);
  EXPECT_DOUBLE_EQ(*row.average_packets, 500.0);
}

}  // namespace
}  // namespace hydra
