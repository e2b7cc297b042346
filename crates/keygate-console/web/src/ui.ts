// What every screen shares: building elements, the status line, error texts, dates, the
// confirmation dialog, and running a change then showing the screen again.

import { ApiError } from "./api";

type Attrs = Record<string, string>;
type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c) e.append(c);
  return e;
}

export const main = document.getElementById("main") as HTMLElement;
export const nav = document.getElementById("nav") as HTMLElement;
export const status = document.getElementById("status") as HTMLElement;
const dialog = document.getElementById("confirm") as HTMLDialogElement;

export function say(text: string): void {
  status.textContent = text;
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === "6003") {
      return "This key is ACTIVE. An EIM user's access key must be deactivated before it can be deleted.";
    }
    if (e.code === "9029") return `This cannot be deleted yet: ${e.details}`;
    if (e.code === "1") return `Sign-in refused: ${e.details || "wrong credentials."}`;
    return `${e.details || e.type} (code ${e.code})`;
  }
  return e instanceof Error ? e.message : String(e);
}

export function alertBox(text: string): HTMLElement {
  return el("p", { role: "alert", class: "error" }, text);
}

export function date(s: string | undefined): string {
  return s ? s.replace("T", " ").replace(/\.\d{3}\+0000$/, " UTC") : "—";
}

/** Asks before a destructive action; resolves true when confirmed. */
export function confirmAction(question: string, verb: string): Promise<boolean> {
  dialog.replaceChildren(
    el("form", { method: "dialog" },
      el("p", { id: "confirm-text" }, question),
      el("div", { class: "actions" },
        el("button", { value: "cancel", type: "submit" }, "Cancel"),
        el("button", { value: "ok", type: "submit", class: "danger" }, verb))),
  );
  dialog.setAttribute("aria-labelledby", "confirm-text");
  // Escape closes the dialog without touching returnValue: clear the last answer first.
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
  });
}

/** Runs a change, says what it did, and shows the view again; a refusal goes to `out`. */
export async function change(out: HTMLElement, done: string, run: () => Promise<unknown>, again: () => Promise<void>): Promise<void> {
  try {
    await run();
    say(done);
    await again();
  } catch (e) {
    out.replaceChildren(alertBox(errorText(e)));
  }
}

