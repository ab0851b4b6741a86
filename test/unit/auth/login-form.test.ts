import { describe, expect, it } from "vitest";
import { LoginFormSchema, TwoFactorCodeFormSchema } from "~/domain/auth/forms";
import { throttleMessage } from "~/domain/auth/login-policy";
import { refuse } from "~/domain/refusal";
import { parseForm, refusalReply } from "~/lib/forms.server";

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
};

describe("the log-in form", () => {
  it("keeps a safe redirect and replaces any other with /account", () => {
    const parse = (redirectTo: string) =>
      parseForm(form({ email: "a@example.test", password: "x", redirectTo }), LoginFormSchema);
    expect(parse("/account/licenses?page=2")).toMatchObject({
      ok: true,
      value: { redirectTo: "/account/licenses?page=2" },
    });
    for (const unsafe of ["https://evil.example/", "//evil.example", "/\\evil.example", ""]) {
      expect(parse(unsafe)).toMatchObject({ ok: true, value: { redirectTo: "/account" } });
    }
  });

  it("answers a failed parse with the email typed and never the password", () => {
    const submitted = form({ email: "Ada@Example.test", password: "", redirectTo: "/account" });
    const submission = parseForm(submitted, LoginFormSchema);
    expect(submission.ok).toBe(false);
    if (submission.ok) return;
    expect(submission.reply.fieldErrors).toEqual({ password: "Enter your password." });
    expect(submission.reply.values).toEqual({ email: "Ada@Example.test", redirectTo: "/account" });
  });

  it("answers a refused log-in with the email typed and never the password", () => {
    const submitted = form({ email: "ada@example.test", password: "hunter2 hunter2" });
    const reply = refusalReply(
      submitted,
      refuse("invalid", "wrong-credentials", "That email and password don't match an account."),
    );
    expect(reply).toEqual({
      status: "error",
      fieldErrors: {},
      formError: "That email and password don't match an account.",
      values: { email: "ada@example.test" },
    });
    expect(JSON.stringify(reply)).not.toContain("hunter2");
  });

  it("says how long a throttled attempt must wait", () => {
    const now = new Date("2026-11-30T12:00:00Z");
    expect(throttleMessage("backoff", new Date(now.getTime() + 4_000), now)).toBe(
      "Too many failed attempts. Wait 4 seconds before trying again.",
    );
    expect(throttleMessage("locked", new Date(now.getTime() + 15 * 60_000), now)).toBe(
      'Too many failed attempts: this account is locked. Try again in 15 minutes, or use "Forgot your password?" to get a link by email that lets you in now.',
    );
  });
});

describe("the two-factor code form", () => {
  it("never sends the code back", () => {
    const submission = parseForm(form({ code: "12345" }), TwoFactorCodeFormSchema);
    expect(submission).toMatchObject({ ok: false, reply: { values: {} } });
  });
});
