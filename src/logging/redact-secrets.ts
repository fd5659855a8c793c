// Removes secrets from text before it is stored or shown: failure examples, messages, logs.
import { REDACTED, scrubberOf, type KnownSecrets } from './secret-scrubber.js';
import {
  AUTHORIZATION_HEADER,
  BEARER,
  isPlaceholderValue,
  isSecretSettingName,
  KEY_SHAPES,
  URL_PASSWORD,
} from './secret-shapes.js';

export { REDACTED };

const NAME = String.raw`[A-Za-z_][A-Za-z0-9_.-]{0,100}`;
const QUOTED_VALUE = String.raw`"(?:[^"\\\r\n]|\\.){0,4096}"|'(?:[^'\\\r\n]|\\.){0,4096}'`;
/** `"NAME": "value"` (JSON, docker inspect), `'NAME': 'value'` (a Python dict or os.environ repr). */
const QUOTED_SETTING = new RegExp(String.raw`(["'])(${NAME})\1(\s*:\s*)(${QUOTED_VALUE})`, 'g');
/** `NAME=value`, `export NAME="value"`, `"NAME=value"` (docker inspect Env), `?api_key=value&`, `api_key = "value"`. */
const ASSIGNED_SETTING = new RegExp(
  String.raw`(?<![A-Za-z0-9_.-])(${NAME})([ \t]*=[ \t]*)(${QUOTED_VALUE}|[^\s"'&,;()[\]{}]+)`,
  'g',
);
/** `NAME: value` (YAML, headers, printed settings); a bare value must look like a secret, see below. */
const COLON_SETTING = new RegExp(
  String.raw`(?<![A-Za-z0-9_.-])(${NAME})(:[ \t]*)(${QUOTED_VALUE}|[^\s"',;)\]}]+)`,
  'g',
);
/** `--hf-token value`, `--api-key=value`. */
const FLAG_SETTING = new RegExp(
  String.raw`(?<![A-Za-z0-9_-])(--${NAME})(=|[ \t]+)(${QUOTED_VALUE}|[^\s"'-][^\s"']*)`,
  'g',
);

/**
 * Removes secret-looking values from text before it is stored: API keys by their known shapes (sk-…, sk-or-v1-…,
 * sk-ant-…, hf_…, ghp_/gho_/github_pat_…, xox[bap]-…, AKIA…, AIza…, glpat-…, Bearer tokens, JWTs) and the values of
 * environment-style assignments whose NAME looks secret (…KEY, …TOKEN, …SECRET, …PASSWORD, …PASSWD, …CREDENTIALS,
 * …AUTH…) in `NAME=value`, `NAME: value`, `"NAME": "value"`, `export NAME=value` forms (env dumps, printenv,
 * docker inspect, python os.environ reprs). Replaced by "[REDACTED]". Known secret values can be passed too: a
 * scrubber (the process's, built once), or the values themselves (a scrubber is then built for this call).
 */
export function redactSecrets(text: string, knownSecrets?: KnownSecrets): string {
  let result = text;
  if (knownSecrets !== undefined) result = scrubberOf(knownSecrets).text(result);
  result = result.replace(URL_PASSWORD, `$1${REDACTED}`);
  for (const shape of KEY_SHAPES) result = result.replace(shape, REDACTED);
  result = result.replace(BEARER, `$1${REDACTED}`);
  result = result.replace(AUTHORIZATION_HEADER, `$1${REDACTED}`);
  result = result.replace(QUOTED_SETTING, (whole, quote: string, name: string, separator: string, value: string) =>
    isSecretSettingName(name) && !isPlaceholderValue(value)
      ? `${quote}${name}${quote}${separator}${requote(value)}`
      : whole,
  );
  result = result.replace(
    ASSIGNED_SETTING,
    (whole, name: string, separator: string, value: string, offset: number, all: string) =>
      isSecretSettingName(name) && !isPlaceholderValue(value) && !isCode(value, all[offset + whole.length])
        ? `${name}${separator}${requote(value)}`
        : whole,
  );
  result = result.replace(COLON_SETTING, (whole, name: string, separator: string, value: string) =>
    isSecretSettingName(name) && !isPlaceholderValue(value) && (isQuoted(value) || looksLikeSecret(value))
      ? `${name}${separator}${requote(value)}`
      : whole,
  );
  result = result.replace(FLAG_SETTING, (whole, flag: string, separator: string, value: string) =>
    isSecretSettingName(flag.slice(2)) && !isPlaceholderValue(value) ? `${flag}${separator}${requote(value)}` : whole,
  );
  return result;
}

/** The replacement keeps the value's quotes: `"[REDACTED]"`. */
function requote(value: string): string {
  return isQuoted(value) ? `${value[0]}${REDACTED}${value[0]}` : REDACTED;
}

function isQuoted(value: string): boolean {
  return value.length >= 2 && (value[0] === '"' || value[0] === "'") && value[value.length - 1] === value[0];
}

/** A bare `NAME: value` is redacted when the value has a digit or is long: `api_key: 3f9c…`, not `token: missing`. */
function looksLikeSecret(value: string): boolean {
  return value.length >= 6 && (/\d/.test(value) || value.length >= 20);
}

/** `api_key=os.environ["OPENAI_API_KEY"]`, `token=get_token()`: code naming the secret, not the secret. */
function isCode(value: string, next: string | undefined): boolean {
  return !isQuoted(value) && (next === '(' || next === '[' || /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/.test(value));
}
