# sweep.gp: one generic sweep plot (harness/sweep_plot.h chooses what): a
# line per block of the data file, x = the innermost numeric swept key (or
# its categories), error bars of ±1 standard deviation when a point has
# repeats. `hydra plot` writes the data file and passes the settings; by hand:
#
#   gnuplot -e "data='DIR/plots/sweep-data/sweep_loss.dat'; out='x.png'; n=2; \
#               t1='a'; s1=1; q1=1; t2='b'; s2=2; q2=1; xlabel='x'; ylabel='y'; \
#               title='t'; logy=0; cat=0; err=0" sweep.gp
#
# Data: blocks (gnuplot `index`) of "x mean stddev n label" lines.

if (!exists("data") || !exists("out") || !exists("n")) {
  print "usage: gnuplot -e \"data='FILE.dat'; out='FILE.png'; n=LINES; t1='...'; ...\" sweep.gp"
  exit status 2
}
if (!exists("logy")) logy = 0
if (!exists("cat")) cat = 0
if (!exists("err")) err = 0
if (!exists("xlabel")) xlabel = "x"
if (!exists("ylabel")) ylabel = ""
if (!exists("title")) title = ""

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1000,600 enhanced font "Sans,12" linewidth 1.5
} else {
  set terminal png size 1000,600
}
set output out
set title title noenhanced
set xlabel xlabel noenhanced
set ylabel ylabel noenhanced
set grid
# Below the graph: series titles ("p99, publisher.acks=all") are long.
set key below box opaque noenhanced
# Headroom, so no line lies on a border.
set offsets graph 0.05, graph 0.05, graph 0.08, graph 0.08
if (logy) { set logscale y; set format y "%g" } else { set yrange [0:*] }
if (cat) { set xrange [-0.5:*]; set xtics rotate by -30 }
# Large x values (rates, batch sizes) as 150.0k, 1.0M: full digits would overlap.
stats data using 1 nooutput prefix "XS"
if (!cat && XS_max >= 10000) { set format x "%.1s%c" }
# Point type follows the series, the dash pattern the quantity; the colour
# follows the series, or the quantity when there is one series only.
if (!exists("ns")) ns = 2
ptype(i) = int(word("6 4 8 12 10 14 1 2 3 7", (i - 1) % 10 + 1))
tt(i) = value(sprintf("t%d", i))
ss(i) = value(sprintf("s%d", i))
qq(i) = value(sprintf("q%d", i))
if (cat && err) {
  plot for [i=1:n] data index (i - 1) using 1:2:3:xtic(5) with yerrorlines \
       pt ptype(ss(i)) dt qq(i) lc (ns > 1 ? ss(i) : qq(i)) title tt(i)
} else {
  if (cat) {
    plot for [i=1:n] data index (i - 1) using 1:2:xtic(5) with linespoints \
         pt ptype(ss(i)) dt qq(i) lc (ns > 1 ? ss(i) : qq(i)) title tt(i)
  } else {
    if (err) {
      plot for [i=1:n] data index (i - 1) using 1:2:3 with yerrorlines \
           pt ptype(ss(i)) dt qq(i) lc (ns > 1 ? ss(i) : qq(i)) title tt(i)
    } else {
      plot for [i=1:n] data index (i - 1) using 1:2 with linespoints \
           pt ptype(ss(i)) dt qq(i) lc (ns > 1 ? ss(i) : qq(i)) title tt(i)
    }
  }
}
