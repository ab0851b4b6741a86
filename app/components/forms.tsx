import { useLocation, useNavigation } from "@remix-run/react";
import {
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";

import type { FormReply } from "~/lib/form-reply";

/** What one field of a form needs to show itself: ids, name, error and the kept value. */
export interface FieldMeta {
  id: string;
  name: string;
  error?: string;
  defaultValue?: string;
}

/**
 * The page side of the form kit (ADR 0006): reads an action's `FormReply` and hands each field
 * its id, name, error and the value the user typed, so every form wires `aria-invalid` and
 * `aria-describedby` the same way. With `intent`, a reply to another form on the page is ignored.
 */
export function useFormReply(
  reply: FormReply | null | undefined,
  options: { intent?: string } = {},
) {
  const prefix = useId();
  const own =
    reply && (options.intent === undefined || reply.intent === options.intent) ? reply : undefined;
  return {
    formError: own?.formError,
    /** `fallback` is the value shown before anything was submitted (the saved value). */
    field(name: string, fallback?: string | number | null): FieldMeta {
      const kept = own?.values[name];
      const defaultValue = kept ?? (fallback == null ? undefined : String(fallback));
      return {
        id: `${prefix}-${name}`,
        name,
        ...(own?.fieldErrors[name] ? { error: own.fieldErrors[name] } : {}),
        ...(defaultValue === undefined ? {} : { defaultValue }),
      };
    },
  };
}

type ShellProps = {
  label: ReactNode;
  description?: ReactNode;
  /** Either `meta` from `useFormReply`, or `name` (+ `error`) for a form without a reply. */
  meta?: FieldMeta;
  name?: string;
  error?: string;
  id?: string;
  className?: string;
};

/** Ids and aria attributes shared by every kind of field. */
function useFieldWiring({ meta, name, error, id }: ShellProps) {
  const fallbackId = useId();
  const fieldName = meta?.name ?? name ?? "";
  const inputId = id ?? meta?.id ?? `${fieldName}-${fallbackId}`;
  const fieldError = error ?? meta?.error;
  return {
    inputId,
    fieldName,
    fieldError,
    errorId: `${inputId}-error`,
    descriptionId: `${inputId}-description`,
  };
}

function FieldShell({
  label,
  description,
  className = "field",
  wiring,
  children,
}: ShellProps & { wiring: ReturnType<typeof useFieldWiring>; children: ReactNode }) {
  return (
    <div className={className}>
      <label htmlFor={wiring.inputId}>{label}</label>
      {children}
      {description && (
        <p id={wiring.descriptionId} className="field__description">
          {description}
        </p>
      )}
      {wiring.fieldError && (
        <p id={wiring.errorId} className="field__error" role="alert">
          {wiring.fieldError}
        </p>
      )}
    </div>
  );
}

function controlProps(props: ShellProps, wiring: ReturnType<typeof useFieldWiring>) {
  const describedBy = [
    props.description ? wiring.descriptionId : null,
    wiring.fieldError ? wiring.errorId : null,
  ]
    .filter(Boolean)
    .join(" ");
  return {
    id: wiring.inputId,
    name: wiring.fieldName,
    "aria-invalid": wiring.fieldError ? true : undefined,
    "aria-describedby": describedBy || undefined,
  } as const;
}

/** Splits a field's props into the shell's (label, error, …) and its control's, wired up. */
function useField<Props extends ShellProps>(props: Props) {
  const { label, description, meta, name, error, id, className, ...rest } = props;
  const shell = { label, description, meta, name, error, id, className };
  const wiring = useFieldWiring(shell);
  const control = { defaultValue: meta?.defaultValue, ...rest, ...controlProps(shell, wiring) };
  return { shell: { ...shell, wiring }, control };
}

type FieldProps = ShellProps & Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "id">;

/** A labelled input with its inline error wired up for screen readers. */
export function Field(props: FieldProps) {
  const { shell, control } = useField(props);
  return (
    <FieldShell {...shell}>
      <input {...control} />
    </FieldShell>
  );
}

type TextAreaFieldProps = ShellProps &
  Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "name" | "id">;

export function TextAreaField(props: TextAreaFieldProps) {
  const { shell, control } = useField(props);
  return (
    <FieldShell {...shell}>
      <textarea {...control} />
    </FieldShell>
  );
}

type SelectFieldProps = ShellProps &
  Omit<SelectHTMLAttributes<HTMLSelectElement>, "name" | "id"> & {
    options: ReadonlyArray<{ value: string; label: string }>;
  };

export function SelectField({ options, ...props }: SelectFieldProps) {
  const { shell, control } = useField(props);
  return (
    <FieldShell {...shell}>
      <select {...control}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/** An error about the whole form (wrong password, locked account), announced politely. */
export function FormError({ children }: { children?: ReactNode }) {
  if (!children) return null;
  return (
    <div className="form-error" role="alert">
      {children}
    </div>
  );
}

/** A submit button that says what it is doing while the form is in flight. */
export function SubmitButton({
  children,
  pendingText,
  name,
  value,
  className = "button",
}: {
  children: ReactNode;
  pendingText: string;
  name?: string;
  value?: string;
  className?: string;
}) {
  const navigation = useNavigation();
  const pending =
    navigation.state === "submitting" &&
    (name === undefined || navigation.formData?.get(name) === value);
  return (
    <button
      type="submit"
      className={className}
      name={name}
      value={value}
      disabled={pending}
      aria-busy={pending}
    >
      {pending ? pendingText : children}
    </button>
  );
}

/** True while a GET form on this page (search, filters) is loading its results. */
export function useIsFiltering(): boolean {
  const navigation = useNavigation();
  const location = useLocation();
  return (
    navigation.state === "loading" &&
    navigation.formMethod?.toUpperCase() === "GET" &&
    navigation.location.pathname === location.pathname
  );
}
