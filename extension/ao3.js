/* forewarn: read the AO3 page that is already loaded (never fetch anything from AO3).
 *
 * The structure follows otwarchive's templates, as forewarn's Python AO3 reader does:
 *   works/_meta            dl.work.meta.group: dd.rating, dd.warning, dd.category, dd.fandom,
 *                          dd.relationship, dd.character, dd.freeform (a.tag each), dd.language
 *   works/_work_header     #workskin > .preface.group: h2.title, h3.byline (a[rel=author]),
 *                          .summary blockquote.userstuff, .notes blockquote.userstuff
 *   chapters/_chapter      #chapters > div.chapter#chapter-N: .chapter.preface.group (h3.title,
 *                          #summary, #notes), div.userstuff.module (the text), .end.notes
 *   works/show (one-shot)  #chapters > div.userstuff (no div.chapter)
 *   works/_work_endnotes   #work_endnotes blockquote.userstuff
 *   works/_adult           p.caution and a blurb, no #chapters: the work is not on the page
 *   listings               li.blurb (work_N, bookmark_N) with h4.heading a[href="/works/N"]
 */
"use strict";

(function (root) {
  const BLOCKS = new Set([
    "P", "DIV", "BLOCKQUOTE", "LI", "H1", "H2", "H3", "H4", "H5", "H6", "PRE", "CENTER",
    "TABLE", "UL", "OL", "DL", "DD", "DT", "SECTION", "ARTICLE", "ASIDE", "DETAILS", "FIGURE",
  ]);
  const CONTAINERS = new Set([
    "DIV", "BLOCKQUOTE", "UL", "OL", "DL", "SECTION", "ARTICLE", "ASIDE", "CENTER", "DETAILS",
    "FIGURE", "TABLE", "TBODY", "THEAD", "TR", "TD", "TH",
  ]);
  const TAG_FIELDS = {
    rating: "rating",
    warning: "archive_warnings",
    category: "categories",
    fandom: "fandoms",
    relationship: "relationships",
    character: "characters",
    freeform: "additional_tags",
  };

  /** Text of an element as a reader sees it: <br> as a line break, spaces collapsed. */
  function textOf(el) {
    if (!el) return "";
    let out = "";
    const walk = (node) => {
      for (const child of node.childNodes) {
        if (child.nodeType === 3) out += child.data;
        else if (child.nodeType === 1) {
          if (child.tagName === "BR") out += "\n";
          else if (child.tagName !== "SCRIPT" && child.tagName !== "STYLE") {
            if (BLOCKS.has(child.tagName) && out && !out.endsWith("\n")) out += "\n";
            walk(child);
            if (BLOCKS.has(child.tagName) && !out.endsWith("\n")) out += "\n";
          }
        }
      }
    };
    walk(el);
    return out
      .split("\n")
      .map((line) => line.replace(/[ \t\r\f\v\u00a0]+/g, " ").trim())
      .filter(Boolean)
      .join("\n");
  }

  function hasBlockChild(el) {
    for (const child of el.children) if (BLOCKS.has(child.tagName)) return true;
    return false;
  }

  /** The chapter text's paragraphs: leaf blocks in reading order (elements, for folding). */
  function paragraphElements(userstuff) {
    const out = [];
    const walk = (el) => {
      for (const child of el.children) {
        if (child.matches("h3.landmark")) continue; // "Chapter Text" / "Work Text:" for screen readers
        if (CONTAINERS.has(child.tagName) && hasBlockChild(child)) walk(child);
        else if (BLOCKS.has(child.tagName) || child.tagName === "HR") out.push(child);
      }
    };
    walk(userstuff);
    return out.filter((el) => el.tagName !== "HR");
  }

  function quotes(scope, selector) {
    return scope ? Array.from(scope.querySelectorAll(selector), textOf).filter(Boolean) : [];
  }

  function first(scope, selector) {
    return scope ? scope.querySelector(selector) : null;
  }

  function workIdFrom(path) {
    const m = /\/works\/(\d+)/.exec(path || "");
    return m ? m[1] : null;
  }

  function tags(doc) {
    const out = {
      rating: null, archive_warnings: [], categories: [], fandoms: [], relationships: [],
      characters: [], additional_tags: [], language: null,
    };
    const meta = doc.querySelector("dl.work.meta");
    if (!meta) return out;
    for (const [cls, field] of Object.entries(TAG_FIELDS)) {
      const dd = meta.querySelector(`dd.${cls}`);
      if (!dd) continue;
      const values = Array.from(dd.querySelectorAll("a.tag"), textOf).filter(Boolean);
      if (field === "rating") out.rating = values.join(", ") || null;
      else out[field] = values;
    }
    const language = meta.querySelector("dd.language");
    out.language = language ? textOf(language) || null : null;
    return out;
  }

  /** One div.chapter of AO3's chapter partial (or the one-shot's bare userstuff). */
  function readChapter(el, fallbackNumber) {
    const m = /^chapter-(\d+)$/.exec(el.id || "");
    const preface = first(el, ":scope > .chapter.preface.group:not(:has(.end.notes))");
    const heading = first(preface, "h3.title");
    const text = first(el, ":scope > div.userstuff");
    const endNotes = first(el, ".end.notes");
    const elements = text ? paragraphElements(text) : [];
    return {
      element: el,
      heading,
      text,
      paragraphElements: elements,
      chapter: {
        number: m ? Number(m[1]) : fallbackNumber,
        title: heading ? textOf(heading) || null : null,
        summary: quotes(preface, ".summary blockquote.userstuff")[0] || null,
        notes: quotes(preface, ".notes blockquote.userstuff"),
        end_notes: quotes(endNotes, "blockquote.userstuff"),
        paragraphs: elements.map(textOf),
      },
    };
  }

  /** Work ids of listing blurbs on this page (search, tags, bookmarks, series, the adult page). */
  function listing(doc) {
    const out = [];
    for (const blurb of doc.querySelectorAll("li.blurb")) {
      const link = blurb.querySelector("h4.heading a[href*='/works/']");
      const id = link && workIdFrom(new URL(link.getAttribute("href"), "https://archiveofourown.org").pathname);
      if (id) out.push({ id, blurb, heading: blurb.querySelector("h4.heading") });
    }
    return out;
  }

  /**
   * The page: {kind: "work", work, chapters, ...} on a work page (one chapter or Entire Work);
   * {kind: "adult"} on the adult-content interstitial; {kind: "other"} anywhere else.
   * ``listing`` holds the blurbs on any page.
   */
  function parsePage(doc, loc) {
    const path = (loc && loc.pathname) || "";
    const id = workIdFrom(path);
    const chaptersEl = doc.getElementById("chapters");
    const blurbs = listing(doc);
    if (!id || !chaptersEl) {
      const adult = Boolean(id && doc.querySelector("p.caution"));
      return { kind: adult ? "adult" : "other", workId: id, listing: blurbs };
    }
    const header = doc.querySelector("#workskin > .preface.group");
    let chapters = Array.from(chaptersEl.querySelectorAll(":scope > div.chapter[id^='chapter-']"), (el, i) =>
      readChapter(el, i + 1),
    );
    if (!chapters.length) {
      chapters = [readChapter(chaptersEl, 1)]; // a one-shot: #chapters > div.userstuff
      const title = first(header, "h2.title");
      chapters[0].chapter.title = title ? textOf(title) || null : null;
    }
    const work = {
      id,
      url: `https://archiveofourown.org/works/${id}`,
      title: textOf(first(header, "h2.title")) || null,
      authors: Array.from(header ? header.querySelectorAll("h3.byline a[rel='author']") : [], textOf),
      summary: quotes(header, ":scope > .summary blockquote.userstuff")[0] || null,
      notes: quotes(header, ":scope > .notes blockquote.userstuff"),
      end_notes: quotes(doc.getElementById("work_endnotes"), "blockquote.userstuff"),
      ...tags(doc),
      chapters: chapters.map((c) => c.chapter),
    };
    return { kind: "work", workId: id, work, chapters, listing: blurbs };
  }

  root.forewarnAO3 = { parsePage, textOf, paragraphElements, workIdFrom };
})(globalThis);
