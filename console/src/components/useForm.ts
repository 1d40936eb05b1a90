import { useState } from "react";

/** A form's values in one state: `field(name)` is the change handler of one value, `reset` empties the form. */
export function useForm<T extends object>(empty: T) {
  const [values, setValues] = useState(empty);
  const field =
    <K extends keyof T>(name: K) =>
    (value: T[K]) =>
      setValues((now) => ({ ...now, [name]: value }));
  return { values, field, reset: () => setValues(empty) };
}
