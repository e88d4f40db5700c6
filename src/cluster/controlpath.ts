// The path of kindling's control channel on a cluster's API server (node faults, rules).
// Apart from control.ts so the CLI can name it without loading the API server.
export const CONTROL_PREFIX = '/kindling/v1';
