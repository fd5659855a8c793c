import type { ProbeResult } from '../tool-call-probe.js';
import { DIALECT_NAMES } from '../../providers/probe-verdict.js';
import { formatTable } from '../table.js';

/** True when runs can use the model's tool calls: native, or a text form the runtime recovers. */
export function probeIsUsable(probe: ProbeResult): boolean {
  return probe.outcome === 'native' || probe.outcome === 'text';
}

/** The "Tool calling (probe)" section of `status`: one row per model, then the fix for each that has one. */
export function describeProbes(probes: ProbeResult[]): string[] {
  const answer = (probe: ProbeResult): string => {
    switch (probe.outcome) {
      case 'native':
        return 'native tool_calls';
      case 'text':
        return `text, recovered: ${DIALECT_NAMES[probe.dialect ?? 'json']}`;
      case 'none':
        return 'NOTHING USABLE';
      case 'error':
        return 'NO ANSWER';
    }
  };
  const fixes = probes.flatMap((probe) => [
    ...(probe.outcome === 'native' ? [] : [`  ${probe.provider}/${probe.model}: ${probe.detail}`]),
    ...(probe.fix ? [`    fix: ${probe.fix}`] : []),
  ]);
  return [
    'Tool calling (probe)',
    formatTable(
      ['model', 'answered with', 'time'],
      probes.map((probe) => [`${probe.provider}/${probe.model}`, answer(probe), `${probe.durationMs} ms`]),
    ),
    ...fixes,
  ];
}
