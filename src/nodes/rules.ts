// Pod lifecycle as data (in the spirit of kwok's Stages): an ordered list of rules; for each
// container and each behaviour field (pull, start, ready, exit, terminate, logs, usage) the
// first rule that matches and sets that field wins. See README.md for the format.

import { readFileSync } from 'node:fs';
import YAML from 'yaml';

export interface RuleMatch {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** glob over the container image as written in the pod ("*" any run, "?" one char) */
  image?: string;
  namespace?: string;
  /** glob over the pod name */
  podName?: string;
  /** glob over the container name */
  container?: string;
}

export interface LifecycleRule {
  name: string;
  match?: RuleMatch;
  pull?: { delayMs?: number; fail?: 'ErrImagePull' };
  start?: { delayMs?: number; jitterMs?: number };
  ready?: { delayMs?: number };
  /** the container exits afterMs after starting with code; restart?: false overrides restartPolicy */
  exit?: { afterMs: number; code: number; restart?: boolean };
  terminate?: { delayMs?: number };
  logs?: string[];
  usage?: { cpu?: string; memory?: string };
  /** run the pod's containers as real processes (process) or simulate them; first matching container of a pod decides */
  runtime?: 'simulated' | 'process';
}

export type LifecycleRules = LifecycleRule[];

/** the behaviour resolved for one container */
export interface ContainerBehaviour {
  pull: { delayMs: number; fail?: 'ErrImagePull' };
  start: { delayMs: number; jitterMs: number };
  ready: { delayMs: number };
  exit?: { afterMs: number; code: number; restart?: boolean };
  terminate: { delayMs: number };
  logs: string[];
  usage: { cpu: string; memory: string };
  runtime?: 'simulated' | 'process';
}

/**
 * Images that cannot exist fail to pull, as they would against a registry: a tag
 * "non-existent", or a repository name containing "non-existent" or "doesnotexist"
 * (upstream's e2e tests use "foo:non-existent").
 */
export const DEFAULT_RULES: LifecycleRules = [
  { name: 'non-existent-tag', match: { image: '*:non-existent' }, pull: { fail: 'ErrImagePull' } },
  { name: 'non-existent-repository', match: { image: '*non-existent*' }, pull: { fail: 'ErrImagePull' } },
  { name: 'doesnotexist-repository', match: { image: '*doesnotexist*' }, pull: { fail: 'ErrImagePull' } },
];

export const DEFAULT_BEHAVIOUR: ContainerBehaviour = {
  pull: { delayMs: 0 },
  start: { delayMs: 0, jitterMs: 0 },
  ready: { delayMs: 0 },
  terminate: { delayMs: 0 },
  logs: [],
  usage: { cpu: '1m', memory: '5Mi' },
};

export function globMatch(glob: string, s: string): boolean {
  const re = new RegExp('^' + glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(s);
}

export interface PodFacts {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function ruleMatches(rule: LifecycleRule, pod: PodFacts, container: { name: string; image?: string }): boolean {
  const m = rule.match ?? {};
  if (m.namespace !== undefined && m.namespace !== pod.namespace) return false;
  if (m.podName !== undefined && !globMatch(m.podName, pod.name)) return false;
  if (m.container !== undefined && !globMatch(m.container, container.name)) return false;
  if (m.image !== undefined && !globMatch(m.image, container.image ?? '')) return false;
  for (const [k, v] of Object.entries(m.labels ?? {})) if (pod.labels?.[k] !== v) return false;
  for (const [k, v] of Object.entries(m.annotations ?? {})) if (pod.annotations?.[k] !== v) return false;
  return true;
}

/** first matching rule wins per field; user rules come before the defaults */
export function resolveBehaviour(rules: LifecycleRules, pod: PodFacts, container: { name: string; image?: string }): ContainerBehaviour {
  const out: ContainerBehaviour = structuredClone(DEFAULT_BEHAVIOUR);
  const set = new Set<string>();
  for (const rule of [...rules, ...DEFAULT_RULES]) {
    if (!ruleMatches(rule, pod, container)) continue;
    const take = <K extends keyof ContainerBehaviour>(k: K, v: unknown) => {
      if (v === undefined || set.has(k)) return;
      set.add(k);
      out[k] = { ...(out[k] as object), ...(v as object) } as ContainerBehaviour[K];
    };
    take('pull', rule.pull);
    take('start', rule.start);
    take('ready', rule.ready);
    take('terminate', rule.terminate);
    take('usage', rule.usage);
    if (rule.exit !== undefined && !set.has('exit')) {
      set.add('exit');
      out.exit = { ...rule.exit };
    }
    if (rule.runtime !== undefined && out.runtime === undefined) out.runtime = rule.runtime;
    if (rule.logs !== undefined && !set.has('logs')) {
      set.add('logs');
      out.logs = [...rule.logs];
    }
  }
  return out;
}

/** check the shape of rules read from a file; throws with the offending rule's index */
export function validateRules(data: unknown): LifecycleRules {
  const list = Array.isArray(data) ? data : (data as { rules?: unknown })?.rules;
  if (!Array.isArray(list)) throw new Error('lifecycle rules: expected a list of rules (or {rules: [...]})');
  list.forEach((r, i) => {
    if (!r || typeof r !== 'object') throw new Error(`lifecycle rules[${i}]: not an object`);
    const rule = r as LifecycleRule;
    if (typeof rule.name !== 'string' || !rule.name) throw new Error(`lifecycle rules[${i}]: name is required`);
    if (rule.exit && (typeof rule.exit.afterMs !== 'number' || typeof rule.exit.code !== 'number')) {
      throw new Error(`lifecycle rules[${i}] (${rule.name}): exit needs afterMs and code`);
    }
    if (rule.pull?.fail && rule.pull.fail !== 'ErrImagePull') throw new Error(`lifecycle rules[${i}] (${rule.name}): pull.fail must be ErrImagePull`);
    if (rule.runtime !== undefined && rule.runtime !== 'simulated' && rule.runtime !== 'process') throw new Error(`lifecycle rules[${i}] (${rule.name}): runtime must be simulated or process`);
    if (rule.logs && !Array.isArray(rule.logs)) throw new Error(`lifecycle rules[${i}] (${rule.name}): logs must be a list of strings`);
  });
  return list as LifecycleRules;
}

/** rules from a YAML or JSON file (JSON is YAML) */
export function loadLifecycleRules(path: string): LifecycleRules {
  return validateRules(YAML.parse(readFileSync(path, 'utf8')));
}
