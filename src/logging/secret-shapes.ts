// What secrets look like: API keys by their published prefixes, and names of settings that hold one.

/** API keys and tokens recognisable by their shape alone. Each is replaced whole. */
export const KEY_SHAPES: readonly RegExp[] = [
  // OpenAI (sk-, sk-proj-, sk-svcacct-), Anthropic (sk-ant-api03-), OpenRouter (sk-or-v1-): random, so with a digit.
  /(?<![A-Za-z0-9])sk-(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}/g,
  // Hugging Face.
  /(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}/g,
  // GitHub: classic (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained tokens.
  /(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g,
  // Slack.
  /(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}/g,
  // AWS access key ids.
  /(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])/g,
  // Google API keys.
  /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}/g,
  // GitLab.
  /(?<![A-Za-z0-9])glpat-[A-Za-z0-9_-]{20,}/g,
  // JSON Web Tokens: header.payload.signature, the first two base64url JSON ('{"' → eyJ).
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  // Keys echoed half-masked by an API error ("Incorrect API key provided: sk-proj-****abcd"): the visible ends
  // differ between keys and would make every occurrence of the error unique.
  /(?<![A-Za-z0-9])(?:sk|hf|gh[pousr]|glpat|xox[abposr])[-_][A-Za-z0-9_-]*\*{3,}[A-Za-z0-9_*-]*/g,
];

/** `Authorization: Bearer abc…`, `curl -H "Bearer abc…"`: the token after Bearer (with a digit, or long). */
export const BEARER = /\b(Bearer\s+)(?=[A-Za-z0-9._~+/=-]*\d|[A-Za-z0-9._~+/=-]{16})[A-Za-z0-9._~+/=-]{8,}/g;
/** The whole value of an Authorization header: `Basic dXNlcjpw…`, a bare token. */
export const AUTHORIZATION_HEADER =
  /\b((?:Proxy-)?Authorization["']?[ \t]*[:=][ \t]*["']?)(?![\s"']*\[REDACTED\])[^\r\n"',}]+/gi;
/** `https://user:password@host`: the password. */
export const URL_PASSWORD = /\b([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:/@]+:)(?!\[REDACTED\])[^\s@/]+(?=@)/g;

/** The last word of a setting name that holds a secret. */
const SECRET_LAST_WORDS = new Set([
  'KEY',
  'TOKEN',
  'SECRET',
  'PASSWORD',
  'PASSWD',
  'PASSPHRASE',
  'CREDENTIALS',
  'CREDENTIAL',
  'APIKEY',
  'PWD',
]);
/** Words that make a whole setting secret wherever they stand: `AUTH_HEADER`, `SECRET_KEY_BASE`, `OAUTH_CLIENT`. */
const SECRET_WORDS = new Set([
  'AUTH',
  'AUTHORIZATION',
  'OAUTH',
  'SECRET',
  'SECRETS',
  'PASSWORD',
  'PASSWD',
  'CREDENTIALS',
  'APIKEY',
  'AUTHTOKEN',
  'ACCESSTOKEN',
  'PRIVATEKEY',
]);
/** Names run together without separators: `PGPASSWORD`, `MYSQL_ROOTPASSWORD`, `HFTOKEN`. */
const SECRET_ENDING = /(?:PASSWORD|PASSWD|APIKEY|AUTHTOKEN|ACCESSTOKEN|SECRET)$/;
/** Tokenizer settings and counts: `pad_token`, `eos_token`, `max_new_token`. Not secrets. */
const TOKENIZER_SETTING =
  /(?:^|_)(?:pad|eos|bos|unk|sep|cls|mask|special|additional_special|image|audio|video|start|end|default|decoder_start|max|min|num|new|total|input|output|prompt|completion)_tokens?$/i;

/**
 * Whether a setting of this name holds a secret: HF_TOKEN, OPENAI_API_KEY, apiKey, AWS_SECRET_ACCESS_KEY,
 * PGPASSWORD, GITHUB_AUTH, --hf-token. Not: tokenizer, keyboard, max_tokens, pad_token, KEY_FILE, PWD.
 */
export function isSecretSettingName(name: string): boolean {
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2');
  if (TOKENIZER_SETTING.test(snake)) return false;
  const words = snake
    .toUpperCase()
    .split(/[_.-]+/)
    .filter((word) => word !== '');
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (SECRET_LAST_WORDS.has(last) && !(last === 'PWD' && words.length === 1)) return true;
  if (words.some((word) => SECRET_WORDS.has(word))) return true;
  return SECRET_ENDING.test(words.join(''));
}

/** Values that only refer to a secret, or say there is none: kept. */
export function isPlaceholderValue(value: string): boolean {
  const bare = value.replace(/^["'`]|["'`]$/g, '').trim();
  return (
    bare === '' ||
    bare.includes('[REDACTED]') ||
    bare.startsWith('$') ||
    /^<[^>]*>$/.test(bare) ||
    /^\*+$/.test(bare) ||
    /^(?:none|null|nil|undefined|true|false|unset|n\/a)$/i.test(bare)
  );
}
