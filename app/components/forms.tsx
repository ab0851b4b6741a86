import { useLocation, useNavigation } from "@remix-run/react";
import { useId, type InputHTMLAttributes, type ReactNode } from "react";

type FieldProps = {
  label: string;
  name: string;
  error?: string;
  description?: ReactNode;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "name">;

/** A labelled input with its inline error wired up for screen readers. */
export function Field({ label, name, error, description, id, ...input }: FieldProps) {
  const fallbackId = useId();
  const inputId = id ?? `${name}-${fallbackId}`;
  const errorId = `${inputId}-error`;
  const descriptionId = `${inputId}-description`;
  const describedBy = [description ? descriptionId : null, error ? errorId : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {description && (
        <p id={descriptionId} className="field__description">
          {description}
        </p>
      )}
      {error && (
        <p id={errorId} className="field__error" role="alert">
          {error}
        </p>
      )}
    </div>
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
