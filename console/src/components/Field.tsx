import { useId, type InputHTMLAttributes, type ReactNode } from "react";

/** A labelled control with its error (from the API or the form) right under it. */
export function Field(props: { label: string; error?: string; children: (id: string, describedBy?: string) => ReactNode }) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, props.error ? errorId : undefined)}
      {props.error && (
        <p id={errorId} className="error" role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}

export type Choice<T extends string = string> = { id: T; name: string };

/** A labelled choice among named options (`value` is an option's id). */
export function ChoiceField<T extends string>(props: { label: string; error?: string; value: T; onChange: (value: T) => void; options: readonly Choice<T>[] }) {
  return (
    <Field label={props.label} error={props.error}>
      {(id, d) => (
        <select id={id} aria-describedby={d} value={props.value} onChange={(e) => props.onChange(e.target.value as T)}>
          {props.options.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
        </select>
      )}
    </Field>
  );
}

export function FormError({ message }: { message?: string }) {
  return message ? (
    <p className="error" role="alert">
      {message}
    </p>
  ) : null;
}

/** A labelled text input; other attributes (type, placeholder, autoComplete...) go to the input. */
export function TextField(props: { label: string; error?: string; value: string; onChange: (value: string) => void } & Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "value" | "onChange">) {
  const { label, error, value, onChange, ...rest } = props;
  return (
    <Field label={label} error={error}>
      {(id, d) => <input id={id} aria-describedby={d} value={value} onChange={(e) => onChange(e.target.value)} {...rest} />}
    </Field>
  );
}
