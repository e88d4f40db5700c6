// What a node's container runtime offers the API server's streaming endpoints (kubelet's
// /exec, /attach and /containerLogs): the simulated kubelet implements it by refusing exec
// (it runs no processes) and by serving the log lines its rules give; the process runtime
// (src/nodes/process/) implements it for real.

import type { Readable, Writable } from 'node:stream';
import type { LogOptions } from './simulator.js';

export type { LogOptions } from './simulator.js';

/** a terminal size as kubectl sends it on the resize channel ({"Width":80,"Height":24}) */
export interface TerminalSize {
  width: number;
  height: number;
}

export interface ExecIO {
  /** present when the client asked for stdin (`kubectl exec -i`); ends when the client closes its stdin */
  stdin?: Readable;
  stdout: Writable;
  /** with tty, stderr is merged into stdout by the runtime (upstream: no stderr stream) */
  stderr: Writable;
  tty: boolean;
  /** terminal size changes (tty only), in arrival order */
  resize?: AsyncIterable<TerminalSize>;
}

export interface ExecResult {
  /** the command's exit code; non-zero is reported as upstream's NonZeroExitCode status */
  exitCode: number;
}

/**
 * Runs commands in containers. A rejected promise means the command could not be run at all
 * (upstream: "error executing command in container: <message>", an InternalError status);
 * an ApiError is passed to the client as it is.
 */
export interface ContainerExecutor {
  execInContainer(namespace: string, pod: string, container: string, command: string[], io: ExecIO): Promise<ExecResult>;
  /** attach to the container's main process (optional; absent = refused like exec) */
  attachContainer?(namespace: string, pod: string, container: string, io: ExecIO): Promise<ExecResult>;
}

/** the container logs a node's runtime serves (NodeSimulator has these) */
export interface ContainerLogSource {
  /** the logs so far; throws an ApiError (kubelet's messages) when there are none to give */
  getLogs(namespace: string, pod: string, container: string | undefined, opts?: LogOptions): string | Promise<string>;
  /** the logs so far, then new ones until the container stops (or the signal aborts) */
  followLogs(namespace: string, pod: string, container: string | undefined, opts?: LogOptions, signal?: AbortSignal): AsyncIterable<string>;
}

/** everything the API server needs from the nodes' runtime for pods/log, pods/exec and pods/attach */
export interface NodeStreams extends ContainerLogSource, ContainerExecutor {}

/** the refusal of a runtime that cannot run processes (the simulated kubelet) */
export function simulatedExecRefusal(pod: string, container: string): Error {
  return new Error(
    `kindling: container "${container}" of pod "${pod}" runs on a simulated node: exec needs the process runtime (kindling create cluster --runtime process)`,
  );
}
