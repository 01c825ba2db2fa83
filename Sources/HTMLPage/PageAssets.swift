/// The screening page's style, its static body and its script: one page, nothing fetched.
///
/// The script reads the data block, lists the records a page at a time, marks the terms, keeps
/// the reviewer's labels in local storage under the page's id, and exports them as the CSV that
/// `csmed stop --labels` reads (`order,document_id,label`) with the records' fields under
/// ASReview's column names (`record_id,title,abstract,...,included`) for `csmed train --input`
/// and ASReview LAB.
enum PageAssets {
  static let style = """
    :root { --ink: #1d2430; --muted: #5b6576; --line: #d8dde6; --accent: #1f5fbf; --inc: #e3f4e6; --exc: #f7e4e4; }
    * { box-sizing: border-box; }
    body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
      margin: 0 auto; max-width: 980px; padding: 16px 20px 60px; background: #fbfcfd; }
    h1 { font-size: 1.45em; margin: 0.2em 0; }
    h2 { font-size: 1.1em; margin: 1.2em 0 0.4em; }
    code { font-size: 0.92em; background: #eef1f5; padding: 0 3px; border-radius: 3px; }
    .about, .legend, .byline, .keywords, .source-label { color: var(--muted); }
    details.query pre { white-space: pre-wrap; background: #eef1f5; padding: 8px; border-radius: 4px; }
    table.rules { border-collapse: collapse; width: 100%; font-size: 0.93em; }
    table.rules td, table.rules th { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
    tr.stop td:nth-child(2) { color: #17692b; font-weight: 600; }
    tr.continue td:nth-child(2) { color: #a33; font-weight: 600; }
    tr.na td:nth-child(2) { color: var(--muted); }
    #recall svg { max-width: 100%; height: auto; }
    #toolbar { position: sticky; top: 0; z-index: 2; background: #fbfcfd; border-bottom: 1px solid var(--line);
      padding: 8px 0; display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; }
    #stats { flex-basis: 100%; font-weight: 500; }
    #toolbar input[type=text] { width: 16em; }
    button { font: inherit; padding: 3px 10px; border: 1px solid #aab3c2; border-radius: 4px; background: white; cursor: pointer; }
    button.primary { background: var(--accent); border-color: var(--accent); color: white; }
    #storage-warning { color: #a33; }
    nav.pager { margin: 10px 0; display: flex; gap: 6px; align-items: center; }
    ol#records { list-style: none; padding: 0; margin: 0; }
    li.record { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; margin: 10px 0; background: white; }
    li.record.included { background: var(--inc); border-color: #9fd3aa; }
    li.record.excluded { background: var(--exc); border-color: #e0aaaa; }
    li.record .head { display: flex; gap: 12px; align-items: baseline; color: var(--muted); font-size: 0.9em; }
    li.record .choice { margin-left: auto; display: flex; gap: 12px; color: var(--ink); }
    li.record h3 { font-size: 1.05em; margin: 4px 0; }
    li.record .abstract { margin: 6px 0; }
    li.record .repeat { color: #8a5800; font-size: 0.9em; }
    li.cutoff { margin: 16px 0; padding: 6px 10px; border-top: 3px solid #d98c00; color: #8a5800; font-weight: 600; }
    mark { padding: 0 1px; border-radius: 2px; }
    mark.q { background: #ffe46b; }
    mark.c { background: #bfe1ff; }
    mark.u { background: #ffc2e2; }
    #progress-chart svg { display: block; }

    """

  static let body = """
    <section id="screen">
    <h2>Records</h2>
    <div id="toolbar">
    <div id="stats">Loading the records...</div>
    <label>Also mark <input id="extra-terms" type="text" placeholder="words, comma separated"></label>
    <label>Per page <select id="page-size"><option>25</option><option>50</option><option>100</option><option>250</option></select></label>
    <button id="first-unlabelled" type="button">First unlabelled</button>
    <button id="export" class="primary" type="button">Export labels (CSV)</button>
    <button id="clear" type="button">Clear my labels</button>
    <span id="export-status"></span>
    <span id="storage-warning"></span>
    </div>
    <p class="legend">Marked: <mark class="q">the query's words</mark> <mark class="c">the criteria's words</mark> <mark class="u">yours</mark></p>
    <div id="progress-chart"></div>
    <nav class="pager" id="pager-top"></nav>
    <ol id="records"></ol>
    <nav class="pager" id="pager-bottom"></nav>
    </section>
    <noscript><p>This page lists the records with JavaScript; allow it for this file.</p></noscript>

    """

