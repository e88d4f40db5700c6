// Which cluster a command acts on when the user names none, as a kind user expects:
// --name, else KIND_CLUSTER_NAME, else the cluster of the current kubeconfig context when that is
// a kindling cluster (kind-<name>), else the only cluster there is, else "kind".

import { currentContext } from './kubeconfig.js';
import { clusterDir, clusterExists, kindlingHome, listClusters } from './state.js';

export interface SelectOptions {
  /** --name */
  name?: string;
  /** --kubeconfig */
  kubeconfig?: string;
  env?: Record<string, string | undefined>;
}

export function selectClusterName(o: SelectOptions = {}): string {
  const env = o.env ?? process.env;
  if (o.name) return o.name;
  if (env.KIND_CLUSTER_NAME) return env.KIND_CLUSTER_NAME;
  const home = kindlingHome(env);
  const context = currentContext(o.kubeconfig, env);
  if (context?.startsWith('kind-') && clusterExists(clusterDir(context.slice('kind-'.length), home))) return context.slice('kind-'.length);
  const all = listClusters(home);
  return all.length === 1 ? all[0] : 'kind';
}

/** the state dir of the selected cluster; a cluster that does not exist is a one-line error naming those that do */
export function selectExistingCluster(o: SelectOptions = {}): { name: string; dir: string } {
  const env = o.env ?? process.env;
  const name = selectClusterName(o);
  const dir = clusterDir(name, kindlingHome(env));
  if (clusterExists(dir)) return { name, dir };
  const all = listClusters(kindlingHome(env));
  if (all.length === 0) throw new Error(`unknown cluster "${name}": there are no clusters; create one with: kindling create cluster`);
  throw new Error(`unknown cluster "${name}": the clusters are ${all.map((c) => `"${c}"`).join(', ')}; choose one with --name`);
}
