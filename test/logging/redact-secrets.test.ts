import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { redactSecrets } from '../../src/logging/redact-secrets.js';
import { isSecretSettingName } from '../../src/logging/secret-shapes.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/failures/', import.meta.url));

function cases(rows: Array<[input: string, expected: string]>): void {
  for (const [input, expected] of rows) assert.equal(redactSecrets(input), expected, input);
}

describe('redactSecrets', () => {
  it('removes API keys by their shape', () => {
    cases([
      ['key sk-proj-4fGh7JkL9mNpQrStUvWxYz0aBcDeFgHiJkLmNoPqRsTuVwXyZ12345678 used', 'key [REDACTED] used'],
      ['key sk-9aB8cD7eF6gH5iJ4kL3mN2oP1qR0sT9uV8wX7yZ6aB5cD4e', 'key [REDACTED]'],
      [
        'key sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-QwErTyAA!',
        'key [REDACTED]!',
      ],
      ['key 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', 'key [REDACTED]'],
      ['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', '[REDACTED]'],
      [
        'ghp_R8sT1uV2wX3yZ4aB5cD6eF7gH8iJ9kL0mN1o and gho_R8sT1uV2wX3yZ4aB5cD6eF7gH8iJ9kL0mN1o',
        '[REDACTED] and [REDACTED]',
      ],
      ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ', '[REDACTED]'],
      ['xoxb-2210987654321-5550001112223-AbCdEfGhIjKlMnOpQrStUvWx xoxp-1234-5678-abcdefgh', '[REDACTED] [REDACTED]'],
      ['AKIAIOSFODNN7EXAMPLE', '[REDACTED]'],
      ['AIzaSyD-1234567890abcdefghijklmnopqrstu', '[REDACTED]'],
      ['glpat-xY7zA8bC9dE0fG1hI2jK', '[REDACTED]'],
      ['Authorization: Bearer abcDEF123456.xyz_-987', 'Authorization: [REDACTED]'],
      ['curl -H "X-Token: Bearer 9f8e7d6c5b4a39281706"', 'curl -H "X-Token: Bearer [REDACTED]"'],
      [
        'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
        'jwt [REDACTED]',
      ],
      ['Incorrect API key provided: sk-proj-********************5678.', 'Incorrect API key provided: [REDACTED].'],
    ]);
  });

  it('redacts the values of secret-named settings in env dumps, exports, YAML, JSON and Python reprs', () => {
    cases([
      ['HF_TOKEN=abc123def456', 'HF_TOKEN=[REDACTED]'],
      ['export WANDB_API_KEY="3f9c2a7e1b8d"', 'export WANDB_API_KEY="[REDACTED]"'],
      ["export DB_PASSWORD='hunter2'", "export DB_PASSWORD='[REDACTED]'"],
      ['PGPASSWORD=Wint3r-is-c0ming', 'PGPASSWORD=[REDACTED]'],
      ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS_SECRET_ACCESS_KEY=[REDACTED]'],
      ['GOOGLE_APPLICATION_CREDENTIALS=/secrets/sa.json', 'GOOGLE_APPLICATION_CREDENTIALS=[REDACTED]'],
      ['NPM_AUTH=Zm9vOmJhcg', 'NPM_AUTH=[REDACTED]'],
      ['  "HF_TOKEN=9a8b7c6d5e4f",', '  "HF_TOKEN=[REDACTED]",'],
      ['{"apiKey": "9a8b7c6d5e4f", "model": "gpt-4o"}', '{"apiKey": "[REDACTED]", "model": "gpt-4o"}'],
      [
        "environ({'HOME': '/root', 'OPENAI_API_KEY': 'abc-123-def'})",
        "environ({'HOME': '/root', 'OPENAI_API_KEY': '[REDACTED]'})",
      ],
      ['api_key: 3f9c2a7e1b8d4c6f', 'api_key: [REDACTED]'],
      ['client_secret: "plain words here"', 'client_secret: "[REDACTED]"'],
      ['password = "correct horse"', 'password = "[REDACTED]"'],
      ['python x.py --hf-token abc123 --api-key=zyx987', 'python x.py --hf-token [REDACTED] --api-key=[REDACTED]'],
    ]);
  });

  it('redacts a key inside a URL: userinfo password, query parameter, token as user', () => {
    cases([
      [
        'postgres://trainer:s3cr3t-Passw0rd@db.internal:5432/runs',
        'postgres://trainer:[REDACTED]@db.internal:5432/runs',
      ],
      [
        'GET https://api.example.com/v1/data?api_key=abcd1234&page=2',
        'GET https://api.example.com/v1/data?api_key=[REDACTED]&page=2',
      ],
      [
        'https://x-access-token:ghp_R8sT1uV2wX3yZ4aB5cD6eF7gH8iJ9kL0mN1o@github.com/o/r.git',
        'https://x-access-token:[REDACTED]@github.com/o/r.git',
      ],
      ['https://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@huggingface.co/x', 'https://[REDACTED]@huggingface.co/x'],
    ]);
  });

  it('redacts known secret values wherever they appear', () => {
    assert.equal(
      redactSecrets('connected with plainvalue42 to plainvalue42', ['plainvalue42']),
      'connected with [REDACTED] to [REDACTED]',
    );
    assert.equal(
      redactSecrets('short abc stays', ['abc']),
      'short abc stays',
      'values under 8 characters are not treated as secrets',
    );
  });

  it('keeps ordinary words and settings that only sound secret', () => {
    const kept = [
      'tokenizer = AutoTokenizer.from_pretrained(name)',
      'keyboard interrupt received',
      'max_tokens=512 max_new_tokens=1024 num_tokens: 4096',
      'pad_token=<|endoftext|> eos_token: "</s>" pad_token_id=0',
      'TOKENIZERS_PARALLELISM=false PWD=/workspace KEY_FILE=/etc/ssl/key.pem',
      'HF_TOKEN=$HF_TOKEN OPENAI_API_KEY=${OPENAI_API_KEY} token: missing api_key=None',
      'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])',
      'The author: Jane, the monkey=banana',
      'Token indices sequence length is longer than the specified maximum',
      'Bearer token required',
      'risk-assessment-for-the-task-manager-module',
      "KeyError: 'HF_TOKEN'",
    ];
    for (const text of kept) assert.equal(redactSecrets(text), text, text);
  });

  it('is idempotent', () => {
    const text = 'HF_TOKEN=abc123def456 Authorization: Bearer abcDEF123456 sk-proj-4fGh7JkL9mNpQrStUvWxYz0aBcDe';
    const once = redactSecrets(text);
    assert.equal(redactSecrets(once), once);
  });

  it('leaves no key of the corpus env dumps', () => {
    const dump = readFileSync(`${FIXTURES}openai-auth-env-dump.txt`, 'utf8');
    const inspect = readFileSync(`${FIXTURES}docker-gpu-env-inspect.txt`, 'utf8');
    const redacted = redactSecrets(`${dump}\n${inspect}`);
    const secrets = [
      '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',
      'sk-proj-4fGh7JkL9mNpQrStUvWxYz0aBcDeFgHiJkLmNoPqRsTuVwXyZ12345678',
      'Wint3r-is-c0ming',
      '3f9c2a7e1b8d4c6f0a5e9b2d7c1f8a3e6b0d4c9f',
      'ghp_R8sT1uV2wX3yZ4aB5cD6eF7gH8iJ9kL0mN1o',
      'sk-ant-api03-',
      'sk-or-v1-',
      'AKIAIOSFODNN7EXAMPLE',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      '********5678',
      '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',
      '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b',
      'xoxb-',
      's3cr3t-Passw0rd',
      'AIzaSyD-',
      'glpat-',
    ];
    for (const secret of secrets) assert.ok(!redacted.includes(secret), `${secret} left in:\n${redacted}`);
    for (const kept of [
      'MAX_TOKENS=512',
      'TOKENIZERS_PARALLELISM=false',
      "'tokenizer': 'Qwen/Qwen2.5-7B-Instruct'",
      'HF_HOME=/data/hf',
      'NVIDIA_VISIBLE_DEVICES=all',
    ]) {
      assert.ok(redacted.includes(kept), `${kept} was redacted`);
    }
  });

  it('recognises secret setting names', () => {
    for (const name of [
      'HF_TOKEN',
      'OPENAI_API_KEY',
      'apiKey',
      'accessToken',
      'AWS_SECRET_ACCESS_KEY',
      'PGPASSWORD',
      'MYSQL_PWD',
      'GITHUB_AUTH',
      'hf-token',
      'SECRET_KEY_BASE',
      'DOCKER_PASSWD',
      'GOOGLE_APPLICATION_CREDENTIALS',
    ]) {
      assert.ok(isSecretSettingName(name), name);
    }
    for (const name of [
      'tokenizer',
      'keyboard',
      'max_tokens',
      'pad_token',
      'eos_token',
      'KEY_FILE',
      'PWD',
      'author',
      'monkey',
      'TOKENIZERS_PARALLELISM',
      'MAX_NEW_TOKEN',
    ]) {
      assert.ok(!isSecretSettingName(name), name);
    }
  });
});
