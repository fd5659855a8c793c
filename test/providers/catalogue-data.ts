import { waitForUpdate } from '@pydantic/genai-prices';

/**
 * A model's entry read straight from the catalogue package's data, so that tests compute expected prices and windows
 * from the catalogue itself, not from mux-swarm's adapter over it.
 */
export async function catalogueModel(
  providerId: string,
  modelId: string,
): Promise<{
  inputPerMillion: number;
  outputPerMillion: number;
  cachedInputPerMillion: number | undefined;
  contextWindow: number | undefined;
}> {
  const providers = (await waitForUpdate()) ?? [];
  const model = providers.find((provider) => provider.id === providerId)?.models.find((entry) => entry.id === modelId);
  if (!model || Array.isArray(model.prices))
    throw new Error(`the catalogue has no flat-priced ${providerId}/${modelId}: choose another model for this test`);
  const { input_mtok: input, output_mtok: output, cache_read_mtok: cached } = model.prices;
  if (typeof input !== 'number' || typeof output !== 'number')
    throw new Error(`${providerId}/${modelId} has no flat token prices in the catalogue`);
  return {
    inputPerMillion: input,
    outputPerMillion: output,
    cachedInputPerMillion: typeof cached === 'number' ? cached : undefined,
    contextWindow: model.context_window,
  };
}

/** A model's raw price entry (flat or tiered rates by key), as the catalogue package holds it. */
export async function catalogueRawPrices(
  providerId: string,
  modelId: string,
): Promise<Record<string, number | { base: number; tiers: Array<{ start: number; price: number }> } | undefined>> {
  const providers = (await waitForUpdate()) ?? [];
  const model = providers.find((provider) => provider.id === providerId)?.models.find((entry) => entry.id === modelId);
  if (!model || Array.isArray(model.prices))
    throw new Error(
      `the catalogue has no single price entry for ${providerId}/${modelId}: choose another model for this test`,
    );
  return model.prices as Record<
    string,
    number | { base: number; tiers: Array<{ start: number; price: number }> } | undefined
  >;
}
