// Bundle the web view (src/ui/web) into dist/ui/assets with esbuild: Preact and uPlot are compiled
// in, so nothing is fetched at run time. Their licences go beside the bundle.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const src = new URL('../src/ui/web/', import.meta.url);
const out = new URL('../dist/ui/assets/', import.meta.url);
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { app: new URL('app.tsx', src).pathname, login: new URL('login.ts', src).pathname },
  outdir: out.pathname,
  bundle: true,
  format: 'esm',
  target: ['chrome111', 'firefox115', 'safari16'],
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
for (const f of ['index.html', 'login.html', 'login.css']) copyFileSync(new URL(f, src), new URL(f, out));

const licences = ['preact', 'uplot'].map((name) => {
  const pkg = JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8'));
  const text = readFileSync(new URL(`../node_modules/${name}/LICENSE`, import.meta.url), 'utf8');
  return `${name} ${pkg.version} (${pkg.license})\n\n${text.trim()}\n`;
});
writeFileSync(new URL('licenses.txt', out), `The web view bundles these libraries:\n\n${licences.join('\n---\n\n')}`);
