import type { FakeChatBody, ScriptedResponse } from './fake-openai-server.js';
import { fakeAgent, fakeConfig, type ProjectFixture } from './project-fixture.js';

/**
 * The swarm the random kill loop kills over and over: an orchestrator that logs steps through the shell (two
 * commands in one turn, then one), delegates a report to the writer (files through the fs server: a directory,
 * two files in one turn, a read back) and then checks to the runner (a text-only reply that earns a nudge, then
 * shell commands), logs one more step and completes with the writer's files as artifacts.
 *
 * Every shell command appends one distinct line to ran.log, so a command run twice shows. The fake model answers
 * by the number of assistant messages in the request, not by queue position: a request made again after a kill
 * (a reply lost to `model-reply`) gets the same answer, and a tool result that says "interrupted" changes nothing.
 */

export const LOG_FILE = 'ran.log';

/** A shell command of the script and the line it appends to ran.log. */
export interface LoggedCommand {
  command: string;
  line: string;
}

function logged(line: string, guard?: string): LoggedCommand {
  return { command: `${guard ? `${guard} && ` : ''}echo '${line}' >> ${LOG_FILE}`, line };
}

export const LOGGED_COMMANDS: readonly LoggedCommand[] = [
  logged('orchestrator: step 1'),
  logged('orchestrator: step 2'),
  logged('orchestrator: step 3'),
  logged('runner: summary present', 'test -s report/summary.md'),
  logged('runner: check 2'),
  logged('runner: check 3'),
  logged('orchestrator: step 4'),
];

const SUMMARY = '# Report\n\nThe swarm survived being killed.\n';
const DATA = `${JSON.stringify({ kills: 'many', lost: 0 }, null, 2)}\n`;
const ARTIFACTS = ['report/summary.md', 'report/data.json'];

const shell = (line: string): { name: string; arguments: { command: string } } => {
  const entry = LOGGED_COMMANDS.find((candidate) => candidate.line === line);
  if (!entry) throw new Error(`no logged command writes ${JSON.stringify(line)}`);
  return { name: 'shell__run_command', arguments: { command: entry.command } };
};

/** Each model's reply to its n-th request (n = assistant messages already in the conversation). */
export const REPLIES_BY_TURN: Readonly<Record<string, readonly ScriptedResponse[]>> = {
  'orchestrator-model': [
    {
      content: 'Logging the start, then handing out the work.',
      toolCalls: [shell('orchestrator: step 1'), shell('orchestrator: step 2')],
    },
    { toolCalls: [shell('orchestrator: step 3')] },
    {
      toolCalls: [
        { name: 'delegate', arguments: { agent: 'writer', task: 'Write report/summary.md and report/data.json.' } },
      ],
    },
    {
      toolCalls: [
        { name: 'delegate', arguments: { agent: 'runner', task: 'Check that the report exists and log two checks.' } },
      ],
    },
    { toolCalls: [shell('orchestrator: step 4')] },
    {
      toolCalls: [
        {
          name: 'complete',
          arguments: { status: 'success', summary: 'report written and checked', artifacts: ARTIFACTS },
        },
      ],
    },
  ],
  'writer-model': [
    { toolCalls: [{ name: 'fs__create_directory', arguments: { path: 'report' } }] },
    {
      toolCalls: [
        { name: 'fs__write_file', arguments: { path: 'report/summary.md', content: SUMMARY } },
        { name: 'fs__write_file', arguments: { path: 'report/data.json', content: DATA } },
      ],
    },
    { toolCalls: [{ name: 'fs__read_text_file', arguments: { path: 'report/summary.md' } }] },
    {
      toolCalls: [
        { name: 'complete', arguments: { status: 'success', summary: 'wrote the report', artifacts: ARTIFACTS } },
      ],
    },
  ],
  'runner-model': [
    { content: 'I will check the report, then log the checks.' },
    { toolCalls: [shell('runner: summary present'), shell('runner: check 2')] },
    { toolCalls: [shell('runner: check 3')] },
    { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'checks logged' } }] },
  ],
};

/** The fake server's answer to any request of the scenario; undefined (an unmatched request) past the script. */
export function replyByTurn(body: FakeChatBody): ScriptedResponse | undefined {
  const turn = body.messages.filter((message) => message.role === 'assistant').length;
  return REPLIES_BY_TURN[body.model]?.[turn];
}

/** Writes config.json (workdir `work`), swarm.json and goal.md of the scenario into a fresh project. */
export function writeKillLoopProject(project: ProjectFixture, baseURL: string): void {
  project.write('config.json', fakeConfig(baseURL, { filesystem: { workdir: 'work' } }));
  project.write('swarm.json', {
    orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'], canDelegateTo: ['writer', 'runner'] }),
    agents: [fakeAgent('writer', { mcpServers: ['fs'] }), fakeAgent('runner', { mcpServers: ['shell'] })],
  });
  project.write('goal.md', '# Report\n\nLog the steps, have the report written and checked, then finish.\n');
}
