import { useState } from "react";
import type { FieldErrors } from "../lib/errors";
import type { Edit, Save } from "../pages/CampaignPage";

/** A campaign section's save: problems found in the browser stop it before the API is asked, the API's
 * refusals come back as field errors (nothing typed is lost), and `saved` says the last save went through. */
export function useSaving(save: Save): { errors: FieldErrors; saved: boolean; submit: (edit: Edit, problems?: FieldErrors) => Promise<void> } {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState(false);
  const submit = async (edit: Edit, problems: FieldErrors = {}) => {
    setErrors(problems);
    setSaved(false);
    if (Object.keys(problems).length) return;
    const refused = await save(edit);
    setErrors(refused);
    setSaved(Object.keys(refused).length === 0);
  };
  return { errors, saved, submit };
}
