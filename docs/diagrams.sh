#!/usr/bin/env bash
# Redraws the diagrams README shows, from the articles of seeds/:
#   docs/xiongan-aid.svg  who supports, aids and cooperates with Xiong'an
#   docs/3plus2.svg       the "3+2" joint-training programme, two steps around
#   docs/chengde.png      the entities around one college (README's PNG example)
# Run from anywhere: docs/diagrams.sh (needs Graphviz and fonts-noto-cjk).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
x() { target/release/xietong --store "$work/store" "$@"; }
x build --seeds seeds >/dev/null
x export --focus 雄安新区 --property supports --property cooperatesWith -o docs/xiongan-aid.svg
x export --focus 三二分段 --focus 三二分段衔接 --focus '跨省市“3+2”联合培养' --depth 2 -o docs/3plus2.svg
x export --focus 承德应用技术职业学院 -o docs/chengde.png
