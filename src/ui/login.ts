// The CLI side of `kindling ui`: ask the running cluster for a one-time login link, and open it in
// the desktop's browser when there is a desktop.

import { spawn } from 'node:child_process';
import { readClusterState, runningServer } from '../cluster/state.js';
import { apiRequest } from '../cluster/daemon.js';
import { LOGINS_PATH } from './paths.js';

/** a fresh login link to the cluster's web view (valid once, for a few minutes) */
export async function loginLink(dir: string): Promise<{ url: string; expiresAt: string }> {
  const state = readClusterState(dir);
  const info = runningServer(dir);
  if (!info) throw new Error(`cluster "${state.name}" is not running (start it with: kindling start cluster --name ${state.name})`);
  const r = await apiRequest(dir, state, info.url, 'POST', LOGINS_PATH);
  let body: { path?: string; expiresAt?: string; message?: string } | undefined;
  try {
    body = JSON.parse(r.body);
  } catch {
    body = undefined;
  }
  if (r.status !== 201 || !body?.path) throw new Error(body?.message ?? `the server answered ${r.status}: ${r.body}`);
  return { url: `${info.url}${body.path}`, expiresAt: body.expiresAt ?? '' };
}

/** the command that opens a URL in the user's browser here; undefined without a desktop */
export function browserCommand(platform = process.platform, env: Record<string, string | undefined> = process.env): { cmd: string; args: string[] } | undefined {
  if (platform === 'darwin') return { cmd: 'open', args: [] };
  if (platform === 'win32') return { cmd: 'cmd', args: ['/c', 'start', '""'] };
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return { cmd: 'xdg-open', args: [] };
  return undefined;
}

/** open url in the desktop's browser; resolves false when that fails */
export function openInBrowser(url: string): Promise<boolean> {
  const how = browserCommand();
  if (!how) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(how.cmd, [...how.args, url], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
