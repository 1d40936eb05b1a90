import { useEffect, useRef } from "react";

/** A modal question with a confirm and a cancel button (the native dialog: focus kept inside, Esc cancels). */
export function Confirm(props: { open: boolean; title: string; text: string; confirm: string; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal?.();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-label={props.title} onCancel={props.onCancel}>
      <h2>{props.title}</h2>
      <p>{props.text}</p>
      <div className="actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={props.onConfirm}>
          {props.confirm}
        </button>
      </div>
    </dialog>
  );
}
