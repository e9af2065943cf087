import type { ExecutionContext } from '@nestjs/common';

/** What Reflector.getAllAndOverride reads a route's decorators from: its handler, then its controller. */
export type RouteTargets = [ReturnType<ExecutionContext['getHandler']>, ReturnType<ExecutionContext['getClass']>];

/** A value derived once per route (controller class and handler) from its decorators, which never change after boot. */
export class RouteMemo<T> {
  private readonly byController = new WeakMap<object, WeakMap<object, T>>();

  get(context: ExecutionContext, derive: (targets: RouteTargets) => T): T {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.byController.get(controller);
    if (!byHandler) this.byController.set(controller, (byHandler = new WeakMap()));
    let value = byHandler.get(handler);
    if (value === undefined) {
      value = derive([handler, controller]);
      byHandler.set(handler, value);
    }
    return value;
  }
}
