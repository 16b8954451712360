// The sandbox inspector: vanilla JS over the /__admin API only. Every value is put into the page
// with textContent, never as HTML, so nothing a sandbox user typed can run as script.
"use strict";

const BOOT = JSON.parse(document.getElementById("boot").textContent);
const PAGE_SIZE = 25;
// The people view reads the whole state export; above this many people it waits to be asked.
const AUTO_PEOPLE_LIMIT = 5000;
const TOKEN_KEY = "user-sandbox-admin-token";

const state = {
  sandbox: initialSandbox(),
  sandboxes: [],
  people: [],
  peopleLoaded: false,
  page: 0,
  requests: [],
  credentials: BOOT.credentials,
};

function $(id) { return document.getElementById(id); }

/// `el("td", {class: "num"}, "text", child)`: an element with attributes and children.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function initialSandbox() {
  const fromQuery = new URLSearchParams(location.search).get("sandbox");
  if (fromQuery) return fromQuery;
  return BOOT.sandbox || "default";
}

/// The `sandbox` query parameter the control plane takes (none for the default sandbox).
function sandboxQuery(extra) {
  const params = new URLSearchParams(extra || {});
  if (state.sandbox !== "default") params.set("sandbox", state.sandbox);
  const text = params.toString();
  return text ? "?" + text : "";
}

/// The sandbox's own root, for sandbox-scoped helpers such as the OBP outbox.
function sandboxRoot() {
  return state.sandbox === "default" ? "" : "/sandboxes/" + encodeURIComponent(state.sandbox);
}

function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }

class Unauthorized extends Error {}

