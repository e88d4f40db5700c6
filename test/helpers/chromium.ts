// Real headless Chromium for the web view's tests: Debian's chromium (scripts/get-chromium.sh
// installs it on a fresh machine) driven by playwright-core, each browser with a fresh profile.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { repoRoot } from './cli.js';

/** where tests leave screenshots (git-ignored, kept as CI artefacts) */
export const SCREENSHOTS = join(repoRoot, '.cache', 'screenshots');

/** the chromium binary (installed on first use) */
export function chromiumPath(): string {
  return execFileSync('sh', [join(repoRoot, 'scripts/get-chromium.sh')], { encoding: 'utf8', timeout: 300_000 }).trim();
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * a headless browser at 1280×800 that accepts the cluster's self-signed certificate (the cluster's
 * own CA is not in its trust store, as in a user's browser before they accept it)
 */
export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'kindling-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
