// Access governance: the account's API access policy, its access rules and client CAs, with a
// confirmation before every change that warns when the change would cut this console off; and
// the Activity page, the account's audit trail from ReadApiLogs.

import { call, signedIn } from "./api";
import { alertBox, change, confirmAction, date, el, errorText, main } from "./ui";

// ---- addresses and ranges, as the server matches them ----

/**
 * An address as a number and its width in bits. A client's IPv4-mapped IPv6 address counts as
 * its IPv4 address (`client`), as the server counts it; a range's does not.
 */
function parseIp(text: string, client = false): [bigint, number] | null {
  const v4 = (s: string): bigint | null => {
    const parts = s.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
    return parts.reduce((n, p) => (n << 8n) | BigInt(p), 0n);
  };
  const four = v4(text);
  if (four !== null) return [four, 32];
  if (!text.includes(":")) return null;
  // An IPv4 tail (`::ffff:192.0.2.1`) is written as its two groups.
  let s = text;
  const last = s.lastIndexOf(":");
  if (s.slice(last + 1).includes(".")) {
    const embedded = v4(s.slice(last + 1));
    if (embedded === null) return null;
    s = `${s.slice(0, last + 1)}${(embedded >> 16n).toString(16)}:${(embedded & 0xffffn).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string): bigint[] | null => {
    if (h === "") return [];
    const g = h.split(":");
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g.map((x) => BigInt(`0x${x}`)) : null;
  };
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (head === null || rest === null) return null;
  const given = head.length + rest.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const all = [...head, ...Array(8 - given).fill(0n), ...rest];
  const n = all.reduce((acc, g) => (acc << 16n) | g, 0n);
  return client && n >> 32n === 0xffffn ? [n & 0xffffffffn, 32] : [n, 128];
}

/** Whether `range` (an address or a CIDR block) holds `ip`. */
function rangeHolds(range: string, ip: [bigint, number]): boolean {
  const [addr, bits] = range.split("/");
  const net = parseIp(addr);
  if (net === null || net[1] !== ip[1]) return false;
  const len = bits === undefined ? net[1] : Number(bits);
  if (!Number.isInteger(len) || len < 0 || len > net[1]) return false;
  const drop = BigInt(net[1] - len);
  return net[0] >> drop === ip[0] >> drop;
}

/**
 * What a set of rules leaves this console, from `address`: admitted, admitted only with a
 * client certificate, or cut off. A rule admits when it has no ranges or one holds the
 * address, and, if it names CAs, with a certificate one of them issued.
 */
function standing(rules: any[], address: string | null): "in" | "certificate" | "out" | "unknown" {
  if (address === null) return "unknown";
  const ip = parseIp(address, true);
  if (ip === null) return "unknown";
  const reaches = rules.filter((r) => r.IpRanges.length === 0 || r.IpRanges.some((x: string) => rangeHolds(x, ip)));
  if (reaches.some((r) => r.CaIds.length === 0)) return "in";
  return reaches.length ? "certificate" : "out";
}

function warning(rules: any[], address: string | null): string {
  switch (standing(rules, address)) {
    case "in": return "";
    case "certificate": return ` Afterwards only a client certificate of the rules' CAs lets this console in from ${address}.`;
    case "out": return ` Warning: afterwards no rule admits ${address}, this console's address: it will be cut off, with every other client there.`;
    case "unknown": return " keygate could not tell this console's address: make sure the remaining rules admit it.";
  }
}

/** The address keygate saw for the call answered with `requestId`, from the audit trail. */
async function addressOf(requestId: string): Promise<string | null> {
  // A read's record is kept within a second of the call.
  for (let attempt = 0; attempt < 4; attempt++) {
    const logs = (await call("ReadApiLogs", { Filters: { RequestIds: [requestId] } })).Logs;
    if (logs.length) return logs[0].QueryIpAddress ?? null;
    await new Promise((r) => setTimeout(r, 400));
  }
  return null;
}

