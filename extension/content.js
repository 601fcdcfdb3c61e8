/* forewarn on AO3: the panel above the work, a notice at each chapter holding avoided content,
 * folded paragraphs, and badges on listing pages for works already checked.
 *
 * Nothing here talks to any server: the page's work goes to the extension's service worker,
 * which alone calls the reader's local forewarn server. Nothing of the story is shown unless
 * the reader asks ("Show the passages").
 */
"use strict";

(function () {
  const api = globalThis.browser ?? globalThis.chrome;
  const AO3 = globalThis.forewarnAO3;

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child != null) node.append(child);
    return node;
  }

  function ask(message) {
    return new Promise((resolve) => {
      api.runtime.sendMessage(message, (reply) => {
        const failed = api.runtime.lastError;
        resolve(failed ? { ok: false, error: failed.message } : reply || { ok: false, error: "no answer" });
      });
    });
  }

  function ranges(list) {
    return list.map(([a, b]) => (a === b ? `${a}` : `${a}\u2013${b}`)).join(", ");
  }

  function chapterName(chapter) {
    return chapter.title || `Chapter ${chapter.number}`;
  }

  // -- the panel ---------------------------------------------------------------------------
  function panelShell() {
    let panel = document.getElementById("forewarn-panel");
    if (panel) panel.replaceChildren();
    else {
      panel = el("section", { id: "forewarn-panel", class: "forewarn-panel", role: "region", "aria-label": "forewarn" });
      const anchor = document.getElementById("workskin") || document.getElementById("main") || document.body;
      anchor.parentNode.insertBefore(panel, anchor);
    }
    panel.append(el("h2", { class: "forewarn-brand", text: "forewarn" }));
    return panel;
  }

  function showMessage(text, kind = "info") {
    const panel = panelShell();
    panel.dataset.state = kind;
    panel.append(el("p", { class: `forewarn-message forewarn-${kind}`, text }));
    panel.append(optionsLink());
    return panel;
  }

  function optionsLink() {
    return el("button", {
      type: "button",
      class: "forewarn-link",
      text: "forewarn options",
      onclick: () => ask({ type: "open-options" }),
    });
  }

  function verdictClass(answer) {
    if (!answer.checked) return "forewarn-unchecked";
    if (!Object.keys(answer.avoid).length) return "forewarn-info";
    return answer.safe ? "forewarn-safe" : "forewarn-hit";
  }

  function renderPanel(answer, parsed, settings) {
    const panel = panelShell();
    panel.dataset.state = answer.safe ? "safe" : "hit";
    panel.append(el("p", { class: `forewarn-verdict ${verdictClass(answer)}`, text: answer.summary }));
    panel.append(el("p", { class: "forewarn-caveat", text: answer.caveat }));
    for (const notice of answer.notices) panel.append(el("p", { class: "forewarn-caveat", text: notice }));

    const chapters = el("ul", { class: "forewarn-chapters" });
    for (const chapter of answer.chapters) {
      const avoiding = Object.keys(answer.avoid).length > 0;
      const what = chapter.avoided.length
        ? `contains ${chapter.avoided.join(", ")}`
        : avoiding
          ? "nothing you avoid found"
          : chapter.found.length
            ? `found: ${chapter.found.join(", ")}`
            : "nothing found";
      chapters.append(
        el(
          "li",
          { class: chapter.avoided.length ? "forewarn-chapter-hit" : "forewarn-chapter-safe", "data-chapter": chapter.number },
          el("a", {
            href: document.getElementById(`chapter-${chapter.number}`) ? `#chapter-${chapter.number}` : "#chapters",
            text: chapterName(chapter),
          }),
          `: ${what}`,
        ),
      );
    }
    panel.append(el("details", { class: "forewarn-section", open: "" }, el("summary", { text: "Chapters" }), chapters));

    const found = answer.warnings.map((w) => w.label);
    const tagsList = el("ul", { class: "forewarn-tags" });
    const authorTags = [...parsed.work.archive_warnings, ...parsed.work.additional_tags];
    tagsList.append(
      el("li", {}, el("strong", { text: "Author's tags: " }), authorTags.length ? authorTags.join(", ") : "none"),
      el("li", {}, el("strong", { text: "forewarn found: " }), found.length ? found.join(", ") : "no content warnings"),
    );
    for (const note of answer.tags.notes) {
      tagsList.append(
        el("li", { class: `forewarn-audit forewarn-audit-${note.kind.replace(/\s+/g, "-")}` },
          el("span", { class: "forewarn-audit-kind", text: note.kind }),
          note.kind === "untagged" ? ` ${note.subject} ${note.detail}` : ` ${note.subject} \u2014 ${note.detail}`),
      );
    }
    panel.append(
      el("details", { class: "forewarn-section" }, el("summary", { text: "Author's tags and forewarn's findings" }), tagsList),
    );

    const passages = el("div", { class: "forewarn-passages" });
    panel.append(
      el("div", { class: "forewarn-actions" },
        el("button", {
          type: "button",
          class: "forewarn-spoilers",
          text: "Show the passages (spoilers)",
          onclick: (event) => showPassages(event.target, parsed, passages),
        }),
        optionsLink(),
        el("span", { class: "forewarn-meta", text: `${answer.cached ? "from the server's cache \u00b7 " : ""}folding: ${settings.fold}` }),
      ),
      passages,
    );
  }

  async function showPassages(button, parsed, box) {
    button.disabled = true;
    const reply = await ask({ type: "check", work: parsed.work, spoilers: true });
    if (!reply.ok) {
      box.replaceChildren(el("p", { class: "forewarn-message", text: reply.error }));
      return;
    }
    const list = el("ul");
    for (const hit of reply.value.hits) {
      for (const e of hit.evidence || []) {
        list.append(el("li", {}, el("strong", { text: `${hit.label}, chapter ${e.chapter}: ` }), `\u201c${e.quote}\u201d`));
      }
    }
    box.replaceChildren(list.childElementCount ? list : el("p", { text: "No passages to show." }));
  }

  // -- chapters: notices and folding --------------------------------------------------------
  function clearMarks() {
    document.querySelectorAll(".forewarn-notice, .forewarn-fold").forEach((n) => n.remove());
    document.querySelectorAll(".forewarn-folded").forEach((n) => n.classList.remove("forewarn-folded"));
  }

  function fold(elements, label) {
    if (!elements.length) return;
    const bar = el("div", { class: "forewarn-fold", role: "note" });
    const text = el("span", {
      text: `forewarn folded ${elements.length} paragraph${elements.length === 1 ? "" : "s"}: ${label}. `,
    });
    const button = el("button", {
      type: "button",
      class: "forewarn-show",
      text: "show anyway",
      onclick: () => {
        elements.forEach((p) => p.classList.remove("forewarn-folded"));
        bar.remove();
      },
    });
    bar.append(text, button);
    elements[0].parentNode.insertBefore(bar, elements[0]);
    elements.forEach((p) => p.classList.add("forewarn-folded"));
  }

  function markChapters(answer, parsed, settings) {
    clearMarks();
    const byNumber = new Map(parsed.chapters.map((c) => [c.chapter.number, c]));
    for (const chapter of answer.chapters) {
      const page = byNumber.get(chapter.number);
      if (!page || !chapter.avoided.length) continue;
      const label = `contains ${chapter.avoided.join(", ")}`;
      const where = chapter.fold.length ? `paragraphs ${ranges(chapter.fold)} of this chapter` : "this chapter";
      const notice = el(
        "details",
        { class: "forewarn-notice", role: "note", "data-chapter": chapter.number },
        el("summary", { text: `forewarn: this chapter ${label}` }),
        el("p", { text: `Where: ${where}. Nothing of the text is shown here.` }),
      );
      const anchor = page.heading ? page.heading.parentNode : page.text;
      if (page.heading) anchor.insertBefore(notice, page.heading.nextSibling);
      else if (anchor) anchor.parentNode.insertBefore(notice, anchor);
      if (settings.fold === "chapters") {
        fold(page.paragraphElements, label);
      } else if (settings.fold === "paragraphs") {
        for (const [a, b] of chapter.fold) {
          fold(page.paragraphElements.slice(a - 1, b), label);
        }
      }
    }
  }

  // -- listing badges ------------------------------------------------------------------------
  async function badges(listing) {
    if (!listing.length) return;
    const keys = listing.map((b) => `work:${b.id}`);
    const cached = await api.storage.local.get(keys);
    for (const blurb of listing) {
      const entry = cached[`work:${blurb.id}`];
      if (!entry || !blurb.heading || blurb.blurb.querySelector(".forewarn-badge")) continue;
      const kind = !entry.checked ? "unchecked" : entry.safe ? "safe" : "hit";
      const text = kind === "hit" ? "forewarn: contains what you avoid" : kind === "safe" ? "forewarn: nothing you avoid found" : "forewarn: not checked";
      blurb.heading.append(
        el("span", { class: `forewarn-badge forewarn-badge-${kind}`, title: entry.summary, "data-work": blurb.id, text }),
      );
    }
  }

  // -- the page ----------------------------------------------------------------------------------
  async function main() {
    const parsed = AO3.parsePage(document, location);
    await badges(parsed.listing);
    if (parsed.kind === "adult") {
      showMessage(
        "forewarn needs the work page itself: this is AO3's adult-content notice. Choose \u201cProceed\u201d and forewarn will check the work.",
        "info",
      );
      return;
    }
    if (parsed.kind !== "work") return;
    if (!parsed.work.chapters.some((c) => c.paragraphs.some((p) => p.trim()))) {
      showMessage("forewarn found no chapter text on this page.", "info");
      return;
    }
    showMessage("forewarn is checking this work\u2026", "busy");
    const settingsReply = await ask({ type: "settings" });
    const settings = settingsReply.ok ? settingsReply.value : { fold: "paragraphs" };
    const reply = await ask({ type: "check", work: parsed.work });
    if (!reply.ok) {
      showMessage(`forewarn could not check this work: ${reply.error}`, "error");
      return;
    }
    renderPanel(reply.value, parsed, settings);
    markChapters(reply.value, parsed, settings);
  }

  main();
})();
