import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { listenOnLoopback, LoopbackServer } from './lib/listen';

/**
 * The practical limit of this machine for a keyed read: a bare Fastify server answering the same
 * profile rows through a prepared better-sqlite3 statement (and the same single-row UPDATE for writes).
 */
export async function startBaselineServer(sqlitePath: string, port = 0): Promise<LoopbackServer> {
  const db = new Database(sqlitePath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const read = db.prepare('SELECT uuid, fields, version, created_at, updated_at FROM profiles WHERE uuid = ?');
  const update = db.prepare('UPDATE profiles SET fields = ?, version = version + 1, updated_at = ? WHERE uuid = ?');
  const app = Fastify({ logger: false });
  app.get<{ Params: { uuid: string } }>('/profiles/:uuid', async (request, reply) => {
    const row = read.get(request.params.uuid) as
      { uuid: string; fields: string; version: number; created_at: string; updated_at: string } | undefined;
    if (!row) return reply.status(404).send({ code: 'not_found' });
    return {
      uuid: row.uuid,
      fields: JSON.parse(row.fields) as unknown,
      version: row.version,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  });
  app.patch<{ Params: { uuid: string }; Body: { fields: Record<string, unknown> } }>('/profiles/:uuid', async (request) => {
    const row = read.get(request.params.uuid) as { fields: string } | undefined;
    const merged = { ...(row ? (JSON.parse(row.fields) as Record<string, unknown>) : {}), ...request.body.fields };
    update.run(JSON.stringify(merged), new Date().toISOString(), request.params.uuid);
    return { ok: true };
  });
  return listenOnLoopback(app, port, () => db.close());
}

if (require.main === module) {
  const [path, port] = process.argv.slice(2);
  void startBaselineServer(path!, Number(port ?? 0)).then(({ url }) => process.stdout.write(`baseline listening on ${url}\n`));
}
