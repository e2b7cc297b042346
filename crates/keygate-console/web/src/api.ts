// The console's only way to the server: calls of the public OSC API (and, for a key's last use,
// the public IAM endpoint), authenticated the way the API allows. Secrets live in this module's
// memory only and are dropped by `forget`.

import { amzDate, basic, sign } from "./sign";

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    public type: string,
    public details: string,
  ) {
    super(details || type || `HTTP ${status}`);
  }
}

interface KeyCreds {
  id: string;
  secret: string;
}

/** Calls the spec lets a login and password make. */
const PASSWORD_CALLS = new Set(["CreateAccessKey", "DeleteAccessKey", "ReadAccessKeys", "UpdateAccessKey"]);
const SESSION_TAG = "keygate-console-session";

interface Session {
  key: KeyCreds | null;
  login: string | null;
  password: string | null;
  /** A key created for this sign-in, deleted at sign-out. */
  sessionKey: string | null;
  /** An EIM user's sign-in: its session token and its name. */
  token?: string;
  user?: string;
}

let session: Session | null = null;

export function signedIn(): boolean {
  return session !== null;
}

export function sessionKeyId(): string | null {
  return session?.sessionKey ?? null;
}

/** The EIM user signed in, or null for the account's own sign-in. */
export function signedInUser(): string | null {
  return session?.user ?? null;
}

async function send(name: string, body: object, s: Session, usePassword: boolean): Promise<any> {
  const text = JSON.stringify(body);
  const path = `/api/v1/${name}`;
  let headers: Record<string, string>;
  if (usePassword && s.login !== null && s.password !== null) {
    headers = { "Content-Type": "application/json", "X-Osc-Date": amzDate(), Authorization: basic(s.login, s.password) };
  } else if (s.key) {
    headers = (await sign("OSC4", s.key.id, s.key.secret, path, "application/json", text, "api", s.token ?? null)).headers;
  } else {
    throw new ApiError(401, "1", "AccessDenied", "This call needs an access key.");
  }
  const res = await fetch(path, { method: "POST", headers, body: text, credentials: "omit" });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = json?.Errors?.[0] ?? {};
    throw new ApiError(res.status, String(e.Code ?? ""), String(e.Type ?? ""), String(e.Details ?? ""));
  }
  return json;
}

/** One OSC API call, with the password where the spec accepts it, else signed. */
export async function call(name: string, body: object = {}): Promise<any> {
  if (!session) throw new ApiError(401, "1", "AccessDenied", "You are signed out.");
  const s = session;
  return send(name, body, s, PASSWORD_CALLS.has(name) && s.login !== null);
}

export async function signInWithKey(id: string, secret: string): Promise<void> {
  const s: Session = { key: { id, secret }, login: null, password: null, sessionKey: null };
  await send("ReadAccessKeys", {}, s, false);
  session = s;
}

/**
 * Signs in with the account's login: the password opens the key calls; the calls that need a
 * signature use a key created for this session, with an expiry, and deleted at sign-out. The
 * keys of earlier console sessions (their secrets are lost with their page) are deleted first,
 * so that a closed tab never holds a key slot.
 */
export async function signInWithPassword(login: string, password: string): Promise<void> {
  const s: Session = { key: null, login, password, sessionKey: null };
  const stale: any[] = (await send("ReadAccessKeys", { Tag: SESSION_TAG }, s, true)).AccessKeys;
  for (const k of stale) await send("DeleteAccessKey", { AccessKeyId: k.AccessKeyId }, s, true);
  // Eight hours, or less when the account's API access policy wants keys to expire sooner.
  const max = (await send("ReadApiAccessPolicy", {}, s, true)).ApiAccessPolicy.MaxAccessKeyExpirationSeconds;
  const lifetime = max > 0 ? Math.min(8 * 3600, max - Math.min(60, Math.floor(max / 2))) : 8 * 3600;
  const expires = new Date(Date.now() + lifetime * 1000).toISOString();
  const created = await send("CreateAccessKey", { ExpirationDate: expires, Tag: SESSION_TAG }, s, true).catch((e) => {
    if (e instanceof ApiError && e.code === "10005") {
      throw new ApiError(e.status, e.code, e.type,
        `No free access-key slot for this session's key: ${e.details} Sign in with one of the account's access keys instead, or delete one of them first.`);
    }
    throw e;
  });
  // From here on every call is signed with the session key: the password is dropped, so a
  // lockout of the login cannot break the session and no call pays a password check.
  session = {
    key: { id: created.AccessKey.AccessKeyId, secret: created.AccessKey.SecretKey },
    login: null,
    password: null,
    sessionKey: created.AccessKey.AccessKeyId,
  };
  s.password = null;
}

/** What an EIM user's sign-in needs besides its password, when the server asks for it. */
export interface UserSignInExtras {
  mfaCode?: string;
  newPassword?: string;
}

/**
 * Signs an EIM user in with its account id, name and password (keygate's CreateUserSession):
 * every call is then signed with the user's session, which acts with the user's permissions
 * and expires by itself.
 */
export async function signInAsUser(accountId: string, user: string, password: string, extras: UserSignInExtras): Promise<void> {
  const body: Record<string, string> = { AccountId: accountId, UserName: user, Password: password };
  if (extras.mfaCode) body.MfaCode = extras.mfaCode;
  if (extras.newPassword) body.NewPassword = extras.newPassword;
  const res = await fetch("/api/v1/CreateUserSession", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), credentials: "omit",
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = json?.Errors?.[0] ?? {};
    throw new ApiError(res.status, String(e.Code ?? ""), String(e.Type ?? ""), String(e.Details ?? ""));
  }
  const s = json.Session;
  session = {
    key: { id: s.AccessKeyId, secret: s.SecretKey }, login: null, password: null, sessionKey: null,
    token: s.SessionToken, user: s.UserName,
  };
}

/** Signs out: drops every secret at once, then deletes the session key, if any, with itself. */
export async function forget(): Promise<void> {
  const s = session;
  session = null;
  if (!s) return;
  const key = s.key;
  s.key = null;
  s.password = null;
  s.login = null;
  s.token = undefined;
  if (s.sessionKey && key) {
    const own: Session = { key, login: null, password: null, sessionKey: null };
    await send("DeleteAccessKey", { AccessKeyId: s.sessionKey }, own, false).catch(() => undefined);
  }
}

/** When a key was last used, from the IAM endpoint; null when it cannot be told. */
export async function lastUsed(keyId: string): Promise<string | null> {
  const s = session;
  if (!s?.key) return null;
  const body = `Action=GetAccessKeyLastUsed&Version=2010-05-08&AccessKeyId=${encodeURIComponent(keyId)}`;
  const type = "application/x-www-form-urlencoded; charset=utf-8";
  const { headers } = await sign("AWS4", s.key.id, s.key.secret, "/", type, body, "iam", s.token ?? null);
  const res = await fetch("/", { method: "POST", headers, body, credentials: "omit" });
  if (!res.ok) return null;
  const doc = new DOMParser().parseFromString(await res.text(), "application/xml");
  return doc.getElementsByTagName("LastUsedDate")[0]?.textContent ?? "never";
}
