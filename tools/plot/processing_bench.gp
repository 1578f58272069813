# processing_bench.gp: does a GPU help the subscribers' processing stage, from
# which batch size, and what does it cost in latency? Reads the CSV of
# hydra_processing_bench (--out FILE). One column per kind (window-agg, zscore,
# mlp): on top, throughput (records_per_s) against batch size; below, the
# latency batching adds (p99_added_ms solid, p50_added_ms dashed). Both axes
# log. Lines: cpu with 1 thread, cpu with all cores (the highest thread count
# in the file), gpu. An arrow marks the crossover: the first batch size at
# which the gpu's throughput beats the cpu on all cores.
#
#   gnuplot -e "csv='FILE'; out='PNG'" tools/plot/processing_bench.gp
#
# Columns are looked up by name, so columns added later do not matter. Kinds
# or devices missing from the file leave their panel or line out.

if (!exists("csv") || !exists("out")) {
  print "usage: gnuplot -e \"csv='FILE'; out='PNG'\" processing_bench.gp"
  exit status 2
}

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1500,900 font "sans,10"
} else {
  set terminal png size 1500,900
}
set output out
# The CSV is read by column name; the datablocks made from it are plain
# whitespace-separated rows without a header.
from_csv = "set datafile separator ','; set datafile columnheaders"
from_blocks = "set datafile separator whitespace; set datafile nocolumnheaders"

kinds = "window-agg zscore mlp"
c_cpu1 = "#1f77b4"
c_cpuN = "#2ca02c"
c_gpu = "#d62728"

is(k, dev) = strcol("kind") eq k && strcol("device") eq dev
cpu1(k) = is(k, "cpu") && column("threads") == 1
cpuN(k) = is(k, "cpu") && column("threads") == T && T > 1
gpu(k) = is(k, "gpu")

# Each series goes to a datablock first (with table ... if: only the matching
# rows), so that empty series can be left out of the plot command and the
# crossover can be computed. Values are written in plain decimal: real()
# cannot read "2e+06".
num(c) = sprintf("%.6f", column(c))
array N[3]

# x axis: exactly the batch sizes in the file.
@from_csv
set table $BATCHES
plot csv using (num("batch")):(num("batch")) with table
unset table
bmin = 0
bmax = 0
set xtics () rotate by -45 nomirror
do for [i = 1:|$BATCHES|] {
  b = real(word($BATCHES[i], 1))
  if (bmin == 0 || b < bmin) { bmin = b }
  if (b > bmax) { bmax = b }
  set xtics add (sprintf("%d", b) b)
}
if (bmin == 0) { bmin = 256; bmax = 262144 }
set xrange [bmin / 1.6 : bmax * 1.6]

set multiplot layout 2,3 title "hydra processing stage: CPU vs GPU by batch size (saturation replay)"

