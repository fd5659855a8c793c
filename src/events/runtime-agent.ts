/** Events that are not about one agent carry this name. A module without zod: the CLI uses it before anything heavy is loaded. */
export const RUNTIME_AGENT = 'mux-swarm';
