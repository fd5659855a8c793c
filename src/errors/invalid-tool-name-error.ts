import { MuxSwarmError } from './mux-swarm-error.js';

/** A tool name models would reject: function names must match ^[a-zA-Z0-9_-]{1,64}$. */
export class InvalidToolNameError extends MuxSwarmError {
  readonly toolName: string;

  constructor(toolName: string) {
    super(
      'tool_name_invalid',
      `Tool name "${toolName}" cannot be sent to a model: names must be 1 to 64 letters, digits, "_" or "-" ` +
        `(the pattern ^[a-zA-Z0-9_-]{1,64}$). Rename the server or the tool so that "server__tool" fits.`,
    );
    this.toolName = toolName;
  }
}
