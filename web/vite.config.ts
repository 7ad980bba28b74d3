import { defineConfig } from 'vite';

// The Manuel server serves web/dist at / with an SPA fallback; in `npm run dev` the API is proxied.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    manifest: true, // bench/web-size.ts reads it to tell first-load files from lazy chunks
    chunkSizeWarningLimit: 1500, // the lazy pdf.js chunk is big by nature; first load stays small
  },
  server: {
    fs: { allow: ['..'] }, // the viewer shares the highlight matcher with the server (../src)
    proxy: { '/api': process.env.MANUEL_API ?? 'http://127.0.0.1:3000', '/health': process.env.MANUEL_API ?? 'http://127.0.0.1:3000' },
  },
});
