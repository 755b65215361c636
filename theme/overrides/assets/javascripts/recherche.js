// Search in the theme's search box (partials/search.html) with the index that
// generator/search.py writes in <base>/recherche/: a list of shards, shards of words
// (each word with the pages of its stems), and small files of excerpts. A query fetches
// only the shards of its words and the excerpts it shows; no request goes to another host.
const root = document.querySelector("[data-recherche]");
const config = JSON.parse(document.getElementById("__config").textContent);
const t = config.translations;
const SHOWN = 20; // results drawn
// A word being typed is completed from at most this many shards: when its completions
// span more (one or two letters typed), from the first ones.
const WIDE = 3;

// The same words as generator/search.py: runs of letters and digits, folded (lower case,
// no accents, no ligatures).
const WORD = /[\p{L}\p{N}]+/gu;
const words = (text) => text.normalize("NFC").match(WORD) ?? [];
const fold = (word) =>
  word.toLowerCase().normalize("NFD").replace(/\p{Mn}/gu, "").replace(/œ/g, "oe").replace(/æ/g, "ae");

// Pages as gaps between increasing page numbers → the page numbers.
const decode = (gaps) => {
  let page = -1;
  return gaps.map((gap) => (page += gap));
};

const index = (base) => {
  const json = (path, init) =>
    fetch(new URL(path, base), init).then((r) => {
      if (!r.ok) throw new Error(`${r.status} ${path}`);
      return r.json();
    });
  let manifest;
  const shards = new Map(); // shard number → promise of the shard
  const chunks = new Map(); // excerpt file number → promise of its pages
  const load = () => (manifest ??= json("index.json", { cache: "no-cache" }));
  const shard = (m, i) => {
    if (!shards.has(i)) shards.set(i, json(`${m.version}/mots/${i}.json`));
    return shards.get(i);
  };
  // The shard holding `word`: the last one whose first word is not after it.
  const shardOf = (m, word) => {
    let lo = 0;
    let hi = m.shards.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (m.shards[mid] <= word) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  // One word of the query → { pages: Map(page → score), forms: Set of matched folded words }.
  const lookup = async (m, word, typing) => {
    const first = shardOf(m, word);
    const last = typing ? Math.min(shardOf(m, word + "\uffff"), first + WIDE - 1) : first;
    const loaded = await Promise.all([...Array(last - first + 1).keys()].map((k) => shard(m, first + k)));
    const stems = new Set(); // the [pages, title pages] of the matched stems
    const forms = new Set();
    const take = (s, w) => {
      forms.add(w);
      for (const k of s.w[w]) stems.add(s.s[k]);
    };
    for (const s of loaded) {
      if (Object.hasOwn(s.w, word)) take(s, word);
      if (typing) for (const w in s.w) if (w !== word && w.startsWith(word)) take(s, w);
    }
    if (forms.size === 0 && word.length > 3) {
      // Not a word of the catalogue: its closest shorter form (« éoliens » → « éolien »),
      // which may sort into an earlier shard.
      for (let n = word.length - 1; n >= Math.max(3, word.length - 3) && forms.size === 0; n--) {
        const shorter = word.slice(0, n);
        const s = await shard(m, shardOf(m, shorter));
        if (Object.hasOwn(s.w, shorter)) take(s, shorter);
      }
    }
    const pages = new Map();
    for (const [all, titles] of stems) {
      const weight = Math.log(1 + m.pages / all.length);
      const inTitle = new Set(decode(titles));
      for (const page of decode(all)) {
        const score = weight * (inTitle.has(page) ? 3 : 1);
        if (score > (pages.get(page) ?? 0)) pages.set(page, score);
      }
    }
    return { pages, forms };
  };

  // Every word must be found; pages ranked by the rarity of the words, three times more
  // when a word is in the title.
  const search = async (query) => {
    const m = await load();
    const folded = words(query).map(fold);
    if (folded.length === 0 || m.shards.length === 0) return { m, results: [], forms: new Set() };
    const typing = /[\p{L}\p{N}]$/u.test(query);
    const found = await Promise.all(
      folded.map((w, i) => lookup(m, w, typing && i === folded.length - 1 && w.length >= 2)),
    );
    const [first, ...others] = found;
    const results = [];
    for (const [page, score] of first.pages) {
      let total = score;
      for (const other of others) {
        const s = other.pages.get(page);
        if (s === undefined) {
          total = -1;
          break;
        }
        total += s;
      }
      if (total >= 0) results.push([page, total]);
    }
    results.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const forms = new Set(found.flatMap((f) => [...f.forms]));
    return { m, results: results.map(([page]) => page), forms };
  };

  // [title, url, excerpt] of a page, in the version of the index `m` that found it.
  const page = async (m, number) => {
    const i = Math.floor(number / m.chunk);
    if (!chunks.has(i)) chunks.set(i, json(`${m.version}/pages/${i}.json`));
    return (await chunks.get(i))[number % m.chunk];
  };
  // After a failure (a new version of the site published meanwhile, say), start afresh.
  const reset = () => {
    manifest = undefined;
    shards.clear();
    chunks.clear();
  };
  return { load, search, page, reset };
};

// The excerpt around the first matched word, with the matched words marked (built as
// DOM nodes: titles and texts come from contributions and are never parsed as HTML).
const excerpt = (text, forms) => {
  const p = document.createElement("p");
  const tokens = [...text.matchAll(WORD)];
  const marked = tokens.map((m) => forms.has(fold(m[0])));
  const hit = marked.indexOf(true);
  let from = 0;
  let prefix = "";
  if (hit > 8) {
    from = tokens[hit - 6].index;
    prefix = "… ";
  }
  let shown = text.slice(from, from + 220);
  let end = "";
  if (from + 220 < text.length) {
    shown = shown.slice(0, shown.lastIndexOf(" ") + 1 || undefined); // a whole last word
    end = "…";
  }
  let at = from;
  p.append(prefix);
  tokens.forEach((m, i) => {
    if (!marked[i] || m.index < from || m.index + m[0].length > from + shown.length) return;
    p.append(text.slice(at, m.index));
    const mark = document.createElement("mark");
    mark.textContent = m[0];
    p.append(mark);
    at = m.index + m[0].length;
  });
  p.append(text.slice(at, from + shown.length) + end);
  return p;
};

if (root) {
  const toggle = document.getElementById("__search");
  const form = root.querySelector("form");
  const input = form.elements.query;
  const meta = root.querySelector(".md-search-result__meta");
  const list = root.querySelector(".md-search-result__list");
  // config.base is relative to the page ("..", "."), so a site under a sub-path works.
  const base = new URL(config.base.replace(/\/?$/, "/"), location.href); // "/" on the 404 page
  const catalogue = index(new URL("recherche/", base));

  const open = (state) => {
    if (toggle.checked !== state) toggle.checked = state;
  };
  const count = (n) =>
    n === 0 ? t["search.result.none"] : n === 1 ? t["search.result.one"] : t["search.result.other"].replace("#", n);

  const item = ([title, url, text], forms) => {
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.tabIndex = -1;
    a.href = new URL(url, base).href;
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    const icon = document.createElement("div");
    icon.className = "md-search-result__icon md-icon";
    const h1 = document.createElement("h1");
    h1.textContent = title || url;
    article.append(icon, h1, excerpt(text, forms));
    a.append(article);
    li.append(a);
    return li;
  };

  let last = "";
  const run = async () => {
    const q = input.value.trim();
    last = q;
    if (!q) {
      meta.textContent = t["search.result.placeholder"];
      list.replaceChildren();
      return;
    }
    const attempt = async () => {
      const found = await catalogue.search(input.value); // a final letter: the word is being typed
      const shown = await Promise.all(found.results.slice(0, SHOWN).map((n) => catalogue.page(found.m, n)));
      return [found, shown];
    };
    let found, shown;
    try {
      [found, shown] = await attempt();
    } catch {
      catalogue.reset(); // a new version of the index may have replaced the one this page knew
      try {
        [found, shown] = await attempt();
      } catch {
        catalogue.reset();
        if (q === last) meta.textContent = "La recherche est indisponible (index absent ou incomplet).";
        return;
      }
    }
    if (q !== last) return; // superseded by a newer query
    meta.textContent = count(found.results.length);
    list.replaceChildren(...shown.map((data) => item(data, found.forms)));
  };

  input.addEventListener("focus", () => {
    open(true);
    catalogue.load().catch(() => {});
  });
  let pending = Promise.resolve(); // the run for the latest query
  const update = () => (input.value.trim() !== last ? (pending = run()) : pending);
  // A box closed by Escape keeps the keyboard: typing, a click, ArrowDown or Enter opens it again.
  input.addEventListener("input", () => {
    open(true);
    update();
  });
  input.addEventListener("click", () => open(true));
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("reset", () => setTimeout(update));
  toggle.addEventListener("change", () => (toggle.checked ? input.focus() : input.blur()));
  list.addEventListener("click", (e) => e.target.closest("a") && open(false));

  // Where the theme shows the box in the header even when closed (60em and wider), Escape
  // leaves the keyboard in it (WAI-ARIA's combobox); on a narrow screen the closed box is out
  // of sight, so it lets go of the keyboard, which goes on from there at the next Tab.
  const inHeader = window.matchMedia("(min-width: 60em)");

  // In the search: arrows move, Enter follows the first result, Escape and Tab close it.
  // No one-key shortcut opens it (the theme's "/", "s", "f"): a visitor could not turn them
  // off, and a speech-input user saying a word would open it (RGAA 12.10, WCAG 2.1.4).
  window.addEventListener("keydown", (e) => {
    if (e.metaKey || e.ctrlKey || e.altKey) return;
    const active = document.activeElement;
    if (!toggle.checked) {
      if (active !== input || (e.key !== "ArrowDown" && e.key !== "Enter")) return;
      open(true); // a box closed by Escape: opened again, then the key does what it does there
    }
    const links = [input, ...list.querySelectorAll("a[href]")];
    switch (e.key) {
      case "Enter":
        if (active === input) {
          e.preventDefault(); // follow the first result of the query as typed, once shown
          update().then(() => list.querySelector("a[href]")?.click());
        }
        break;
      case "Escape": // from the box or a result; focused first, as focusing the box opens it
        if (inHeader.matches) input.focus();
        else active.blur();
        open(false);
        break;
      case "Tab":
        open(false);
        input.blur();
        break;
      case "ArrowUp":
      case "ArrowDown": {
        e.preventDefault();
        const i = Math.max(0, links.indexOf(active));
        links[(i + links.length + (e.key === "ArrowUp" ? -1 : 1)) % links.length].focus();
        break;
      }
    }
  });
}
