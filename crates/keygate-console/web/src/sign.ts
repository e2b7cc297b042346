// Request signing in the browser with WebCrypto: OSC4-HMAC-SHA256 for the OSC API and
// AWS4-HMAC-SHA256 for the IAM endpoint (both Signature Version 4), and Basic credentials.

export type Flavour = "OSC4" | "AWS4";

const enc = new TextEncoder();

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256(data: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", enc.encode(data)));
}

async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey("raw", key as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, enc.encode(data));
}

/** `YYYYMMDDTHHMMSSZ` for now. */
export function amzDate(now: Date = new Date()): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

export interface Signed {
  headers: Record<string, string>;
}

/**
 * Signs a POST with a body, over `content-type;host;<date header>` and, for a session, its
 * token header (`X-Osc-Security-Token`, keygate's for the OSC API; `X-Amz-Security-Token`).
 * The host is the page's own: the console talks to the server that served it.
 */
export async function sign(
  flavour: Flavour,
  keyId: string,
  secret: string,
  path: string,
  contentType: string,
  body: string,
  service: string,
  token: string | null = null,
  region = "eu-west-2",
): Promise<Signed> {
  const date = amzDate();
  const day = date.slice(0, 8);
  const dateHeader = flavour === "OSC4" ? "x-osc-date" : "x-amz-date";
  const terminator = flavour === "OSC4" ? "osc4_request" : "aws4_request";
  const algorithm = `${flavour}-HMAC-SHA256`;
  const tokenHeader = flavour === "OSC4" ? "x-osc-security-token" : "x-amz-security-token";
  const signedHeaders = `content-type;host;${dateHeader}${token === null ? "" : `;${tokenHeader}`}`;
  const canonical = [
    "POST",
    path,
    "",
    `content-type:${contentType}`,
    `host:${location.host}`,
    `${dateHeader}:${date}`,
    ...(token === null ? [] : [`${tokenHeader}:${token}`]),
    "",
    signedHeaders,
    await sha256(body),
  ].join("\n");
  const scope = `${day}/${region}/${service}/${terminator}`;
  const toSign = [algorithm, date, scope, await sha256(canonical)].join("\n");
  let key = await hmac(enc.encode(flavour + secret), day);
  for (const part of [region, service, terminator]) key = await hmac(key, part);
  const signature = hex(await hmac(key, toSign));
  const headers: Record<string, string> = {
    "Content-Type": contentType,
    [dateHeader === "x-osc-date" ? "X-Osc-Date" : "X-Amz-Date"]: date,
    Authorization: `${algorithm} Credential=${keyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
  if (token !== null) headers[flavour === "OSC4" ? "X-Osc-Security-Token" : "X-Amz-Security-Token"] = token;
  return { headers };
}

/** `Basic` credentials, base64 of the UTF-8 `login:password`. */
export function basic(login: string, password: string): string {
  const bytes = enc.encode(`${login}:${password}`);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}
