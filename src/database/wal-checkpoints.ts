import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';
import { databaseConfig, DatabaseConfig } from '../config/configuration';

/** How often the worker copies the write-ahead log into the database file. */
const WAL_CHECKPOINT_INTERVAL_MS = 200;
/** SQLite's own default: a commit that finds this many pages in the log checkpoints it there and then. */
const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** Log size (pages) past which the app connection catches up with the worker's checkpoints (see catchUp): 16 MB. */
const WAL_RESTART_FRAMES = 4096;
/** When the log starts over, a longer file is cut back to this size. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The worker's code, run from a string so that it needs no file of its own (the same under ts-jest and from dist).
 * It opens its own connection and runs PASSIVE checkpoints, which never wait for readers or the writer.
 */
const CHECKPOINT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.path, { fileMustExist: true });
const checkpoint = () => {
  try {
    const { log } = db.pragma('wal_checkpoint(PASSIVE)')[0];
    if (log >= workerData.restartFrames) parentPort.postMessage('catch-up');
  } catch (error) {
    // Another connection checkpointing at the same moment answers busy; the next tick tries again.
    if (error.code !== 'SQLITE_BUSY' && error.code !== 'SQLITE_LOCKED') throw error;
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

interface PragmaConnection {
  pragma(source: string): unknown;
}

/**
 * On SQLite, moves WAL checkpoints off the event loop. By default the commit that finds 1,000 pages in the log copies
 * them into the database file and syncs it, synchronously: on this machine that stalled the event loop for about
 * 20 ms several times a second under a write load (a full progress sync), and every request waiting on the loop
 * waited with it. Here a worker thread checkpoints every WAL_CHECKPOINT_INTERVAL_MS on its own connection, and the app's
 * connection no longer checkpoints by itself. Durability is the same: what a commit returned is in the log either way.
 * If the worker cannot start or stops on an error, the connection checkpoints by itself again.
 */
@Injectable()
export class WalCheckpoints implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WalCheckpoints.name);
  private worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(databaseConfig.KEY) private readonly config: DatabaseConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.engine !== 'sqlite') return;
    const worker = new Worker(CHECKPOINT_WORKER, {
      eval: true,
      workerData: {
        driverPath: require.resolve('better-sqlite3'),
        path: this.config.path,
        intervalMs: WAL_CHECKPOINT_INTERVAL_MS,
        restartFrames: WAL_RESTART_FRAMES,
      },
    });
    worker.unref();
    worker.on('error', (error) => this.logger.warn({ err: error }, 'WAL checkpoint worker failed'));
    worker.on('message', (message) => {
      if (message === 'catch-up') this.catchUp();
    });
    this.exited = new Promise((resolve) =>
      worker.once('exit', () => {
        if (this.worker === worker) {
          this.logger.warn('WAL checkpoint worker stopped; the database connection checkpoints by itself again');
          this.worker = null;
        }
        this.setAutocheckpoint(SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES);
        resolve();
      }),
    );
    this.worker = worker;
    this.setAutocheckpoint(0);
    this.connection()?.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  }

  /** Before the connection closes: the worker checkpoints once more and closes its own connection. */
  async onModuleDestroy(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    worker?.postMessage('stop');
    await this.exited;
  }

  /** Whether a worker is checkpointing now (for tests and diagnostics). */
  get running(): boolean {
    return this.worker !== null;
  }

  /**
   * Under a steady stream of commits the worker's checkpoints never quite catch up with the log, and the log starts
   * over only after one has. This one runs between two of this connection's transactions, so it does: it copies the
   * few pages the worker has not, and the next commit writes the log from its start again. (A RESTART checkpoint from
   * the worker would take the write lock, and a transaction here that has read and then writes gives up at once with
   * "database is locked" rather than wait for it.)
   */
  private catchUp(): void {
    try {
      this.connection()?.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      // Busy (the worker checkpointing at this moment): the worker asks again on its next tick.
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') this.logger.warn({ err: error }, 'WAL catch-up checkpoint failed');
    }
  }

  private setAutocheckpoint(pages: number): void {
    this.connection()?.pragma(`wal_autocheckpoint = ${pages}`);
  }

  private connection(): PragmaConnection | null {
    if (!this.dataSource.isInitialized) return null;
    return (this.dataSource.driver as unknown as { databaseConnection: PragmaConnection }).databaseConnection;
  }
}
