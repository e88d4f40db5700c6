// `kubectl describe pod`'s Events, as upstream shows them: the scheduler's Scheduled, then the
// kubelet's Pulling / Pulled / Created / Started (source kubelet on the pod's node).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type StartedCluster } from '../src/index.js';
import { R } from '../src/client/types.js';
import { KubectlRunner, kubectls, eventually } from './helpers/kubectl.js';

let cluster: StartedCluster;
beforeAll(async () => {
  cluster = await startCluster({ name: 'describe-pod' });
  await cluster.runtime.waitForNodesReady(30_000);
});
afterAll(async () => {
  await cluster?.stop();
});

const NODE = 'describe-pod-control-plane';

/** the Events section's rows, columns split on runs of 2+ spaces */
function eventRows(out: string): string[][] {
  const at = out.indexOf('\nEvents:\n');
  expect(at).toBeGreaterThan(0);
  return out
    .slice(at + '\nEvents:\n'.length)
    .split('\n')
    .filter((l) => /^ {2}(Normal|Warning) /.test(l))
    .map((l) => l.trim().split(/ {2,}/));
}

describe.each(kubectls())('kubectl $version describe pod', (k) => {
  let kc: KubectlRunner;
  beforeAll(() => {
    kc = new KubectlRunner(k, cluster.kubeconfigPath);
  });

  it('Events: Scheduled, then the kubelet pulls the image (or finds it present), creates and starts the container', async () => {
    const v = k.version.replace('.', '');
    // an image per kubectl version: the first pod pulls it, the second finds it on the node (IfNotPresent)
    const image = `nginx:1.27.${v}`;
    for (const name of [`first-${v}`, `second-${v}`]) {
      await kc.ok(['run', name, `--image=${image}`, '--restart=Never']);
      await eventually(async () => {
        const p = await cluster.client.get<any>(R.pods, 'default', name);
        return p.status?.phase === 'Running';
      });
    }
    const describeEvents = async (name: string) =>
      eventually(async () => {
        const rows = eventRows(await kc.ok(['describe', 'pod', name]));
        return rows.length >= 4 ? rows : undefined;
      });

    const first = await describeEvents(`first-${v}`);
    // Type, Reason, Age, From, Message
    expect(first.map((r) => [r[0], r[1], r[3], r[4].replace(/ Image size: \d+ bytes\.$/, ' Image size: N bytes.')])).toEqual([
      ['Normal', 'Scheduled', 'default-scheduler', `Successfully assigned default/first-${v} to ${NODE}`],
      ['Normal', 'Pulling', 'kubelet', `Pulling image "${image}"`],
      ['Normal', 'Pulled', 'kubelet', `Successfully pulled image "${image}" in 0s (0s including waiting). Image size: N bytes.`],
      ['Normal', 'Created', 'kubelet', `Created container: first-${v}`],
      ['Normal', 'Started', 'kubelet', `Started container first-${v}`],
    ]);
    for (const r of first) expect(r[2]).toMatch(/^\d+s$/);

    const second = await describeEvents(`second-${v}`);
    expect(second.map((r) => [r[0], r[1], r[3], r[4]])).toEqual([
      ['Normal', 'Scheduled', 'default-scheduler', `Successfully assigned default/second-${v} to ${NODE}`],
      ['Normal', 'Pulled', 'kubelet', `Container image "${image}" already present on machine`],
      ['Normal', 'Created', 'kubelet', `Created container: second-${v}`],
      ['Normal', 'Started', 'kubelet', `Started container second-${v}`],
    ]);

    // the events' source host is the pod's node
    const evs = (await cluster.client.list<any>(R.events, 'default')).items.filter((e) => e.involvedObject.name === `first-${v}` && e.source.component === 'kubelet');
    expect(evs.map((e) => e.source.host)).toEqual([NODE, NODE, NODE, NODE]);
  });
});
