// After `npm install`, re-add lockfile entries for msgpackr-extract's prebuilt packages of other
// platforms. The registry reachable here lacks some of them, so npm leaves them out of the lock,
// and `npm ci` then refuses the lock as out of sync. They are optional and never installed on
// Linux x64, so an entry with os/cpu is all npm ci needs to skip them.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const msgpackr = lock.packages['node_modules/msgpackr-extract'];
if (!msgpackr) process.exit(0);
let added = 0;
for (const name of Object.keys(msgpackr.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const [os, cpu] = name.replace('@msgpackr-extract/msgpackr-extract-', '').split('-');
  lock.packages[key] = { version: msgpackr.optionalDependencies[name], cpu: [cpu], license: 'MIT', optional: true, os: [os] };
  added++;
}
if (added) {
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
}
console.log(`lockfile: ${added} platform entries added`);
