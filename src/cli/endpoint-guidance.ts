import type { Config } from '../config/config-schema.js';

/** How ProviderUnreachableError's message names the provider and its URL. */
const UNREACHABLE = /Cannot reach provider "([^"]+)" at (\S+?):\s/;

/**
 * What to tell a user whose swarm has no model to talk to: the providers the config defines and their state,
 * then the ways to give the swarm one. When the problem is a provider that never answered (a local server not
 * started), the first line says so ("… is unreachable at <url>") and starting it comes first: a missing key of
 * another provider is not what stopped the run.
 */
export function endpointGuidance(config: Config, environment: NodeJS.ProcessEnv, problem: string): string {
  const unreachable = UNREACHABLE.exec(problem);
  const unreachableName = unreachable?.[1];
  const unreachableProvider = unreachableName !== undefined ? config.providers[unreachableName] : undefined;
  const providers = Object.entries(config.providers).map(([name, provider]) => {
    const key = provider.apiKeyEnv
      ? `key from ${provider.apiKeyEnv}: ${environment[provider.apiKeyEnv] ? 'set' : 'NOT SET'}`
      : 'no key needed';
    return `  - ${name}: ${provider.baseURL} (${key})`;
  });
  const keyed = Object.values(config.providers).find((provider) => provider.apiKeyEnv);
  const local = Object.entries(config.providers).find(([, provider]) => !provider.apiKeyEnv);
  const keyWay = keyed ? `export ${keyed.apiKeyEnv}=<your key>   (then run the same command again)` : undefined;
  const ways = unreachableProvider
    ? [
        `start the server "${unreachableName}" at ${unreachableProvider.baseURL} (for Ollama: \`ollama serve\` and \`ollama pull <the model>\`; vLLM: \`vllm serve MODEL\`; llama.cpp: \`llama-server\`), then resume the run` +
          (/11434/.test(unreachableProvider.baseURL) ? ' (OLLAMA_BASE_URL moves it elsewhere)' : ''),
        keyed
          ? `use a hosted provider instead: export ${keyed.apiKeyEnv}=<your key> and run without --provider`
          : undefined,
        'point config.json at any other OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp): see docs/providers.md',
      ]
    : [
        keyWay,
        local
          ? `use the local server "${local[0]}" at ${local[1].baseURL}: start it (for Ollama: \`ollama serve\` and \`ollama pull qwen2.5-coder:7b\`), then add --provider ${local[0]} --model <a model it serves>` +
            (/11434/.test(local[1].baseURL) ? ' (OLLAMA_BASE_URL moves it elsewhere)' : '')
          : 'add a local server (Ollama: "baseURL": "http://127.0.0.1:11434/v1", no apiKeyEnv) under "providers" in config.json, then use --provider <name> --model <model>',
        'point config.json at any other OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp): see docs/providers.md',
      ];
  return [
    unreachableProvider
      ? `mux-swarm: provider "${unreachableName}" is unreachable at ${unreachable?.[2]}: ${problem}`
      : `mux-swarm has no model endpoint to talk to: ${problem}`,
    'Providers in config.json:',
    ...providers,
    'Give the swarm a model in one of these ways:',
    ...ways.filter((way): way is string => way !== undefined).map((way, index) => `  ${index + 1}. ${way}`),
  ].join('\n');
}
