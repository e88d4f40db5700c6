// The web view in real headless Chromium against a background cluster started by the built CLI:
// login through `kindling ui`, a DaemonSet's pods appearing on the right nodes, a taint changing a
// cell, a rolling update moving the cells and the chart, a node's details and verdicts, and the
// learner's actions (each checked through kubectl). Screenshots go to .cache/screenshots/.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { cliEnv, ensureBuilt, kindling, type CliEnv } from './helpers/cli.js';
import { KubectlRunner, kubectls, eventually } from './helpers/kubectl.js';
import { launchChromium, SCREENSHOTS, type Browser } from './helpers/chromium.js';

const NAME = 'uitest';
const CP = `${NAME}-control-plane`;
const W1 = `${NAME}-worker`;
const W2 = `${NAME}-worker2`;
const W3 = `${NAME}-worker3`;
const WORKERS = [W1, W2, W3];

// new pods take 1.5 s to become ready, so a rolling update is slow enough to watch
const RULES = `rules:
- name: slow-agent
  match: {labels: {app: agent}}
  ready: {delayMs: 1500}
`;

const agent = (image: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: default
spec:
  selector:
    matchLabels: {app: agent}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 1}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: ${image}
`;

type Box = { x: number; y: number; w: number; h: number; state: string; reason?: string; marks: { notReady: boolean; cordoned: boolean; taints: { key: string; effect: string }[] } };
/** the page's read-only probe (src/ui/web/app.tsx), inside page.evaluate */
declare const window: { kindlingView?: { box(node: string): Box | undefined; cells: Map<string, unknown>; chartData(): number[][] } };

describe('kindling ui in headless Chromium', () => {
  let e: CliEnv;
  let k: KubectlRunner;
  let browser: Browser;
  let page: Page;
  let base: string;

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `ui-${name}.png`) });
  const box = (node: string) => page.evaluate((n) => window.kindlingView?.box(n), node) as Promise<Box | undefined>;
  const state = async (node: string) => (await box(node))?.state;
  const loginUrl = async () => {
    const r = await kindling(e, 'ui', '--name', NAME, '--no-open');
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim();
  };
  /** click a node's cell with the mouse, as a person would */
  const clickNode = async (node: string) => {
    const b = (await box(node))!;
    const c = (await page.locator('.grid canvas').boundingBox())!;
    await page.mouse.click(c.x + b.x + b.w / 2, c.y + b.y + b.h / 2);
    await page.getByRole('region', { name: 'Node' }).getByRole('heading', { name: node }).waitFor();
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureBuilt();
    e = cliEnv();
    const rules = join(mkdtempSync(join(tmpdir(), 'kindling-ui-rules-')), 'rules.yaml');
    writeFileSync(rules, RULES);
    const [created, b] = await Promise.all([
      kindling(e, 'create', 'cluster', '--name', NAME, '--workers', '3', '--rules', rules, '--node-grace-period', '15s'),
      launchChromium(),
    ]);
    browser = b;
    expect(created.code, created.stderr).toBe(0);
    k = new KubectlRunner(kubectls()[kubectls().length - 1], e.kubeconfig);
    page = await browser.context.newPage();
    const url = new URL(await loginUrl());
    base = url.origin;
  });

  afterAll(async () => {
    await browser?.close();
    if (e) await kindling(e, 'delete', 'cluster', '--name', NAME);
  });

  it('lets nobody in without a login link, and a link only once', async () => {
    const res = await page.goto(`${base}/kindling/ui/`);
    expect(res?.status()).toBe(401);
    expect(await page.locator('main').innerText()).toContain('Run kindling ui');
    // the API refuses the page's requests as well
    expect(await page.evaluate(() => fetch('/api/v1/nodes').then((r) => r.status))).toBe(401);

    const url = await loginUrl();
    expect(url).toMatch(new RegExp(`^${base}/kindling/ui/login#token=[A-Za-z0-9_-]{43}$`));
    await page.goto(url);
    await page.waitForURL(`${base}/kindling/ui/`);
    const cookies = await browser.context.cookies(base);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: expect.stringMatching(/^kindling-ui-\d+$/), httpOnly: true, secure: true, sameSite: 'Strict' });
    // the fragment with the token is gone from the address bar and history
    expect(page.url()).toBe(`${base}/kindling/ui/`);

    // the same link a second time (another browser profile would be the same): refused
    const again = await browser.context.newPage();
    await again.goto(url);
    await again.getByText('this login link is used or expired').waitFor();
    await again.close();
  });

  it('draws every node, then a new DaemonSet\'s pods on the nodes they run on', async () => {
    await page.waitForFunction(() => (window.kindlingView?.cells.size ?? 0) === 4);
    // kube-system/kindnet (tolerates everything) is shown until there is another DaemonSet
    for (const n of [CP, ...WORKERS]) await expect.poll(() => state(n)).toBe('new-ready');

    await k.ok(['apply', '-f', '-'], { stdin: agent('registry.k8s.io/pause:3.9') });
    await expect.poll(() => page.getByRole('combobox', { name: 'DaemonSet' }).inputValue()).toBe('default/agent');
    const pods = await eventually(async () => {
      const out = (await k.ok(['get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}'])).trim().split('\n').filter(Boolean);
      return out.length === 3 && out;
    });
    expect(pods.sort()).toEqual(WORKERS);
    for (const w of WORKERS) await expect.poll(() => state(w), { timeout: 10_000 }).toBe('new-ready');
    // the control plane's NoSchedule taint keeps the pod off it, rightly, says the explain verdict
    await expect.poll(() => state(CP)).toBe('none-expected');
    expect((await box(CP))?.reason).toContain('taint node-role.kubernetes.io/control-plane:NoSchedule not tolerated');
    expect(await page.getByRole('region', { name: 'DaemonSet' }).locator('[data-counter="desired"] dd').innerText()).toBe('3');
    await expect.poll(() => page.getByRole('list', { name: 'Placement summary' }).innerText()).toContain('3 will run');
    await shot('1-applied');

    // stop the control plane's simulated kubelet now: NotReady comes after the 15 s grace period,
    // checked in the last test (its pods are kube-system's, not the agent's)
    await clickNode(CP);
    await page.getByRole('region', { name: 'Node' }).getByRole('button', { name: 'Stop node' }).click();
    await page.getByRole('status').getByText(`Stopped ${CP}'s kubelet`).waitFor();
  });

  it('shows a tainted node losing its pod, with the taint', async () => {
    await k.ok(['taint', 'nodes', W3, 'dedicated=infra:NoExecute']);
    await expect.poll(() => state(W3), { timeout: 10_000 }).toBe('none-expected');
    await expect.poll(async () => (await box(W3))?.reason).toContain('taint dedicated=infra:NoExecute not tolerated');
    const b = (await box(W3))!;
    expect(b.marks.taints).toEqual([expect.objectContaining({ key: 'dedicated', effect: 'NoExecute' })]);
    const c = (await page.locator('.grid canvas').boundingBox())!;
    await page.mouse.move(c.x + b.x + b.w / 2, c.y + b.y + b.h / 2);
    const tip = page.getByRole('tooltip');
    await expect.poll(() => tip.innerText()).toContain('taint dedicated=infra:NoExecute not tolerated');
    await shot('2-tainted');
    await page.mouse.move(0, 0);
  });

  it('follows a rolling update in the cells and the chart', async () => {
    const seen = new Set<string>();
    const before = (await page.evaluate(() => window.kindlingView!.chartData()))[0]?.length ?? 0;
    await k.ok(['set', 'image', 'daemonset/agent', 'agent=registry.k8s.io/pause:3.10']);
    let mid = false;
    await eventually(async () => {
      for (const w of [W1, W2]) seen.add((await state(w))!);
      if (!mid && [...seen].some((s) => s !== 'new-ready')) {
        mid = true;
        await shot('3-rolling');
      }
      const done = (await state(W1)) === 'new-ready' && (await state(W2)) === 'new-ready';
      const img = await k.ok(['get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={.items[*].spec.containers[0].image}']);
      return done && img.trim() === 'registry.k8s.io/pause:3.10 registry.k8s.io/pause:3.10';
    }, 30_000, 50);
    // the cells went through the old revision or a not-yet-ready new pod on the way
    expect([...seen].some((s) => ['old', 'new-unready', 'pending', 'terminating'].includes(s))).toBe(true);
    // the chart drew the rollout: updated dipped below desired and came back
    const [t, desired, updated] = await page.evaluate(() => window.kindlingView!.chartData());
    expect(t.length).toBeGreaterThan(before + 2);
    expect(updated.some((u, i) => u < desired[i])).toBe(true);
    await expect.poll(async () => {
      const d = await page.evaluate(() => window.kindlingView!.chartData());
      return d[2][d[2].length - 1] === 2 && d[1][d[1].length - 1] === 2;
    }).toBe(true);
    await shot('4-rolled');
  });

  it('shows a node\'s labels, taints, capacity and each DaemonSet\'s verdict', async () => {
    await clickNode(W3);
    const panel = page.getByRole('region', { name: 'Node' });
    await expect.poll(() => panel.innerText()).toContain('dedicated=infra:NoExecute');
    const text = await panel.innerText();
    expect(text).toContain(`kubernetes.io/hostname=${W3}`);
    expect(text).toMatch(/cpu\s+\d+/);
    expect(text).toContain('default/agent');
    const verdict = panel.locator('[data-ds="default/agent"]');
    await expect.poll(() => verdict.innerText()).toContain('Should not run here');
    expect(await verdict.innerText()).toContain('TaintNotTolerated');
    // kindnet tolerates every taint: it runs here
    await expect.poll(() => panel.locator('[data-ds="kube-system/kindnet"]').innerText()).toContain('Should run here');
    await shot('5-node');
  });

  it('cordons, taints, stops and restarts through the API calls kubectl makes', async () => {
    await clickNode(W2);
    const panel = page.getByRole('region', { name: 'Node' });
    const unschedulable = () => k.ok(['get', 'node', W2, '-o', 'jsonpath={.spec.unschedulable}']);
    await panel.getByRole('button', { name: 'Cordon' }).click();
    await expect.poll(unschedulable).toBe('true');
    // cordoning keeps the running daemon pod; the cell gets the cordon mark
    await expect.poll(async () => (await box(W2))?.marks.cordoned).toBe(true);
    expect((await box(W2))?.state).toBe('new-ready');
    await panel.getByRole('button', { name: 'Uncordon' }).click();
    await expect.poll(unschedulable).toBe('');
    await expect.poll(async () => (await box(W2))?.marks.cordoned).toBe(false);

    const taints = () => k.ok(['get', 'node', W2, '-o', 'jsonpath={range .spec.taints[*]}{.key}={.value}:{.effect}{"\\n"}{end}']);
    await panel.getByLabel('New taint').fill('ui=yes:NoSchedule');
    await panel.getByRole('button', { name: 'Add taint' }).click();
    await expect.poll(taints).toBe('ui=yes:NoSchedule\n');
    await panel.getByRole('button', { name: 'Remove taint ui=yes:NoSchedule' }).click();
    await expect.poll(taints).toBe('');

    // the control plane's kubelet, stopped in the second test, has gone silent for the grace period
    await clickNode(CP);
    await expect.poll(() => panel.locator('.sub').innerText(), { timeout: 30_000 }).toMatch(/^NotReady/);
    await expect.poll(async () => (await box(CP))?.state).toMatch(/^none-/);
    expect((await box(CP))?.marks.notReady).toBe(true);
    for (const w of WORKERS) expect((await box(w))?.marks.notReady).toBe(false);
    await shot('6-notready');
    await panel.getByRole('button', { name: 'Start node' }).click();
    await expect.poll(() => panel.locator('.sub').innerText(), { timeout: 10_000 }).toMatch(/^Ready/);

    const restartedAt = () => k.ok(['get', 'ds', 'agent', '-o', 'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}']);
    await page.getByRole('region', { name: 'DaemonSet' }).getByRole('button', { name: 'Rollout restart' }).click();
    await expect.poll(restartedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});
