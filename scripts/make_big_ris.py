#!/usr/bin/env python3
"""A large RIS search export for the streaming and throughput figures in docs/results.md.

    python3 scripts/make_big_ris.py [--db data/csmed.sqlite] [--records 100000] -o big100k.ris

The meta-dataset's documents with a title or an abstract, in id order, repeated under new ids
(ID 1..N) until there are `--records` of them; every tenth record keeps its title only, so the
file has short records too. Deterministic: the same database gives the same file.
"""
import argparse
import sqlite3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="data/csmed.sqlite")
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    rows = sqlite3.connect(args.db).execute(
        """SELECT title, abstract, year, authors, venue, doi, pmid FROM document
           WHERE text_status != 'ids_only' ORDER BY id""").fetchall()
    if not rows:
        raise SystemExit(f"{args.db}: no documents with text")
    with open(args.output, "w", encoding="utf-8") as out:
        for n in range(args.records):
            title, abstract, year, authors, venue, doi, pmid = rows[n % len(rows)]
            lines = ["TY  - JOUR", f"ID  - {n + 1}", f"TI  - {' '.join(title.split())}"]
            if abstract and n % 10 != 9:
                lines.append(f"AB  - {' '.join(abstract.split())}")
            for author in (authors or "").split(";"):
                if author.strip():
                    lines.append(f"AU  - {author.strip()}")
            if year:
                lines.append(f"PY  - {year}")
            if venue:
                lines.append(f"JO  - {venue}")
            if doi:
                lines.append(f"DO  - {doi}")
            if pmid:
                lines.append(f"AN  - {pmid}")
            lines.append("ER  - ")
            out.write("\n".join(lines) + "\n\n")
    print(f"{args.output}: {args.records} records from {len(rows)} documents")


if __name__ == "__main__":
    main()
