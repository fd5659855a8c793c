import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';

/**
 * The MCP client's check of tools' structured results against their output schemas, compiled when a tool's result
 * is first checked rather than when the tools are listed. The SDK's default compiles every output schema as soon as
 * `tools/list` answers: with every built-in server that was a third of a second of Ajv before a run's first model
 * request, for tools most runs never call. The checks are the same (the SDK's Ajv provider, one Ajv per client);
 * only when each schema is compiled changes.
 */
export class LazyJsonSchemaValidator implements jsonSchemaValidator {
  #ajv: AjvJsonSchemaValidator | undefined;

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    let compiled: JsonSchemaValidator<T> | undefined;
    return (input) => {
      this.#ajv ??= new AjvJsonSchemaValidator();
      compiled ??= this.#ajv.getValidator<T>(schema);
      return compiled(input);
    };
  }
}
