/** `['agents', 2, 'model']` → `agents[2].model`; keys that are not identifiers are quoted. */
export function formatJsonPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else {
      const key = String(segment);
      if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) text += text ? `.${key}` : key;
      else text += `[${JSON.stringify(key)}]`;
    }
  }
  return text;
}
