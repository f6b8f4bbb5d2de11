// Vite builds the console into dist/, which the server serves at `/` (console-static.ts), with a
// brotli and a gzip copy of each text file written beside it (scripts/precompress.ts).
// `npm run dev -w packages/console` proxies the API to a server on :8080.
import { defineConfig } from 'vite';
import { precompress } from './scripts/precompress.ts';

export default defineConfig({
  base: '/',
  plugins: [precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            // React and the router change less often than the console: their chunk stays cached
            // across releases.
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|react-router|react-router-dom|scheduler)[\\/]/,
              priority: 2,
            },
            // What the first page needs of the other libraries (Ant Design's core and the sign-in
            // page's components): one chunk, so the first load carries nothing else
            // (test/console/console-assets.test.ts holds it under 250 kB compressed).
            { name: 'vendor-initial', test: /node_modules[\\/]/, tags: ['$initial'], priority: 1 },
            // The rest split by the pages that use them: a page loads the components it shows.
            {
              name: 'vendor',
              test: /node_modules[\\/]/,
              entriesAware: true,
              entriesAwareMergeThreshold: 20_000,
            },
          ],
        },
      },
      onwarn(warning, warn) {
        // antd marks its modules "use client" for React Server Components; meaningless in a SPA.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:8080',
      '/openapi.json': 'http://localhost:8080',
    },
  },
});
