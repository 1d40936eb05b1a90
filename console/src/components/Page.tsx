import { useId, type ReactNode } from "react";

/** A page of the console: a section named by its heading, with what stands beside the heading (`actions`). */
export function Page(props: { title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  const id = useId();
  const heading = <h1 id={id}>{props.title}</h1>;
  return (
    <section aria-labelledby={id}>
      {props.actions ? <div className="title-row">{heading}{props.actions}</div> : heading}
      {props.children}
    </section>
  );
}
