import { useCallback, useEffect, useState } from "react";
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

/** A change asked of the API, then the list it changed loaded again. */
export async function thenReload(change: Promise<unknown>, reload: () => Promise<void>): Promise<void> {
  await change;
  await reload();
}
