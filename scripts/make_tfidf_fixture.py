#!/usr/bin/env python3
"""Write the scikit-learn parity fixture for the Text and Screening targets.

The fixture holds ~30 real titles/abstracts from the Cohen 2006 ADHD review (10 included and 20
excluded at the title/abstract stage, plus records with non-ASCII text), the TF-IDF matrices that
scikit-learn's TfidfVectorizer computes for them under three configurations, the tokens of a few
hand-written Unicode edge cases, and reference results of MultinomialNB, LogisticRegression and
LinearSVC fitted on the first matrix. The Swift tests read the JSON and need no Python.

Usage (from the package root, after `python3 -m venv /tmp/skl && /tmp/skl/bin/pip install
scikit-learn`):

    /tmp/skl/bin/python scripts/make_tfidf_fixture.py \
        --corpora ../shared/corpora \
        [--text-out Tests/TextTests/Fixtures/tfidf_fixture.json] \
        [--screening-out Tests/ScreeningTests/Fixtures/classifier_fixture.json]
"""

import argparse
import csv
import json
import os

import numpy as np
import sklearn
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC
from sklearn.utils.class_weight import compute_sample_weight

# Hand-written analyzer edge cases: Unicode letters and digits, underscores, single characters,
# hyphens and apostrophes, combining marks, a dotted capital I, final sigma and CJK.
ANALYZER_CASES = [
    "The Größe of ADHD-related 5-HT2A receptors: a meta-analysis (n=1,024).",
    "snake_case_words and x y z single letters; e.g. 3.5 mg/kg",
    "Café vs cafe\u0301 (decomposed), naïve, São Paulo, Ærø",
    "İstanbul ΣΟΦΟΣ σοφος Straße ǅemal",
    "中文字符 和 日本語 αβ-blocker ½ ² ⅷ ٣٤ x²y",
    "it's the children's don't",
    "",
    "   \t\n  ",
]


def sparse_dict(matrix):
    matrix = matrix.tocsr()
    matrix.sort_indices()
    return {
        "shape": list(matrix.shape),
        "indptr": matrix.indptr.tolist(),
        "indices": matrix.indices.tolist(),
        "data": matrix.data.tolist(),
    }


