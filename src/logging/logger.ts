import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Level, type Logger } from 'pino';
import type { SecretScrubber } from './secret-scrubber.js';

export type { Logger };

export interface LoggerOptions {
  /** Level written to the log file. */
  level: Level;
  /** Level printed on stderr, one readable line per record; `silent` prints nothing. */
  consoleLevel: Level | 'silent';
  /** JSON log file (created with its directory); none when omitted. */
  file?: string;
  scrubber?: SecretScrubber;
}

/**
 * Logs never go to stdout (it carries results and NDJSON events). Records go as JSON to the run's log file and,
 * from `consoleLevel` up, as short lines to stderr; both synchronously, so nothing is lost on a crash. Known
 * secret values are scrubbed from every line, and credential-looking fields are redacted by path.
 */
export function createLogger(options: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = [];
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    streams.push({ level: options.level, stream: pino.destination({ dest: options.file, sync: true, mkdir: true }) });
  }
  if (options.consoleLevel !== 'silent') streams.push({ level: options.consoleLevel, stream: consoleStream() });
  const lowest = lowestLevel(options.level, options.consoleLevel);
  return pino(
    {
      level: lowest,
      base: { pid: process.pid },
      redact: {
        paths: [
          'apiKey',
          '*.apiKey',
          'headers.authorization',
          'headers.Authorization',
          '*.headers.authorization',
          '*.headers.Authorization',
        ],
        censor: '[REDACTED]',
      },
      hooks: options.scrubber ? { streamWrite: (line: string) => options.scrubber!.text(line) } : {},
    },
    streams.length > 0 ? pino.multistream(streams) : pino.destination({ dest: '/dev/null', sync: true }),
  );
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Turns pino's JSON records into `mux-swarm warn [server]: message` lines on stderr. */
function consoleStream(): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const record = JSON.parse(line) as { level: number; msg?: string; server?: string; agent?: string };
          const where = record.server ?? record.agent;
          process.stderr.write(
            `mux-swarm ${LEVEL_NAMES[record.level] ?? record.level}${where ? ` [${where}]` : ''}: ${record.msg ?? ''}\n`,
          );
        } catch {
          process.stderr.write(`${line}\n`);
        }
      }
      callback();
    },
  });
}

function lowestLevel(fileLevel: Level, consoleLevel: Level | 'silent'): Level {
  if (consoleLevel === 'silent') return fileLevel;
  return pino.levels.values[fileLevel]! <= pino.levels.values[consoleLevel]! ? fileLevel : consoleLevel;
}
