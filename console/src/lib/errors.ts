// API errors shown next to the field they name: FastAPI's 422 `detail` is a list of {loc, msg}.

export type FieldErrors = Record<string, string>;

interface Problem {
  loc?: (string | number)[];
  msg?: string;
}

/** Field path ("window.start", "flow.0.body") -> message; "" holds what names no field. */
export function fieldErrors(error: unknown): FieldErrors {
  const detail = (error as { detail?: unknown } | undefined)?.detail;
  if (typeof detail === "string") return { "": detail };
  if (!Array.isArray(detail)) return error ? { "": "The request failed" } : {};
  const found: FieldErrors = {};
  for (const problem of detail as Problem[]) {
    const loc = (problem.loc ?? []).filter((part, i) => !(i === 0 && (part === "body" || part === "query")));
    const key = loc.filter((part) => !isUnionTag(part)).join(".");
    found[key] = found[key] ? `${found[key]}; ${problem.msg ?? "invalid"}` : (problem.msg ?? "invalid");
  }
  return found;
}

// pydantic names the member of a tagged union in the path ("flow.0.phone.agent_id"): not a field.
function isUnionTag(part: string | number): boolean {
  return part === "phone" || part === "sms" || part === "email";
}

/** The message for `field` and everything below it. */
export function errorFor(errors: FieldErrors, field: string): string | undefined {
  const own = Object.entries(errors).filter(([key]) => key === field || key.startsWith(`${field}.`));
  return own.length ? own.map(([, msg]) => msg).join("; ") : undefined;
}
