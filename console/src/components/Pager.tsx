import { useState } from "react";

/** Cursor paging: the cursors of the pages seen, so Previous goes back and Next goes on. */
export function usePages() {
  const [pages, setPages] = useState<(string | null)[]>([null]);
  return {
    after: pages[pages.length - 1],
    reset: () => setPages([null]),
    controls: (next: string | null | undefined) => (
      <div className="actions">
        <button type="button" disabled={pages.length < 2} onClick={() => setPages(pages.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" disabled={!next} onClick={() => next && setPages([...pages, next])}>
          Next page
        </button>
      </div>
    ),
  };
}
