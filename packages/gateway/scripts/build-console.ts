/**
 * `npm run build:console`: bundles the web console (packages/gateway/console)
 * with esbuild into packages/gateway/build/ui, which the gateway serves at
 * /ui. The output is build output, never committed: `npm start`, `npm test`
 * and the Docker image run this first. Assets get content-hashed names so
 * the gateway can let browsers cache them for good; index.html names them
 * and is never cached. Prints each file's size, raw and gzipped.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const packageDir = resolve(import.meta.dirname, '..');
const sourceDir = join(packageDir, 'console', 'src');
const outDir = join(packageDir, 'build', 'ui');
const assetsDir = join(outDir, 'assets');

const started = performance.now();
await rm(outDir, { recursive: true, force: true });
await mkdir(assetsDir, { recursive: true });
const result = await build({
  entryPoints: [join(sourceDir, 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: assetsDir,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
const script = outputs.find((name) => name.endsWith('.js'));
const style = outputs.find((name) => name.endsWith('.css'));
if (script === undefined) throw new Error('esbuild produced no script');

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Runnel console</title>
<link rel="icon" href="data:,">
${style === undefined ? '' : `<link rel="stylesheet" href="/ui/assets/${style}">\n`}<script type="module" src="/ui/assets/${script}"></script>
</head>
<body>
<noscript>The Runnel console needs JavaScript.</noscript>
<div id="app"></div>
</body>
</html>
`;
await writeFile(join(outDir, 'index.html'), html);

let totalBytes = 0;
let totalGzipBytes = 0;
for (const name of outputs) {
  const bytes = await readFile(join(assetsDir, name));
  const gzipped = gzipSync(bytes).length;
  totalBytes += bytes.length;
  totalGzipBytes += gzipped;
  console.log(`  ui/assets/${name}  ${kib(bytes.length)} (${kib(gzipped)} gzipped)`);
}
console.log(
  `console built into ${outDir}: ${kib(totalBytes)} (${kib(totalGzipBytes)} gzipped) in ${Math.round(performance.now() - started)} ms`,
);

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
