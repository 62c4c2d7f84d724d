// `npm run package:bundled -- [TARGET] [--binary PATH] [--out FILE]` (--help for the details):
// a platform .vsix with the ladder-ls server inside. The work is in scripts/bundle.ts, compiled
// here with esbuild (a dev dependency) so that it shares src/platform.ts with the extension.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, '.build/package-bundled.cjs');
await build({
  absWorkingDir: root,
  entryPoints: ['scripts/bundle.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  logLevel: 'warning',
});
const { main } = createRequire(import.meta.url)(outfile);
process.exitCode = main(process.argv.slice(2), root);