def load_documents(corpora):
    path = os.path.join(corpora, "cohen2006", "ADHD.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    def text(row):
        return (row["title"].strip() + " " + row["abstract"].strip()).strip()
    non_ascii = [r for r in rows if any(ord(c) > 127 for c in text(r))]
    included = [r for r in rows if r["label_abstract_screening"] == "1" and r["abstract"].strip()]
    excluded = [r for r in rows if r["label_abstract_screening"] == "0" and r["abstract"].strip()]
    chosen, seen = [], set()
    for row in non_ascii + included[:9] + excluded[:18]:
        if row["record_id"] not in seen:
            seen.add(row["record_id"])
            chosen.append(row)
    chosen.sort(key=lambda r: int(r["record_id"]))
    return [
        {
            "record_id": r["record_id"],
            "pmid": r["pubmedID"],
            "label": int(r["label_abstract_screening"]),
            "text": text(r),
        }
        for r in chosen
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", default="../shared/corpora")
    parser.add_argument("--text-out", default="Tests/TextTests/Fixtures/tfidf_fixture.json")
    parser.add_argument("--screening-out", default="Tests/ScreeningTests/Fixtures/classifier_fixture.json")
    args = parser.parse_args()

    documents = load_documents(args.corpora)
    texts = [d["text"] for d in documents]
    labels = np.array([d["label"] for d in documents])

    # max_features=274 sits between two distinct corpus term counts (6 and 5): scikit-learn ranks
    # terms with numpy's unstable argsort, so ties at the cut-off would be broken arbitrarily.
    configurations = {
        "bigram_sublinear": dict(ngram_range=(1, 2), sublinear_tf=True),
        "bigram_sublinear_stop_words": dict(ngram_range=(1, 2), sublinear_tf=True, stop_words="english"),
        "pruned": dict(ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_df=0.5, max_features=274),
        "unigram_raw_tf": dict(),
    }
    tfidf = {}
    matrices = {}
    for name, params in configurations.items():
        vectorizer = TfidfVectorizer(**params)
        matrix = vectorizer.fit_transform(texts)
        matrices[name] = matrix
        tfidf[name] = {
            "parameters": {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()},
            "vocabulary": vectorizer.get_feature_names_out().tolist(),
            "idf": vectorizer.idf_.tolist(),
            "matrix": sparse_dict(matrix),
        }

    unigram = TfidfVectorizer().build_analyzer()
    unigram_stop = TfidfVectorizer(stop_words="english").build_analyzer()
    bigram = TfidfVectorizer(ngram_range=(1, 2)).build_analyzer()
    analyzer_cases = [
        {"text": t, "unigrams": unigram(t), "unigrams_stop_words": unigram_stop(t), "bigrams": bigram(t)}
        for t in ANALYZER_CASES
    ]

    X = matrices["bigram_sublinear"]
    asreview_weights = compute_sample_weight({1: 1.0, 0: labels.sum() / (9.8 * (labels == 0).sum())}, y=labels)
    asreview_weights = asreview_weights * (len(labels) / asreview_weights.sum())

    classifiers = {}

    def nb_entry(model, sample_weight=None):
        model.fit(X, labels, sample_weight=sample_weight)
        return {
            "feature_log_prob": model.feature_log_prob_.tolist(),
            "class_log_prior": model.class_log_prior_.tolist(),
            "predict_log_proba": model.predict_log_proba(X).tolist(),
        }

    classifiers["naive_bayes"] = nb_entry(MultinomialNB(alpha=3.822))
    classifiers["naive_bayes_weighted"] = nb_entry(MultinomialNB(alpha=3.822), asreview_weights)

    def linear_entry(model, sample_weight=None, keep_coef=True):
        model.fit(X, labels, sample_weight=sample_weight)
        return {
            "coef": model.coef_[0].tolist() if keep_coef else None,
            "intercept": float(model.intercept_[0]),
            "decision_function": model.decision_function(X).tolist(),
            "n_iter": int(np.max(model.n_iter_)),
        }

    classifiers["logistic_default"] = linear_entry(LogisticRegression(C=1.0))
    classifiers["logistic_tight"] = linear_entry(LogisticRegression(C=1.0, tol=1e-12, max_iter=100000))
    classifiers["logistic_balanced_tight"] = linear_entry(
        LogisticRegression(C=10.0, class_weight="balanced", tol=1e-12, max_iter=100000), keep_coef=False)
    classifiers["logistic_weighted_tight"] = linear_entry(
        LogisticRegression(C=1.0, tol=1e-12, max_iter=100000), asreview_weights, keep_coef=False)
    classifiers["svm_default"] = linear_entry(
        LinearSVC(C=1.0), keep_coef=False)
    classifiers["svm_tight"] = linear_entry(
        LinearSVC(C=1.0, tol=1e-10, max_iter=1000000), keep_coef=False)
    classifiers["svm_elas_u4_tight"] = linear_entry(
        LinearSVC(C=0.11, tol=1e-10, max_iter=1000000), asreview_weights, keep_coef=False)
    classifiers["svm_hinge_tight"] = linear_entry(
        LinearSVC(C=1.0, loss="hinge", tol=1e-10, max_iter=1000000), keep_coef=False)
    classifiers["svm_balanced_tight"] = linear_entry(
        LinearSVC(C=1.0, class_weight="balanced", tol=1e-10, max_iter=1000000), keep_coef=False)

    header = {
        "generator": "scripts/make_tfidf_fixture.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "source": "cohen2006/ADHD.csv (title + ' ' + abstract, label_abstract_screening)",
    }
    text_fixture = dict(header, documents=documents, english_stop_words=sorted(ENGLISH_STOP_WORDS),
                        analyzer_cases=analyzer_cases, tfidf=tfidf)
    screening_fixture = dict(
        header,
        labels=labels.tolist(),
        matrix=tfidf["bigram_sublinear"]["matrix"],
        asreview_balanced_weights_ratio_9_8=asreview_weights.tolist(),
        classifiers=classifiers,
    )
    for out, fixture in [(args.text_out, text_fixture), (args.screening_out, screening_fixture)]:
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
        with open(out, "w", encoding="utf-8") as handle:
            json.dump(fixture, handle, ensure_ascii=False, indent=None, separators=(",", ":"))
            handle.write("\n")
        print(f"wrote {out} ({os.path.getsize(out)} bytes)")
    print(f"{len(documents)} documents ({int(labels.sum())} included), "
          f"{len(tfidf['bigram_sublinear']['vocabulary'])} uni+bigram features")


if __name__ == "__main__":
    main()
