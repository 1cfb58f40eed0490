#!/usr/bin/env python3
"""scikit-learn's side of bench/ids_vs_sklearn.sh.

Trains sklearn.neural_network.MLPClassifier on the feature CSV that `nightjar ids train
--export-csv` wrote, with the same architecture and optimizer as Nightjar's csv_train example
(hidden (32,16), tanh, Adam, learning rate 1e-3, batch 128, no L2, log-loss, shuffled epochs),
one epoch at a time with partial_fit, and reports the training seconds (partial_fit only; the
accuracy checks between epochs are not timed) until the test accuracy reaches the target.

Usage: ids_vs_sklearn.py --train train.csv --test test.csv --target-acc 0.99 [--epochs 30]
       [--hidden 32,16] [--lr 0.001] [--batch 128] [--seed 1]
Prints one JSON object.
"""
import argparse
import json
import time

import numpy as np
from sklearn.neural_network import MLPClassifier


def load(path):
    with open(path) as f:
        header = f.readline().rstrip("\n").split(",")
    if header[-2:] != ["label", "attack"]:
        raise SystemExit(f"{path}: not a Nightjar feature CSV")
    nf = len(header) - 2
    x = np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(nf), dtype=np.float32, ndmin=2)
    y = np.loadtxt(path, delimiter=",", skiprows=1, usecols=[nf + 1], dtype=np.int64, ndmin=1)
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--target-acc", type=float, default=0.99)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--hidden", default="32,16")
    ap.add_argument("--lr", type=float, default=0.001)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    t = time.perf_counter()
    x, y = load(a.train)
    xt, yt = load(a.test)
    read_seconds = time.perf_counter() - t
    # the same standardisation as Nightjar (nightjar_ids::model::Scaling): mean/std of the
    # training rows, deviation floored at 0.05, features constant in training scaled by 0,
    # clipped at +-8 — so both trainers see the same numbers (untimed on both sides)
    mean = x.mean(axis=0, dtype=np.float64)
    sd = x.std(axis=0, dtype=np.float64)
    scale = np.where(sd < 1e-6, 0.0, 1.0 / np.maximum(sd, 0.05))
    x = np.clip((x - mean) * scale, -8, 8).astype(np.float32)
    xt = np.clip((xt - mean) * scale, -8, 8).astype(np.float32)

    clf = MLPClassifier(
        hidden_layer_sizes=tuple(int(h) for h in a.hidden.split(",")),
        activation="tanh",
        solver="adam",
        alpha=0.0,
        batch_size=a.batch,
        learning_rate_init=a.lr,
        shuffle=True,
        random_state=a.seed,
    )
    cumulative = []
    accs = []
    total = 0.0
    reached = None
    for e in range(1, a.epochs + 1):
        t = time.perf_counter()
        clf.partial_fit(x, y, classes=np.array([0, 1]))
        total += time.perf_counter() - t
        cumulative.append(total)
        acc = float(clf.score(xt, yt))
        accs.append(acc)
        if acc >= a.target_acc:
            reached = e
            break
    print(json.dumps({
        "train_rows": int(x.shape[0]), "test_rows": int(xt.shape[0]), "features": int(x.shape[1]),
        "read_seconds": read_seconds,
        "epoch_seconds_cumulative": cumulative,
        "test_accuracy_per_epoch": accs,
        "final_test_accuracy": accs[-1] if accs else None,
        "target_accuracy": a.target_acc,
        "epochs_to_target": reached,
        "seconds_to_target": cumulative[reached - 1] if reached else None,
        "sklearn": __import__("sklearn").__version__,
        "numpy": np.__version__,
    }))


if __name__ == "__main__":
    main()
