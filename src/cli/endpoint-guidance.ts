import type { Config } from '../config/config-schema.js';

/**
 * What to tell a user whose swarm has no model to talk to: the providers the config defines and their state,
 * then the ways to give the swarm one.
 */
export function endpointGuidance(config: Config, environment: NodeJS.ProcessEnv, problem: string): string {
  const providers = Object.entries(config.providers).map(([name, provider]) => {
    const key = provider.apiKeyEnv ? `key from ${provider.apiKeyEnv}: ${environment[provider.apiKeyEnv] ? 'set' : 'NOT SET'}` : 'no key needed';
    return `  - ${name}: ${provider.baseURL} (${key})`;
  });
  const keyed = Object.values(config.providers).find((provider) => provider.apiKeyEnv);
  const local = Object.entries(config.providers).find(([, provider]) => !provider.apiKeyEnv);
  const ways = [
    keyed ? `export ${keyed.apiKeyEnv}=<your key>   (then run the same command again)` : undefined,
    local
      ? `use the local server "${local[0]}" at ${local[1].baseURL}: start it (for Ollama: \`ollama serve\` and \`ollama pull qwen2.5-coder:7b\`), then add --provider ${local[0]} --model <a model it serves>` +
        (/11434/.test(local[1].baseURL) ? ' (OLLAMA_BASE_URL moves it elsewhere)' : '')
      : 'add a local server (Ollama: "baseURL": "http://127.0.0.1:11434/v1", no apiKeyEnv) under "providers" in config.json, then use --provider <name> --model <model>',
    'point config.json at any other OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp): see docs/providers.md',
  ].filter((way): way is string => way !== undefined);
  return [
    `mux-swarm has no model endpoint to talk to: ${problem}`,
    'Providers in config.json:',
    ...providers,
    'Give the swarm a model in one of these ways:',
    ...ways.map((way, index) => `  ${index + 1}. ${way}`),
  ].join('\n');
}
