import { Presets, SingleBar } from 'cli-progress';
import { Command, CommandRunner, Option } from 'nest-commander';
import { printTable } from '../../cli/output';
import type { LiveProgress } from '../engine/run-execution';
import { StartedRun, SyncRunsService } from '../sync-runs.service';
import { SyncAlreadyRunningError, UnknownSyncJobError } from '../sync.errors';

interface SyncOptions {
  full?: boolean;
  dryRun?: boolean;
}

const SHOWN_FAILURES = 10;
const PLAIN_PROGRESS_EVERY_MS = 2000;

function refuse(message: string, exitCode: number): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = exitCode;
}

/** Shows a run's progress: a bar on a terminal, a line every few seconds otherwise (logs, CI). */
class ProgressView {
  private readonly bar: SingleBar | null;
  private readonly startedAt = Date.now();
  private lastPlain = 0;
  private firstDone: number | null = null;
  private barStarted = false;

  constructor(private readonly label: string) {
    this.bar = process.stderr.isTTY
      ? new SingleBar(
          {
            format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted} | failed {failed}{paused}`,
            stream: process.stderr,
            hideCursor: true,
            etaBuffer: 50,
            fps: 10,
          },
          Presets.shades_classic,
        )
      : null;
  }

  show(progress: LiveProgress, final = false): void {
    this.firstDone ??= progress.done;
    const seconds = (Date.now() - this.startedAt) / 1000;
    const rate = seconds > 0 ? Math.round((progress.done - this.firstDone) / seconds) : 0;
    const total = Math.max(progress.total ?? progress.done, progress.done, 1);
    const payload = { rate, failed: progress.counts.failed, paused: progress.paused ? ' | paused: upstream unavailable' : '' };
    if (this.bar) {
      if (!this.barStarted) {
        this.bar.start(total, progress.done, payload);
        this.barStarted = true;
      }
      this.bar.setTotal(total);
      this.bar.update(progress.done, payload);
      return;
    }
    if (!final && Date.now() - this.lastPlain < PLAIN_PROGRESS_EVERY_MS) return;
    this.lastPlain = Date.now();
    process.stderr.write(
      `${this.label}: ${progress.done}/${progress.total ?? '?'} (${rate}/s, failed ${progress.counts.failed}${payload.paused})\n`,
    );
  }

  stop(): void {
    this.bar?.stop();
  }
}

@Command({
  name: 'sync',
  arguments: '<job>',
  description: 'Run a sync job in this process (same lease as the app: refused while a run of it is in progress elsewhere)',
})
export class SyncCommand extends CommandRunner {
  constructor(private readonly syncRuns: SyncRunsService) {
    super();
  }

  @Option({ flags: '--full', description: 'visit every item (default: incremental, only new, dirty or last-failed items)' })
  parseFull(): boolean {
    return true;
  }

  @Option({ flags: '--dry-run', description: 'report what would change, writing nothing' })
  parseDryRun(): boolean {
    return true;
  }

  async run([job]: string[], options: SyncOptions): Promise<void> {
    let started: StartedRun;
    try {
      started = await this.syncRuns.start({
        job: job!,
        mode: options.full ? 'full' : 'incremental',
        dryRun: options.dryRun === true,
        triggeredBy: 'cli',
      });
    } catch (error) {
      if (error instanceof UnknownSyncJobError) return refuse(error.message, 2);
      if (error instanceof SyncAlreadyRunningError) return refuse(`${error.message} Cancel it or wait for it to end.`, 3);
      throw error;
    }
    const { run, handle } = started;
    process.stdout.write(
      `${started.resumed ? 'Resuming interrupted' : 'Started'} ${run.mode}${run.dryRun ? ' dry' : ''} run ${run.id} of "${run.job}".\n`,
    );

    // Ctrl-C stops after the items in flight and leaves the run resumable.
    const interrupt = (): void => {
      process.stderr.write('\nInterrupting: finishing the items in flight; the next start resumes this run.\n');
      void this.syncRuns.interruptLocalRuns();
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    const view = new ProgressView(run.job);
    const timer = setInterval(() => view.show(handle.progress()), 200);
    const end = await handle.done;
    clearInterval(timer);
    view.show(handle.progress(), true);
    view.stop();
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);

    const final = await this.syncRuns.get(run.id);
    process.stdout.write(
      `\nRun ${final.id}: ${end === 'interrupted' ? 'interrupted (resumable)' : final.status}${final.errorMessage ? ` (${final.errorMessage})` : ''}\n`,
    );
    printTable([{ ...final.counts, dryRun: final.dryRun, resumes: final.resumeCount }]);
    if (final.errors.length > 0) {
      process.stdout.write(`\nFirst failed records (${final.counts.failed} in all):\n`);
      printTable(final.errors.slice(0, SHOWN_FAILURES).map((e) => ({ key: e.key, code: e.code, message: e.message })));
    }
    if (end === 'interrupted' || end === 'lease_lost') process.exitCode = 130;
    else if (final.status !== 'succeeded') process.exitCode = 1;
  }
}
