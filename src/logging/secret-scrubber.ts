import { isPlaceholderValue } from './secret-shapes.js';

/** What a secret is replaced with wherever mux-swarm writes, prints or sends text. */
export const REDACTED = '[REDACTED]';

/** Shorter values are never scrubbed: too likely to occur by chance (a word, a port, a flag). */
export const MIN_SECRET_LENGTH = 8;

/** Values a secret-named variable may hold that are no secret, and would scrub ordinary text if they were one. */
const COMMON_VALUES = new Set([
  'true',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'none',
  'null',
  'nil',
  'undefined',
  'enabled',
  'disabled',
  'default',
  'password',
  'changeme',
  'localhost',
  'required',
  'optional',
  'redacted',
  'anonymous',
  'bearer',
  'basic',
]);

/**
 * Whether `value` is worth scrubbing: at least MIN_SECRET_LENGTH (8) characters, not a common word ("true",
 * "disabled", "localhost", "password"…), not a number or a dotted address ("12345678", "127.0.0.1"), not an absolute
 * path (SSH_AUTH_SOCK's socket, a key *file*) and not a placeholder ("${VAR}", "<your key>", "****"). Shorter or
 * commoner values, "1" or "true" among them, are left alone: replacing them would scrub ordinary text everywhere.
 */
export function isScrubbableSecret(value: string): boolean {
  if (value.length < MIN_SECRET_LENGTH) return false;
  if (COMMON_VALUES.has(value.toLowerCase())) return false;
  if (/^[\d.:,_-]+$/.test(value)) return false;
  if (/^\/(?:[\w.@+~-]+\/)*[\w.@+~-]+\/?$/.test(value)) return false;
  return !isPlaceholderValue(value);
}

/** A text written piece by piece (a process's output): what is safe to write now, and the rest at the end. */
export interface ScrubbingStream {
  /** The scrubbed text that can be written now; the end of `text` that may be the start of a secret is held back. */
  push(text: string): string;
  /** Whatever was held back, scrubbed. */
  end(): string;
}

/**
 * Replaces known secret values with "[REDACTED]" in any text or JSON-like value, in one pass over the text (one
 * regular expression of every secret, longest first so that a secret containing another is replaced whole). A
 * secret with characters JSON escapes (`"`, `\`, control characters) is also known in its escaped form, so that it
 * is found inside serialized JSON. Values that are not worth scrubbing (see isScrubbableSecret) are dropped.
 */
export class SecretScrubber {
  private readonly secrets: string[];
  private readonly pattern: RegExp | undefined;
  /** Length of the longest secret: how much of a stream's end may be the start of one. */
  readonly maxLength: number;
  private readonly firstCharacters: Set<string>;
  private latin1: SecretScrubber | undefined;
  /** The last long texts this scrubber produced, oldest first: they hold no secret. */
  private readonly clean = new Set<string>();

  constructor(secrets: Iterable<string>) {
    const known = new Set<string>();
    for (const secret of secrets) {
      if (!isScrubbableSecret(secret)) continue;
      known.add(secret);
      const escaped = JSON.stringify(secret).slice(1, -1);
      if (escaped !== secret) known.add(escaped);
    }
    this.secrets = [...known].sort((left, right) => right.length - left.length);
    this.pattern = this.secrets.length === 0 ? undefined : new RegExp(alternativesOf(this.secrets), 'g');
    this.maxLength = this.secrets[0]?.length ?? 0;
    this.firstCharacters = new Set(this.secrets.map((secret) => secret[0]!));
  }

  /** How many distinct values are scrubbed (escaped forms included). */
  get size(): number {
    return this.secrets.length;
  }

  text(value: string): string {
    if (this.pattern === undefined) return value;
    if (value.length >= CLEAN_MEMORY_MIN_LENGTH && this.clean.has(value)) return value;
    const scrubbed = value.replace(this.pattern, REDACTED);
    if (scrubbed.length >= CLEAN_MEMORY_MIN_LENGTH) this.remember(scrubbed);
    return scrubbed;
  }

  /** `text` without the memory of clean texts: for the pieces of a stream, which never come back. */
  private scrub(value: string): string {
    return this.pattern === undefined ? value : value.replace(this.pattern, REDACTED);
  }

  /**
   * A long text scrubbed a moment ago is passed on as it is when it comes back (a tool result is scrubbed once,
   * then stored as the journal's result and reply, the transcript's message and an event): a lookup, not a pass.
   */
  private remember(scrubbed: string): void {
    this.clean.delete(scrubbed);
    this.clean.add(scrubbed);
    if (this.clean.size > CLEAN_MEMORY_SIZE) this.clean.delete(this.clean.values().next().value!);
  }

