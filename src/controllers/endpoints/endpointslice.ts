// The EndpointSlice controller (upstream pkg/controller/endpointslice): for every service with
// a selector, EndpointSlices labelled kubernetes.io/service-name and
// endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io, owned by the service,
// with one endpoint per selected pod (conditions ready/serving/terminating, nodeName, targetRef;
// no zone: kind's nodes carry no topology labels), at most 100 per slice, pods grouped by their
// resolved ports. A service without endpoints keeps one empty placeholder slice.

import type { EndpointSlice, Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import { R, type KubeObject } from '../../client/types.js';
import { Informer } from '../../client/informer.js';
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

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const ENDPOINTSLICE_CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;

type SliceObj = EndpointSlice & KubeObject;

/** upstream podToEndpoint */
export function podToEndpoint(pod: PodObj, svc: ServiceObj): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep: Endpoint = {
    addresses: [pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip ?? ''],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  return ep;
}

/** upstream getEndpointPorts: the service ports this pod resolves */
export function endpointPorts(svc: ServiceObj, pod: PodObj): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

/** the slices' contents: endpoints grouped by port set, chunked by MAX_ENDPOINTS_PER_SLICE */
export function desiredSlices(svc: ServiceObj, pods: PodObj[], max = MAX_ENDPOINTS_PER_SLICE): { ports: EndpointPort[]; endpoints: Endpoint[] }[] {
  const groups = new Map<string, { ports: EndpointPort[]; endpoints: Endpoint[] }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(svc, pod);
    const key = stableJSON(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(podToEndpoint(pod, svc));
  }
  const out: { ports: EndpointPort[]; endpoints: Endpoint[] }[] = [];
  for (const g of groups.values()) {
    g.endpoints.sort((a, b) => compareIP(a.addresses[0], b.addresses[0]));
    for (let i = 0; i < g.endpoints.length; i += max) out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + max) });
  }
  return out;
}

export class EndpointSliceController extends ServicePodController {
  private readonly slices: Informer<SliceObj>;

  constructor(...args: ConstructorParameters<typeof ServicePodController>) {
    super(...args);
    this.slices = this.informers.informerFor(R.endpointslices);
    this.slices.addIndexer('service', (s) =>
      s.metadata.labels?.[MANAGED_BY_LABEL] === ENDPOINTSLICE_CONTROLLER_NAME && s.metadata.labels?.[SERVICE_NAME_LABEL]
        ? [`${s.metadata.namespace}/${s.metadata.labels[SERVICE_NAME_LABEL]}`]
        : [],
    );
    // a slice changed or deleted behind our back is put right
    const requeue = (s: SliceObj) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === ENDPOINTSLICE_CONTROLLER_NAME) this.queue.add(`${s.metadata.namespace}/${svc}`);
    };
    this.slices.addEventHandler({
      onUpdate: (_a, b) => requeue(b),
      onDelete: (s) => requeue((s as { obj?: SliceObj }).obj ?? (s as SliceObj)),
    });
    this.extraInformers.push(this.slices);
  }

  protected async sync(namespace: string, name: string, svc: ServiceObj | undefined): Promise<void> {
    // a deleted service's slices go with it through the garbage collector (owner references)
    if (!svc || !svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) return;
    if (svc.metadata.deletionTimestamp) return;
    const pods = this.selectedPods(svc);
    const existing = this.slices
      .byIndex('service', `${namespace}/${name}`)
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name!.localeCompare(b.metadata.name!));
    let desired = desiredSlices(svc, pods);
    if (!desired.length) desired = [{ ports: [], endpoints: [] }]; // the placeholder
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) {
      if (k === SERVICE_NAME_LABEL || k === MANAGED_BY_LABEL || k === HEADLESS_LABEL) continue;
      labels[k] = v;
    }
    labels[SERVICE_NAME_LABEL] = name;
    labels[MANAGED_BY_LABEL] = ENDPOINTSLICE_CONTROLLER_NAME;
    if (svc.spec.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
    const owner = { apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true };
    const trigger = lastChangeTriggerTime(svc, pods);

    // reuse slices that already carry the same ports, then any other, then create
    const unused = [...existing];
    const take = (ports: EndpointPort[]): SliceObj | undefined => {
      const i = unused.findIndex((s) => stableJSON(s.ports ?? []) === stableJSON(ports));
      return i >= 0 ? unused.splice(i, 1)[0] : undefined;
    };
    const plan: { slice: SliceObj | undefined; want: { ports: EndpointPort[]; endpoints: Endpoint[] } }[] = desired.map((want) => ({ slice: take(want.ports), want }));
    for (const p of plan) if (!p.slice && unused.length) p.slice = unused.shift();

    for (const { slice, want } of plan) {
      if (slice) {
        const same =
          stableJSON(slice.endpoints ?? []) === stableJSON(want.endpoints) &&
          stableJSON(slice.ports ?? []) === stableJSON(want.ports) &&
          stableJSON(slice.metadata.labels ?? {}) === stableJSON(labels) &&
          slice.addressType === 'IPv4';
        if (same) continue;
        const next = structuredClone(slice);
        next.metadata.labels = labels;
        next.metadata.annotations = { ...(next.metadata.annotations ?? {}) };
        if (trigger) next.metadata.annotations[TRIGGER_TIME_ANNOTATION] = trigger;
        next.metadata.ownerReferences = [owner];
        next.endpoints = want.endpoints;
        next.ports = want.ports;
        this.slices.cacheAdd(await this.client.update(R.endpointslices, namespace, next));
      } else {
        const obj: SliceObj = {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { generateName: `${name}-`, namespace, labels, ownerReferences: [owner], ...(trigger ? { annotations: { [TRIGGER_TIME_ANNOTATION]: trigger } } : {}) },
          addressType: 'IPv4',
          endpoints: want.endpoints,
          ports: want.ports,
        };
        try {
          this.slices.cacheAdd(await this.client.create(R.endpointslices, namespace, obj));
        } catch (e) {
          if ((e as { code?: number }).code === 403) return; // namespace terminating
          throw e;
        }
      }
    }
    for (const s of unused) {
      try {
        await this.client.delete(R.endpointslices, namespace, s.metadata.name!);
        this.slices.cacheDelete(s);
      } catch (e) {
        if ((e as { code?: number }).code !== 404) throw e;
      }
    }
  }
}
