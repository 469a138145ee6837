/* The self-assessment (handbook.sphinxext.selfassess writes the page).

   Reads the reader's ratings from the page's radio buttons and works out each
   role's coverage, the reader's mix, the weakest third and a plan, exactly as
   the page's "How the numbers are worked out" says, in whole numbers so that
   no rounding error can move a percentage.  Every word it shows comes from the
   page ([data-sa-word] and the form's own labels), so a translated page needs
   no change here.  Ratings live in this browser only: localStorage, a file the
   reader downloads, or the fragment of a link (never sent to a server).  No
   request leaves the page. */
(() => {
  "use strict";
  const form = document.querySelector(".sa-form");
  if (!form) return;
  const $ = (selector, within = document) => within.querySelector(selector);
  const $$ = (selector, within = document) => Array.from(within.querySelectorAll(selector));
  const ROLES = ["swe", "pm", "ds"];
  const FORMAT = "handbook-self-assessment";
  const KEY = form.dataset.saStorage;
  const VERSION = Number(form.dataset.saVersion);
  const DEFAULT = form.dataset.saDefault.split("/").map(Number);

  const skills = $$("fieldset.sa-skill").map((fieldset) => ({
    id: fieldset.dataset.saSkill,
    role: fieldset.dataset.saRole,
    fieldset,
    name: $("legend", fieldset).textContent.trim(),
  }));
  const byId = new Map(skills.map((skill) => [skill.id, skill]));
  const TOP = $$('input[type="radio"]', skills[0].fieldset).length - 1;
  const text = (element) => element.textContent.trim().replace(/\s+/g, " ");
  const word = (key, values = {}) =>
    text($(`[data-sa-word="${key}"]`)).replace(/\{([a-z]+)\}/g, (all, name) =>
      name in values ? String(values[name]) : all);
  const roleName = (role) => text($(`tr[data-sa-role="${role}"] th`));
  const levelName = (skill, rating) => text($(`label[for="sa-${skill.id}-${rating}"]`));
  const status = (message) => { $("[data-sa-status]").textContent = message; };

  // -- State: the page's controls are the state; these read and write them.

  function ratings() {
    const found = new Map();
    for (const skill of skills) {
      const checked = $("input:checked", skill.fieldset);
      if (checked) found.set(skill.id, Number(checked.value));
    }
    return found;
  }

  function setRatings(values) {
    for (const skill of skills) {
      for (const input of $$("input", skill.fieldset)) {
        input.checked = values.has(skill.id) && Number(input.value) === values.get(skill.id);
      }
    }
  }

  const targetInputs = () => ROLES.map((role) => $(`#sa-target-${role}`));
  function target() {
    const values = targetInputs().map((input) => input.value.trim());
    if (!values.every((value) => /^\d{1,3}$/.test(value))) return null;
    const numbers = values.map(Number);
    return numbers.reduce((a, b) => a + b, 0) === 100 ? numbers : null;
  }
  function setTarget(numbers) {
    targetInputs().forEach((input, n) => { input.value = String(numbers[n]); });
  }

  // -- The arithmetic, in whole numbers.

  function compute(rated, weights) {
    const sum = ROLES.map(() => 0);
    const count = ROLES.map(() => 0);
    for (const skill of skills) {
      const n = ROLES.indexOf(skill.role);
      count[n] += 1;
      sum[n] += rated.get(skill.id) || 0;
    }
    const most = count.map((c) => TOP * c);
    // a / b rounded half up is floor((2a + b) / 2b)
    const coverage = sum.map((s, n) => Math.floor((200 * s + most[n]) / (2 * most[n])));
    // coverage n = sum n / most n; shares by the largest remainder, over one denominator
    const product = most.reduce((a, b) => a * b, 1);
    const part = sum.map((s, n) => s * (product / most[n]));
    const whole = part.reduce((a, b) => a + b, 0);
    let mix = null;
    if (whole > 0) {
      mix = part.map((p) => Math.floor((100 * p) / whole));
      const left = 100 - mix.reduce((a, b) => a + b, 0);
      const order = [0, 1, 2].sort((a, b) =>
        ((100 * part[b]) % whole) - ((100 * part[a]) % whole) || a - b);
      for (const n of order.slice(0, left)) mix[n] += 1;
    }
    let weakest = null;
    if (weights) {
      // target n x (1 - coverage n), over the same denominator
      const priority = ROLES.map((_, n) => weights[n] * (most[n] - sum[n]) * (product / most[n]));
      const top = Math.max(...priority);
      if (top > 0) weakest = ROLES[priority.indexOf(top)];
    }
    return { coverage, mix, weakest };
  }

  // -- Showing the results.

  function render(announce) {
    const rated = ratings();
    const weights = target();
    const { coverage, mix, weakest } = compute(rated, weights);
    const any = rated.size > 0;
    const targetStatus = $("[data-sa-target-status]");
    const sum = targetInputs().reduce((total, input) => total + (Number(input.value) || 0), 0);
    targetStatus.textContent = weights ? "" : word("target-sum", { sum });
    $("[data-sa-state]").textContent = !any ? word("unrated") : mix ? "" : word("all-not-yet");
    ROLES.forEach((role, n) => {
      const row = $(`tr[data-sa-role="${role}"]`);
      $('[data-sa-cell="coverage"]', row).textContent = any ? `${coverage[n]}%` : "";
      $('[data-sa-cell="mix"]', row).textContent = mix ? `${mix[n]}%` : "";
      $('[data-sa-cell="target"]', row).textContent = weights ? `${weights[n]}%` : "";
    });
    drawChart(any ? coverage : null, mix, weights);
    const weakestText = !any ? "" : !weights ? word("target-wait")
      : weakest ? word("weakest", { role: roleName(weakest) }) : word("no-weakest");
    $("[data-sa-weakest]").textContent = weakestText;
    renderPlan(rated, any, weights, weakest);
    if (announce) {
      // "A 50%, B 27%, C 22%" in English, "A 50%、B 27%、C 22%" in Japanese: the page's language
      const separator = new Intl.ListFormat(document.documentElement.lang || "en", { style: "narrow" });
      const list = (values) => separator.format(ROLES.map((role, n) => `${roleName(role)} ${values[n]}%`));
      $("[data-sa-live]").textContent = !any ? word("unrated") : !mix ? word("all-not-yet")
        : word("announce", {
          rated: rated.size, total: skills.length, coverage: list(coverage), mix: list(mix),
        });
    }
  }

  const SVG = "http://www.w3.org/2000/svg";
  function svg(name, attributes, content) {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
    if (content !== undefined) element.textContent = content;
    return element;
  }

  function drawChart(coverage, mix, weights) {
    const place = $("[data-sa-chart]");
    place.replaceChildren();
    if (!coverage) return;
    const heads = $$(".sa-table thead th").map(text);
    const chart = svg("svg", { viewBox: "0 0 640 230", class: "sa-svg", "aria-hidden": "true", focusable: "false" });
    const x0 = 170;
    const scale = 4.4;
    const legend = [["sa-bar-coverage", heads[1]], ["sa-bar-mix", heads[2]], ["sa-mark-target", heads[3]]];
    legend.forEach(([kind, label], n) => {
      chart.append(svg("rect", { x: x0 + n * 150, y: 4, width: 14, height: 14, class: kind }));
      chart.append(svg("text", { x: x0 + n * 150 + 20, y: 16, class: "sa-chart-text" }, label));
    });
    ROLES.forEach((role, n) => {
      const y = 40 + n * 64;
      chart.append(svg("text", { x: 0, y: y + 24, class: "sa-chart-text" }, roleName(role)));
      chart.append(svg("rect", { x: x0, y, width: 100 * scale, height: 20, class: "sa-bar-track" }));
      chart.append(svg("rect", { x: x0, y, width: coverage[n] * scale, height: 20, class: "sa-bar-coverage" }));
      chart.append(svg("rect", { x: x0, y: y + 24, width: 100 * scale, height: 20, class: "sa-bar-track" }));
      if (mix) chart.append(svg("rect", { x: x0, y: y + 24, width: mix[n] * scale, height: 20, class: "sa-bar-mix" }));
      if (weights) {
        const x = x0 + weights[n] * scale;
        chart.append(svg("rect", { x: x - 2, y: y + 20, width: 4, height: 28, class: "sa-mark-target" }));
      }
    });
    place.append(chart);
  }

  function renderPlan(rated, any, weights, weakest) {
    const state = $("[data-sa-plan-state]");
    const list = $("[data-sa-plan-list]");
    list.replaceChildren();
    if (!any) { state.textContent = word("plan-empty"); return; }
    if (!weights) { state.textContent = word("target-wait"); return; }
    if (!weakest) { state.textContent = word("plan-none"); return; }
    state.textContent = word("plan-intro", { role: roleName(weakest) });
    const chosen = skills
      .filter((skill) => skill.role === weakest && (rated.get(skill.id) || 0) < TOP)
      .map((skill, order) => ({ skill, rating: rated.get(skill.id) || 0, order }))
      .sort((a, b) => a.rating - b.rating || a.order - b.order)
      .slice(0, 3);
    for (const { skill, rating } of chosen) {
      const item = document.createElement("li");
      const title = document.createElement("a");
      title.href = `#sa-${skill.id}`;
      title.className = "sa-plan-skill";
      title.textContent = skill.name;
      const now = document.createElement("p");
      const current = rated.has(skill.id) ? levelName(skill, rating) : word("unrated-level");
      now.append(title, ` ${word("plan-now", { level: current })} `,
        word("plan-next", { level: levelName(skill, rating + 1) }), " ");
      const next = document.createElement("q");
      next.textContent = text($(`#sa-${skill.id}-${rating + 1}-says`));
      now.append(next);
      item.append(now);
      for (const paragraph of $$(".sa-learn > p", skill.fieldset)) {
        item.append(paragraph.cloneNode(true));
      }
      list.append(item);
    }
  }

  // -- Keeping the ratings: storage, files, links.

  function record() {
    const weights = target();
    return {
      format: FORMAT,
      version: VERSION,
      ratings: Object.fromEntries(ratings()),
      target: Object.fromEntries(ROLES.map((role, n) => [role, (weights || DEFAULT)[n]])),
    };
  }

  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(record()));
    } catch (error) { /* storage off: the page still works, without memory */ }
  }

  /** A record's ratings (of skills still in the matrix) and target; throws a reason. */
  function read(data) {
    if (typeof data !== "object" || data === null || data.format !== FORMAT
        || data.version !== VERSION || typeof data.ratings !== "object" || data.ratings === null) {
      throw new Error(word("bad-format"));
    }
    const found = new Map();
    for (const [id, value] of Object.entries(data.ratings)) {
      if (!byId.has(id)) continue;  // a skill no longer in the matrix
      if (!Number.isInteger(value) || value < 0 || value > TOP) {
        throw new Error(word("bad-rating", { skill: byId.get(id).name }));
      }
      found.set(id, value);
    }
    let weights = null;
    if (data.target !== undefined) {
      weights = ROLES.map((role) => (data.target || {})[role]);
      if (!weights.every((n) => Number.isInteger(n) && n >= 0 && n <= 100)
          || weights.reduce((a, b) => a + b, 0) !== 100) {
        throw new Error(word("bad-target"));
      }
    }
    return { ratings: found, target: weights };
  }

  function apply(loaded) {
    setRatings(loaded.ratings);
    if (loaded.target) setTarget(loaded.target);
    save();
    render(true);
  }

  function fromLink(hash) {
    const params = new URLSearchParams(hash.slice(1));
    const data = { format: FORMAT, version: VERSION, ratings: {} };
    for (const pair of (params.get("ratings") || "").split(",").filter(Boolean)) {
      const [id, value] = pair.split(":");
      data.ratings[id] = /^\d+$/.test(value || "") ? Number(value) : value;
    }
    if (params.has("target")) {
      const [swe, pm, ds] = params.get("target").split(",").map((n) => (/^\d+$/.test(n) ? Number(n) : n));
      data.target = { swe, pm, ds };
    }
    return read(data);
  }

  function link() {
    const weights = target() || DEFAULT;
    const pairs = Array.from(ratings(), ([id, value]) => `${id}:${value}`).join(",");
    const url = new URL(window.location.href);
    url.hash = `ratings=${pairs}&target=${weights.join(",")}`;
    return url.href;
  }

  function download() {
    const blob = new Blob([`${JSON.stringify(record(), null, 2)}\n`], { type: "application/json" });
    const anchor = document.createElement("a");
    anchor.href = URL.createObjectURL(blob);
    anchor.download = "self-assessment.json";
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(anchor.href), 0);
    status(word("exported"));
  }

  function shareFile() {
    const [swe, pm, ds] = target() || DEFAULT;
    return [
      `# ${word("share-comment")}`, "name: anonymous", 'title: ""', "context:",
      '  company: ""', "  size: not stated", '  team: ""', "years:", "mix:",
      `  swe: ${swe}`, `  pm: ${pm}`, `  ds: ${ds}`, 'why: ""', "",
    ].join("\n");
  }

  const actions = {
    export: download,
    print: () => window.print(),
    link() {
      const box = $("[data-sa-linkbox]");
      box.hidden = false;
      const field = $("#sa-link");
      field.value = link();
      field.focus();
      field.select();
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).catch(() => {});
      status(word("link-done"));
    },
    share() {
      $("[data-sa-sharebox]").hidden = false;
      const field = $("#sa-share");
      field.value = shareFile();
      field.focus();
      field.select();
    },
    reset() {
      setRatings(new Map());
      setTarget(DEFAULT);
      try { localStorage.removeItem(KEY); } catch (error) { /* storage off */ }
      render(true);
      status(word("reset-done"));
    },
  };

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-sa-action]");
    if (button && actions[button.dataset.saAction]) actions[button.dataset.saAction]();
  });
  document.addEventListener("change", (event) => {
    if (event.target.closest(".sa-skill, .sa-target")) { save(); render(true); }
  });
  document.addEventListener("input", (event) => {
    if (event.target.closest(".sa-target")) { save(); render(true); }
  });
  $("#sa-import").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (!file) return;
    let data;
    try {
      data = JSON.parse(await file.text());
    } catch (error) {
      status(word("import-bad", { reason: word("bad-json") }));
      return;
    }
    try {
      const loaded = read(data);
      apply(loaded);
      status(word("imported", { count: loaded.ratings.size }));
    } catch (error) {
      status(word("import-bad", { reason: error.message }));
    }
  });

  // -- Start: saved ratings, then a link's (on opening the page, or pasted into it).

  function offerLink() {
    const hash = window.location.hash;
    if (!hash.startsWith("#ratings=")) return;
    const forget = () => history.replaceState(null, "", window.location.pathname + window.location.search);
    let offered;
    try {
      offered = fromLink(hash);
    } catch (error) {
      forget();
      status(word("import-bad", { reason: error.message }));
      return;
    }
    const take = () => { apply(offered); status(word("restored", { count: offered.ratings.size })); forget(); };
    if (ratings().size === 0) { take(); return; }
    const question = $("[data-sa-question]");
    question.hidden = false;
    question.focus();
    const answer = (replace) => {
      question.hidden = true;
      question.querySelectorAll("button").forEach((button) => { button.onclick = null; });
      if (replace) take(); else { status(word("kept")); forget(); }
    };
    $('[data-sa-action="replace"]', question).onclick = () => answer(true);
    $('[data-sa-action="keep"]', question).onclick = () => answer(false);
  }

  function start() {
    try {
      const stored = localStorage.getItem(KEY);
      const saved = stored ? read(JSON.parse(stored)) : null;
      if (saved) { setRatings(saved.ratings); if (saved.target) setTarget(saved.target); }
    } catch (error) { /* unreadable, or another format: start afresh */ }
    $("[data-sa-controls]").hidden = false;
    document.body.classList.add("sa-ready");
    render(false);
    offerLink();
    window.addEventListener("hashchange", offerLink);
  }

  start();
})();
