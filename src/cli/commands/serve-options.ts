import { InvalidArgumentError } from 'commander';

/** A TCP port: 0 (any free one) to 65535. */
export function portNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535)
    throw new InvalidArgumentError('must be a port number, 0 to 65535');
  return parsed;
}
