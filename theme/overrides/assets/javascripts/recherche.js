// Search with Pagefind in the theme's search box (partials/search.html). Everything is
// loaded from this site (<base>/pagefind/): no request goes to another host.
const root = document.querySelector("[data-recherche]");
const config = JSON.parse(document.getElementById("__config").textContent);
const t = config.translations;

if (root) {
  const toggle = document.getElementById("__search");
  const form = root.querySelector("form");
  const input = form.elements.query;
  const meta = root.querySelector(".md-search-result__meta");
  const list = root.querySelector(".md-search-result__list");
  // config.base is relative to the page ("..", "."): pagefind.js then derives its own
  // base URL from where it was loaded, so a site under a sub-path (/catalogue/) works.
  const bundle = new URL(`${config.base}/pagefind/`, location.href);
  let pagefind;
  const load = () =>
    (pagefind ??= import(new URL("pagefind.js", bundle).href).then(async (pf) => {
      await pf.options({ excerptLength: 24 });
      await pf.init();
      return pf;
    }));

  const open = (state) => {
    if (toggle.checked !== state) toggle.checked = state;
  };
  const count = (n) =>
    n === 0 ? t["search.result.none"] : n === 1 ? t["search.result.one"] : t["search.result.other"].replace("#", n);

  const item = (data) => {
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.tabIndex = -1;
    a.href = data.url;
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    const icon = document.createElement("div");
    icon.className = "md-search-result__icon md-icon";
    const h1 = document.createElement("h1");
    h1.textContent = data.meta.title || data.url; // titles come from contributions: text only
    const p = document.createElement("p");
    p.innerHTML = data.excerpt; // Pagefind escapes the page text; it only adds <mark>
    article.append(icon, h1, p);
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
    let pf;
    try {
      pf = await load();
    } catch (e) {
      meta.textContent = "La recherche est indisponible (index absent).";
      return;
    }
    const search = await pf.debouncedSearch(q, {}, 150);
    if (search === null || q !== last) return; // superseded by a newer query
    const shown = await Promise.all(search.results.slice(0, 20).map((r) => r.data()));
    if (q !== last) return;
    meta.textContent = count(search.results.length);
    list.replaceChildren(...shown.map(item));
  };

  input.addEventListener("focus", () => {
    open(true);
    load().catch(() => {});
  });
  let pending = Promise.resolve(); // the run for the latest query
  const update = () => (input.value.trim() !== last ? (pending = run()) : pending);
  input.addEventListener("input", update);
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("reset", () => setTimeout(update));
  toggle.addEventListener("change", () => (toggle.checked ? input.focus() : input.blur()));
  list.addEventListener("click", (e) => e.target.closest("a") && open(false));

  // The theme's keys: "/", "s", "f" open the search; in it, arrows move, Enter follows
  // the first result, Escape and Tab close it.
  window.addEventListener("keydown", (e) => {
    if (e.metaKey || e.ctrlKey || e.altKey) return;
    const active = document.activeElement;
    if (!toggle.checked) {
      const typing = active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
      if (!typing && ["/", "s", "f"].includes(e.key)) {
        e.preventDefault();
        input.focus();
        input.select();
      }
      return;
    }
    const links = [input, ...list.querySelectorAll("a[href]")];
    switch (e.key) {
      case "Enter":
        if (active === input) {
          e.preventDefault(); // follow the first result of the query as typed, once shown
          update().then(() => list.querySelector("a[href]")?.click());
        }
        break;
      case "Escape":
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