do for [ki = 1:words(kinds)] {
  k = word(kinds, ki)

  # T: the cpu-all-cores thread count for this kind (the most threads measured).
  @from_csv
  T = 0
  set table $THREADS
  plot csv using (num("threads")):(num("threads")) with table if (is(k, "cpu"))
  unset table
  do for [i = 1:|$THREADS|] { t = real(word($THREADS[i], 1)); if (t > T) { T = t } }

  set table $CPU1
  plot csv using (num("batch")):(num("records_per_s")) with table if (cpu1(k))
  unset table
  set table $CPUN
  plot csv using (num("batch")):(num("records_per_s")) with table if (cpuN(k))
  unset table
  set table $GPU
  plot csv using (num("batch")):(num("records_per_s")) with table if (gpu(k))
  unset table
  N[1] = |$CPU1|
  N[2] = |$CPUN|
  N[3] = |$GPU|
  @from_blocks

  # Crossover: smallest batch where gpu > cpu on all cores (or on 1 thread
  # when only one core was measured).
  cross = 0
  cross_v = 0
  do for [i = 1:N[3]] {
    b = real(word($GPU[i], 1))
    g = real(word($GPU[i], 2))
    do for [j = 1:(N[2] > 0 ? N[2] : N[1])] {
      line = N[2] > 0 ? $CPUN[j] : $CPU1[j]
      if (real(word(line, 1)) == b && g > real(word(line, 2)) && (cross == 0 || b < cross)) {
        cross = b
        cross_v = g
      }
    }
  }
  ref = N[2] > 0 ? sprintf("CPU (%d threads)", T) : "CPU (1 thread)"

  # ---- throughput ----
  set title k
  set logscale xy
  set format y "10^{%T}"
  set xlabel "batch size (records)"
  set ylabel "records/s"
  set grid xtics ytics mxtics mytics lc rgb "#dddddd"
  set key top left box opaque
  unset arrow
  unset label
  if (N[3] == 0) {
    set label 1 "no GPU points" at graph 0.97, graph 0.06 right tc rgb c_gpu
  } else {
    if (cross > 0) {
      # Arrow from the bottom up to the gpu's point; the label under it, kept
      # inside the panel at the axis ends.
      set arrow 1 from cross, graph 0.12 to cross, first cross_v lc rgb c_gpu lw 2 filled front
      align = cross == bmin ? "left" : (cross == bmax ? "right" : "center")
      eval sprintf("set label 1 'GPU > %s from batch %d' at %g, graph 0.06 %s tc rgb c_gpu front", \
                   ref, cross, cross, align)
    } else {
      set label 1 sprintf("GPU never beats %s", ref) at graph 0.97, graph 0.06 right tc rgb c_gpu
    }
  }
  cmd = ""
  if (N[1] > 0) { cmd = cmd.", $CPU1 using 1:2 with linespoints lw 2 pt 7 lc rgb c_cpu1 title 'cpu, 1 thread'" }
  if (N[2] > 0) { cmd = cmd.sprintf(", $CPUN using 1:2 with linespoints lw 2 pt 5 lc rgb c_cpuN title 'cpu, %d threads'", T) }
  if (N[3] > 0) { cmd = cmd.", $GPU using 1:2 with linespoints lw 2 pt 9 lc rgb c_gpu title 'gpu'" }
  if (cmd eq "") {
    set label 2 "no data" at graph 0.5, graph 0.5 center
    plot [] [1:10] NaN notitle
  } else {
    eval "plot ".cmd[3:]
  }
}

do for [ki = 1:words(kinds)] {
  k = word(kinds, ki)
  @from_csv
  T = 0
  set table $THREADS
  plot csv using (num("threads")):(num("threads")) with table if (is(k, "cpu"))
  unset table
  do for [i = 1:|$THREADS|] { t = real(word($THREADS[i], 1)); if (t > T) { T = t } }

  # batch, p50, p99 per series
  set table $CPU1
  plot csv using (num("batch")):(num("p50_added_ms")):(num("p99_added_ms")) with table if (cpu1(k))
  unset table
  set table $CPUN
  plot csv using (num("batch")):(num("p50_added_ms")):(num("p99_added_ms")) with table if (cpuN(k))
  unset table
  set table $GPU
  plot csv using (num("batch")):(num("p50_added_ms")):(num("p99_added_ms")) with table if (gpu(k))
  unset table
  N[1] = |$CPU1|
  N[2] = |$CPUN|
  N[3] = |$GPU|
  @from_blocks

  set title k.": added latency (result ready - receive), p99 solid, p50 dashed"
  set logscale xy
  set format y "%g"
  set xlabel "batch size (records)"
  set ylabel "ms"
  set key top left box opaque
  unset arrow
  unset label
  cmd = ""
  if (N[1] > 0) { cmd = cmd.", $CPU1 using 1:3 with linespoints lw 2 pt 7 lc rgb c_cpu1 title 'cpu, 1 thread', $CPU1 using 1:2 with lines dt 2 lc rgb c_cpu1 notitle" }
  if (N[2] > 0) { cmd = cmd.sprintf(", $CPUN using 1:3 with linespoints lw 2 pt 5 lc rgb c_cpuN title 'cpu, %d threads', $CPUN using 1:2 with lines dt 2 lc rgb c_cpuN notitle", T) }
  if (N[3] > 0) { cmd = cmd.", $GPU using 1:3 with linespoints lw 2 pt 9 lc rgb c_gpu title 'gpu', $GPU using 1:2 with lines dt 2 lc rgb c_gpu notitle" }
  if (cmd eq "") {
    set label 2 "no data" at graph 0.5, graph 0.5 center
    plot [] [0.001:1] NaN notitle
  } else {
    eval "plot ".cmd[3:]
  }
}

unset multiplot
