/** The built-in MCP servers, by name. A module without zod: `mcp serve`'s help lists them before anything heavy is loaded. */
export const BUILTIN_SERVER_NAMES = ['filesystem', 'shell', 'python', 'fetch', 'memory', 'skills', 'training'] as const;
export type BuiltinServerName = (typeof BUILTIN_SERVER_NAMES)[number];
