/* forewarn's service worker: the only part of the extension that talks to a server, and only
 * to the reader's own forewarn server on this machine (host_permissions allow nothing else).
 *
 * Messages (from the content script on AO3 pages and from the options page):
 *   {type: "check", work, spoilers?}  -> POST /v1/extension/check (the answer is also kept, as a
 *                                        spoiler-free summary keyed by work id and text hash,
 *                                        for the listing badges)
 *   {type: "settings"} / {type: "save-settings", settings}
 *   {type: "profile-get"} / {type: "profile-put", avoid}   -> the server's avoid-list
 *   {type: "forget"}                   -> drop every cached work here and on the server
 *   {type: "open-options"}
 */
"use strict";

const api = globalThis.browser ?? globalThis.chrome;
const DEFAULTS = { server: "http://127.0.0.1:8000", token: "", fold: "paragraphs" };
const LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"];
const FOLDS = ["paragraphs", "chapters", "none"];

async function settings() {
  const { settings: saved = {} } = await api.storage.local.get("settings");
  return { ...DEFAULTS, ...saved };
}

/** The server's address, refused unless it is plain http on this machine. */
function serverBase(address) {
  let url;
  try {
    url = new URL(address);
  } catch {
    throw new Error(`not a server address: ${address}`);
  }
  if (url.protocol !== "http:" || !LOCAL_HOSTS.includes(url.hostname)) {
    throw new Error("the server address must be on this machine, e.g. http://127.0.0.1:8000");
  }
  return url.origin;
}

async function saveSettings(changes) {
  const next = { ...(await settings()), ...changes };
  next.server = serverBase(String(next.server).trim());
  next.token = String(next.token || "").trim();
  if (next.token && !/^[A-Za-z0-9_-]{16,}$/.test(next.token)) {
    throw new Error("that is not a pairing token (run: forewarn serve --pair)");
  }
  if (!FOLDS.includes(next.fold)) next.fold = DEFAULTS.fold;
  await api.storage.local.set({ settings: next });
  return next;
}

async function call(path, { method = "GET", body, params } = {}) {
  const s = await settings();
  if (!s.token) throw new Error("not paired yet: paste the pairing token (forewarn serve --pair) in the options");
  const url = new URL(path, serverBase(s.server));
  for (const [key, value] of Object.entries(params || {})) url.searchParams.set(key, value);
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        Authorization: `Bearer ${s.token}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
  } catch {
    throw new Error(`no forewarn server answers at ${s.server} (start it with: forewarn serve)`);
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const why = data && data.detail ? data.detail : `the server answered ${response.status}`;
    throw new Error(response.status === 401 || response.status === 403 ? `${why} \u2014 pair again in the options` : why);
  }
  return data;
}

async function check(work, spoilers) {
  const answer = await call("/v1/extension/check", {
    method: "POST",
    body: work,
    params: spoilers ? { spoilers: "true" } : {},
  });
  if (work.id) {
    await api.storage.local.set({
      [`work:${work.id}`]: {
        hash: answer.text_hash,
        title: work.title,
        checked: answer.checked,
        safe: answer.safe,
        summary: answer.summary,
        avoid: answer.avoid,
        at: Date.now(),
      },
    });
  }
  return answer;
}

async function forget() {
  const everything = await api.storage.local.get(null);
  const works = Object.keys(everything).filter((key) => key.startsWith("work:"));
  await api.storage.local.remove(works);
  let server = "the server's cache too";
  try {
    await call("/v1/extension/cache", { method: "DELETE" });
  } catch (error) {
    server = `not the server's (${error.message})`;
  }
  return { forgotten: works.length, server };
}

async function handle(message) {
  switch (message && message.type) {
    case "check":
      return check(message.work, Boolean(message.spoilers));
    case "settings":
      return settings();
    case "save-settings":
      return saveSettings(message.settings || {});
    case "profile-get":
      return call("/v1/extension/profile");
    case "profile-put":
      return call("/v1/extension/profile", { method: "PUT", body: { avoid: message.avoid } });
    case "forget":
      return forget();
    case "open-options":
      return api.runtime.openOptionsPage();
    default:
      throw new Error("unknown message");
  }
}

api.runtime.onMessage.addListener((message, sender, reply) => {
  if (sender.id !== api.runtime.id) return false; // only this extension's own pages and scripts
  handle(message).then(
    (value) => reply({ ok: true, value }),
    (error) => reply({ ok: false, error: String((error && error.message) || error) }),
  );
  return true; // the reply comes later
});
