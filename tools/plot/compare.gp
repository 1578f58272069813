# compare.gp: several runs' sweep figures overlaid in one plot, so two runs
# (before/after a change, two clusters, two client libraries) read side by
# side: `what` picks the figure against the target publish rate (msg_rate):
#   rx_rate      mean receive rate per client (average_rate)
#   packet_loss  mean packet loss per client, % (average_packet_loss)
#   latency      end-to-end latency p50 (dashed) and p99 (solid), log axis
# One colour and dash pattern per run (the key names it by its folder), one
# point type per client count.
#
#   gnuplot -e "n=2; run1='RUN_A'; run2='RUN_B'; name1='a'; name2='b'; \
#               what='rx_rate'; out='compare_rx_rate.png'; work='DIR'" compare.gp
#
# Each run's results.csv is read through its own columns.gp (which
# `hydra plot` writes), so the runs may have different sweep keys and column
# orders; its measured rows go to work/run<i>.dat first (client_count,
# msg_rate, average_rate, average_packet_loss, lat_p50_ms, lat_p99_ms), which
# the plot then reads. Skipped steps are left out; repeats are averaged.

if (!exists("n") || !exists("what") || !exists("out") || !exists("work")) {
  print "usage: gnuplot -e \"n=2; run1='A'; run2='B'; name1='a'; name2='b'; what='rx_rate'; out='PNG'; work='DIR'\" compare.gp"
  exit status 2
}
run(i) = value(sprintf("run%d", i))
name(i) = exists(sprintf("name%d", i)) ? value(sprintf("name%d", i)) : run(i)
table(i) = sprintf("%s/run%d.dat", work, i)
system(sprintf("mkdir -p '%s'", work))

set datafile missing NaN
do for [i=1:n] {
  cols = run(i)."/columns.gp"
  if (system(sprintf("test -r '%s' && echo yes", cols)) ne "yes") {
    print "no ".cols.": run hydra plot ".run(i)." (it writes the column list)"; exit status 1
  }
  load cols
  set datafile separator ","
  set datafile columnheaders
  # As in rx_rate.gp: measured (ok or failed) rows only, and not the rest of
  # a record an error message's line break split in two.
  measured(y) = column(col_client_count) == column(col_client_count) ? \
                ((strcol(col_status) eq "ok" || strcol(col_status) eq "failed") ? y : NaN) : NaN
  # A step without latency samples (empty cells) keeps its rate and loss: its
  # latency goes in as 0, which the latency plot leaves out (pos()).
  orzero(x) = x == x ? x : 0
  eval sprintf("set table '%s'", table(i))
  plot run(i)."/results.csv" using (column(col_client_count)):(column(col_msg_rate)): \
       (column(col_average_rate)):(column(col_average_packet_loss)):(orzero(column(col_lat_p50_ms))): \
       (orzero(column(col_lat_p99_ms))) with table if (measured(1) == 1)
  unset table
  # This run's client counts, ascending as they come.
  eval sprintf("counts%d = ''", i)
  set datafile separator whitespace
  set datafile nocolumnheaders
  stats table(i) using 1 nooutput prefix "C"
  if (C_records > 0) {
    cs = ""
    do for [r=0:int(C_records) - 1] {
      stats table(i) every ::r::r using 1 nooutput prefix "V"
      c = sprintf("%d", V_min)
      if (strstrt(" ".cs." ", " ".c." ") == 0) { cs = cs.(cs eq "" ? "" : " ").c }
    }
    eval sprintf("counts%d = '%s'", i, cs)
  }
}
set datafile separator whitespace
set datafile nocolumnheaders
counts(i) = value(sprintf("counts%d", i))
count(i, k) = int(word(counts(i), k))
sel(i, k, y) = column(1) == count(i, k) ? y : NaN

