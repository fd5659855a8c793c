import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../../../config/load-config.js';
import { MuxSwarmError } from '../../../errors/mux-swarm-error.js';
import { environmentSecrets } from '../../../logging/environment-secrets.js';
import { SecretScrubber } from '../../../logging/secret-scrubber.js';
import { DATABASE_FILE, openDatabase } from '../../../state/database.js';
import { resolveHomePath } from '../../../config/home-path.js';
import {
  FailureMemory,
  USER_STORE_FILE,
  userStoreDirectory,
  type StoreName,
} from '../../../failures/failure-memory.js';
import { FailureStore } from '../../../state/failure-store.js';
import type { ProjectOptions } from '../../project.js';

/** Options every `memory` subcommand takes besides --workdir/--config. */
export interface MemoryCommandOptions extends ProjectOptions {
  /** `--user-store <dir>`, or false for `--no-user-store`. */
  userStore?: string | false;
  json?: boolean;
}

export type StoreChoice = StoreName | 'both';

/** Where the two stores live, and the secrets to redact from what is written. */
export interface MemoryPlaces {
  workdirDirectory: string;
  /** Undefined when the user store is off (--no-user-store, or memory.shareWithUserStore false without --user-store). */
  userDirectory: string | undefined;
  /** The process's scrubber (config.json's, or the environment's secrets alone without one). */
  secrets: SecretScrubber;
}

export interface OpenStore {
  name: StoreName;
  /** The database file, for messages. */
  path: string;
  store: FailureStore;
}

/** The state directory from config.json when there is one (else --workdir's .mux-swarm), and the user store. */
export function locateMemory(options: MemoryCommandOptions): MemoryPlaces {
  const config = existsSync(resolve(options.config))
    ? loadConfig({
        path: options.config,
        environment: process.env,
        currentDirectory: process.cwd(),
        workdirOverride: options.workdir,
      })
    : undefined;
  const workdirDirectory = config?.stateDirectory ?? join(resolve(options.workdir ?? '.'), '.mux-swarm');
  return {
    workdirDirectory,
    userDirectory: chooseUserStore(options, config),
    secrets: config?.scrubber ?? new SecretScrubber(environmentSecrets(process.env)),
  };
}

/** `--no-user-store`: none; `--user-store <dir>`: that; else memory.userStore unless memory.shareWithUserStore is false. */
function chooseUserStore(options: MemoryCommandOptions, config: LoadedConfig | undefined): string | undefined {
  if (options.userStore === false) return undefined;
  if (typeof options.userStore === 'string') return resolveHomePath(options.userStore);
  if (config?.config.memory.shareWithUserStore === false) return undefined;
  return userStoreDirectory(config?.config.memory, process.env, config ? dirname(config.file) : process.cwd());
}

/**
 * Opens the chosen stores for `use` and closes them after. With `create` false a store whose file does not exist
 * is left out (reading creates nothing); asking for the user store when it is off is an error that says so.
 */
export function withStores<T>(
  places: MemoryPlaces,
  choice: StoreChoice,
  create: boolean,
  use: (stores: OpenStore[]) => T,
): T {
  if (choice === 'user' && places.userDirectory === undefined) {
    throw new MuxSwarmError(
      'memory_no_user_store',
      '--store user needs the user store, which is off here (--no-user-store, or memory.shareWithUserStore is false): pass --user-store <dir>',
    );
  }
  const wanted: Array<[StoreName, string, string]> = [];
  if (choice !== 'user') wanted.push(['workdir', places.workdirDirectory, DATABASE_FILE]);
  if (choice !== 'workdir' && places.userDirectory !== undefined)
    wanted.push(['user', places.userDirectory, USER_STORE_FILE]);
  const opened: OpenStore[] = [];
  try {
    for (const [name, directory, file] of wanted) {
      const path = join(directory, file);
      if (!create && !existsSync(path)) continue;
      opened.push({ name, path, store: new FailureStore(openDatabase(directory, file), { secrets: places.secrets }) });
    }
    return use(opened);
  } finally {
    for (const { store } of opened) store.database.close();
  }
}

/** The open stores read as one (the workdir's first); undefined when none is open. */
export function asMemory(stores: readonly OpenStore[]): FailureMemory | undefined {
  const [first, second] = stores;
  return first ? new FailureMemory(first.store, second?.store) : undefined;
}

/** "the workdir store (path)" for messages. */
export function describeStore(store: OpenStore): string {
  return `the ${store.name} store (${store.path})`;
}
