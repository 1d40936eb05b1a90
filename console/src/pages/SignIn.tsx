import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import { Field, FormError } from "../components/Field";
import { errorFor, fieldErrors, type FieldErrors } from "../lib/errors";

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const { error, response } = await api.POST("/api/v1/auth/login", { body: { email, password } });
    setBusy(false);
    if (response.ok) return onSignedIn();
    setErrors(response.status === 401 ? { "": "Wrong email or password" } : fieldErrors(error));
  };

  return (
    <main className="signin">
      <h1>Sign in to Outreach</h1>
      <form onSubmit={submit}>
        <Field label="Email" error={errorFor(errors, "email")}>
          {(id, d) => (
            <input id={id} aria-describedby={d} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
          )}
        </Field>
        <Field label="Password" error={errorFor(errors, "password")}>
          {(id, d) => (
            <input id={id} aria-describedby={d} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          )}
        </Field>
        <FormError message={errors[""]} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
