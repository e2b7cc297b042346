// keygate console: sign-in, EIM users, a user's access keys and policies, groups, managed
// policies (`policies`), the account's own keys, access rules and activity (`governance`). Every view is rebuilt from API answers after
// each action, so what it shows is what the server holds.

import { ApiError, call, forget, lastUsed, sessionKeyId, signedIn, signedInUser, signInAsUser, signInWithKey, signInWithPassword } from "./api";
import { alertBox, change, confirmAction, date, el, errorText, main, nav, say, status } from "./ui";
import { linkedPolicies, permissions, policiesView, policyView } from "./policies";
import { accessView, activityView } from "./governance";

// ---- sign-in ----

function signInView(message?: string): void {
  nav.hidden = true;
  const mode = el("fieldset", {},
    el("legend", {}, "Sign in with"),
    el("label", {}, el("input", { type: "radio", name: "mode", value: "password", checked: "" }), " Login and password"),
    el("label", {}, el("input", { type: "radio", name: "mode", value: "user" }), " EIM user"),
    el("label", {}, el("input", { type: "radio", name: "mode", value: "key" }), " Access key"));
  const pw = el("div", { class: "fields" },
    el("label", { for: "login" }, "E-mail"), el("input", { id: "login", type: "email", autocomplete: "username" }),
    el("label", { for: "password" }, "Password"), el("input", { id: "password", type: "password", autocomplete: "current-password" }));
  // An EIM user: its account, name and password; the MFA code and a new password are asked
  // for when the server says the user needs them.
  const mfa = el("div", { class: "fields", hidden: "" },
    el("label", { for: "mfa-code" }, "MFA code"),
    el("input", { id: "mfa-code", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}" }));
  const renew = el("div", { class: "fields", hidden: "" },
    el("label", { for: "new-password" }, "New password"),
    el("input", { id: "new-password", type: "password", autocomplete: "new-password" }));
  const user = el("div", { class: "fields", hidden: "" },
    el("label", { for: "account-id" }, "Account ID"), el("input", { id: "account-id", inputmode: "numeric", autocomplete: "organization" }),
    el("label", { for: "user-name" }, "EIM user name"), el("input", { id: "user-name", autocomplete: "username" }),
    el("label", { for: "user-password" }, "EIM user password"), el("input", { id: "user-password", type: "password", autocomplete: "current-password" }),
    mfa, renew);
  const key = el("div", { class: "fields", hidden: "" },
    el("label", { for: "key-id" }, "Access key ID"), el("input", { id: "key-id", autocomplete: "off" }),
    el("label", { for: "key-secret" }, "Secret key"), el("input", { id: "key-secret", type: "password", autocomplete: "off" }));
  const out = el("div", {});
  if (message) out.append(alertBox(message));
  const form = el("form", { "aria-labelledby": "signin-title" }, el("h1", { id: "signin-title" }, "Sign in to keygate"), mode, pw, user, key,
    el("button", { type: "submit" }, "Sign in"), out);
  const chosen = () => (form.querySelector("input[name=mode]:checked") as HTMLInputElement).value;
  mode.addEventListener("change", () => {
    pw.hidden = chosen() !== "password";
    user.hidden = chosen() !== "user";
    key.hidden = chosen() !== "key";
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    const v = (id: string) => (document.getElementById(id) as HTMLInputElement).value.trim();
    const secret = (id: string) => (document.getElementById(id) as HTMLInputElement).value;
    try {
      if (chosen() === "key") await signInWithKey(v("key-id"), v("key-secret"));
      else if (chosen() === "user") {
        await signInAsUser(v("account-id"), v("user-name"), secret("user-password"),
          { mfaCode: mfa.hidden ? undefined : v("mfa-code"), newPassword: renew.hidden ? undefined : secret("new-password") });
      } else await signInWithPassword(v("login"), secret("password"));
      form.reset();
      location.hash = signedInUser() === null ? "#/users" : "#/account-keys";
      route();
    } catch (e) {
      // The server names the field a user's sign-in still needs: ask for it.
      const asked = e instanceof ApiError && e.code === "4045" && chosen() === "user"
        ? (e.details.startsWith("MfaCode") ? mfa : e.details.startsWith("NewPassword") ? renew : null) : null;
      if (asked) {
        asked.hidden = false;
        out.append(alertBox(asked === mfa ? "Enter the current code of your MFA device." : "Choose a new password: yours must be changed."));
        (asked.querySelector("input") as HTMLInputElement).focus();
        return;
      }
      out.append(alertBox(errorText(e)));
      if (e instanceof ApiError && e.code === "10005" && !pw.hidden) {
        const offer = el("button", { type: "button" }, "Sign in with an access key");
        offer.addEventListener("click", () => {
          (form.querySelector("input[name=mode][value=key]") as HTMLInputElement).checked = true;
          pw.hidden = true;
          key.hidden = false;
          out.replaceChildren();
          (document.getElementById("key-id") as HTMLInputElement).focus();
        });
        out.append(offer);
      }
    }
  });
  main.replaceChildren(form);
  (document.getElementById("login") as HTMLInputElement).focus();
}

// ---- users ----

async function usersView(): Promise<void> {
  const users: any[] = [];
  for (let more = true; more; ) {
    const page = await call("ReadUsers", { FirstItem: users.length, ResultsPerPage: 1000 });
    users.push(...page.Users);
    more = page.HasMoreItems && page.Users.length > 0;
  }
  const counts = await Promise.all(users.map((u) => call("ReadAccessKeys", { UserName: u.UserName }).then((r) => r.AccessKeys.length)));
  const out = el("div", {});
  const name = el("input", { id: "new-user", required: "", pattern: "[\\w+=,.@\\-]{1,64}" });
  const path = el("input", { id: "new-path", placeholder: "/" });
  const form = el("form", { class: "inline", "aria-label": "Create a user" },
    el("label", { for: "new-user" }, "User name"), name, el("label", { for: "new-path" }, "Path"), path,
    el("button", { type: "submit" }, "Create user"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const body: Record<string, string> = { UserName: name.value.trim() };
      if (path.value.trim()) body.Path = path.value.trim();
      await call("CreateUser", body);
      say(`User ${body.UserName} created.`);
      await usersView();
    } catch (e) {
      out.replaceChildren(alertBox(errorText(e)));
    }
  });
  const rows = users.map((u, i) =>
    el("tr", {},
      el("td", { "data-label": "Name" }, el("a", { href: `#/users/${encodeURIComponent(u.UserName)}` }, u.UserName)),
      el("td", { "data-label": "User ID" }, el("a", { href: `#/users/${encodeURIComponent(u.UserName)}`, "aria-label": `Open user ${u.UserName}` }, u.UserId)),
      el("td", { "data-label": "Path" }, u.Path), el("td", { "data-label": "Created" }, date(u.CreationDate)),
      el("td", { "data-label": "Keys" }, String(counts[i])),
      el("td", {}, deleteUserButton(u.UserName, out))));
  const table = users.length
    ? el("table", {}, el("caption", {}, "EIM users of this account"),
      el("thead", {}, el("tr", {}, ...["Name", "User ID", "Path", "Created", "Keys", ""].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows))
    : el("p", {}, "No EIM user yet.");
  if (!signedIn()) return;
  main.replaceChildren(el("h1", { tabindex: "-1" }, "EIM users"), form, out, table);
}

function deleteUserButton(user: string, out: HTMLElement): HTMLElement {
  const b = el("button", { class: "danger", "aria-label": `Delete user ${user}` }, "Delete");
  b.addEventListener("click", async () => {
    if (!(await confirmAction(`Delete the user ${user}?`, "Delete user"))) return;
    try {
      await call("DeleteUser", { UserName: user });
      say(`User ${user} deleted.`);
      await usersView();
    } catch (e) {
      out.replaceChildren(alertBox(errorText(e)));
    }
  });
  return b;
}

// ---- user groups ----

async function groupsView(): Promise<void> {
  const groups: any[] = [];
  for (let more = true; more; ) {
    const page = await call("ReadUserGroups", { FirstItem: groups.length, ResultsPerPage: 1000 });
    groups.push(...page.UserGroups);
    more = page.HasMoreItems && page.UserGroups.length > 0;
  }
  const out = el("div", {});
  const name = el("input", { id: "new-group", required: "", pattern: "[\\w+=,.@\\-]{1,128}" });
  const form = el("form", { class: "inline", "aria-label": "Create a group" },
    el("label", { for: "new-group" }, "Group name"), name, el("button", { type: "submit" }, "Create group"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const g = name.value.trim();
    void change(out, `Group ${g} created.`, () => call("CreateUserGroup", { UserGroupName: g }), groupsView);
  });
  const rows = groups.map((g) =>
    el("tr", {},
      el("td", { "data-label": "Name" }, el("a", { href: `#/groups/${encodeURIComponent(g.Name)}`, "aria-label": `Open group ${g.Name}` }, g.Name)),
      el("td", { "data-label": "Group ID" }, g.UserGroupId), el("td", { "data-label": "Path" }, g.Path),
      el("td", { "data-label": "Created" }, date(g.CreationDate))));
  const table = groups.length
    ? el("table", {}, el("caption", {}, "User groups of this account"),
      el("thead", {}, el("tr", {}, ...["Name", "Group ID", "Path", "Created"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows))
    : el("p", {}, "No group yet.");
  if (!signedIn()) return;
  main.replaceChildren(el("h1", { tabindex: "-1" }, "User groups"), form, out, table);
}

async function groupView(group: string): Promise<void> {
  const again = () => groupView(group);
  const g = { UserGroupName: group };
  const [detail, policies] = await Promise.all([call("ReadUserGroup", g), call("ReadUserGroupPolicies", g)]);
  const out = el("div", {});
  const member = el("input", { id: "add-member", required: "" });
  const add = el("form", { class: "inline", "aria-label": "Add a member" },
    el("label", { for: "add-member" }, "User name"), member, el("button", { type: "submit" }, "Add to group"));
  add.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const u = member.value.trim();
    void change(out, `${u} added to ${group}.`, () => call("AddUserToUserGroup", { ...g, UserName: u }), again);
  });
  const members = detail.Users.length
    ? el("ul", { "aria-label": "Members" }, ...detail.Users.map((u: any) => {
      const remove = el("button", { class: "danger", "aria-label": `Remove ${u.UserName} from ${group}` }, "Remove");
      remove.addEventListener("click", () =>
        void change(out, `${u.UserName} removed from ${group}.`, () => call("RemoveUserFromUserGroup", { ...g, UserName: u.UserName }), again));
      return el("li", {}, el("a", { href: `#/users/${encodeURIComponent(u.UserName)}` }, u.UserName), " ", remove);
    }))
    : el("p", {}, "No member.");
  const pname = el("input", { id: "policy-name", required: "" });
  const pdoc = el("textarea", { id: "policy-document", required: "", rows: "6", spellcheck: "false" });
  const put = el("form", { "aria-label": "Put an inline policy" },
    el("label", { for: "policy-name" }, "Policy name"), pname,
    el("label", { for: "policy-document" }, "Policy document (JSON, checked by the server)"), pdoc,
    el("button", { type: "submit" }, "Save policy"));
  put.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const n = pname.value.trim();
    void change(out, `Policy ${n} saved.`, () => call("PutUserGroupPolicy", { ...g, PolicyName: n, PolicyDocument: pdoc.value }), again);
  });
  const list = policies.Policies.length
    ? el("ul", { "aria-label": "Inline policies" }, ...policies.Policies.map((p: any) => {
      const del = el("button", { class: "danger", "aria-label": `Delete policy ${p.Name}` }, "Delete");
      del.addEventListener("click", async () => {
        if (!(await confirmAction(`Delete the policy ${p.Name} of ${group}?`, "Delete policy"))) return;
        await change(out, `Policy ${p.Name} deleted.`, () => call("DeleteUserGroupPolicy", { ...g, PolicyName: p.Name }), again);
      });
      return el("li", {}, el("details", {}, el("summary", {}, p.Name), el("pre", {}, p.Body)), del);
    }))
    : el("p", {}, "No inline policy.");
  const remove = el("button", { class: "danger" }, "Delete group");
  remove.addEventListener("click", async () => {
    if (!(await confirmAction(`Delete the group ${group}, its memberships and its policies?`, "Delete group"))) return;
    try {
      await call("DeleteUserGroup", { ...g, Force: true });
      say(`Group ${group} deleted.`);
      location.hash = "#/groups";
    } catch (e) {
      out.replaceChildren(alertBox(errorText(e)));
    }
  });
  const managed = await linkedPolicies(g, out, again);
  if (!signedIn()) return;
  main.replaceChildren(el("h1", { tabindex: "-1" }, `Group ${group}`), el("p", {}, el("a", { href: "#/groups" }, "← All groups")),
    out, el("h2", {}, "Members"), add, members, el("h2", {}, "Inline policies"), list, put, managed, el("h2", {}, "Danger zone"), remove);
}

