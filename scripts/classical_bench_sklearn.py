#!/usr/bin/env python3
"""scikit-learn counterpart of `classical-bench` on the SAS2010 COPD review.

Times TfidfVectorizer and MultinomialNB / LogisticRegression / LinearSVC with the same settings as
the Swift benchmark, and reports 5-fold stratified cross-validated ROC AUC and WSS@95 (Cohen),
so that the two can be compared in one sitting. Fold assignment differs from the Swift run (numpy
shuffling), so compare means, not folds.

    /tmp/skl/bin/python scripts/classical_bench_sklearn.py --corpus ../shared/corpora/sas2010/copd
"""

import argparse
import math
import os
import statistics
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC
from sklearn.utils.class_weight import compute_sample_weight


def load(directory):
    ids, texts, labels = [], [], []
    with open(os.path.join(directory, "copd_labeled_terms_only"), encoding="utf-8") as handle:
        for line in handle:
            fields = line.split()
            if len(fields) < 2:
                continue
            record = fields[0]

            def read(sub):
                path = os.path.join(directory, sub, record)
                if not os.path.exists(path):
                    return ""
                with open(path, encoding="utf-8") as f:
                    return f.read().strip()

            ids.append(record)
            texts.append(read("Titles") + " " + read("Abstracts"))
            labels.append(1 if fields[1] == "1" else 0)
    return ids, texts, np.array(labels)


def asreview_weights(y, ratio):
    weights = compute_sample_weight({1: 1.0, 0: y.sum() / (ratio * (y == 0).sum())}, y=y)
    return weights * (len(y) / weights.sum())


def wss95(scores, labels):
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    needed = math.ceil(0.95 * labels.sum())
    found = 0
    for position, index in enumerate(order):
        found += labels[index]
        if found >= needed:
            return (len(labels) - (position + 1)) / len(labels) - 0.05
    return -0.05


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="../shared/corpora/sas2010/copd")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    _, texts, y = load(args.corpus)
    print(f"{len(texts)} records, {y.sum()} relevant")

    features = {
        "bigram": dict(ngram_range=(1, 2), sublinear_tf=True),
        "elas_u4": dict(ngram_range=(1, 2), sublinear_tf=True, max_df=0.95),
        "elas_u3": dict(stop_words="english"),
    }
    matrices = {}
    for name, params in features.items():
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            X = TfidfVectorizer(**params).fit_transform(texts)
            times.append(time.perf_counter() - start)
        matrices[name] = X
        print(f"tfidf {name}: {X.shape[1]} columns, {X.nnz} stored, fit_transform {statistics.median(times):.3f} s")

    models = [
        ("NB elas_u3", "elas_u3", lambda: MultinomialNB(alpha=3.822), 1.2),
        ("NB bigram", "bigram", lambda: MultinomialNB(alpha=3.822), None),
        ("LR C=1", "bigram", lambda: LogisticRegression(C=1.0), None),
        ("LR balanced", "bigram", lambda: LogisticRegression(C=1.0, class_weight="balanced"), None),
        ("SVM elas_u4", "elas_u4", lambda: LinearSVC(C=0.11), 9.8),
        ("SVM C=1", "bigram", lambda: LinearSVC(C=1.0), None),
    ]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=args.seed)
    for name, feature, make, ratio in models:
        X = matrices[feature]
        weights = asreview_weights(y, ratio) if ratio else None
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            make().fit(X, y, sample_weight=weights)
            times.append(time.perf_counter() - start)
        aucs, wsss = [], []
        for train, test in folds.split(X, y):
            model = make()
            model.fit(X[train], y[train], sample_weight=asreview_weights(y[train], ratio) if ratio else None)
            if hasattr(model, "decision_function"):
                scores = model.decision_function(X[test])
            else:
                log_proba = model.predict_log_proba(X[test])
                scores = log_proba[:, 1] - log_proba[:, 0]
            aucs.append(roc_auc_score(y[test], scores))
            wsss.append(wss95(list(scores), y[test]))
        print(f"{name}: fit {statistics.median(times):.4f} s, CV AUC {np.mean(aucs):.3f} ± {np.std(aucs, ddof=1):.3f}, "
              f"WSS@95 {np.mean(wsss):.3f} ± {np.std(wsss, ddof=1):.3f}")


if __name__ == "__main__":
    main()
