import 'reflect-metadata';
import { CanActivate, Controller, ExecutionContext, Get, Headers, Injectable, Module, Param, Query, Res, createParamDecorator } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
const F = (process.env.F ?? '').split(',');
const on = (f: string) => F.includes(f);
const db = new Database('/tmp/prof/seed.sqlite');
const read = db.prepare('SELECT uuid, fields, version, created_at, updated_at FROM profiles WHERE uuid = ?');
const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest().caller);
@Injectable() class G1 implements CanActivate { async canActivate(c: ExecutionContext) { c.switchToHttp().getRequest().caller = { role: 'admin' }; return true; } }
@Injectable() class G2 implements CanActivate { async canActivate(_c: ExecutionContext) { return true; } }
const row = (uuid: string) => { const r = read.get(uuid) as any; return { uuid: r.uuid, fields: JSON.parse(r.fields), version: r.version, createdAt: r.created_at, updatedAt: r.updated_at }; };
@Controller()
class C {
  @Get('profiles/:uuid') get(@Param('uuid') uuid: string) { return row(uuid); }
  @Get('p6/:uuid') async get6(@Param('uuid') uuid: string, @Query('include') _i: string | undefined, @Query('strict') _s: string | undefined, @Headers('cache-control') _cc: string | undefined, @Caller() _caller: unknown, @Res({ passthrough: true }) reply: any) { const r = await Promise.resolve(row(uuid)); reply.header('etag', '"1"'); return r; }
}
@Module({ controllers: [C], providers: on('guards') ? [{ provide: APP_GUARD, useClass: G1 }, { provide: APP_GUARD, useClass: G2 }] : [] })
class M {}
async function main() {
  const opts: any = on('opts') ? { trustProxy: true, return503OnClosing: false, forceCloseConnections: 'idle', routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256, querystringParser: (raw: string) => { const q = Object.create(null); for (const [k, v] of new URLSearchParams(raw)) q[k] = v; return q; } } } : {};
  if (on('reqid')) opts.genReqId = (req: any) => { const id = randomUUID(); req.id = id; return id; };
  const app = await NestFactory.create<NestFastifyApplication>(M, new FastifyAdapter(opts), { logger: false, bodyParser: !on('nobody') });
  const f = app.getHttpAdapter().getInstance();
  if (on('hooks')) {
    f.addHook('onRequest', (req: any, reply: any, done: any) => { reply.header('x-request-id', req.id); if (req.url.includes('%00')) return done(new Error('x')); done(); });
    f.addHook('onResponse', (_req: any, _reply: any, done: any) => done());
    f.addHook('preParsing', (_req: any, _reply: any, p: any, done: any) => done(null, p));
  }
  await app.listen(3918, '127.0.0.1');
}
process.on('SIGINT', () => process.exit(0));
void main();
