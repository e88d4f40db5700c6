// The web view's paths on a cluster's API server. Apart from server.ts so the CLI can name them
// without loading the server.
export const UI_PREFIX = '/kindling/ui';
/** POST (bearer-authenticated): a one-time login token for the view */
export const LOGINS_PATH = `${UI_PREFIX}/logins`;
