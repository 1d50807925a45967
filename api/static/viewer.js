// The citation viewer: /viewer#doc=ID&page=N&q=QUOTE (PDF page image, quote highlighted) or
// /viewer#doc=ID&page=1&lines=a-b (Markdown/text: the cited lines with some context).
// API key: the page that opened us (the widget) answers {type: "gqa-viewer-ready"} with
// {type: "gqa-key", key}; only messages from window.opener are accepted, and the key stays in memory.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const KEY_WAIT_MS = 1500; // how long to wait for the opener's key before trying without one
  let apiKey = null;
  let generation = 0; // each load() bumps it, so a slow earlier load never overwrites a newer one
  let objectUrl = null;
  let current = null;

  class HttpError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  function params() {
    const p = new URLSearchParams(location.hash.slice(1));
    const page = parseInt(p.get("page") || "1", 10);
    return { doc: p.get("doc") || "", page: Number.isFinite(page) && page > 0 ? page : 1,
             q: p.get("q") || "", lines: p.get("lines") || "" };
  }

  function setFragment(next) {
    const p = new URLSearchParams();
    p.set("doc", next.doc);
    p.set("page", String(next.page));
    if (next.q) p.set("q", next.q);
    if (next.lines) p.set("lines", next.lines);
    location.hash = p.toString(); // hashchange -> load()
  }

  async function api(path, as = "json") {
    const headers = apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
    const response = await fetch(path, { headers });
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try { message = (await response.json()).message || message; } catch (e) { /* not JSON */ }
      throw new HttpError(response.status, message);
    }
    return as === "json" ? response.json() : as === "blob" ? response.blob() : response.text();
  }

  function status(text, isError = false) {
    const el = $("status");
    el.textContent = text;
    el.className = isError ? "error" : "";
    el.setAttribute("role", isError ? "alert" : "status");
  }

  function describeError(error) {
    if (error.status === 401) {
      return apiKey
        ? "The server refused the API key. Open this page again from the guideline widget."
        : "This server needs an API key. Open the citation from the guideline widget, which hands its key to this viewer.";
    }
    return `Could not load the page: ${error.message}`;
  }

  function showHeader(doc, where) {
    $("doc-title").textContent = doc.title || doc.source;
    $("doc-meta").textContent = [doc.organisation, doc.edition, doc.year, doc.source].filter(Boolean).join(" · ");
    $("where").textContent = where;
    // An older edition of a guideline indexed with its newer one: say so, and link to the newer one.
    const mark = $("superseded");
    mark.hidden = !doc.superseded_by;
    mark.replaceChildren();
    if (doc.superseded_by) {
      const link = document.createElement("a");
      link.href = `#${new URLSearchParams({ doc: doc.superseded_by, page: "1" }).toString()}`;
      link.textContent = doc.superseded_by_label || "a newer edition";
      mark.append("Superseded by ", link, ": check the newer edition before acting.");
    }
  }

  function clearOverlay() {
    for (const el of $("figure").querySelectorAll(".hl")) el.remove();
  }

  function drawOverlay(highlights) {
    clearOverlay();
    if (!highlights || !highlights.boxes.length) return null;
    const figure = $("figure");
    const { width, height } = highlights;
    let first = null;
    for (const [x0, y0, x1, y1] of highlights.boxes) {
      const box = document.createElement("div");
      box.className = "hl";
      // Percentages of the image's own pixel size: the boxes follow the image at any displayed width.
      box.style.left = `${(100 * x0) / width}%`;
      box.style.top = `${(100 * y0) / height}%`;
      box.style.width = `${(100 * (x1 - x0)) / width}%`;
      box.style.height = `${(100 * (y1 - y0)) / height}%`;
      figure.appendChild(box);
      first = first || box;
    }
    return first;
  }

  function imageLoaded(img) {
    return new Promise((resolve, reject) => {
      if (img.complete && img.naturalWidth) { resolve(); return; }
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("the page image could not be decoded"));
    });
  }

  async function showPdfPage(p, doc, mine) {
    const base = `/v1/documents/${encodeURIComponent(p.doc)}/pages/${p.page}`;
    const quote = p.q ? `?${new URLSearchParams({ quote: p.q })}` : "";
    const [page, highlights, png] = await Promise.all([
      api(base),
      p.q ? api(`${base}/highlights${quote}`) : Promise.resolve(null),
      api(`${base}/image${p.q ? `?${new URLSearchParams({ highlight: p.q })}` : ""}`, "blob"),
    ]);
    if (mine !== generation) return;
    const label = page.label || String(p.page);
    document.title = `${doc.title}, p. ${label} (PDF p. ${p.page})`;
    showHeader(doc, `Printed page ${label} · PDF page ${p.page}${doc.page_count ? ` of ${doc.page_count}` : ""}`);
    const img = $("page-image");
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = URL.createObjectURL(png);
    clearOverlay();
    img.alt = `${doc.title}, page ${label}`;
    img.src = objectUrl;
    $("text").hidden = true;
    $("figure").hidden = false;
    await imageLoaded(img);
    if (mine !== generation) return;
    const first = drawOverlay(highlights);
    if (first) first.scrollIntoView({ block: "center" });
    else window.scrollTo(0, 0);
    status(p.q && highlights && !highlights.boxes.length
      ? "The quoted text was not found on this page (it may be in an image or table); check the page by eye." : "");
  }

  function markQuote(container, text, quote) {
    // Plain text with the quote (found ignoring case and spacing) wrapped in <mark class="hl">.
    const words = quote.trim().split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const match = words.length && words[0] ? new RegExp(words.join("\\s+"), "i").exec(text) : null;
    const start = match ? Math.max(0, match.index - 1500) : 0;
    const end = match ? Math.min(text.length, match.index + match[0].length + 1500) : Math.min(text.length, 5000);
    const pre = document.createElement("pre");
    if (match) {
      const mark = document.createElement("mark");
      mark.className = "hl";
      mark.textContent = match[0];
      pre.append(text.slice(start, match.index), mark, text.slice(match.index + match[0].length, end));
    } else {
      pre.textContent = text.slice(start, end);
    }
    container.replaceChildren(pre);
    return match ? pre.querySelector(".hl") : null;
  }

  async function showText(p, doc, mine) {
    const base = `/v1/documents/${encodeURIComponent(p.doc)}/pages/${p.page}`;
    const section = $("text");
    let first = null;
    let where;
    if (p.lines) {
      const html = await api(`${base}?${new URLSearchParams({ format: "html", lines: p.lines })}`, "text");
      if (mine !== generation) return;
      const pre = new DOMParser().parseFromString(html, "text/html").querySelector("pre");
      section.replaceChildren(pre ? document.importNode(pre, true) : document.createTextNode("(no text)"));
      for (const a of section.querySelectorAll(".l a")) a.removeAttribute("href"); // anchors of the other page
      first = section.querySelector(".hl");
      where = `Lines ${p.lines}`;
    } else {
      const page = await api(base);
      if (mine !== generation) return;
      first = markQuote(section, page.text, p.q);
      where = page.label ? `Page ${page.label}` : `Page ${p.page}`;
    }
    document.title = `${doc.title}, ${where.toLowerCase()}`;
    showHeader(doc, where);
    $("figure").hidden = true;
    section.hidden = false;
    if (first) first.scrollIntoView({ block: "center" });
    status(p.q && !p.lines && !first ? "The quoted text was not found in this document's indexed text." : "");
  }

  function updateNav(p, doc) {
    const paged = doc.format === "pdf";
    $("prev").disabled = !paged || p.page <= 1;
    $("next").disabled = !paged || (doc.page_count != null && p.page >= doc.page_count);
    const original = $("original");
    original.href = `/v1/documents/${encodeURIComponent(p.doc)}/file${paged ? `#page=${p.page}` : ""}`;
  }

  async function load() {
    const mine = ++generation;
    const p = params();
    current = p;
    if (!/^[0-9a-f]{64}$/.test(p.doc)) {
      status("No document given: open this viewer from a citation (#doc=ID&page=N&q=QUOTE).", true);
      $("doc-title").textContent = "Guideline page";
      return;
    }
    status("Loading…");
    try {
      const doc = await api(`/v1/documents/${encodeURIComponent(p.doc)}`);
      if (mine !== generation) return;
      current.docMeta = doc;
      updateNav(p, doc);
      if (doc.format === "pdf") await showPdfPage(p, doc, mine);
      else await showText(p, doc, mine);
    } catch (error) {
      if (mine !== generation) return;
      status(describeError(error), true);
      if (error.status === 401) $("doc-title").textContent = "API key needed";
    }
  }

  function step(delta) {
    if (!current) return;
    setFragment({ doc: current.doc, page: current.page + delta, q: current.q, lines: "" });
  }

  async function openOriginal(event) {
    // A plain link carries no key: with one, fetch the file and open it from memory instead.
    if (!apiKey || !current) return;
    event.preventDefault();
    try {
      const blob = await api(`/v1/documents/${encodeURIComponent(current.doc)}/file`, "blob");
      const paged = current.docMeta && current.docMeta.format === "pdf";
      window.open(URL.createObjectURL(blob) + (paged ? `#page=${current.page}` : ""), "_blank", "noopener");
    } catch (error) {
      status(describeError(error), true);
    }
  }

  function start() {
    $("prev").addEventListener("click", () => step(-1));
    $("next").addEventListener("click", () => step(1));
    $("original").addEventListener("click", openOriginal);
    window.addEventListener("hashchange", load);
    if (!window.opener) { load(); return; }
    let started = false;
    const go = () => { if (!started) { started = true; load(); } };
    window.addEventListener("message", (event) => {
      if (event.source !== window.opener || !event.data || event.data.type !== "gqa-key") return;
      if (typeof event.data.key !== "string" || !event.data.key) return;
      const changed = apiKey !== event.data.key;
      apiKey = event.data.key;
      if (!started) go(); else if (changed) load(); // a key that came late: retry with it
    });
    try { window.opener.postMessage({ type: "gqa-viewer-ready" }, "*"); } catch (e) { /* opener gone */ }
    setTimeout(go, KEY_WAIT_MS);
  }

  start();
})();
