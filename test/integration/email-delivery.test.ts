import { createCookie } from "@remix-run/cloudflare";
import { env } from "cloudflare:test";
import { SELF } from "../helpers/worker";
import { createId } from "@paralleldrive/cuid2";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createDb } from "#db/client";
import { emailOutbox, type EmailOutboxRow } from "#db/schema";
import { deliverEmailsJob } from "~/jobs/deliver-emails";
import { JOB_REGISTRY, HOURLY } from "~/jobs/registry";
import { parseEnv } from "~/lib/env.server";
import { queueEmail } from "~/services/email-outbox.server";
import {
  CLAIM_LEASE_MS,
  MAX_EMAIL_ATTEMPTS,
  MailerUnavailableError,
  createMailer,
  deliverPendingEmails,
  loggingMailer,
  retryDelayMs,
  type Mailer,
  type OutgoingMessage,
} from "~/services/email-sender.server";
import { newSessionStatement } from "~/services/sessions.server";
import { createUser } from "../factories";

const db = createDb(env.DB);
const quiet = { error: () => {} };

/**
 * Other rows may be due too (the claim takes every due email), so each test addresses its
 * own emails to a fresh domain and only looks at those.
 */
async function queueEmails(count: number, sendAfter: Date) {
  const domain = `${createId()}.example.test`;
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    const [row] = await db
      .insert(emailOutbox)
      .values({
        toEmail: `person-${i}@${domain}`,
        template: "test-email",
        subject: `Test email ${i}`,
        bodyText: `Hello number ${i}`,
        sendAfter,
        createdAt: sendAfter,
        updatedAt: sendAfter,
      })
      .returning({ id: emailOutbox.id });
    rows.push(row!.id);
  }
  return { ids: rows, domain };
}

const rowsById = async (ids: string[]): Promise<EmailOutboxRow[]> =>
  db.select().from(emailOutbox).where(inArray(emailOutbox.id, ids));
const rowById = async (id: string) => (await rowsById([id]))[0]!;

/** Records what it sends; slow enough that two parallel runs overlap. */
function recordingMailer(delayMs = 5): Mailer & { sent: OutgoingMessage[] } {
  const sent: OutgoingMessage[] = [];
  return {
    sent,
    async send(message) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      sent.push(message);
    },
  };
}

/** Fails for the given domain's addresses, succeeds quietly for anyone else's. */
function failingMailer(domain: string): Mailer {
  return {
    async send(message) {
      if (message.to.endsWith(`@${domain}`)) throw new Error("SMTP said no: mailbox unavailable");
    },
  };
}