const list = (text: string): string[] => text.split(/[\s,]+/).filter((s) => s !== "");

// ---- the access page ----

export async function accessView(): Promise<void> {
  const [policyAnswer, rulesAnswer, casAnswer] = await Promise.all([
    call("ReadApiAccessPolicy"), call("ReadApiAccessRules"), call("ReadCas")]);
  const policy = policyAnswer.ApiAccessPolicy;
  const rules: any[] = rulesAnswer.ApiAccessRules;
  const cas: any[] = casAnswer.Cas;
  const address = await addressOf(rulesAnswer.ResponseContext.RequestId).catch(() => null);
  const out = el("div", {});
  const again = accessView;

  const max = el("input", { id: "max-expiration", type: "number", min: "0", max: "3153600000", value: String(policy.MaxAccessKeyExpirationSeconds) });
  const trusted = el("input", { id: "trusted-env", type: "checkbox" });
  trusted.checked = policy.RequireTrustedEnv;
  const policyForm = el("form", { "aria-label": "API access policy" },
    el("label", { for: "max-expiration" }, "Longest access-key lifetime, in seconds (0: no limit)"), max,
    el("label", {}, trusted, " Require a trusted environment: every request needs a client certificate"),
    el("button", { type: "submit" }, "Save policy"));
  policyForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const next = { MaxAccessKeyExpirationSeconds: Number(max.value), RequireTrustedEnv: trusted.checked };
    const cut = next.RequireTrustedEnv && !policy.RequireTrustedEnv
      ? " Warning: from then on this console, like every client, is let in only with a client certificate of the account's CAs." : "";
    if (!(await confirmAction(`Save the API access policy?${cut}`, "Save policy"))) return;
    await change(out, "API access policy saved.", () => call("UpdateApiAccessPolicy", next), again);
  });

  // One form makes a rule or, after "Edit", replaces one.
  let editing: string | null = null;
  const ranges = el("input", { id: "rule-ranges", placeholder: "203.0.113.0/24, 2001:db8::/32" });
  const caPick = el("fieldset", {}, el("legend", {}, "CAs"), ...(cas.length
    ? cas.map((c) => el("label", {}, el("input", { type: "checkbox", value: c.CaId, name: "rule-ca" }), ` ${c.Description || c.CaId}`))
    : [el("span", {}, "No CA yet.")]));
  const cns = el("input", { id: "rule-cns", placeholder: "client.example.com" });
  const description = el("input", { id: "rule-description", maxlength: "255" });
  const submit = el("button", { type: "submit" }, "Create rule");
  const ruleForm = el("form", { "aria-label": "Access rule" },
    el("label", { for: "rule-ranges" }, "IP ranges (addresses or CIDR blocks)"), ranges, caPick,
    el("label", { for: "rule-cns" }, "Certificate common names (with CAs only)"), cns,
    el("label", { for: "rule-description" }, "Rule description"), description, submit);
  const pickedCas = () => [...caPick.querySelectorAll<HTMLInputElement>("input[name=rule-ca]:checked")].map((i) => i.value);
  ruleForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const rule = { IpRanges: list(ranges.value), CaIds: pickedCas(), Cns: list(cns.value), Description: description.value.trim() };
    const after = editing === null ? [...rules, rule] : rules.map((r) => (r.ApiAccessRuleId === editing ? rule : r));
    const verb = editing === null ? "Create rule" : "Update rule";
    if (!(await confirmAction(`${verb === "Create rule" ? "Create this access rule?" : "Replace this access rule?"}${warning(after, address)}`, verb))) return;
    const id = editing;
    await change(out, id === null ? "Access rule created." : "Access rule updated.",
      () => id === null ? call("CreateApiAccessRule", rule) : call("UpdateApiAccessRule", { ...rule, ApiAccessRuleId: id }), again);
  });

  const name = (r: any) => r.Description || r.ApiAccessRuleId;
  const rows = rules.map((r) => {
    const edit = el("button", { "aria-label": `Edit rule ${name(r)}` }, "Edit");
    edit.addEventListener("click", () => {
      editing = r.ApiAccessRuleId;
      ranges.value = r.IpRanges.join(", ");
      cns.value = r.Cns.join(", ");
      description.value = r.Description;
      for (const box of caPick.querySelectorAll<HTMLInputElement>("input[name=rule-ca]")) box.checked = r.CaIds.includes(box.value);
      submit.textContent = "Update rule";
      ranges.focus();
    });
    const del = el("button", { class: "danger", "aria-label": `Delete rule ${name(r)}` }, "Delete");
    del.addEventListener("click", async () => {
      const after = rules.filter((x) => x.ApiAccessRuleId !== r.ApiAccessRuleId);
      if (!(await confirmAction(`Delete the access rule ${name(r)}?${warning(after, address)}`, "Delete rule"))) return;
      await change(out, "Access rule deleted.", () => call("DeleteApiAccessRule", { ApiAccessRuleId: r.ApiAccessRuleId }), again);
    });
    return el("tr", {},
      el("td", { "data-label": "IP ranges" }, r.IpRanges.join(", ") || "any"),
      el("td", { "data-label": "CAs" }, r.CaIds.join(", ") || "—"),
      el("td", { "data-label": "Common names" }, r.Cns.join(", ") || "—"),
      el("td", { "data-label": "Description" }, r.Description),
      el("td", {}, edit, " ", del));
  });
  const rulesTable = el("table", { id: "access-rules" }, el("caption", {}, "A request is let in when one rule admits it"),
    el("thead", {}, el("tr", {}, ...["IP ranges", "CAs", "Common names", "Description", ""].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows));

  const pem = el("textarea", { id: "ca-pem", required: "", rows: "6", spellcheck: "false" });
  const caDescription = el("input", { id: "ca-description", maxlength: "255" });
  const caForm = el("form", { "aria-label": "Add a CA" },
    el("label", { for: "ca-pem" }, "CA certificate (PEM)"), pem,
    el("label", { for: "ca-description" }, "CA description"), caDescription, el("button", { type: "submit" }, "Add CA"));
  caForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void change(out, "CA added.", () => call("CreateCa", { CaPem: pem.value, Description: caDescription.value.trim() }), again);
  });
  const caRows = cas.map((c) => {
    const del = el("button", { class: "danger", "aria-label": `Delete CA ${c.Description || c.CaId}` }, "Delete");
    del.addEventListener("click", async () => {
      if (!(await confirmAction(`Delete the CA ${c.Description || c.CaId}?`, "Delete CA"))) return;
      await change(out, "CA deleted.", () => call("DeleteCa", { CaId: c.CaId }), again);
    });
    return el("tr", {}, el("td", { "data-label": "CA ID" }, c.CaId), el("td", { "data-label": "SHA-1 fingerprint" }, el("code", {}, c.CaFingerprint)),
      el("td", { "data-label": "Description" }, c.Description), el("td", {}, del));
  });
  const casTable = cas.length
    ? el("table", {}, el("caption", {}, "Client CAs of the account"),
      el("thead", {}, el("tr", {}, ...["CA ID", "SHA-1 fingerprint", "Description", ""].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...caRows))
    : el("p", {}, "No CA yet.");
  const whereFrom = el("p", { id: "console-address" }, address === null
    ? "keygate could not tell this console's address."
    : `keygate sees this console's requests come from ${address}.`);
  if (!signedIn()) return;
  main.replaceChildren(el("h1", { tabindex: "-1" }, "Access rules"), whereFrom, out,
    el("h2", {}, "API access policy"), policyForm, el("h2", {}, "Rules"), rulesTable, ruleForm,
    el("h2", {}, "Client CAs"), casTable, caForm);
}

