import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Built into dist/, which the gateway serves on the API's own origin (no CORS, nothing fetched at runtime).
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
  test: { environment: "jsdom", environmentOptions: { jsdom: { url: "http://127.0.0.1/" } }, globals: true, setupFiles: ["src/test/setup.ts"] },
});
