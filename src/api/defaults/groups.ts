// Defaulting of the remaining built-in kinds (pkg/apis/{core,storage,networking,autoscaling,
// flowcontrol}/v1*/defaults.go, Kubernetes 1.32 with its default feature gates).

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** SetDefaults_PersistentVolume */
export function defaultPersistentVolume(pv: Obj): void {
  const spec = (pv.spec ??= {});
  if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  const status = (pv.status ??= {});
  if (!status.phase) status.phase = 'Pending';
}

/** SetDefaults_PersistentVolumeClaim */
export function defaultPersistentVolumeClaim(pvc: Obj): void {
  const spec = (pvc.spec ??= {});
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  const status = (pvc.status ??= {});
  if (!status.phase) status.phase = 'Pending';
}

/** SetDefaults_StorageClass */
export function defaultStorageClass(sc: Obj): void {
  if (!sc.reclaimPolicy) sc.reclaimPolicy = 'Delete';
  if (!sc.volumeBindingMode) sc.volumeBindingMode = 'Immediate';
}

/** SetDefaults_CSIDriver (SELinuxMountReadWriteOncePod is on in 1.32) */
export function defaultCSIDriver(d: Obj): void {
  const spec = (d.spec ??= {});
  spec.attachRequired ??= true;
  spec.podInfoOnMount ??= false;
  spec.storageCapacity ??= false;
  spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
  if (!spec.volumeLifecycleModes?.length) spec.volumeLifecycleModes = ['Persistent'];
  spec.requiresRepublish ??= false;
  spec.seLinuxMount ??= false;
}

/** SetDefaults_NetworkPolicy: policyTypes from the rules present, ports TCP */
export function defaultNetworkPolicy(np: Obj): void {
  const spec = (np.spec ??= {});
  spec.podSelector ??= {};
  for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
    for (const port of rule.ports ?? []) port.protocol ??= 'TCP';
  }
  if (!spec.policyTypes?.length) spec.policyTypes = spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** SetDefaults_HorizontalPodAutoscaler (autoscaling/v2): minReplicas, a CPU target, behavior */
export function defaultHorizontalPodAutoscaler(hpa: Obj): void {
  const spec = (hpa.spec ??= {});
  spec.minReplicas ??= 1;
  if (!spec.metrics?.length) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  const behavior = (spec.behavior ??= {});
  const up = (behavior.scaleUp ??= {});
  up.stabilizationWindowSeconds ??= 0;
  up.selectPolicy ??= 'Max';
  up.policies ??= [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ];
  const down = (behavior.scaleDown ??= {});
  down.stabilizationWindowSeconds ??= 300;
  down.selectPolicy ??= 'Max';
  down.policies ??= [{ type: 'Percent', value: 100, periodSeconds: 15 }];
}

/** SetDefaults_FlowSchema */
export function defaultFlowSchema(fs: Obj): void {
  const spec = (fs.spec ??= {});
  spec.matchingPrecedence ??= 1000;
}

/** SetDefaults_PriorityLevelConfiguration and its Limited/Queuing parts */
export function defaultPriorityLevelConfiguration(pl: Obj): void {
  const limited = pl.spec?.limited;
  if (!limited) return;
  limited.nominalConcurrencyShares ??= 30;
  limited.lendablePercent ??= 0;
  const q = limited.limitResponse?.queuing;
  if (q) {
    q.handSize ??= 8;
    q.queues ??= 64;
    q.queueLengthLimit ??= 50;
  }
}
