import type { FailureSignatureInput } from '../../src/state/failure-store.js';

/** Three failures as failure memory records them, shared by the store's tests and the memory command's. */
export const KWARG: FailureSignatureInput = {
  fingerprint: 'a1b2c3d4e5f60718',
  kind: 'python',
  type: 'TypeError',
  message: "SFTTrainer.__init__() got an unexpected keyword argument 'max_seq_length'",
  frame: 'train.py:<module>',
};
export const CUDA: FailureSignatureInput = {
  fingerprint: 'c0ffee0123456789',
  kind: 'training',
  type: 'OutOfMemoryError',
  message: 'CUDA out of memory. Tried to allocate <n> GiB',
  frame: null,
};
export const MODULE: FailureSignatureInput = {
  fingerprint: 'beef00aa11bb22cc',
  kind: 'shell',
  type: 'ModuleNotFoundError',
  message: "No module named 'peft'",
  frame: null,
};