  static let script = #"""
    "use strict";
    (function () {
      var data = JSON.parse(document.getElementById("csmed-data").textContent);
      var meta = data.meta, entries = data.entries;
      var storageKey = "csmed-page:" + meta.pageID;
      var saved = loadSaved();
      // Ids come from the export: maps without a prototype, so "__proto__" is an id like any other.
      saved.labels = copyMap(saved.labels);
      // The labels fed back into the page, then what this browser changed since (null: unlabelled).
      var labels = fedBackLabels();
      Object.keys(saved.labels).forEach(function (id) {
        var value = saved.labels[id];
        if (value === 0 || value === 1) { labels[id] = value; } else { delete labels[id]; }
      });
      // A search export may list one record twice (the same PMID from two databases): the later
      // ones are shown as repeats of the first, share its label and are left out of counts and export.
      var repeatOf = [];
      (function () {
        var first = Object.create(null);
        entries.forEach(function (e, i) {
          if (first[e.id] === undefined) { first[e.id] = e.rank; repeatOf[i] = 0; } else { repeatOf[i] = first[e.id]; }
        });
      })();
      var pageSize = [25, 50, 100, 250].indexOf(saved.pageSize) >= 0 ? saved.pageSize : 50;
      var page = typeof saved.page === "number" ? saved.page : 0;
      var extraTerms = typeof saved.extraTerms === "string" ? saved.extraTerms : "";
      var matcher = null;

      function isObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }
      function copyMap(source) {
        var map = Object.create(null);
        if (isObject(source)) { Object.keys(source).forEach(function (key) { map[key] = source[key]; }); }
        return map;
      }
      function fedBackLabels() { return copyMap(meta.labels); }
      function loadSaved() {
        try {
          var value = JSON.parse(window.localStorage.getItem(storageKey) || "{}");
          return isObject(value) ? value : {};
        } catch (e) { return {}; }
      }
      function save() {
        try {
          window.localStorage.setItem(storageKey, JSON.stringify(
            { labels: saved.labels, pageSize: pageSize, page: page, extraTerms: extraTerms }));
        } catch (e) {
          document.getElementById("storage-warning").textContent =
            "This browser does not keep the labels of this page: export them before closing it.";
        }
      }

      function escapeHTML(text) {
        return String(text).replace(/[&<>"']/g, function (c) {
          return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
        });
      }
      function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
      // Longest first, so that a longer term wins where two start alike.
      function alternation(terms) {
        return terms.slice().sort(function (a, b) { return b.length - a.length; }).map(escapeRegExp).join("|");
      }
      function buildMatcher() {
        var user = extraTerms.split(/[,;\n]/).map(function (t) { return t.trim().toLowerCase(); })
          .filter(function (t) { return t.length > 0; });
        var query = meta.queryTerms || [];
        var criteria = (meta.criteriaTerms || []).filter(function (t) { return query.indexOf(t) < 0; });
        var groups = [query, criteria, user].map(function (terms) {
          return terms.length ? "(" + alternation(terms) + ")" : "((?!))";
        });
        // A term marks every word that starts with it (its stem), and only at a word's start: after
        // the text's start or a character that is no letter or digit (captured, as not every
        // browser has lookbehind).
        matcher = new RegExp("(^|[^\\p{L}\\p{N}])(?:" + groups.join("|") + ")[\\p{L}\\p{N}]*", "giu");
      }
      function highlight(text) {
        if (!text) { return ""; }
        var out = "", last = 0, match;
        matcher.lastIndex = 0;
        while ((match = matcher.exec(text)) !== null) {
          var start = match.index + match[1].length, end = match.index + match[0].length;
          if (end === start) { matcher.lastIndex = end + 1; continue; }
          var kind = match[2] !== undefined ? "q" : (match[3] !== undefined ? "c" : "u");
          out += escapeHTML(text.slice(last, start)) + "<mark class=\"" + kind + "\">" + escapeHTML(text.slice(start, end)) + "</mark>";
          last = end;
        }
        return out + escapeHTML(text.slice(last));
      }

      // Four decimals, or four significant digits for the tiny margins of a screener trained on few labels.
      function formatScore(value) {
        return value !== 0 && Math.abs(value) < 0.001 ? value.toPrecision(4) : value.toFixed(4);
      }
      function labelClass(id) { return labels[id] === 1 ? " included" : (labels[id] === 0 ? " excluded" : ""); }
      function recordHTML(entry, repeated) {
        var id = escapeHTML(entry.id);
        var score = entry.score === null || entry.score === undefined ? "no text: ranked last" : "score " + formatScore(entry.score);
        var parts = [];
        if (entry.authors && entry.authors.length) {
          parts.push(escapeHTML(entry.authors.slice(0, 3).join("; ") + (entry.authors.length > 3 ? " et al." : "")));
        }
        if (entry.journal) { parts.push("<i>" + escapeHTML(entry.journal) + "</i>"); }
        if (entry.year) { parts.push(escapeHTML(entry.year)); }
        if (entry.doi) {
          // Each part of the DOI percent-encoded (a SICI DOI may hold '#' or '?'), then the whole escaped for the attribute.
          var href = "https://doi.org/" + entry.doi.split("/").map(encodeURIComponent).join("/");
          parts.push("<a href=\"" + escapeHTML(href) + "\" target=\"_blank\" rel=\"noopener\">doi:" + escapeHTML(entry.doi) + "</a>");
        }
        if (entry.pmid && /^[0-9]+$/.test(entry.pmid)) {
          parts.push("<a href=\"https://pubmed.ncbi.nlm.nih.gov/" + entry.pmid + "/\" target=\"_blank\" rel=\"noopener\">PubMed " + entry.pmid + "</a>");
        }
        var html = "<li class=\"record" + labelClass(entry.id) + "\" data-id=\"" + id + "\" data-rank=\"" + entry.rank + "\">";
        html += "<div class=\"head\"><span class=\"rank\">#" + entry.rank + "</span><span class=\"score\">" + score + "</span>";
        html += "<span class=\"id\">" + id + "</span><span class=\"choice\">";
        html += "<label><input type=\"checkbox\" class=\"include\"" + (labels[entry.id] === 1 ? " checked" : "") + "> include</label>";
        html += "<label><input type=\"checkbox\" class=\"exclude\"" + (labels[entry.id] === 0 ? " checked" : "") + "> exclude</label>";
        html += "</span></div>";
        html += "<h3 class=\"title\">" + (entry.title ? highlight(entry.title) : "<i>(no title)</i>") + "</h3>";
        if (parts.length) { html += "<p class=\"byline\">" + parts.join(" · ") + "</p>"; }
        html += "<p class=\"abstract\">" + (entry.abstract ? highlight(entry.abstract) : "<i>(no abstract)</i>") + "</p>";
        if (entry.keywords && entry.keywords.length) {
          html += "<p class=\"keywords\">Keywords: " + highlight(entry.keywords.join("; ")) + "</p>";
        }
        if (repeated) {
          html += "<p class=\"repeat\">The same record as #" + repeated + " (id " + id + "): it shares that record's label and is exported once.</p>";
        }
        if (entry.sourceLabel === 0 || entry.sourceLabel === 1) {
          html += "<p class=\"source-label\">The source labels it " + (entry.sourceLabel === 1 ? "included" : "excluded") + ".</p>";
        }
        return html + "</li>";
      }
      function cutoffHTML() {
        var c = meta.cutoff;
        return "<li class=\"cutoff\">Stop here for recall " + c.targetRecall.toFixed(2) + ": the top " + c.rank + " of " + entries.length +
          " (the largest share any of " + c.validationReviews + " validation review(s) needed)</li>";
      }

      function pageCount() { return Math.max(1, Math.ceil(entries.length / pageSize)); }
      function render() {
        page = Math.min(Math.max(0, page), pageCount() - 1);
        var start = page * pageSize, end = Math.min(entries.length, start + pageSize), html = [];
        for (var i = start; i < end; i++) {
          html.push(recordHTML(entries[i], repeatOf[i]));
          if (meta.cutoff && entries[i].rank === meta.cutoff.rank && i + 1 < entries.length) { html.push(cutoffHTML()); }
        }
        document.getElementById("records").innerHTML = html.join("");
        renderPagers();
        renderStats();
      }
      function renderPagers() {
        var html = "<button type=\"button\" data-page=\"" + (page - 1) + "\"" + (page === 0 ? " disabled" : "") + ">&laquo; previous</button>" +
          "<span>page " + (page + 1) + " of " + pageCount() + (entries.length === 0 ? " (no records)" : " (records " +
          (page * pageSize + 1) + "–" + Math.min(entries.length, (page + 1) * pageSize) + ")") + "</span>" +
          "<button type=\"button\" data-page=\"" + (page + 1) + "\"" + (page + 1 >= pageCount() ? " disabled" : "") + ">next &raquo;</button>";
        ["pager-top", "pager-bottom"].forEach(function (id) { document.getElementById(id).innerHTML = html; });
      }
      function renderStats() {
        var labelled = 0, included = 0, run = 0, furthest = 0, found = [], records = 0;
        for (var i = 0; i < entries.length; i++) {
          if (repeatOf[i]) { continue; }
          records++;
          var value = labels[entries[i].id];
          if (value !== 0 && value !== 1) { continue; }
          labelled++;
          furthest = entries[i].rank;
          if (value === 1) { included++; run = 0; } else { run++; }
          found.push(included);
        }
        document.getElementById("stats").innerHTML =
          "<span id=\"labelled-count\">" + labelled + "</span> of " + records + " labelled: " +
          "<span id=\"included-count\">" + included + "</span> included, " + (labelled - included) + " excluded; " +
          run + " excluded in a row since the last include; furthest rank labelled " + furthest + ".";
        drawProgress(found);
      }
      // Included records found against records labelled, in rank order: the curve flattens where screening can stop.
      function drawProgress(found) {
        var box = document.getElementById("progress-chart");
        if (found.length < 2) { box.innerHTML = ""; return; }
        var w = 420, h = 120, pad = 28, top = Math.max(1, found[found.length - 1]);
        var points = [pad + "," + (h - pad)];
        var step = Math.max(1, Math.floor(found.length / 600));
        for (var i = 0; i < found.length; i += step) {
          points.push((pad + (w - 2 * pad) * (i + 1) / found.length).toFixed(1) + "," + (h - pad - (h - 2 * pad) * found[i] / top).toFixed(1));
        }
        points.push((w - pad) + "," + (h - pad - (h - 2 * pad) * found[found.length - 1] / top).toFixed(1));
        box.innerHTML = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h + "\" role=\"img\" aria-label=\"included found against labelled\">" +
          "<rect x=\"" + pad + "\" y=\"" + pad + "\" width=\"" + (w - 2 * pad) + "\" height=\"" + (h - 2 * pad) + "\" fill=\"none\" stroke=\"#ccc\"/>" +
          "<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"2\" points=\"" + points.join(" ") + "\"/>" +
          "<text x=\"" + pad + "\" y=\"16\" font-size=\"12\">included found (" + top + ") against records labelled (" + found.length + ")</text></svg>";
      }

      function csvField(value) {
        var text = value === null || value === undefined ? "" : String(value);
        return /[",\r\n]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
      }
      // The labelled records are the screening so far, in rank order (order 1, 2, ...); the others wait.
      // Rows end in CRLF (RFC 4180), which every csmed reader takes.
      function exportCSV() {
        var header = ["order", "document_id", "label", "record_id", "title", "abstract", "authors", "year", "doi", "keywords",
          "included", "pmid", "journal", "rank", "screen_score"];
        var rows = [header.join(",")], order = 0, gaps = 0;
        entries.forEach(function (e, i) {
          if (repeatOf[i]) { return; }
          var value = labels[e.id], known = value === 0 || value === 1;
          if (known) { order++; if (e.rank !== order) { gaps++; } }
          rows.push([known ? order : "", e.id, known ? value : "", e.recordID || e.id, e.title, e.abstract,
            (e.authors || []).join("; "), e.year, e.doi, (e.keywords || []).join("; "), known ? value : "", e.pmid, e.journal,
            e.rank, e.score === null || e.score === undefined ? "" : e.score].map(csvField).join(","));
        });
        return { text: rows.join("\r\n") + "\r\n", labelled: order, skipped: gaps > 0 };
      }
      function exportLabels() {
        var csv = exportCSV();
        var name = (meta.reviewID || "review").replace(/[^A-Za-z0-9._-]+/g, "_") + "-labels.csv";
        var link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([csv.text], { type: "text/csv;charset=utf-8" }));
        link.download = name;
        document.body.appendChild(link);
        link.click();
        // The browser fetches the blob when it gets to the download, which on a busy machine can take
        // seconds: revoking it sooner loses the file without a word.
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 120000);
        document.getElementById("export-status").textContent = "Exported " + csv.labelled + " labels as " + name + "." +
          (csv.skipped ? " Some records above the last one labelled are not labelled: csmed stop takes the labelled ones as screened in a row." : "");
      }

