import type { FieldMeta } from "./forms";
import { TwoFactorCodeField } from "./two-factor-section";

/**
 * The code a staff action asks for when this session's last two-factor check is older than
 * ten minutes (app/request/step-up.server.ts).
 */
export function StepUpCodeField({ meta }: { meta: FieldMeta }) {
  return (
    <TwoFactorCodeField
      label="Two-factor code"
      meta={meta}
      description="The current code from your authenticator app, or one of your recovery codes."
    />
  );
}
