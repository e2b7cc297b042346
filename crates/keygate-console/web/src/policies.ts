// Managed policies: the list (the account's and the platform's), one policy with its versions
// and what it is linked to, the policies linked to a user or a group, and on a user's page every
// policy that applies to it and where each comes from. Documents are checked by the server.

import { call, signedIn } from "./api";
import { alertBox, change, confirmAction, date, el, errorText, main, say } from "./ui";

/** The platform's policies carry this account number in their ORN. */
const PROVIDER = ":000000000000:";

const isProvided = (orn: string): boolean => orn.includes(PROVIDER);

export const policyHref = (orn: string): string => `#/policies/${encodeURIComponent(orn)}`;

async function allPolicies(): Promise<any[]> {
  const all: any[] = [];
  for (let more = true; more; ) {
    const page = await call("ReadPolicies", { FirstItem: all.length, ResultsPerPage: 1000 });
    all.push(...page.Policies);
    more = page.HasMoreItems && page.Policies.length > 0;
  }
  return all;
}

function documentField(id: string, label: string): HTMLTextAreaElement {
  return el("textarea", { id, required: "", rows: "8", spellcheck: "false", "aria-label": label });
}

export async function policiesView(): Promise<void> {
  const policies = await allPolicies();
  const out = el("div", {});
  const name = el("input", { id: "new-policy", required: "", pattern: "[\\w+=,.@\\-]{1,128}" });
  const description = el("input", { id: "new-policy-description", maxlength: "1000" });
  const doc = documentField("new-policy-document", "Policy document (JSON, checked by the server)");
  doc.value = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": ["api:Read*"], "Resource": "*"}\n  ]\n}';
  const form = el("form", { "aria-label": "Create a policy" },
    el("label", { for: "new-policy" }, "Policy name"), name,
    el("label", { for: "new-policy-description" }, "Description"), description,
    el("label", { for: "new-policy-document" }, "Policy document (JSON, checked by the server)"), doc,
    el("button", { type: "submit" }, "Create policy"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const body: Record<string, string> = { PolicyName: name.value.trim(), Document: doc.value };
    if (description.value.trim()) body.Description = description.value.trim();
    void change(out, `Policy ${body.PolicyName} created.`, () => call("CreatePolicy", body), policiesView);
  });
  const rows = policies.map((p) =>
    el("tr", {},
      el("td", { "data-label": "Name" }, el("a", { href: policyHref(p.Orn), "aria-label": `Open policy ${p.PolicyName}` }, p.PolicyName)),
      el("td", { "data-label": "Scope" }, isProvided(p.Orn) ? "platform" : "account"),
      el("td", { "data-label": "Default version" }, p.PolicyDefaultVersionId),
      el("td", { "data-label": "Linked to" }, String(p.ResourcesCount)),
      el("td", { "data-label": "Description" }, p.Description ?? "")));
  const table = el("table", {}, el("caption", {}, "Managed policies: the account's own and the platform's"),
    el("thead", {}, el("tr", {}, ...["Name", "Scope", "Default version", "Linked to", "Description"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows));
  if (!signedIn()) return;
  main.replaceChildren(el("h1", { tabindex: "-1" }, "Managed policies"), out, table, el("h2", {}, "New policy"), form);
}

export async function policyView(orn: string): Promise<void> {
  const again = () => policyView(orn);
  const ref = { PolicyOrn: orn };
  const [{ Policy: p }, versions, entities] = await Promise.all([
    call("ReadPolicy", ref), call("ReadPolicyVersions", ref), call("ReadEntitiesLinkedToPolicy", ref)]);
  const provided = isProvided(orn);
  const out = el("div", {});
  const list = el("ul", { "aria-label": "Versions" }, ...versions.PolicyVersions.map((v: any) => {
    const items: (HTMLElement | string)[] = [el("details", {}, el("summary", {}, `${v.VersionId}${v.DefaultVersion ? " (default)" : ""}, ${date(v.CreationDate)}`), el("pre", {}, v.Body))];
    if (!provided && !v.DefaultVersion) {
      const setDefault = el("button", { "aria-label": `Set ${v.VersionId} as default` }, "Set as default");
      setDefault.addEventListener("click", () =>
        void change(out, `${v.VersionId} is now the default.`, () => call("SetDefaultPolicyVersion", { ...ref, VersionId: v.VersionId }), again));
      const del = el("button", { class: "danger", "aria-label": `Delete version ${v.VersionId}` }, "Delete");
      del.addEventListener("click", async () => {
        if (!(await confirmAction(`Delete version ${v.VersionId} of ${p.PolicyName}?`, "Delete version"))) return;
        await change(out, `${v.VersionId} deleted.`, () => call("DeletePolicyVersion", { ...ref, VersionId: v.VersionId }), again);
      });
      items.push(setDefault, del);
    }
    return el("li", {}, ...items);
  }));
  const linked = entities.PolicyEntities;
  const unlinkButton = (kind: "user" | "group", name: string): HTMLElement => {
    const b = el("button", { class: "danger", "aria-label": `Unlink ${name}` }, "Unlink");
    b.addEventListener("click", () => void change(out, `Unlinked from ${name}.`, () => kind === "user"
      ? call("UnlinkPolicy", { ...ref, UserName: name })
      : call("UnlinkManagedPolicyFromUserGroup", { ...ref, UserGroupName: name }), again));
    return b;
  };
  const links = el("ul", { "aria-label": "Linked to" },
    ...(linked.Groups ?? []).map((g: any) => el("li", {}, "group ", el("a", { href: `#/groups/${encodeURIComponent(g.Name)}` }, g.Name), " ", unlinkButton("group", g.Name))),
    ...(linked.Users ?? []).map((u: any) => el("li", {}, "user ", el("a", { href: `#/users/${encodeURIComponent(u.Name)}` }, u.Name), " ", unlinkButton("user", u.Name))));
  const kind = el("select", { id: "link-kind" }, el("option", { value: "user" }, "User"), el("option", { value: "group" }, "Group"));
  const target = el("input", { id: "link-target", required: "" });
  const link = el("form", { class: "inline", "aria-label": "Link the policy" },
    el("label", { for: "link-kind" }, "Link to"), kind, el("label", { for: "link-target" }, "Name"), target,
    el("button", { type: "submit" }, "Link policy"));
  link.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const n = target.value.trim();
    void change(out, `Linked to ${n}.`, () => kind.value === "user"
      ? call("LinkPolicy", { ...ref, UserName: n })
      : call("LinkManagedPolicyToUserGroup", { ...ref, UserGroupName: n }), again);
  });
  const sections: (HTMLElement | string)[] = [
    el("h1", { tabindex: "-1" }, `Policy ${p.PolicyName}`), el("p", {}, el("a", { href: "#/policies" }, "← All policies")),
    el("p", {}, p.Description ?? "", provided ? " Provided by the platform: read-only." : ""),
    el("p", { class: "orn" }, el("code", {}, p.Orn)), out,
    el("h2", {}, "Versions"), list];
  if (!provided) {
    const doc = documentField("new-version-document", "New version (JSON, checked by the server)");
    const makeDefault = el("input", { id: "new-version-default", type: "checkbox", checked: "" });
    const add = el("form", { "aria-label": "Create a version" },
      el("label", { for: "new-version-document" }, "New version (JSON, checked by the server)"), doc,
      el("label", {}, makeDefault, " Set as default"), el("button", { type: "submit" }, "Create version"));
    add.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void change(out, "Version created.", () => call("CreatePolicyVersion", { ...ref, Document: doc.value, SetAsDefault: makeDefault.checked }), again);
    });
    sections.push(add);
  }
  sections.push(el("h2", {}, "Linked to"), links.children.length ? links : el("p", {}, "Linked to nothing."), link);
  if (!provided) {
    const remove = el("button", { class: "danger" }, "Delete policy");
    remove.addEventListener("click", async () => {
      if (!(await confirmAction(`Delete the policy ${p.PolicyName}? Unlink it and delete its other versions first.`, "Delete policy"))) return;
      try {
        await call("DeletePolicy", ref);
        say(`Policy ${p.PolicyName} deleted.`);
        location.hash = "#/policies";
      } catch (e) {
        out.replaceChildren(alertBox(errorText(e)));
      }
    });
    sections.push(el("h2", {}, "Danger zone"), remove);
  }
  if (!signedIn()) return;
  main.replaceChildren(...sections);
}

