#!/bin/bash
# Fourth batch (after the merge with main's new core; one-hot path ported): the runs sweep2/2b never got to, smallest
# first; one run at a time, niced. Results in full4/.
cd /work/wt/experiments
E="nice -n 10 dotnet artifacts/experiments/bin3/LstmNotebooks.Experiments.dll"
O="--out artifacts/experiments/full4"
L=artifacts/experiments/logs; mkdir -p $L
run() { local name=$1; shift; echo "$(date +%T) start $name" >> $L/sweep4.txt; /usr/bin/time -f "%e s" -o $L/$name.time $E "$@" > $L/$name.log 2>&1; echo "$(date +%T) done $name rc=$? $(cat $L/$name.time)" >> $L/sweep4.txt; }
run continual continual-reber --seeds 3 $O
run 2c-1000-lstm 2c --lag 1000 --model lstm --budget 40000 $O
run long-gaps-quick long-gaps --quick
echo "$(date +%T) sweep4 finished" >> $L/sweep4.txt
