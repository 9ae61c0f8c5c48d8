#!/bin/bash
# Full-size runs, one at a time, niced; each command's output in its own log.
cd /work/wt/experiments
E="nice -n 10 dotnet artifacts/experiments/bin1/LstmNotebooks.Experiments.dll"
O="--out artifacts/experiments/full"
L=artifacts/experiments/logs; mkdir -p $L
run() { local name=$1; shift; echo "$(date +%T) start $name" >> $L/sweep1.txt; /usr/bin/time -f "%e s" -o $L/$name.time $E "$@" $O > $L/$name.log 2>&1; echo "$(date +%T) done $name rc=$? $(cat $L/$name.time)" >> $L/sweep1.txt; }
run reber reber --model lstm rnn hmm --budget 100000
run 2a 2a --lag 100 --model lstm rnn hmm --budget 100000
run 2b 2b --lag 100 --model lstm rnn hmm --budget 100000
run 2c-100-lstm 2c --lag 100 --model lstm --budget 300000
run 2c-100-base 2c --lag 100 --model rnn hmm --budget 100000
run 6a temporal-order --lag 40 --model lstm rnn hmm --budget 100000
run 6b-lstm temporal-order-3 --lag 40 --model lstm --budget 300000
run 6b-base temporal-order-3 --lag 40 --model rnn hmm --budget 100000
run mult-140 multiplication --lag 100 --model lstm --seeds 6 --budget 300000
run mult-13 multiplication --lag 100 --n-seq 13 --model lstm --budget 600000
run mult-rnn multiplication --lag 100 --model rnn --budget 300000
run 3a-100 3a --lag 100 --model lstm rnn guess --budget 300000
run 3c-100 3c --lag 100 --model lstm rnn guess --budget 600000
run adding-100 adding --lag 100 --model lstm rnn --budget 300000
run adding-500 adding --lag 500 --model lstm rnn --budget 300000
run rf remember-first --lag 10 100 1000 --model lstm rnn --budget 100000
run rf-hmm remember-first --lag 10 100 1000 --model hmm
run adding-1000-lstm adding --lag 1000 --model lstm --budget 300000
run adding-1000-rnn adding --lag 1000 --model rnn --budget 150000
run 3a-1000 3a --lag 1000 --model lstm rnn guess --budget 300000
echo "$(date +%T) sweep1 finished" >> $L/sweep1.txt