describe("deliverPendingEmails", () => {
  it("sends due emails and marks them SENT", async () => {
    const now = new Date();
    const { ids, domain } = await queueEmails(3, new Date(now.getTime() - 1000));
    const mailer = recordingMailer(0);

    const report = await deliverPendingEmails({ db, mailer, logger: quiet }, { now, limit: 100 });
    expect(report.sent).toBeGreaterThanOrEqual(3);
    const mine = mailer.sent.filter((message) => message.to.endsWith(`@${domain}`));
    expect(mine.map((message) => message.subject).sort()).toEqual([
      "Test email 0",
      "Test email 1",
      "Test email 2",
    ]);
    expect(mine[0]!.text).toMatch(/^Hello number \d$/);
    for (const row of await rowsById(ids)) {
      expect(row).toMatchObject({ status: "SENT", attempts: 1, lastError: null });
      expect(row.sentAt?.getTime()).toBe(now.getTime());
    }

    // A later run finds nothing of these to send.
    const again = recordingMailer(0);
    await deliverPendingEmails(
      { db, mailer: again, logger: quiet },
      { now: new Date(now.getTime() + 3_600_000), limit: 100 },
    );
    expect(again.sent.filter((message) => message.to.endsWith(`@${domain}`))).toHaveLength(0);
  });

  it("leaves emails that are not due yet alone", async () => {
    const now = new Date();
    const { ids } = await queueEmails(1, new Date(now.getTime() + 60_000));
    await deliverPendingEmails(
      { db, mailer: recordingMailer(0), logger: quiet },
      { now, limit: 100 },
    );
    expect(await rowById(ids[0]!)).toMatchObject({ status: "PENDING", attempts: 0 });
  });

  it("claims each email once when two deliveries run in parallel", async () => {
    const now = new Date();
    const { ids, domain } = await queueEmails(8, new Date(now.getTime() - 1000));
    const first = recordingMailer();
    const second = recordingMailer();

    await Promise.all([
      deliverPendingEmails({ db, mailer: first, logger: quiet }, { now, limit: 100 }),
      deliverPendingEmails({ db, mailer: second, logger: quiet }, { now, limit: 100 }),
    ]);

    const mine = [...first.sent, ...second.sent].filter((message) =>
      message.to.endsWith(`@${domain}`),
    );
    expect(mine).toHaveLength(8);
    expect(new Set(mine.map((message) => message.to)).size).toBe(8);
    for (const row of await rowsById(ids))
      expect(row).toMatchObject({ status: "SENT", attempts: 1 });
  });

  it("does not claim an email another run holds, but takes it over once the lease is over", async () => {
    const now = new Date();
    const { ids } = await queueEmails(1, new Date(now.getTime() - 1000));
    // A run that claimed the email and died before settling it.
    await db
      .update(emailOutbox)
      .set({ attempts: 1, sendAfter: new Date(now.getTime() + CLAIM_LEASE_MS) })
      .where(eq(emailOutbox.id, ids[0]!));

    await deliverPendingEmails(
      { db, mailer: recordingMailer(0), logger: quiet },
      { now, limit: 100 },
    );
    expect(await rowById(ids[0]!)).toMatchObject({ status: "PENDING", attempts: 1 });

    const afterLease = new Date(now.getTime() + CLAIM_LEASE_MS);
    await deliverPendingEmails(
      { db, mailer: recordingMailer(0), logger: quiet },
      { now: afterLease, limit: 100 },
    );
    expect(await rowById(ids[0]!)).toMatchObject({ status: "SENT", attempts: 2 });
  });

  it("retries with growing delays and gives up as FAILED after 5 attempts", async () => {
    let now = new Date(Date.UTC(2035, 0, 1));
    const { ids, domain } = await queueEmails(1, now);
    const id = ids[0]!;
    const mailer = failingMailer(domain);

    for (let attempt = 1; attempt < MAX_EMAIL_ATTEMPTS; attempt++) {
      const report = await deliverPendingEmails({ db, mailer, logger: quiet }, { now, limit: 100 });
      expect(report.retrying).toBeGreaterThanOrEqual(1);
      const row = await rowById(id);
      expect(row).toMatchObject({
        status: "PENDING",
        attempts: attempt,
        lastError: "SMTP said no: mailbox unavailable",
      });
      expect(row.sendAfter.getTime()).toBe(now.getTime() + retryDelayMs(attempt));

      // Not retried before its delay is over.
      await deliverPendingEmails(
        { db, mailer, logger: quiet },
        { now: new Date(row.sendAfter.getTime() - 1), limit: 100 },
      );
      expect((await rowById(id)).attempts).toBe(attempt);
      now = row.sendAfter;
    }

    const last = await deliverPendingEmails({ db, mailer, logger: quiet }, { now, limit: 100 });
    expect(last.failed).toBeGreaterThanOrEqual(1);
    expect(await rowById(id)).toMatchObject({
      status: "FAILED",
      attempts: MAX_EMAIL_ATTEMPTS,
      lastError: "SMTP said no: mailbox unavailable",
      sentAt: null,
    });

    // FAILED is final: later runs leave it alone.
    await deliverPendingEmails(
      { db, mailer: recordingMailer(0), logger: quiet },
      { now: new Date(Date.UTC(2040, 0, 1)), limit: 100 },
    );
    expect(await rowById(id)).toMatchObject({ status: "FAILED", attempts: MAX_EMAIL_ATTEMPTS });
  });

  it("delivers what features queue through the outbox", async () => {
    const now = new Date();
    const dedupeKey = `delivery-test:${createId()}`;
    await db.batch([
      queueEmail(db, {
        to: "queued@example.test",
        template: "test-queued",
        subject: "Queued in a batch",
        bodyText: "Body",
        dedupeKey,
        at: new Date(now.getTime() - 1),
      }),
    ]);
    await deliverPendingEmails(
      { db, mailer: recordingMailer(0), logger: quiet },
      { now, limit: 100 },
    );
    const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.dedupeKey, dedupeKey));
    expect(row).toMatchObject({ status: "SENT", attempts: 1 });
  });
});