// ---- the activity page ----

/** The date of a `datetime-local` field as ISO 8601 UTC, or nothing when empty. */
const when = (input: HTMLInputElement): string | undefined => (input.value ? new Date(input.value).toISOString() : undefined);

export async function activityView(): Promise<void> {
  const users: any[] = (await call("ReadUsers", { ResultsPerPage: 1000 })).Users;
  const user = el("select", { id: "activity-user" }, el("option", { value: "" }, "Anyone"),
    ...users.map((u) => el("option", { value: u.UserName }, u.UserName)));
  const key = el("input", { id: "activity-key", autocomplete: "off" });
  const callName = el("input", { id: "activity-call", placeholder: "CreateAccessKey" });
  const after = el("input", { id: "activity-after", type: "datetime-local" });
  const before = el("input", { id: "activity-before", type: "datetime-local" });
  const form = el("form", { class: "inline", "aria-label": "Filter the activity" },
    el("label", { for: "activity-user" }, "User"), user, el("label", { for: "activity-key" }, "Access key"), key,
    el("label", { for: "activity-call" }, "Call"), callName, el("label", { for: "activity-after" }, "After"), after,
    el("label", { for: "activity-before" }, "Before"), before, el("button", { type: "submit" }, "Show"));
  const out = el("div", {});
  const body = el("tbody", {});
  const table = el("table", { id: "activity" }, el("caption", {}, "Calls of the account, oldest first (the last 48 hours unless dates are given)"),
    el("thead", {}, el("tr", {}, ...["When", "API", "Call", "Access key", "From", "Status", "Request ID"].map((h) => el("th", { scope: "col" }, h)))),
    body);
  const more = el("button", { type: "button", hidden: "" }, "Show more");
  let filters: Record<string, unknown> = {};
  let next: string | undefined;

  const load = async (fresh: boolean): Promise<void> => {
    try {
      const page = await call("ReadApiLogs", { Filters: filters, ResultsPerPage: 100, ...(next ? { NextPageToken: next } : {}) });
      if (fresh) body.replaceChildren();
      body.append(...page.Logs.map((l: any) => el("tr", {},
        el("td", { "data-label": "When" }, date(l.QueryDate)), el("td", { "data-label": "API" }, l.QueryApiName),
        el("td", { "data-label": "Call" }, l.QueryCallName), el("td", { "data-label": "Access key" }, el("code", {}, l.QueryAccessKey ?? "—")),
        el("td", { "data-label": "From" }, l.QueryIpAddress ?? "—"), el("td", { "data-label": "Status" }, String(l.ResponseStatusCode)),
        el("td", { "data-label": "Request ID" }, el("code", {}, l.RequestId)))));
      next = page.NextPageToken;
      more.hidden = next === undefined;
      if (fresh && !page.Logs.length) out.replaceChildren(el("p", {}, "No call matches."));
      else if (fresh) out.replaceChildren();
    } catch (e) {
      out.replaceChildren(alertBox(errorText(e)));
    }
  };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f: Record<string, unknown> = {};
    const keys = key.value.trim() ? [key.value.trim()] : [];
    // A user's calls are those signed with its access keys.
    if (user.value) {
      try {
        keys.push(...(await call("ReadAccessKeys", { UserName: user.value })).AccessKeys.map((k: any) => k.AccessKeyId));
      } catch (e) {
        out.replaceChildren(alertBox(errorText(e)));
        return;
      }
      if (!keys.length) {
        body.replaceChildren();
        more.hidden = true;
        out.replaceChildren(el("p", {}, `${user.value} has no access key: no call of its can be told.`));
        return;
      }
    }
    if (keys.length) f.QueryAccessKeys = keys;
    if (callName.value.trim()) f.QueryCallNames = [callName.value.trim()];
    if (when(after)) f.QueryDateAfter = when(after);
    if (when(before)) f.QueryDateBefore = when(before);
    filters = f;
    next = undefined;
    await load(true);
  });
  more.addEventListener("click", () => void load(false));
  await load(true);
  if (!signedIn()) return;
  main.replaceChildren(el("h1", { tabindex: "-1" }, "Activity"), form, out, table, more);
}
