import type { Preset } from './preset.js';

/**
 * The local developer team of the second seed document: a 14B orchestrator and six 3B specialists (frontend, backend,
 * test, security, docs, devops), all Qwen2.5-Coder on one Ollama server, with what that team found it needed: 1,200 s
 * per request (model loading), an 8,192-token context and 2,048 output tokens. Ollama's OpenAI-compatible /v1
 * endpoint takes no context size per request, so the context lives in the models (Modelfiles with
 * `PARAMETER num_ctx`); the output limit is sent with every request (`max_tokens`, which Ollama honours) and set in
 * the Modelfiles too (`num_predict`). See docs/local-models.md.
 */
const CONTEXT_TOKENS = 8192;
const OUTPUT_TOKENS = 2048;
const REQUEST_TIMEOUT_MS = 1_200_000;
const ORCHESTRATOR_BASE = 'qwen2.5-coder:14b';
const SPECIALIST_BASE = 'qwen2.5-coder:3b';
/** The models the team talks to: the bases with the team's context and output limits built in. */
const ORCHESTRATOR_MODEL = 'qwen2.5-coder-8k:14b';
const SPECIALIST_MODEL = 'qwen2.5-coder-8k:3b';

const SPECIALIST_TOOLS = [
  'fs__read_text_file',
  'fs__write_file',
  'fs__edit_file',
  'fs__create_directory',
  'fs__list_directory',
  'fs__search_files',
  'shell__run_command',
];
const params = { temperature: 0.2, maxOutputTokens: OUTPUT_TOKENS, contextWindow: CONTEXT_TOKENS };

interface Specialist {
  name: string;
  description: string;
  focus: string;
  tools?: string[];
}

const SPECIALISTS: Specialist[] = [
  {
    name: 'frontend',
    description: 'Builds user interfaces: React or Vue components, forms with validation, styling.',
    focus:
      'You are the frontend specialist. Write concise, working React or Vue components. No over-commenting, no filler.',
  },
  {
    name: 'backend',
    description: 'Builds APIs and data access: FastAPI or Django endpoints, schemas, database code.',
    focus:
      'You are the backend specialist. Write clean, working API and database code (FastAPI, Django, SQL). Keep it simple: no premature optimisation. Always use parameterised queries.',
  },
  {
    name: 'test',
    description: 'Writes and runs tests: pytest or unittest suites, edge cases, coverage of the code others wrote.',
    focus:
      'You are the test specialist. Write thorough tests (pytest or unittest) for the code you are pointed at, including edge cases, and run them.',
  },
  {
    name: 'security',
    description:
      'Audits code and designs for security problems (injection, authentication, secrets, unsafe input) and says how to fix them.',
    focus:
      'You are the security specialist. Audit for injection, broken authentication, leaked secrets and unsafe input handling. Report each finding with the file, the risk and the fix; fix it when asked to.',
  },
  {
    name: 'docs',
    description: 'Writes technical documentation: READMEs, usage guides, API references, in plain language.',
    focus:
      'You are the documentation specialist. Write clear, plain technical documentation from the code as it is. No jargon for its own sake.',
    tools: ['fs__read_text_file', 'fs__write_file', 'fs__edit_file', 'fs__list_directory', 'fs__search_files'],
  },
  {
    name: 'devops',
    description: 'Sets up builds and deployment: Dockerfiles, compose files, CI, Kubernetes manifests.',
    focus:
      'You are the devops specialist. Write working Dockerfiles, compose files, CI and Kubernetes manifests. Prefer the simplest setup that works: no over-engineering.',
  },
];

const COMMON_RULES =
  '\n\nHow to work:\n- Read the files you need before changing anything; write results to files.\n- Run what you write when you can (shell__run_command) and read the output.\n- Call one tool at a time and keep answers short: your context is small.\n- When done, call complete with status, a short summary and the files you wrote.';

const config = {
  providers: {
    ollama: {
      description: 'The Ollama server of the local developer team; no key, no cost',
      baseURL: '${OLLAMA_BASE_URL:-http://127.0.0.1:11434/v1}',
      free: true,
      timeoutMs: REQUEST_TIMEOUT_MS,
      maxRetries: 2,
    },
  },
  mcpServers: {
    fs: { builtin: 'filesystem' },
    shell: { builtin: 'shell', options: { timeoutMs: 600_000, maxOutputChars: 8_000 } },
  },
  filesystem: { workdir: 'workspace', allowedRoots: ['.'] },
  stateDir: '.mux-swarm',
  logging: { level: 'info', consoleLevel: 'warn' },
};

