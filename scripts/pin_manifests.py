#!/usr/bin/env python3
"""Writes manifests/<collection>.json with the sha256 and size of every source file found in a
mirror laid out like shared/corpora. Run once when a mirror changes:
    python3 scripts/pin_manifests.py ../shared/corpora
Folders of one-record files (SAS2010 Titles/Abstracts) get a tree digest: sha256 over the lines
"<sha256 of file>  <name>\\n" sorted by name (SourceResolver.treeDigest computes the same)."""
import hashlib, json, os, re, sys

mirror = sys.argv[1]
out = os.path.join(os.path.dirname(__file__), "..", "manifests")

def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

def source(id, path, url, reader, review=None, kind="file", **options):
    full = os.path.join(mirror, path)
    entry = {"id": id, "path": path, "url": url, "reader": reader, "kind": kind}
    if review: entry["review"] = review
    if kind == "file":
        entry["sha256"] = sha(full); entry["size"] = os.path.getsize(full)
    else:
        names = sorted(os.listdir(full))
        lines = "".join(f"{sha(os.path.join(full, n))}  {n}\n" for n in names)
        entry["sha256"] = hashlib.sha256(lines.encode()).hexdigest(); entry["size"] = len(names)
    if options: entry["options"] = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in options.items()}
    return entry

def write(manifest):
    with open(os.path.join(out, manifest["id"] + ".json"), "w") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False); f.write("\n")

GH = "https://raw.githubusercontent.com"
cohen_reviews = ["ACEInhibitors", "ADHD", "Antihistamines", "AtypicalAntipsychotics", "BetaBlockers", "CalciumChannelBlockers", "Estrogens", "NSAIDS", "Opiods", "OralHypoglycemics", "ProtonPumpInhibitors", "SkeletalMuscleRelaxants", "Statins", "Triptans", "UrinaryIncontinence"]
write({"id": "cohen2006", "name": "Cohen et al. 2006 drug class reviews",
  "citation": "Cohen AM, Hersh WR, Peterson K, Yen PY. Reducing workload in systematic review preparation using automated citation classification. JAMIA 13(2):206-219, 2006.",
  "doi": "10.1197/jamia.M1929", "license": "custom open license (OHSU); ASReview copies MIT", "domain": "drug class reviews",
  "homepage": "https://dmice.ohsu.edu/cohenaa/systematic-drug-class-review-data.html",
  "known_reviews": cohen_reviews, "labels": {"ta": {"0": 0, "1": 1}, "ft": {"0": 0, "1": 1}},
  "notes": "ASReview's re-fetched CSVs carry both stages: label_abstract_screening (TA) and label_included (FT).",
  "sources": [source(r, f"cohen2006/{r}.csv", f"{GH}/asreview/systematic-review-datasets/0909240fec2602c3ecef82d131790d390edb33bf/datasets/Cohen_2006/output/online/{r}.csv", "csv", review=r)
              for r in cohen_reviews if os.path.exists(os.path.join(mirror, f"cohen2006/{r}.csv"))]})

base = f"{GH}/bwallace/citation-screening/ed2f9f0c6c74696562aaef99b0c9974ed0a04cd3/modeling/curious_snake/data"
write({"id": "sas2010", "name": "Wallace et al. 2010 (SAS2010)",
  "citation": "Wallace BC, Trikalinos TA, Lau J, Brodley C, Schmid CH. Semi-automated screening of biomedical citations for systematic reviews. BMC Bioinformatics 11:55, 2010.",
  "doi": "10.1186/1471-2105-11-55", "license": "none stated (bwallace/citation-screening)", "domain": "clinical",
  "homepage": "https://github.com/bwallace/citation-screening", "known_reviews": ["copd", "proton_beam", "micro_nutrients"],
  "labels": {"ta": {"1": 1, "-1": 0}}, "notes": "Title and abstract kept apart and in their original case (CSMeD lower-cases and merges them).",
  "sources": [source("copd.labels", "sas2010/copd/copd_labeled_terms_only", f"{base}/copd/copd_labeled_terms_only", "sas2010-labels", review="copd", title="Chronic obstructive pulmonary disease (COPD)"),
              source("copd.titles", "sas2010/copd/Titles", f"https://github.com/bwallace/citation-screening/tree/ed2f9f0c6c74696562aaef99b0c9974ed0a04cd3/modeling/curious_snake/data/copd/Titles", "sas2010-texts", review="copd", kind="directory", role="titles"),
              source("copd.abstracts", "sas2010/copd/Abstracts", f"https://github.com/bwallace/citation-screening/tree/ed2f9f0c6c74696562aaef99b0c9974ed0a04cd3/modeling/curious_snake/data/copd/Abstracts", "sas2010-texts", review="copd", kind="directory", role="abstracts")]})

