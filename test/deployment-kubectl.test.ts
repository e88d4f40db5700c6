// Deployments end to end with kubectl 1.20 and a current kubectl against a four-node
// cluster: create, the deploy/rs/pod columns, set image, rollout status|history|undo|restart,
// scale (the scale subresource), get all, and a cascading delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedCluster } from '../src/index.js';
import { R } from '../src/client/types.js';
import { KubectlRunner, kubectls, parseTable, eventually } from './helpers/kubectl.js';
import { startFourNodeCluster } from './helpers/cluster.js';

let cluster: StartedCluster;
beforeAll(async () => {
  cluster = await startFourNodeCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

/** the sections of `kubectl get a,b,c` (separated by blank lines), parsed */
function sections(out: string): string[][][] {
  return out
    .trim()
    .split(/\n\s*\n/)
    .map((s) => parseTable(s));
}

describe.each(kubectls())('deployments with kubectl $version', (k) => {
  let kc: KubectlRunner;
  const ns = `deploy-${k.version.replace('.', '')}`;
  const rsName = /^nginx-[bcdfghjklmnpqrstvwxz2456789]{1,10}$/;

  beforeAll(async () => {
    kc = new KubectlRunner(k, cluster.kubeconfigPath);
    await kc.ok(['create', 'namespace', ns]);
  });

  const rolledOut = async () => {
    const out = await kc.ok(['rollout', 'status', 'deployment/nginx', '-n', ns, '--timeout=60s'], { timeoutMs: 70_000 });
    expect(out.trim().split('\n').pop()).toBe('deployment "nginx" successfully rolled out');
    return out;
  };

  it('create deployment and get deploy,rs,pods', async () => {
    expect(await kc.ok(['create', 'deployment', 'nginx', '--image=nginx', '--replicas=3', '-n', ns])).toBe('deployment.apps/nginx created\n');
    const status = await rolledOut();
    for (const line of status.trim().split('\n').slice(0, -1)) {
      expect(line).toMatch(/^Waiting for deployment "nginx" rollout to finish: (\d+ out of 3 new replicas have been updated|\d+ of 3 updated replicas are available|\d+ old replicas are pending termination)\.\.\.$/);
    }
    const [deploy, rs, pods] = sections(await kc.ok(['get', 'deploy,rs,pods', '-n', ns]));
    expect(deploy[0]).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(deploy[1].slice(0, 4)).toEqual(['deployment.apps/nginx', '3/3', '3', '3']);
    expect(rs[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    expect(rs.length).toBe(2);
    const rsFull = rs[1][0].replace('replicaset.apps/', '');
    expect(rsFull).toMatch(rsName);
    expect(rs[1].slice(1, 4)).toEqual(['3', '3', '3']);
    expect(pods[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(pods.length).toBe(4);
    for (const p of pods.slice(1)) {
      expect(p[0]).toMatch(new RegExp(`^pod/${rsFull}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(p.slice(1, 4)).toEqual(['1/1', 'Running', '0']);
    }
    // the deployment's revision annotation, the RS's owner and pod-template-hash
    const d = JSON.parse(await kc.ok(['get', 'deploy', 'nginx', '-n', ns, '-o', 'json']));
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    const conds = Object.fromEntries(d.status.conditions.map((c: any) => [c.type, [c.status, c.reason, c.message]]));
    expect(conds.Available).toEqual(['True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.']);
    expect(conds.Progressing).toEqual(['True', 'NewReplicaSetAvailable', `ReplicaSet "${rsFull}" has successfully progressed.`]);
    const r = JSON.parse(await kc.ok(['get', 'rs', rsFull, '-n', ns, '-o', 'json']));
    expect(r.metadata.ownerReferences[0]).toMatchObject({ kind: 'Deployment', name: 'nginx', controller: true, blockOwnerDeletion: true });
    expect(r.metadata.labels['pod-template-hash']).toBe(rsFull.slice('nginx-'.length));
    expect(r.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
    const events = await cluster.client.list<any>(R.events, ns);
    const msgs = events.items.filter((e) => e.reason === 'ScalingReplicaSet').map((e) => `${e.source?.component} ${e.message}`);
    expect(msgs).toContain(`deployment-controller Scaled up replica set ${rsFull} to 3 from 0`);
    // events are written asynchronously
    const created = await eventually(async () => {
      const evs = (await cluster.client.list<any>(R.events, ns)).items.filter((e) => e.reason === 'SuccessfulCreate' && e.involvedObject.name === rsFull);
      return evs.length === 3 && evs;
    }, 10_000);
    expect(created[0].source.component).toBe('replicaset-controller');
    expect(created[0].message).toMatch(new RegExp(`^Created pod: ${rsFull}-[a-z0-9]{5}$`));
  }, 90_000);

  it('set image rolls out a new ReplicaSet; rollout history', async () => {
    expect(await kc.ok(['set', 'image', 'deployment/nginx', 'nginx=nginx:1.25', '-n', ns])).toBe('deployment.apps/nginx image updated\n');
    await rolledOut();
    let last = '';
    await eventually(async () => {
      last = await kc.ok(['get', 'rs', '-n', ns]);
      const rs = parseTable(last).slice(1);
      // both were created within a second: compare by content, not by order
      const counts = rs.map((r) => r.slice(1, 4).join()).sort();
      return rs.length === 2 && counts.join(' ') === '0,0,0 3,3,3';
    }, 30_000).catch((e) => {
      throw new Error(`${e.message}\n${last}`);
    });
    expect(await kc.ok(['rollout', 'history', 'deployment/nginx', '-n', ns])).toBe('deployment.apps/nginx \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');
    // the change-cause annotation is copied to the current ReplicaSet
    await kc.ok(['annotate', 'deployment/nginx', 'kubernetes.io/change-cause=image 1.25', '-n', ns]);
    await eventually(async () => {
      const out = await kc.ok(['rollout', 'history', 'deployment/nginx', '-n', ns]);
      return out === 'deployment.apps/nginx \nREVISION  CHANGE-CAUSE\n1         <none>\n2         image 1.25\n\n';
    }, 20_000);
    const rev2 = await kc.ok(['rollout', 'history', 'deployment/nginx', '-n', ns, '--revision=2']);
    expect(rev2).toContain('Image:');
    expect(rev2).toContain('nginx:1.25');
  }, 90_000);

  it('rollout undo goes back to the first template as revision 3', async () => {
    expect(await kc.ok(['rollout', 'undo', 'deployment/nginx', '-n', ns])).toBe('deployment.apps/nginx rolled back\n');
    await rolledOut();
    const d = JSON.parse(await kc.ok(['get', 'deploy', 'nginx', '-n', ns, '-o', 'json']));
    expect(d.spec.template.spec.containers[0].image).toBe('nginx');
    await eventually(async () => {
      const out = await kc.ok(['rollout', 'history', 'deployment/nginx', '-n', ns]);
      return out === 'deployment.apps/nginx \nREVISION  CHANGE-CAUSE\n2         image 1.25\n3         <none>\n\n';
    }, 20_000);
    const rs = JSON.parse(await kc.ok(['get', 'rs', '-n', ns, '-o', 'json'])).items;
    const first = rs.find((r: any) => r.metadata.annotations['deployment.kubernetes.io/revision'] === '3');
    expect(first.metadata.annotations['deployment.kubernetes.io/revision-history']).toBe('1');
    expect(first.spec.template.spec.containers[0].image).toBe('nginx');
  }, 90_000);

  it('scale uses the scale subresource', async () => {
    expect(await kc.ok(['scale', 'deployment', 'nginx', '--replicas=5', '-n', ns])).toBe('deployment.apps/nginx scaled\n');
    await eventually(async () => {
      const rows = parseTable(await kc.ok(['get', 'deploy', 'nginx', '-n', ns]));
      return rows[1].slice(1, 4).join() === '5/5,5,5';
    }, 30_000);
    const bad = await kc.run(['scale', 'deployment', 'nginx', '--replicas=-1', '-n', ns]);
    expect(bad.code).not.toBe(0);
    const scale = JSON.parse(await kc.ok(['get', '--raw', `/apis/apps/v1/namespaces/${ns}/deployments/nginx/scale`]));
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 5 }, status: { replicas: 5, selector: 'app=nginx' } });
  }, 60_000);

  it('rollout pause and resume', async () => {
    expect(await kc.ok(['rollout', 'pause', 'deployment/nginx', '-n', ns])).toBe('deployment.apps/nginx paused\n');
    await eventually(async () => {
      const d = JSON.parse(await kc.ok(['get', 'deploy', 'nginx', '-n', ns, '-o', 'json']));
      const p = d.status.conditions.find((c: any) => c.type === 'Progressing');
      return p.status === 'Unknown' && p.reason === 'DeploymentPaused' && p.message === 'Deployment is paused';
    }, 20_000);
    expect(await kc.ok(['rollout', 'resume', 'deployment/nginx', '-n', ns])).toBe('deployment.apps/nginx resumed\n');
    await rolledOut();
  }, 60_000);

  it('rollout restart stamps the template and rolls out', async () => {
    expect(await kc.ok(['rollout', 'restart', 'deployment/nginx', '-n', ns])).toBe('deployment.apps/nginx restarted\n');
    await rolledOut();
    const d = JSON.parse(await kc.ok(['get', 'deploy', 'nginx', '-n', ns, '-o', 'json']));
    expect(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('4');
    const rows = parseTable(await kc.ok(['get', 'deploy', 'nginx', '-n', ns]));
    expect(rows[1].slice(1, 4)).toEqual(['5/5', '5', '5']);
  }, 90_000);

  it('get all', async () => {
    const out = await kc.ok(['get', 'all', '-n', ns]);
    expect(out).toMatch(/^deployment\.apps\/nginx +5\/5 +5 +5 /m);
    expect(out).toMatch(/^replicaset\.apps\/nginx-[a-z0-9]+ +5 +5 +5 /m);
    expect(out).toMatch(/^pod\/nginx-[a-z0-9]+-[a-z0-9]{5} +1\/1 +Running /m);
  }, 30_000);

  it('delete deployment cascades to ReplicaSets and pods', async () => {
    expect(await kc.ok(['delete', 'deployment', 'nginx', '-n', ns])).toBe('deployment.apps "nginx" deleted\n');
    await eventually(async () => {
      const rs = await cluster.client.list(R.replicasets, ns);
      const pods = await cluster.client.list(R.pods, ns);
      return rs.items.length === 0 && pods.items.length === 0;
    }, 60_000);
    const r = await kc.run(['get', 'deploy,rs,pods', '-n', ns]);
    expect(r.stderr).toBe(`No resources found in ${ns} namespace.\n`);
  }, 90_000);
});
