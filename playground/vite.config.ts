// Builds the three pages into dist/, which Herald embeds and serves at
// `/`, `/graphiql` and `/inbox`, with assets under `/assets/`. Files in
// public/ are copied to dist/ as they are: the inbox's service worker,
// served at `/push-worker.js`.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const src = resolve(import.meta.dirname, 'src');

/** The Herald that `npm run dev` forwards API calls to. */
const herald = process.env['HERALD_URL'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: src,
  // Absolute from the root: pages at /graphiql and /inbox load /assets/….
  base: '/',
  publicDir: resolve(import.meta.dirname, 'public'),
  build: {
    outDir: resolve(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    // Embedded in the server binary and committed: no source maps.
    sourcemap: false,
    // Monaco (GraphiQL's editor) alone is larger than the default limit.
    chunkSizeWarningLimit: 5000,
    rolldownOptions: {
      onwarn(warning, warn) {
        // React libraries mark their modules "use client" for server
        // components; in a client-only bundle the directive means nothing.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      input: {
        index: resolve(src, 'index.html'),
        graphiql: resolve(src, 'graphiql/index.html'),
        inbox: resolve(src, 'inbox/index.html'),
      },
    },
  },
  worker: { format: 'es' },
  server: {
    proxy: {
      '/graphql': { target: herald, ws: true },
      '/uploads': { target: herald },
    },
  },
});