write({"id": "swift", "name": "SWIFT-Review (Howard et al. 2016)",
  "citation": "Howard BE, Phillips J, Miller K, et al. SWIFT-Review: a text-mining workbench for systematic review. Systematic Reviews 5:87, 2016.",
  "doi": "10.1186/s13643-016-0263-z", "license": "CC0 (SYNERGY id files)", "domain": "toxicology and animal research",
  "homepage": "https://github.com/asreview/synergy-dataset", "known_reviews": ["BPA", "Transgenerational", "PFOS-PFOA", "Fluoride", "Neuropain"],
  "labels": {"ta": {"0": 0, "1": 1}}, "notes": "SYNERGY redistributes ids and labels only; texts live in Springer supplementary workbooks; fill them with --pubmed.",
  "sources": [source("BPA", "swift/Wassenaar_2017_ids.csv", f"{GH}/asreview/synergy-dataset/74b6fde5ed15e1c15b5f0e5c5f8cec9feacbb3ef/datasets/Howard_2016/Wassenaar_2017_ids.csv", "csv", review="BPA", title="Bisphenol A (BPA) and obesity (Wassenaar 2017)")]})

sig = f"{GH}/ielab/SIGIR2017-SysRev-Collection/218cc822e60da0d018b46102404a708f1a1ef4e3"
sig_ids = sorted({l.split()[0] for l in open(os.path.join(mirror, "sigir2017/sigir2017.qrels")) if l.strip()}, key=int)
write({"id": "sigir2017", "name": "SIGIR 2017 systematic review collection (Scells et al.)",
  "citation": "Scells H, Zuccon G, Koopman B, Deacon A, Azzopardi L, Geva S. A test collection for evaluating retrieval of studies for inclusion in systematic reviews. SIGIR 2017.",
  "doi": "10.1145/3077136.3080707", "license": "none stated (ielab/SIGIR2017-SysRev-Collection)", "domain": "clinical (Cochrane)",
  "homepage": "https://github.com/ielab/SIGIR2017-SysRev-Collection", "known_reviews": sig_ids,
  "labels": {"ta": {"1": 0, "2": 1, "3": 0, "4": 1}},
  "notes": "Judged PMIDs only; CSMeD maps qrel values 2 and 4 to included. Fill texts with --pubmed.",
  "sources": [source("qrels", "sigir2017/sigir2017.qrels", f"{sig}/sigir2017.qrels", "trec-qrels"),
              source("reviews", "sigir2017/systematic_reviews.json", f"{sig}/systematic_reviews.json", "sigir2017-reviews"),
              source("queries", "sigir2017/queries_unannotated.json", f"{sig}/queries_unannotated.json", "sigir2017-queries")]})

tar = f"{GH}/CLEF-TAR/tar/dbc13d02bb3e2f8ebc90e62ff47f5eb591e5ca20"
ast = f"{GH}/dli1/auto-stop-tar/7e727950cef8f9eea553cd2b56068141ccf01713/data/clef2017"
def topic_id(path):
    for line in open(path):
        m = re.match(r"\s*Topic:\s*(\S+)", line)
        if m: return m.group(1)
t17 = sorted(os.listdir(os.path.join(mirror, "clef_tar2017/topics")))
src17 = []
for t in t17:
    src17 += [source(f"{t}.topic", f"clef_tar2017/topics/{t}", f"{ast}/topics/{t}", "clef-topic-json", review=t, review_type="DTA"),
              source(f"{t}.qrels", f"clef_tar2017/qrels/{t}", f"{ast}/qrels/{t}", "trec-qrels", review=t, stage="ta"),
              source(f"{t}.texts", f"clef_tar2017/doctexts/{t}", f"{ast}/doctexts/{t}", "jsonl", review=t)]
for sub in ["testing/topics", "training/topics_train"]:
    d = os.path.join(mirror, "clef_tar2017/official/2017-TAR", sub)
    for n in sorted(os.listdir(d)):
        t = topic_id(os.path.join(d, n))
        src17.append(source(f"{t}.official", f"clef_tar2017/official/2017-TAR/{sub}/{n}", f"{tar}/2017-TAR/{sub}/{n}", "clef-topic", review=t))