describe("mailers", () => {
  it("sends through the send_email binding with the configured sender", async () => {
    const send = vi.fn(async () => ({ messageId: "m-1" }));
    const mailer = createMailer(
      { EMAIL: { send } as unknown as SendEmail, EMAIL_FROM: "store@studio.example" },
      "production",
    );
    await mailer.send({ to: "buyer@example.test", subject: "Hi", text: "Body" });
    expect(send).toHaveBeenCalledWith({
      from: "store@studio.example",
      to: "buyer@example.test",
      subject: "Hi",
      text: "Body",
    });
  });

  it("logs in development and test, and refuses to drop production mail into the log", async () => {
    const lines: string[] = [];
    await loggingMailer({ log: (line: string) => lines.push(line) }).send({
      to: "dev@example.test",
      subject: "Subject line",
      text: "secret link",
    });
    expect(JSON.parse(lines[0]!)).toEqual({
      level: "info",
      event: "email.logged",
      to: "dev@example.test",
      subject: "Subject line",
    });
    expect(lines[0]).not.toContain("secret link");

    expect(() => createMailer({}, "test")).not.toThrow();
    expect(() => createMailer({}, "production")).toThrow(MailerUnavailableError);
    expect(() => createMailer({ EMAIL: {} as SendEmail }, "production")).toThrow(/EMAIL_FROM/);
  });
});

describe("the deliver-emails job", () => {
  it("runs on the hourly cron and delivers with the test environment's logging mailer", async () => {
    expect(JOB_REGISTRY[HOURLY]).toContain(deliverEmailsJob);
    const now = new Date();
    const { ids } = await queueEmails(1, new Date(now.getTime() - 1000));
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const result = await deliverEmailsJob.run({ db, env: parseEnv(env), bindings: env, now });
      expect(result.sent).toBeGreaterThanOrEqual(1);
    } finally {
      log.mockRestore();
    }
    expect(await rowById(ids[0]!)).toMatchObject({ status: "SENT" });
  });
});

describe("/admin/outbox", () => {
  const ORIGIN = "https://store.example";

  async function cookieFor(userId: string) {
    const { token, statement } = await newSessionStatement(db, {
      userId,
      deviceSessionId: null,
      twoFactorVerified: true,
      now: new Date(),
    });
    await statement;
    const serialized = await createCookie("session", {
      secrets: [parseEnv(env).sessionSecret],
      path: "/",
      httpOnly: true,
      sameSite: "lax",
    }).serialize(token);
    return serialized.split(";")[0]!;
  }

  const get = (path: string, cookie?: string) =>
    SELF.fetch(`${ORIGIN}${path}`, {
      headers: cookie ? { Cookie: cookie } : {},
      redirect: "manual",
    });

  it("shows staff the outbox with status filters and one email's full text", async () => {
    const viewer = await createUser(
      db,
      { role: "VIEWER", twoFactorSecret: "JBSWY3DPEHPK3PXP" },
      { encryptionKeys: parseEnv(env).encryptionKeys },
    );
    const cookie = await cookieFor(viewer.id);
    const now = new Date();
    const { ids } = await queueEmails(2, now);
    await db
      .update(emailOutbox)
      .set({ status: "FAILED", attempts: 5, lastError: "mailbox full" })
      .where(eq(emailOutbox.id, ids[1]!));

    const list = await get("/admin/outbox", cookie);
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain(`/admin/outbox/${ids[0]}`);
    expect(html).toContain(`/admin/outbox/${ids[1]}`);

    const failedOnly = await (await get("/admin/outbox?status=FAILED", cookie)).text();
    expect(failedOnly).toContain(`/admin/outbox/${ids[1]}`);
    expect(failedOnly).not.toContain(`/admin/outbox/${ids[0]}`);

    const detail = await get(`/admin/outbox/${ids[1]}`, cookie);
    expect(detail.status).toBe(200);
    const detailHtml = await detail.text();
    expect(detailHtml).toContain("Hello number 1");
    expect(detailHtml).toContain("mailbox full");

    expect((await get("/admin/outbox/nosuchemail", cookie)).status).toBe(404);
  });

  it("is closed to customers and to visitors", async () => {
    const customer = await createUser(db);
    expect((await get("/admin/outbox", await cookieFor(customer.id))).status).toBe(403);
    const { ids } = await queueEmails(1, new Date());
    expect((await get(`/admin/outbox/${ids[0]}`, await cookieFor(customer.id))).status).toBe(403);
    const anonymous = await get("/admin/outbox");
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
  });
});
