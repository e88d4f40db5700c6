// Columns and cells of the remaining built-in kinds a kind cluster serves (upstream's
// printers.go: printPersistentVolume(Claim), printResourceQuota, printPodTemplate,
// printPodDisruptionBudget, printIngress(Class), printNetworkPolicy, printStorageClass,
// printCSIDriver, printCSINode, printVolumeAttachment, printCSIStorageCapacity,
// printRuntimeClass, printHorizontalPodAutoscaler, printFlowSchema,
// printPriorityLevelConfiguration, printCertificateSigningRequest; kube-aggregator's APIService).

/* eslint-disable @typescript-eslint/no-explicit-any */
import { humanDuration } from './duration.js';
import { formatLabels, formatLabelSelector } from './selectors.js';
import { age, ageCol, col, containerCells, name, nameCol, printer, type Printer } from './columns.js';

type Obj = Record<string, any>;

/** GetAccessModesAsString */
function accessModes(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  return (
    [
      ['ReadWriteOnce', 'RWO'],
      ['ReadOnlyMany', 'ROX'],
      ['ReadWriteMany', 'RWX'],
      ['ReadWriteOncePod', 'RWOP'],
    ] as const
  )
    .filter(([m]) => set.has(m))
    .map(([, s]) => s)
    .join(',');
}

/** the storage class of a PV or PVC: the beta annotation wins over spec.storageClassName */
function storageClassOf(o: Obj): string {
  return o.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? o.spec?.storageClassName ?? '';
}

/** intstr.IntOrString.String() */
function intOrString(v: unknown): string {
  return typeof v === 'number' ? String(v) : String(v ?? '');
}

const CORE = 'core.v1';

