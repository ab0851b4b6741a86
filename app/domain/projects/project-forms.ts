import { wholeNumber, z } from "~/lib/zod";
import { SearchTextSchema } from "~/domain/auth/admin-forms";
import {
  ADD_ON_STATUSES,
  ADD_ON_TYPES,
  PROJECT_PHASES,
  SERVICE_CATEGORIES,
  SERVICE_STATUSES,
} from "#db/schema/enums";
import { CUSTOM_PRICE_MAX } from "./add-ons";
import { parseDeadlineDate } from "./deadlines";
import { PROJECT_LIMITS, PROJECT_QUEUES } from "./labels";

/**
 * The forms of /account/projects and /admin/projects, /admin/add-ons (the URL contract of
 * issue 11). In their own module, imported only by loaders, actions and services, so the
 * browser bundle never pulls in zod.
 */

const text = (max: number, missing: string) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, `Use at most ${max} characters.`);

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters.`)
    .optional()
    .transform((value) => value || null);

const DateField = z.string({ error: "Enter a date." }).transform((value, context) => {
  const date = parseDeadlineDate(value.trim());
  if (!date) {
    context.addIssue({ code: "custom", message: "Enter a date as YYYY-MM-DD." });
    return z.NEVER;
  }
  return date;
});

const id = z.string().regex(/^[a-z0-9]{1,64}$/, "Reload the page and try again.");
const Reason = text(PROJECT_LIMITS.reason, "Give a reason.");
const Notes = optionalText(PROJECT_LIMITS.notes);

const RevisionCap = wholeNumber("Enter a whole number.").pipe(
  z
    .number()
    .min(0, "Enter 0 or more.")
    .max(PROJECT_LIMITS.revisions, `At most ${PROJECT_LIMITS.revisions}.`),
);

/** Approved features: one per line of a textarea. */
const Features = z
  .string()
  .optional()
  .transform((value, context) => {
    const features = (value ?? "")
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
    if (features.length > PROJECT_LIMITS.features) {
      context.addIssue({ code: "custom", message: `At most ${PROJECT_LIMITS.features} features.` });
    }
    if (features.some((feature) => feature.length > PROJECT_LIMITS.feature)) {
      context.addIssue({
        code: "custom",
        message: `Keep each feature under ${PROJECT_LIMITS.feature} characters.`,
      });
    }
    return features;
  });

// ---- The client's side ----------------------------------------------------------------------

/** `/account/projects/new` */
export const ProjectRequestFormSchema = z.object({
  name: text(PROJECT_LIMITS.name, "Give the project a name."),
  category: z.enum(SERVICE_CATEGORIES, { error: "Choose a category." }),
  description: text(PROJECT_LIMITS.description, "Describe what you need."),
  deadline: DateField,
  budgetNotes: optionalText(PROJECT_LIMITS.budgetNotes),
});
export type ProjectRequestForm = z.infer<typeof ProjectRequestFormSchema>;

/** `/account/projects/:projectId` */
export const ClientProjectFormSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("revision"),
    notes: text(PROJECT_LIMITS.notes, "Say what should change."),
  }),
  z.object({
    intent: z.literal("add-on"),
    type: z.enum(ADD_ON_TYPES, { error: "Choose an add-on." }),
    description: optionalText(PROJECT_LIMITS.notes),
  }),
  z.object({ intent: z.literal("withdraw-add-on"), addOnId: id }),
  /** The client accepts the credits staff priced a CUSTOM add-on at (the price they saw). */
  z.object({
    intent: z.literal("confirm-add-on"),
    addOnId: id,
    credits: wholeNumber("Reload the page and try again.").pipe(z.number().min(0)).catch(-1),
  }),
]);
export type ClientProjectForm = z.infer<typeof ClientProjectFormSchema>;

// ---- Staff ----------------------------------------------------------------------------------

const Terms = {
  scope: optionalText(PROJECT_LIMITS.scope).transform((value) => value ?? ""),
  features: Features,
  deadline: DateField,
  designRevisionsMax: RevisionCap,
  buildRevisionsMax: RevisionCap,
};

/** `/admin/projects/:projectId`: `expectedPhase` is the phase the page showed (stale forms change nothing). */
export const AdminProjectFormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("accept"), ...Terms, startDate: DateField }),
  z.object({ intent: z.literal("decline"), reason: Reason }),
  z.object({
    intent: z.literal("move"),
    phase: z.enum(PROJECT_PHASES, { error: "Choose a phase." }),
    expectedPhase: z.enum(PROJECT_PHASES, { error: "Reload the page and try again." }),
  }),
  z.object({
    intent: z.literal("pause"),
    reason: Reason,
    expectedPhase: z.enum(PROJECT_PHASES, { error: "Reload the page and try again." }),
  }),
  z.object({
    intent: z.literal("resume"),
    expectedPhase: z.enum(PROJECT_PHASES, { error: "Reload the page and try again." }),
  }),
  z.object({
    intent: z.literal("cancel"),
    reason: Reason,
    expectedPhase: z.enum(PROJECT_PHASES, { error: "Reload the page and try again." }),
  }),
  /** The scope and features editor, revision allowances and deadline. */
  z.object({ intent: z.literal("update"), ...Terms }),
]);
export type AdminProjectForm = z.infer<typeof AdminProjectFormSchema>;

/** `/admin/add-ons` */
export const AdminAddOnFormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.enum(["approve", "start", "complete"]), addOnId: id, notes: Notes }),
  z.object({
    intent: z.literal("reject"),
    addOnId: id,
    notes: text(PROJECT_LIMITS.notes, "Say why the add-on is rejected."),
  }),
  z.object({
    intent: z.literal("price"),
    addOnId: id,
    credits: wholeNumber("Enter a whole number of credits.").pipe(
      z
        .number()
        .min(1, "Enter at least 1 credit.")
        .max(CUSTOM_PRICE_MAX, `At most ${CUSTOM_PRICE_MAX} credits.`),
    ),
    notes: Notes,
  }),
]);
export type AdminAddOnForm = z.infer<typeof AdminAddOnFormSchema>;

const Page = wholeNumber("").pipe(z.number().min(1).max(10_000)).catch(1);

/** `/admin/projects?queue=&phase=&status=&category=&client=&page=`, parsed leniently. */
export const ProjectSearchSchema = z.object({
  queue: z.enum(PROJECT_QUEUES).optional().catch(undefined),
  phase: z.enum(PROJECT_PHASES).optional().catch(undefined),
  status: z.enum(SERVICE_STATUSES).optional().catch(undefined),
  category: z.enum(SERVICE_CATEGORIES).optional().catch(undefined),
  client: SearchTextSchema,
  page: Page,
});
export type ProjectSearch = z.infer<typeof ProjectSearchSchema>;

/** `/admin/add-ons?status=&page=` */
export const AddOnQueueSearchSchema = z.object({
  status: z.enum(ADD_ON_STATUSES).optional().catch(undefined),
  page: Page,
});

export function parseSearch<Schema extends z.ZodType>(schema: Schema, url: URL): z.output<Schema> {
  return schema.parse(Object.fromEntries(url.searchParams));
}