/** The managed policies linked to a user or a group, with unlink buttons and a form to link one. */
export async function linkedPolicies(to: { UserName: string } | { UserGroupName: string }, out: HTMLElement, again: () => Promise<void>): Promise<HTMLElement> {
  const user = "UserName" in to;
  const [linked, all] = await Promise.all([
    call(user ? "ReadLinkedPolicies" : "ReadManagedPoliciesLinkedToUserGroup", to), allPolicies()]);
  const [linkCall, unlinkCall] = user
    ? ["LinkPolicy", "UnlinkPolicy"] : ["LinkManagedPolicyToUserGroup", "UnlinkManagedPolicyFromUserGroup"];
  const list = linked.Policies.length
    ? el("ul", { "aria-label": "Managed policies" }, ...linked.Policies.map((p: any) => {
      const b = el("button", { class: "danger", "aria-label": `Unlink policy ${p.PolicyName}` }, "Unlink");
      b.addEventListener("click", () => void change(out, `Policy ${p.PolicyName} unlinked.`, () => call(unlinkCall, { ...to, PolicyOrn: p.Orn }), again));
      return el("li", {}, el("a", { href: policyHref(p.Orn) }, p.PolicyName), " ", b);
    }))
    : el("p", {}, "No managed policy linked.");
  const pick = el("select", { id: "link-policy" }, ...all.map((p) => el("option", { value: p.Orn }, p.PolicyName)));
  const form = el("form", { class: "inline", "aria-label": "Link a managed policy" },
    el("label", { for: "link-policy" }, "Managed policy"), pick, el("button", { type: "submit" }, "Link"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const chosen = pick.selectedOptions[0]?.textContent ?? "";
    void change(out, `Policy ${chosen} linked.`, () => call(linkCall, { ...to, PolicyOrn: pick.value }), again);
  });
  return el("section", { "aria-labelledby": "managed-title" }, el("h2", { id: "managed-title" }, "Managed policies"), list, form);
}

