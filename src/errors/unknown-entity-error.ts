import { MuxSwarmError } from './mux-swarm-error.js';

/**
 * add_observations named an entity the knowledge graph does not hold; the whole call was rolled back. The
 * message starts as the reference server's does ("Entity with name X not found").
 */
export class UnknownEntityError extends MuxSwarmError {
  readonly entityName: string;

  constructor(entityName: string) {
    super(
      'memory_entity_not_found',
      `Entity with name ${entityName} not found: no observations were added by this call. ` +
        'Create the entity with create_entities first, or find its exact name with search_nodes.',
    );
    this.entityName = entityName;
  }
}
