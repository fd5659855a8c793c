import { z } from 'zod';

/** Annotations of the tools that add to the graph, and of those that delete from it. */
export const adds = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
} as const;
export const removes = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: false,
} as const;

/** The reply of the delete tools, as the reference's. */
export const deleteReply = { success: z.boolean(), message: z.string() };

/** The one argument added to the reference's: an optional mark on each entity, addition and relation. */
export const general = z
  .boolean()
  .optional()
  .describe(
    'true when this holds beyond this project (a machine quirk, a library API change, how to call a tool): it is ' +
      'then kept in the user store too, where runs in every workdir on this machine find it. Leave it out for what ' +
      'concerns only this project.',
  );

/** Ends the descriptions of the tools that add. */
export const markGeneral =
  'Mark general: true what holds beyond this project — machine quirks, library API changes, how to call tools — so ' +
  'that runs in other workdirs find it too.';

/** Ends the descriptions of the tools that delete. */
export const deletesFromBothStores =
  "They are deleted from this workdir's graph and from the user store (what other workdirs share), where it holds them.";
