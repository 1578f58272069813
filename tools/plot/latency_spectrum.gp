# latency_spectrum.gp: the percentile spectrum of one step's end-to-end
# latency, from its latency/<step>.hgrm file (HdrHistogram's text format:
# Value(ms), Percentile, TotalCount, 1/(1-Percentile)). Latency is drawn
# against 1/(1-percentile) on a log axis labelled 50 %, 90 %, 99 %, 99.9 %, ...
# so the tail gets the room it deserves; the dashed line is the maximum.
#
#   gnuplot -e "hgrm='FILE.hgrm'; out='FILE.png'; title='...'" latency_spectrum.gp
#   (out defaults to FILE.hgrm with .png; title to the file's name)

if (!exists("hgrm")) { print "usage: gnuplot -e \"hgrm='FILE.hgrm'; out='FILE.png'; title='...'\" latency_spectrum.gp"; exit status 2 }
if (!exists("out")) { out = hgrm.".png" }
basename(s) = strstrt(s, "/") > 0 ? basename(s[strstrt(s, "/") + 1:]) : s
if (!exists("title")) { title = basename(hgrm) }

# The last data line (100 %) has no 1/(1-Percentile) column: its value, the
# maximum, is read here and drawn as a line.
stats hgrm using 1 nooutput
max_ms = STATS_max
stats hgrm using 4 nooutput
right = STATS_max > 10 ? STATS_max * 2 : 20

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1000,600 enhanced font "Sans,12" linewidth 1.5
} else {
  set terminal png size 1000,600
}
set output out
set title title." — end-to-end latency by percentile" noenhanced
set xlabel "percentile"
set ylabel "latency from intended send (ms)"
set logscale x
# Headroom on both axes: the curve starts at 0 % (x = 1) and ends at the
# maximum, neither on a border.
set xrange [0.8:right]
set yrange [-(max_ms * 0.04 + 1e-6):max_ms * 1.12 + 1e-6]
set xtics ("0%%" 1, "50%%" 2, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 1e4, \
           "99.999%%" 1e5, "99.9999%%" 1e6, "99.99999%%" 1e7)
set grid
set key top left box opaque
set arrow 1 from graph 0, first max_ms to graph 1, first max_ms nohead dt 2 lc rgb "gray40"
set label 1 sprintf("max %.3f ms", max_ms) at graph 0.98, first max_ms right offset 0, 0.8
plot hgrm using 4:1 with lines lw 2 lc rgb "#1f77b4" title "latency"
