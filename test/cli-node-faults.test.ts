// Failing and recovering nodes of a background cluster from the CLI: `kindling node stop|start`
// (the kubelet goes silent; node lifecycle marks the node Unknown after the grace period, taints
// it unreachable, and DaemonSets stop counting it), `kindling node condition`, and lifecycle
// rules at create time (`--rules`) and at run time (`kindling rules set`).

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, ensureBuilt, kindling, type CliEnv } from './helpers/cli.js';
import { KubectlRunner, kubectls, eventually, parseTable } from './helpers/kubectl.js';

const NAME = 'faults';
const W1 = `${NAME}-worker`;
const W2 = `${NAME}-worker2`;

const probeDs = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: probe
spec:
  selector:
    matchLabels: {app: probe}
  template:
    metadata:
      labels: {app: probe}
    spec:
      containers:
      - name: probe
        image: registry.k8s.io/pause:3.9
`;

const pod = (name: string, image: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  nodeName: ${W1}
  containers:
  - name: app
    image: ${image}
`;

describe('kindling node faults and lifecycle rules', () => {
  let e: CliEnv;
  let k: KubectlRunner;
  let dir: string;

  const taints = async (node: string) => k.ok(['get', 'node', node, '-o', 'jsonpath={range .spec.taints[*]}{.key}:{.effect}{"\\n"}{end}']);
  const desired = async () => k.ok(['get', 'ds', 'probe', '-o', 'jsonpath={.status.desiredNumberScheduled}']);
  const nodeStatus = async (node: string) => parseTable(await k.ok(['get', 'node', node]))[1][1];

  beforeAll(async () => {
    await ensureBuilt();
    e = cliEnv();
    dir = mkdtempSync(join(tmpdir(), 'kindling-rules-'));
    writeFileSync(join(dir, 'rules.yaml'), 'rules:\n- name: blocked-tag\n  match: {image: "*:blocked"}\n  pull: {fail: ErrImagePull}\n');
    const created = await kindling(e, 'create', 'cluster', '--name', NAME, '--workers', '2', '--node-grace-period', '15s', '--rules', join(dir, 'rules.yaml'));
    expect(created.code, created.stderr).toBe(0);
    k = new KubectlRunner(kubectls()[0], e.kubeconfig);
    await k.ok(['apply', '-f', '-'], { stdin: probeDs });
    // the control-plane taint keeps probe on the two workers
    await eventually(async () => (await desired()) === '2' && (await k.ok(['get', 'ds', 'probe', '-o', 'jsonpath={.status.numberAvailable}'])) === '2', 30_000);
  }, 300_000);

  afterAll(async () => {
    if (e) await kindling(e, 'delete', 'cluster', '--name', NAME);
  }, 60_000);

  it('node stop: NotReady after the grace period, unreachable taints, DaemonSet desired drops; node start: back', async () => {
    const stop = await kindling(e, 'node', 'stop', W2, '--name', NAME);
    expect(stop).toEqual({ code: 0, stdout: '', stderr: `Stopped node "${W2}"\n` });
    await eventually(async () => (await nodeStatus(W2)) === 'NotReady', 40_000, 500);
    const ready = JSON.parse(await k.ok(['get', 'node', W2, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")]}']));
    expect([ready.status, ready.reason, ready.message]).toEqual(['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
    await eventually(async () => (await taints(W2)) === 'node.kubernetes.io/unreachable:NoSchedule\nnode.kubernetes.io/unreachable:NoExecute\n', 20_000);
    await eventually(async () => (await desired()) === '1', 20_000);
    expect(await nodeStatus(W1)).toBe('Ready');

    const start = await kindling(e, 'node', 'start', W2, '--name', NAME);
    expect(start).toEqual({ code: 0, stdout: '', stderr: `Started node "${W2}"\n` });
    await eventually(async () => (await nodeStatus(W2)) === 'Ready', 20_000);
    await eventually(async () => (await taints(W2)) === '', 20_000);
    await eventually(async () => (await desired()) === '2', 20_000);
  }, 120_000);

  it('node condition: MemoryPressure is tolerated by DaemonSet pods, Ready=False is not', async () => {
    const mem = await kindling(e, 'node', 'condition', W1, 'MemoryPressure=True', '--name', NAME);
    expect(mem).toEqual({ code: 0, stdout: '', stderr: `Node "${W1}" reports MemoryPressure=True\n` });
    const cond = JSON.parse(await k.ok(['get', 'node', W1, '-o', 'jsonpath={.status.conditions[?(@.type=="MemoryPressure")]}']));
    expect([cond.status, cond.reason, cond.message]).toEqual(['True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available']);
    await eventually(async () => (await taints(W1)) === 'node.kubernetes.io/memory-pressure:NoSchedule\n', 20_000);
    // the DaemonSet controller adds a memory-pressure toleration to its pods: still desired there
    expect(await desired()).toBe('2');

    expect((await kindling(e, 'node', 'condition', W1, 'Ready=False', '--name', NAME)).code).toBe(0);
    await eventually(async () => (await nodeStatus(W1)) === 'NotReady', 20_000);
    await eventually(async () => (await taints(W1)).includes('node.kubernetes.io/not-ready:NoSchedule\n'), 20_000);
    await eventually(async () => (await desired()) === '1', 20_000);

    expect((await kindling(e, 'node', 'condition', W1, 'Ready=True', '--name', NAME)).code).toBe(0);
    expect((await kindling(e, 'node', 'condition', W1, 'MemoryPressure=False', '--name', NAME)).code).toBe(0);
    await eventually(async () => (await taints(W1)) === '' && (await desired()) === '2', 20_000);
  }, 120_000);

  it('refuses unknown nodes and malformed conditions', async () => {
    expect(await kindling(e, 'node', 'stop', 'nope', '--name', NAME)).toEqual({
      code: 1,
      stdout: '',
      stderr: `ERROR: failed to stop node: node "nope" not found in cluster "${NAME}"\n`,
    });
    const bad = await kindling(e, 'node', 'condition', W1, 'MemoryPressure', '--name', NAME);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'ERROR: failed to set node condition: invalid condition "MemoryPressure", expected TYPE=STATUS with STATUS one of True, False, Unknown (e.g. MemoryPressure=True)\n',
    );
  });

  it('rules from create --rules apply, rules set replaces them at run time', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: pod('blocked-1', 'registry.k8s.io/pause:blocked') });
    await eventually(async () => parseTable(await k.ok(['get', 'pod', 'blocked-1']))[1][2] === 'ErrImagePull', 20_000);

    writeFileSync(join(dir, 'none.yaml'), 'rules: []\n');
    const set = await kindling(e, 'rules', 'set', join(dir, 'none.yaml'), '--name', NAME);
    expect(set).toEqual({ code: 0, stdout: '', stderr: `Set lifecycle rules of cluster "${NAME}"\n` });
    await k.ok(['apply', '-f', '-'], { stdin: pod('blocked-2', 'registry.k8s.io/pause:blocked') });
    await eventually(async () => parseTable(await k.ok(['get', 'pod', 'blocked-2']))[1][2] === 'Running', 20_000);

    writeFileSync(join(dir, 'bad.yaml'), 'rules: 3\n');
    const bad = await kindling(e, 'rules', 'set', join(dir, 'bad.yaml'), '--name', NAME);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('ERROR: failed to set rules: lifecycle rules: expected a list of rules (or {rules: [...]})\n');
  }, 60_000);
});
