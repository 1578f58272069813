# failing_clients.gp: mean receive rate of the failing clients
# (failing_clients_rate: clients that missed messages or did not answer; 0 when
# none failed) against the target publish rate (msg_rate), one line per client
# count. One of the original HYDRA test's three plots. The dashed lines, on the
# right axis, are how many clients failed (failing_clients).
#
#   gnuplot -e "dir='RESULTS_DIR'" failing_clients.gp
#   optional: -e "counts='10 50 300'" (client counts to draw; default: all in the file)
#
# Reads dir/results.csv and dir/columns.gp (columns found by name, so the
# sweep columns and the order may be anything), writes dir/plots/failing_clients.png.
# Repeats of a point are averaged; skipped steps are left out.

if (!exists("dir")) { print "usage: gnuplot -e \"dir='RESULTS_DIR'\" failing_clients.gp"; exit status 2 }
csv = dir."/results.csv"
# Column numbers by name (col_<name>), from columns.gp, which `hydra run` and
# `hydra plot` write beside results.csv from its header: this script never
# counts columns, so inserted or reordered columns cannot shift its data.
cols = dir."/columns.gp"
if (system(sprintf("test -r '%s' && echo yes", cols)) ne "yes") {
  print "no ".cols.": run hydra plot ".dir." (it writes the column list)"; exit status 1
}
load cols
set datafile separator ","
set datafile columnheaders
# A row left out (NaN) is skipped, not a break in the line: the rows of one
# client count are interleaved with the others' when the rate is swept outermost.
set datafile missing NaN
# Rows of measured steps (ok or failed): skipped steps are left out, and so is
# the rest of a record that an error message with a line break split in two
# (gnuplot reads one line per record). Such a short record has no number where
# client_count (written for every step, measured or not) belongs; strcol() of
# a missing field is an error, so that is checked first.
measured(y) = column(col_client_count) == column(col_client_count) ? \
              ((strcol(col_status) eq "ok" || strcol(col_status) eq "failed") ? y : NaN) : NaN
# One client count's points; NaN (left out) for the other rows.
sel(c, y) = (column(col_client_count) == c) ? measured(y) : NaN
if (!exists("counts")) {
  counts = ""
  add_count(c) = (c == c && strstrt(" ".counts." ", " ".sprintf("%d", c)." ") == 0 ? \
                  counts = counts.(counts eq "" ? "" : " ").sprintf("%d", c) : 0, c)
  stats csv using (add_count(measured(column(col_client_count)))) nooutput
}
if (words(counts) == 0) { print "no measured rows in ".csv; exit status 1 }
count(i) = int(word(counts, i))
# Each series its own open point type, dash pattern and point size (larger
# first): a series drawn exactly over another (10 and 50 clients both
# receiving every message) still shows around it.
ptype(i) = int(word("6 4 8 12 10 14 1 2 3 7", (i - 1) % 10 + 1))
dtype(i) = (i - 1) % 5 + 1
psize(i) = 2.4 - 0.35 * ((i - 1) % 5)
# Headroom: an axis spans its data plus a margin on both ends, so no series
# lies on a border (a line at exactly the axis end, or at 0, would hide in it).
span(a, b) = b > a ? b - a : (abs(b) > 0 ? abs(b) : 1)
lo(a, b) = a - 0.06 * span(a, b)
hi(a, b) = b + 0.09 * span(a, b)
min0(a) = a < 0 ? a : 0

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1000,600 enhanced font "Sans,12" linewidth 1.5
} else {
  set terminal png size 1000,600
}
system(sprintf("mkdir -p '%s/plots'", dir))
set output dir."/plots/failing_clients.png"
noslash(s) = s[strlen(s):strlen(s)] eq "/" ? noslash(s[1:strlen(s) - 1]) : s
basename(s) = strstrt(s, "/") > 0 ? basename(s[strstrt(s, "/") + 1:]) : s
run = basename(noslash(dir))
set grid
set key box opaque
set xlabel "target publish rate (msg/s)"
stats csv using (measured(column(col_msg_rate))) nooutput prefix "X"
set xrange [lo(X_min, X_max):hi(X_min, X_max)]

set title sprintf("Failing clients vs. publish rate  (%s)", run) noenhanced
set ylabel "mean receive rate of failing clients (msg/s)"
set y2label "failing clients (dashed)"
# Outside the graph: a key inside would cover whatever series runs under it.
set key outside right top
# Both stats before either range is set: stats filters by the current yrange,
# so a yrange of the rates could leave no failing count in range.
stats csv using (measured(column(col_failing_clients_rate))) nooutput prefix "Y"
stats csv using (measured(column(col_failing_clients))) nooutput prefix "Y2"
set yrange [lo(min0(Y_min), Y_max):hi(min0(Y_min), Y_max)]
set y2range [lo(min0(Y2_min), Y2_max):hi(min0(Y2_min), Y2_max)]
set ytics nomirror
set y2tics
plot for [i=1:words(counts)] csv \
       using (sel(count(i), column(col_msg_rate))):(column(col_failing_clients_rate)) \
       smooth unique with linespoints pt ptype(i) ps psize(i) dt dtype(i) lc i \
       title sprintf("%d clients", count(i)), \
     for [i=1:words(counts)] csv \
       using (sel(count(i), column(col_msg_rate))):(column(col_failing_clients)) axes x1y2 \
       smooth unique with linespoints pt ptype(i) ps 0.7 dt 2 lc i notitle, \
     NaN with lines dt 2 lc rgb "gray30" title "failing clients (right axis)"
