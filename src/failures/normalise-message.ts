// Turns an error message into the part of it that is the same wherever and whenever the error happens: paths,
// numbers, ids, times and quoted values are replaced by placeholders; the words and the quoted names are kept.
// Every rule is written so that normalising twice gives what normalising once gave (see docs/failure-fingerprints.md).
import { cleanTerminalLine } from './python-traceback/python-traceback-lines.js';
import { FILE_EXTENSIONS, mask, maskQuoted, PATH_EXTENSIONS, PRIVATE_USE, unmask } from './message-quotes.js';
import { redactSecrets } from '../logging/redact-secrets.js';

/** A normalised message is cut to this many characters. */
export const MAXIMUM_MESSAGE_CHARACTERS = 300;
/** Only this many lines of a message, and this much of each, are read. */
const MAXIMUM_LINES = 20;
const MAXIMUM_LINE_CHARACTERS = 2000;
/** Passes of the rules at most (see normaliseOnce). */
const MAXIMUM_ROUNDS = 4;
/** Quoted sentences inside quoted sentences are normalised this deep, no deeper. */
const MAXIMUM_DEPTH = 2;

const ANSI_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;

/** A path, number or id starts after one of these (or at the start of the line). */
const BOUNDARY = String.raw`(?<=^|[\s'"\x60(\[{=,:;|])`;
const URL =
  /\b([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:[^\s/?#'"`<>@]*@)?([^\s/?#'"`<>:]*)(?::(\d+|<n>))?([/?#][^\s'"`<>)\]]*)?/g;
const WINDOWS_PATH = new RegExp(String.raw`${BOUNDARY}(?:[A-Za-z]:[\\/]|\\\\)[^\s'"\x60<>|*?()\[\]{},;]*`, 'g');
const ABSOLUTE_PATH = new RegExp(String.raw`${BOUNDARY}(?:~|\.{1,2})?\/[^\s'"\x60<>|*?()\[\]{},;:]+`, 'g');
const PATH_PART = String.raw`[\w.@+~-]+`;
const RELATIVE_PATH = new RegExp(
  String.raw`${BOUNDARY}(?:${PATH_PART}(?:\/${PATH_PART}){2,}\/?|${PATH_PART}(?:\/${PATH_PART})+\.(?:${PATH_EXTENSIONS})(?![\w-]))`,
  'g',
);
const FILE_NAME = new RegExp(String.raw`(?<![\w.\/\\@-])\w[\w.-]*\.(?:${FILE_EXTENSIONS})(?![\w-]|\.\w)`, 'g');
const ISO_TIME =
  /(?<![A-Za-z0-9])\d{4}-\d{2}-\d{2}(?:[T _]\d{2}[:_]\d{2}(?:[:_]\d{2}(?:[.,_]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![0-9])/g;
const GLOG_TIME = /(?<![A-Za-z0-9])[IWEF]\d{3,4} \d{2}:\d{2}:\d{2}(?:\.\d+)?(?![0-9])/g;
const CLOCK_TIME = /(?<![A-Za-z0-9.:])\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?![0-9])/g;
const COMPACT_TIME = /(?<![A-Za-z0-9])\d{8}[_T-]\d{6}(?![0-9])/g;
const UUID =
  /(?<![A-Za-z0-9])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![A-Za-z0-9])/g;
const HEX_LITERAL = /(?<![A-Za-z0-9])0x[0-9a-fA-F]+(?![A-Za-z0-9])/g;
const HEX_ID = /(?<![A-Za-z0-9])(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{7,}(?![A-Za-z0-9])/g;
const DEVICE_NUMBER = /(?<![A-Za-z])(rank|gpu|cuda|device|node|worker|pid)(\d+)(?![A-Za-z0-9])/gi;
/** Integers, decimals, versions, exponents, with a size unit, a percent sign or a short unit (`1.62s`, `7b`). */
const NUMBER =
  /(?<![A-Za-z0-9.])\d+(?:\.\d+)*(?:[eE][-+]?\d+)?(?:\s?(?:[KMGTPE]i?)?B(?![A-Za-z])|\s?bytes?(?![A-Za-z])|%|[A-Za-z]{1,3}(?![A-Za-z0-9]))?(?![A-Za-z0-9])/g;
const PLACEHOLDERS = /<(?:n|hex|v|path|time)>/g;

/**
 * The message with what changes between occurrences of the same error replaced (see the rules in
 * docs/failure-fingerprints.md): paths → `<path>`, numbers → `<n>`, ids → `<hex>`, times → `<time>`, quoted
 * values → `'<v>'` (quoted identifiers kept), URLs → host and `<path>`, secrets → `[REDACTED]`, whitespace
 * collapsed. Of several lines, the first and those that are not data dumps are kept, cut to 300 characters.
 */
export function normaliseMessage(message: string): string {
  let result = normaliseOnce(message);
  for (let round = 1; round < MAXIMUM_ROUNDS; round += 1) {
    const again = normaliseOnce(result);
    if (again === result) break;
    result = again;
  }
  return result;
}

/**
 * One pass of the rules. A pass can leave work for the next one in rare shapes (lines joined into one can pair
 * quotes that were on different lines; a placeholder can end a word so that a setting name after it starts a
 * word), so normaliseMessage repeats it until nothing changes: that makes it idempotent.
 */
function normaliseOnce(message: string): string {
  const kept: string[] = [];
  let length = 0;
  for (const line of messageLines(message)) {
    const normalised = normaliseLine(line, 0);
    if (normalised === '' || (kept.length > 0 && isDataDump(normalised))) continue;
    kept.push(normalised);
    length += normalised.length + 1;
    if (length > MAXIMUM_MESSAGE_CHARACTERS) break;
  }
  return cut(kept.join(' '));
}

function messageLines(message: string): string[] {
  const lines: string[] = [];
  let text = message.includes('\x1b') ? message.replace(ANSI_SEQUENCE, '') : message;
  text = text.replace(PRIVATE_USE, '');
  for (const raw of text.split('\n')) {
    const line = cleanTerminalLine(
      raw.length > MAXIMUM_LINE_CHARACTERS ? raw.slice(0, MAXIMUM_LINE_CHARACTERS) : raw,
    ).trim();
    if (line === '') continue;
    lines.push(line);
    if (lines.length >= MAXIMUM_LINES) break;
  }
  return lines;
}

/** One line, normalised. */
function normaliseLine(line: string, depth: number): string {
  const masks: string[] = [];
  let text = depth === 0 ? redactSecrets(line) : line;
  text = maskQuoted(text, masks, (content) => (depth < MAXIMUM_DEPTH ? normaliseLine(content, depth + 1) : '<v>'));
  text = text.replace(URL, (...match) => mask(describeUrl(match[1], match[2], match[3], match[4]), masks));
  text = text
    .replace(WINDOWS_PATH, '<path>')
    .replace(ABSOLUTE_PATH, '<path>')
    .replace(RELATIVE_PATH, '<path>')
    .replace(FILE_NAME, '<path>');
  text = text
    .replace(ISO_TIME, '<time>')
    .replace(GLOG_TIME, '<time>')
    .replace(COMPACT_TIME, '<time>')
    .replace(CLOCK_TIME, '<time>');
  text = text.replace(UUID, '<hex>').replace(HEX_LITERAL, '<hex>').replace(HEX_ID, '<hex>');
  text = text.replace(DEVICE_NUMBER, '$1<n>').replace(NUMBER, '<n>');
  text = text.replace(/\s+/g, ' ').trim();
  return unmask(text, masks);
}

/** `https://registry.npmjs.org/lodahs?x=1` → `https://registry.npmjs.org/<path>`; `file:` URLs are paths. */
function describeUrl(scheme: unknown, host: unknown, port: unknown, rest: unknown): string {
  const schemeText = String(scheme);
  if (schemeText.toLowerCase() === 'file') return '<path>';
  const restText = typeof rest === 'string' ? rest : '';
  const tail = restText === '' || restText === '/' ? restText : '/<path>';
  return `${schemeText}://${String(host ?? '')}${port === undefined ? '' : ':<n>'}${tail}`;
}

/** A line that is mostly numbers and ids: tensor values, a list of token ids, a matrix. */
function isDataDump(line: string): boolean {
  const placeholders = line.match(PLACEHOLDERS)?.length ?? 0;
  const letters = line.replace(PLACEHOLDERS, '').match(/[A-Za-z]/g)?.length ?? 0;
  return letters < 3 || (placeholders >= 4 && letters < placeholders * 3);
}

/** At most MAXIMUM_MESSAGE_CHARACTERS, cut at a space when one is near, so no token is left in pieces. */
function cut(text: string): string {
  if (text.length <= MAXIMUM_MESSAGE_CHARACTERS) return text;
  const hard = text.slice(0, MAXIMUM_MESSAGE_CHARACTERS);
  const space = hard.lastIndexOf(' ');
  return (space >= MAXIMUM_MESSAGE_CHARACTERS * 0.6 ? hard.slice(0, space) : hard).trimEnd();
}
