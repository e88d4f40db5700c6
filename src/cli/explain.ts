// `kindling explain`: where a DaemonSet's pods will run and why not, from the cluster's
// explain API (src/explain/README.md), on the kubeconfig's current context like kubectl.

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml, parseAllDocuments, stringify } from 'yaml';
import { remoteServer, parseAnswer } from '../cluster/remote.js';
import type { Explanation } from '../explain/placement.js';

const EXPLAIN_PREFIX = '/kindling/v1alpha1/explain';
const DAEMONSET_TYPES = new Set(['daemonset', 'daemonsets', 'ds', 'daemonset.apps', 'daemonsets.apps']);

/** "daemonset NAME" or "daemonset/NAME" as kubectl takes them */
export function parseTarget(type: string | undefined, name: string | undefined): string {
  if (!type) throw new Error('give a DaemonSet (kindling explain daemonset NAME) or a file (kindling explain -f ds.yaml)');
  let t = type;
  let n = name;
  const slash = type.indexOf('/');
  if (slash > 0) {
    if (name) throw new Error(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form`);
    t = type.slice(0, slash);
    n = type.slice(slash + 1);
  }
  if (!DAEMONSET_TYPES.has(t.toLowerCase())) throw new Error(`kindling explain explains DaemonSets, not "${t}"`);
  if (!n) throw new Error('give the DaemonSet\'s name: kindling explain daemonset NAME');
  return n;
}

/** the one DaemonSet in a manifest file ("-" = stdin) */
export function readDaemonSetFile(path: string): { body: string; contentType: string } {
  const text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  const docs = parseAllDocuments(text, { version: '1.1' }).filter((d) => d.contents !== null);
  for (const d of docs) if (d.errors.length) throw new Error(`error parsing ${path}: ${d.errors[0].message.split('\n')[0]}`);
  const objs = docs.map((d) => d.toJS() as { kind?: string });
  const dss = objs.filter((o) => o?.kind === 'DaemonSet');
  if (dss.length !== 1) throw new Error(`${path} must hold exactly one DaemonSet (found ${dss.length})`);
  return { body: JSON.stringify(dss[0]), contentType: 'application/json' };
}

/** the human view: summary, then the nodes that will not run a pod */
export function formatExplanation(e: Explanation, node?: string): string {
  const lines: string[] = [];
  const d = e.daemonSet;
  const what = d.stored ? (d.changed ? ' (changed template, not applied)' : '') : ' (not applied)';
  lines.push(`DaemonSet ${d.namespace}/${d.name}${what}, ${d.updateStrategy}, over ${e.totals.nodes.toLocaleString('en-US')} node(s):`);
  for (const s of e.summary) if (!s.note) lines.push(`  ${s.message}`);
  const notes = e.summary.filter((s) => s.note);
  if (notes.length) {
    lines.push('notes:');
    for (const s of notes) lines.push(`  ${s.message}`);
  }
  if (node) {
    const v = e.nodes[0];
    lines.push('', `node ${v.node}: ${v.willRun ? 'a daemon pod will run' : 'no daemon pod will run'}`);
    for (const r of v.reasons) lines.push(`  ${r.reason}: ${r.message}`);
    for (const p of v.pods ?? []) lines.push(`  pod ${p.name}: revision ${p.revision ?? '?'}${p.current ? ' (current)' : ''}, ${p.phase ?? 'Pending'}${p.ready ? ', Ready' : ''}${p.terminating ? ', terminating' : ''}`);
    return lines.join('\n') + '\n';
  }
  const blocked = e.nodes.filter((v) => !v.willRun);
  if (blocked.length) {
    const rows = blocked.map((v) => [v.node, v.reasons.filter((r) => r.blocking).map((r) => r.message.split(';')[0]).join('; ')]);
    const w = Math.max(4, ...rows.map((r) => r[0].length));
    lines.push('', `${'NODE'.padEnd(w)}   WHY NOT`);
    for (const [n, why] of rows) lines.push(`${n.padEnd(w)}   ${why}`);
  }
  return lines.join('\n') + '\n';
}

export function registerExplain(program: Command, fail: (what: string, e: unknown) => never): void {
  program
    .command('explain')
    .description('Explains where a DaemonSet\'s pods will run, and why not, on each node (kindling)')
    .argument('[type]', 'daemonset (or daemonset/NAME)')
    .argument('[name]', 'the DaemonSet')
    .option('-n, --namespace <ns>', 'the namespace', 'default')
    .option('-f, --filename <file>', 'a DaemonSet manifest to evaluate against the current nodes, without applying it ("-" for stdin)')
    .option('--node <node>', 'only this node')
    .option('-o, --output <format>', 'json or yaml (default: a summary and the nodes that will not run a pod)')
    .option('--kubeconfig <file>', 'kubeconfig to use (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .action(async (type: string | undefined, name: string | undefined, o) => {
      try {
        if (o.output && o.output !== 'json' && o.output !== 'yaml') throw new Error(`unknown output format "${o.output}" (json or yaml)`);
        const query = o.node ? `?node=${encodeURIComponent(o.node)}` : '';
        const server = remoteServer({ kubeconfig: o.kubeconfig, context: o.context });
        let path: string;
        let answer;
        if (o.filename) {
          if (type) throw new Error('give either -f FILE or daemonset NAME, not both');
          const { body, contentType } = readDaemonSetFile(o.filename);
          const ns = (parseYaml(body) as { metadata?: { namespace?: string } }).metadata?.namespace;
          path = `${EXPLAIN_PREFIX}${ns ? '' : `/namespaces/${encodeURIComponent(o.namespace)}`}/daemonsets${query}`;
          answer = await server.request('POST', path, body, contentType);
        } else {
          const dsName = parseTarget(type, name);
          path = `${EXPLAIN_PREFIX}/namespaces/${encodeURIComponent(o.namespace)}/daemonsets/${encodeURIComponent(dsName)}${query}`;
          answer = await server.request('GET', path);
        }
        const e = parseAnswer<Explanation>(answer, path);
        if (o.output === 'json') process.stdout.write(JSON.stringify(e, null, 2) + '\n');
        else if (o.output === 'yaml') process.stdout.write(stringify(e, { version: '1.1' }));
        else process.stdout.write(formatExplanation(e, o.node));
      } catch (err) {
        fail('explain', err);
      }
    });
}
