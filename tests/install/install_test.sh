#!/usr/bin/env bash
# cmake --install into a temporary prefix, then the installed hydra runs the
# installed smoke scenario on its own: it finds hydra-agent beside it and the
# plot scripts in share/hydra/plot (no HYDRA_AGENT, no HYDRA_PLOT_DIR, run
# from another folder), and writes results.csv, run.json, plots and
# report.html.
#
#   install_test.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: install_test.sh BUILD_DIR}
prefix=$(mktemp -d /tmp/hydra-install-test.XXXXXX)
trap 'rm -rf "$prefix"' EXIT
fail() { echo "install_test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/hydra bin/hydra-agent share/hydra/plot/rx_rate.gp share/hydra/plot/compare.gp \
         share/hydra/plot/latency_spectrum.gp share/hydra/scenarios/smoke.json; do
  [[ -e $prefix/$f ]] || fail "$f not installed"
done
[[ ! -e $prefix/share/hydra/plot/examples ]] || fail "the plot examples were installed"

cd "$prefix"  # not the source or build tree
out=$prefix/out
env -u HYDRA_AGENT -u HYDRA_PLOT_DIR timeout 120 \
  "$prefix/bin/hydra" run "$prefix/share/hydra/scenarios/smoke.json" --out "$out" --quiet \
  || fail "the installed hydra run failed (exit $?)"
for f in results.csv run.json report.html plots/rx_rate.png plots/latency.png; do
  [[ -s $out/$f ]] || fail "the run wrote no $f"
done
grep -q '"librdkafka"' "$out/run.json" || fail "run.json lacks librdkafka's version"

# The plots came from the installed scripts, not the source tree's: an
# installed script changed to leave a mark is the one that runs.
marker=$out/installed-script-ran
printf "set print '%s'\nprint 'yes'\nunset print\n" "$marker" >>"$prefix/share/hydra/plot/packet_loss.gp"
env -u HYDRA_PLOT_DIR "$prefix/bin/hydra" plot "$out" >/dev/null || fail "hydra plot failed"
[[ -s $marker ]] || fail "hydra plot did not use $prefix/share/hydra/plot"
echo "install_test: ok ($prefix)"
