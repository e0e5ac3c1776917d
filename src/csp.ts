/**
 * The Content-Security-Policy of the viewer, in one place for the two that
 * send it: `serve` as a header (src/cli/serve.ts) and every build as a <meta>
 * tag (vite.config.ts). Imports nothing, so that the Vite config does not load
 * the server to read it.
 */
/** Sent with every response of `serve`: nothing from outside this origin, no inline script. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // WebAssembly (the zstd decoder for schema-3 shards) needs wasm-unsafe-eval; it allows no JavaScript eval.
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  // data: lets the zstd decoder load its WebAssembly from the inline data URL it ships with; data: reaches no host.
  "connect-src 'self' data:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
