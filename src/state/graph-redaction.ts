import { redactSecrets } from '../logging/redact-secrets.js';
import type { KnownSecrets } from '../logging/secret-scrubber.js';
import type { GraphEntity, GraphRelation } from './knowledge-graph-union.js';

/**
 * The knowledge graph's texts with secrets taken out, the way failure memory does it (redactSecrets with the
 * process's secret values): before anything reaches the workdir's graph, the user store's or an export.
 */
export function redactEntity(entity: GraphEntity, secrets: KnownSecrets): GraphEntity {
  return {
    name: redactSecrets(entity.name, secrets),
    entityType: redactSecrets(entity.entityType, secrets),
    observations: entity.observations.map((observation) => redactSecrets(observation, secrets)),
  };
}

export function redactRelation(relation: GraphRelation, secrets: KnownSecrets): GraphRelation {
  return {
    from: redactSecrets(relation.from, secrets),
    to: redactSecrets(relation.to, secrets),
    relationType: redactSecrets(relation.relationType, secrets),
  };
}
