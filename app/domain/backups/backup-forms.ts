import { z } from "~/lib/zod";
import { BACKUP_PARTS } from "./parts";

/**
 * The forms of /admin/backups (docs/architecture.md §12). Imported only by the route's action,
 * so zod stays out of the browser bundle; the page renders the zod-free labels in parts.ts.
 */
const BackupIdSchema = z
  .string({ error: "Choose a backup." })
  .trim()
  .regex(/^[a-z0-9]{8,64}$/, "That is not a backup id.");

const PartsSchema = z
  .array(z.enum(BACKUP_PARTS), { error: "Choose at least one part to back up." })
  .min(1, "Choose at least one part to back up.");

/** Taking a backup by hand, or the next step of one that needs more. */
export const BackupAdminFormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("backup"), parts: PartsSchema }),
  z.object({ intent: z.literal("continue"), backupId: BackupIdSchema }),
]);
export type BackupAdminForm = z.infer<typeof BackupAdminFormSchema>;

/** Multi-value fields of the backup form (checkboxes), for `parseForm`'s `arrays`. */
export const BACKUP_FORM_ARRAYS = ["parts"] as const;

export const RestoreDryRunFormSchema = z.object({
  intent: z.literal("restore-dry-run"),
  backupId: BackupIdSchema,
});

/**
 * `POST /ops/backups` (JSON, bearer token): start a backup of a kind (`pre-deployment` before a
 * deploy), or take the next step of one that is running.
 */
export const OpsBackupRequestSchema = z.union([
  z.strictObject({
    type: z.enum(["scheduled", "manual", "pre-deployment"], {
      error: 'type must be "scheduled", "manual" or "pre-deployment".',
    }),
    parts: z.array(z.enum(BACKUP_PARTS)).min(1).optional(),
  }),
  z.strictObject({ backupId: BackupIdSchema }),
]);
