import type { DirectRoute } from '../common/http/direct-routes';
import { CombinedReadsController } from './combined-reads.controller';

/** The single-record reads, local or combined: the API's hottest routes (see serveDirectRoutes). */
export const COMBINED_READ_DIRECT_ROUTES: ReadonlyArray<DirectRoute<CombinedReadsController>> = [
  {
    method: 'GET',
    url: '/v1/profiles/:uuid',
    controller: CombinedReadsController,
    handler: 'get',
    call: (controller, request, reply) => {
      const { uuid } = request.params as { uuid: string };
      const { include, strict } = request.query as { include?: string; strict?: string };
      return controller.get(uuid, include, strict, request.headers['cache-control'], request.caller, reply);
    },
  },
  {
    method: 'GET',
    url: '/v1/trainings/:lpId',
    controller: CombinedReadsController,
    handler: 'getTraining',
    call: (controller, request, reply) => {
      const { lpId } = request.params as { lpId: string };
      const { include, strict } = request.query as { include?: string; strict?: string };
      return controller.getTraining(lpId, include, strict, request.headers['cache-control'], request.caller, reply);
    },
  },
];
