import { and, eq, inArray, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import { emailOutbox, users } from "#db/schema";
import { insertWhen } from "../conditional-insert.server";
import { queueEmailStatement } from "../email-outbox.server";

/**
 * Every email the studio sends, in one place (docs/architecture.md §10): the words, and the
 * outbox statement that queues them in the same batch as the change they describe, guarded by
 * `when` so a change that lost a race (or was refused) queues nothing.
 */

export interface Recipient {
  email: string;
  name: string;
}

export interface StudioEmail {
  template: string;
  subject: string;
  body: string;
}

const projectLink = (projectId: string) => `/account/projects/${projectId}`;
const adminLink = (projectId: string) => `/admin/projects/${projectId}`;
const hello = (to: Recipient) => `Hello ${to.name},\n\n`;

/** The outbox row, written only if `when` holds at this point of the batch. */
export function emailStatement(
  db: Database,
  input: { to: Recipient; email: StudioEmail; now: Date; when: SQL },
) {
  return insertWhen(
    db,
    emailOutbox,
    db.insert(emailOutbox).values({
      toEmail: input.to.email,
      template: input.email.template,
      subject: input.email.subject,
      bodyText: `${hello(input.to)}${input.email.body}`,
      sendAfter: input.now,
      createdAt: input.now,
      updatedAt: input.now,
    }),
    input.when,
  );
}

/** One email per staff member who can act on studio work (ADMIN and OWNER). */
export async function staffRecipients(db: Database): Promise<Recipient[]> {
  return db
    .select({ email: users.email, name: users.name })
    .from(users)
    .where(and(inArray(users.role, ["ADMIN", "OWNER"]), eq(users.accountStatus, "ACTIVE")));
}

export function staffEmailStatements(
  db: Database,
  input: { staff: readonly Recipient[]; email: StudioEmail; now: Date; when: SQL },
) {
  return input.staff.map((to) => emailStatement(db, { ...input, to }));
}

export interface DigestItems {
  overdue: ReadonlyArray<{
    id: string;
    title: string;
    phase: string;
    deadline: Date | null;
    clientName: string;
  }>;
  idle: ReadonlyArray<{ id: string; type: string; createdAt: Date; projectTitle: string }>;
}

/** The daily digest: one email per staff member, queued once per day (the dedupe key). */
export function digestStatements(
  db: Database,
  input: { staff: readonly Recipient[]; items: DigestItems; now: Date },
) {
  const email = studioEmails.digest(input.items, input.now);
  const day = input.now.toISOString().slice(0, 10);
  return input.staff.map((to) =>
    queueEmailStatement(db, {
      to: to.email,
      template: email.template,
      subject: email.subject,
      bodyText: `${hello(to)}${email.body}`,
      dedupeKey: `studio-digest:${day}:${to.email}`,
      sendAfter: input.now,
    }).returning({ id: emailOutbox.id }),
  );
}

// ---- The words ------------------------------------------------------------------------------

export const studioEmails = {
  projectRequested: (project: { id: string; title: string }): StudioEmail => ({
    template: "project-requested",
    subject: `We received your project request: ${project.title}`,
    body: `Thank you for asking us to work on "${project.title}". We'll read it and reply within two working days, with the scope, the features we agree on and a deadline.\n\nSee it at ${projectLink(project.id)}.`,
  }),
  projectRequestedStaff: (
    project: { id: string; title: string },
    client: Recipient & { id?: string },
  ): StudioEmail => ({
    template: "project-requested-staff",
    subject: `New project request: ${project.title}`,
    body: `${client.name} (${client.email}) asked for a project, "${project.title}". Accept it or decline it at ${adminLink(project.id)}.`,
  }),
  projectAccepted: (project: { id: string; title: string; deadline: Date }): StudioEmail => ({
    template: "project-accepted",
    subject: `Your project is accepted: ${project.title}`,
    body: `We've accepted "${project.title}" and started the DESIGN phase. The deadline is ${project.deadline.toISOString().slice(0, 10)}. The scope, the approved features and your revisions are on the project page: ${projectLink(project.id)}.`,
  }),
  projectDeclined: (project: { id: string; title: string }, reason: string): StudioEmail => ({
    template: "project-declined",
    subject: `About your project request: ${project.title}`,
    body: `We're sorry: we can't take on "${project.title}".\n\nWhy: ${reason}\n\n${projectLink(project.id)}`,
  }),
  projectUpdated: (project: { id: string; title: string }): StudioEmail => ({
    template: "project-updated",
    subject: `Your project's terms changed: ${project.title}`,
    body: `We updated the scope, features, revisions or deadline of "${project.title}". See what they are now at ${projectLink(project.id)}.`,
  }),
  phaseChanged: (
    project: { id: string; title: string },
    change: { to: string; status: string; reason: string | null },
  ): StudioEmail => {
    const what =
      change.status === "CANCELLED"
        ? "was cancelled"
        : change.to === "PAUSED"
          ? "is paused"
          : change.to === "COMPLETED"
            ? "is completed"
            : `moved to the ${change.to.replace("_", " ")} phase`;
    return {
      template: "project-phase-changed",
      subject: `Your project ${what}: ${project.title}`,
      body: `"${project.title}" ${what}.${change.reason ? `\n\nWhy: ${change.reason}` : ""}\n\nSee the timeline at ${projectLink(project.id)}.`,
    };
  },
  revisionRequestedStaff: (
    project: { id: string; title: string },
    revision: { phase: string; max: number; notes: string },
  ): StudioEmail => ({
    template: "project-revision-requested",
    subject: `Revision of ${revision.phase} asked for: ${project.title}`,
    body: `The client asked for a revision of "${project.title}" in ${revision.phase} (the phase allows ${revision.max}).\n\nWhat to change:\n${revision.notes}\n\n${adminLink(project.id)}`,
  }),
  revisionReceived: (
    project: { id: string; title: string },
    revision: { phase: string; max: number },
  ): StudioEmail => ({
    template: "project-revision-received",
    subject: `We received your revision request: ${project.title}`,
    body: `Your revision request for the ${revision.phase} phase (${revision.max} included) is with the team. ${projectLink(project.id)}`,
  }),
  addOnRequested: (
    project: { id: string; title: string },
    addOn: { name: string; credits: number | null },
  ): StudioEmail => ({
    template: "add-on-requested",
    subject: `Add-on requested: ${addOn.name} for ${project.title}`,
    body:
      addOn.credits === null
        ? `We received your request for ${addOn.name} on "${project.title}". We'll price it in credits; nothing is used until you confirm the price. ${projectLink(project.id)}`
        : `We received your request for ${addOn.name} on "${project.title}"; ${addOn.credits} credits are reserved for it and given back if we can't do it. ${projectLink(project.id)}`,
  }),
  addOnRequestedStaff: (
    project: { id: string; title: string },
    addOn: { name: string; credits: number | null; description: string },
  ): StudioEmail => ({
    template: "add-on-requested-staff",
    subject: `Add-on to review: ${addOn.name} for ${project.title}`,
    body: `${addOn.name} (${addOn.credits === null ? "to be priced" : `${addOn.credits} credits reserved`}) on "${project.title}".${addOn.description ? `\n\n${addOn.description}` : ""}\n\nReview it at /admin/add-ons.`,
  }),
  addOnPriced: (
    project: { id: string; title: string },
    addOn: { name: string; credits: number },
  ): StudioEmail => ({
    template: "add-on-priced",
    subject: `Your custom request is priced at ${addOn.credits} credits`,
    body: `We priced your custom request on "${project.title}" at ${addOn.credits} credits. Confirm it on the project page to reserve the credits and put it in our queue: ${projectLink(project.id)}`,
  }),
  addOnMoved: (
    project: { id: string; title: string },
    addOn: { name: string; credits: number | null },
    move: "approved" | "started" | "completed" | "rejected",
    notes: string | null,
  ): StudioEmail => {
    const refund =
      move === "rejected" && addOn.credits
        ? ` The ${addOn.credits} credits are back in your balance.`
        : "";
    return {
      template: `add-on-${move}`,
      subject: `Your ${addOn.name} add-on was ${move}: ${project.title}`,
      body: `Your ${addOn.name} add-on on "${project.title}" was ${move}.${refund}${notes ? `\n\nNotes from the studio: ${notes}` : ""}\n\n${projectLink(project.id)}`,
    };
  },
  addOnChangedByClientStaff: (
    project: { id: string; title: string },
    addOn: { name: string; credits: number | null },
    change: "withdrawn" | "confirmed",
  ): StudioEmail => ({
    template: `add-on-${change}-staff`,
    subject: `Add-on ${change} by the client: ${addOn.name} for ${project.title}`,
    body:
      change === "withdrawn"
        ? `The client withdrew ${addOn.name} on "${project.title}"${addOn.credits ? `; ${addOn.credits} credits were refunded` : ""}.`
        : `The client confirmed ${addOn.name} on "${project.title}" at ${addOn.credits} credits; it waits for approval at /admin/add-ons.`,
  }),
  digest: (items: DigestItems, now: Date): StudioEmail => {
    const days = (from: Date) =>
      Math.max(0, Math.floor((now.getTime() - from.getTime()) / 86_400_000));
    const overdue = items.overdue.map(
      (project) =>
        `- ${project.title} (${project.clientName}), ${project.phase.replace("_", " ")}, due ${project.deadline?.toISOString().slice(0, 10) ?? "—"}: ${adminLink(project.id)}`,
    );
    const idle = items.idle.map(
      (addOn) => `- ${addOn.type} on ${addOn.projectTitle}, waiting ${days(addOn.createdAt)} days`,
    );
    return {
      template: "studio-digest",
      subject: `Studio digest: ${items.overdue.length} overdue, ${items.idle.length} add-ons waiting`,
      body: [
        overdue.length > 0 ? `Overdue projects:\n${overdue.join("\n")}` : "No project is overdue.",
        idle.length > 0
          ? `Add-ons waiting more than two days:\n${idle.join("\n")}\n\nThe queue: /admin/add-ons`
          : "No add-on has waited more than two days.",
      ].join("\n\n"),
    };
  },
};