write({"id": "clef_tar2017", "name": "CLEF eHealth 2017 Technology Assisted Reviews",
  "citation": "Kanoulas E, Li D, Azzopardi L, Spijker R. CLEF 2017 technologically assisted reviews in empirical medicine overview. CEUR-WS Vol-1866, 2017.",
  "doi": None, "license": "MIT (CLEF-TAR/tar, dli1/auto-stop-tar)", "domain": "diagnostic test accuracy (Cochrane)",
  "homepage": "https://github.com/CLEF-TAR/tar", "known_reviews": t17,
  "labels": {"ta": {"0": 0, "1": 1}}, "notes": "Texts for seven topics from the auto-stop-tar copy; abstract-level qrels.",
  "sources": src17})

src18 = []
d = os.path.join(mirror, "clef_tar2018/2018-TAR/Task2/Testing/topics")
t18 = sorted(os.listdir(d))
for t in t18:
    src18.append(source(f"{t}.topic", f"clef_tar2018/2018-TAR/Task2/Testing/topics/{t}", f"{tar}/2018-TAR/Task2/Testing/topics/{t}", "clef-topic", review=t, review_type="DTA"))
src18 += [source("qrels.abs", "clef_tar2018/2018-TAR/Task2/Testing/qrels/qrel_abs_task2", f"{tar}/2018-TAR/Task2/Testing/qrels/qrel_abs_task2", "trec-qrels", stage="ta", rels_only=True),
          source("qrels.content", "clef_tar2018/2018-TAR/Task2/Testing/qrels/qrel_content_task2", f"{tar}/2018-TAR/Task2/Testing/qrels/qrel_content_task2", "trec-qrels", stage="ft", rels_only=True)]
all18 = sorted({l.split()[0] for l in open(os.path.join(mirror, "clef_tar2018/2018-TAR/Task2/Testing/qrels/qrel_abs_task2")) if l.strip()})
write({"id": "clef_tar2018", "name": "CLEF eHealth 2018 Technology Assisted Reviews",
  "citation": "Kanoulas E, Li D, Azzopardi L, Spijker R. CLEF 2018 technologically assisted reviews in empirical medicine overview. CEUR-WS Vol-2125, 2018.",
  "doi": None, "license": "MIT (CLEF-TAR/tar)", "domain": "diagnostic test accuracy (Cochrane)",
  "homepage": "https://github.com/CLEF-TAR/tar", "known_reviews": sorted(set(all18) | set(t18)),
  "labels": {"ta": {"0": 0, "1": 1}, "ft": {"0": 0, "1": 1}},
  "notes": "The 2018 qrels list relevant documents only; full qrels are the topic's PIDs, 0 unless listed.",
  "sources": src18})

src19 = []
t19 = []
for typ in ["Prognosis", "Qualitative"]:
    d = os.path.join(mirror, f"clef_tar2019/2019-TAR/Task2/Testing/{typ}/topics")
    for t in sorted(os.listdir(d)):
        t19.append(t)
        src19.append(source(f"{t}.topic", f"clef_tar2019/2019-TAR/Task2/Testing/{typ}/topics/{t}", f"{tar}/2019-TAR/Task2/Testing/{typ}/topics/{t}", "clef-topic", review=t, review_type=typ.lower()))
    for stage, part in [("ta", "abs"), ("ft", "content")]:
        p = f"clef_tar2019/2019-TAR/Task2/Testing/{typ}/qrels/full.test.{typ.lower()}.{part}.2019.qrels"
        src19.append(source(f"{typ.lower()}.qrels.{part}", p, f"{tar}/{p[len('clef_tar2019/'):]}", "trec-qrels", stage=stage))
write({"id": "clef_tar2019", "name": "CLEF eHealth 2019 Technology Assisted Reviews",
  "citation": "Kanoulas E, Li D, Azzopardi L, Spijker R. CLEF 2019 technology assisted reviews in empirical medicine overview. CEUR-WS Vol-2380, 2019.",
  "doi": None, "license": "MIT (CLEF-TAR/tar)", "domain": "mixed (intervention, DTA, prognosis, qualitative)",
  "homepage": "https://github.com/CLEF-TAR/tar", "known_reviews": t19,
  "labels": {"ta": {"0": 0, "1": 1}, "ft": {"0": 0, "1": 1}}, "notes": "Full qrels at abstract and content level.",
  "sources": src19})

sru = f"{GH}/Amal-Alharbi/Systematic_Reviews_Update/35a78b615d9c9dbdd889c55a61e5032b3cc309c6"
srids = sorted(f.split(".")[0] for f in os.listdir(os.path.join(mirror, "sr_updates/Boolean-Queries")))
srsrc = []
for r in srids:
    for role, path in [("title", f"Reviews-Information/{r}.title.txt"), ("keywords", f"Reviews-Information/{r}.keywords.txt"),
                       ("query", f"Boolean-Queries/{r}.query.txt"),
                       ("included_abstract", f"Included-PMIDs/abstract_level/{r}.included.abstract.original.txt"),
                       ("included_content", f"Included-PMIDs/content_level/{r}.include.content.original.txt")]:
        srsrc.append(source(f"{r}.{role}", f"sr_updates/{path}", f"{sru}/{path}", "sr-updates", review=r, role=role))
