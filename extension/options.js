/* forewarn options: the server and its pairing token, the avoid-list (kept in the server's
 * profile), what to fold, and forgetting every checked work. */
"use strict";

const api = globalThis.browser ?? globalThis.chrome;
const $ = (id) => document.getElementById(id);

function ask(message) {
  return new Promise((resolve) => {
    api.runtime.sendMessage(message, (reply) => {
      const failed = api.runtime.lastError;
      resolve(failed ? { ok: false, error: failed.message } : reply || { ok: false, error: "no answer" });
    });
  });
}

function status(id, text, ok) {
  const el = $(id);
  el.textContent = text;
  el.className = `status ${ok ? "ok" : "error"}`;
}

function showProfile(profile) {
  $("avoid").value = Object.entries(profile.avoid)
    .map(([category, severity]) => (severity === "implied" ? category : `${category}:${severity}`))
    .join("\n");
  const list = $("categories");
  list.replaceChildren(...profile.categories.map((c) => Object.assign(document.createElement("option"), { value: c.id, label: c.name })));
}

async function loadAvoid() {
  const reply = await ask({ type: "profile-get" });
  if (!reply.ok) return status("avoid-status", reply.error, false);
  showProfile(reply.value);
  status("avoid-status", reply.value.avoiding ? `Imported: avoiding ${reply.value.avoiding}` : "Imported: the server's avoid-list is empty", true);
}

async function init() {
  const reply = await ask({ type: "settings" });
  if (reply.ok) {
    $("server").value = reply.value.server;
    $("token").value = reply.value.token;
    for (const radio of document.querySelectorAll("input[name=fold]")) radio.checked = radio.value === reply.value.fold;
    if (reply.value.token) loadAvoid();
  }
}

$("connection").addEventListener("submit", async (event) => {
  event.preventDefault();
  const saved = await ask({ type: "save-settings", settings: { server: $("server").value, token: $("token").value } });
  if (!saved.ok) return status("connection-status", saved.error, false);
  $("server").value = saved.value.server;
  const profile = await ask({ type: "profile-get" });
  if (!profile.ok) return status("connection-status", profile.error, false);
  showProfile(profile.value);
  status("connection-status", `Connected to ${saved.value.server}`, true);
});

$("load-avoid").addEventListener("click", loadAvoid);

$("avoid-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const spec = $("avoid").value.split(/[\n,]+/).map((r) => r.trim()).filter(Boolean).join(",");
  const reply = await ask({ type: "profile-put", avoid: spec });
  if (!reply.ok) return status("avoid-status", reply.error, false);
  showProfile(reply.value);
  status("avoid-status", reply.value.avoiding ? `Saved: avoiding ${reply.value.avoiding}` : "Saved: nothing avoided", true);
});

$("fold-form").addEventListener("change", async () => {
  const fold = document.querySelector("input[name=fold]:checked").value;
  const reply = await ask({ type: "save-settings", settings: { fold } });
  status("fold-status", reply.ok ? "Saved" : reply.error, reply.ok);
});

$("forget").addEventListener("click", async () => {
  const reply = await ask({ type: "forget" });
  if (!reply.ok) return status("forget-status", reply.error, false);
  status("forget-status", `Forgot ${reply.value.forgotten} work${reply.value.forgotten === 1 ? "" : "s"} (and ${reply.value.server}).`, true);
});

init();
