#!/bin/bash
# Seed 1 of each sweep-1 LSTM row on the current core: wall times, and whether the sequence counts of results.csv come
# back (results in wall-times-seed1.csv). Run from anywhere; one run at a time, niced.
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=${OUT:-artifacts/experiments/wall-times}
dotnet build src/LstmNotebooks.Experiments -c Release -v q -nologo
E="nice -n 5 dotnet run --project src/LstmNotebooks.Experiments -c Release --no-build --"
O="--out $OUT --seeds 1"
$E reber --model lstm --budget 100000 $O
$E 2a --lag 100 --model lstm --budget 100000 $O
$E 2b --lag 100 --model lstm --budget 100000 $O
$E 2c --lag 100 --model lstm --budget 300000 $O
$E temporal-order --lag 40 --model lstm --budget 100000 $O
$E temporal-order-3 --lag 40 --model lstm --budget 300000 $O
$E multiplication --lag 100 --model lstm --budget 300000 $O
$E multiplication --lag 100 --n-seq 13 --model lstm --budget 600000 $O
$E 3a --lag 100 --model lstm --budget 300000 $O
$E 3c --lag 100 --model lstm --budget 600000 $O
$E remember-first --lag 10 100 1000 --model lstm --budget 100000 $O
$E adding --lag 100 --model lstm --budget 300000 $O
$E adding --lag 500 --model lstm --budget 300000 $O
$E adding --lag 1000 --model lstm --budget 300000 $O
