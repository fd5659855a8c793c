// The types every recogniser returns (re-exported by failure-fingerprint.ts, where the API is documented).

/** `stuck`: not an error output but an agent the runtime stopped for making no progress (runtime/stuck). */
export type FailureKind = 'python' | 'cuda' | 'node' | 'npm' | 'shell' | 'generic' | 'stuck';

export interface FailureSignature {
  kind: FailureKind;
  /** e.g. "TypeError", "torch.OutOfMemoryError", "npm ERESOLVE", "Error [ERR_MODULE_NOT_FOUND]", "command not found", "exit 2". */
  type: string;
  /** The normalised message (normaliseMessage). */
  message: string;
  /**
   * The function of the innermost frame when that frame is library code (Python: site-packages or the standard
   * library; Node: node_modules), else null: never a file or a line. See docs/failure-fingerprints.md.
   */
  frame: string | null;
}

export interface FailureContext {
  exitCode?: number | null;
  signal?: string | null;
  command?: string;
  tool?: string;
}