async function admin(path, options) {
  const headers = { Accept: "application/json" };
  if (options && options.body !== undefined) headers["Content-Type"] = "application/json";
  if (token()) headers.Authorization = "Bearer " + token();
  const response = await fetch(path, {
    method: (options && options.method) || "GET",
    headers,
    body: options && options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  if (response.status === 401) throw new Unauthorized("the admin token was refused");
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (_) { body = text; }
  if (!response.ok) {
    const message = body && body.message ? body.message : text;
    throw new Error(`${response.status} from ${path}: ${message}`);
  }
  return body;
}

function showError(error) {
  if (error instanceof Unauthorized) {
    askForToken(token() ? "That token was refused." : "");
    return;
  }
  const banner = $("error-banner");
  banner.hidden = false;
  banner.textContent = String(error && error.message ? error.message : error);
}

function clearError() { $("error-banner").hidden = true; }

function askForToken(message) {
  $("token-panel").hidden = false;
  $("token-error").textContent = message || "";
  $("token-input").focus();
}

// ---- copy buttons ----------------------------------------------------------------------------

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {
    // Outside a secure context (e.g. http://<LAN address>) the clipboard API is missing.
    const area = el("textarea", { style: "position:fixed;opacity:0" }, text);
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.textContent = "copied";
  button.classList.add("done");
  setTimeout(() => { button.textContent = "copy"; button.classList.remove("done"); }, 1200);
}

function copyable(text) {
  const button = el("button", { type: "button", class: "copy", title: "Copy", "data-copy": text }, "copy");
  button.addEventListener("click", () => copyText(text, button));
  // Keys and links longer than a column may break anywhere; ids and passwords stay whole.
  return el("span", { class: "value" }, el("code", { class: text.length > 48 ? "long" : null }, text), button);
}

// Values worth pasting somewhere get a copy button; prose (notes, names, roles) does not.
const COPYABLE = /id$|key|secret|password|url|token|username|email|login|outbox|mint|number/i;

function scalar(value, name) {
  if (value === null || value === undefined) return el("span", { class: "muted" }, "—");
  if (typeof value === "boolean") return el("span", { class: "pill" + (value ? " ok" : "") }, String(value));
  if (typeof value === "object") return el("code", {}, JSON.stringify(value));
  if (name !== undefined && !COPYABLE.test(name)) return el("span", {}, String(value));
  return copyable(String(value));
}

// ---- credentials -----------------------------------------------------------------------------

const VENDOR_TITLES = { finapi: "finAPI", obp: "Open Bank Project", authress: "Authress" };

function renderCredentials() {
  const root = $("credentials");
  root.replaceChildren();
  const credentials = state.credentials || {};
  for (const [vendor, fields] of Object.entries(credentials)) {
    const block = el("details", { class: "vendor-block", "data-vendor": vendor, open: true },
      el("summary", {}, el("h3", {}, VENDOR_TITLES[vendor] || vendor)));
    const grid = el("div", { class: "vendor" });
    const tables = [];
    for (const [name, value] of Object.entries(fields || {})) {
      if (Array.isArray(value)) tables.push([name, value]);
      else grid.append(el("span", { class: "muted" }, name), el("span", {}, scalar(value, name)));
    }
    block.append(grid);
    for (const [name, rows] of tables) {
      block.append(el("div", { class: "muted" }, name), objectTable(rows));
    }
    root.append(block);
  }
  if (!root.children.length) root.append(el("div", { class: "empty" }, "No credentials."));
}

/// A table of objects with the union of their keys as columns.
function objectTable(rows) {
  if (!rows.length) return el("div", { class: "empty" }, "None.");
  const columns = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  }
  return el("div", { class: "scroll" }, el("table", {},
    el("thead", {}, el("tr", {}, columns.map((c) => el("th", {}, c)))),
    el("tbody", {}, rows.map((row) => el("tr", {}, columns.map((c) => el("td", {}, scalar(row[c], c))))))));
}

// ---- people ----------------------------------------------------------------------------------

/// One row per person, joined across vendors by e-mail (fixture people are the same person, with
/// the same address, in every vendor); people made through one vendor show in that vendor only.
function peopleFromState(exported) {
  const byEmail = new Map();
  const rows = [];
  function row(email, name) {
    const key = (email || "").toLowerCase() || "\u0000" + rows.length;
    let person = byEmail.get(key);
    if (!person) {
      person = { name: name || "", email: email || "", finapi: null, obp: null, authress: null };
      byEmail.set(key, person);
      rows.push(person);
    }
    if (!person.name && name) person.name = name;
    return person;
  }
  const finapi = exported.finapi || {};
  // Keyed tables are objects {key: record} (state format user-sandbox-state/2).
  for (const user of Object.values(finapi.users || {})) {
    row(user.email, "").finapi = { id: user.id, verified: user.verified, locked: user.locked };
  }
  const obp = exported.obp || {};
  const entitlements = new Map(Object.entries(obp.entitlements || {}));
  const locks = new Map(Object.entries(obp.locks || {}));
  const badLogins = new Map(Object.entries(obp.bad_logins || {}));
  const maxBad = (obp.config || {}).maxBadLoginAttempts;
  for (const user of obp.users || []) {
    if (user.is_deleted) continue;
    const bad = badLogins.get(user.username);
    row(user.email, [user.first_name, user.last_name].filter(Boolean).join(" ")).obp = {
      username: user.username,
      userId: user.user_id,
      validated: user.validated,
      locked: locks.has(user.user_id) || (bad !== undefined && maxBad !== undefined && bad.attempts > maxBad),
      roles: (entitlements.get(user.user_id) || []).map((e) => e.bank_id ? `${e.role_name} @ ${e.bank_id}` : e.role_name),
    };
  }
  const authress = exported.authress || {};
  const tenants = new Map((authress.tenants || []).map((t) => [t.tenantId, t.name || t.tenantId]));
  for (const user of authress.users || []) {
    row(user.email, user.name).authress = {
      userId: user.userId,
      tenant: user.tenantId ? (tenants.get(user.tenantId) || user.tenantId) : null,
    };
  }
  for (const person of rows) {
    person.text = JSON.stringify(person).toLowerCase();
  }
  return rows;
}

function badge(text, kind) { return el("span", { class: "pill " + (kind || "") }, text); }

function personCells(person) {
  const f = person.finapi, o = person.obp, a = person.authress;
  const none = () => el("span", { class: "muted" }, "—");
  return [
    el("td", {}, person.name || el("span", { class: "muted" }, "(no name)"), el("div", { class: "muted" }, person.email)),
    el("td", {}, f ? [el("div", { class: "mono" }, f.id), el("div", { class: "row" },
      f.verified ? badge("verified", "ok") : badge("unverified", "warn"),
      f.locked ? badge("locked", "bad") : null)] : none()),
    el("td", {}, o ? [el("div", { class: "mono" }, o.username), el("div", { class: "row" },
      o.validated ? badge("validated", "ok") : badge("not validated", "warn"),
      o.locked ? badge("locked", "bad") : null)] : none()),
    el("td", {}, o && o.roles.length ? el("div", { class: "roles" }, o.roles.map((r) => badge(r))) : none()),
    el("td", {}, a ? [el("div", { class: "mono long" }, a.userId), a.tenant ? badge(a.tenant) : null] : none()),
  ];
}

function renderPeople() {
  const root = $("people");
  root.replaceChildren();
  if (!state.peopleLoaded) {
    const info = state.sandboxes.find((s) => s.name === state.sandbox);
    const button = el("button", { type: "button", id: "people-load" }, "Load people");
    button.addEventListener("click", () => loadPeople(true).catch(showError));
    root.append(el("div", { class: "empty" },
      `This sandbox has ${info ? info.users : "many"} generated people; the people view reads the whole state export. `,
      button));
    $("people-range").textContent = "";
    return;
  }
  const query = $("people-search").value.trim().toLowerCase();
  const matching = query ? state.people.filter((p) => p.text.includes(query)) : state.people;
  const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
  state.page = Math.min(state.page, pages - 1);
  const start = state.page * PAGE_SIZE;
  const shown = matching.slice(start, start + PAGE_SIZE);
  $("people-count").textContent = `(${state.people.length})`;
  $("people-range").textContent = matching.length
    ? `${start + 1}–${start + shown.length} of ${matching.length}` : "no match";
  $("people-prev").disabled = state.page === 0;
  $("people-next").disabled = state.page >= pages - 1;
  if (!shown.length) {
    root.append(el("div", { class: "empty" }, "Nobody matches."));
    return;
  }
  root.append(el("div", { class: "scroll" }, el("table", { id: "people-table" },
    el("thead", {}, el("tr", {}, ["Person", "finAPI", "OBP", "OBP entitlements", "Authress · tenant"].map((h) => el("th", {}, h)))),
    el("tbody", {}, shown.map((p) => el("tr", { "data-email": p.email }, personCells(p)))))));
}

async function loadPeople(force) {
  const info = state.sandboxes.find((s) => s.name === state.sandbox);
  if (!force && info && info.users > AUTO_PEOPLE_LIMIT) {
    state.peopleLoaded = false;
    renderPeople();
    return;
  }
  const exported = await admin("/__admin/state" + sandboxQuery());
  state.people = peopleFromState(exported);
  state.peopleLoaded = true;
  renderPeople();
}

// ---- journal ---------------------------------------------------------------------------------

function statusClass(status) { return "status s" + String(status).charAt(0); }

function renderJournal(total) {
  const root = $("journal");
  root.replaceChildren();
  $("journal-count").textContent = total ? `(${state.requests.length} of ${total})` : "";
  if (!state.requests.length) {
    root.append(el("div", { class: "empty" }, "No vendor requests yet in this sandbox."));
    return;
  }
  root.append(el("div", { class: "scroll" }, el("table", { id: "journal-table" },
    el("thead", {}, el("tr", {}, ["#", "time", "method", "path", "status", "latency", "operationId", ""].map((h) => el("th", {}, h)))),
    el("tbody", {}, state.requests.map((r) => el("tr", { id: "request-row-" + r.id },
      el("td", { class: "num muted" }, r.id),
      el("td", { class: "mono" }, r.time.replace("T", " ").replace(/\+00:00$/, "Z")),
      el("td", { class: "method" }, r.method),
      el("td", { class: "mono" }, r.path + (r.query ? "?" + r.query : "")),
      el("td", { class: statusClass(r.status) }, r.status, r.fault ? el("div", {}, badge("fault", "bad")) : null),
      el("td", { class: "num" }, Number(r.latencyMs).toFixed(2) + " ms"),
      el("td", { class: "mono" }, r.operationId || el("span", { class: "muted" }, "—")),
      el("td", {}, el("a", { href: "#request-" + r.id, class: "detail-link" }, "request/response"))))))));
  showRequestFromHash();
}

function pretty(body) {
  if (body === null || body === undefined) return "(no body)";
  try { return JSON.stringify(JSON.parse(body), null, 2); } catch (_) { return body; }
}

function showRequestFromHash() {
  const match = /^#request-(\d+)$/.exec(location.hash);
  const detail = $("request-detail");
  document.querySelectorAll("tr.selected").forEach((row) => row.classList.remove("selected"));
  if (!match) { detail.hidden = true; return; }
  const entry = state.requests.find((r) => String(r.id) === match[1]);
  if (!entry) { detail.hidden = true; return; }
  const row = $("request-row-" + entry.id);
  if (row) row.classList.add("selected");
  const close = el("a", { href: "#", class: "muted" }, "close");
  detail.replaceChildren(
    el("div", { class: "card-head" },
      el("h2", {}, `#${entry.id} ${entry.method} ${entry.path}`, " ", el("span", { class: statusClass(entry.status) }, entry.status)),
      close),
    el("div", { class: "vendor" },
      el("span", { class: "muted" }, "vendor"), el("span", {}, entry.vendor || "—"),
      el("span", { class: "muted" }, "operationId"), el("span", {}, entry.operationId || "—"),
      el("span", { class: "muted" }, "principal"), el("span", {}, entry.principal || "—"),
      el("span", { class: "muted" }, "query"), el("span", { class: "mono" }, entry.query || "—"),
      el("span", { class: "muted" }, "latency"), el("span", {}, Number(entry.latencyMs).toFixed(3) + " ms"),
      el("span", { class: "muted" }, "fault"), el("span", {}, entry.fault || "—")),
    el("h3", {}, "Request body"), el("pre", { id: "request-body" }, pretty(entry.requestBody)),
    el("h3", {}, "Response body"), el("pre", { id: "response-body" }, pretty(entry.responseBody)));
  detail.hidden = false;
}

async function loadJournal() {
  const params = new URLSearchParams({ sandbox: state.sandbox, limit: "50" });
  const journal = await admin("/__admin/requests?" + params.toString());
  state.requests = journal.requests || [];
  renderJournal(journal.total);
}

// ---- outbox, faults, clock -------------------------------------------------------------------

async function loadOutbox() {
  const root = $("outbox");
  const outbox = await admin(sandboxRoot() + "/__admin/outbox");
  const messages = (outbox && outbox.messages) || [];
  root.replaceChildren(messages.length
    ? el("div", { class: "scroll" }, el("table", { id: "outbox-table" },
      el("thead", {}, el("tr", {}, ["sent", "to", "subject", "body"].map((h) => el("th", {}, h)))),
      el("tbody", {}, messages.map((m) => el("tr", {},
        el("td", { class: "mono" }, m.sent_at || m.sentAt || ""),
        el("td", {}, m.to, el("div", { class: "muted" }, m.channel)),
        el("td", {}, m.subject),
        el("td", {}, copyable(m.body)))))))
    : el("div", { class: "empty" }, "Nothing sent yet: OBP auth-context OTPs and password-reset links land here."));
}

async function loadFaults() {
  const root = $("faults");
  const faults = await admin("/__admin/faults" + sandboxQuery());
  const rules = (faults && faults.rules) || [];
  root.replaceChildren(rules.length
    ? objectTable(rules.map((rule) => Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== null))))
    : el("div", { class: "empty" }, "No fault rules: every request is answered normally. Set them with PUT /__admin/faults."));
}

