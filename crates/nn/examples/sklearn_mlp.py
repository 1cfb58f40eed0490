"""scikit-learn MLPClassifier on the same synthetic data as examples/bench.rs, for comparison.

Run with one thread and CPU-time measurement, like the Rust bench:
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 crates/nn/examples/sklearn_mlp.py
(needs numpy and scikit-learn; the data have the same distribution, not the same bits).
"""
import time, warnings, numpy as np
from sklearn.neural_network import MLPClassifier
warnings.filterwarnings("ignore")
rng = np.random.default_rng(1)
def data(rows, n_in, n_out):
    x = rng.random((rows, n_in), dtype=np.float32)
    sgn = np.array([1 if j % 2 == 0 else -1 for j in range(n_in)], dtype=np.float32)
    s = x @ sgn
    y = (s > 0).astype(int) if n_out == 1 else (np.abs(s) * 7).astype(int) % n_out
    return x, y
for name, n_in, hidden, n_out, act, solver, batch, epochs in [
    ("7-16-1 sigmoid sgd full batch", 7, (16,), 1, "logistic", "sgd", 100000, 20),
    ("7-16-1 sigmoid adam", 7, (16,), 1, "logistic", "adam", 200, 5),
    ("7-16-1 relu adam", 7, (16,), 1, "relu", "adam", 200, 5),
    ("40-32-16-15 sigmoid sgd full batch", 40, (32, 16), 15, "logistic", "sgd", 100000, 10),
    ("40-32-16-15 sigmoid adam", 40, (32, 16), 15, "logistic", "adam", 200, 3),
    ("40-32-16-15 relu adam", 40, (32, 16), 15, "relu", "adam", 200, 3),
]:
    x, y = data(100000, n_in, n_out)
    m = MLPClassifier(hidden_layer_sizes=hidden, activation=act, solver=solver, batch_size=batch,
                      learning_rate_init=0.5 if solver == "sgd" else 1e-3, momentum=0.9, nesterovs_momentum=False,
                      max_iter=epochs, tol=0, n_iter_no_change=10**9, shuffle=True, random_state=0)
    best = 1e9
    for _ in range(2):
        t = time.process_time(); m.fit(x, y); best = min(best, time.process_time() - t)
    t = time.process_time()
    for _ in range(5): m.predict_proba(x)
    inf = 5 * 100000 / (time.process_time() - t)
    print(f"{name:<36} train {100000*m.n_iter_/best/1e6:6.3f} M samples·epochs/s; inference {inf/1e6:6.2f} M rows/s")
