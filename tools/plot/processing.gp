# processing.gp: the processing stage of a scenario run (scenarios/gpu-consumer.json):
# records/s processed and p99 added latency (result ready - receive) against
# the batch size, one line per kind/device (the proc_series column). Each
# series has its own open point type, dash pattern and point size, so the
# `none` baseline shows even where another series lies exactly on it; the
# latency axis is linear so `none`'s 0 ms is drawn (a log axis cannot show 0).
#
#   gnuplot -e "dir='RESULTS_DIR'" processing.gp
#   optional: -e "series='mlp/cpu mlp/gpu'" (default: all in the file)
#
# Reads dir/results.csv and dir/columns.gp (columns found by name), writes
# dir/plots/processing.png. Skipped steps (no GPU, say) are left out.

if (!exists("dir")) { print "usage: gnuplot -e \"dir='RESULTS_DIR'\" processing.gp"; exit status 2 }
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
set datafile missing NaN
# A record that an error message with a line break split in two (gnuplot
# reads one line per record) lacks the processing columns, which come after
# error; strcol() of a missing field is an error, so a number in proc_batch is
# checked first. ?: evaluates only the branch it takes.
has_proc(y) = column(col_proc_batch) == column(col_proc_batch) ? y : NaN
ok(y) = strcol(col_status) eq "ok" ? y : NaN
if (!exists("series")) {
  series = ""
  add(s) = (strcol(col_status) eq "ok" && strstrt(" ".series." ", " ".s." ") == 0 ? \
            series = series.(series eq "" ? "" : " ").s : 0, 0)
  stats csv using (has_proc(1) == 1 ? add(strcol(col_proc_series)) : 0) nooutput
}
if (words(series) == 0) { print "no processed steps in ".csv; exit status 1 }
sel(i, y) = has_proc(1) == 1 ? (strcol(col_proc_series) eq word(series, i) ? ok(y) : NaN) : NaN
ptype(i) = int(word("6 4 8 12 10 14 1 2 3 7", (i - 1) % 10 + 1))
dtype(i) = (i - 1) % 5 + 1
psize(i) = 2.4 - 0.35 * ((i - 1) % 5)
# Headroom: every axis spans its data plus a margin, so no series is on a border.
span(a, b) = b > a ? b - a : (abs(b) > 0 ? abs(b) : 1)
lo(a, b) = a - 0.06 * span(a, b)
hi(a, b) = b + 0.09 * span(a, b)
min0(a) = a < 0 ? a : 0
okproc(y) = has_proc(1) == 1 ? ok(y) : NaN
stats csv using (okproc(column(col_proc_batch))) nooutput prefix "B"
stats csv using (okproc(column(col_proc_rate))) nooutput prefix "R"
stats csv using (okproc(column(col_proc_added_p99_ms))) nooutput prefix "A"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1200,600 enhanced font "Sans,11" linewidth 1.5
} else {
  set terminal png size 1200,600
}
system(sprintf("mkdir -p '%s/plots'", dir))
set output dir."/plots/processing.png"
set multiplot layout 1,2 title "Consumer processing: CPU vs GPU" noenhanced
set grid
set logscale x 2
set xrange [B_min / 1.4:B_max * 1.4]
set xlabel "batch size (records)"
set key below box opaque noenhanced
# Room under each panel for the axis label and the key beneath it.
set bmargin 8

set title "throughput"
set ylabel "records processed per second (all clients)"
set yrange [lo(min0(R_min), R_max):hi(min0(R_min), R_max)]
plot for [i=1:words(series)] csv using (column(col_proc_batch)):(sel(i, column(col_proc_rate))) \
     smooth unique with linespoints pt ptype(i) ps psize(i) dt dtype(i) lc i title word(series, i)

set title "p99 added latency (result ready - receive)"
set ylabel "ms"
set yrange [lo(min0(A_min), A_max):hi(min0(A_min), A_max)]
plot for [i=1:words(series)] csv using (column(col_proc_batch)):(sel(i, column(col_proc_added_p99_ms))) \
     smooth unique with linespoints pt ptype(i) ps psize(i) dt dtype(i) lc i title word(series, i)
unset multiplot
