// Bundles the extension (dist/extension.js) and, with --tests, transpiles the pure modules and
// unit tests to out/ for `node --test`.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');

await build({
  absWorkingDir: root,
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  external: ['vscode'],
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
});

if (tests) {
  rmSync(join(root, 'out'), { recursive: true, force: true });
  const pure = ['src/settings.ts', 'src/binary.ts', 'src/platform.ts', 'src/status.ts', 'src/rules.ts', 'scripts/bundle.ts'];
  const unit = readdirSync(join(root, 'test/unit'))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `test/unit/${f}`);
  await build({
    absWorkingDir: root,
    entryPoints: [...pure, ...unit],
    outdir: 'out',
    outbase: '.',
    bundle: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}