function renderClock(clock) {
  $("clock-now").textContent = clock.now;
  $("clock-mode").textContent = clock.mode;
  if (!$("clock-input").value) $("clock-input").value = clock.now;
}

async function loadClock() {
  renderClock(await admin("/__admin/clock" + sandboxQuery()));
}

async function changeClock(path, method, body) {
  clearError();
  renderClock(await admin(path + sandboxQuery(), { method, body }));
}

// ---- sandboxes and the whole page ------------------------------------------------------------

async function loadSandboxes() {
  state.sandboxes = await admin("/__admin/sandboxes");
  if (!state.sandboxes.some((s) => s.name === state.sandbox)) {
    state.sandboxes.push({ name: state.sandbox, users: 0, clock: "", seed: "" });
  }
  const select = $("sandbox-select");
  select.replaceChildren(...state.sandboxes.map((s) =>
    el("option", { value: s.name, selected: s.name === state.sandbox }, `${s.name} (seed ${s.seed}, ${s.users} generated)`)));
}

async function loadCredentials() {
  state.credentials = await admin("/__admin/credentials" + sandboxQuery());
  renderCredentials();
}

async function loadAll() {
  clearError();
  try {
    await loadSandboxes();
    $("token-panel").hidden = true;
    await Promise.all([loadCredentials(), loadClock(), loadPeople(false), loadJournal(), loadOutbox(), loadFaults()]);
  } catch (error) {
    showError(error);
  }
}

