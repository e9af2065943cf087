import type { TestApp } from './test-app';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls a sync run until it is no longer running and answers it. */
export async function waitForRun(t: TestApp, id: string, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await t.request('GET', `/v1/admin/sync-runs/${id}`);
    if (answer.status !== 200) throw new Error(`run ${id} answered ${answer.status}: ${answer.text}`);
    if (answer.body.status !== 'running') return answer.body;
    if (Date.now() > deadline) throw new Error(`run ${id} still running: ${answer.text}`);
    await pause(50);
  }
}

export async function startRun(t: TestApp, body: Record<string, unknown>): Promise<any> {
  const answer = await t.request('POST', '/v1/admin/sync-runs', { body });
  if (answer.status !== 202) throw new Error(`start answered ${answer.status}: ${answer.text}`);
  return answer.body;
}

export async function runToEnd(t: TestApp, body: Record<string, unknown>, timeoutMs?: number): Promise<any> {
  return waitForRun(t, (await startRun(t, body)).id, timeoutMs);
}