/** Every policy that applies to a user, and where each comes from: its own, or a group's. */
export async function permissions(user: string, groups: any[]): Promise<HTMLElement> {
  const u = { UserName: user };
  const [own, linked] = await Promise.all([call("ReadUserPolicies", u), call("ReadLinkedPolicies", u)]);
  const rows: [string, string, Node | string][] = [
    ...own.PolicyNames.map((n: string): [string, string, string] => [n, "inline", "its own"]),
    ...linked.Policies.map((p: any): [string, string, string] => [p.PolicyName, "managed", `linked to ${user}`]),
  ];
  for (const g of groups) {
    const ug = { UserGroupName: g.Name };
    const [inline, managed] = await Promise.all([call("ReadUserGroupPolicies", ug), call("ReadManagedPoliciesLinkedToUserGroup", ug)]);
    const through = () => el("span", {}, "group ", el("a", { href: `#/groups/${encodeURIComponent(g.Name)}` }, g.Name));
    rows.push(...inline.Policies.map((p: any): [string, string, Node] => [p.Name, "inline", through()]));
    rows.push(...managed.Policies.map((p: any): [string, string, Node] => [p.PolicyName, "managed", through()]));
  }
  const table = rows.length
    ? el("table", { id: "permissions" }, el("caption", {}, `Policies that apply to ${user}`),
      el("thead", {}, el("tr", {}, ...["Policy", "Kind", "Comes from"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows.map(([n, k, from]) => el("tr", {},
        el("td", { "data-label": "Policy" }, n), el("td", { "data-label": "Kind" }, k), el("td", { "data-label": "Comes from" }, from)))))
    : el("p", { id: "permissions" }, "No policy applies: every call but reading its own identity is denied.");
  return el("section", { "aria-labelledby": "permissions-title" }, el("h2", { id: "permissions-title" }, "Permissions and where they come from"), table);
}
