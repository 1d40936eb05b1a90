import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import { FormError, TextField } from "../components/Field";
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
        <TextField label="Email" error={errorFor(errors, "email")} type="email" autoComplete="username" value={email} onChange={setEmail} required />
        <TextField label="Password" error={errorFor(errors, "password")} type="password" autoComplete="current-password" value={password} onChange={setPassword} required />
        <FormError message={errors[""]} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
