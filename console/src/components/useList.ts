import { useCallback, useEffect, useState, type FormEvent } from "react";
import { fieldErrors, type FieldErrors } from "../lib/errors";

/** A list the page shows, loaded now and again after each change (`reload`). */
export function useList<T>(fetch: () => Promise<{ data?: T[] }>): [T[], () => Promise<void>] {
  const [items, setItems] = useState<T[]>([]);
  const reload = useCallback(async () => setItems((await fetch()).data ?? []), [fetch]);
  useEffect(() => void reload(), [reload]);
  return [items, reload];
}

/** The field errors of a form; `accept` keeps an API answer's data, or its errors (and then nothing). */
export function useErrors(): [FieldErrors, <T>(answer: { data?: T; error?: unknown }) => T | undefined] {
  const [errors, setErrors] = useState<FieldErrors>({});
  const accept = <T,>(answer: { data?: T; error?: unknown }): T | undefined => {
    setErrors(answer.data === undefined ? fieldErrors(answer.error) : {});
    return answer.data;
  };
  return [errors, accept];
}

/** A form that asks the API for a change to a list: on submit it `send`s; when the API takes the change,
 *  `done` gets the answer (to clear the form, show a secret) and the list loads again; else the form shows
 *  the API's field errors. */
export function useSubmit<T>(
  send: () => Promise<{ data?: T; error?: unknown }>,
  done: (data: T) => void,
  reload: () => Promise<void>,
): [FieldErrors, (event: FormEvent) => Promise<void>] {
  const [errors, accept] = useErrors();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const data = accept(await send());
    if (data === undefined) return;
    done(data);
    await reload();
  };
  return [errors, submit];
}

/** A change asked of the API, then the list it changed loaded again. */
export async function thenReload(change: Promise<unknown>, reload: () => Promise<void>): Promise<void> {
  await change;
  await reload();
}