  /** Whether `value` holds a secret (e.g. to decide whether a file needs a scrubbed copy). */
  contains(value: string): boolean {
    if (this.pattern === undefined) return false;
    this.pattern.lastIndex = 0;
    const found = this.pattern.test(value);
    this.pattern.lastIndex = 0;
    return found;
  }

  /** A deep copy of `value` with every string scrubbed. */
  value<T>(value: T): T {
    if (this.pattern === undefined) return value;
    return this.visit(value) as T;
  }

  /**
   * Scrubs a text that arrives in pieces: a secret split between two pieces is still replaced whole, because the
   * end of each piece that could begin a secret is held back until the next piece (or `end`) shows what follows.
   */
  stream(): ScrubbingStream {
    let pending = '';
    return {
      push: (text) => {
        if (this.pattern === undefined) return text;
        const raw = pending + text;
        const cut = this.safeEnd(raw);
        pending = raw.slice(cut);
        return this.scrub(raw.slice(0, cut));
      },
      end: () => {
        const rest = this.scrub(pending);
        pending = '';
        return rest;
      },
    };
  }

  /**
   * A scrubber for bytes seen as latin1 text (`buffer.toString('latin1')`, one character a byte): it knows the
   * secrets' UTF-8 bytes, so files of any content (text or not) can be scrubbed without being decoded.
   */
  forBytes(): SecretScrubber {
    this.latin1 ??= new SecretScrubber(this.secrets.map((secret) => Buffer.from(secret, 'utf8').toString('latin1')));
    return this.latin1;
  }

  /**
   * Where the part of a stream's text that is safe to scrub and write now ends: before the longest end of `text` that
   * is the start of a secret (what follows may complete it), and never inside a secret found across that point (a
   * shorter secret must not be cut from a longer one, nor a complete one from its start).
   */
  private safeEnd(text: string): number {
    let cut = text.length;
    for (let start = Math.max(0, text.length - this.maxLength + 1); start < text.length; start += 1) {
      if (!this.firstCharacters.has(text[start]!)) continue;
      const end = text.slice(start);
      if (this.secrets.some((secret) => secret.length > end.length && secret.startsWith(end))) {
        cut = start;
        break;
      }
    }
    // A match across `cut` starts after `cut - maxLength`; the scan starts a secret's length earlier still, so that
    // it parses that stretch as a scan of the whole text would (no match it finds there overlaps an unseen one).
    const pattern = this.pattern!;
    pattern.lastIndex = Math.max(0, cut - 2 * this.maxLength);
    for (let match = pattern.exec(text); match !== null && match.index < cut; match = pattern.exec(text)) {
      if (match.index + match[0].length > cut) {
        cut = match.index;
        break;
      }
    }
    pattern.lastIndex = 0;
    return cut;
  }

  private visit(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.visit(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.visit(item)]));
    }
    return value;
  }
}

/** Texts at least this long are remembered once scrubbed (a shorter one is scrubbed again as fast as it is looked up). */
const CLEAN_MEMORY_MIN_LENGTH = 256;
const CLEAN_MEMORY_SIZE = 16;

/**
 * The secrets as one alternation, factored by common prefixes (`sk-live-(?:abc…|def…)`): the engine tries fewer
 * branches at each position of the text. Longer alternatives come first at every level, so the longest secret wins.
 */
function alternativesOf(secrets: readonly string[]): string {
  const byFirst = new Map<string, string[]>();
  let empty = false;
  for (const secret of secrets) {
    if (secret === '') {
      empty = true;
      continue;
    }
    const rests = byFirst.get(secret[0]!) ?? [];
    rests.push(secret.slice(1));
    byFirst.set(secret[0]!, rests);
  }
  const branches = [...byFirst].map(
    ([first, rests]) =>
      escapeRegExp(first) + (rests.length === 1 ? escapeRegExp(rests[0]!) : `(?:${alternativesOf(rests)})`),
  );
  // The shorter secret that ends here is tried after every longer one that goes on.
  if (empty) branches.push('');
  return branches.join('|');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Secrets as components take them: the process's scrubber, or bare values (tests, tools run on their own). */
export type KnownSecrets = SecretScrubber | Iterable<string>;

/** `known` as a scrubber: the one given, or one built of the values. */
export function scrubberOf(known: KnownSecrets | undefined): SecretScrubber {
  return known instanceof SecretScrubber ? known : new SecretScrubber(known ?? []);
}
