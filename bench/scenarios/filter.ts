import Database from 'better-sqlite3';
import { Client } from 'pg';
import type { BenchContext, Engine } from '../lib/context';
import { ADMIN_KEY, startApp } from '../lib/processes';
import { report } from '../lib/report';
import { requestLoop } from '../lib/request-loop';
import { defineProfileFields, importProfiles, TEAMS } from '../lib/seed';

export const FILTER_PROFILES = 100_000;

/** The statement the list endpoint runs for filter[team]=… (see buildListSql and RecordRowsRepository.list), for the query plan. */
const FILTER_SQL =
  'SELECT r.uuid AS id, r.fields, r.version, r.created_at, r.updated_at, 0 AS sort_missing ' +
  'FROM record_search_index s JOIN profiles r ON r.uuid = s.record_id ' +
  'WHERE s.kind = ? AND s.field_key = ? AND s.value_text = ? ORDER BY s.record_created_at ASC, s.record_id ASC LIMIT ?';

async function queryPlan(engine: Engine, database: { sqlitePath: string | null; env: Record<string, string> }): Promise<string> {
  if (engine === 'sqlite') {
    const db = new Database(database.sqlitePath!, { readonly: true });
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${FILTER_SQL}`).all('profile', 'team', 'team-7', 51) as Array<{ detail: string }>;
    db.close();
    return rows.map((r) => r.detail).join(' | ');
  }
  const client = new Client({ connectionString: database.env.DATABASE_URL });
  await client.connect();
  let index = 0;
  const rows = await client.query(`EXPLAIN ${FILTER_SQL.replace(/\?/g, () => `$${++index}`)}`, ['profile', 'team', 'team-7', 51]);
  await client.end();
  return rows.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join(' | ');
}

/** Scenario 4: filter on a searchable field over 100,000 profiles. Answers the database (for the 100k sync scenario). */
export async function filterOverProfiles(ctx: BenchContext, engine: Engine): Promise<{ env: Record<string, string> }> {
  const database = await ctx.database(engine, 'filter');
  const app = await startApp(database.env, ctx.workdir);
  try {
    await defineProfileFields(app.url);
    await importProfiles(app.url, FILTER_PROFILES, 20_000);
    const loop = await requestLoop(4, 8, async () => {
      const team = `team-${Math.floor(Math.random() * TEAMS)}`;
      const response = await fetch(`${app.url}/v1/profiles?filter[team]=${team}&limit=50`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      const body = (await response.json()) as { items?: unknown[] };
      return response.status === 200 && (body.items?.length ?? 0) === 50;
    });
    const plan = await queryPlan(engine, database);
    const usesIndex = /ix_record_search_text|Index (Only )?Scan using ix_record_search/i.test(plan);
    // The index delivers the page in order: no sort step over every match.
    const sortsEveryMatch = /TEMP B-TREE|Sort Key/i.test(plan);
    report({
      scenario: `4 GET /v1/profiles?filter[team]=… over ${FILTER_PROFILES} profiles [${engine}]`,
      figure: 'p95 latency',
      value: loop.p95Ms,
      unit: 'ms',
      target: '<= 20 ms, plan uses the search index',
      met: loop.p95Ms <= 20 && usesIndex && loop.errors === 0,
      notes: { plan, usesIndex, sortsEveryMatch, requests: loop.total, errors: loop.errors, p50Ms: loop.p50Ms },
    });
    return { env: database.env };
  } finally {
    await app.stop();
  }
}
