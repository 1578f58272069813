# timeline.gp: one step's fault timeline, per second of its measured window
# (and the drain after it): above, the publisher's send and acknowledge rates,
# the receive rate per client (by receive time) and the messages lost (by
# intended send time); below, the p99 end-to-end latency of the messages sent
# in each second. Fault windows are shaded and labelled. `hydra plot` (and
# `hydra run`) write the data files from the step JSON's "timeline" block
# (harness/fault_plot.h) and call this once per step that has faults.
#
#   gnuplot -e "data='timeline-0.dat'; faults='timeline-0-faults.dat'; out='timeline-0.png'; title='...'" timeline.gp
#
# data:   t sent acked rx_per_client lost dups p99_ms in_window (tab-separated)
# faults: from_s until_s "description"

if (!exists("data") || !exists("faults")) { print "usage: gnuplot -e \"data='F.dat'; faults='F-faults.dat'; out='F.png'\" timeline.gp"; exit status 2 }
if (!exists("out")) { out = data.".png" }
if (!exists("title")) { title = data }

stats data using 1 nooutput
tmax = STATS_max + 1
stats data using 2 nooutput
rate_max = STATS_max
stats data using 4 nooutput
rate_max = (STATS_max > rate_max ? STATS_max : rate_max) * 1.15 + 1

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1100,800 enhanced font "Sans,11" linewidth 1.3
} else {
  set terminal png size 1100,800
}
set output out
set multiplot layout 2,1 title title noenhanced
# Both panels share the x axis: fixed margins, so their seconds line up.
set lmargin 10
set rmargin 28

# A fault that happens at once gets a thin band; a lasting one, its span.
band_to(a, b) = (b > a + 0.05 ? b : a + 0.05)

set xrange [0:tmax]
set grid
set key outside right top box opaque
set ylabel "msg/s"
set yrange [0:rate_max]
set y2label "lost (messages)"
set y2tics
set y2range [0:*]
set title "rates per second (x: seconds since the window opened; sent at second t)"
plot faults using 1:(0):1:(band_to($1, $2)):(0):(rate_max) with boxxyerror fs transparent solid 0.18 noborder lc rgb "#d62728" title "fault", \
     faults using 1:(rate_max * (0.95 - 0.07 * (int($0) % 4))):3 with labels left offset 0.3,0 font ",9" noenhanced notitle, \
     data using ($1 + 0.5):2 with lines lw 4 lc rgb "#9ecae1" title "sent", \
     data using ($1 + 0.5):3 with linespoints pt 7 ps 0.5 lc rgb "#2ca02c" title "acked", \
     data using ($1 + 0.5):4 with linespoints pt 7 ps 0.5 lc rgb "#ff7f0e" title "received / client", \
     data using ($1 + 0.5):5 axes x1y2 with impulses lw 4 lc rgb "#9467bd" title "lost"

unset y2label
unset y2tics
set title "end-to-end latency p99 of the messages sent in each second"
set ylabel "ms"
set yrange [*:*]
set logscale y
plot data using ($1 + 0.5):7 with linespoints pt 7 ps 0.5 lc rgb "#8c564b" title "p99"
unset multiplot