const persistentVolumePrinter = printer(
  [
    nameCol,
    col('Capacity', 'string', [`${CORE}.PersistentVolumeSpec`, 'capacity', 'capacity is the description of the persistent volume\'s resources and capacity.']),
    col('Access Modes', 'string', [`${CORE}.PersistentVolumeSpec`, 'accessModes', 'accessModes contains all ways the volume can be mounted.']),
    col('Reclaim Policy', 'string', [`${CORE}.PersistentVolumeSpec`, 'persistentVolumeReclaimPolicy', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.']),
    col('Status', 'string', [`${CORE}.PersistentVolumeStatus`, 'phase', 'phase indicates if a volume is available, bound to a claim, or released by a claim.']),
    col('Claim', 'string', [`${CORE}.PersistentVolumeSpec`, 'claimRef', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.']),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', [`${CORE}.PersistentVolumeStatus`, 'reason', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.']),
    ageCol,
    col('VolumeMode', 'string', [`${CORE}.PersistentVolumeSpec`, 'volumeMode', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.'], { priority: 1 }),
  ],
  (pv: Obj, now) => [
    name(pv),
    pv.spec?.capacity?.storage ?? '0',
    accessModes(pv.spec?.accessModes),
    pv.spec?.persistentVolumeReclaimPolicy ?? '',
    pv.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? ''),
    pv.spec?.claimRef ? `${pv.spec.claimRef.namespace ?? ''}/${pv.spec.claimRef.name ?? ''}` : '',
    storageClassOf(pv),
    pv.spec?.volumeAttributesClassName ?? '<unset>',
    pv.status?.reason ?? '',
    age(pv, now),
    pv.spec?.volumeMode ?? '<unset>',
  ],
);

const persistentVolumeClaimPrinter = printer(
  [
    nameCol,
    col('Status', 'string', [`${CORE}.PersistentVolumeClaimStatus`, 'phase', 'phase represents the current phase of PersistentVolumeClaim.']),
    col('Volume', 'string', [`${CORE}.PersistentVolumeClaimSpec`, 'volumeName', 'volumeName is the binding reference to the PersistentVolume backing this claim.']),
    col('Capacity', 'string', [`${CORE}.PersistentVolumeClaimStatus`, 'capacity', 'capacity represents the actual resources of the underlying volume.']),
    col('Access Modes', 'string', [`${CORE}.PersistentVolumeClaimStatus`, 'accessModes', 'accessModes contains the actual access modes the volume backing the PVC has.']),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageCol,
    col('VolumeMode', 'string', [`${CORE}.PersistentVolumeClaimSpec`, 'volumeMode', 'volumeMode defines what type of volume is required by the claim.'], { priority: 1 }),
  ],
  (pvc: Obj, now) => {
    const bound = !!pvc.spec?.volumeName;
    return [
      name(pvc),
      pvc.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? ''),
      pvc.spec?.volumeName ?? '',
      bound ? (pvc.status?.capacity?.storage ?? '0') : '',
      bound ? accessModes(pvc.status?.accessModes) : '',
      storageClassOf(pvc),
      pvc.spec?.volumeAttributesClassName ?? '<unset>',
      age(pvc, now),
      pvc.spec?.volumeMode ?? '<unset>',
    ];
  },
);

const resourceQuotaPrinter = printer(
  [
    nameCol,
    ageCol,
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ],
  (q: Obj, now) => {
    const hard: Record<string, string> = q.status?.hard ?? {};
    const used: Record<string, string> = q.status?.used ?? {};
    const requests: string[] = [];
    const limits: string[] = [];
    for (const r of Object.keys(hard).sort()) {
      const cell = `${r}: ${used[r] ?? '0'}/${hard[r]}`;
      const pieces = r.split('.');
      (pieces.length > 1 && pieces[0] === 'limits' ? limits : requests).push(cell);
    }
    return [name(q), age(q, now), requests.join(', '), limits.join(', ')];
  },
);

const podTemplatePrinter = printer(
  [
    nameCol,
    col('Containers', 'string', 'Names of each container in the template.'),
    col('Images', 'string', 'Images referenced by each container in the template.'),
    col('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  (pt: Obj) => [name(pt), ...containerCells(pt.template?.spec?.containers), formatLabels(pt.template?.metadata?.labels)],
);

const podDisruptionBudgetPrinter = printer(
  [
    nameCol,
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageCol,
  ],
  (pdb: Obj, now) => [
    name(pdb),
    pdb.spec?.minAvailable != null ? intOrString(pdb.spec.minAvailable) : 'N/A',
    pdb.spec?.maxUnavailable != null ? intOrString(pdb.spec.maxUnavailable) : 'N/A',
    pdb.status?.disruptionsAllowed ?? 0,
    age(pdb, now),
  ],
);

// ---- networking.k8s.io ----

function ingressHosts(rules: Obj[] | undefined): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of rules ?? []) {
    if (list.length === max) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (!list.length) return '*';
  return more ? `${list.join(',')} + ${(rules ?? []).length - max} more...` : list.join(',');
}

const ingressPrinter = printer(
  [
    nameCol,
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    ageCol,
  ],
  (ing: Obj, now) => {
    const addresses = [...new Set<string>((ing.status?.loadBalancer?.ingress ?? []).map((i: Obj) => i.ip || i.hostname).filter(Boolean))];
    return [name(ing), ing.spec?.ingressClassName ?? '<none>', ingressHosts(ing.spec?.rules), addresses.join(','), (ing.spec?.tls ?? []).length ? '80, 443' : '80', age(ing, now)];
  },
);

const ingressClassPrinter = printer(
  [nameCol, col('Controller', 'string', 'Controller that is responsible for handling this class'), col('Parameters', 'string', 'A reference to a resource with additional parameters'), ageCol],
  (ic: Obj, now) => {
    const p = ic.spec?.parameters;
    const params = p ? `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>';
    return [name(ic), ic.spec?.controller ?? '', params, age(ic, now)];
  },
);

const networkPolicyPrinter = printer(
  [nameCol, col('Pod-Selector', 'string', ['networking.v1.NetworkPolicySpec', 'podSelector', 'podSelector selects the pods to which this NetworkPolicy object applies.']), ageCol],
  (np: Obj, now) => [name(np), formatLabelSelector(np.spec?.podSelector ?? {}), age(np, now)],
);

// ---- storage.k8s.io, node.k8s.io ----

const STORAGE_CLASS = 'storage.v1.StorageClass';
const storageClassPrinter = printer(
  [
    nameCol,
    col('Provisioner', 'string', [STORAGE_CLASS, 'provisioner', 'provisioner indicates the type of the provisioner.']),
    col('ReclaimPolicy', 'string', [STORAGE_CLASS, 'reclaimPolicy', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.']),
    col('VolumeBindingMode', 'string', [STORAGE_CLASS, 'volumeBindingMode', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.']),
    col('AllowVolumeExpansion', 'string', [STORAGE_CLASS, 'allowVolumeExpansion', 'allowVolumeExpansion shows whether the storage class allow volume expand.']),
    ageCol,
  ],
  (sc: Obj, now) => {
    const ann = sc.metadata?.annotations ?? {};
    const isDefault = ann['storageclass.kubernetes.io/is-default-class'] === 'true' || ann['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
    return [
      isDefault ? `${name(sc)} (default)` : name(sc),
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion ?? false,
      age(sc, now),
    ];
  },
);

const CSI_DRIVER_SPEC = 'storage.v1.CSIDriverSpec';
const csiDriverPrinter = printer(
  [
    nameCol,
    col('AttachRequired', 'boolean', [CSI_DRIVER_SPEC, 'attachRequired', 'attachRequired indicates this CSI volume driver requires an attach operation.']),
    col('PodInfoOnMount', 'boolean', [CSI_DRIVER_SPEC, 'podInfoOnMount', 'podInfoOnMount indicates this CSI volume driver requires additional pod information during mount operations.']),
    col('StorageCapacity', 'boolean', [CSI_DRIVER_SPEC, 'storageCapacity', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity.']),
    col('TokenRequests', 'string', [CSI_DRIVER_SPEC, 'tokenRequests', 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for to do necessary authentication.']),
    col('RequiresRepublish', 'boolean', [CSI_DRIVER_SPEC, 'requiresRepublish', 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.']),
    col('Modes', 'string', [CSI_DRIVER_SPEC, 'volumeLifecycleModes', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.']),
    ageCol,
  ],
  (d: Obj, now) => [
    name(d),
    d.spec?.attachRequired ?? true,
    d.spec?.podInfoOnMount ?? false,
    d.spec?.storageCapacity ?? false,
    d.spec?.tokenRequests ? d.spec.tokenRequests.map((t: Obj) => t.audience).join(',') : '<unset>',
    d.spec?.requiresRepublish ?? false,
    (d.spec?.volumeLifecycleModes ?? []).join(',') || '<none>',
    age(d, now),
  ],
);

const csiNodePrinter = printer(
  [nameCol, col('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'), ageCol],
  (n: Obj, now) => [name(n), (n.spec?.drivers ?? []).length, age(n, now)],
);

const volumeAttachmentPrinter = printer(
  [
    nameCol,
    col('Attacher', 'string', ['storage.v1.VolumeAttachmentSpec', 'attacher', 'attacher indicates the name of the volume driver that MUST handle this request.'], { format: 'name' }),
    col('PV', 'string', ['storage.v1.VolumeAttachmentSource', 'persistentVolumeName', 'persistentVolumeName represents the name of the persistent volume to attach.']),
    col('Node', 'string', ['storage.v1.VolumeAttachmentSpec', 'nodeName', 'nodeName represents the node that the volume should be attached to.']),
    col('Attached', 'boolean', ['storage.v1.VolumeAttachmentStatus', 'attached', 'attached indicates the volume is successfully attached.']),
    ageCol,
  ],
  (va: Obj, now) => [name(va), va.spec?.attacher ?? '', va.spec?.source?.persistentVolumeName ?? '', va.spec?.nodeName ?? '', va.status?.attached ?? false, age(va, now)],
);

const csiStorageCapacityPrinter = printer(
  [
    nameCol,
    col('StorageClassName', 'string', ['storage.v1.CSIStorageCapacity', 'storageClassName', 'storageClassName represents the name of the StorageClass that the reported capacity applies to.']),
    col('Capacity', 'string', ['storage.v1.CSIStorageCapacity', 'capacity', 'capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.']),
  ],
  (c: Obj) => [name(c), c.storageClassName ?? '', c.capacity ?? '<unset>'],
);

const runtimeClassPrinter = printer(
  // upstream describes Handler with ObjectMeta's (absent) "handler" doc: an empty description
  [nameCol, col('Handler', 'string', ''), ageCol],
  (rc: Obj, now) => [name(rc), rc.handler ?? '', age(rc, now)],
);

// ---- autoscaling ----

function hpaMetrics(specs: Obj[] | undefined, statuses: Obj[] | undefined): string {
  if (!specs?.length) return '<none>';
  const list: string[] = [];
  specs.forEach((spec, i) => {
    const st = statuses?.[i];
    switch (spec.type) {
      case 'External':
        if (spec.external?.target?.averageValue != null) list.push(`${st?.external?.current?.averageValue ?? '<unknown>'}/${spec.external.target.averageValue} (avg)`);
        else list.push(`${st?.external ? (st.external.current?.value ?? '0') : '<unknown>'}/${spec.external?.target?.value ?? '0'}`);
        break;
      case 'Pods':
        list.push(`${st?.pods ? (st.pods.current?.averageValue ?? '0') : '<unknown>'}/${spec.pods?.target?.averageValue ?? '0'}`);
        break;
      case 'Object':
        if (spec.object?.target?.averageValue != null) list.push(`${st?.object?.current?.averageValue ?? '<unknown>'}/${spec.object.target.averageValue} (avg)`);
        else list.push(`${st?.object ? (st.object.current?.value ?? '0') : '<unknown>'}/${spec.object?.target?.value ?? '0'}`);
        break;
      case 'Resource':
      case 'ContainerResource': {
        const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
        const cur = spec.type === 'Resource' ? st?.resource : st?.containerResource;
        if (src?.target?.averageValue != null) {
          list.push(`${src.name}: ${cur ? (cur.current?.averageValue ?? '0') : '<unknown>'}/${src.target.averageValue}`);
        } else {
          const current = cur?.current?.averageUtilization != null ? `${cur.current.averageUtilization}%` : '<unknown>';
          const target = src?.target?.averageUtilization != null ? `${src.target.averageUtilization}%` : '<auto>';
          list.push(`${src?.name}: ${current}/${target}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  });
  const max = 2;
  return list.length > max ? `${list.slice(0, max).join(', ')} + ${list.length - max} more...` : list.join(', ');
}

const HPA_SPEC = 'autoscaling.v2.HorizontalPodAutoscalerSpec';
const hpaPrinter = printer(
  [
    nameCol,
    col('Reference', 'string', [HPA_SPEC, 'scaleTargetRef', 'scaleTargetRef points to the target resource to scale.']),
    col('Targets', 'string', [HPA_SPEC, 'metrics', 'metrics contains the specifications for which to use to calculate the desired replica count.']),
    col('MinPods', 'string', [HPA_SPEC, 'minReplicas', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.']),
    col('MaxPods', 'string', [HPA_SPEC, 'maxReplicas', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.']),
    col('Replicas', 'string', ['autoscaling.v2.HorizontalPodAutoscalerStatus', 'currentReplicas', 'currentReplicas is current number of replicas of pods managed by this autoscaler.']),
    ageCol,
  ],
  (hpa: Obj, now) => [
    name(hpa),
    `${hpa.spec?.scaleTargetRef?.kind ?? ''}/${hpa.spec?.scaleTargetRef?.name ?? ''}`,
    hpaMetrics(hpa.spec?.metrics, hpa.status?.currentMetrics),
    hpa.spec?.minReplicas != null ? String(hpa.spec.minReplicas) : '<unset>',
    hpa.spec?.maxReplicas ?? 0,
    hpa.status?.currentReplicas ?? 0,
    age(hpa, now),
  ],
);

// ---- flowcontrol.apiserver.k8s.io ----

const flowSchemaPrinter = printer(
  [
    nameCol,
    col('PriorityLevel', 'string', ['flowcontrol.v1.PriorityLevelConfigurationReference', 'name', '`name` is the name of the priority level configuration being referenced Required.']),
    col('MatchingPrecedence', 'string', ['flowcontrol.v1.FlowSchemaSpec', 'matchingPrecedence', '`matchingPrecedence` is used to choose among the FlowSchemas that match a given request.']),
    col('DistinguisherMethod', 'string', ['flowcontrol.v1.FlowSchemaSpec', 'distinguisherMethod', '`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema.']),
    ageCol,
    col('MissingPL', 'string', 'references a broken or non-existent PriorityLevelConfiguration'),
  ],
  (fs: Obj, now) => [
    name(fs),
    fs.spec?.priorityLevelConfiguration?.name ?? '',
    fs.spec?.matchingPrecedence ?? 0,
    fs.spec?.distinguisherMethod?.type ?? '<none>',
    age(fs, now),
    (fs.status?.conditions ?? []).find((c: Obj) => c.type === 'Dangling')?.status ?? '?',
  ],
);

const priorityLevelPrinter = printer(
  [
    nameCol,
    col('Type', 'string', ['flowcontrol.v1.PriorityLevelConfigurationSpec', 'type', '`type` indicates whether this priority level is subject to limitation on request execution.']),
    col('NominalConcurrencyShares', 'string', ['flowcontrol.v1.LimitedPriorityLevelConfiguration', 'nominalConcurrencyShares', '`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level.']),
    col('Queues', 'string', ['flowcontrol.v1.QueuingConfiguration', 'queues', '`queues` is the number of queues for this priority level.']),
    col('HandSize', 'string', ['flowcontrol.v1.QueuingConfiguration', 'handSize', '`handSize` is a small positive number that configures the shuffle sharding of requests into queues.']),
    col('QueueLengthLimit', 'string', ['flowcontrol.v1.QueuingConfiguration', 'queueLengthLimit', '`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time; excess requests are rejected.']),
    ageCol,
  ],
  (pl: Obj, now) => {
    const limited = pl.spec?.limited;
    const q = limited?.limitResponse?.queuing;
    return [
      name(pl),
      pl.spec?.type ?? '',
      limited ? (limited.nominalConcurrencyShares ?? 0) : '<none>',
      q ? (q.queues ?? 0) : '<none>',
      q ? (q.handSize ?? 0) : '<none>',
      q ? (q.queueLengthLimit ?? 0) : '<none>',
      age(pl, now),
    ];
  },
);

// ---- certificates.k8s.io, apiregistration.k8s.io ----

/** extractCSRStatus: Denied, Approved or Pending, then ,Failed and ,Issued */
export function csrCondition(csr: Obj): string {
  const types = new Set((csr.status?.conditions ?? []).map((c: Obj) => c.type));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) status += ',Failed';
  if (csr.status?.certificate) status += ',Issued';
  return status;
}

const CSR_SPEC = 'certificates.v1.CertificateSigningRequestSpec';
const csrPrinter = printer(
  [
    nameCol,
    ageCol,
    col('SignerName', 'string', [CSR_SPEC, 'signerName', 'signerName indicates the requested signer, and is a qualified name.']),
    col('Requestor', 'string', [CSR_SPEC, 'request', 'request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block.']),
    col('RequestedDuration', 'string', [CSR_SPEC, 'expirationSeconds', 'expirationSeconds is the requested duration of validity of the issued certificate.']),
    col('Condition', 'string', ['certificates.v1.CertificateSigningRequestStatus', 'conditions', 'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".']),
  ],
  (csr: Obj, now) => [
    name(csr),
    age(csr, now),
    csr.spec?.signerName || '<none>',
    csr.spec?.username ?? '',
    csr.spec?.expirationSeconds != null ? humanDuration(csr.spec.expirationSeconds * 1000) : '<none>',
    csrCondition(csr),
  ],
);

const apiServicePrinter = printer(
  [nameCol, col('Service', 'string', 'The reference to the service that hosts this API endpoint.'), col('Available', 'string', 'Whether this service is available.'), ageCol],
  (s: Obj, now) => {
    const svc = s.spec?.service ? `${s.spec.service.namespace}/${s.spec.service.name}` : 'Local';
    const c = (s.status?.conditions ?? []).find((x: Obj) => x.type === 'Available');
    const available = !c ? 'Unknown' : c.status === 'True' || !c.reason ? c.status : `${c.status} (${c.reason})`;
    return [name(s), svc, available, age(s, now)];
  },
);

export const GROUP_PRINTERS: Record<string, Printer> = {
  '/PersistentVolume': persistentVolumePrinter,
  '/PersistentVolumeClaim': persistentVolumeClaimPrinter,
  '/ResourceQuota': resourceQuotaPrinter,
  '/PodTemplate': podTemplatePrinter,
  'policy/PodDisruptionBudget': podDisruptionBudgetPrinter,
  'networking.k8s.io/Ingress': ingressPrinter,
  'networking.k8s.io/IngressClass': ingressClassPrinter,
  'networking.k8s.io/NetworkPolicy': networkPolicyPrinter,
  'storage.k8s.io/StorageClass': storageClassPrinter,
  'storage.k8s.io/CSIDriver': csiDriverPrinter,
  'storage.k8s.io/CSINode': csiNodePrinter,
  'storage.k8s.io/VolumeAttachment': volumeAttachmentPrinter,
  'storage.k8s.io/CSIStorageCapacity': csiStorageCapacityPrinter,
  'node.k8s.io/RuntimeClass': runtimeClassPrinter,
  'autoscaling/HorizontalPodAutoscaler': hpaPrinter,
  'flowcontrol.apiserver.k8s.io/FlowSchema': flowSchemaPrinter,
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration': priorityLevelPrinter,
  'certificates.k8s.io/CertificateSigningRequest': csrPrinter,
  'apiregistration.k8s.io/APIService': apiServicePrinter,
};
