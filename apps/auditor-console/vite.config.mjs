import { defineConfig } from 'vite';

// The API serves the built console at /console (apps/ledger-api/src/console), from dist/console beside the compiled server.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../../dist/console',
    emptyOutDir: true,
    // Only one entry: no need for the modulepreload polyfill's inline script, which the console's CSP would refuse anyway.
    modulePreload: { polyfill: false },
  },
});