ptype(k) = int(word("6 4 8 12 10 14 1 2 3 7", (k - 1) % 10 + 1))
dtype(i) = (i - 1) % 5 + 1
psize(i) = 2.2 - 0.4 * ((i - 1) % 4)
span(a, b) = b > a ? b - a : (abs(b) > 0 ? abs(b) : 1)
lo(a, b) = a - 0.06 * span(a, b)
hi(a, b) = b + 0.09 * span(a, b)
min0(a) = a < 0 ? a : 0
# The extremes over every run of one column (headroom on every axis).
xmin = 1e300; xmax = -1e300; ymin = 1e300; ymax = -1e300
ycol = what eq "rx_rate" ? 3 : (what eq "packet_loss" ? 4 : 6)
pos(y) = y > 0 ? y : NaN
do for [i=1:n] {
  stats table(i) using 2 nooutput prefix "S"
  if (S_records > 0) {
    xmin = S_min < xmin ? S_min : xmin; xmax = S_max > xmax ? S_max : xmax
  }
  if (what eq "latency") {
    stats table(i) using (pos($5)) nooutput prefix "S"
    if (S_records > 0) { ymin = S_min < ymin ? S_min : ymin }
    stats table(i) using (pos($6)) nooutput prefix "S"
    if (S_records > 0) { ymax = S_max > ymax ? S_max : ymax }
  } else {
    stats table(i) using ycol nooutput prefix "S"
    if (S_records > 0) {
      ymin = S_min < ymin ? S_min : ymin; ymax = S_max > ymax ? S_max : ymax
    }
  }
}
if (xmax < xmin) { print "no measured rows in any run"; exit status 1 }

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1100,600 enhanced font "Sans,12" linewidth 1.5
} else {
  set terminal png size 1100,600
}
set output out
set grid
set key outside right top box opaque noenhanced
set xlabel "target publish rate (msg/s)"
set xrange [lo(xmin, xmax):hi(xmin, xmax)]
runs = ""
do for [i=1:n] { runs = runs.(i > 1 ? " vs " : "").name(i) }

if (what eq "rx_rate") {
  set title "Receive rate per client vs. publish rate: ".runs noenhanced
  set ylabel "mean receive rate per client (msg/s)"
  top = ymax > xmax ? ymax : xmax
  set yrange [lo(min0(ymin), top):hi(min0(ymin), top)]
  plot for [i=1:n] for [k=1:words(counts(i))] table(i) using (sel(i, k, $2)):3 \
         smooth unique with linespoints lc i dt dtype(i) pt ptype(k) ps psize(i) \
         title sprintf("%s, %d clients", name(i), count(i, k)), \
       x with lines dt 2 lc rgb "gray50" title "ideal (= publish rate)"
}
if (what eq "packet_loss") {
  set title "Packet loss vs. publish rate: ".runs noenhanced
  set ylabel "mean packet loss per client (%)"
  set format y "%g"
  set yrange [lo(min0(ymin), ymax):hi(min0(ymin), ymax)]
  plot for [i=1:n] for [k=1:words(counts(i))] table(i) using (sel(i, k, $2)):4 \
         smooth unique with linespoints lc i dt dtype(i) pt ptype(k) ps psize(i) \
         title sprintf("%s, %d clients", name(i), count(i, k))
}
if (what eq "latency") {
  set title "End-to-end latency vs. publish rate: ".runs." (p99 solid, p50 dashed)" noenhanced
  set ylabel "latency (ms, log scale)"
  set logscale y
  set format y "%g"
  if (ymax < ymin) { ymin = 0.01; ymax = 1 }
  set yrange [ymin / 1.6:ymax * 1.6]
  plot for [i=1:n] for [k=1:words(counts(i))] table(i) using (sel(i, k, $2)):(pos($6)) \
         smooth unique with linespoints lc i dt 1 pt ptype(k) ps psize(i) \
         title sprintf("%s, %d clients", name(i), count(i, k)), \
       for [i=1:n] for [k=1:words(counts(i))] table(i) using (sel(i, k, $2)):(pos($5)) \
         smooth unique with linespoints lc i dt 2 pt ptype(k) ps 0.8 notitle
}
