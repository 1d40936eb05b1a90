import type { ReactNode } from "react";

/** A table with a header row of column names; `children` are its body rows. */
export function Table(props: { label?: string; columns: readonly string[]; children: ReactNode }) {
  return (
    <table aria-label={props.label}>
      <thead>
        <tr>{props.columns.map((c, i) => <th key={i} scope="col">{c}</th>)}</tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}
