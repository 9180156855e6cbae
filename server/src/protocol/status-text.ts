// How the client shows the server's status; here so that it is tested without VS Code.
import type { SeverityCounts, SeverityName } from './index.js';

export type ClientState = 'starting' | 'running' | 'stopped' | 'error';

const ORDER: readonly SeverityName[] = ['critical', 'high', 'medium', 'low', 'info'];

export interface StatusView {
  readonly text: string;
  readonly tooltip: string;
}

/**
 * The status bar text: the client state, and while running the counts of shown findings
 * ("$(shield) Relay Lint: 2 critical, 1 high"). Pure, so it is tested without VS Code.
 */
export function statusView(state: ClientState, counts?: SeverityCounts, files = 0): StatusView {
  switch (state) {
    case 'starting':
      return { text: '$(sync~spin) Relay Lint', tooltip: 'Relay Lint: starting the server…' };
    case 'stopped':
      return { text: '$(circle-slash) Relay Lint', tooltip: 'Relay Lint: the server is stopped.' };
    case 'error':
      return {
        text: '$(error) Relay Lint',
        tooltip: 'Relay Lint: the server failed. Click to show the output.',
      };
    case 'running':
      break;
  }
  const parts = ORDER.filter((s) => (counts?.[s] ?? 0) > 0).map((s) => `${counts?.[s] ?? 0} ${s}`);
  if (parts.length === 0)
    return { text: '$(shield) Relay Lint', tooltip: 'Relay Lint: no findings in open files.' };
  const where = files === 1 ? '1 file' : `${files} files`;
  return {
    text: `$(shield) Relay Lint: ${parts.slice(0, 2).join(', ')}${parts.length > 2 ? ', …' : ''}`,
    tooltip: `Relay Lint: ${parts.join(', ')} in ${where}. Click to show the output.`,
  };
}
