import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import WebSocket from 'ws';
import { MemoryStore } from '../../store/memory.js';
import { RealClock } from '../../clock/clock.js';
import { R, type KubeObject } from '../../client/types.js';
import { startApiServer, type ApiServer } from '../server.js';
import type { NodeStreams, TerminalSize } from '../../nodes/exec.js';
import { installPodStreaming } from './index.js';

const TOKEN = 'secret';
let server: ApiServer;
const resizes: TerminalSize[] = [];

const nodes: NodeStreams = {
  getLogs: (_ns, pod, container, opts) => `${pod}/${container} tail=${opts?.tailLines ?? '-'} ts=${opts?.timestamps ?? false}\n`,
  async *followLogs() {
    yield 'one\n';
  },
  async execInContainer(_ns, _pod, _c, command, io) {
    if (command[0] === 'cat') {
      for await (const chunk of io.stdin!) io.stdout.write(chunk);
      if (io.resize) for await (const s of io.resize) resizes.push(s);
      io.stderr.write('done');
      return { exitCode: 7 };
    }
    throw new Error('nope');
  },
};

const podObj = (name: string, containers: string[], nodeName?: string, init: string[] = []) =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName, containers: containers.map((n) => ({ name: n, image: 'x' })), initContainers: init.length ? init.map((n) => ({ name: n, image: 'x' })) : undefined },
  }) as unknown as KubeObject;

function get(path: string, token = TOKEN): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${server.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body, type: res.headers['content-type'] }));
      })
      .on('error', reject);
  });
}

beforeAll(async () => {
  server = await startApiServer({ store: new MemoryStore(), clock: new RealClock(), token: TOKEN });
  installPodStreaming(server, { nodes });
  await server.client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as KubeObject);
  await server.client.create(R.pods, 'default', podObj('one', ['app'], 'n1'));
  await server.client.create(R.pods, 'default', podObj('two', ['a', 'b'], 'n1', ['init']));
  await server.client.create(R.pods, 'default', podObj('pending', ['app']));
});
afterAll(async () => {
  await server?.close();
});

describe('pods/log', () => {
  it('passes options to the node and answers text/plain', async () => {
    const r = await get('/api/v1/namespaces/default/pods/one/log?tailLines=3&timestamps=true');
    expect(r).toEqual({ status: 200, body: 'one/app tail=3 ts=true\n', type: 'text/plain' });
    const f = await get('/api/v1/namespaces/default/pods/one/log?follow=true');
    expect(f.body).toBe('one\n');
  });

  it('answers upstream errors: container choice, options, missing pod, no host, no token', async () => {
    const two = await get('/api/v1/namespaces/default/pods/two/log');
    expect(two.status).toBe(400);
    expect(JSON.parse(two.body).message).toBe('a container name must be specified for pod two, choose one of: [a b] or one of the init containers: [init]');
    expect(JSON.parse((await get('/api/v1/namespaces/default/pods/two/log?container=c')).body).message).toBe('container c is not valid for pod two');
    const neg = await get('/api/v1/namespaces/default/pods/one/log?tailLines=-1');
    expect(neg.status).toBe(422);
    expect(JSON.parse(neg.body).message).toBe('PodLogOptions "one" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0');
    expect(JSON.parse((await get('/api/v1/namespaces/default/pods/zzz/log')).body).message).toBe('pods "zzz" not found');
    expect(await get('/api/v1/namespaces/default/pods/pending/log')).toEqual({ status: 200, body: '', type: 'text/plain' });
    expect((await get('/api/v1/namespaces/default/pods/one/log', '')).status).toBe(401);
  });

  it('exec without an upgrade is refused', async () => {
    const r = await get('/api/v1/namespaces/default/pods/one/exec?command=ls&stdout=true');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).message).toBe('Upgrade request required');
  });
});

function wsExec(path: string, protocol: string, token = TOKEN): Promise<{ ws: WebSocket; frames: Buffer[]; closed: Promise<void> }> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}${path}`, [protocol], { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const frames: Buffer[] = [];
  ws.on('message', (d: Buffer) => frames.push(d));
  const closed = new Promise<void>((r) => ws.on('close', () => r()));
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, frames, closed }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

describe('pods/exec over WebSocket', () => {
  it('v5: stdin, stdin close signal, resize, stdout/stderr channels, exit status on channel 3', async () => {
    const { ws, frames, closed } = await wsExec('/api/v1/namespaces/default/pods/one/exec?command=cat&stdin=true&stdout=true&stderr=true&tty=false', 'v5.channel.k8s.io');
    expect(ws.protocol).toBe('v5.channel.k8s.io');
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello')]));
    ws.send(Buffer.from([255, 0]));
    await closed;
    const byChannel = frames.map((f) => [f[0], f.subarray(1).toString()]);
    expect(byChannel).toEqual([
      [1, 'hello'],
      [2, 'done'],
      [3, JSON.stringify({ metadata: {}, status: 'Failure', message: 'command terminated with non-zero exit code: error executing command [cat], exit code 7', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '7' }] } })],
    ]);
  });

  it('tty: resize events reach the runtime', async () => {
    resizes.length = 0;
    const { ws, frames, closed } = await wsExec('/api/v1/namespaces/default/pods/one/exec?command=cat&stdin=true&stdout=true&tty=true', 'v5.channel.k8s.io');
    ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":80,"Height":24}')]));
    ws.send(Buffer.from([255, 0]));
    // resize ends when the connection does in this fake; close from our side after the status
    await new Promise((r) => setTimeout(r, 100));
    ws.close();
    await closed;
    expect(resizes).toEqual([{ width: 80, height: 24 }]);
    // the client left before the command ended: nothing more is sent
    expect(frames).toEqual([]);
  });

  it('a runtime failure is an InternalError status', async () => {
    const { frames, closed } = await wsExec('/api/v1/namespaces/default/pods/one/exec?command=ls&stdout=true', 'v4.channel.k8s.io');
    await closed;
    expect(frames.map((f) => [f[0], JSON.parse(f.subarray(1).toString())])).toEqual([
      [3, { metadata: {}, status: 'Failure', message: 'Internal error occurred: error executing command in container: nope', reason: 'InternalError', details: { causes: [{ message: 'error executing command in container: nope' }] }, code: 500 }],
    ]);
  });

  it('refuses before the upgrade: no token, unknown protocol, no host', async () => {
    await expect(wsExec('/api/v1/namespaces/default/pods/one/exec?command=ls&stdout=true', 'v5.channel.k8s.io', '')).rejects.toThrow('HTTP 401');
    await expect(wsExec('/api/v1/namespaces/default/pods/one/exec?command=ls&stdout=true', 'base64.channel.k8s.io')).rejects.toThrow('HTTP 400');
    await expect(wsExec('/api/v1/namespaces/default/pods/pending/exec?command=ls&stdout=true', 'v5.channel.k8s.io')).rejects.toThrow('HTTP 400');
  });
});
