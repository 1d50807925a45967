/* <guideline-lookup endpoint="https://gqa.example.org" [api-key="..."] [k="5"] [mode="search|ask"]>
 * A dependency-free web component: search-as-you-type over guideline passages, and an ask
 * mode that streams a cited answer (fetch + Server-Sent Events). Shadow DOM keeps the host
 * page's CSS out. Every SSE event is re-dispatched as a `guideline-lookup:event` DOM event.
 * Research use only: not medical advice.
 */
(() => {
  "use strict";
  if (customElements.get("guideline-lookup")) return;

  const DISCLAIMER = "Research use only: not medical advice. Check the cited guideline page and local protocols before acting.";
  const DEBOUNCE_MS = 250;

  const CSS = `
:host { all: initial !important; display: block !important; max-width: 100% !important;
  --gl-accent: #0b5cad; --gl-muted: #57606a; --gl-border: #d0d7de; --gl-bg: #fff; }
:host([hidden]) { display: none !important; }
* { box-sizing: border-box; font: inherit; color: inherit; letter-spacing: normal; text-transform: none; }
.box { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24;
  background: var(--gl-bg); border: 1px solid var(--gl-border); border-radius: 10px; padding: 12px; text-align: left; }
.tabs { display: flex; gap: 4px; margin: 0 0 8px; }
.tabs button { flex: 1; min-height: 44px; border: 1px solid var(--gl-border); background: #f6f8fa; border-radius: 8px; cursor: pointer; }
.tabs button[aria-selected="true"] { background: var(--gl-accent); color: #fff; border-color: var(--gl-accent); }
form { display: flex; gap: 6px; margin: 0; }
input { flex: 1; min-width: 0; min-height: 44px; padding: 8px 10px; border: 1px solid var(--gl-border); border-radius: 8px; background: #fff; color: #1b1f24; }
form button { min-height: 44px; padding: 0 14px; border: 0; border-radius: 8px; background: var(--gl-accent); color: #fff; cursor: pointer; }
form button[hidden] { display: none; }
:focus-visible { outline: 3px solid #f0a000; outline-offset: 2px; }
.status { color: var(--gl-muted); font-size: 14px; min-height: 1.4em; margin: 6px 0; }
.status.error { color: #b42318; }
ol { list-style: none; margin: 0; padding: 0; }
li.result { border-top: 1px solid var(--gl-border); padding: 8px 0; }
.meta { font-size: 14px; color: var(--gl-muted); overflow-wrap: anywhere; }
.meta b { color: #1b1f24; font-weight: 600; }
.superseded mark { background: #fde2e1; color: #8a1c14; border-radius: 4px; padding: 0 4px; font-weight: 600; }
.superseded mark a { color: inherit; }
.snippet { margin: 4px 0; overflow-wrap: anywhere; }
a { color: var(--gl-accent); text-decoration: underline; cursor: pointer; }
a.open { display: inline-block; min-height: 32px; padding: 4px 0; font-size: 14px; }
.answer { white-space: pre-wrap; overflow-wrap: anywhere; margin: 8px 0; }
.answer a.cite { text-decoration: none; font-weight: 600; padding: 0 2px; }
.answer.abstained { color: var(--gl-muted); font-style: italic; }
.citations li { padding: 6px 0; border-top: 1px solid var(--gl-border); }
.citations q { display: block; font-style: italic; margin: 2px 0; overflow-wrap: anywhere; }
.answer .v-contradicted { background: #fde2e1; color: #8a1c14; text-decoration: line-through wavy #b42318; }
.answer .v-unsupported { background: #fff1c2; color: #5c4400; text-decoration: underline dotted #b08800; }
.answer.withheld { color: #8a1c14; font-style: normal; font-weight: 600; }
.checks li { padding: 6px 8px; margin: 4px 0; border-radius: 6px; border-left: 4px solid var(--gl-border); font-size: 14px; }
.checks li.v-contradicted { border-left-color: #b42318; background: #fde2e1; }
.checks li.v-unsupported { border-left-color: #b08800; background: #fff8e1; }
.checks li.v-supported { border-left-color: #1a7f37; }
.checks .verdict { font-weight: 700; margin-right: 4px; }
.checks q { display: block; font-style: italic; margin: 2px 0; overflow-wrap: anywhere; }
.notices { list-style: none; margin: 6px 0; padding: 0; }
.notices li { padding: 6px 8px; margin: 4px 0; border-radius: 6px; background: #fff1c2; color: #5c4400; font-size: 14px; }
.answer .badge { font-size: 13px; font-weight: 600; margin: 0 2px; }
.answer .b-contradicted { color: #8a1c14; }
.answer .b-unsupported { color: #5c4400; }
.disclaimer { margin: 6px 0; padding: 8px; background: #fff8e1; border-radius: 6px; font-size: 13px; color: #5c4400; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
h3 { font-size: 14px; font-weight: 600; margin: 10px 0 4px; color: var(--gl-muted); }
@media (max-width: 480px) { .box { padding: 8px; border-radius: 0; border-left: 0; border-right: 0; } }
`;

  const TEMPLATE = `
<div class="box" part="box">
  <div class="tabs" role="tablist" aria-label="Mode">
    <button type="button" role="tab" data-mode="search" aria-selected="true">Look up</button>
    <button type="button" role="tab" data-mode="ask" aria-selected="false">Ask</button>
    <button type="button" role="tab" data-mode="verify" aria-selected="false">Check</button>
  </div>
  <form role="search">
    <label class="sr" for="q">Search the guidelines</label>
    <input id="q" type="search" autocomplete="off" enterkeyhint="search" spellcheck="false"
      placeholder="Search WHO / MSF guidelines…" aria-describedby="status">
    <button type="submit" hidden>Ask</button>
  </form>
  <div class="status" id="status" role="status" aria-live="polite"></div>
  <p class="disclaimer" role="note"></p>
  <ul class="notices" aria-label="Notices" hidden></ul>
  <section class="panel" data-panel="search"><ol class="results" aria-label="Passages"></ol></section>
  <section class="panel" data-panel="ask" hidden>
    <div class="answer" aria-live="polite"></div>
    <h3 class="checks-h" hidden>Checked against the guidelines</h3><ol class="checks" aria-label="Sentence checks"></ol>
    <h3 class="cites-h" hidden>Citations</h3><ol class="citations"></ol>
    <h3 class="sources-h" hidden>Passages retrieved</h3><ol class="results sources"></ol>
  </section>
</div>`;

  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    Object.assign(node, props);
    for (const child of children) if (child != null) node.append(child);
    return node;
  };

  /* Where a citation opens: our page viewer, at the cited page (PDF) or lines (Markdown, text),
     with the quote highlighted. */
  function citationUrl(endpoint, p, quote = "") {
    if (!p || !p.doc_id) return null;
    const page = p.pages && p.pages.length ? p.pages[0] : 1;
    const params = new URLSearchParams({ doc: p.doc_id, page: String(page) });
    if (p.lines) params.set("lines", `${p.lines[0]}-${p.lines[1] || p.lines[0]}`);
    if (quote) params.set("q", quote.slice(0, 600));
    return `${endpoint}/viewer#${params.toString()}`;
  }

  /* ", Second edition" after the title, unless the title says it already ("..., second edition"). */
  function editionOf(p) {
    if (!p.edition || String(p.title || "").toLowerCase().includes(p.edition.toLowerCase())) return "";
    return `, ${p.edition}`;
  }

  /* "superseded by Third edition, 2015" on an older edition of a guideline indexed with its newer one,
     linking to the newer edition in the viewer. */
  function supersededMark(endpoint, p) {
    if (!p || !p.superseded_by) return null;
    const text = `superseded by ${p.superseded_by_label || "a newer edition"}`;
    const params = new URLSearchParams({ doc: p.superseded_by, page: "1" });
    const link = el("a", { href: `${endpoint}/viewer#${params.toString()}`, target: "_blank", rel: "noopener",
      textContent: text, title: "A newer edition of this guideline is indexed; check it before acting." });
    return el("span", { className: "superseded" }, " ", el("mark", {}, link));
  }

  /* The first sentence of a passage: what a search result's link highlights on the page. */
  function firstSentence(text) {
    const t = String(text || "").replace(/\s+/g, " ").trim();
    const m = /^(.{20,300}?[.;:])(\s|$)/.exec(t);
    return m ? m[1] : t.slice(0, 200);
  }

  function where(p) {
    if (p.pages && p.pages.length) {
      const label = p.page_labels && p.page_labels[0];
      const span = p.pages.length > 1 ? `pp. ${p.pages[0]}–${p.pages[p.pages.length - 1]}` : `p. ${p.pages[0]}`;
      if (!label || label === String(p.pages[0])) return span;
      // The number printed on the page first (what a reader finds), the PDF's own page after it.
      const last = p.page_labels[p.page_labels.length - 1];
      const printed = p.pages.length > 1 && p.page_labels.length > 1 ? `pp. ${label}–${last}` : `p. ${label}`;
      return `${printed} (PDF ${span})`;
    }
    if (!p.lines) return "";
    return p.lines[1] && p.lines[1] !== p.lines[0] ? `lines ${p.lines[0]}–${p.lines[1]}` : `line ${p.lines[0]}`;
  }

  /* Parse a text/event-stream body: yields {event, data} objects as they arrive. */
  async function* readEvents(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
      }
    }
  }

  class GuidelineLookup extends HTMLElement {
    static get observedAttributes() { return ["mode"]; }

    constructor() {
      super();
      const root = this.attachShadow({ mode: "open" });
      root.innerHTML = `<style>${CSS}</style>${TEMPLATE}`;
      this.$ = (sel) => root.querySelector(sel);
      this.input = this.$("input");
      this.status = this.$(".status");
      this.$(".disclaimer").textContent = DISCLAIMER;
      this.mode = "search";
      this.timer = null;
      this.inflight = null;
      this.passagesById = new Map();
      this.bind();
    }

    connectedCallback() { this.setMode(this.getAttribute("mode") === "ask" ? "ask" : "search"); }
    attributeChangedCallback(name, old, value) { if (name === "mode" && this.input) this.setMode(value === "ask" ? "ask" : "search"); }

    get endpoint() { return (this.getAttribute("endpoint") || "").replace(/\/+$/, ""); }
    get k() { return Math.max(1, Math.min(20, parseInt(this.getAttribute("k") || "5", 10) || 5)); }

    headers(extra = {}) {
      const key = this.getAttribute("api-key");
      return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
    }

    bind() {
      const tabs = [...this.shadowRoot.querySelectorAll('[role="tab"]')];
      for (const tab of tabs) {
        tab.addEventListener("click", () => this.setMode(tab.dataset.mode));
        tab.addEventListener("keydown", (e) => {  // arrow keys move between tabs (WAI-ARIA tabs)
          if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
          const next = tabs[(tabs.indexOf(tab) + 1) % tabs.length];
          next.focus(); this.setMode(next.dataset.mode);
        });
      }
      this.input.addEventListener("input", () => { if (this.mode === "search") this.debounce(); });
      this.input.addEventListener("keydown", (e) => this.onKey(e));
      this.$("form").addEventListener("submit", (e) => {
        e.preventDefault();
        if (this.mode === "ask") this.ask();
        else if (this.mode === "verify") this.verify();
        else { clearTimeout(this.timer); this.search(); }
      });
      this.shadowRoot.addEventListener("click", (e) => this.onLinkClick(e));
      this.shadowRoot.addEventListener("keydown", (e) => this.onListKey(e));
    }

    setMode(mode) {
      this.mode = mode;
      for (const tab of this.shadowRoot.querySelectorAll('[role="tab"]')) {
        const on = tab.dataset.mode === mode;
        tab.setAttribute("aria-selected", String(on));
        tab.tabIndex = on ? 0 : -1;
      }
      const panel = mode === "verify" ? "ask" : mode;  // checked text shows like an answer
      for (const p of this.shadowRoot.querySelectorAll(".panel")) p.hidden = p.dataset.panel !== panel;
      this.$("form button").hidden = mode === "search";
      this.$("form button").textContent = mode === "verify" ? "Check" : "Ask";
      this.input.placeholder = mode === "ask" ? "Ask a clinical question…"
        : mode === "verify" ? "Paste text to check against the guidelines…" : "Search WHO / MSF guidelines…";
      this.input.setAttribute("enterkeyhint", mode === "search" ? "search" : "send");
    }

    debounce() {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.search(), DEBOUNCE_MS);
    }

    onKey(e) {
      if (e.key === "Escape") { this.input.value = ""; this.clear(); }
      if (e.key === "ArrowDown") {
        const first = this.$(`.panel:not([hidden]) a.open, .panel:not([hidden]) a.cite`);
        if (first) { e.preventDefault(); first.focus(); }
      }
    }

    onListKey(e) {  // ArrowUp/ArrowDown move between result links; ArrowUp from the first returns to the box
      if (!(e.target instanceof HTMLAnchorElement) || (e.key !== "ArrowDown" && e.key !== "ArrowUp")) return;
      const links = [...this.shadowRoot.querySelectorAll(".panel:not([hidden]) a")];
      const i = links.indexOf(e.target) + (e.key === "ArrowDown" ? 1 : -1);
      e.preventDefault();
      (i < 0 ? this.input : links[Math.min(i, links.length - 1)]).focus();
    }

    onLinkClick(e) {
      const link = e.target.closest && e.target.closest("a[href]");
      const key = this.getAttribute("api-key");
      if (!link || !key) return;
      // With a key, the viewer asks its opener for it (postMessage): the key never goes in a URL.
      e.preventDefault();
      const win = window.open(link.href, "_blank");
      if (!win) return;
      const origin = new URL(link.href).origin;
      const answer = (event) => {
        if (event.source !== win || !event.data || event.data.type !== "gqa-viewer-ready") return;
        win.postMessage({ type: "gqa-key", key }, origin);
      };
      window.addEventListener("message", answer);
      setTimeout(() => window.removeEventListener("message", answer), 120000);
    }

    clear() {
      this.shadowRoot.querySelectorAll("ol").forEach((ol) => ol.replaceChildren());
      this.$(".answer").replaceChildren();
      this.$(".cites-h").hidden = this.$(".sources-h").hidden = this.$(".checks-h").hidden = true;
      this.$(".notices").hidden = true;
      this.say("");
    }

    say(text, isError = false) {
      this.status.textContent = text;
      this.status.classList.toggle("error", isError);
    }

    emit(event, data) {
      this.dispatchEvent(new CustomEvent("guideline-lookup:event", { detail: { event, data }, bubbles: true, composed: true }));
    }

    begin() {
      if (this.inflight) this.inflight.abort();
      this.inflight = new AbortController();
      return this.inflight.signal;
    }

    async failed(response) {
      let message = `HTTP ${response.status}`;
      try { message = (await response.json()).message || message; } catch (_) { /* not JSON */ }
      this.say(message, true);
      this.emit("error", { status: response.status, message });
    }

    async search() {
      const q = this.input.value.trim();
      const signal = this.begin();
      if (q.length < 2) { this.clear(); return; }
      this.say("Searching…");
      try {
        const url = `${this.endpoint}/v1/search?q=${encodeURIComponent(q)}&k=${this.k}`;
        const response = await fetch(url, { headers: this.headers(), signal });
        if (!response.ok) return this.failed(response);
        const { passages } = await response.json();
        this.$('[data-panel="search"] .results').replaceChildren(...passages.map((p) => this.passageItem(p)));
        this.say(passages.length ? `${passages.length} passages` : "No passages found");
        this.emit("passages", { passages });
      } catch (err) {
        if (err.name !== "AbortError") this.say(`Search failed: ${err.message}`, true);
      }
    }

    passageItem(p, n = null) {
      const url = citationUrl(this.endpoint, p, n != null ? p.quote : firstSentence(p.text));
      const meta = el("div", { className: "meta" },
        n != null ? `[${n}] ` : null, el("b", { textContent: p.organisation || "" }), p.organisation ? " · " : null,
        `${p.title || p.source}${editionOf(p)}${p.year ? ` (${p.year})` : ""}`,
        supersededMark(this.endpoint, p),
        p.section ? ` · ${p.section}` : null, where(p) ? ` · ${where(p)}` : null);
      const shown = p.display_text || p.text;
      const text = shown.length > 320 ? `${shown.slice(0, 320)}…` : shown;
      const open = url && el("a", { className: "open", href: url, target: "_blank", rel: "noopener",
        textContent: `Open ${where(p) || "source"}` });
      return el("li", { className: "result" }, meta, el("p", { className: "snippet", textContent: text }), open);
    }

    /* Check any text (a model's answer): each sentence gets its verdict, contradicted ones are marked. */
    async verify() {
      const text = this.input.value.trim();
      if (!text) return;
      const signal = this.begin();
      this.clear();
      this.say("Checking against the guidelines…");
      try {
        const response = await fetch(`${this.endpoint}/v1/verify`, {
          method: "POST", signal, headers: this.headers({ "Content-Type": "application/json" }),
          body: JSON.stringify({ text }),
        });
        if (!response.ok) return this.failed(response);
        const result = await response.json();
        this.showAnswer({ answer: result.sentences.map((s) => s.text).join(". ") + (result.sentences.length ? "." : ""),
          sentences: result.sentences, citations: [], passages: [], disclaimer: result.disclaimer });
        const n = (v) => result.sentences.filter((s) => s.verdict === v).length;
        this.say(`${result.sentences.length} sentence(s) checked: ${n("supported")} supported, ` +
          `${n("contradicted")} contradicted, ${n("unsupported")} not supported`);
        this.emit("verify", result);
      } catch (err) {
        if (err.name !== "AbortError") this.say(`Check failed: ${err.message}`, true);
      }
    }

    async ask() {
      const question = this.input.value.trim();
      if (!question) return;
      const signal = this.begin();
      this.clear();
      this.say("Retrieving passages…");
      const answerBox = this.$(".answer");
      answerBox.classList.remove("abstained");
      try {
        const response = await fetch(`${this.endpoint}/v1/ask`, {
          method: "POST", signal,
          headers: this.headers({ "Content-Type": "application/json", Accept: "text/event-stream" }),
          body: JSON.stringify({ question, top_k: this.k, stream: true }),
        });
        if (!response.ok) return this.failed(response);
        for await (const { event, data } of readEvents(response)) {
          this.emit(event, data);
          if (event === "passages") this.showSources(data.passages || []);
          else if (event === "token") { answerBox.append(data.text); this.say("Answering…"); }
          else if (event === "answer") this.showAnswer(data);
          else if (event === "error") this.say(data.message || "The answer failed", true);
        }
      } catch (err) {
        if (err.name !== "AbortError") this.say(`Ask failed: ${err.message}`, true);
      }
    }

    showSources(passages) {
      this.passagesById = new Map(passages.map((p) => [p.chunk_id, p]));
      this.$(".sources").replaceChildren(...passages.map((p) => this.passageItem(p)));
      this.$(".sources-h").hidden = !passages.length;
      this.say(`${passages.length} passages retrieved; answering…`);
    }

    /* The final answer: [n] markers become links to the cited pages (the viewer, quote highlighted);
       every sentence the verifier did not find supported is marked where it stands, with a visible label. */
    showAnswer(answer) {
      for (const p of answer.passages || []) this.passagesById.set(p.chunk_id, p);
      const byN = new Map((answer.citations || []).map((c) => [c.n, { ...this.passagesById.get(c.chunk_id), ...c }]));
      const box = this.$(".answer");
      box.replaceChildren();
      box.classList.toggle("abstained", !!answer.abstained);
      box.classList.toggle("withheld", !!answer.withheld);
      const sentences = answer.sentences || [];
      const flagged = answer.withheld ? [] : sentences.filter((s) => s.verdict && s.verdict !== "supported");
      const text = String(answer.display_text || answer.answer || "");
      for (const part of text.split(/(\[\d+(?:\s*,\s*\d+)*\])/)) {
        const nums = /^\[([\d,\s]+)\]$/.exec(part);
        if (!nums) { box.append(...markSentences(part, flagged)); continue; }
        for (const n of nums[1].split(",").map((s) => parseInt(s, 10))) {
          const c = byN.get(n);
          const url = c && citationUrl(this.endpoint, c, c.quote);
          box.append(url ? el("a", { className: "cite", href: url, target: "_blank", rel: "noopener",
            textContent: `[${n}]`, title: `${c.title}, ${where(c)}` }) : `[${n}]`);
        }
      }
      const items = [...byN.values()].map((c) => {
        const li = this.passageItem({ ...c, text: "" }, c.n);
        li.querySelector(".snippet").replaceWith(el("q", { textContent: c.quote || "" }));
        return li;
      });
      this.$(".citations").replaceChildren(...items);
      this.$(".cites-h").hidden = !items.length;
      const checks = sentences.filter((s) => s.verdict).map((s) => {
        const li = el("li", { className: `v-${s.verdict}` });
        li.dataset.verdict = s.verdict;
        li.append(el("span", { className: "verdict", textContent: VERDICT_LABEL[s.verdict] || s.verdict }),
          el("span", { className: "claim", textContent: s.display_text || s.text }),
          el("div", { className: "reason", textContent: s.reason || "" }));
        const ev = (s.evidence || [])[0];
        if (ev) li.append(el("q", { textContent: ev.quote || "" }), el("span", { className: "meta", textContent: `${ev.title}, ${where(ev)}` }));
        return li;
      });
      this.$(".checks").replaceChildren(...checks);
      this.$(".checks-h").hidden = !checks.length;
      const notices = (answer.notices || []).map((note) => el("li", { textContent: note }));
      this.$(".notices").replaceChildren(...notices);
      this.$(".notices").hidden = !notices.length;
      if (answer.disclaimer) this.$(".disclaimer").textContent = answer.disclaimer;
      this.say(answerStatus(answer, sentences, items.length));
    }
  }

  /* "2 supported of 3 sentences · 2 citations": the count a reader sees before reading the answer. */
  function answerStatus(answer, sentences, nCitations) {
    if (answer.withheld) return "Answer withheld: the guideline contradicts it";
    if (answer.abstained) return "No answer in the indexed guidelines";
    const n = (v) => sentences.filter((s) => s.verdict === v).length;
    const parts = [`${n("supported")} supported of ${sentences.length} sentence${sentences.length === 1 ? "" : "s"}`];
    if (n("contradicted")) parts.push(`${n("contradicted")} contradicted by the guideline`);
    if (n("unsupported")) parts.push(`${n("unsupported")} not supported by the cited passage`);
    parts.push(`${nCitations} citation${nCitations === 1 ? "" : "s"}`);
    return parts.join(" · ");
  }

  const VERDICT_LABEL = { supported: "✓ Supported", contradicted: "✗ Contradicted", unsupported: "? Not supported" };
  const VERDICT_BADGE = { contradicted: "contradicted by the guideline", unsupported: "not supported by the cited passage" };

  /* Text nodes of `part` with each flagged sentence wrapped in a marked span: contradicted and unsupported
     sentences are never shown as the guideline's word. */
  function markSentences(part, flagged) {
    let nodes = [part];
    for (const s of flagged) {
      const text = String(s.display_text || s.text || "");
      if (!text) continue;
      nodes = nodes.flatMap((n) => {
        if (typeof n !== "string") return [n];
        const at = n.indexOf(text);
        if (at < 0) return [n];
        const span = el("span", { className: `v-${s.verdict}`, textContent: text,
          title: `${VERDICT_LABEL[s.verdict]}: ${s.reason || ""}` });
        span.dataset.verdict = s.verdict;
        const badge = el("span", { className: `badge b-${s.verdict}`, textContent: `(${VERDICT_BADGE[s.verdict]})` });
        return [n.slice(0, at), span, " ", badge, n.slice(at + text.length)];
      });
    }
    return nodes.filter((n) => n !== "");
  }

  customElements.define("guideline-lookup", GuidelineLookup);
})();
