// The client contract. Controllers, the simulated kubelet and tests talk to the API through
// an ApiClient: in-process (calls the API server's registry directly, no HTTP) by default,
// or over HTTP when a controller runs in another process. Both implementations give the same
// answers, including ApiError for failures.

import type { ApiError } from '../api/errors.js';
import type { ResourceTable } from '../api/resources.js';

/** a resource as the client names it; matches ResourceInfo's fields */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** any Kubernetes object; typed views come from kubernetes-types */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface KubeList<T = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** '' or undefined = most recent (quorum); '0' = any (cache); else exact/not-older-than per resourceVersionMatch */
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  limit?: number;
  continue?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** start after this resourceVersion; '' or undefined = start with ADDED for current state; '0' likewise */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** send the initial ADDED events then a BOOKMARK with the initial-events-end annotation */
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T;
}

export interface WriteOptions {
  /** ['All'] for a dry run: everything is checked, nothing is stored */
  dryRun?: string[];
  fieldManager?: string;
  /** 'Strict' | 'Warn' | 'Ignore' for unknown/duplicate fields */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** server-side apply: force conflicts */
  force?: boolean;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
  /** deprecated boolean form of propagationPolicy */
  orphanDependents?: boolean;
}

export interface ClientWatch {
  /** stop the watch; no events are delivered after it returns */
  stop(): void;
}

export interface ApiClient {
  /**
   * the resources the server serves, built-in and custom (the in-process client has them):
   * controllers that act on every resource (garbage collector, namespace deletion) follow it
   */
  readonly resources?: ResourceTable;
  get<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string, subresource?: string): Promise<T>;
  list<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, opts?: ListOptions): Promise<KubeList<T>>;
  create<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, obj: T, opts?: WriteOptions, subresource?: string): Promise<T>;
  /** PUT; subresource 'status' writes only status, '' or undefined writes everything but status */
  update<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, obj: T, opts?: WriteOptions, subresource?: string): Promise<T>;
  patch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts?: WriteOptions,
    subresource?: string,
  ): Promise<T>;
  /** returns the object as it is after the call (with deletionTimestamp if it lingers) or a Status */
  delete(res: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject>;
  deleteCollection(res: ResourceRef, namespace: string | undefined, opts?: ListOptions & DeleteOptions): Promise<KubeList>;
  /**
   * watch; onEvent is called in order, never concurrently. onClose is called once when the
   * watch ends for any reason other than stop() (timeout, error, server shutdown).
   */
  watch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    opts: WatchOptions,
    onEvent: (ev: WatchEvent<T>) => void,
    onClose?: (err?: ApiError | Error) => void,
  ): ClientWatch;
}

/** well-known resources, for controllers' convenience */
export const R = {
  namespaces: { group: '', version: 'v1', plural: 'namespaces' },
  nodes: { group: '', version: 'v1', plural: 'nodes' },
  pods: { group: '', version: 'v1', plural: 'pods' },
  services: { group: '', version: 'v1', plural: 'services' },
  endpoints: { group: '', version: 'v1', plural: 'endpoints' },
  events: { group: '', version: 'v1', plural: 'events' },
  configmaps: { group: '', version: 'v1', plural: 'configmaps' },
  secrets: { group: '', version: 'v1', plural: 'secrets' },
  serviceaccounts: { group: '', version: 'v1', plural: 'serviceaccounts' },
  daemonsets: { group: 'apps', version: 'v1', plural: 'daemonsets' },
  deployments: { group: 'apps', version: 'v1', plural: 'deployments' },
  replicasets: { group: 'apps', version: 'v1', plural: 'replicasets' },
  controllerrevisions: { group: 'apps', version: 'v1', plural: 'controllerrevisions' },
  jobs: { group: 'batch', version: 'v1', plural: 'jobs' },
  cronjobs: { group: 'batch', version: 'v1', plural: 'cronjobs' },
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' },
  priorityclasses: { group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses' },
  endpointslices: { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices' },
} as const satisfies Record<string, ResourceRef>;
