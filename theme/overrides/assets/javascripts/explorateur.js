// The explorer (/explorer/): the filters of partials drawn by explorateur.html.j2, applied to
// donnees/explorateur.json (see explorer_index() in generator/generate.py for its layout).
// The state lives in the URL query: a selection can be shared, and back / forward restore it.
// Without this script the page keeps its static grouped list.
const FACETS = ["secteur", "region", "academie", "domaine"];
const VOCAB = { secteur: "secteurs", region: "regions", academie: "academies", domaine: "domaines" };
const PAGE = 30; // items shown per list before « Afficher plus »
// A facet's state: the index of the chosen term, ALL (no choice), or NONE: the entries that
// have no term of it (the option marked data-aucun, « Académie non précisée »).
const ALL = -1;
const NONE = -2;

const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
const plural = (n, one, many) => `${n} ${n > 1 ? many : one}`;

const root = document.querySelector("[data-explorateur]");
if (root) start(root);

async function start(root) {
  let data;
  try {
    const response = await fetch(root.dataset.index);
    if (!response.ok) return;
    data = await response.json();
  } catch {
    return; // the static list stays
  }
  const base = new URL(root.dataset.racine, location.href);
  const form = root.querySelector("form");
  const status = root.querySelector(".cmq-bilan");
  const choice = root.querySelector("[data-choix]");
  const index = Object.fromEntries(FACETS.map((f) => [f, new Map(data[VOCAB[f]].map(([id], i) => [id, i]))]));
  const name = (facet, i) => (i >= 0 ? data[VOCAB[facet]][i][1] : "");
  const noneOption = Object.fromEntries(FACETS.map((f) => [f, form.elements[f].querySelector("[data-aucun]")]));
  // The words of the selection line (under the count), read once from the form: each filter's
  // label, and the box's without the count that follows it.
  const lower = (text) => text.charAt(0).toLowerCase() + text.slice(1);
  const quoted = (text) => `«\u00a0${text}\u00a0»`;
  const facetLabel = Object.fromEntries(FACETS.map((f) => [f, lower(form.querySelector(`label[for="filtre-${f}"]`).textContent)]));
  const excellenceLabel = lower(form.querySelector('label[for="filtre-excellence"]').firstChild.textContent.trim());
  // Facet state <-> the value of its select (and of the URL).
  const fromValue = (f, value) => (value && value === noneOption[f]?.value ? NONE : index[f].get(value) ?? ALL);
  const toValue = (f) => (state[f] === NONE ? noneOption[f].value : state[f] >= 0 ? data[VOCAB[f]][state[f]][0] : "");

  // An index (-1: none) or, for a practice of several campuses, a list of indexes: as a list.
  const list = (value) => (Array.isArray(value) ? value : value >= 0 ? [value] : []);
  // Each entry's terms of each facet (entry.terms[f], a list, empty if none): a practice of
  // campuses of two regions is found under both; a campus, under the domains of its practices.
  const campuses = data.campus.map(([id, nom, secteur, region, academie, ville, excellence]) => ({
    kind: "campus", id, nom, ville, secteur, region, excellence: excellence === 1,
    terms: { secteur: list(secteur), region: list(region), academie: list(academie), domaine: [] },
    text: fold(`${nom} ${ville}`),
  }));
  const practices = data.pratiques.map(([id, titre, domaine, c, secteur, region, academie, keywords]) => {
    const own = list(c).map((i) => campuses[i]);
    for (const campus of own) if (!campus.terms.domaine.includes(domaine)) campus.terms.domaine.push(domaine);
    const words = [titre, ...own.flatMap((campus) => [campus.nom, campus.ville]),
                   ...keywords.map((k) => data.mots_cles[k])];
    return { kind: "pratiques", id, titre, domaine, campuses: own, region, academie,
             terms: { secteur: list(secteur), region: list(region), academie: list(academie), domaine: [domaine] },
             excellence: own.some((campus) => campus.excellence), text: fold(words.join(" ")) };
  });
  const all = [...campuses, ...practices];

  // ---- state <-> URL <-> form
  const state = { q: "", excellence: false, ...Object.fromEntries(FACETS.map((f) => [f, ALL])) };
  const readURL = () => {
    const query = new URLSearchParams(location.search);
    state.q = query.get("q") ?? "";
    for (const f of FACETS) state[f] = fromValue(f, query.get(f));
    state.excellence = query.get("excellence") === "oui";
    form.elements.q.value = state.q;
    for (const f of FACETS) form.elements[f].value = toValue(f);
    form.elements.excellence.checked = state.excellence;
  };
  const readForm = () => {
    state.q = form.elements.q.value;
    for (const f of FACETS) state[f] = fromValue(f, form.elements[f].value);
    state.excellence = form.elements.excellence.checked;
  };
  const url = () => {
    const query = new URLSearchParams();
    if (state.q.trim()) query.set("q", state.q.trim());
    for (const f of FACETS) if (state[f] !== ALL) query.set(f, toValue(f));
    if (state.excellence) query.set("excellence", "oui");
    const text = query.toString();
    return location.pathname + (text ? `?${text}` : "");
  };

  // ---- matching and counts
  const matches = (entry, words, skip) => {
    for (const f of FACETS) {
      if (f === skip || state[f] === ALL) continue;
      if (state[f] === NONE ? entry.terms[f].length : !entry.terms[f].includes(state[f])) return false;
    }
    if (skip !== "excellence" && state.excellence && !entry.excellence) return false;
    return words.every((w) => entry.text.includes(w));
  };
  // What a choice would give, campus and practices apart: « (2 campus, 10 bonnes pratiques) ».
  const yields = (campus, pratiques) =>
    campus || pratiques
      ? `(${[campus && plural(campus, "campus", "campus"), pratiques && plural(pratiques, "bonne pratique",
          "bonnes pratiques")].filter(Boolean).join(", ")})`
      : "(aucun résultat)";
  const updateCounts = (words) => {
    for (const f of FACETS) {
      const size = data[VOCAB[f]].length;
      // One count per term, then (at index size) the entries without a term.
      const counts = { campus: new Array(size + 1).fill(0), pratiques: new Array(size + 1).fill(0) };
      for (const entry of all) {
        if (!matches(entry, words, f)) continue;
        const terms = entry.terms[f];
        if (terms.length) for (const t of terms) counts[entry.kind][t]++;
        else if (f !== "domaine") counts[entry.kind][size]++; // a campus without practices is of no domain
      }
      for (const option of form.elements[f].options) {
        if (!option.value) continue;
        option.dataset.nom ??= option.textContent;
        const i = option === noneOption[f] ? size : index[f].get(option.value);
        // The chosen option shows its name alone: its counts are those of the lists, said below,
        // and the name stays whole in the closed box of a narrow screen.
        option.textContent = option.selected
          ? option.dataset.nom
          : `${option.dataset.nom} ${yields(counts.campus[i], counts.pratiques[i])}`;
      }
    }
    const excellent = all.filter((e) => e.excellence && matches(e, words, "excellence"));
    root.querySelector('[data-compte="excellence"]').textContent = yields(
      excellent.filter((e) => e.kind === "campus").length, excellent.filter((e) => e.kind === "pratiques").length);
  };

  // ---- results
  const shown = { campus: PAGE, pratiques: PAGE };
  const link = (href, text) => {
    const a = document.createElement("a");
    a.href = new URL(href, base).href;
    a.textContent = text; // names and titles come from contributions: text only
    return a;
  };
  const item = (entry) => {
    const li = document.createElement("li");
    if (entry.kind === "campus") {
      li.append(link(`campus/${entry.id}/`, entry.nom));
      const where = [name("region", entry.region), entry.ville].filter(Boolean).join(", ");
      li.append(` — ${name("secteur", entry.secteur)}${where ? ` — ${where}` : ""}`);
    } else {
      li.append(link(`bonnes-pratiques/${entry.id}/`, entry.titre), " ");
      const badge = document.createElement("span");
      badge.className = "cmq-badge";
      badge.textContent = name("domaine", entry.domaine);
      li.append(badge);
      const where = entry.campuses.length
        ? entry.campuses.map((c) => `${c.nom}${c.ville ? ` (${c.ville})` : ""}`).join(", ")
        : name("academie", entry.academie) || name("region", entry.region);
      if (where) li.append(` — ${where}`);
    }
    return li;
  };
  let results = { campus: [], pratiques: [] };
  const drawList = (kind, focusFrom = -1) => {
    const list = root.querySelector(`[data-liste="${kind}"]`);
    const button = root.querySelector(`[data-plus="${kind}"]`);
    const entries = results[kind];
    list.replaceChildren(...entries.slice(0, shown[kind]).map(item));
    root.querySelector(`[data-total="${kind}"]`).textContent = `(${entries.length})`;
    list.hidden = entries.length === 0; // an empty list is said in words instead
    root.querySelector(`[data-vide="${kind}"]`).hidden = entries.length > 0;
    const rest = entries.length - shown[kind];
    button.hidden = rest <= 0;
    button.textContent = `Afficher ${Math.min(rest, PAGE)} de plus (${rest} restant${rest > 1 ? "s" : ""})`;
    if (focusFrom >= 0) list.children[focusFrom]?.querySelector("a")?.focus();
  };
  let announce;
  const render = ({ quiet = false } = {}) => {
    const words = fold(state.q).split(/\s+/).filter(Boolean);
    results = { campus: campuses.filter((e) => matches(e, words)), pratiques: practices.filter((e) => matches(e, words)) };
    shown.campus = shown.pratiques = PAGE;
    drawList("campus");
    drawList("pratiques");
    updateCounts(words);
    const found = `${plural(results.campus.length, "campus", "campus")} et ${plural(
      results.pratiques.length, "bonne pratique", "bonnes pratiques")}`;
    const chosen = words.length || state.excellence || FACETS.some((f) => state[f] !== ALL);
    const text = !chosen
      ? `Le catalogue compte ${found}.`
      : results.campus.length || results.pratiques.length
        ? `${found} correspondent à votre sélection.`
        : "Aucun campus ni aucune bonne pratique ne correspond à votre sélection.";
    // The choices in words, whole: the closed list of a narrow screen cuts a long name
    // (« Mobilité, aéronautique, transports terrestres et maritimes »).
    const said = FACETS.filter((f) => state[f] !== ALL).map((f) =>
      state[f] === NONE ? lower(noneOption[f].dataset.nom) : `${facetLabel[f]} ${quoted(name(f, state[f]))}`);
    if (state.excellence) said.push(excellenceLabel);
    if (words.length) said.push(`mots ${quoted(state.q.trim())}`);
    choice.hidden = !said.length;
    choice.textContent = said.length ? `Sélection\u00a0: ${said.join(", ")}.` : "";
    clearTimeout(announce); // while typing, the screen reader hears the count once, at the end
    if (quiet) announce = setTimeout(() => (status.textContent = text), 700);
    else status.textContent = text;
  };

  for (const kind of ["campus", "pratiques"]) {
    root.querySelector(`[data-plus="${kind}"]`).addEventListener("click", () => {
      const from = shown[kind];
      shown[kind] += PAGE;
      drawList(kind, from);
    });
  }
  // Each choice is a history entry (Back undoes it). The arrow keys on a closed list choose each
  // option on the way, a change each: the changes of a filter made from the keyboard, one after
  // the other while it keeps the focus, are one choice, so that Back does not step through them.
  // A choice made with the mouse, or on a phone's picker, is always an entry of its own. Keys
  // that end where they began (down, then up) leave no entry: Back would show the same page.
  let keyed = null; // the list a key was pressed on (its change, if any, follows)
  let keying = null; // the list whose last change came from the keyboard, still focused
  let before = ""; // the address before that list's keyboard changes
  form.addEventListener("keydown", (event) => (keyed = event.target));
  form.addEventListener("pointerdown", () => (keyed = keying = null));
  form.addEventListener("change", (event) => {
    if (event.target === form.elements.q) return;
    readForm();
    const byKey = event.target === keyed;
    const again = byKey && event.target === keying; // one more keyboard change of the same list
    keyed = null;
    if (!again) before = location.pathname + location.search;
    keying = byKey ? event.target : null;
    if (again && url() === before) {
      keying = null; // back on the entry before: the next change is a new one
      history.back();
    } else {
      history[again ? "replaceState" : "pushState"](null, "", url());
    }
    render();
  });
  form.addEventListener("focusout", () => (keyed = keying = null));
  let typing;
  form.elements.q.addEventListener("input", () => {
    readForm();
    render({ quiet: true });
    clearTimeout(typing); // the address follows the text (replaced, not a history entry per key)
    typing = setTimeout(() => history.replaceState(null, "", url()), 300);
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("reset", () =>
    setTimeout(() => {
      readForm();
      history.pushState(null, "", url());
      keying = null;
      render();
    }));
  window.addEventListener("popstate", () => {
    keying = null; // the next choice is a new entry after this one
    readURL();
    render();
  });

  readURL();
  render();
  document.querySelector(".cmq-explorateur-statique")?.setAttribute("hidden", "");
  root.hidden = false;
}
