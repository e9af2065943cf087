#!/usr/bin/env node
// The registry this project installs from serves no packages for other platforms, so npm leaves
// their optional entries (for example @swc/core-darwin-arm64) out of package-lock.json, and then
// `npm ci` refuses that very lockfile as "Missing: … from lock file" (npm/cli#9846). This adds
// each missing optional entry with its version, marked optional: npm ci then skips it on platforms
// it does not fit. Run it after changing dependencies: node .ci/complete-lockfile.js
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const file = join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (packages[nested] || packages[hoisted]) continue;
    packages[hoisted] = {
      version: spec.replace(/^[\^~=]/, ''),
      optional: true,
      ...(entry.dev ? { dev: true } : {}),
      ...(entry.devOptional ? { devOptional: true } : {}),
    };
    added++;
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`package-lock.json: ${added} optional platform entries added\n`);
