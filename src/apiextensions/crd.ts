// A CustomResourceDefinition as the API server treats it: its defaults and strategy
// (pkg/apis/apiextensions/v1/defaults.go, pkg/registry/customresourcedefinition/strategy.go)
// and the resources it serves once Established, with the rules its custom objects follow
// (pkg/registry/customresource: strategy, validator, table convertor).

import type { CustomResourceDefinition, CustomResourceDefinitionVersion } from 'kubernetes-types/apiextensions/v1.js';
import type { KubeObject } from '../client/types.js';
import type { ResourceInfo } from '../api/resources.js';
import type { FieldError } from '../api/errors.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../api/validation/meta.js';
import { nameIsDNSSubdomain } from '../api/validation/names.js';
import { applyDefaults, prune, validateObjectAgainstSchema, type Schema } from './schema.js';
import { columnPrinter } from './printer.js';
import { CLEANUP_FINALIZER, isEstablished, setCondition, type CRD } from './conditions.js';

export const CRD_GROUP = 'apiextensions.k8s.io';

/** is this resource the CustomResourceDefinition resource itself? */
export function isCRDResource(info: { group: string; kind: string }): boolean {
  return info.group === CRD_GROUP && info.kind === 'CustomResourceDefinition';
}

/** SetDefaults_CustomResourceDefinition(Spec) */
export function defaultCRD(crd: CRD): void {
  const spec = crd.spec;
  if (!spec) return;
  const names = spec.names;
  if (names) {
    if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
    if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
  if (spec.conversion.strategy === 'Webhook' && spec.conversion.webhook && !spec.conversion.webhook.conversionReviewVersions?.length) {
    spec.conversion.webhook.conversionReviewVersions = ['v1beta1'];
  }
}

function storageVersionOf(crd: CRD): string | undefined {
  return crd.spec?.versions?.find((v) => v.storage)?.name;
}

/** strategy PrepareForCreate: status starts empty but for the stored version */
export function prepareCRDForCreate(crd: CRD): void {
  const storage = storageVersionOf(crd);
  crd.status = { acceptedNames: { kind: '', plural: '' }, storedVersions: storage ? [storage] : [] } as NonNullable<CRD['status']>;
}

/** strategy PrepareForUpdate: status is the old one (plus a new storage version) */
export function prepareCRDForUpdate(crd: CRD, old: CRD): void {
  crd.status = structuredClone(old.status);
  const storage = storageVersionOf(crd);
  if (crd.status && storage && !(crd.status.storedVersions ?? []).includes(storage)) crd.status.storedVersions = [...(crd.status.storedVersions ?? []), storage];
}

/** the first DELETE of a CRD marks it Terminating and adds the cleanup finalizer (etcd.go Delete) */
export function beginCRDDeletion(crd: CRD, now: string): void {
  const finalizers = (crd.metadata!.finalizers ??= []);
  if (!finalizers.includes(CLEANUP_FINALIZER)) finalizers.push(CLEANUP_FINALIZER);
  setCondition(
    crd,
    { type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' },
    now,
  );
}

/** the OpenAPI definition name of a custom kind: the group reversed (com.example.stable.v1.CronTab) */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** the schema of a CRD version (top-level is gone in v1: always per version) */
export function versionSchema(v: CustomResourceDefinitionVersion): Schema | undefined {
  return v.schema?.openAPIV3Schema as Schema | undefined;
}

type Obj = KubeObject & Record<string, unknown>;

function validator(schema: Schema | undefined, namespaced: boolean) {
  return (obj: KubeObject, old?: KubeObject): FieldError[] => {
    const meta = old ? validateObjectMetaUpdate(obj.metadata, old.metadata) : validateObjectMeta(obj.metadata, namespaced, nameIsDNSSubdomain);
    return [...meta, ...validateObjectAgainstSchema(schema, obj as Obj, old as Obj | undefined)];
  };
}

/**
 * the resources an Established CRD serves: one per served version, with the names the naming
 * controller accepted. A CRD that is not Established serves nothing.
 */
export function crdResources(crd: CRD): ResourceInfo[] {
  if (!isEstablished(crd) || !crd.spec) return [];
  const spec = crd.spec;
  const accepted = crd.status?.acceptedNames;
  const names = accepted?.kind && accepted.plural ? accepted : spec.names;
  const storageVersion = storageVersionOf(crd) ?? spec.versions[0]?.name ?? '';
  const namespaced = spec.scope === 'Namespaced';
  return spec.versions
    .filter((v) => v.served)
    .map((v) => {
      const schema = versionSchema(v);
      const subresources = [...(v.subresources?.status ? ['status'] : []), ...(v.subresources?.scale ? ['scale'] : [])];
      const info: ResourceInfo = {
        group: spec.group,
        version: v.name,
        kind: names.kind,
        plural: names.plural,
        singular: names.singular || names.kind.toLowerCase(),
        namespaced,
        verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
        listKind: names.listKind || `${names.kind}List`,
        definition: definitionName(spec.group, v.name, names.kind),
        custom: {
          crd: crd.metadata?.name ?? '',
          storageVersion,
          schema: schema as Record<string, unknown> | undefined,
          prune: (obj) => prune(schema, obj as Obj),
          default: (obj) => applyDefaults(schema, obj as Obj),
          validate: validator(schema, namespaced),
          printer: columnPrinter(v.additionalPrinterColumns),
          terminating: !!crd.metadata?.deletionTimestamp,
          scale: v.subresources?.scale
            ? {
                specReplicasPath: v.subresources.scale.specReplicasPath,
                statusReplicasPath: v.subresources.scale.statusReplicasPath,
                labelSelectorPath: v.subresources.scale.labelSelectorPath,
              }
            : undefined,
        },
      };
      if (names.shortNames?.length) info.shortNames = names.shortNames;
      if (names.categories?.length) info.categories = names.categories;
      if (subresources.length) info.subresources = subresources;
      return info;
    });
}

export type { CustomResourceDefinition };