function wire() {
  $("version").textContent = "v" + BOOT.version;
  $("document-links").replaceChildren(...BOOT.documents.map((name) =>
    el("a", { href: `/openapi/${name}.json` }, name)));
  $("refresh").addEventListener("click", loadAll);
  $("sandbox-select").addEventListener("change", (event) => {
    state.sandbox = event.target.value;
    state.page = 0;
    state.peopleLoaded = false;
    $("clock-input").value = "";
    const url = new URL(location.href);
    if (state.sandbox === "default") url.searchParams.delete("sandbox");
    else url.searchParams.set("sandbox", state.sandbox);
    url.hash = "";
    history.replaceState(null, "", url);
    loadAll();
  });
  $("people-search").addEventListener("input", () => { state.page = 0; renderPeople(); });
  $("people-prev").addEventListener("click", () => { state.page -= 1; renderPeople(); });
  $("people-next").addEventListener("click", () => { state.page += 1; renderPeople(); });
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () =>
      changeClock("/__admin/clock/advance", "POST", { seconds: Number(button.dataset.advance) }).catch(showError));
  }
  $("clock-set").addEventListener("click", () =>
    changeClock("/__admin/clock", "PUT", { fixed: $("clock-input").value.trim() }).catch(showError));
  $("clock-system").addEventListener("click", () =>
    changeClock("/__admin/clock", "PUT", { system: true }).catch(showError));
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token-input").value);
    loadAll();
  });
  window.addEventListener("hashchange", showRequestFromHash);
}

wire();
renderCredentials();
if (BOOT.adminToken && !token()) askForToken("");
else loadAll();
