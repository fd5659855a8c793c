/**
 * A message's content as text, whatever shape it was held in: a string as it is, nothing as null, and anything else
 * (content parts) as its JSON.
 */
export function messageContentText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  return content == null ? null : JSON.stringify(content);
}