const swarm = {
  description:
    'The local developer team: a 14B orchestrator that plans and delegates, and six 3B specialists, all on one Ollama server.',
  mode: 'hierarchical',
  orchestrator: {
    name: 'orchestrator',
    description:
      'Plans the goal, delegates each piece to the right specialist, checks the results on disk, and completes the run.',
    provider: 'ollama',
    model: ORCHESTRATOR_MODEL,
    params,
    tools: ['fs__read_text_file', 'fs__list_directory', 'fs__search_files'],
    canDelegateTo: SPECIALISTS.map((specialist) => specialist.name),
    maxTurns: 40,
    systemPrompt:
      'You are the orchestrator of a small developer team. You plan and delegate; you do not write the code yourself.\n\n' +
      '1. Break the goal into steps whose results are files.\n2. Delegate each step to one specialist (frontend, backend, test, security, docs, devops) with a self-contained task: what to produce, which files to read, where to write.\n' +
      '3. Check the files a step names before building on it; if it failed, retry with a clearer task or another specialist.\n4. When the goal is met, call complete with the summary and the files.',
  },
  agents: SPECIALISTS.map((specialist) => ({
    name: specialist.name,
    description: specialist.description,
    provider: 'ollama',
    model: SPECIALIST_MODEL,
    params,
    tools: specialist.tools ?? SPECIALIST_TOOLS,
    maxTurns: 30,
    systemPrompt: specialist.focus + COMMON_RULES,
  })),
  // A 20,000-character tool result is some 5,000 tokens: most of an 8,192-token window. Keep them short.
  limits: { maxTurns: 300, maxDelegationDepth: 1, maxToolResultChars: 8_000 },
};

const modelfile = (base: string): string =>
  [
    `# ${base} with the local developer team's limits. Ollama's OpenAI-compatible endpoint (/v1) ignores a context`,
    '# size sent with a request: the context comes from here (or OLLAMA_CONTEXT_LENGTH for every model).',
    '# To use your own weights (e.g. a per-role fine-tune converted to GGUF), change FROM to the .gguf path.',
    `FROM ${base}`,
    `PARAMETER num_ctx ${CONTEXT_TOKENS}`,
    `PARAMETER num_predict ${OUTPUT_TOKENS}`,
    '',
  ].join('\n');

const createScript = [
  '#!/bin/sh',
  "# Pulls the team's base models and creates the models swarm.json names, with the team's context and output",
  '# limits built in (ollama/*.Modelfile). Run it once on the machine that runs `ollama serve`.',
  'set -eu',
  'cd "$(dirname "$0")"',
  `ollama pull ${ORCHESTRATOR_BASE}`,
  `ollama pull ${SPECIALIST_BASE}`,
  `ollama create ${ORCHESTRATOR_MODEL} -f orchestrator.Modelfile`,
  `ollama create ${SPECIALIST_MODEL} -f specialist.Modelfile`,
  `echo "Created ${ORCHESTRATOR_MODEL} and ${SPECIALIST_MODEL}. Check them with: mux-swarm status --probe"`,
  '',
].join('\n');

const goal = [
  '---',
  'name: Safe user lookup',
  'budget:',
  '  time: 2h',
  '---',
  '# Safe user lookup',
  '',
  'A small backend module, audited before it is written. Try it with two specialists:',
  '`mux-swarm run --flat --agents security,backend goals/safe-user-lookup.md`.',
  '',
  '## Phase 1: Security rules',
  '',
  '`SECURITY.md`: the risks of looking a user up by name in SQLite (SQL injection above all) and the rules the',
  'code must follow.',
  '',
  'Done when:',
  '- `SECURITY.md` is non-empty',
  '',
  '## Phase 2: The module',
  '',
  '`users.py`: `find_user(conn, name)` returns the row of table `users` whose `name` equals `name`, or None, with a',
  'parameterised query (never string formatting), following `SECURITY.md`.',
  '',
  'Done when:',
  '- `users.py` is non-empty',
  `- \`python3 -c "import sqlite3, users; c = sqlite3.connect(':memory:'); c.execute('create table users (name text)'); c.execute(\\"insert into users values ('a')\\"); assert users.find_user(c, 'a') is not None; assert users.find_user(c, \\"' or '1'='1\\") is None"\` exits 0 within 1m`,
  '',
].join('\n');

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export const localDevTeam: Preset = {
  name: 'local-dev-team',
  description: `a ${ORCHESTRATOR_BASE} orchestrator and frontend, backend, test, security, docs and devops specialists on ${SPECIALIST_BASE}, on one Ollama server (8,192 context, 2,048 output tokens, 1,200 s per request)`,
  files: {
    'config.json': json(config),
    'swarm.json': json(swarm),
    'goals/safe-user-lookup.md': goal,
    'ollama/orchestrator.Modelfile': modelfile(ORCHESTRATOR_BASE),
    'ollama/specialist.Modelfile': modelfile(SPECIALIST_BASE),
    'ollama/create-models.sh': createScript,
  },
  nextSteps: (where) => {
    const cd = where === '.' ? '' : `cd ${where} && `;
    return [
      "  1. start Ollama so the team's two models stay loaded: OLLAMA_MAX_LOADED_MODELS=3 OLLAMA_KEEP_ALIVE=30m ollama serve",
      `  2. ${cd}sh ollama/create-models.sh   (pulls ${ORCHESTRATOR_BASE} and ${SPECIALIST_BASE}, creates ${ORCHESTRATOR_MODEL} and ${SPECIALIST_MODEL})`,
      `  3. ${cd}mux-swarm status --probe     (does each model call tools?)`,
      '  4. mux-swarm run --flat --agents security,backend goals/safe-user-lookup.md',
      '     (docs/local-models.md: the context and output limits, and other servers)',
    ];
  },
};
