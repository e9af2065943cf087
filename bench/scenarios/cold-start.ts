import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../lib/context';
import { memoryOf, startApp } from '../lib/processes';
import { report } from '../lib/report';

/** Scenario 6: a fresh directory (migrations included) to /health/ready, and the idle footprint. */
export async function coldStart(ctx: BenchContext): Promise<void> {
  const dir = mkdtempSync(join(ctx.workdir, 'cold-'));
  const app = await startApp({ SQLITE_PATH: join(dir, 'data', 'companion.sqlite') }, dir);
  await new Promise((r) => setTimeout(r, 2000));
  const { rssMb } = memoryOf(app.pid);
  await app.stop();
  report({
    scenario: '6 cold start to /health/ready (fresh SQLite, migrations)',
    figure: 'time',
    value: app.startedInMs / 1000,
    unit: 's',
    target: 'report',
    met: null,
  });
  report({ scenario: '6 idle after start', figure: 'RSS', value: rssMb, unit: 'MB', target: 'report', met: null });
}