// ---- access keys (a user's, or the account's own) ----

async function keysView(user: string | null): Promise<void> {
  const who = user === null ? {} : { UserName: user };
  const keys: any[] = (await call("ReadAccessKeys", who)).AccessKeys;
  const used = await Promise.all(keys.map((k) => lastUsed(k.AccessKeyId).catch(() => null)));
  const out = el("div", { id: "key-messages" });
  const create = el("button", {}, "Create access key");
  create.addEventListener("click", async () => {
    try {
      const k = (await call("CreateAccessKey", who)).AccessKey;
      await keysView(user);
      showSecret(k.AccessKeyId, k.SecretKey);
    } catch (e) {
      out.replaceChildren(alertBox(errorText(e)));
    }
  });
  const rows = keys.map((k, i) => {
    const mine = k.AccessKeyId === sessionKeyId();
    return el("tr", { "data-key": k.AccessKeyId },
      el("td", { "data-label": "Access key ID" }, el("code", {}, k.AccessKeyId), mine ? " (this session)" : ""),
      el("td", { "data-label": "State" }, k.State), el("td", { "data-label": "Created" }, date(k.CreationDate)),
      el("td", { "data-label": "Last used" }, used[i] ? date(used[i] ?? undefined) : "—"),
      el("td", { "data-label": "Expires" }, date(k.ExpirationDate)),
      el("td", {}, mine ? "in use by this console" : keyMenu(user, k, out)));
  });
  const title = user === null ? "Account access keys" : `User ${user}`;
  const table = keys.length
    ? el("table", {}, el("caption", {}, user === null ? "Access keys of the account's root" : `Access keys of ${user}`),
      el("thead", {}, el("tr", {}, ...["Access key ID", "State", "Created", "Last used", "Expires", ""].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows))
    : el("p", {}, "No access key.");
  const back = user === null ? null : el("p", {}, el("a", { href: "#/users" }, "← All users"));
  // Where a user's permissions come from besides its own policies.
  const groups = user === null ? null : (await call("ReadUserGroupsPerUser", { UserName: user })).UserGroups;
  const memberOf = groups === null ? "" : el("p", { id: "member-of" }, "Groups: ", ...(groups.length
    ? groups.flatMap((g: any, i: number) => [i ? ", " : "", el("a", { href: `#/groups/${encodeURIComponent(g.Name)}` }, g.Name)])
    : ["none"]));
  const policies = user === null || groups === null ? []
    : [await linkedPolicies({ UserName: user }, out, () => keysView(user)), await permissions(user, groups)];
  if (!signedIn()) return;
  main.replaceChildren(el("h1", { tabindex: "-1" }, title), back ?? "", memberOf, create, el("div", { id: "secret" }), out, table, ...policies);

  function showSecret(id: string, secret: string): void {
    const box = document.getElementById("secret") as HTMLElement;
    const copy = el("button", {}, "Copy secret");
    const code = el("code", { id: "new-secret" }, secret);
    copy.addEventListener("click", async () => {
      await navigator.clipboard.writeText(secret).then(() => say("Secret copied."), () => say("Select the secret and copy it."));
    });
    box.replaceChildren(el("section", { class: "secret", "aria-labelledby": "secret-title" },
      el("h2", { id: "secret-title" }, `Secret key of ${id}`),
      el("p", { role: "alert" }, "Copy it now: it will not be shown again."), code, copy));
  }
}

function keyMenu(user: string | null, k: any, out: HTMLElement): HTMLElement {
  const id: string = k.AccessKeyId;
  const who = user === null ? {} : { UserName: user };
  const menuId = `actions-${id}`;
  const toggle = el("button", { "aria-expanded": "false", "aria-controls": menuId, "aria-label": `Actions for ${id}` }, "Actions");
  const active = k.State === "ACTIVE";
  const flip = el("button", { "aria-label": `${active ? "Deactivate" : "Activate"} ${id}` }, active ? "Deactivate" : "Activate");
  const del = el("button", { class: "danger", "aria-label": `Delete ${id}` }, "Delete");
  const menu = el("div", { id: menuId, class: "actions-list", hidden: "" }, flip, del);
  const refresh = () => keysView(user);
  const setState = async (state: string) => {
    await call("UpdateAccessKey", { ...who, AccessKeyId: id, State: state });
    say(`Key ${id} is now ${state}.`);
  };
  toggle.addEventListener("click", () => {
    menu.hidden = !menu.hidden;
    toggle.setAttribute("aria-expanded", String(!menu.hidden));
    if (!menu.hidden) flip.focus();
  });
  menu.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      menu.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
  flip.addEventListener("click", async () => {
    try {
      await setState(active ? "INACTIVE" : "ACTIVE");
      await refresh();
    } catch (e) {
      out.replaceChildren(alertBox(errorText(e)));
    }
  });
  del.addEventListener("click", async () => {
    if (!(await confirmAction(`Delete the access key ${id}? This cannot be undone.`, "Delete key"))) return;
    try {
      await call("DeleteAccessKey", { ...who, AccessKeyId: id });
      say(`Key ${id} deleted.`);
      await refresh();
    } catch (e) {
      const offer = e instanceof ApiError && e.code === "6003" ? el("button", {}, `Deactivate ${id} first`) : null;
      offer?.addEventListener("click", async () => {
        try {
          await setState("INACTIVE");
          await refresh();
        } catch (e2) {
          out.replaceChildren(alertBox(errorText(e2)));
        }
      });
      out.replaceChildren(alertBox(errorText(e)), offer ?? "");
      offer?.focus();
    }
  });
  return el("div", { class: "menu" }, toggle, menu);
}

// ---- routing ----

async function route(): Promise<void> {
  if (!signedIn()) {
    signInView();
    return;
  }
  nav.hidden = false;
  // An EIM user's own keys stand where the account's are.
  const own = document.querySelector('a[href="#/account-keys"]');
  if (own) own.textContent = signedInUser() === null ? "Account keys" : "My keys";
  const hash = location.hash || (signedInUser() === null ? "#/users" : "#/account-keys");
  main.setAttribute("aria-busy", "true");
  try {
    const m = hash.match(/^#\/users\/(.+)$/);
    const gm = hash.match(/^#\/groups\/(.+)$/);
    const pm = hash.match(/^#\/policies\/(.+)$/);
    if (m) await keysView(decodeURIComponent(m[1]));
    else if (gm) await groupView(decodeURIComponent(gm[1]));
    else if (pm) await policyView(decodeURIComponent(pm[1]));
    else if (hash === "#/groups") await groupsView();
    else if (hash === "#/policies") await policiesView();
    else if (hash === "#/account-keys") await keysView(signedInUser());
    else if (hash === "#/access") await accessView();
    else if (hash === "#/activity") await activityView();
    else await usersView();
  } catch (e) {
    main.replaceChildren(alertBox(errorText(e)));
  } finally {
    main.removeAttribute("aria-busy");
    (main.querySelector("h1") as HTMLElement | null)?.focus();
  }
}

document.getElementById("sign-out")?.addEventListener("click", () => {
  const leaving = forget();
  status.textContent = "";
  location.hash = "";
  signInView("You are signed out.");
  void leaving;
});
window.addEventListener("hashchange", () => void route());
void route();