      document.getElementById("records").addEventListener("change", function (event) {
        var box = event.target, item = box.closest("li.record");
        if (!item) { return; }
        var id = item.getAttribute("data-id");
        var other = item.querySelector(box.classList.contains("include") ? "input.exclude" : "input.include");
        if (box.checked) { other.checked = false; labels[id] = box.classList.contains("include") ? 1 : 0; } else { delete labels[id]; }
        saved.labels[id] = labels[id] === undefined ? null : labels[id];
        // Every listing of the record on this page shows the label.
        Array.prototype.forEach.call(document.querySelectorAll("li.record"), function (other) {
          if (other.getAttribute("data-id") !== id) { return; }
          other.className = "record" + labelClass(id);
          other.querySelector("input.include").checked = labels[id] === 1;
          other.querySelector("input.exclude").checked = labels[id] === 0;
        });
        save();
        renderStats();
      });
      ["pager-top", "pager-bottom"].forEach(function (id) {
        document.getElementById(id).addEventListener("click", function (event) {
          var target = event.target.closest("button[data-page]");
          if (!target || target.disabled) { return; }
          page = parseInt(target.getAttribute("data-page"), 10);
          save();
          render();
          window.scrollTo(0, document.getElementById("screen").offsetTop);
        });
      });
      var sizeBox = document.getElementById("page-size");
      sizeBox.value = String(pageSize);
      sizeBox.addEventListener("change", function () {
        var first = page * pageSize;
        pageSize = parseInt(sizeBox.value, 10);
        page = Math.floor(first / pageSize);
        save();
        render();
      });
      var termsBox = document.getElementById("extra-terms");
      termsBox.value = extraTerms;
      termsBox.addEventListener("input", function () { extraTerms = termsBox.value; buildMatcher(); save(); render(); });
      document.getElementById("first-unlabelled").addEventListener("click", function () {
        for (var i = 0; i < entries.length; i++) {
          if (labels[entries[i].id] !== 0 && labels[entries[i].id] !== 1) {
            page = Math.floor(i / pageSize);
            save();
            render();
            var item = document.querySelector("li.record[data-rank=\"" + entries[i].rank + "\"]");
            if (item) { item.scrollIntoView(); }
            return;
          }
        }
      });
      document.getElementById("export").addEventListener("click", exportLabels);
      document.getElementById("clear").addEventListener("click", function () {
        if (!window.confirm("Forget the labels this browser keeps for this page? Labels fed back with csmed stop stay.")) { return; }
        saved.labels = Object.create(null);
        labels = fedBackLabels();
        save();
        render();
      });
      buildMatcher();
      render();
    })();

    """#
}
