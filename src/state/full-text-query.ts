/**
 * Turns what a user or model typed into FTS5 MATCH expressions that cannot break or inject: the query is split
 * on whitespace, every piece is wrapped in double quotes (inner quotes doubled), so `AND`, `OR`, `NOT`, `NEAR`,
 * `*`, `^`, `-`, `:` and parentheses are plain text to FTS5. Inside the quotes the tokenizer splits on
 * punctuation, so `user:alice` becomes the phrase "user alice". Pieces without a letter or digit are dropped
 * (an empty phrase would match nothing and sink an AND).
 */

const letterOrDigit = /[\p{L}\p{N}]/u;

/** The pieces of `query` that can match something, each a quoted FTS5 phrase. */
export function quotedTerms(query: string): string[] {
  return query
    .split(/\s+/u)
    .filter((piece) => letterOrDigit.test(piece))
    .map((piece) => `"${piece.replaceAll('"', '""')}"`);
}

/** Every term must occur as a whole token (in any column). */
export function allTermsExactly(terms: readonly string[]): string {
  return terms.join(' AND ');
}

/** Every term must occur, each possibly as the start of a longer token (`deploy` finds `deployment`). */
export function allTermsAsPrefixes(terms: readonly string[]): string {
  return terms.map((term) => `${term}*`).join(' AND ');
}

/** At least one term must occur, possibly as the start of a longer token. */
export function anyTermAsPrefix(terms: readonly string[]): string {
  return terms.map((term) => `${term}*`).join(' OR ');
}
