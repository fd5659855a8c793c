/** Inputs that would make a careless traceback parser slow (backtracking, quadratic scans), about `size` characters each. */
const HEADER = 'Traceback (most recent call last):';

export function adversarialOutputs(size: number): Record<string, string> {
  return {
    headers: `${HEADER}\n`.repeat(size / 35),
    'frames without an exception': `${HEADER}\n${'  File "a.py", line 1, in f\n    x\n'.repeat(size / 34)}`,
    'one unterminated File line': `  File "${'a'.repeat(size)}`,
    'one long exception-shaped line': `${HEADER}\n  File "a.py", line 1, in f\nValueError: ${'a '.repeat(size / 2)}`,
    'carriage returns': `${'\r'.repeat(size)}x`,
    'escape sequences': '\x1b]\x1b['.repeat(size / 4),
    separators: 'ValueError: x\n\nThe above exception was the direct cause of the following exception:\n\n'.repeat(
      size / 90,
    ),
    'group rails': `  + Exception Group ${HEADER}\n  | x\n${'  +-+---- 1 ----\n    | ValueError: v\n'.repeat(size / 40)}`,
    'nested groups': `  + Exception Group ${HEADER}\n  | ExceptionGroup: top\n${Array.from(
      { length: 150 },
      (_, depth) => {
        const rail = ' '.repeat(4 + depth * 2);
        return `${' '.repeat(2 + depth * 2)}+-+---- 1 ----\n${rail}| Exception Group ${HEADER}\n${rail}|   File "a.py", line 1, in f\n${rail}| ExceptionGroup: g`;
      },
    ).join('\n')}`,
    'bare exceptions above separators':
      `${'ValueError: x\n'.repeat(29)}The above exception was the direct cause of the following exception:\n`.repeat(
        size / 500,
      ),
    'tagged headers': Array.from({ length: size / 40 }, (_, index) => `[rank${index % 64}]: ${HEADER}`).join('\n'),
    'warning-like line': `${'a'.repeat(900)}:1: ${'W'.repeat(size)}`,
  };
}

/** tqdm-style progress output redrawn with carriage returns, `steps` updates (about 50 characters each). */
export function progressBars(steps: number): string {
  return Array.from(
    { length: steps },
    (_, step) => `\r${String(step % 100).padStart(3)}%|#####     | ${step}/${steps} [00:01<00:02, 9.1it/s]`,
  ).join('');
}
