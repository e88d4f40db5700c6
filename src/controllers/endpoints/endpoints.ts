// The Endpoints controller (upstream pkg/controller/endpoint): for every service with a
// selector, an Endpoints object of the same name whose subsets list the selected pods' IPs
// (ready ones in addresses, the others in notReadyAddresses) with the service's ports resolved
// against each pod (named target ports included), repacked and sorted as upstream's
// RepackSubsets does. Services without a selector (the `kubernetes` service) are left alone.

import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.js';
import { R, type KubeObject } from '../../client/types.js';
import {
  HEADLESS_LABEL,
  TRIGGER_TIME_ANNOTATION,
  ServicePodController,
  compareIP,
  findPort,
  isPodReady,
  lastChangeTriggerTime,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  stableJSON,
  type PodObj,
  type ServiceObj,
} from './util.js';
import { Informer } from '../../client/informer.js';

export const ENDPOINT_CONTROLLER = 'endpoint-controller';

type EndpointsObj = Endpoints & KubeObject;

interface Sub {
  addresses: EndpointAddress[];
  notReady: EndpointAddress[];
  ports: EndpointPort[];
}

const addrKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort) => `${p.name ?? ''}/${p.port}/${p.protocol ?? ''}`;

function lessAddress(a: EndpointAddress, b: EndpointAddress): number {
  const c = compareIP(a.ip, b.ip);
  if (c) return c;
  const ua = a.targetRef?.uid ?? '';
  const ub = b.targetRef?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** upstream RepackSubsets: group addresses that offer the same ports, ready and not ready apart */
export function repackSubsets(subsets: Sub[]): EndpointSubset[] {
  const all = new Map<string, EndpointAddress>();
  // port -> address key -> ready
  const byPort = new Map<string, { port: EndpointPort | undefined; addrs: Map<string, boolean> }>();
  const note = (addr: EndpointAddress, port: EndpointPort | undefined, ready: boolean) => {
    const ak = addrKey(addr);
    if (!all.has(ak)) all.set(ak, addr);
    const pk = port ? portKey(port) : '<none>';
    let entry = byPort.get(pk);
    if (!entry) byPort.set(pk, (entry = { port, addrs: new Map() }));
    const was = entry.addrs.get(ak);
    if (was === undefined || !was) entry.addrs.set(ak, ready);
  };
  for (const s of subsets) {
    const ports = s.ports.length ? s.ports : [undefined];
    for (const p of ports) {
      for (const a of s.addresses) note(a, p, true);
      for (const a of s.notReady) note(a, p, false);
    }
  }
  // address sets -> the ports they offer
  const groups = new Map<string, { addrs: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, addrs } of byPort.values()) {
    const key = [...addrs.entries()].map(([k, r]) => `${k}=${r}`).sort().join(',');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { addrs, ports: [] }));
    if (port) g.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [k, r] of g.addrs) (r ? ready : notReady).push(all.get(k)!);
    const ss: EndpointSubset = {};
    if (ready.length) ss.addresses = ready.sort(lessAddress);
    if (notReady.length) ss.notReadyAddresses = notReady.sort(lessAddress);
    if (g.ports.length) ss.ports = g.ports;
    out.push(ss);
  }
  const first = (s: EndpointSubset) => (s.addresses ?? s.notReadyAddresses ?? [])[0]?.ip ?? '';
  return out.sort((a, b) => compareIP(first(a), first(b)));
}

/** the subsets upstream's syncService computes for svc over pods */
export function computeSubsets(svc: ServiceObj, pods: PodObj[]): EndpointSubset[] {
  const tolerateUnready = !!svc.spec?.publishNotReadyAddresses;
  const subs: Sub[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip ?? '';
    const epa: EndpointAddress = {
      ip,
      nodeName: pod.spec?.nodeName,
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    };
    if (!epa.nodeName) delete epa.nodeName;
    if (shouldSetHostname(pod, svc)) epa.hostname = pod.spec!.hostname;
    const ready = tolerateUnready || isPodReady(pod);
    const ports = svc.spec?.ports ?? [];
    if (ports.length === 0) {
      if (svc.spec?.clusterIP === 'None') subs.push({ addresses: ready ? [epa] : [], notReady: ready ? [] : [epa], ports: [] });
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const epp: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) epp.name = sp.name;
      if (sp.appProtocol) epp.appProtocol = sp.appProtocol;
      subs.push({ addresses: ready ? [epa] : [], notReady: ready ? [] : [epa], ports: [epp] });
    }
  }
  // upstream orders ports by their hash; service order is kept here
  const order = new Map((svc.spec?.ports ?? []).map((p, i) => [p.name ?? '', i]));
  return repackSubsets(subs).map((s) => (s.ports ? { ...s, ports: [...s.ports].sort((a, b) => (order.get(a.name ?? '') ?? 0) - (order.get(b.name ?? '') ?? 0)) } : s));
}

export class EndpointsController extends ServicePodController {
  private readonly endpoints: Informer<EndpointsObj>;

  constructor(...args: ConstructorParameters<typeof ServicePodController>) {
    super(...args);
    this.endpoints = this.informers.informerFor(R.endpoints);
    this.extraInformers.push(this.endpoints);
  }

  protected async sync(namespace: string, name: string, svc: ServiceObj | undefined): Promise<void> {
    if (!svc) {
      // the service is gone: so are its endpoints
      try {
        await this.client.delete(R.endpoints, namespace, name);
        const gone = this.endpoints.get(`${namespace}/${name}`);
        if (gone) this.endpoints.cacheDelete(gone);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404) && (e as { code?: number }).code !== 404) throw e;
      }
      return;
    }
    if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) return;
    const pods = this.selectedPods(svc);
    const subsets = computeSubsets(svc, pods);
    const current = this.endpoints.get(`${namespace}/${name}`);
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (svc.spec.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
    else delete labels[HEADLESS_LABEL];
    if (current) {
      const compare = { ...(current.metadata.labels ?? {}) };
      delete compare[HEADLESS_LABEL];
      const svcLabels = { ...(svc.metadata.labels ?? {}) };
      if (stableJSON(current.subsets ?? []) === stableJSON(subsets) && stableJSON(sortKeys(compare)) === stableJSON(sortKeys(svcLabels))) return;
    }
    const trigger = lastChangeTriggerTime(svc, pods);
    const next: EndpointsObj = current
      ? structuredClone(current)
      : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    next.metadata.labels = labels;
    if (!Object.keys(labels).length) delete next.metadata.labels;
    const annotations = { ...(next.metadata.annotations ?? {}) };
    if (trigger) annotations[TRIGGER_TIME_ANNOTATION] = trigger;
    else delete annotations[TRIGGER_TIME_ANNOTATION];
    next.metadata.annotations = annotations;
    if (!Object.keys(annotations).length) delete next.metadata.annotations;
    next.subsets = subsets;
    if (!subsets.length) delete next.subsets;
    if (current) this.endpoints.cacheAdd(await this.client.update(R.endpoints, namespace, next));
    else {
      try {
        this.endpoints.cacheAdd(await this.client.create(R.endpoints, namespace, next));
      } catch (e) {
        // a namespace being deleted refuses new content; nothing to do (409, a cache behind, is retried)
        if ((e as { code?: number }).code === 403) return;
        throw e;
      }
    }
  }
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