write({"id": "sr_updates", "name": "Systematic review updates (Alharbi & Stevenson 2019)",
  "citation": "Alharbi A, Stevenson M. A dataset of systematic review updates. SIGIR 2019.",
  "doi": "10.1145/3331184.3331358", "license": "none stated (Amal-Alharbi/Systematic_Reviews_Update)", "domain": "clinical (Cochrane intervention)",
  "homepage": "https://github.com/Amal-Alharbi/Systematic_Reviews_Update", "known_reviews": srids,
  "labels": {"ta": {"0": 0, "1": 1}, "ft": {"0": 0, "1": 1}},
  "notes": "Only the included PMIDs are public (the candidate pickle is not); reviews are stored with candidate_set = included_only.",
  "sources": srsrc})

han = f"{GH}/hannousse/Semantic-Scholar-Evaluation/4ed6bfb2e8571e33d29f5bdee1a92b0639704e99/Datasets%20for%20automatic%20screening%20of%20papers"
era = f"{GH}/aliromagnoli/Erasmus-Stage/3e918f7184d6d00d26374c580ba58a04aa46e693/datasets/new_datasets"
hr = ["Alhammad-2018", "Ghasemi-2019", "Goulao-2016", "Guinea-2016", "Santos-2018", "Shahin-2017", "Yang-2016"]
hsrc = []
for r in hr:
    hsrc += [source(f"{r}.included", f"hannousse/{r}/{r}-Included.bib", f"{han}/{r}/{r}-Included.bib", "bibtex", review=r, label=1),
             source(f"{r}.excluded", f"hannousse/{r}/{r}-Excluded.bib", f"{han}/{r}/{r}-Excluded.bib", "bibtex", review=r, label=0),
             source(f"{r}.protocol", f"hannousse/review_metadata/{r.lower()}.json", f"{era}/{r.lower()}.json", "protocol-json", review=r)]
write({"id": "hannousse", "name": "Hannousse & Yahiouche 2022 software engineering reviews",
  "citation": "Hannousse A, Yahiouche S. Towards semantic-based automatic screening of papers for systematic literature reviews. MedPRAI 2021, CCIS 1543, 2022.",
  "doi": "10.1007/978-3-031-04112-9_15", "license": "none stated (hannousse/Semantic-Scholar-Evaluation)", "domain": "computer science",
  "homepage": "https://github.com/hannousse/Semantic-Scholar-Evaluation", "known_reviews": hr,
  "labels": {"ta": {"0": 0, "1": 1}, "ft": {"0": 0, "1": 1}},
  "notes": "Labels are the final decision of the SLR authors, stored for both stages as CSMeD uses them.",
  "sources": hsrc})

ft = f"{GH}/WojciechKusa/systematic-review-datasets/main/data/CSMeD"
ftsrc = []
for split, name in [("train", "train"), ("dev", "dev"), ("test", "test"), ("test_small", "sample")]:
    ftsrc += [{"id": f"{split}.csv", "path": f"csmed_ft/CSMeD-FT/CSMeD-FT-{name}.csv", "url": f"{ft}/CSMeD-FT.zip", "reader": "csmed-ft-csv", "kind": "file", "options": {"split": f"ft_{split}"}},
              {"id": f"{split}.metadata", "path": f"csmed_ft/CSMeD-FT/CSMeD-FT-{name}_reviews_metadata.json", "url": f"{ft}/CSMeD-FT.zip", "reader": "csmed-ft-metadata", "kind": "file"}]
write({"id": "csmed_ft", "name": "CSMeD-FT full-text screening",
  "citation": "Kusa W, Mendoza OE, Samwald M, Knoth P, Hanbury A. CSMeD: Bridging the Dataset Gap in Automated Citation Screening for Systematic Literature Reviews. NeurIPS 2023 Datasets and Benchmarks.",
  "doi": "10.48550/arXiv.2311.12474", "license": "CC BY-SA 4.0", "domain": "clinical (Cochrane), full text",
  "homepage": "https://github.com/WojciechKusa/systematic-review-datasets", "known_reviews": [],
  "labels": {"ft": {"included": 1, "excluded": 0}},
  "notes": "Distributed as CSMeD-FT.zip (not in the public mirror); unzip it into <mirror>/csmed_ft/. No checksum is pinned because no copy was available to pin.",
  "sources": ftsrc})
print("ok")
