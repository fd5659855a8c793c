import type { Goal } from '../config/load-goal.js';
import type { AgentDefinition } from '../config/load-swarm.js';
import type { RunOverrides, RunSettings } from '../config/run-settings.js';
import { UnknownModelPriceError } from '../errors/unknown-model-price-error.js';
import { loadModelCatalogue } from '../providers/model-catalogue.js';
import {
  checkCatalogueProviders,
  mayNeedCatalogue,
  unpricedModels,
  type ModelInPlay,
} from '../providers/price-check.js';
import type { Project } from './project.js';

/**
 * What a run checks about prices before anything is written or started: the `catalogue` ids of the providers in play
 * exist, and under a USD budget every agent's model (each entry of a failover chain) has a known price (else the budget could not bind: exit 2). Then,
 * when some model may need the catalogue (a price or a context window), it starts loading in the background.
 */
export async function checkModelPrices(
  team: readonly AgentDefinition[],
  settings: RunSettings,
  project: Project,
  goal: Goal,
  overrides: RunOverrides,
): Promise<void> {
  const { config } = project;
  // Every entry of a failover chain may answer: each must be priced for the budget to bind.
  const models: ModelInPlay[] = team.flatMap((agent) =>
    agent.chain.map((ref) => ({
      agent: agent.name,
      provider: ref.provider,
      model: ref.model,
      contextWindow: agent.params.contextWindow,
    })),
  );
  await checkCatalogueProviders(config.config, config.label, [...new Set(models.map((entry) => entry.provider))]);
  const budgetUsd = settings.limits.maxBudgetUsd;
  if (budgetUsd !== undefined) {
    const unpriced = await unpricedModels(models, config.config);
    if (unpriced.length > 0)
      throw new UnknownModelPriceError({
        models: unpriced,
        budgetUsd,
        budgetSource: budgetSource(project, goal, overrides),
        configFile: config.label,
      });
  }
  if (models.some((entry) => mayNeedCatalogue(entry, config.config))) void loadModelCatalogue().catch(() => {}); // awaited where used
}

/** Where the budget in force was set: the command line wins over the goal, which wins over swarm.json. */
function budgetSource(project: Project, goal: Goal, overrides: RunOverrides): string {
  if (overrides.maxBudgetUsd !== undefined) return '--max-budget-usd';
  if (goal.frontMatter.budget?.usd !== undefined) return `budget.usd in ${goal.label}`;
  return `limits.maxBudgetUsd in ${project.swarm.label}`;
}
