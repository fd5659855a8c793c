import type { Config } from '../config/config-schema.js';
import type { AgentDefinition, ModelRef } from '../config/load-swarm.js';
import { MissingApiKeyError } from '../errors/missing-api-key-error.js';
import type { ChatModel, RetryNotice } from '../providers/chat-types.js';
import { FailoverChatModel, labelOf, type ChainEntry } from '../providers/failover-chat-model.js';
import type { ModelCooldowns } from '../providers/model-cooldowns.js';
import { createProviderClient } from '../providers/provider-client.js';

export interface ChatModelsOptions {
  config: Config;
  environment: NodeJS.ProcessEnv;
  /** The run's failover state, shared by every chain. */
  cooldowns: ModelCooldowns;
  onRetry: (agent: string, notice: RetryNotice) => void;
  onWarning: (message: string) => void;
}

/**
 * `modelFor` of a run: each agent's ChatModel, made once. An agent with one model talks to it directly; one with a
 * failover chain gets a FailoverChatModel over its entries. A chain entry whose provider's key variable is unset is left
 * out with a warning (the run refuses to start only when no entry of a chain has its key: see checkProviderKeys).
 */
export function chatModels(options: ChatModelsOptions): (agent: AgentDefinition) => ChatModel {
  const models = new Map<string, ChatModel>();
  const open = (agent: AgentDefinition, ref: ModelRef, giveUpOverRetryAfterMs?: number): ChatModel =>
    createProviderClient(ref.provider, options.config.providers[ref.provider]!, {
      env: options.environment,
      prices: options.config.prices,
      onRetry: (notice) => options.onRetry(agent.name, notice),
    }).chatModel(ref.model, { ...agent.params, giveUpOverRetryAfterMs });
  return (agent) => {
    let model = models.get(agent.name);
    if (model) return model;
    if (agent.chain.length <= 1) model = open(agent, { provider: agent.provider, model: agent.model });
    else {
      const entries: ChainEntry[] = [];
      const last = agent.chain.length - 1;
      agent.chain.forEach((ref, index) => {
        try {
          // An entry with somewhere to go does not wait out a long Retry-After: the chain moves on.
          entries.push({
            ...ref,
            chatModel: open(agent, ref, index < last ? options.config.failover.maxWait : undefined),
          });
        } catch (error) {
          if (!(error instanceof MissingApiKeyError)) throw error;
          options.onWarning(`${agent.name}: failover entry ${labelOf(ref)} left out: ${error.message}`);
        }
      });
      model =
        entries.length === 1
          ? entries[0]!.chatModel
          : new FailoverChatModel(entries, {
              agent: agent.name,
              cooldowns: options.cooldowns,
              cooldownMs: options.config.failover.cooldown,
            });
    }
    models.set(agent.name, model);
    return model;
  };
}
