import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { PipeTransform, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { REQUEST_VALIDATION_PIPE } from '../src/common/http/validation';
import { startTestApp, TestApp } from './support/test-app';

interface RouteArgument {
  index: number;
  data?: unknown;
  pipes?: PipeTransform[];
}

const PLAIN_TYPES: unknown[] = [String, Number, Boolean, Object, Array, Buffer, Date, undefined];

/** Every body or whole-query parameter typed with a DTO class, as "Controller.method(#index)". */
function dtoParameters(app: TestApp['app']): Array<{ where: string; validated: boolean }> {
  const found: Array<{ where: string; validated: boolean }> = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown>;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, RouteArgument>;
        const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, method) ?? []) as unknown[];
        for (const [key, argument] of Object.entries(args)) {
          const kind = Number(key.split(':')[0]);
          if (kind !== RouteParamtypes.BODY && kind !== RouteParamtypes.QUERY) continue;
          if (argument.data !== undefined || PLAIN_TYPES.includes(types[argument.index])) continue;
          found.push({
            where: `${controller.name}.${method}(#${argument.index})`,
            validated: (argument.pipes ?? []).includes(REQUEST_VALIDATION_PIPE),
          });
        }
      }
    }
  }
  return found;
}

describe('request validation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('validates every DTO-typed body and query of every route', () => {
    const parameters = dtoParameters(t.app);
    expect(parameters.length).toBeGreaterThan(10);
    expect(parameters.filter((p) => !p.validated).map((p) => p.where)).toEqual([]);
  });

  it('refuses an unknown body property on a DTO route', async () => {
    const answer = await t.request('POST', '/v1/admin/sync-runs', { body: { job: 'progress', surprise: 1 } });
    expect(answer.status).toBe(422);
    expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'surprise', code: 'unknown_field' })]));
  });

  it('refuses an invalid whole-query DTO', async () => {
    const answer = await t.request('GET', '/v1/admin/sync-runs?status=sideways');
    expect([400, 422]).toContain(answer.status);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
  });
});
