#!/bin/bash
# Fifth batch: the baselines at 2c p = 1000, the missing adding T = 1000 RNN seeds, multiplication at n_seq = 100
# (a margin for the paper's 7 % test criterion); one run at a time, niced. Results in full4/.
cd /work/wt/experiments
E="nice -n 10 dotnet artifacts/experiments/bin3/LstmNotebooks.Experiments.dll"
O="--out artifacts/experiments/full4"
L=artifacts/experiments/logs; mkdir -p $L
run() { local name=$1; shift; echo "$(date +%T) start $name" >> $L/sweep5.txt; /usr/bin/time -f "%e s" -o $L/$name.time $E "$@" > $L/$name.log 2>&1; echo "$(date +%T) done $name rc=$? $(cat $L/$name.time)" >> $L/sweep5.txt; }
run 2c-1000-rnn 2c --lag 1000 --model rnn --budget 20000 $O
run mult-100 multiplication --lag 100 --n-seq 100 --model lstm --seeds 6 --budget 400000 $O
run adding-1000-rnn-23 adding --lag 1000 --model rnn --first-seed 2 --seeds 2 --budget 150000 $O
run 2c-1000-hmm 2c --lag 1000 --model hmm $O
echo "$(date +%T) sweep5 finished" >> $L/sweep5.txt
