import { z } from "~/lib/zod";
import { ACCOUNT_STATUSES, USER_ROLES } from "#db/schema/enums";
import { REASON_MAX_LENGTH } from "./moderation";

/**
 * The forms of /admin/users. In their own module (imported only by loaders, actions and
 * services) so the browser bundle never pulls in zod.
 */

/** Locking, suspending, banning and blocking always say why; the reason is shown and audited. */
export const ReasonSchema = z
  .string({ error: "Give a reason." })
  .trim()
  .min(1, "Give a reason.")
  .max(REASON_MAX_LENGTH, `Use at most ${REASON_MAX_LENGTH} characters.`);

/** Lifting a restriction may carry a note, but doesn't have to. */
export const OptionalNoteSchema = z
  .string()
  .trim()
  .max(REASON_MAX_LENGTH, `Use at most ${REASON_MAX_LENGTH} characters.`)
  .optional()
  .transform((value) => value || null);

const deviceId = z
  .string({ error: "Choose a device." })
  .trim()
  .regex(/^[a-z0-9]{1,64}$/, "Choose a device.");

export const UserAdminFormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.enum(["lock", "suspend", "ban"]), reason: ReasonSchema }),
  z.object({ intent: z.literal("unlock"), reason: OptionalNoteSchema }),
  z.object({
    intent: z.literal("change-role"),
    role: z.enum(USER_ROLES, { error: "Choose a role." }),
  }),
  z.object({ intent: z.literal("block-device"), deviceId, reason: ReasonSchema }),
  z.object({ intent: z.literal("unblock-device"), deviceId, reason: OptionalNoteSchema }),
]);
export type UserAdminForm = z.infer<typeof UserAdminFormSchema>;

// ---- The search forms of the admin lists -----------------------------------------------------

/** The text box of an admin search: trimmed, at most 100 characters, empty means "no filter". */
export const SearchTextSchema = z
  .string()
  .trim()
  .max(100)
  .optional()
  .catch(undefined)
  .transform((value) => value || undefined);

type EnumValues = readonly [string, ...string[]];

/** An admin list's filters: the text box, one value per enum filter, and the page cursor. */
export type AdminSearch<Filters extends Record<string, EnumValues>> = {
  q?: string;
  cursor?: string;
} & { [Name in keyof Filters]?: Filters[Name][number] };

/**
 * The parser of an admin list's query string (`?q=&status=&cursor=`), given its enum filters.
 * Lenient: a bad or stale value is dropped, so an old link still shows the list.
 */
export function adminSearchParser<const Filters extends Record<string, EnumValues>>(
  filters: Filters,
) {
  const schema = z.object({
    q: SearchTextSchema,
    cursor: z.string().max(200).optional().catch(undefined),
    ...Object.fromEntries(
      Object.entries(filters).map(([name, values]) => [
        name,
        z.enum(values).optional().catch(undefined),
      ]),
    ),
  });
  return (params: URLSearchParams) =>
    schema.parse(Object.fromEntries(params)) as AdminSearch<Filters>;
}

/** The search form of /admin/users. */
export const parseUserSearch = adminSearchParser({ role: USER_ROLES, status: ACCOUNT_STATUSES });
