import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "~/domain/auth/password-rules";
import { Field, type FieldMeta } from "./forms";

/** The field where someone chooses a new password (reset link, security page). */
export function NewPasswordField({ meta }: { meta: FieldMeta }) {
  return (
    <Field
      label="New password"
      meta={meta}
      type="password"
      autoComplete="new-password"
      required
      minLength={PASSWORD_MIN_LENGTH}
      maxLength={PASSWORD_MAX_LENGTH}
      description={`At least ${PASSWORD_MIN_LENGTH} characters. A short sentence works well.`}
    />
  );
}
