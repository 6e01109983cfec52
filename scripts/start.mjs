// `npm start`: runs the compiled app in dist/ without compiling it (a deploy builds once with
// `npm run build`; replicas then start in well under a second and never race on dist/).
// It refuses to start a build that is missing or older than src/, and says what to do.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'dist', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    newest = Math.max(newest, item.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

if (!existsSync(entry)) {
  console.error('Rendezvous is not built: dist/main.js is missing. Run `npm run build` first, then `npm start`.');
  process.exit(1);
}
const src = join(root, 'src');
// A deployment may ship dist/ without src/; only a checkout can be stale.
if (existsSync(src) && newestMtime(src) > statSync(entry).mtimeMs) {
  console.error('Rendezvous is built from older sources: src/ changed after dist/ was built. Run `npm run build` first, then `npm start`.');
  process.exit(1);
}
await import(pathToFileURL(entry).href);
