// Quoted parts of an error message: names that say what is wrong are kept, values are replaced.
//
// `No module named 'trl'` and `No module named 'peft'` are different errors, so a quoted identifier stays; a quoted
// path, number, repr or JSON blob changes from run to run, so it becomes '<v>' (or '<path>' when it is a path).

/** A keyword argument, module, key, attribute, package or command name: `max_seq_length`, `torch.nn`, `left-pad`. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
/** An npm package of a scope (`@aws-sdk/client-s3`): a name, though it holds a slash. */
const SCOPED_PACKAGE = /^@[A-Za-z0-9][\w.-]{0,63}\/[\w.-]{1,100}$/;
/** `','`, `':'`, `'('`: a syntax token named by a parser error, not data. */
const PUNCTUATION = /^[^\w\s]{1,3}$/;
/** What an earlier normalisation left in quotes. */
const PLACEHOLDER = /^(?:<(?:v|n|hex|path|time)>|\[REDACTED\])$/;
/** A name holding a run of 4+ digits or a hex id is an instance (`checkpoint-1500`, `run_20250914`, `e3b0c44f`). */
const INSTANCE_NUMBER =
  /\d{4}|(?<![A-Za-z0-9])(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{7,}(?![A-Za-z0-9])/;

/**
 * File name extensions: a token ending in one is a file name, and file names are paths (`'train.jsonl'` →
 * `'<path>'`). Left out on purpose: extensions that are also common attribute names (`log`, `cfg`, `h`, `c`).
 */
export const FILE_EXTENSIONS =
  'py|pyc|ipynb|js|mjs|cjs|ts|tsx|jsx|json|jsonl|yaml|yml|toml|txt|csv|tsv|parquet|arrow|safetensors|gguf|onnx|ckpt|pt|pth|bin|h5|pkl|npy|npz|whl|tgz|gz|zip|tar|cpp|cc|cu|md|sh';
/** In a path with a folder, a few more extensions are safe to read as such. */
export const PATH_EXTENSIONS = `${FILE_EXTENSIONS}|log|cfg|ini|out|err|c|h|hpp`;
const FILE_NAME = new RegExp(`\\.(?:${FILE_EXTENSIONS})$`);
const PATH_NAME = new RegExp(`\\.(?:${PATH_EXTENSIONS})$`);
const PATH_START = /^(?:\/|\.{1,2}\/|~\/|[A-Za-z]:[\\/]|\\\\|file:\/\/)/;
const SLASHES = /\/.*\//;

/** Quote characters: Python reprs use ' or ", JSON ", Markdown-style messages (transformers) use `. */
const QUOTES = new Set(["'", '"', '`']);
/** An opening quote follows one of these (or starts the line): `Can't` and `users'` are not quotes. */
const BEFORE_OPENING = /[\s([{=,:]/;
/** A closing quote is followed by one of these (or ends the line). */
const AFTER_CLOSING = /[\s)\]},.;:!?]/;
/** Longer quoted text is left alone (its parts are still normalised). */
const MAXIMUM_QUOTED = 500;

export type QuotedReplacement = { keep: true } | { keep: false; text: string } | { keep: false; prose: true };

/** What to do with the text between a pair of quotes. */
export function classifyQuoted(content: string): QuotedReplacement {
  if (content === '' || PLACEHOLDER.test(content) || PUNCTUATION.test(content)) return { keep: true };
  if (IDENTIFIER.test(content)) {
    if (FILE_NAME.test(content)) return { keep: false, text: '<path>' };
    if (INSTANCE_NUMBER.test(content)) return { keep: false, text: '<v>' };
    return { keep: true };
  }
  if (SCOPED_PACKAGE.test(content) && !INSTANCE_NUMBER.test(content)) return { keep: true };
  if (
    !/\s/.test(content) &&
    (PATH_START.test(content) || SLASHES.test(content) || (content.includes('/') && PATH_NAME.test(content)))
  ) {
    return { keep: false, text: '<path>' };
  }
  if (isProse(content)) return { keep: false, prose: true };
  return { keep: false, text: '<v>' };
}

/**
 * A sentence in quotes (`KeyError: "Column labels not in the dataset"`): normalised like the rest of the message
 * instead of being replaced whole. Three or more words of letters only, counted so that normalising the sentence
 * cannot change the count: a token with a digit, slash or other sign in it is not a word.
 */
export function isProse(content: string): boolean {
  if (!/\s/.test(content)) return false;
  let words = 0;
  for (const token of content.split(/\s+/)) {
    const bare = token.replace(/^[.,;:!?()[\]{}"'`]+|[.,;:!?()[\]{}"'`]+$/g, '');
    if (/^[A-Za-z]{2,}$/.test(bare)) words += 1;
    if (words >= 3) return true;
  }
  return false;
}

/**
 * Replaces every quoted part of `line`: each pair of quotes becomes one private-use character standing for its
 * replacement in `masks`, so later rules leave it alone. `normaliseProse` normalises quoted sentences.
 */
export function maskQuoted(line: string, masks: string[], normaliseProse: (text: string) => string): string {
  let result = '';
  let position = 0;
  let copiedTo = 0;
  while (position < line.length) {
    const character = line[position] ?? '';
    if (!QUOTES.has(character) || (position > 0 && !BEFORE_OPENING.test(line[position - 1] ?? ''))) {
      position += 1;
      continue;
    }
    const closing = line.indexOf(character, position + 1);
    const after = line[closing + 1];
    if (closing < 0 || closing - position - 1 > MAXIMUM_QUOTED || (after !== undefined && !AFTER_CLOSING.test(after))) {
      position += 1;
      continue;
    }
    const content = line.slice(position + 1, closing);
    const replacement = classifyQuoted(content);
    let inner: string;
    if (replacement.keep) inner = content;
    else if ('prose' in replacement) inner = normaliseProse(content);
    else inner = replacement.text;
    result += line.slice(copiedTo, position) + mask(`${character}${inner}${character}`, masks);
    position = closing + 1;
    copiedTo = position;
  }
  return result + line.slice(copiedTo);
}

const MASK_BASE = 0xe000;
const MASK_LIMIT = 0xf8ff - MASK_BASE;
/** Private-use characters: what is masked, and what is removed from input so it cannot fake a mask. */
export const PRIVATE_USE = /[\ue000-\uf8ff]/g;

/** One private-use character that unmask() turns back into `text`; `text` itself when the masks run out. */
export function mask(text: string, masks: string[]): string {
  if (masks.length >= MASK_LIMIT) return text;
  masks.push(text);
  return String.fromCharCode(MASK_BASE + masks.length - 1);
}

export function unmask(text: string, masks: readonly string[]): string {
  if (masks.length === 0) return text;
  return text.replace(PRIVATE_USE, (character) => masks[character.charCodeAt(0) - MASK_BASE] ?? '');
}
