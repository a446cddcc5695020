# Grouped bars of CPU time per proxied request, by workload and proxy.
# gnuplot -e "datafile='chart.dat'; outfile='docs/benchmarks-cpu.png'" benchmarks/chart.gp
# chart.dat (written by compare.sh): a header `workload Proxy1 Proxy2 ...`, then one row per
# workload with "label" and a value per proxy, `n/a` where a proxy has no figure.
if (!exists("datafile")) datafile = 'chart.dat'
if (!exists("outfile")) outfile = 'benchmarks-cpu.png'

set terminal pngcairo size 1200,650 font "DejaVu Sans,12" noenhanced
set output outfile

set title "CPU time per proxied request (user + sys of the proxy, one CPU) — lower is better" font ",14"
set ylabel "CPU µs per request (log scale)"
set logscale y 10
set yrange [5:*]
set format y "%g"
set grid ytics mytics lc rgb "#dddddd"
set key top left horizontal autotitle columnhead
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.95
set xtics nomirror scale 0
set ytics nomirror
set border 3

ncols = words(system(sprintf("head -1 '%s'", datafile))) - 1
gap = 1.0
pos(i) = $0 + (i - 2 - (ncols - 1) / 2.0) / (ncols + gap)
colors = "#d95f02 #1b9e77 #7570b3 #e7298a #66a61e"

plot for [i=2:ncols+1] datafile using i:xtic(1) title columnhead(i) lc rgb word(colors, i - 1), \
     for [i=2:ncols+1] datafile using (pos(i)):(column(i)):(sprintf("%.0f", column(i))) \
         with labels offset 0,0.7 font ",10" notitle, \
     for [i=2:ncols+1] datafile using (pos(i)):(6.5):(stringcolumn(i) eq "n/a" ? "n/a" : "") \
         with labels rotate by 90 left font ",10" tc rgb word(colors, i - 1) notitle
