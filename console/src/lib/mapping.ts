// Mapping CSV columns onto contact fields (tested in mapping.test.ts).

export const FIELDS: { id: string; label: string; required?: boolean }[] = [
  { id: "to_number", label: "To Number", required: true },
  { id: "first_name", label: "First name" },
  { id: "last_name", label: "Last name" },
  { id: "email", label: "Email" },
  { id: "timezone", label: "Time zone" },
  { id: "state", label: "State" },
  { id: "postal_code", label: "Postal code" },
];

export type Mapping = Record<string, string>; // field -> column (name, or 1-based number without headers)

/** The column names a file offers: its header, or "1", "2", ... without one. */
export function columnsOf(header: string[] | null | undefined, rows: string[][]): string[] {
  if (header) return header;
  const width = Math.max(0, ...rows.map((r) => r.length));
  return Array.from({ length: width }, (_, i) => String(i + 1));
}

/** Put `column` on `field`; a column feeds one field, so it leaves any other field it was on. */
export function assign(mapping: Mapping, field: string, column: string): Mapping {
  const next: Mapping = {};
  for (const [f, c] of Object.entries(mapping)) if (c !== column && f !== field) next[f] = c;
  if (column) next[field] = column;
  return next;
}

/** Columns not mapped to a standard field are kept as custom fields under their own names. */
export function withCustom(mapping: Mapping, columns: string[], keepOthers: boolean): Mapping {
  if (!keepOthers) return mapping;
  const used = new Set(Object.values(mapping));
  const standard = new Set(FIELDS.map((f) => f.id));
  const custom: Mapping = {};
  for (const column of columns) {
    const name = column.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");
    if (!used.has(column) && name && !standard.has(name) && !/^\d+$/.test(name)) custom[name] = column;
  }
  return { ...mapping, ...custom };
}

export function mappingProblems(mapping: Mapping): Record<string, string> {
  return mapping.to_number ? {} : { mapping: "Map a column to To Number" };
}
