// apiextensions.k8s.io: CustomResourceDefinitions and the custom resources they define,
// served through the API server's own registry (its ResourceTable), not a second server.
export { CRDController, CRD_RESOURCE, type CRDControllerOptions } from './controller.js';
export { crdResources, isCRDResource, defaultCRD, prepareCRDForCreate, prepareCRDForUpdate, beginCRDDeletion, definitionName, CRD_GROUP } from './crd.js';
export { validateCRD, validateCRDUpdate, validateCRDStatusUpdate } from './validation.js';
export { CLEANUP_FINALIZER, findCondition, isEstablished } from './conditions.js';
export { prune, applyDefaults, validateValue, structuralSchemaFor, type Schema } from './schema.js';
export { installCRDs, readCRDs, type CRDSource } from './install.js';
export { evaluateJsonPath, getPath, setPath } from './jsonpath.js';
